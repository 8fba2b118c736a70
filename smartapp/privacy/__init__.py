"""The citizens' personal-data rights: consent to the notice's versions and its effects, the
export of everything held about a citizen, and their erasure (``docs/privacy.md``)."""

from smartapp.privacy.setup import init_app

__all__ = ["init_app"]
