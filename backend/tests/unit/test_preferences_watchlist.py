"""The watchlist in a trader's preferences: bounded, each symbol once, symbols the lookup accepts."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from sectorlights.domain.preferences import CHART_LINKS_MAX, WATCHLIST_MAX_SYMBOLS, Preferences


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


# ----- chart links -----------------------------------------------------------------------------------


def test_chart_links_default_to_tradingview_and_finviz() -> None:
    links = Preferences().chart_links
    assert [link.label for link in links] == ["TradingView", "Finviz"]
    assert all("{symbol}" in link.url_template for link in links)
    # Preferences saved before chart links existed read with the defaults.
    assert Preferences.model_validate({"watchlist": ["AAC"]}).chart_links == links


@pytest.mark.parametrize(
    "links",
    [
        [],
        [{"label": "Chart", "url_template": "http://charts.example/{symbol}?tf=1m"}],
        [{"label": "x" * 24, "url_template": "https://a.example/{symbol}"}] * CHART_LINKS_MAX,
    ],
)
def test_valid_chart_links_are_kept(links: list[dict[str, str]]) -> None:
    assert [
        link.model_dump() for link in Preferences.model_validate({"chart_links": links}).chart_links
    ] == links


@pytest.mark.parametrize(
    ("links", "field", "problem"),
    [
        (
            [{"label": "X", "url_template": "https://a.example/chart"}],
            "chart_links.0.url_template",
            "{symbol}",
        ),
        (
            [{"label": "X", "url_template": "javascript:alert('{symbol}')"}],
            "chart_links.0.url_template",
            "https://",
        ),
        (
            [{"label": "X", "url_template": "ftp://a.example/{symbol}"}],
            "chart_links.0.url_template",
            "https://",
        ),
        (
            [{"label": "X", "url_template": "https://a.example/{symbol} x"}],
            "chart_links.0.url_template",
            "spaces",
        ),
        ([{"label": "", "url_template": "https://a.example/{symbol}"}], "chart_links.0.label", "at least 1"),
        ([{"label": "   ", "url_template": "https://a.example/{symbol}"}], "chart_links.0.label", "blank"),
        (
            [{"label": "x" * 25, "url_template": "https://a.example/{symbol}"}],
            "chart_links.0.label",
            "at most 24",
        ),
        ([{"label": "X"}], "chart_links.0.url_template", "required"),
        (
            [{"label": "X", "url_template": "https://a.example/{symbol}", "icon": "x"}],
            "chart_links.0.icon",
            "not permitted",
        ),
        (
            [{"label": "X", "url_template": "https://a.example/{symbol}"}] * (CHART_LINKS_MAX + 1),
            "chart_links",
            "at most 8",
        ),
    ],
)
def test_invalid_chart_links_are_refused_naming_the_field(
    links: list[dict[str, str]], field: str, problem: str
) -> None:
    with pytest.raises(ValidationError) as refused:
        Preferences.model_validate({"chart_links": links})
    [error] = refused.value.errors()
    assert ".".join(str(part) for part in error["loc"]) == field
    assert problem in error["msg"]
