"""What administrators change about plugins at run time, stored so every worker sees it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from smartapp.extensions import Base, UTCDateTime, utcnow


class PluginSetting(Base):
    """One row per plugin an administrator has touched; absent rows mean the defaults."""

    __tablename__ = "plugin_settings"

    slug: Mapped[str] = mapped_column(String(64), primary_key=True)
    enabled: Mapped[bool] = mapped_column(default=True)
    #: tile position override; ``None`` keeps the plugin's declared ``position``
    position: Mapped[int | None] = mapped_column(Integer)
    #: ward codes the utility is limited to; ``None`` means the whole province
    ward_codes: Mapped[list[int] | None] = mapped_column(JSON)
    #: values of the plugin's ``settings_schema``, as last saved by an administrator
    values: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
