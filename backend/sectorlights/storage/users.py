"""API users (tokens kept only as SHA-256) and their preferences, on SQLite or PostgreSQL."""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import Engine, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from sectorlights.domain.preferences import Preferences
from sectorlights.storage.reference_store import upsert_statement
from sectorlights.storage.tables import user_preferences, users

USER_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
TOKEN_BYTES = 32


class UserError(ValueError):
    """A user cannot be added, removed or rotated; the message names the problem."""


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class UserStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def add(self, name: str, now: datetime) -> str:
        """Create a user and return its new token (shown once; only its digest is stored)."""
        if not USER_NAME.match(name):
            raise UserError(
                f"user name {name!r}: use 1-64 letters, digits, '_', '.' or '-', "
                "starting with a letter or digit"
            )
        token = secrets.token_urlsafe(TOKEN_BYTES)
        try:
            with self.engine.begin() as connection:
                connection.execute(
                    insert(users).values(name=name, token_sha256=token_digest(token), created_at=now)
                )
        except IntegrityError:
            raise UserError(f"user {name!r} already exists") from None
        return token

    def authenticate(self, token: str) -> str | None:
        """The user whose token this is, or None."""
        with self.engine.connect() as connection:
            found = connection.execute(
                select(users.c.name).where(users.c.token_sha256 == token_digest(token))
            ).scalar_one_or_none()
        return found

    def remove(self, name: str) -> None:
        """Delete the user and its preferences; its token stops working at once."""
        with self.engine.begin() as connection:
            connection.execute(delete(user_preferences).where(user_preferences.c.user_name == name))
            removed = connection.execute(delete(users).where(users.c.name == name)).rowcount
        if not removed:
            raise UserError(f"no user {name!r}")

    def rotate(self, name: str) -> str:
        """Give the user a new token and return it (shown once); the old one stops working at once."""
        token = secrets.token_urlsafe(TOKEN_BYTES)
        with self.engine.begin() as connection:
            updated = connection.execute(
                update(users).where(users.c.name == name).values(token_sha256=token_digest(token))
            ).rowcount
        if not updated:
            raise UserError(f"no user {name!r}")
        return token

    def token_digests(self, names: Iterable[str]) -> dict[str, str]:
        """The current token digest of each of `names` that still exists."""
        wanted = sorted(set(names))
        if not wanted:
            return {}
        with self.engine.connect() as connection:
            rows = connection.execute(
                select(users.c.name, users.c.token_sha256).where(users.c.name.in_(wanted))
            ).all()
        return {str(name): str(digest) for name, digest in rows}

    def names(self) -> list[str]:
        with self.engine.connect() as connection:
            return list(connection.execute(select(users.c.name).order_by(users.c.name)).scalars())

    def preferences(self, user: str) -> Preferences:
        """The user's preferences, the defaults until they save some."""
        with self.engine.connect() as connection:
            stored = connection.execute(
                select(user_preferences.c.preferences).where(user_preferences.c.user_name == user)
            ).scalar_one_or_none()
        if stored is None:
            return Preferences()
        # Saved before the list was bounded: its repeats are dropped (what is left fits the bound).
        runs = stored.get("scheduled_runs")
        if isinstance(runs, list):
            stored = {**stored, "scheduled_runs": list(dict.fromkeys(runs))}
        return Preferences.model_validate(stored)

    def save_preferences(self, user: str, preferences: Preferences, now: datetime) -> Preferences:
        statement = upsert_statement(
            self.engine, user_preferences, ["user_name"], ("preferences", "updated_at")
        )
        with self.engine.begin() as connection:
            connection.execute(
                statement,
                [{"user_name": user, "preferences": preferences.model_dump(mode="json"), "updated_at": now}],
            )
        return preferences
