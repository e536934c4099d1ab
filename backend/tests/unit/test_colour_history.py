"""The colour history: the edge rule as a table of cases, hand-computed shares, properties of the
counts, and the shipped file and its loader (a bad file is refused naming the file and the problem)."""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sectorlights.analytics.backtest import HitRate, MeanReturn
from sectorlights.analytics.colour_history import (
    DOWN,
    LEAN_BY_COLOR,
    NEITHER,
    UP,
    Edge,
    EdgeRule,
    colour_history,
    edge_verdict,
    rule_text,
)
from sectorlights.analytics.intervals import Interval
from sectorlights.config.colour_history import (
    COLOUR_HISTORY_FILE,
    ColourHistoryFileError,
    load_colour_history,
)
from sectorlights.domain.colour_history import NextSessionShare
from sectorlights.domain.vocabulary import COLORS, Color
from sectorlights.engine.configured import load_configured_colour_history
from sectorlights.settings import ConfigurationError, Settings

NAN = math.nan
RULE = EdgeRule(min_sessions=50, coin=0.5)


def share(
    rate: float, wilson: tuple[float, float], bootstrap: tuple[float, float], total: int = 400
) -> HitRate:
    return HitRate(round(rate * total), total, rate, Interval(*wilson), Interval(*bootstrap))


def mean(low: float, high: float) -> MeanReturn:
    return MeanReturn(400, (low + high) / 2, Interval(low, high))


# The drift a colour must beat: rises 52 % of the time (upper bounds 54 % Wilson, 55 % bootstrap),
# falls 48 % (upper bounds 50 %, 51 %).
DRIFT_UP = share(0.52, (0.50, 0.54), (0.49, 0.55), 3000)
DRIFT_DOWN = share(0.48, (0.46, 0.50), (0.45, 0.51), 3000)
CLEAR_UP = share(0.62, (0.58, 0.66), (0.57, 0.67))
CLEAR_DOWN = share(0.60, (0.56, 0.64), (0.55, 0.65))


EDGE_CASES = [
    ("neutral never", NEITHER, CLEAR_UP, DRIFT_UP, mean(0.1, 0.4), 400, Edge.NO, "neither way"),
    ("too few sessions", UP, CLEAR_UP, DRIFT_UP, mean(0.1, 0.4), 49, Edge.TOO_FEW, "49 sessions"),
    ("green clears all", UP, CLEAR_UP, DRIFT_UP, mean(0.1, 0.4), 50, Edge.YES, "above 50.0 % and 55.0 %"),
    ("red clears all", DOWN, CLEAR_DOWN, DRIFT_DOWN, mean(-0.5, -0.1), 120, Edge.YES, "down 60.0 %"),
    (
        "bootstrap low under a coin",
        UP,
        share(0.58, (0.53, 0.63), (0.49, 0.66)),
        DRIFT_UP,
        mean(0.1, 0.4),
        200,
        Edge.NO,
        "not above 50.0 %",
    ),
    (
        "Wilson low under a coin",
        DOWN,
        share(0.55, (0.499, 0.60), (0.52, 0.58)),
        DRIFT_DOWN,
        mean(-0.5, -0.1),
        200,
        Edge.NO,
        "not above 50.0 %",
    ),
    (
        "above a coin, not above always up",
        UP,
        share(0.58, (0.545, 0.61), (0.55, 0.62)),
        DRIFT_UP,
        mean(0.1, 0.4),
        200,
        Edge.NO,
        "not above 55.0 %, the upper bound of up after any colour",
    ),
    (
        "mean reaches 0",
        UP,
        CLEAR_UP,
        DRIFT_UP,
        mean(-0.01, 0.4),
        200,
        Edge.NO,
        "reaches 0",
    ),
    (
        "red with a mean above 0",
        DOWN,
        CLEAR_DOWN,
        DRIFT_DOWN,
        mean(0.01, 0.4),
        200,
        Edge.NO,
        "reaches 0",
    ),
    (
        "no interval at all",
        UP,
        HitRate(0, 0, None, Interval(None, None), Interval(None, None)),
        DRIFT_UP,
        MeanReturn(0, None, Interval(None, None)),
        60,
        Edge.NO,
        "n/a",
    ),
]


@pytest.mark.parametrize(
    ("case", "lean", "toward", "baseline", "mean_next", "sessions", "edge", "says"),
    EDGE_CASES,
    ids=[case[0] for case in EDGE_CASES],
)
def test_edge_rule(
    case: str,
    lean: int,
    toward: HitRate,
    baseline: HitRate,
    mean_next: MeanReturn,
    sessions: int,
    edge: Edge,
    says: str,
) -> None:
    got, reason = edge_verdict(lean, toward, baseline, mean_next, sessions, RULE)
    assert got == edge, (case, reason)
    assert says in reason, (case, reason)


def test_hand_computed_shares_leave_out_uncoloured_and_flat_cells() -> None:
    # 3 sessions x 3 sectors. Codes: 0 dark red, 2 neutral, 4 dark green, -1 no colour shown.
    colors = np.array([[0, 2, 4], [0, 4, -1], [4, 2, 0]], dtype=np.int64)
    returns = np.array([[-1.0, 0.5, 2.0], [1.0, 0.0, -3.0], [-0.5, NAN, -2.0]])
    stats = colour_history(colors, returns, seed=1, resamples=200, rule=EdgeRule(min_sessions=1))
    dark_red, _, neutral, _, dark_green = stats.by_color
    assert [outcome.color for outcome in stats.by_color] == list(COLORS)
    # Dark red: down, up, down.
    assert (dark_red.down.hits, dark_red.down.total, dark_red.up.hits) == (2, 3, 1)
    assert dark_red.sessions == 3
    assert dark_red.mean_next.mean_pct == pytest.approx((-1.0 + 1.0 - 2.0) / 3)
    # Dark green: up, flat (no direction, but in the mean), down.
    assert (dark_green.up.hits, dark_green.up.total) == (1, 2)
    assert dark_green.mean_next.count == 3
    assert dark_green.mean_next.mean_pct == pytest.approx((2.0 + 0.0 - 0.5) / 3)
    # Neutral: up, missing.
    assert (neutral.up.hits, neutral.up.total, neutral.sessions) == (1, 1, 1)
    # Baseline: every coloured cell with a direction (the -3.0 had no colour): 3 up of 6.
    assert (stats.baseline_up.hits, stats.baseline_up.total) == (3, 6)
    assert (stats.baseline_down.hits, stats.baseline_down.total) == (3, 6)
    assert stats.sessions == 3
    assert neutral.edge == Edge.NO


def test_a_colour_that_always_calls_the_next_session_has_an_edge() -> None:
    rng = np.random.default_rng(4)
    returns = rng.normal(0.1, 1.0, size=(300, 8))
    # Dark green where the next session rises, dark red where it falls: a perfect forecast.
    colors = np.where(returns > 0, COLORS.index(Color.DARK_GREEN), COLORS.index(Color.DARK_RED))
    stats = colour_history(colors.astype(np.int64), returns, seed=2, resamples=200)
    by_color = {outcome.color: outcome for outcome in stats.by_color}
    assert by_color[Color.DARK_GREEN].edge == Edge.YES
    assert by_color[Color.DARK_RED].edge == Edge.YES
    assert by_color[Color.LIGHT_GREEN].edge == Edge.TOO_FEW


@given(st.integers(0, 2**32 - 1), st.integers(2, 40), st.integers(1, 8))
def test_up_and_down_split_every_counted_cell(seed: int, sessions: int, sectors: int) -> None:
    rng = np.random.default_rng(seed)
    colors = rng.integers(-1, len(COLORS), size=(sessions, sectors))
    returns = np.where(rng.random((sessions, sectors)) < 0.1, 0.0, rng.normal(size=(sessions, sectors)))
    stats = colour_history(colors, returns, seed=seed, resamples=50)
    for outcome in stats.by_color:
        assert outcome.up.total == outcome.down.total
        assert outcome.up.hits + outcome.down.hits == outcome.up.total
        assert outcome.sessions <= sessions
        if outcome.up.rate is not None and outcome.down.rate is not None:
            assert outcome.up.rate + outcome.down.rate == pytest.approx(1.0)
    assert sum(outcome.up.total for outcome in stats.by_color) == stats.baseline_up.total


def _hit_rate(share: NextSessionShare) -> HitRate:
    return HitRate(
        share.count,
        share.total,
        share.share,
        Interval(share.wilson.low, share.wilson.high),
        Interval(share.bootstrap.low, share.bootstrap.high),
    )


def test_the_shipped_verdicts_follow_from_its_figures_by_the_rule() -> None:
    # Not pinned to one data set: the file may be regenerated from another (docs/validation.md).
    history = load_colour_history()
    rule = EdgeRule(min_sessions=history.rule.min_sessions, coin=history.rule.coin)
    assert history.rule.text == rule_text(rule)
    for record in history.colors:
        lean = LEAN_BY_COLOR[record.color]
        assert record.leans == {UP: "up", DOWN: "down", NEITHER: None}[lean]
        toward, baseline = (
            (record.up, history.baseline.up) if lean == UP else (record.down, history.baseline.down)
        )
        mean_next = record.mean_next_return
        mean = MeanReturn(
            mean_next.cells, mean_next.mean_pct, Interval(mean_next.bootstrap.low, mean_next.bootstrap.high)
        )
        edge, reason = edge_verdict(lean, _hit_rate(toward), _hit_rate(baseline), mean, record.sessions, rule)
        assert (record.edge, record.reason) == (edge.value, reason)
        assert record.up.total == record.down.total and record.up.count + record.down.count == record.up.total
    assert "/" not in history.command


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "history.json"
    path.write_text(text, encoding="utf-8")
    return path


def _shipped() -> dict[str, Any]:
    document: dict[str, Any] = json.loads(COLOUR_HISTORY_FILE.read_text(encoding="utf-8"))
    return document


@pytest.mark.parametrize(
    ("case", "edit", "says"),
    [
        ("not JSON", lambda _doc: "{", "Invalid JSON"),
        ("a colour missing", lambda doc: {**doc, "colors": doc["colors"][:4]}, "each colour once"),
        ("unknown field", lambda doc: {**doc, "surprise": 1}, "surprise"),
        ("no label", lambda doc: {**doc, "label": ""}, "label"),
        ("window backwards", lambda doc: {**doc, "first_session": "2018-01-02"}, "is after last_session"),
    ],
)
def test_a_bad_file_is_refused_naming_it_and_the_problem(
    tmp_path: Path, case: str, edit: Callable[[dict[str, Any]], Any], says: str
) -> None:
    edited = edit(_shipped())
    path = _write(tmp_path, edited if isinstance(edited, str) else json.dumps(edited))
    with pytest.raises(ColourHistoryFileError) as raised:
        load_colour_history(path)
    assert str(path) in str(raised.value), case
    assert says in str(raised.value), (case, str(raised.value))


def test_a_missing_file_is_a_configuration_error_naming_the_setting(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    missing = tmp_path / "nowhere.json"
    monkeypatch.setenv("SECTORLIGHTS_COLOUR_HISTORY", str(missing))
    with pytest.raises(ConfigurationError) as raised:
        load_configured_colour_history(Settings())
    message = str(raised.value)
    assert message.startswith("configuration error: SECTORLIGHTS_COLOUR_HISTORY: ")
    assert str(missing) in message and "cannot read" in message


def test_the_setting_picks_another_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    path = _write(tmp_path, json.dumps({**_shipped(), "label": "Another set"}))
    monkeypatch.setenv("SECTORLIGHTS_COLOUR_HISTORY", str(path))
    assert load_configured_colour_history(Settings()).label == "Another set"
    monkeypatch.delenv("SECTORLIGHTS_COLOUR_HISTORY")
    assert load_configured_colour_history(Settings()) == load_colour_history()
