"""Places accepting cashless payment, agencies' fee accounts and fee items, how-to guides,
and the count of VietQR codes generated (the IOC's figure)."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from sqlalchemy import (
    Boolean,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from smartapp.plugin import Model, UTCDateTime, utcnow

#: Vietnam's time (no daylight saving): verification days and the IOC's months are local
VIETNAM = timezone(timedelta(hours=7), "ICT")

#: what kind of place it is, for the app's filter chips
CATEGORIES = (
    "market",
    "shop",
    "supermarket",
    "restaurant",
    "hospital",
    "pharmacy",
    "school",
    "public_administration",
    "utility",
    "transport",
    "fuel",
    "other",
)
#: how a place accepts payment without cash
METHODS = ("vietqr", "card", "momo", "zalopay", "vnpay", "viettel_money")
SERVICES = ("account", "card")


class Place(Model):
    """A place accepting cashless payment."""

    __tablename__ = "payments_places"
    __table_args__ = (Index("ix_payments_places_position", "latitude", "longitude"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: the source's identifier (``TN-CHO-LONG-HOA``): importing a file again updates by code
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    category: Mapped[str] = mapped_column(String(40), index=True)
    ward_code: Mapped[int] = mapped_column(Integer, index=True)
    address: Mapped[str] = mapped_column(String(300), default="")
    latitude: Mapped[float] = mapped_column(Float)
    longitude: Mapped[float] = mapped_column(Float)
    #: free text as the place posts it, e.g. ``"T2–T7 7:00–17:00"``
    opening_hours: Mapped[str] = mapped_column(String(200), default="")
    phone: Mapped[str] = mapped_column(String(40), default="")
    #: the day someone last checked what the place accepts
    verified_on: Mapped[date] = mapped_column(Date)
    #: made up for demonstrations (``smartapp demo seed``), not a real place
    demo: Mapped[bool] = mapped_column(Boolean, default=False)
    #: the folded name and address (see ``text.fold``) that ``q`` searches
    search_text: Mapped[str] = mapped_column(Text, default="")
    methods: Mapped[list[PlaceMethod]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="PlaceMethod.method"
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    #: set when the place no longer accepts cashless payment or closed; kept, not listed
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def method_names(self) -> list[str]:
        return [m.method for m in self.methods]


class PlaceMethod(Model):
    """One way a place accepts payment: a row each, so the method filter uses an index."""

    __tablename__ = "payments_place_methods"

    place_id: Mapped[int] = mapped_column(
        ForeignKey("payments_places.id", ondelete="CASCADE"), primary_key=True
    )
    method: Mapped[str] = mapped_column(String(30), primary_key=True, index=True)


class FeeAccount(Model):
    """An agency's account collecting fees (tài khoản thu phí, lệ phí)."""

    __tablename__ = "payments_fee_accounts"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: the agency code staff accounts are bound to (``agency_staff``)
    agency_code: Mapped[str] = mapped_column(String(32), index=True)
    agency_name: Mapped[str] = mapped_column(String(300))
    bank_bin: Mapped[str] = mapped_column(String(6))
    account_number: Mapped[str] = mapped_column(String(19))
    #: ``account`` or ``card`` (the VietQR service)
    service: Mapped[str] = mapped_column(String(10), default="account")
    #: the holder's name as the bank shows it, e.g. ``KHO BAC NHA NUOC TAY NINH``
    account_name: Mapped[str] = mapped_column(String(200))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class FeeItem(Model):
    """A fee or charge (phí, lệ phí) paid into a fee account, optionally of a procedure of
    the ``public-services`` catalog."""

    __tablename__ = "payments_fee_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(300))
    name_en: Mapped[str | None] = mapped_column(String(300))
    #: fixed amount in đồng; ``None`` when it depends on the case (the payer types it)
    amount_vnd: Mapped[int | None] = mapped_column(Integer)
    #: the national catalog's procedure code (``public-services``), when it is a procedure's
    procedure_code: Mapped[str | None] = mapped_column(String(40), index=True)
    fee_account_id: Mapped[int] = mapped_column(ForeignKey("payments_fee_accounts.id"), index=True)
    fee_account: Mapped[FeeAccount] = relationship(lazy="joined")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Guide(Model):
    """A short how-to article, in Vietnamese and (optionally) English."""

    __tablename__ = "payments_guides"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    title_vi: Mapped[str] = mapped_column(String(200))
    title_en: Mapped[str | None] = mapped_column(String(200))
    body_vi: Mapped[str] = mapped_column(Text)
    body_en: Mapped[str | None] = mapped_column(Text)
    position: Mapped[int] = mapped_column(Integer, default=100)
    #: folded titles and bodies in both languages, what the search hook matches
    search_text: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class QRCount(Model):
    """How many VietQR codes were generated for an agency's accounts in a month (``""``:
    accounts of no agency). One row per agency and month, incremented by an upsert."""

    __tablename__ = "payments_qr_counts"

    agency_code: Mapped[str] = mapped_column(String(32), primary_key=True)
    #: ``YYYY-MM`` in Vietnam's time
    month: Mapped[str] = mapped_column(String(7), primary_key=True)
    codes: Mapped[int] = mapped_column(Integer, default=0)
