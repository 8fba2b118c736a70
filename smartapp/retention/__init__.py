"""Retention: each kind of data is kept for a configured period, then a scheduled job
removes it, aggregating the figures it feeds first."""

from smartapp.retention.setup import init_app

__all__ = ["init_app"]
