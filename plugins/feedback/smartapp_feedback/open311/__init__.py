"""Open311 GeoReport v2 at ``/open311/v2/``: the categories as services, public reports as
service requests, and new reports from outside clients with an administrator's API key."""

from .routes import blp

__all__ = ["blp"]
