"""The privacy notice's first version, stored when no version is (a new database): the
province's operator publishes its own text as the next version (``docs/privacy.md``)."""

from __future__ import annotations

from typing import Any

#: what a citizen must accept to use the app at all
SERVICE = "service"
#: following the ward's notifications (FCM ward topics), from the ward given or in the profile
LOCATION_NOTIFICATIONS = "location_notifications"

DEFAULT_NOTICE: dict[str, Any] = {
    "title": {
        "vi": "Thông báo xử lý dữ liệu cá nhân",
        "en": "Personal data processing notice",
    },
    "body": {
        "vi": (
            "Ứng dụng lưu số điện thoại, phường/xã, thiết bị nhận thông báo, hộp thư thông "
            "báo và các phản ánh (kèm vị trí, hình ảnh) của bạn để cung cấp dịch vụ công của "
            "tỉnh, theo Luật Bảo vệ dữ liệu cá nhân (Luật số 91/2025/QH15). Bạn có thể xem, "
            "tải về, rút lại đồng ý hoặc xóa dữ liệu của mình bất cứ lúc nào trong ứng dụng."
        ),
        "en": (
            "The app stores your phone number, ward, notification devices, notification inbox "
            "and your reports (with their place and photos) to provide the province's public "
            "services, under the Law on Personal Data Protection (Law 91/2025/QH15). You can "
            "see, download, withdraw consent to or erase your data at any time in the app."
        ),
    },
    "purposes": [
        {
            "slug": SERVICE,
            "title": {
                "vi": "Cung cấp dịch vụ: tài khoản, phản ánh và việc xử lý",
                "en": "Providing the services: your account, your reports and their handling",
            },
            "required": True,
        },
        {
            "slug": LOCATION_NOTIFICATIONS,
            "title": {
                "vi": "Gửi thông báo của phường/xã nơi bạn ở",
                "en": "Sending you your ward's notifications",
            },
            "required": False,
        },
    ],
}
