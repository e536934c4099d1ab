"""Users and preferences, run against SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from pydantic import ValidationError
from sqlalchemy import Engine, select

from sectorlights.domain.preferences import Preferences
from sectorlights.storage.tables import users
from sectorlights.storage.users import UserError, UserStore, token_digest
from tests.samples import AS_OF


def test_add_and_authenticate(database: Engine) -> None:
    store = UserStore(database)
    token = store.add("alice", AS_OF)
    other = store.add("bob.k", AS_OF)
    assert len(token) >= 40 and token != other
    assert store.authenticate(token) == "alice"
    assert store.authenticate(other) == "bob.k"
    assert store.authenticate(token + "x") is None
    assert store.names() == ["alice", "bob.k"]
    with database.connect() as connection:
        stored = connection.execute(select(users.c.token_sha256).where(users.c.name == "alice")).scalar_one()
    assert stored == token_digest(token) and token not in stored


@pytest.mark.parametrize(
    ("name", "message"),
    [("", "user name"), ("-x", "user name"), ("a" * 65, "user name"), ("a b", "user name")],
)
def test_bad_names_are_refused(database: Engine, name: str, message: str) -> None:
    with pytest.raises(UserError, match=message):
        UserStore(database).add(name, AS_OF)


def test_a_name_is_taken_once(database: Engine) -> None:
    store = UserStore(database)
    store.add("alice", AS_OF)
    with pytest.raises(UserError, match="already exists"):
        store.add("alice", AS_OF)


def test_preferences_default_then_saved_per_user(database: Engine) -> None:
    store = UserStore(database)
    assert store.preferences("alice") == Preferences()
    mine = Preferences(freshness_tolerance_hours=1.5, scheduled_runs=["04:00"], intraday_refresh=False)
    store.save_preferences("alice", mine, AS_OF)
    assert store.preferences("alice") == mine
    assert store.preferences("bob") == Preferences()
    changed = mine.model_copy(update={"scheduled_runs": ["04:00", "08:00"]})
    store.save_preferences("alice", changed, AS_OF)
    assert store.preferences("alice").scheduled_runs == ["04:00", "08:00"]


@pytest.mark.parametrize(
    "given",
    [
        {"freshness_tolerance_hours": 0},
        {"freshness_tolerance_hours": 48},
        {"scheduled_runs": ["09:00"]},
        {"theme": "dark"},
    ],
)
def test_bad_preferences_are_refused(given: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        Preferences.model_validate(given)


def test_preferences_saved_before_the_bound_still_read(database: Engine) -> None:
    """A row stored when the list of run times was unbounded (1.2 M repeats) reads back de-duplicated."""
    from sectorlights.storage.tables import user_preferences

    UserStore(database).add("alice", AS_OF)
    saved = Preferences().model_dump(mode="json")
    saved["scheduled_runs"] = saved["scheduled_runs"] * 1000
    with database.begin() as connection:
        connection.execute(
            user_preferences.insert().values(user_name="alice", preferences=saved, updated_at=AS_OF)
        )
    assert UserStore(database).preferences("alice") == Preferences()
