"""Wiring notifications into the app: the push gateway, the routes, the periodic sweep."""

from __future__ import annotations

from flask import Flask
from flask_smorest import Api

from smartapp import jobs
from smartapp.config import Settings
from smartapp.notifications import gateway
from smartapp.notifications.tasks import SWEEP_INTERVAL, sweep


def init_app(app: Flask, api: Api, settings: Settings) -> None:
    gateway.init_app(app, settings)
    jobs.every(app, SWEEP_INTERVAL, sweep)
