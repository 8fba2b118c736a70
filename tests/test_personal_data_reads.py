"""Staff reads of citizens' personal data are audited: an entry per person and source when
the response succeeds (who, whose, which fields, never the values), none for a failed
response or a citizen reading their own data; administrators list them by staff and by
citizen."""

from __future__ import annotations

from typing import Any

from flask import abort

import smartapp.identity.audit as audit
from smartapp.extensions import db
from smartapp.identity.models import AuditEntry, Citizen
from smartapp.plugin import (
    Blueprint,
    ConsolePage,
    Plugin,
    current_staff,
    record_personal_data_read,
    staff_required,
)
from smartapp.testing import with_plugins

READS = "/api/v1/admin/audit/personal-data"
contacts = Blueprint("contacts", __name__)


def _shown(citizen_id: int) -> dict[str, Any]:
    citizen = db.session.get(Citizen, citizen_id)
    if citizen is None:
        abort(404)
    record_personal_data_read(citizen.id, ["phone_number"], "contacts.card", citizen.id)
    record_personal_data_read(citizen.id, ["display_name"], "contacts.card", citizen.id)
    return {"phone_number": citizen.phone_number}


@contacts.route("/cards/<int:citizen_id>")
@contacts.response(200)
def card(citizen_id: int) -> dict[str, Any]:
    """A citizen's card: staff see the phone number; anyone else, nothing recorded."""
    return _shown(citizen_id) if current_staff() else {}


@contacts.route("/cards/<int:citizen_id>/broken")
@staff_required()
@contacts.response(200)
def broken_card(citizen_id: int) -> dict[str, Any]:
    """Reads the data, then fails: the response never leaves, and no entry is written."""
    _shown(citizen_id)
    abort(409)


def console_card(citizen_id: int) -> str:
    return f"<p>{_shown(citizen_id)['phone_number']}</p>"


class ContactsPlugin(Plugin):
    """Contacts"""

    slug = "contacts"
    version = "1.0"
    core_requires = ">=0.1"
    title = {"vi": "Danh bạ", "en": "Contacts"}
    blueprint = contacts

    def console_pages(self) -> list[ConsolePage]:
        """A citizen's card."""
        return [ConsolePage("cards/<int:citizen_id>", {"vi": "Thẻ"}, console_card, in_menu=False)]


def _reads() -> list[AuditEntry]:
    db.session.rollback()
    return list(db.session.query(AuditEntry).filter_by(action="personal_data.read"))


@with_plugins(ContactsPlugin)
def test_a_staff_read_is_recorded_once_the_response_succeeds(
    client, make_staff, make_citizen, citizen
):
    staff = make_staff("agency_staff", agency_code="SXD")
    other = make_citizen("+84912000002")
    card = f"/api/v1/u/contacts/cards/{other.account.id}"
    assert client.get(card, headers=citizen.headers).json == {}
    assert client.get(card).status_code == 200
    assert _reads() == []  # nobody on staff looked

    assert client.get(card, headers=staff.headers).json == {"phone_number": "+84912000002"}
    (entry,) = _reads()
    assert (entry.staff_id, entry.actor) == (staff.account.id, staff.account.email)
    assert (entry.object_type, entry.object_id) == ("citizen", str(other.account.id))
    assert entry.details == {
        "fields": ["display_name", "phone_number"],
        "source": "contacts.card",
        "source_id": str(other.account.id),
    }
    assert "+84912000002" not in str(entry.details)

    assert client.get(f"{card}/broken", headers=staff.headers).status_code == 409
    assert client.get("/api/v1/u/contacts/cards/99999", headers=staff.headers).status_code == 404
    assert len(_reads()) == 1


@with_plugins(ContactsPlugin)
def test_admins_list_who_looked_at_whose_data(
    client, admin, make_staff, make_citizen, error_envelope
):
    first, second = make_staff("agency_staff", agency_code="SXD"), make_staff("communicator")
    one, two = make_citizen("+84912000011"), make_citizen("+84912000012")
    for staff, person in ((first, one), (first, two), (second, one)):
        path = f"/api/v1/u/contacts/cards/{person.account.id}"
        assert client.get(path, headers=staff.headers).status_code == 200
    db.session.add(
        AuditEntry(
            actor="x", action="staff.create", object_type="citizen", object_id=str(one.account.id)
        )
    )
    db.session.commit()

    def listed(**args: Any) -> list[tuple[int, str]]:
        response = client.get(READS, query_string=args, headers=admin.headers)
        assert response.status_code == 200, response.json
        return [(item["staff_id"], item["object_id"]) for item in response.json["items"]]

    ids = {name: str(person.account.id) for name, person in (("one", one), ("two", two))}
    everyone = [
        (second.account.id, ids["one"]),
        (first.account.id, ids["two"]),
        (first.account.id, ids["one"]),
    ]
    assert listed() == everyone  # newest first, only reads
    assert listed(citizen_id=one.account.id) == [everyone[0], everyone[2]]
    assert listed(staff_id=first.account.id) == everyone[1:]
    assert listed(staff_id=first.account.id, citizen_id=one.account.id) == [everyone[2]]
    assert listed(until="2000-01-01") == []

    error_envelope(
        client.get(READS, query_string={"citizen_id": "one"}, headers=admin.headers),
        422,
        fields={"citizen_id"},
    )
    error_envelope(
        client.get(READS, query_string={"staff_id": 2**40}, headers=admin.headers),
        422,
        fields={"staff_id"},
    )
    error_envelope(
        client.get(READS, query_string={"since": "yesterday"}, headers=admin.headers),
        422,
        fields={"since"},
    )
    assert client.get(READS).status_code == 401
    assert client.get(READS, headers={"Authorization": "Bearer staff.nonsense"}).status_code == 401
    assert client.get(READS, headers=first.headers).status_code == 403
    assert client.get(READS, headers=one.headers).status_code == 403


@with_plugins(ContactsPlugin)
def test_no_data_leaves_without_its_entry(client, make_staff, citizen, monkeypatch):
    def unwritable(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("audit log unreachable")

    monkeypatch.setattr(audit, "record_audit", unwritable)
    staff = make_staff("agency_staff", agency_code="SXD")
    card = f"/api/v1/u/contacts/cards/{citizen.account.id}"
    client.application.testing = False  # the app's own answer, not the test's exception
    response = client.get(card, headers=staff.headers)
    assert response.status_code == 500 and "+84912000001" not in response.get_data(as_text=True)
