"""Vietnamese first, English second: language negotiation and the core's messages.

The core has a few dozen messages and plugins bring their titles as ``{"vi": …, "en": …}``
mappings, so a dictionary catalog is enough; gettext catalogs (Flask-Babel) would add a
compile step to every plugin's build for no gain at this size.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping

from flask import has_request_context, request
from werkzeug.datastructures import LanguageAccept
from werkzeug.http import parse_accept_header

LANGUAGES = ("vi", "en")
DEFAULT_LANGUAGE = "vi"

Localized = Mapping[str, str]
"""A text in several languages, keyed by language code; ``vi`` is always present."""

MESSAGES: dict[str, Localized] = {
    "bad_request": {"vi": "Yêu cầu không hợp lệ.", "en": "The request is not valid."},
    "unauthorized": {"vi": "Cần đăng nhập.", "en": "Sign-in is required."},
    "forbidden": {"vi": "Bạn không có quyền làm việc này.", "en": "You may not do this."},
    "not_found": {"vi": "Không tìm thấy.", "en": "Not found."},
    "conflict": {
        "vi": "Xung đột với dữ liệu hiện có.",
        "en": "This conflicts with what is stored.",
    },
    "method_not_allowed": {
        "vi": "Phương thức không được hỗ trợ ở địa chỉ này.",
        "en": "This method is not allowed here.",
    },
    "payload_too_large": {"vi": "Dữ liệu gửi lên quá lớn.", "en": "The request body is too large."},
    "unsupported_media_type": {
        "vi": "Dữ liệu gửi lên phải ở dạng JSON.",
        "en": "The request body must be JSON.",
    },
    "unprocessable": {
        "vi": "Dữ liệu không hợp lệ, xem từng trường.",
        "en": "Some fields are not valid.",
    },
    "too_many_requests": {
        "vi": "Quá nhiều yêu cầu, vui lòng thử lại sau.",
        "en": "Too many requests, please try again later.",
    },
    "internal_error": {
        "vi": "Lỗi hệ thống, chúng tôi đã ghi nhận.",
        "en": "Something went wrong on our side; it has been logged.",
    },
    "unavailable": {"vi": "Dịch vụ tạm thời gián đoạn.", "en": "Service temporarily unavailable."},
    "invalid_token": {
        "vi": "Phiên đăng nhập không hợp lệ hoặc đã hết hạn.",
        "en": "The sign-in token is invalid or has expired.",
    },
    "erased_account_token": {
        "vi": "Tài khoản này đã bị xoá; vui lòng đăng nhập lại.",
        "en": "This account was erased; please sign in again.",
    },
    "invalid_credentials": {
        "vi": "Email hoặc mật khẩu không đúng.",
        "en": "Wrong email or password.",
    },
    "utility_disabled": {
        "vi": "Tiện ích này hiện không hoạt động.",
        "en": "This utility is not available right now.",
    },
    "unknown_ward": {
        "vi": "Mã phường/xã không thuộc tỉnh.",
        "en": "Not a ward or commune code of the province.",
    },
    "invalid_cursor": {"vi": "Con trỏ trang không hợp lệ.", "en": "Invalid page cursor."},
    "consent_required": {
        "vi": "Vui lòng đồng ý với thông báo xử lý dữ liệu cá nhân hiện hành trước.",
        "en": "Please accept the current privacy notice first.",
    },
    "erasure_confirm": {
        "vi": "Xác nhận xóa dữ liệu bằng ?confirm=true; đây là những gì sẽ bị xóa.",
        "en": "Confirm the erasure with ?confirm=true; this is what it erases.",
    },
    "erasure_failed": {
        "vi": "Chưa xóa được dữ liệu (không có gì bị xóa); vui lòng thử lại sau.",
        "en": "The erasure could not be done (nothing was erased); please try again later.",
    },
}


def current_language() -> str:
    """The best language for this request from ``Accept-Language``, ``vi`` by default."""
    if not has_request_context():
        return DEFAULT_LANGUAGE
    return _best_language(request.headers.get("Accept-Language", ""))


@functools.lru_cache(maxsize=256)
def _best_language(header: str) -> str:
    # Apps send the same few headers over and over; parsing one costs ~25 µs.
    return parse_accept_header(header, LanguageAccept).best_match(
        LANGUAGES, default=DEFAULT_LANGUAGE
    )


def localize(text: Localized, language: str | None = None) -> str:
    """Pick ``text`` in ``language`` (the request's by default), falling back to Vietnamese."""
    language = language or current_language()
    return text.get(language) or text[DEFAULT_LANGUAGE]


def message(key: str, language: str | None = None) -> str:
    """One of the core's :data:`MESSAGES`, localized."""
    return localize(MESSAGES[key], language)
