"""HTTP routes: what citizens read (``public``) and what staff change (``staff``)."""

from . import public, staff  # noqa: F401  (their routes register on the blueprint)
from .blueprint import blueprint

__all__ = ["blueprint"]
