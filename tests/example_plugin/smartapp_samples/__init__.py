"""Small plugins the core's tests share: a healthy one, and ones that fail to load."""

from flask import Flask

from smartapp.plugin import Blueprint, Plugin


class HealthyPlugin(Plugin):
    """Healthy"""

    slug = "healthy"
    version = "0.3.0"
    core_requires = ">=0.1"
    title = {"vi": "Khỏe mạnh", "en": "Healthy"}


class FromTheFuturePlugin(Plugin):
    slug = "from-the-future"
    version = "1.0"
    core_requires = ">=99"
    title = {"vi": "Tương lai"}


class BrokenSetupPlugin(Plugin):
    slug = "broken-setup"
    version = "1.0"
    core_requires = ">=0.1"
    title = {"vi": "Hỏng"}
    blueprint = Blueprint("broken_setup", __name__)

    def setup(self, app: Flask) -> None:
        raise RuntimeError("the agency's API key is missing")
