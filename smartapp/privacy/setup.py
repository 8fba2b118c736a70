"""Wiring privacy into the app: the routes, the command group and the periodic sweep."""

from __future__ import annotations

from flask import Flask
from flask_smorest import Api

import smartapp.jobs as jobs
import smartapp.privacy.admin_routes as admin_routes
import smartapp.privacy.routes as routes
from smartapp.identity.citizens import ERASED_ACCOUNTS
from smartapp.privacy.cli import privacy_group
from smartapp.privacy.erasure import erased_since
from smartapp.privacy.tasks import SWEEP_INTERVAL, sweep


def init_app(app: Flask, api: Api) -> None:
    app.extensions[ERASED_ACCOUNTS] = erased_since
    jobs.every(app, SWEEP_INTERVAL, sweep)
    api.register_blueprint(routes.blp)
    api.register_blueprint(admin_routes.blp)
    app.cli.add_command(privacy_group)
