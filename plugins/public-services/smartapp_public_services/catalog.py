"""Procedures and bundles: writing them (search text kept in step), and what citizens read."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import select

from smartapp.plugin import NotFound, db, get_plugin, localize, utcnow

from .models import Bundle, BundleStep, Procedure
from .schemas import CODE_PATTERN
from .text import fold

PAYMENTS_SLUG = "payments"
#: what every record says of where it comes from (``models.Provenance``)
PROVENANCE = ("source", "verified_at", "unverified")


# -- procedures ------------------------------------------------------------------------------


def index_text(procedure: Procedure) -> None:
    """Refresh the folded columns the full-text indexes cover."""
    procedure.search_name = fold(procedure.name)
    # one folded phrase a line: the indexes see words, the ranking sees whole phrases
    procedure.search_keywords = "\n".join(fold(k) for k in procedure.keywords or [])
    procedure.search_body = fold(
        " ".join(
            [
                procedure.name_en or "",
                procedure.field,
                procedure.agency,
                procedure.description,
                procedure.result,
                " ".join(procedure.applicants or []),
            ]
        )
    )


def apply_procedure(procedure: Procedure, record: Mapping[str, Any]) -> bool:
    """Write the (possibly partial) loaded ``record`` onto ``procedure``; a retired one that is
    written again is back in service. Returns whether anything changed."""
    changed = procedure.retired_at is not None
    for name, value in record.items():
        if getattr(procedure, name) != value:
            setattr(procedure, name, value)
            changed = True
    procedure.retired_at = None
    index_text(procedure)
    return changed


def procedure_by_code(code: str, include_retired: bool = False) -> Procedure:
    """The procedure ``code``, or a 404."""
    # a path that is no code (a NUL, which PostgreSQL refuses to compare) matches nothing
    procedure = (
        db.session.scalar(select(Procedure).where(Procedure.code == code))
        if CODE_PATTERN.match(code)
        else None
    )
    if procedure is None or (procedure.retired_at is not None and not include_retired):
        raise NotFound(f"No procedure {code}.")
    return procedure


def procedures_by_code(codes: Iterable[str]) -> dict[str, Procedure]:
    codes = list(codes)
    return (
        {p.code: p for p in db.session.scalars(select(Procedure).where(Procedure.code.in_(codes)))}
        if codes
        else {}
    )


def retire_procedure(procedure: Procedure) -> None:
    if procedure.retired_at is None:
        procedure.retired_at = utcnow()


def cheapest_fee(procedure: Procedure) -> int | None:
    """The fee of the cheapest channel in đồng, ``None`` when no channel's fee is known."""
    fees = [c["fee_vnd"] for c in procedure.channels if c.get("fee_vnd") is not None]
    return min(fees) if fees else None


def localized_name(name: str, name_en: str | None, language: str | None = None) -> str:
    return localize({"vi": name, "en": name_en or ""}, language)


class Listed(Protocol):
    """What a list shows of a procedure: a ``Procedure``, or a search snapshot's entry."""

    code: str
    name: str
    name_en: str | None
    field: str
    level: str
    agency: str
    online_level: str


def summary(procedure: Listed, language: str | None = None) -> dict[str, Any]:
    """What a list shows of a procedure."""
    return {
        "code": procedure.code,
        "name": localized_name(procedure.name, procedure.name_en, language),
        "field": procedure.field,
        "level": procedure.level,
        "agency": procedure.agency,
        "online_level": procedure.online_level,
    }


def detail(procedure: Procedure, language: str | None = None) -> dict[str, Any]:
    """Everything a citizen needs to prepare the dossier, with fee links into the payments
    utility when it is installed and enabled."""
    payment_link = _payment_link_function()
    channels = [
        {
            **channel,
            "payments_url": payment_link(procedure.code, channel["fee_vnd"])
            if payment_link and channel.get("fee_vnd")
            else None,
        }
        for channel in procedure.channels
    ]
    return {
        **{
            column: getattr(procedure, column)
            for column in (
                "code",
                "name_en",
                "field",
                "level",
                "agency",
                "online_level",
                "description",
                "documents",
                "steps",
                "applicants",
                "result",
                "conditions",
                "legal_basis",
                "where_to_submit",
                "online_url",
                "keywords",
                "updated_at",
                "retired_at",
                *PROVENANCE,
            )
        },
        "name": localized_name(procedure.name, procedure.name_en, language),
        "name_vi": procedure.name,
        "channels": channels,
        "checklist_url": f"procedures/{procedure.code}/checklist",
        "offices_url": "offices",
    }


def _payment_link_function() -> Any:
    """The payments plugin's ``fee_payment_link(procedure_code, amount_vnd) -> str | None``,
    when that plugin is loaded, enabled and offers it (a duck-typed soft dependency)."""
    payments = get_plugin(PAYMENTS_SLUG)
    link = getattr(payments, "fee_payment_link", None)
    return link if callable(link) else None


# -- checklist -------------------------------------------------------------------------------

CHECKLIST_LABELS: dict[str, dict[str, str]] = {
    "vi": {
        "title": "DANH MỤC HỒ SƠ CẦN CHUẨN BỊ",
        "code": "Mã thủ tục",
        "agency": "Cơ quan",
        "documents": "Giấy tờ",
        "case": "Trường hợp",
        "originals": "bản chính",
        "copies": "bản sao",
        "template": "mẫu",
        "fees": "Phí, lệ phí và thời hạn",
        "where": "Nơi nộp",
        "online": "Nộp trực tuyến",
        "none": "Không có giấy tờ nào.",
        "in_person": "Trực tiếp",
        "postal": "Bưu chính",
        "online_channel": "Trực tuyến",
        "no_fee": "không rõ",
        "source": "Nguồn",
        "no_source": "không rõ",
        "checked": "kiểm tra ngày",
        "unverified": "chưa xác minh",
    },
    "en": {
        "title": "DOSSIER CHECKLIST",
        "code": "Procedure code",
        "agency": "Agency",
        "documents": "Documents",
        "case": "Case",
        "originals": "original(s)",
        "copies": "copy(ies)",
        "template": "form",
        "fees": "Fees and processing time",
        "where": "Where to submit",
        "online": "Submit online",
        "none": "No documents.",
        "in_person": "In person",
        "postal": "By post",
        "online_channel": "Online",
        "no_fee": "not stated",
        "source": "Source",
        "no_source": "unknown",
        "checked": "checked on",
        "unverified": "not verified",
    },
}


def checklist(procedure: Procedure, language: str) -> str:
    """A printable plain-text checklist of the dossier, in ``language``."""
    labels = CHECKLIST_LABELS.get(language, CHECKLIST_LABELS["vi"])
    lines = [
        labels["title"],
        localized_name(procedure.name, procedure.name_en, language),
        f"{labels['code']}: {procedure.code}",
        f"{labels['agency']}: {procedure.agency}",
        _provenance_line(procedure, labels),
        "",
        f"{labels['documents']}:",
    ]
    for group in procedure.documents:
        if group.get("case"):
            lines.append(f"  {labels['case']}: {group['case']}")
        for item in group["items"]:
            counts = (
                f"{item['originals']} {labels['originals']}, {item['copies']} {labels['copies']}"
            )
            template = f"; {labels['template']} {item['template']}" if item.get("template") else ""
            lines.append(f"  [ ] {item['name']} ({counts}{template})")
    if not procedure.documents:
        lines.append(f"  {labels['none']}")
    lines += ["", f"{labels['fees']}:"]
    for channel in procedure.channels:
        name = labels["online_channel" if channel["channel"] == "online" else channel["channel"]]
        fee = channel.get("fee") or labels["no_fee"]
        if channel.get("fee_unverified"):
            fee += f" ({labels['unverified']})"
        lines.append(f"  - {name}: {channel.get('processing_time', '')}; {fee}")
    if procedure.where_to_submit:
        lines += ["", f"{labels['where']}: {procedure.where_to_submit}"]
    if procedure.online_url:
        lines.append(f"{labels['online']}: {procedure.online_url}")
    return "\n".join(lines) + "\n"


def _provenance_line(procedure: Procedure, labels: Mapping[str, str]) -> str:
    """``Nguồn: 1234/QĐ-UBND (kiểm tra ngày 2026-12-02)``, then ``— chưa xác minh`` unless an
    official text confirms the record."""
    line = f"{labels['source']}: {procedure.source or labels['no_source']}"
    if procedure.verified_at:
        line += f" ({labels['checked']} {procedure.verified_at.isoformat()})"
    return f"{line} — {labels['unverified']}" if procedure.unverified else line


# -- bundles ---------------------------------------------------------------------------------


def apply_bundle(
    bundle: Bundle, record: Mapping[str, Any], procedures: Mapping[str, Procedure]
) -> bool:
    """Write a loaded bundle record; ``procedures`` maps each of its codes to the procedure.
    Returns whether anything changed."""
    changed = False
    for name in ("code", "name", "name_en", "description", "official", *PROVENANCE):
        if getattr(bundle, name) != record[name]:
            setattr(bundle, name, record[name])
            changed = True
    wanted = [procedures[code] for code in record["procedures"]]
    if [step.procedure for step in bundle.steps] != wanted:
        bundle.steps.clear()
        db.session.flush()  # the old positions must be gone before the new ones arrive
        bundle.steps.extend(BundleStep(position=i, procedure=p) for i, p in enumerate(wanted, 1))
        changed = True
    return changed


@dataclass
class CombinedDocument:
    name: str
    template: str | None
    originals: int
    copies: int
    procedures: list[str]


def bundle_summary(bundle: Bundle, language: str | None = None) -> dict[str, Any]:
    """What a list shows of a bundle."""
    return {
        "code": bundle.code,
        "description": bundle.description,
        "official": bundle.official,
        "name": localized_name(bundle.name, bundle.name_en, language),
        **{column: getattr(bundle, column) for column in PROVENANCE},
    }


def bundle_detail(bundle: Bundle, language: str | None = None) -> dict[str, Any]:
    """The bundle's procedures in order, every document once (the most originals and copies
    any step asks for), and the total fee."""
    documents: dict[str, CombinedDocument] = {}
    steps = []
    total, complete = 0, True
    for step in bundle.steps:
        procedure = step.procedure
        fee = cheapest_fee(procedure)
        total += fee or 0
        complete = complete and fee is not None
        steps.append({**summary(procedure, language), "position": step.position, "fee_vnd": fee})
        for group in procedure.documents:
            for item in group["items"]:
                key = fold(item["name"])
                found = documents.setdefault(
                    key, CombinedDocument(item["name"], item.get("template"), 0, 0, [])
                )
                found.originals = max(found.originals, item["originals"])
                found.copies = max(found.copies, item["copies"])
                if procedure.code not in found.procedures:
                    found.procedures.append(procedure.code)
    return {
        **bundle_summary(bundle, language),
        "procedures": steps,
        "documents": list(documents.values()),
        "total_fee_vnd": total,
        "fees_complete": complete,
    }


def bundle_by_code(code: str) -> Bundle:
    bundle = (
        db.session.scalar(select(Bundle).where(Bundle.code == code))
        if CODE_PATTERN.match(code)
        else None
    )
    if bundle is None:
        raise NotFound(f"No bundle {code}.")
    return bundle
