"""The hooks: what the core asks of plugins, each a documented method of ``Plugin``.

A hook is a method decorated with :func:`hook` on :class:`smartapp.plugins.base.Plugin` (its
*spec*); a plugin answers it by overriding the method. As pluggy does with its hook
implementations, the registry checks every override when the plugin registers
(:func:`hook_problems`; a mismatch makes the plugin ``invalid``) and calls it by keyword with
only the parameters it declares (:func:`declared_arguments`), so a hook can gain a parameter
without breaking the plugins written before it.

An override is found by its name alone, so a misspelt hook (``tile_badges``) would silently
never be called, and public methods that are not hooks are allowed (a plugin's offer to
others, found with ``get_plugin``). The rule: a public method whose name is close to a hook's
(:func:`unknown_hooks`, :mod:`difflib`'s ratio of at least 0.75) is a mistake. Plugin tests
catch it with ``smartapp.testing.check_plugin`` (the scaffold's tests call it); registration
does not, so a plugin is never turned off at run time for a name.

``tests/test_hooks_documented.py`` fails when a hook has no section in ``docs/plugins.md`` or
no ``test_hook_<name>`` test, as Datasette does.
"""

from __future__ import annotations

import difflib
import functools
import inspect
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])

HOOK_MARKER = "__smartapp_hook__"
#: how alike (difflib's ratio) a method's name and a hook's must be to call it a misspelling
SIMILAR = 0.75
_NAMED = (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)
_POSITIONAL = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)


def hook(function: F) -> F:
    """Mark a ``Plugin`` method as a hook the core calls; its docstring is its contract."""
    if not function.__doc__:
        raise TypeError(f"hook {function.__name__} needs a docstring")
    setattr(function, HOOK_MARKER, True)
    return function


def hook_specs(plugin_class: type) -> dict[str, Callable[..., Any]]:
    """Every hook declared on ``plugin_class`` and its bases, by name, in declaration order:
    the decorated definition, whatever overrides it."""
    specs: dict[str, Callable[..., Any]] = {}
    for klass in reversed(plugin_class.__mro__):
        for name, value in vars(klass).items():
            if getattr(value, HOOK_MARKER, False) and name not in specs:
                specs[name] = value
    return specs


def hook_names(plugin_class: type) -> list[str]:
    """Names of every hook declared on ``plugin_class`` and its bases, in declaration order."""
    return list(hook_specs(plugin_class))


@functools.cache
def declared_arguments(function: Callable[..., Any]) -> tuple[str, ...]:
    """The parameters a hook method takes by name, after ``self``."""
    return tuple(inspect.signature(function).parameters)[1:]


def call_override(plugin: object, name: str, arguments: Mapping[str, Any]) -> Any:
    """Call ``plugin``'s hook ``name`` by keyword, with the ``arguments`` it declares."""
    function = getattr(type(plugin), name)
    return function(plugin, **{key: arguments[key] for key in declared_arguments(function)})


def unknown_hooks(plugin_class: type, base: type) -> list[str]:
    """Public methods of ``plugin_class`` (a subclass of ``base``, which declares the hooks)
    named like a hook without being one, each with the hook it resembles."""
    specs = list(hook_specs(base))
    found: list[str] = []
    for klass in plugin_class.__mro__:
        if klass is base or not issubclass(klass, base):
            continue
        for name, value in vars(klass).items():
            if name.startswith("_") or name in specs or not _is_method(value):
                continue
            close = difflib.get_close_matches(name, specs, n=1, cutoff=SIMILAR)
            if close:
                found.append(f"{name}() is not a hook: did you mean {close[0]}()?")
    return found


def hook_problems(plugin_class: type, base: type) -> list[str]:
    """Why the overrides of ``plugin_class`` (a subclass of ``base``, which declares the
    hooks) do not fit their hook specs; empty when they all do."""
    specs = hook_specs(base)
    problems: list[str] = []
    for name, spec in specs.items():
        override = inspect.getattr_static(plugin_class, name)
        if override is spec:
            continue
        if not inspect.isfunction(override):
            problems.append(f"{name} must be a method, like the hook it overrides")
            continue
        problems.extend(_signature_problems(name, spec, override))
    return problems


def _is_method(value: object) -> bool:
    return inspect.isfunction(value) or isinstance(value, classmethod | staticmethod)


def _signature_problems(
    name: str, spec: Callable[..., Any], override: Callable[..., Any]
) -> list[str]:
    offered = declared_arguments(spec)
    parameters = list(inspect.signature(override).parameters.values())
    if not parameters or parameters[0].kind not in _POSITIONAL:
        return [f"{name}() must take self first"]
    problems = []
    for parameter in parameters[1:]:
        if parameter.kind not in _NAMED:
            problems.append(
                f"{name}() declares {parameter}: hooks pass named arguments "
                f"only ({', '.join(offered) or 'none'})"
            )
        elif parameter.name not in offered:
            problems.append(
                f"{name}() takes {parameter.name!r}, which the hook does not "
                f"pass (it passes: {', '.join(offered) or 'nothing'})"
            )
    return problems
