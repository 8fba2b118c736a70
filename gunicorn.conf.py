"""gunicorn's configuration for smartapp: ``gunicorn -c gunicorn.conf.py`` (docs/operations.md).

Every setting can be overridden on the command line or with ``GUNICORN_CMD_ARGS``.
"""

wsgi_app = "wsgi:app"
bind = "127.0.0.1:8000"
workers = 2  # start at 2 per core; measure
# gunicorn's own error pages (414, 431, 400 for a malformed request) as the JSON envelope
worker_class = "smartapp.server.JSONErrorWorker"
preload_app = True  # a configuration error stops gunicorn at once, with one line
timeout = 30
graceful_timeout = 30
# What a phone app sends fits well within these; they keep a worker from reading megabytes of
# request line or headers (a body is limited by SMARTAPP_MAX_CONTENT_LENGTH).
limit_request_line = 4094
limit_request_fields = 50
limit_request_field_size = 8190
accesslog = "-"
