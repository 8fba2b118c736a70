"""Open311 GeoReport v2 at ``/open311/v2/``: the categories as services, public reports as
service requests, and new reports from outside clients with an administrator's API key."""

from . import admin_routes  # noqa: F401  (adds the key routes to the plugin's blueprint)
from .keys import ApiKey
from .routes import blp

__all__ = ["ApiKey", "blp"]
