"""Push notifications: devices, topics, campaigns, dispatch, the citizens' inbox."""

from smartapp.notifications.inbox import notify
from smartapp.notifications.setup import init_app

__all__ = ["init_app", "notify"]
