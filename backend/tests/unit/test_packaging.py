"""The package stands on its own: every third-party import is a declared dependency, the hashed
lock files pin what pyproject.toml declares, and the version has one source."""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from collections.abc import Iterable, Mapping
from importlib.metadata import packages_distributions, version
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

import sectorlights
from sectorlights.api.app import create_app
from sectorlights.settings import Settings

BACKEND = Path(__file__).resolve().parents[2]
PACKAGE = BACKEND / "sectorlights"
PYPROJECT = tomllib.loads((BACKEND / "pyproject.toml").read_text(encoding="utf-8"))
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)", re.MULTILINE)


def imported_top_level_modules(source: str) -> set[str]:
    """Absolute imports' top-level names (relative imports stay inside the package)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def undeclared_imports(
    sources: Iterable[str], declared: set[str], distributions_of: Mapping[str, list[str]]
) -> list[str]:
    """Third-party modules imported whose distribution is not among `declared` (canonical names)."""
    modules: set[str] = set()
    for source in sources:
        modules |= imported_top_level_modules(source)
    third_party = modules - set(sys.stdlib_module_names) - {"__future__", "sectorlights"}
    return sorted(
        module
        for module in third_party
        if not {canonicalize_name(dist) for dist in distributions_of.get(module, [module])} & declared
    )


def declared(requirements: Iterable[str]) -> set[str]:
    return {canonicalize_name(Requirement(line).name) for line in requirements}


def pins(lock: Path) -> dict[str, str]:
    return {canonicalize_name(name): pinned for name, pinned in PIN.findall(lock.read_text(encoding="utf-8"))}


RUNTIME = PYPROJECT["project"]["dependencies"]
DEV = PYPROJECT["project"]["optional-dependencies"]["dev"]


@pytest.mark.parametrize(
    ("source", "declared_names", "expected"),
    [
        ("import numpy\nimport os", {"numpy"}, []),
        ("import pandas.api.types", {"numpy"}, ["pandas"]),
        ("from pydantic_settings import BaseSettings", {"pydantic-settings"}, []),
        ("from mcp_types import TextContent", {"mcp"}, ["mcp_types"]),
        ("from . import sibling\nfrom sectorlights.core import x", set(), []),
        ("from __future__ import annotations\nimport json, asyncio", set(), []),
        ("def f():\n    import starlette.types", {"fastapi"}, ["starlette"]),
    ],
)
def test_undeclared_import_scan(source: str, declared_names: set[str], expected: list[str]) -> None:
    distributions = {"pydantic_settings": ["pydantic-settings"], "mcp_types": ["mcp-types"]}
    assert undeclared_imports([source], declared_names, distributions) == expected


def test_every_third_party_import_of_the_package_is_a_runtime_dependency() -> None:
    sources = (path.read_text(encoding="utf-8") for path in sorted(PACKAGE.rglob("*.py")))
    missing = undeclared_imports(sources, declared(RUNTIME), packages_distributions())
    assert missing == [], f"imported but not in [project] dependencies of pyproject.toml: {missing}"


@pytest.mark.parametrize(
    ("lock", "requirements"),
    [("requirements.lock", RUNTIME), ("requirements-dev.lock", RUNTIME + DEV)],
)
def test_lock_pins_every_declared_dependency_within_its_range(lock: str, requirements: list[str]) -> None:
    pinned = pins(BACKEND / lock)
    for line in requirements:
        requirement = Requirement(line)
        name = canonicalize_name(requirement.name)
        assert name in pinned, f"{lock} lacks {name}: run `make lock`"
        assert requirement.specifier.contains(pinned[name], prereleases=True), (
            f"{lock} pins {name}=={pinned[name]} outside {requirement.specifier}: run `make lock`"
        )


def test_every_pin_carries_a_hash() -> None:
    for lock in ("requirements.lock", "requirements-dev.lock"):
        entries = re.split(r"\n(?=[A-Za-z0-9])", (BACKEND / lock).read_text(encoding="utf-8"))
        unhashed = [entry.split()[0] for entry in entries if "==" in entry and "--hash=sha256:" not in entry]
        assert unhashed == [], f"{lock}: {unhashed}"


def test_what_ships_is_what_the_tests_ran() -> None:
    runtime, dev = pins(BACKEND / "requirements.lock"), pins(BACKEND / "requirements-dev.lock")
    assert set(runtime) <= set(dev)
    assert {name: runtime[name] for name in runtime} == {name: dev[name] for name in runtime}


def test_the_version_comes_from_the_package_metadata() -> None:
    # `sectorlights --version` is checked in test_cli_arguments.py.
    expected = version("sectorlights")
    assert sectorlights.__version__ == expected == PYPROJECT["project"]["version"]
    assert create_app(Settings()).version == expected
