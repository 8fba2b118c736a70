"""Links into the national public-services portal (Cổng Dịch vụ công quốc gia).

The detail page (``…/dvc-tthc-thu-tuc-hanh-chinh-chi-tiet.html?ma_thu_tuc=``) is reported to
answer "không tồn tại" for a catalog code, and public clients of the portal pass it the
portal's own record id instead; no stored copy of the portal shows how a code maps to that
id. So a procedure links to the portal's search for its code (``dvc-tim-kiem-thu-tuc.html
?key=``, the form public clients of the portal use; see the plugin's README, "Provenance").
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlencode, urlsplit

PORTAL_HOST = "dichvucong.gov.vn"
NATIONAL_PORTAL_SEARCH = f"https://{PORTAL_HOST}/p/home/dvc-tim-kiem-thu-tuc.html"
_CATALOG_CODE = re.compile(r"^\d\.\d{6}$")


def portal_search_url(code: str) -> str:
    """The portal's search for one catalog code."""
    return f"{NATIONAL_PORTAL_SEARCH}?{urlencode({'key': code})}"


def is_code_detail_link(url: str) -> bool:
    """Whether ``url`` is the portal's detail page given a catalog code (a dead link)."""
    parts = urlsplit(url)
    ids = parse_qs(parts.query).get("ma_thu_tuc", [])
    return parts.hostname == PORTAL_HOST and any(_CATALOG_CODE.match(i) for i in ids)
