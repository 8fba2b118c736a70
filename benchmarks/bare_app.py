"""The baseline of the catalog benchmark: a bare Flask JSON endpoint, ``bare_app:app``.

It answers ``GET /api/v1/utilities`` with the JSON document in ``BARE_PAYLOAD_FILE`` (the
catalog's own response, saved by ``catalog.py``), serialized by Flask on every request the
way a plain ``return {...}`` view is: no argument parsing, no negotiation, no extension.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from flask import Flask

payload = json.loads(Path(os.environ["BARE_PAYLOAD_FILE"]).read_text(encoding="utf-8"))

app = Flask(__name__)
app.json.ensure_ascii = False  # type: ignore[attr-defined]  # same bytes as the catalog
app.json.sort_keys = False  # type: ignore[attr-defined]


@app.get("/api/v1/utilities")
def utilities() -> dict[str, Any]:
    return payload
