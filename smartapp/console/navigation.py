"""The console's menu: each page appears only to staff who may open it.

Pages other branches add (notifications, monthly reports) are listed already; an entry
shows as soon as its endpoint exists. Plugins' pages (feedback's, say) follow the core's.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import request, url_for

from smartapp.console.blueprint import console_language, may_open
from smartapp.console.plugin_pages import MenuLink, navigation_links
from smartapp.i18n import Localized, localize


@dataclass(frozen=True)
class NavItem:
    endpoint: str
    title: Localized


NAVIGATION = (
    NavItem("console.index", {"vi": "Tổng quan", "en": "Dashboard"}),
    NavItem("console.notifications", {"vi": "Thông báo", "en": "Notifications"}),
    NavItem("console.reports", {"vi": "Báo cáo tháng", "en": "Monthly reports"}),
    NavItem("console.plugins", {"vi": "Tiện ích", "en": "Plugins"}),
    NavItem("console.staff", {"vi": "Cán bộ", "en": "Staff"}),
    NavItem("console.audit", {"vi": "Nhật ký", "en": "Audit log"}),
)


def menu() -> list[MenuLink]:
    """The core's pages then the plugins' pages this staff member may open."""
    language = console_language()
    links = [
        MenuLink(
            url_for(item.endpoint),
            localize(item.title, language),
            request.endpoint == item.endpoint,
        )
        for item in NAVIGATION
        if may_open(item.endpoint)
    ]
    return links + navigation_links(language)
