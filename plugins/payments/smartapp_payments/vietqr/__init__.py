"""VietQR (NAPAS IBFT over EMVCo MPM): a strict encoder, a lenient decoder, the bank list,
and local rendering."""

from .banks import Bank, bank_by_bin, bank_list
from .decoder import Decoded, VietQRDecodeError, decode
from .emv import crc16
from .encoder import Transfer, VietQRError, beneficiary_bank, encode
from .render import png, svg

__all__ = [
    "Bank",
    "Decoded",
    "Transfer",
    "VietQRDecodeError",
    "VietQRError",
    "bank_by_bin",
    "bank_list",
    "beneficiary_bank",
    "crc16",
    "decode",
    "encode",
    "png",
    "svg",
]
