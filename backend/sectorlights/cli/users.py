"""`sectorlights users`: the API users that SECTORLIGHTS_AUTH=required lets in."""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime

from sectorlights.cli.common import (
    Commands,
    add_command,
    add_group,
    add_json_flag,
    migrated_database,
    print_json,
)
from sectorlights.settings import ConfigurationError, Settings


def register(commands: Commands) -> None:
    user_commands = add_group(
        commands,
        "users",
        "API users (for SECTORLIGHTS_AUTH=required)",
        "Manage the API users: with SECTORLIGHTS_AUTH=required every API call and /ws connection "
        "needs one of their tokens (Authorization: Bearer). The database must be migrated first.",
    )
    add_user = add_command(
        user_commands,
        "add",
        "add a user and print its API token",
        "Add a user and print its API token on stdout. The token is shown only now: only its hash is stored.",
        run_add,
    )
    add_user.add_argument("name", help="1-64 letters, digits, '_', '.' or '-'")
    add_json_flag(add_user, "the user's name and token")
    listing = add_command(
        user_commands, "list", "list the users", "List the users' names, one a line.", run_list
    )
    add_json_flag(listing, "the users' names")
    remove = add_command(
        user_commands,
        "remove",
        "remove a user",
        "Remove a user and its preferences. Its token stops working at once, and its open /ws "
        "connections are closed at the next heartbeat (SECTORLIGHTS_WS_HEARTBEAT_SECS).",
        run_remove,
    )
    remove.add_argument("name", help="the user's name")
    add_json_flag(remove, "the removed user's name")
    rotate = add_command(
        user_commands,
        "rotate",
        "give a user a new API token and print it",
        "Give a user a new API token and print it on stdout (shown only now). The old token stops "
        "working at once, and the user's open /ws connections are closed at the next heartbeat.",
        run_rotate,
    )
    rotate.add_argument("name", help="the user's name")
    add_json_flag(rotate, "the user's name and new token")


def _issue_token(settings: Settings, arguments: argparse.Namespace, command: str, issued: str) -> int:
    """`users add` and `users rotate`: a new token for the user, printed once (stderr says `issued`)."""
    from sectorlights.storage.users import UserError, UserStore

    name: str = arguments.name
    with migrated_database(settings) as engine:
        store = UserStore(engine)
        try:
            token = store.add(name, datetime.now(UTC)) if command == "add" else store.rotate(name)
        except UserError as error:
            raise ConfigurationError(f"users {command}: {error}") from None
    if arguments.json:
        print_json({"name": name, "token": token})
    else:
        print(token)
    print(f"user {name} {issued}", file=sys.stderr)
    return 0


def run_add(settings: Settings, arguments: argparse.Namespace) -> int:
    return _issue_token(
        settings, arguments, "add", "added; the token is shown only now (send it as Authorization: Bearer)"
    )


def run_list(settings: Settings, arguments: argparse.Namespace) -> int:
    from sectorlights.storage.users import UserStore

    with migrated_database(settings) as engine:
        names = UserStore(engine).names()
    if arguments.json:
        print_json({"users": list(names)})
    else:
        for name in names:
            print(name)
    return 0


def run_remove(settings: Settings, arguments: argparse.Namespace) -> int:
    from sectorlights.storage.users import UserError, UserStore

    name: str = arguments.name
    with migrated_database(settings) as engine:
        try:
            UserStore(engine).remove(name)
        except UserError as error:
            raise ConfigurationError(f"users remove: {error}") from None
    if arguments.json:
        print_json({"removed": name})
    print(f"user {name} removed; its token no longer works", file=sys.stderr)
    return 0


def run_rotate(settings: Settings, arguments: argparse.Namespace) -> int:
    return _issue_token(
        settings, arguments, "rotate", "has a new token, shown only now; the old one no longer works"
    )
