"""Where photo files live, behind an interface an operator can replace (object storage,
a shared volume): the rest of the plugin only calls :class:`PhotoStorage`'s methods."""

from __future__ import annotations

import importlib
import os
import tempfile
from pathlib import Path
from typing import Protocol

from flask import Flask, current_app

EXTENSION_KEY = "feedback.storage"


class PhotoStorage(Protocol):
    """Stores photo files by key (``<photo id>.jpg``, ``<photo id>.thumb.jpg``…)."""

    def save(self, key: str, data: bytes) -> None:
        """Write ``data`` under ``key``, whole or not at all."""

    def read(self, key: str) -> bytes:
        """The bytes under ``key``; ``FileNotFoundError`` when there are none."""

    def delete(self, key: str) -> None:
        """Remove ``key``; nothing happens when it is not there."""


class DiskStorage:
    """Files in one folder of the local disk (the default: ``instance/feedback-photos``).
    Several hosts need a shared folder, or another :class:`PhotoStorage`."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, key: str) -> Path:
        if "/" in key or "\\" in key or key.startswith("."):
            raise ValueError(f"not a storage key: {key!r}")
        return self.root / key

    def save(self, key: str, data: bytes) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        # a temporary file renamed into place: a reader never sees half a photo
        handle, temporary = tempfile.mkstemp(dir=self.root, prefix=".upload-")
        try:
            with os.fdopen(handle, "wb") as file:
                file.write(data)
            os.replace(temporary, self._path(key))
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    def read(self, key: str) -> bytes:
        return self._path(key).read_bytes()

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)


def init_storage(app: Flask) -> None:
    """The disk under ``SMARTAPP_FEEDBACK_PHOTO_DIR`` (the instance folder by default), or
    what ``SMARTAPP_FEEDBACK_STORAGE=package.module:factory`` builds: ``factory(app)``
    returns the operator's :class:`PhotoStorage`."""
    factory = os.environ.get("SMARTAPP_FEEDBACK_STORAGE")
    if factory:
        module, _, name = factory.partition(":")
        app.extensions[EXTENSION_KEY] = getattr(importlib.import_module(module), name)(app)
        return
    folder = os.environ.get("SMARTAPP_FEEDBACK_PHOTO_DIR")
    root = Path(folder) if folder else Path(app.instance_path) / "feedback-photos"
    app.extensions[EXTENSION_KEY] = DiskStorage(root)


def storage() -> PhotoStorage:
    return current_app.extensions[EXTENSION_KEY]
