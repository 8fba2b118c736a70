"""``gunicorn wsgi:app``: the app for WSGI servers, configured from the environment."""

import sys

from smartapp import create_app
from smartapp.config import ConfigurationError

try:
    app = create_app()
except ConfigurationError as error:  # one line in the server's log, not a traceback
    print(f"smartapp: {error}", file=sys.stderr)
    sys.exit(3)  # gunicorn's "worker failed to boot": it stops instead of retrying forever
