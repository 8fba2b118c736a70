"""A plugin whose model breaks the table-prefix rule: it must load as ``invalid``."""

from sqlalchemy.orm import Mapped, mapped_column

from smartapp.plugin import Model, Plugin


class Misnamed(Model):
    __tablename__ = "misnamed_things"

    id: Mapped[int] = mapped_column(primary_key=True)


class BadTablesPlugin(Plugin):
    slug = "bad-tables"
    version = "1.0"
    core_requires = ">=0.1"
    title = {"vi": "Bảng sai tên"}
