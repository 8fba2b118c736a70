"""What every record staff manage (places, fee items, guides) has in common: writing
loaded fields, retiring instead of deleting, and each change audited in its transaction."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy.exc import IntegrityError

from smartapp.plugin import abort, db, record_audit, utcnow


def write_fields(instance: Any, record: Mapping[str, Any]) -> bool:
    """Set the loaded fields on ``instance``; writing to a retired record brings it back.
    Returns whether anything changed."""
    changed = instance.retired_at is not None
    for name, value in record.items():
        if getattr(instance, name) != value:
            setattr(instance, name, value)
            changed = True
    instance.retired_at = None
    return changed


def add_new(instance: Any, object_type: str, key_field: str) -> None:
    """Add and commit a new record with its audit entry; 409 naming ``key_field`` when its
    unique key is taken — the constraint decides, so two racing requests cannot both win."""
    key = getattr(instance, key_field)
    try:
        with db.session.begin_nested():
            db.session.add(instance)
    except IntegrityError:
        abort(
            409,
            message=f"{key} exists.",
            errors={key_field: ["Exists already; update it instead."]},
        )
    record_audit(f"{object_type}.create", object_type, key)
    db.session.commit()


def commit_changes(
    object_type: str, key: Any, changes: Mapping[str, Any], action: str = "update"
) -> None:
    """Commit changed fields with the audit entry naming them."""
    record_audit(f"{object_type}.{action}", object_type, key, {"fields": sorted(changes)})
    db.session.commit()


def retire(instance: Any, object_type: str, key: Any) -> None:
    """Stop listing a record; it is kept for the record (and for what refers to it)."""
    if instance.retired_at is None:
        instance.retired_at = utcnow()
        record_audit(f"{object_type}.retire", object_type, key)
        db.session.commit()


@dataclass(frozen=True)
class Managed:
    """A kind of record staff create, update and retire by its unique key."""

    model: type[Any]
    object_type: str
    key_field: str
    #: writes a (possibly partial) loaded record, returns whether anything changed
    apply: Callable[[Any, Mapping[str, Any]], bool]

    def create(self, record: Mapping[str, Any]) -> Any:
        """Add a record; 409 naming the key when it is taken (retired ones included:
        update one to list it again)."""
        instance = self.model()
        self.apply(instance, record)
        add_new(instance, self.object_type, self.key_field)
        return instance

    def update(self, instance: Any, changes: Mapping[str, Any]) -> Any:
        if self.apply(instance, changes):
            commit_changes(self.object_type, getattr(instance, self.key_field), changes)
        return instance

    def retire(self, instance: Any) -> None:
        retire(instance, self.object_type, getattr(instance, self.key_field))
