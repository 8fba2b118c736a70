"""The encoder and decoder against the standard: published examples reproduced byte for
byte, decoded back, the CRC's check value, and the rendered images read back by ZXing."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET

import pytest
import zxingcpp
from PIL import Image
from smartapp_payments.vietqr import (
    Transfer,
    VietQRDecodeError,
    VietQRError,
    bank_list,
    crc16,
    decode,
    encode,
    png,
    svg,
)

LIMIT = 499_999_999

#: (where it is published, the transfer, the payload printed there)
PUBLISHED = [
    (
        "NAPAS IBFT v1.5.2 — static, card (QRIBFTTC)",
        Transfer("970403", "9704031101234567", "card"),
        "00020101021138600010A00000072701300006970403011697040311012345670208QRIBFTTC"
        "53037045802VN63044F52",
    ),
    (
        "NAPAS IBFT v1.5.2 — dynamic, account, bill number and purpose",
        Transfer(
            "970403", "0011012345678", amount=180000, bill="NPS6869", purpose="thanh toan don hang"
        ),
        "00020101021238570010A00000072701270006970403011300110123456780208QRIBFTTA"
        "530370454061800005802VN62340107NPS68690819thanh toan don hang63042E2E",
    ),
    (
        "NAPAS IBFT v1.5.2 — dynamic, card, bill number and purpose",
        Transfer(
            "970403",
            "9704031101234567",
            "card",
            amount=180000,
            bill="NPS6869",
            purpose="thanh toan don hang",
        ),
        "00020101021238600010A00000072701300006970403011697040311012345670208QRIBFTTC"
        "530370454061800005802VN62340107NPS68690819thanh toan don hang6304A203",
    ),
    (
        "subiz/vietqr README — dynamic, purpose with diacritics folded",
        Transfer("970415", "0011001932418", amount=120000, purpose="ủng hộ lũ lụt"),
        "00020101021238570010A00000072701270006970415011300110019324180208QRIBFTTA"
        "530370454061200005802VN62170813ung ho lu lut6304C15C",
    ),
    (
        "xuannghia/vietnam-qr-pay README — static, no purpose",
        Transfer("970416", "257678859"),
        "00020101021138530010A0000007270123000697041601092576788590208QRIBFTTA"
        "53037045802VN6304AE9F",
    ),
    (
        "xuannghia/vietnam-qr-pay README — dynamic with purpose",
        Transfer("970416", "257678859", amount=10000, purpose="Chuyen tien"),
        "00020101021238530010A0000007270123000697041601092576788590208QRIBFTTA"
        "53037045405100005802VN62150811Chuyen tien630453E6",
    ),
    (
        "a Laravel VietQR service's tests (anyLEARN) — dynamic with purpose",
        Transfer("970416", "545446", amount=80100, purpose="Thanh toan anyLEARN 8"),
        "00020101021238500010A0000007270120000697041601065454460208QRIBFTTA"
        "53037045405801005802VN62250821Thanh toan anyLEARN 86304FA27",
    ),
]


def test_crc_check_value():
    assert crc16("123456789") == "29B1"  # CRC-16/CCITT-FALSE's catalogued check value


@pytest.mark.parametrize(
    ("source", "transfer", "payload"), PUBLISHED, ids=[source for source, _, _ in PUBLISHED]
)
def test_published_examples_byte_for_byte(source, transfer, payload):
    assert encode(transfer, LIMIT) == payload


@pytest.mark.parametrize(
    ("source", "transfer", "payload"), PUBLISHED, ids=[source for source, _, _ in PUBLISHED]
)
def test_published_examples_decode_back(source, transfer, payload):
    decoded = decode(payload)
    assert (decoded.bank, decoded.account, decoded.service) == (
        transfer.bank,
        transfer.account,
        transfer.service,
    )
    assert decoded.amount == transfer.amount
    assert decoded.initiation == ("dynamic" if transfer.amount else "static")
    assert decoded.bill == transfer.bill
    assert decoded.purpose == (
        None if transfer.purpose is None else encode_purpose(transfer.purpose)
    )
    assert (decoded.currency, decoded.country, decoded.crc) == ("704", "VN", payload[-4:])


def encode_purpose(purpose: str) -> str:
    return decode(encode(Transfer("970436", "1", purpose=purpose), LIMIT)).purpose


def test_the_set_covers_static_dynamic_with_and_without_purpose():
    kinds = {(t.amount is not None, t.purpose is not None) for _, t, _ in PUBLISHED}
    assert kinds >= {(False, False), (True, True)}
    assert len(PUBLISHED) >= 5


# -- the lenient decoder ---------------------------------------------------------------------


def test_lower_case_crc_is_read():
    payload = PUBLISHED[5][2]
    assert decode(payload[:-4] + payload[-4:].lower()).amount == 10000


def test_objects_in_any_order_are_read():
    # emvqr-go's test vector puts 62 before 38
    decoded = decode(
        "00020101021262110807tien le38560010A0000007270126000697041501121133"
        "666688880208QRIBFTTA5303704540460005802VN63046893"
    )
    assert (decoded.bank, decoded.account, decoded.amount, decoded.purpose) == (
        "970415",
        "113366668888",
        6000,
        "tien le",
    )


def test_over_long_merchant_name_and_decimal_amount_are_read():
    name = "CONG TY TNHH DICH VU THUONG MAI TAY NINH"  # 40 characters: the standard says 25
    body = (
        "00020101021238570010A00000072701270006970436011300110019324180208QRIBFTTA"
        f"5303704540879000.005802VN59{len(name)}{name}"
    )
    decoded = decode(body + "6304" + crc16(body + "6304"))
    assert decoded.name == name and decoded.amount == 79000


def test_wrong_checksum_is_refused():
    payload = PUBLISHED[3][2]
    with pytest.raises(VietQRDecodeError, match="checksum"):
        decode(payload[:-4] + "C15D")
    with pytest.raises(VietQRDecodeError, match="checksum"):
        decode(payload.replace("120000", "920000"))


@pytest.mark.parametrize("payload", ["", "hello", "6304ABCD", "000201010211" + "6304ZZZZ"])
def test_garbage_is_refused(payload):
    with pytest.raises(VietQRDecodeError):
        decode(payload)


def test_a_payload_of_another_scheme_is_refused():
    body = "00020101021126280010A0000007750110010641599953037045802VN6304"
    with pytest.raises(VietQRDecodeError, match="38"):
        decode(body + crc16(body))


# -- the strict encoder ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("transfer", "field"),
    [
        (Transfer("97040", "123"), "bank"),
        (Transfer("123456", "123"), "bank"),
        (Transfer("970436", ""), "account"),
        (Transfer("970436", "0011 0019"), "account"),
        (Transfer("970436", "12345678901234567890"), "account"),
        (Transfer("970436", "1234", "card"), "account"),
        (Transfer("970436", "1234", "wallet"), "service"),
        (Transfer("970436", "1234", amount=0), "amount"),
        (Transfer("970436", "1234", amount=LIMIT + 1), "amount"),
        (Transfer("970436", "1234", purpose="Nộp lệ phí đăng ký khai sinh cho con"), "purpose"),
        (Transfer("970436", "1234", purpose="  "), "purpose"),
        (Transfer("970436", "1234", bill="x" * 26), "bill"),
        (Transfer("970436", "1234", reference="🙂"), "reference"),
        (Transfer("970436", "1234", name="N" * 26), "name"),
    ],
)
def test_what_the_standard_forbids_is_refused_naming_the_field(transfer, field):
    with pytest.raises(VietQRError) as refused:
        encode(transfer, LIMIT)
    assert refused.value.field == field


def test_purpose_is_folded_to_ascii():
    payload = encode(Transfer("970436", "1234", purpose="Lệ phí Đăng ký"), LIMIT)
    assert "0814Le phi Dang ky" in payload and payload.isascii()


def test_every_field_has_a_two_digit_length_and_nested_fields_add_up():
    payload = encode(
        Transfer(
            "970436",
            "1" * 19,
            amount=LIMIT,
            bill="B" * 25,
            reference="R" * 25,
            purpose="P" * 25,
            name="N" * 25,
        ),
        LIMIT,
    )
    decoded = decode(payload)
    assert (decoded.bill, decoded.reference, decoded.purpose, decoded.name) == (
        "B" * 25,
        "R" * 25,
        "P" * 25,
        "N" * 25,
    )
    assert decoded.amount == LIMIT


def test_renamed_banks_keep_their_bin_and_list_is_versioned():
    banks = bank_list()
    assert banks.version and banks.source
    lpbank = banks.by_bin["970449"]
    assert lpbank.short_name == "LPBank" and any("LienViet" in n for n in lpbank.former_names)
    assert len(banks.by_bin) == len(banks.banks) >= 60


# -- rendering, read back by an independent decoder -------------------------------------------


@pytest.mark.parametrize(
    ("source", "transfer", "payload"), PUBLISHED[:4], ids=[source for source, _, _ in PUBLISHED[:4]]
)
def test_png_scans_back_to_the_payload(source, transfer, payload):
    image = Image.open(io.BytesIO(png(payload)))
    results = zxingcpp.read_barcodes(image)
    assert [r.text for r in results] == [payload]
    assert results[0].format == zxingcpp.BarcodeFormat.QRCode


def test_svg_is_an_svg_document():
    root = ET.fromstring(svg(PUBLISHED[0][2]))
    assert root.tag == "{http://www.w3.org/2000/svg}svg" and root.get("viewBox")
