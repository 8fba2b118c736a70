"""What the utility's routes accept and answer. Every request field is checked here, so bad
input is a 422 naming it before any service runs."""

from __future__ import annotations

import math
import re
from typing import Any

from marshmallow import ValidationError, fields, validate, validates

from smartapp.plugin import CursorPageArgs, Schema, WardCodeField, utcnow

from .models import CATEGORIES, METHODS, SERVICES, VIETNAM
from .settings import NAPAS_MAX_AMOUNT

CODE_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$")
CODE = validate.Regexp(CODE_PATTERN, error="1–40 letters, digits, '.', '_' or '-'")
AGENCY_CODE = validate.Regexp(
    r"^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$", error="1–32 letters, digits, '.', '_' or '-'"
)
SLUG_PATTERN = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
SLUG = validate.Regexp(SLUG_PATTERN, error="lower-case words joined by '-'")


class CoordinatesField(fields.Field):
    """``"lat,lon"`` as two floats or, with ``box=True``, ``"minlon,minlat,maxlon,maxlat"``
    (GeoJSON's order) as four."""

    def __init__(self, box: bool = False, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.box = box

    def _deserialize(
        self, value: Any, attr: str | None, data: Any, **kwargs: Any
    ) -> tuple[float, ...]:
        shape = "minlon,minlat,maxlon,maxlat" if self.box else "latitude,longitude"
        try:
            numbers = tuple(float(part) for part in str(value).split(","))
        except ValueError:
            raise ValidationError(f"must be {shape}") from None
        if len(numbers) != (4 if self.box else 2) or not all(map(math.isfinite, numbers)):
            raise ValidationError(f"must be {shape}")
        if self.box:
            min_lon, min_lat, max_lon, max_lat = numbers
            points = [(min_lat, min_lon), (max_lat, max_lon)]
            if min_lon > max_lon or min_lat > max_lat:
                raise ValidationError("the minimums must not exceed the maximums")
        else:
            points = [numbers]
        if not all(-90 <= lat <= 90 and -180 <= lon <= 180 for lat, lon in points):
            raise ValidationError("latitude must be within ±90 and longitude within ±180")
        return numbers


# -- places ----------------------------------------------------------------------------------


class PlaceFilters(Schema):
    ward_code = WardCodeField(metadata={"description": "only this ward's places"})
    category = fields.String(validate=validate.OneOf(CATEGORIES))
    method = fields.String(
        validate=validate.OneOf(METHODS),
        metadata={"description": "only places accepting this method"},
    )
    q = fields.String(
        validate=validate.Length(max=100),
        metadata={
            "description": "words of the name or address; diacritics optional (`cho long hoa`)"
        },
    )


class PlaceQueryArgs(CursorPageArgs, PlaceFilters):
    near = CoordinatesField(metadata={"description": "`lat,lon`: nearest first"})
    radius_km = fields.Float(
        validate=validate.Range(0.1, 300),
        metadata={"description": "with `near`; the setting by default"},
    )


class PlaceMapArgs(PlaceFilters):
    bbox = CoordinatesField(box=True, metadata={"description": "minlon,minlat,maxlon,maxlat"})
    limit = fields.Integer(load_default=1000, validate=validate.Range(1, 5000))


class PlaceRecordSchema(Schema):
    """A place as staff write it (also one CSV row)."""

    code = fields.String(
        required=True, validate=CODE, metadata={"label": {"vi": "Mã điểm", "en": "Code"}}
    )
    name = fields.String(
        required=True,
        validate=validate.Length(1, 200),
        metadata={"label": {"vi": "Tên", "en": "Name"}},
    )
    category = fields.String(
        required=True,
        validate=validate.OneOf(CATEGORIES),
        metadata={"label": {"vi": "Loại", "en": "Category"}},
    )
    ward_code = WardCodeField(
        required=True, metadata={"label": {"vi": "Mã phường/xã", "en": "Ward code"}}
    )
    address = fields.String(
        load_default="",
        validate=validate.Length(max=300),
        metadata={"label": {"vi": "Địa chỉ", "en": "Address"}},
    )
    latitude = fields.Float(
        required=True,
        allow_nan=False,
        validate=validate.Range(-90, 90),
        metadata={"label": {"vi": "Vĩ độ", "en": "Latitude"}},
    )
    longitude = fields.Float(
        required=True,
        allow_nan=False,
        validate=validate.Range(-180, 180),
        metadata={"label": {"vi": "Kinh độ", "en": "Longitude"}},
    )
    methods = fields.List(
        fields.String(validate=validate.OneOf(METHODS)),
        required=True,
        validate=validate.Length(1, len(METHODS)),
        metadata={
            "label": {
                "vi": "Hình thức thanh toán (mỗi dòng một)",
                "en": "Payment methods (one a line)",
            },
            "description": ", ".join(METHODS),
        },
    )
    opening_hours = fields.String(
        load_default="",
        validate=validate.Length(max=200),
        metadata={"label": {"vi": "Giờ mở cửa", "en": "Opening hours"}},
    )
    phone = fields.String(
        load_default="",
        validate=validate.Length(max=40),
        metadata={"label": {"vi": "Điện thoại", "en": "Phone"}},
    )
    verified_on = fields.Date(
        required=True,
        metadata={
            "label": {"vi": "Ngày xác minh", "en": "Verified on"},
            "description": "YYYY-MM-DD",
        },
    )
    demo = fields.Boolean(
        load_default=False,
        metadata={"label": {"vi": "Dữ liệu minh hoạ", "en": "Demonstration data"}},
    )

    @validates("verified_on")
    def _not_in_future(self, value: Any, **kwargs: Any) -> None:
        if value > utcnow().astimezone(VIETNAM).date():
            raise ValidationError("cannot be in the future")


class PlaceChangesSchema(PlaceRecordSchema):
    class Meta:
        exclude = ("code",)


class PlaceSchema(Schema):
    code = fields.String()
    name = fields.String()
    category = fields.String()
    ward_code = fields.Integer()
    address = fields.String()
    latitude = fields.Float()
    longitude = fields.Float()
    methods = fields.List(fields.String())
    opening_hours = fields.String()
    phone = fields.String()
    verified_on = fields.Date()
    demo = fields.Boolean(metadata={"description": "made up for demonstrations"})
    distance_km = fields.Float(metadata={"description": "with `near` only"})
    updated_at = fields.DateTime()


class ImportReportSchema(Schema):
    rows = fields.Integer()
    created = fields.Integer()
    updated = fields.Integer()
    unchanged = fields.Integer()


# -- VietQR ----------------------------------------------------------------------------------

_ASCII_TEXT = validate.Length(1, 100)


class VietQRArgs(Schema):
    bank = fields.String(
        required=True,
        validate=validate.Length(1, 6),
        metadata={"description": "the bank's NAPAS BIN (see /banks)"},
    )
    account = fields.String(required=True, validate=validate.Length(1, 19))
    service = fields.String(load_default="account", validate=validate.OneOf(SERVICES))
    amount = fields.Integer(strict=False, metadata={"description": "whole đồng"})
    purpose = fields.String(
        validate=_ASCII_TEXT,
        metadata={"description": "≤ 25 characters once diacritics are removed"},
    )
    bill = fields.String(validate=_ASCII_TEXT)
    reference = fields.String(validate=_ASCII_TEXT)
    name = fields.String(validate=_ASCII_TEXT, metadata={"description": "beneficiary name"})
    format = fields.String(load_default="json", validate=validate.OneOf(("json", "png", "svg")))


class DecodeArgs(Schema):
    payload = fields.String(
        required=True,
        validate=validate.Length(8, 512),
        metadata={"description": "the text of a scanned VietQR code"},
    )


class BankSchema(Schema):
    bin = fields.String()
    code = fields.String()
    short_name = fields.String()
    name = fields.String()
    receives_transfers = fields.Boolean()
    scans_vietqr = fields.Boolean()
    former_names = fields.List(fields.String())


class BankListSchema(Schema):
    version = fields.String()
    source = fields.String()
    items = fields.List(fields.Nested(BankSchema))


class VietQRSchema(Schema):
    """A VietQR code and what it says, decoded back from the payload, for the citizen to
    check before paying."""

    payload = fields.String(metadata={"description": "the EMVCo string in the code"})
    bank = fields.Nested(BankSchema)
    account = fields.String()
    service = fields.String()
    name = fields.String(allow_none=True)
    amount = fields.Integer(allow_none=True)
    purpose = fields.String(allow_none=True)
    bill = fields.String(allow_none=True)
    reference = fields.String(allow_none=True)
    initiation = fields.String(metadata={"description": "`static` or `dynamic`"})
    crc = fields.String()
    png_url = fields.String()
    svg_url = fields.String()


class DecodedSchema(Schema):
    """What a scanned code asks for, as the payer's bank will read it."""

    bank = fields.Nested(
        BankSchema,
        allow_none=True,
        metadata={"description": "null when the BIN is not in the bank list"},
    )
    bin = fields.String()
    account = fields.String()
    service = fields.String()
    initiation = fields.String(allow_none=True)
    amount = fields.Raw(
        allow_none=True,
        metadata={
            "type": "number",
            "description": "whole đồng, or with decimals as the code has it",
        },
    )
    currency = fields.String(allow_none=True)
    country = fields.String(allow_none=True)
    name = fields.String(allow_none=True)
    city = fields.String(allow_none=True)
    bill = fields.String(allow_none=True)
    reference = fields.String(allow_none=True)
    purpose = fields.String(allow_none=True)
    crc = fields.String()


# -- fee accounts and items ------------------------------------------------------------------


class FeeAccountQueryArgs(CursorPageArgs):
    agency_code = fields.String(validate=AGENCY_CODE)


class FeeItemQueryArgs(FeeAccountQueryArgs):
    procedure_code = fields.String(validate=CODE)


class FeeAccountRecordSchema(Schema):
    agency_code = fields.String(
        required=True,
        validate=AGENCY_CODE,
        metadata={"label": {"vi": "Mã cơ quan", "en": "Agency code"}},
    )
    agency_name = fields.String(
        required=True,
        validate=validate.Length(1, 300),
        metadata={"label": {"vi": "Tên cơ quan", "en": "Agency name"}},
    )
    bank_bin = fields.String(
        required=True,
        validate=validate.Length(1, 6),
        metadata={
            "label": {"vi": "Mã BIN ngân hàng", "en": "Bank BIN"},
            "description": "the bank's NAPAS BIN",
        },
    )
    account_number = fields.String(
        required=True,
        validate=validate.Length(1, 19),
        metadata={"label": {"vi": "Số tài khoản hoặc số thẻ", "en": "Account or card number"}},
    )
    service = fields.String(
        load_default="account",
        validate=validate.OneOf(SERVICES),
        metadata={"label": {"vi": "Loại (tài khoản hoặc thẻ)", "en": "Kind (account or card)"}},
    )
    account_name = fields.String(
        required=True,
        validate=validate.Length(1, 200),
        metadata={"label": {"vi": "Tên chủ tài khoản", "en": "Account holder"}},
    )


class FeeAccountChangesSchema(FeeAccountRecordSchema):
    """A fee account's changed fields (every field optional)."""


class FeeAccountSchema(Schema):
    id = fields.Integer()
    agency_code = fields.String()
    agency_name = fields.String()
    bank = fields.Nested(BankSchema, allow_none=True)
    account_number = fields.String()
    account_name = fields.String()
    service = fields.String()
    vietqr_url = fields.String(metadata={"description": "a static VietQR of the account"})


class FeeItemRecordSchema(Schema):
    #: it is the code's bill number (62/01), which holds 25 characters
    code = fields.String(
        required=True,
        validate=validate.Regexp(
            r"^[A-Za-z0-9][A-Za-z0-9._-]{0,24}$", error="1–25 letters, digits, '.', '_' or '-'"
        ),
    )
    name = fields.String(required=True, validate=validate.Length(1, 300))
    name_en = fields.String(allow_none=True, validate=validate.Length(1, 300))
    amount_vnd = fields.Integer(
        allow_none=True, strict=True, validate=validate.Range(1, NAPAS_MAX_AMOUNT)
    )
    procedure_code = fields.String(
        allow_none=True,
        validate=CODE,
        metadata={"description": "the national catalog's code, as in public-services"},
    )
    fee_account_id = fields.Integer(required=True, strict=True)


class FeeItemChangesSchema(FeeItemRecordSchema):
    class Meta:
        exclude = ("code",)


class FeeItemSchema(Schema):
    code = fields.String()
    name = fields.String()
    name_en = fields.String(allow_none=True)
    amount_vnd = fields.Integer(allow_none=True)
    procedure_code = fields.String(allow_none=True)
    procedure_url = fields.String(
        allow_none=True,
        metadata={
            "description": "the procedure in public-services, when that utility is installed"
        },
    )
    fee_account = fields.Nested(FeeAccountSchema)
    vietqr_url = fields.String(metadata={"description": "add `dossier=` for its reference"})


class FeeVietQRArgs(Schema):
    amount = fields.Integer(metadata={"description": "only for a fee with no fixed amount"})
    dossier = fields.String(
        validate=validate.Regexp(
            r"^[A-Za-z0-9][A-Za-z0-9./-]{0,24}$", error="1–25 letters, digits, '.', '/' or '-'"
        ),
        metadata={"description": "the dossier number (số hồ sơ): the payment's reference"},
    )
    format = fields.String(load_default="json", validate=validate.OneOf(("json", "png", "svg")))


# -- guides ----------------------------------------------------------------------------------


class GuideRecordSchema(Schema):
    slug = fields.String(required=True, validate=[SLUG, validate.Length(1, 80)])
    title_vi = fields.String(required=True, validate=validate.Length(1, 200))
    title_en = fields.String(allow_none=True, validate=validate.Length(1, 200))
    body_vi = fields.String(required=True, validate=validate.Length(1, 20_000))
    body_en = fields.String(allow_none=True, validate=validate.Length(1, 20_000))
    position = fields.Integer(load_default=100, strict=True, validate=validate.Range(0, 10_000))


class GuideChangesSchema(GuideRecordSchema):
    class Meta:
        exclude = ("slug",)


class GuideSchema(Schema):
    slug = fields.String()
    title = fields.String()
    body = fields.String()
    position = fields.Integer()
    updated_at = fields.DateTime()


class GuideSummarySchema(GuideSchema):
    class Meta:
        exclude = ("body",)
