"""What staff change: procedures and offices, created, updated and retired through the admin
routes. Every change is audited with the change it describes and retires cached searches."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy.exc import IntegrityError

from smartapp.plugin import Conflict, agency_for_new, check_agency, db, record_audit

from .catalog import apply_procedure, retire_procedure
from .models import Office, Procedure
from .offices import apply_office, retire_office
from .search import procedures_changed


@dataclass(frozen=True)
class Managed:
    """A kind of record staff manage: its model, how a record is written, how it retires."""

    model: type[Procedure] | type[Office]
    object_type: str
    apply: Callable[[Any, Mapping[str, Any]], bool]
    retire: Callable[[Any], None]
    #: procedures are searched, so their changes clear the cached searches
    searchable: bool


PROCEDURES = Managed(Procedure, "procedure", apply_procedure, retire_procedure, True)
OFFICES = Managed(Office, "office", apply_office, retire_office, False)


def create(managed: Managed, record: Mapping[str, Any]) -> Any:
    """Add a new record; 409 naming ``code`` when the code exists (even retired: update it
    to bring it back), also when another request created it a moment before."""
    record = {**record, "agency_code": agency_for_new(record.get("agency_code"))}
    instance = managed.model()
    managed.apply(instance, record)
    try:
        with db.session.begin_nested():  # the unique code decides, not a look-up that races
            db.session.add(instance)
    except IntegrityError:
        raise Conflict(
            f"{record['code']} exists.", {"code": ["Exists already; update it instead."]}
        ) from None
    record_audit(
        f"public-services.{managed.object_type}.create", managed.object_type, record["code"]
    )
    _commit(managed)
    return instance


def update(managed: Managed, instance: Any, changes: Mapping[str, Any]) -> Any:
    """Change some fields (a retired record written to is back in service); agency staff
    change only their agency's records, and cannot give one to another agency."""
    check_agency(instance.agency_code)
    if "agency_code" in changes:
        changes = {**changes, "agency_code": agency_for_new(changes["agency_code"])}
    if managed.apply(instance, changes):
        record_audit(
            f"public-services.{managed.object_type}.update",
            managed.object_type,
            instance.code,
            {"fields": sorted(changes)},
        )
        _commit(managed)
    return instance


def retire(managed: Managed, instance: Any) -> None:
    """Withdraw a record: kept for history and bundles, no longer listed or found."""
    check_agency(instance.agency_code)
    if instance.retired_at is None:
        managed.retire(instance)
        record_audit(
            f"public-services.{managed.object_type}.retire", managed.object_type, instance.code
        )
        _commit(managed)


def _commit(managed: Managed) -> None:
    if managed.searchable:
        procedures_changed()  # in the same transaction: every worker sees both, or neither
    db.session.commit()
