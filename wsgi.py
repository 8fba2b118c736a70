"""``gunicorn wsgi:app``: the app for WSGI servers, configured from the environment."""

from smartapp import create_app

app = create_app()
