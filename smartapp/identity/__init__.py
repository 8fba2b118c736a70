"""Citizens (Firebase phone sign-in) and staff (email, password, role), their tokens, and
the audit log of what staff did."""

from smartapp.identity.setup import init_app

__all__ = ["init_app"]
