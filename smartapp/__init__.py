"""smartapp: the backend of a citizen super-app in which every utility is a plugin."""

__version__ = "0.1.0"

from smartapp.app import create_app

__all__ = ["__version__", "create_app"]
