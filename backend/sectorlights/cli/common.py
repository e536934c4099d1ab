"""What the commands share: registering a subcommand, the configuration exit code, JSON on stdout and
the database a command opens."""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, TypeAlias

from sectorlights.settings import ConfigurationError, Settings
from sectorlights.storage.database import (
    create_database_engine,
    current_revision,
    describe_url,
    head_revision,
    migration_state,
)

if TYPE_CHECKING:
    from sqlalchemy import Engine

# argparse's own exit code for bad input: a bad setting is bad input too.
EXIT_CONFIGURATION = 2

Handler = Callable[[Settings, argparse.Namespace], int]
# argparse has no public name for what add_subparsers returns; a string alias keeps it out of runtime.
Commands: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"


def add_command(
    commands: Commands, name: str, summary: str, description: str, handler: Handler | None = None
) -> argparse.ArgumentParser:
    """A subcommand with its one-line `summary` (in the parent's help) and its own `description`."""
    parser = commands.add_parser(name, help=summary, description=description)
    if handler is not None:
        parser.set_defaults(handler=handler)
    return parser


def add_group(commands: Commands, name: str, summary: str, description: str) -> Commands:
    """A subcommand that only groups others (`users add`, `data check`); returns where they go."""
    group = add_command(commands, name, summary, description)
    return group.add_subparsers(dest=f"{name}_command", required=True)


def add_json_flag(parser: argparse.ArgumentParser, what: str) -> None:
    parser.add_argument(
        "--json", action="store_true", help=f"print {what} as one JSON document on stdout (nothing else)"
    )


def print_json(document: object) -> None:
    print(json.dumps(document, indent=2))


def require_migrated(settings: Settings, engine: Engine) -> None:
    """ConfigurationError naming the database when it is not at the head revision."""
    revision = current_revision(engine)
    if migration_state(revision) == "pending":
        raise ConfigurationError(
            f"configuration error: database {describe_url(settings.database.effective_url)} is at "
            f"revision {revision or 'none'}, expected {head_revision()}: run `sectorlights migrate`"
        )


@contextmanager
def migrated_database(settings: Settings) -> Iterator[Engine]:
    """The configured database, refused unless migrated; disposed afterwards."""
    engine = create_database_engine(settings.database.effective_url)
    try:
        require_migrated(settings, engine)
        yield engine
    finally:
        engine.dispose()
