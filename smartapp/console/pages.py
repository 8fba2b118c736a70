"""What a plugin gives the console (see ``Plugin.console_pages``): pages under
``/admin/u/<slug>/``, laid out by the core's templates."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from smartapp.i18n import Localized


@dataclass(frozen=True)
class ConsolePage:
    """One page a plugin adds to the staff console."""

    #: the page's path under ``/admin/u/<slug>/``, with werkzeug converters for its
    #: arguments (``"procedures/<code>"``); ``""`` is the plugin's first page
    path: str
    #: the menu entry and the page's heading, by language (``vi`` required)
    title: Localized
    #: the view: called with the path's arguments, returns what a Flask view returns
    #: (usually ``flask.render_template`` of a template extending ``console/layout.html``);
    #: it runs signed in, CSRF-checked and under the console's CSP, like the core's pages
    view: Callable[..., Any]
    #: who may open it, as for :func:`staff_required`: one of these roles or this
    #: ``"<slug>:<name>"`` permission; neither means any staff; admins always may
    roles: tuple[str, ...] = ()
    permission: str | None = None
    methods: tuple[str, ...] = ("GET",)
    #: listed in the console's menu (pages that need arguments are not)
    in_menu: bool = True

