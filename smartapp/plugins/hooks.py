"""The hooks: what the core asks of plugins, each a documented method of ``Plugin``.

A hook is a method decorated with :func:`hook` on :class:`smartapp.plugin.Plugin`; a plugin
answers it by overriding the method. ``tests/test_hooks_documented.py`` fails when a hook
has no section in ``docs/plugins.md`` or no ``test_hook_<name>`` test, as Datasette does.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])

HOOK_MARKER = "__smartapp_hook__"


def hook(function: F) -> F:
    """Mark a ``Plugin`` method as a hook the core calls; its docstring is its contract."""
    if not function.__doc__:
        raise TypeError(f"hook {function.__name__} needs a docstring")
    setattr(function, HOOK_MARKER, True)
    return function


def hook_names(plugin_class: type) -> list[str]:
    """Names of every hook declared on ``plugin_class`` and its bases, in declaration order."""
    names: list[str] = []
    for klass in reversed(plugin_class.__mro__):
        for name, value in vars(klass).items():
            if getattr(value, HOOK_MARKER, False) and name not in names:
                names.append(name)
    return names
