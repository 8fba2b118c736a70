"""Every hook is documented and tested (Datasette's rule): each hook of ``Plugin`` has a
``### <name>`` section under ``## Hooks`` in ``docs/plugins.md`` and a ``test_hook_<name>``
test function somewhere under ``tests/``; and the docs describe no hook that does not exist."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from smartapp.plugin import Plugin
from smartapp.plugins.hooks import hook_names

TESTS = Path(__file__).resolve().parent
PLUGINS_DOC = TESTS.parent / "docs" / "plugins.md"
HOOKS = hook_names(Plugin)


def documented_hooks() -> list[str]:
    """The ``### `` headings of the ``## Hooks`` section, in order."""
    section = re.search(
        r"^## Hooks\s*$(.*?)(?=^## |\Z)",
        PLUGINS_DOC.read_text(encoding="utf-8"),
        re.MULTILINE | re.DOTALL,
    )
    assert section, f"{PLUGINS_DOC} has no '## Hooks' section"
    return re.findall(r"^### `?(\w+)`?\s*$", section.group(1), re.MULTILINE)


def function_names() -> set[str]:
    """Names of the functions (module level, nested or in classes) of every test file."""
    names: set[str] = set()
    for path in TESTS.rglob("test_*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        names.update(
            node.name
            for node in ast.walk(tree)
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        )
    return names


def test_there_are_hooks():
    assert "setup" in HOOKS and len(HOOKS) == len(set(HOOKS))


@pytest.mark.parametrize("name", HOOKS)
def test_hook_is_documented(name):
    assert name in documented_hooks(), f"docs/plugins.md needs a '### {name}' under '## Hooks'"


@pytest.mark.parametrize("name", HOOKS)
def test_hook_is_tested(name):
    assert f"test_hook_{name}" in function_names(), f"no test function test_hook_{name}"


def test_documented_hooks_exist_once_each():
    documented = documented_hooks()
    assert sorted(documented) == sorted(set(documented)), "a hook is documented twice"
    assert set(documented) <= set(HOOKS), f"not hooks: {set(documented) - set(HOOKS)}"
