"""Wiring notifications into the app: the push gateway, the routes, the periodic sweep."""

from __future__ import annotations

import os

from flask import Flask
from flask_smorest import Api

import smartapp.jobs as jobs
import smartapp.notifications.admin_routes as admin_routes
import smartapp.notifications.gateway as gateway
import smartapp.notifications.routes as routes
from smartapp.config import Settings
from smartapp.notifications.cli import notify_group
from smartapp.notifications.fcm import FcmGateway
from smartapp.notifications.tasks import SWEEP_INTERVAL, sweep


def _push_gateway(settings: Settings) -> gateway.PushGateway:
    # Sending needs a service account (GOOGLE_APPLICATION_CREDENTIALS, as for firebase-admin
    # in smartapp.firebase); a project without one only verifies sign-ins.
    credentials = settings.firebase_project_id and os.environ.get("GOOGLE_APPLICATION_CREDENTIALS")
    if settings.fcm_emulator_host or credentials:
        return FcmGateway.from_settings(settings)
    return gateway.LoggingPushGateway()


def init_app(app: Flask, api: Api, settings: Settings) -> None:
    app.extensions["smartapp.push"] = _push_gateway(settings)
    jobs.every(app, SWEEP_INTERVAL, sweep)
    api.register_blueprint(routes.blp)
    api.register_blueprint(admin_routes.blp)
    app.cli.add_command(notify_group)
