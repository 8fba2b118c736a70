"""Links into the national public-services portal (Cổng Dịch vụ công quốc gia).

Since its 2026 redesign the portal shows a procedure at ``/thu-tuc-hanh-chinh/<formalityId>``,
an id of its own (a UUID) that no stored copy of the portal maps from the catalog code; the
old pages that took the code (``/p/home/…?ma_thu_tuc=``) answer "không tồn tại". So a
procedure links to the portal's search for its code; staff may set the detail link itself
once they know its id. The evidence for both forms is in the README ("Provenance").
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlencode, urlsplit

PORTAL_HOST = "dichvucong.gov.vn"
NATIONAL_PORTAL_SEARCH = f"https://{PORTAL_HOST}/tim-kiem-thu-tuc-hanh-chinh"
#: the query parameter of the old pages, which took the catalog code
OLD_CODE_PARAMETER = "ma_thu_tuc"


def portal_search_url(code: str) -> str:
    """The portal's search for one catalog code."""
    return f"{NATIONAL_PORTAL_SEARCH}?{urlencode({'keyword': code})}"


def is_old_portal_link(url: str) -> bool:
    """Whether ``url`` is one of the portal's old pages by code (a dead link)."""
    parts = urlsplit(url)
    return parts.hostname == PORTAL_HOST and OLD_CODE_PARAMETER in parse_qs(parts.query)
