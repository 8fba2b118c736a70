"""Names staff read: the statuses (queue, report page, dashboard) and the ``ioc_metrics``
figures on the console's dashboard (``Plugin.ioc_labels``)."""

from __future__ import annotations

from smartapp.plugin import Localized

from .models import Status

STATUSES: dict[str, Localized] = {
    Status.RECEIVED: {"vi": "Mới tiếp nhận", "en": "Received"},
    Status.ACCEPTED: {"vi": "Đã tiếp nhận", "en": "Accepted"},
    Status.REJECTED: {"vi": "Từ chối", "en": "Rejected"},
    Status.ASSIGNED: {"vi": "Đã giao xử lý", "en": "Assigned"},
    Status.IN_PROGRESS: {"vi": "Đang xử lý", "en": "In progress"},
    Status.RESOLVED: {"vi": "Đã giải quyết", "en": "Resolved"},
    Status.CLOSED: {"vi": "Đã đóng", "en": "Closed"},
}

IOC_LABELS: dict[str, Localized] = {
    "reports": {"vi": "Tổng số phản ánh", "en": "Reports"},
    "by_status": {"vi": "Phản ánh theo trạng thái", "en": "Reports by status"},
    **{f"by_status.{status}": label for status, label in STATUSES.items()},
    "by_category": {"vi": "Phản ánh theo lĩnh vực", "en": "Reports by category"},
    "by_agency": {"vi": "Phản ánh theo cơ quan", "en": "Reports by agency"},
    "by_ward": {"vi": "Phản ánh theo phường/xã", "en": "Reports by ward"},
    "median_hours_to_acknowledge": {
        "vi": "Số giờ tiếp nhận (trung vị)",
        "en": "Median hours to acknowledge",
    },
    "median_hours_to_resolve": {
        "vi": "Số giờ giải quyết (trung vị)",
        "en": "Median hours to resolve",
    },
    "overdue": {"vi": "Đang quá hạn", "en": "Overdue"},
    "satisfaction": {"vi": "Mức hài lòng", "en": "Satisfaction"},
    "satisfaction.average": {"vi": "Mức hài lòng trung bình", "en": "Average satisfaction"},
    "satisfaction.ratings": {"vi": "Lượt đánh giá", "en": "Ratings"},
    "received": {"vi": "Phản ánh tiếp nhận", "en": "Reports received"},
    "resolved": {"vi": "Phản ánh đã giải quyết", "en": "Reports resolved"},
    "overdue_by_agency": {"vi": "Quá hạn theo cơ quan", "en": "Overdue by agency"},
    "ratings_by_stars": {"vi": "Đánh giá theo số sao", "en": "Ratings by stars"},
}
