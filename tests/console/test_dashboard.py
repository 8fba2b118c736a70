"""The dashboard: today's and this month's figures of the core and of every plugin's
``ioc_metrics``, with the charts staff asked for."""

from __future__ import annotations

import json
import re
from datetime import timedelta

from smartapp_feedback import FeedbackPlugin
from smartapp_feedback.categories import seed_demo_categories
from smartapp_feedback.models import Report
from smartapp_public_services import PublicServicesPlugin

from smartapp.extensions import db, utcnow
from smartapp.notifications.models import Campaign, CampaignStatus, InboxItem
from smartapp.testing import with_plugins
from tests.console.conftest import csrf_token

pytestmark = with_plugins(FeedbackPlugin, PublicServicesPlugin)
REPORT = {
    "category": "road-damage",
    "title": "Ổ gà lớn trước chợ",
    "description": "Ổ gà sâu, xe máy dễ té.",
    "latitude": 11.3101,
    "longitude": 106.0983,
    "ward_code": 25459,
    "answers": {"size": "large"},
    "public": True,
}


def charts(page: str) -> dict[str, dict]:
    found = [json.loads(c.replace("&#34;", '"')) for c in re.findall(r'data-chart="([^"]+)"', page)]
    return {
        chart["label"]: dict(zip(chart["labels"], chart["values"], strict=True)) for chart in found
    }


def period_rows(page: str, caption: str) -> dict[str, tuple[str, str]]:
    section = page.split(f">{caption}</figcaption>", 1)[1].split("</figure>", 1)[0]
    rows = re.findall(r'<th scope="row">([^<]+)</th><td>([^<]+)</td><td>([^<]+)</td>', section)
    return {name: (today, month) for name, today, month in rows}


def test_today_this_month_and_the_charts(client, admin, sign_in, make_citizen):
    seed_demo_categories()
    db.session.commit()
    citizen = make_citizen()
    ids = [
        client.post("/api/v1/u/feedback/reports", json=REPORT, headers=citizen.headers).get_json()[
            "id"
        ]
        for _ in range(2)
    ]
    late = db.session.get(Report, ids[0])
    late.acknowledge_due_at -= timedelta(days=30)
    late.resolve_due_at -= timedelta(days=30)
    db.session.get(Report, ids[1]).rating = 4
    campaign = Campaign(
        title={"vi": "Lịch cắt điện"},
        body={"vi": "Chủ nhật"},
        audience={"kind": "province"},
        ttl_seconds=3600,
        status=CampaignStatus.SENT,
        completed_at=utcnow(),
        author_id=admin.account.id,
    )
    db.session.add(campaign)
    db.session.flush()
    db.session.add(
        InboxItem(citizen_id=citizen.account.id, campaign_id=campaign.id, opened_at=utcnow())
    )
    db.session.commit()
    for address in ("10.0.0.1", "10.0.0.2", "10.0.0.3"):  # enough clients to be listed
        client.get(
            "/api/v1/u/public-services/procedures",
            query_string={"q": "giấy phép bay"},
            environ_base={"REMOTE_ADDR": address},
        )

    sign_in(admin)
    page = client.get("/admin/").get_data(as_text=True)
    assert period_rows(page, "Phản ánh kiến nghị") == {
        "Phản ánh tiếp nhận": ("2", "2"),
        "Phản ánh đã giải quyết": ("0", "0"),
    }
    assert period_rows(page, "Thông báo") == {
        "Thông báo đã gửi": ("1", "1"),
        "Lượt gửi đến thiết bị": ("0", "0"),
        "Lượt mở thông báo": ("1", "1"),
    }
    drawn = charts(page)
    # named by the plugins' ioc_labels, in the console's language
    assert drawn["Phản ánh theo trạng thái"] == {"Mới tiếp nhận": 2}
    assert drawn["Phản ánh theo cơ quan"] == {"SXD": 2}
    assert drawn["Quá hạn theo cơ quan"] == {"SXD": 1}
    assert drawn["Đánh giá theo số sao"] == {"1★": 0, "2★": 0, "3★": 0, "4★": 1, "5★": 0}
    assert drawn["Tìm kiếm không có kết quả"] == {"giay phep bay": 3}
    assert drawn["Thông báo"] == {
        "Thông báo đã gửi": 1,
        "Lượt gửi đến thiết bị": 0,
        "Lượt mở thông báo": 1,
    }
    assert re.search(r"<dt>Đang quá hạn</dt><dd>1</dd>", page)
    assert drawn["Mức hài lòng"] == {"Mức hài lòng trung bình": 4.0, "Lượt đánh giá": 1}
    assert "Người dân theo ngôn ngữ" in drawn  # the core's own names

    english = client.post(
        "/admin/language", data={"language": "en", "csrf_token": csrf_token(client)}
    )
    assert english.status_code == 303
    drawn = charts(client.get("/admin/").get_data(as_text=True))
    assert drawn["Reports by status"] == {"Received": 2}
