"""The catalog of administrative procedures, the linked bundles, the offices, and the search log.

A procedure's channels, document groups, legal bases and lists of steps, applicants and
conditions are read and written whole, never queried one by one, so they are JSON columns in
the shape of the national catalog rather than tables of their own.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from smartapp.plugin import Model, UTCDateTime, utcnow

LEVELS = ("commune", "province")
ONLINE_LEVELS = ("full", "partial")
CHANNELS = ("in_person", "online", "postal")
OFFICE_KINDS = ("province_centre", "commune_centre")


class Provenance:
    """Where a record comes from, so a reader can tell a confirmed record from a remembered one.

    A record is confirmed (``unverified`` false) only with the official ``source`` it was
    checked against and the day it was; rows that predate these columns are unverified.
    """

    #: the decision (``1234/QĐ-UBND``) or official page address the record was taken from
    source: Mapped[str | None] = mapped_column(String(500))
    #: the day the record was last checked against its source
    verified_at: Mapped[date | None] = mapped_column(Date)
    #: no official text confirms the record (not reachable, or only a secondary source)
    unverified: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())


class Procedure(Provenance, Model):
    """One administrative procedure of the national catalog, as handled in the province."""

    __tablename__ = "public_services_procedures"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: the national catalog's code, e.g. ``1.001193``
    code: Mapped[str] = mapped_column(String(40), unique=True)
    #: official names run long (the national catalog has names of 550+ characters)
    name: Mapped[str] = mapped_column(String(1000))
    name_en: Mapped[str | None] = mapped_column(String(1000))
    #: lĩnh vực, e.g. ``Hộ tịch``
    field: Mapped[str] = mapped_column(String(200), index=True)
    #: level of government that decides: ``commune`` or ``province``
    level: Mapped[str] = mapped_column(String(20))
    agency: Mapped[str] = mapped_column(String(300))
    #: the agency whose staff manage it (``smartapp.plugin.check_agency``); none: the province
    agency_code: Mapped[str | None] = mapped_column(String(32), index=True)
    #: ``full`` (toàn trình) or ``partial`` online service
    online_level: Mapped[str] = mapped_column(String(20))
    description: Mapped[str] = mapped_column(Text, default="")
    #: ``[{"channel", "processing_time", "processing_days", "fee", "fee_vnd"}]``
    channels: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    #: ``[{"case", "items": [{"name", "template", "originals", "copies"}]}]``
    documents: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    steps: Mapped[list[str]] = mapped_column(JSON, default=list)
    applicants: Mapped[list[str]] = mapped_column(JSON, default=list)
    result: Mapped[str] = mapped_column(Text, default="")
    conditions: Mapped[list[str]] = mapped_column(JSON, default=list)
    #: ``[{"number", "title", "date", "issuer"}]``
    legal_basis: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    where_to_submit: Mapped[str] = mapped_column(Text, default="")
    online_url: Mapped[str | None] = mapped_column(String(500))
    keywords: Mapped[list[str]] = mapped_column(JSON, default=list)
    #: folded name, keywords and the rest (see ``text.fold``): what the full-text indexes
    #: cover — SQLite's FTS5 table through triggers, PostgreSQL's generated ``search_vector``
    search_name: Mapped[str] = mapped_column(Text, default="")
    search_keywords: Mapped[str] = mapped_column(Text, default="")
    search_body: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    #: set when the procedure is withdrawn; retired procedures are kept but not listed
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Bundle(Provenance, Model):
    """A linked service (dịch vụ công liên thông): several procedures done as one."""

    __tablename__ = "public_services_bundles"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(500))
    name_en: Mapped[str | None] = mapped_column(String(500))
    description: Mapped[str] = mapped_column(Text, default="")
    #: a linked service the government publishes (true), or a grouping of this project's own
    official: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    steps: Mapped[list[BundleStep]] = relationship(
        order_by="BundleStep.position", cascade="all, delete-orphan", lazy="selectin"
    )
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class BundleStep(Model):
    """One procedure of a bundle, at its position in the order they are done."""

    __tablename__ = "public_services_bundle_steps"
    __table_args__ = (UniqueConstraint("bundle_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    bundle_id: Mapped[int] = mapped_column(
        ForeignKey("public_services_bundles.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    procedure_id: Mapped[int] = mapped_column(
        ForeignKey("public_services_procedures.id"), index=True
    )
    procedure: Mapped[Procedure] = relationship(lazy="joined")


class Office(Provenance, Model):
    """A place that receives dossiers: the provincial centre or a commune's centre."""

    __tablename__ = "public_services_offices"
    __table_args__ = (Index("ix_public_services_offices_position", "latitude", "longitude"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(300))
    #: ``province_centre`` or ``commune_centre``
    kind: Mapped[str] = mapped_column(String(30))
    address: Mapped[str] = mapped_column(String(500))
    ward_code: Mapped[int | None] = mapped_column(Integer, index=True)
    latitude: Mapped[float] = mapped_column(Float)
    longitude: Mapped[float] = mapped_column(Float)
    #: the coordinates locate the commune, not the building's door
    coordinates_approximate: Mapped[bool] = mapped_column(default=False)
    opening_hours: Mapped[str] = mapped_column(String(300), default="")
    phone: Mapped[str] = mapped_column(String(60), default="")
    #: the agency whose staff manage it; none: the province
    agency_code: Mapped[str | None] = mapped_column(String(32), index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class SearchStat(Model):
    """How often a folded query was searched on a day, and how many results it last had.

    One row per query and day (not per search) keeps the log small; rows older than the
    retention are pruned.
    """

    __tablename__ = "public_services_search_stats"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    query: Mapped[str] = mapped_column(String(200), primary_key=True)
    searches: Mapped[int] = mapped_column(Integer, default=0)
    results: Mapped[int] = mapped_column(Integer, default=0)


class SearchClient(Model):
    """That a client searched a folded query on a day: a search counts once per client and
    day, and the IOC sees a query only when several clients asked it. ``client`` is a digest
    keyed with the app's secret and the day: no address or citizen is stored, and one day's
    digests cannot be linked to another's."""

    __tablename__ = "public_services_search_clients"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    query: Mapped[str] = mapped_column(String(200), primary_key=True)
    client: Mapped[str] = mapped_column(String(32), primary_key=True)


class Lookup(Model):
    """How many clients opened a procedure in an hour (each once a day, see
    :class:`LookupClient`): the monthly report's "procedures looked up". Hours, not days,
    so a month can be cut at the province's midnight; the rows are kept for the reports."""

    __tablename__ = "public_services_lookups"

    hour: Mapped[datetime] = mapped_column(UTCDateTime, primary_key=True)
    procedure_id: Mapped[int] = mapped_column(
        ForeignKey("public_services_procedures.id", ondelete="CASCADE"), primary_key=True
    )
    lookups: Mapped[int] = mapped_column(Integer, default=0)


class LookupClient(Model):
    """That a client opened a procedure on a (UTC) day, as :class:`SearchClient` is for
    searches: a digest, pruned once the day is over."""

    __tablename__ = "public_services_lookup_clients"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    procedure_id: Mapped[int] = mapped_column(
        ForeignKey("public_services_procedures.id", ondelete="CASCADE"), primary_key=True
    )
    client: Mapped[str] = mapped_column(String(32), primary_key=True)
