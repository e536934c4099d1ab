"""The watchlist in a trader's preferences: bounded, each symbol once, symbols the lookup accepts."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from sectorlights.domain.preferences import WATCHLIST_MAX_SYMBOLS, Preferences


@pytest.mark.parametrize(
    ("sent", "kept"),
    [
        ([], []),
        (["AAC"], ["AAC"]),
        (["SOUN", "BBAI", "SOUN"], ["SOUN", "BBAI"]),
        (["BRK.B", "BF-B"], ["BRK.B", "BF-B"]),
        ([f"S{n}" for n in range(WATCHLIST_MAX_SYMBOLS)], [f"S{n}" for n in range(WATCHLIST_MAX_SYMBOLS)]),
    ],
)
def test_a_valid_watchlist_is_kept_once_per_symbol_in_pin_order(sent: list[str], kept: list[str]) -> None:
    assert Preferences.model_validate({"watchlist": sent}).watchlist == kept


@pytest.mark.parametrize(
    "sent",
    [
        ["aac"],  # the lookup's symbols are upper case
        [""],
        ["TOOLONGSYMB"],
        ["A B"],
        ["<script>"],
        [f"S{n}" for n in range(WATCHLIST_MAX_SYMBOLS + 1)],
        "AAC",
    ],
)
def test_an_invalid_watchlist_is_refused(sent: object) -> None:
    with pytest.raises(ValidationError):
        Preferences.model_validate({"watchlist": sent})


def test_preferences_saved_before_the_watchlist_read_as_an_empty_one() -> None:
    stored = {"freshness_tolerance_hours": 2.0, "scheduled_runs": ["04:00"], "intraday_refresh": True}
    assert Preferences.model_validate(stored).watchlist == []
