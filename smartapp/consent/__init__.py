"""The versioned privacy notice and the citizens' consent to it: what the notice says, who
agreed to which version, and the check a data-collecting action makes first.

Below notifications and the plugins (which call :func:`require_consent`); the citizen-facing
flow around it (withdrawal's effects, export, erasure) is :mod:`smartapp.privacy`."""

from smartapp.consent.services import ConsentRequired, consent_allows, require_consent

__all__ = ["ConsentRequired", "consent_allows", "require_consent"]
