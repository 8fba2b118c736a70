"""Wiring notifications into the app: the push gateway, the routes, the periodic sweep."""

from __future__ import annotations

import os

from flask import Flask, Response
from flask_smorest import Api

import smartapp.jobs as jobs
import smartapp.notifications.admin_routes as admin_routes
import smartapp.notifications.gateway as gateway
import smartapp.notifications.routes as routes
from smartapp.config import Settings
from smartapp.errors import error_response
from smartapp.notifications.campaigns import CampaignConflict, CampaignNotFound, NotAllowed
from smartapp.notifications.cli import notify_group
from smartapp.notifications.devices import DeviceNotFound
from smartapp.notifications.fcm import FcmGateway
from smartapp.notifications.inbox import NotFound
from smartapp.notifications.interests import InterestNotFound
from smartapp.notifications.tasks import SWEEP_INTERVAL, sweep
from smartapp.notifications.topics import TooManyTopics


def _not_found(error: LookupError) -> Response:
    return error_response(404)


def _conflict(error: CampaignConflict) -> Response:
    return error_response(409, str(error))


def _not_allowed(error: NotAllowed) -> Response:
    return error_response(403, str(error))


def _too_many_topics(error: TooManyTopics) -> Response:
    return error_response(422, errors={"interests": [str(error)]})


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
    for error in (DeviceNotFound, NotFound, InterestNotFound, CampaignNotFound):
        app.register_error_handler(error, _not_found)
    app.register_error_handler(CampaignConflict, _conflict)
    app.register_error_handler(NotAllowed, _not_allowed)
    app.register_error_handler(TooManyTopics, _too_many_topics)
