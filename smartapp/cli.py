"""The ``smartapp`` console script: a Flask command group over :func:`create_app`.

Core groups (``db``, ``plugins``, ``staff``, ``demo``, ``worker``: :mod:`smartapp.commands`)
come with the app; each plugin may add its own group under its slug
(``smartapp public-services import FILE``).
"""

from __future__ import annotations

import os
from typing import Any

import click
from flask import Flask, has_app_context
from flask.cli import (
    AppGroup,
    NoAppException,
    ScriptInfo,
    routes_command,
    run_command,
    shell_command,
)

from smartapp.app import create_app
from smartapp.config import ConfigurationError


def _create_app() -> Flask:
    try:
        return create_app()
    except ConfigurationError as error:  # one line, not a traceback
        raise click.ClickException(str(error)) from None


class SmartappGroup(AppGroup):
    """Flask's ``run``, ``shell`` and ``routes``, then the app's own commands.

    Built from Flask's public parts rather than ``FlaskGroup``, because ``FlaskGroup`` adds
    every ``flask.commands`` entry point, and no option turns that off: Flask-Migrate's ``db``
    would shadow ours, which migrates the core *and* every plugin."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        for command in (run_command, shell_command, routes_command):
            self.add_command(command)

    def make_context(
        self,
        info_name: str | None,
        args: list[str],
        parent: click.Context | None = None,
        **extra: Any,
    ) -> click.Context:
        os.environ["FLASK_RUN_FROM_CLI"] = "true"  # what FlaskGroup sets: app.run() is a no-op
        extra.setdefault(
            "obj",
            ScriptInfo(create_app=_create_app, set_debug_flag=False, load_dotenv_defaults=False),
        )
        return super().make_context(info_name, args, parent=parent, **extra)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        command = super().get_command(ctx, name)
        if command is not None:
            return command
        try:
            app = ctx.ensure_object(ScriptInfo).load_app()
        except NoAppException as error:
            click.secho(f"Error: {error.format_message()}\n", err=True, fg="red")
            return None
        # Like FlaskGroup: plugin commands may rely on an app context without asking for one.
        if not has_app_context():
            ctx.with_resource(app.app_context())
        return app.cli.get_command(ctx, name)

    def list_commands(self, ctx: click.Context) -> list[str]:
        names = set(super().list_commands(ctx))
        try:
            names.update(ctx.ensure_object(ScriptInfo).load_app().cli.list_commands(ctx))
        except click.ClickException as error:  # a bad configuration: say so, list the rest
            click.secho(f"Error: {error.format_message()}\n", err=True, fg="red")
        return sorted(names)


@click.group(cls=SmartappGroup)
@click.version_option(package_name="smartapp")
def main() -> None:
    """smartapp: the citizen super-app backend."""
