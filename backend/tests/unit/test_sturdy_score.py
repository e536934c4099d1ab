"""The sturdier score of issue 14: winsorised member returns, a minimum member count, and a
confidence that falls with few members and with volume-weighted vs plain disagreement."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sectorlights.analytics.analysis import analyze
from sectorlights.analytics.performance import (
    TIMEFRAME_COLUMN,
    sector_returns,
    volatility_weight_array,
    winsorized_returns,
)
from sectorlights.analytics.sentiment import mean_disagreements, sector_confidences
from sectorlights.config.criteria import ScoreParams, score_params_for_rules
from sectorlights.config.volatility_weights import VolatilityWeightConfig
from sectorlights.domain.results import SectorCard
from sectorlights.domain.vocabulary import SECTORS, Color, Sector, Signal, Timeframe
from tests.unit.frames import Stock, benchmark, build_frame

TECH = SECTORS.index(Sector.TECHNOLOGY)
DAY = TIMEFRAME_COLUMN[Timeframe.DAY_1]
WEIGHTS = volatility_weight_array(VolatilityWeightConfig())
STURDY = ScoreParams()
SPEC = score_params_for_rules("spec")


def _day_column(values: list[float]) -> np.ndarray:
    returns = np.full((len(values), 4), np.nan)
    returns[:, DAY] = values
    return returns


@pytest.mark.parametrize(
    ("values", "share", "expected"),
    [
        # One member each end pulled in to its neighbour.
        ([0.01, 0.02, 0.03, 0.04, -0.50], 0.05, [0.01, 0.02, 0.03, 0.03, 0.01]),
        # Three members: both ends pulled in to the median.
        ([0.01, 0.02, 0.90], 0.05, [0.02, 0.02, 0.02]),
        # One or two members cannot be told apart from an outlier: left alone.
        ([0.30], 0.05, [0.30]),
        ([0.30, -0.10], 0.05, [0.30, -0.10]),
        # 20 members at 10%: ceil(0.1 x 20) = 2 each end.
        ([float(v) for v in range(20)], 0.10, [2.0, 2.0, 2.0, *map(float, range(3, 17)), 17.0, 17.0, 17.0]),
        # A missing return stays missing and does not count.
        ([0.01, math.nan, 0.02, 0.03, 0.50], 0.05, [0.02, math.nan, 0.02, 0.03, 0.03]),
    ],
)
def test_winsorising_pulls_the_ends_in(values: list[float], share: float, expected: list[float]) -> None:
    clipped = winsorized_returns(_day_column(values), np.full(len(values), TECH), share, 1)
    np.testing.assert_allclose(clipped[:, DAY], expected)


def test_winsorising_is_per_sector_and_skips_unclassified_rows() -> None:
    sectors = np.array([TECH, TECH, TECH, 0 if TECH else 1, -1])
    clipped = winsorized_returns(_day_column([0.01, 0.02, 0.50, 0.50, 9.0]), sectors, 0.05, 1)
    np.testing.assert_allclose(clipped[:, DAY], [0.02, 0.02, 0.02, 0.50, 9.0])


def _one_day_mean(values: list[float], volumes: list[float], params: ScoreParams) -> float:
    result = sector_returns(
        _day_column(values), np.full(len(values), TECH), np.array(volumes), WEIGHTS, None, params
    )
    return float(result.weighted[TECH, DAY])


def test_the_issue_example_one_earnings_gap_no_longer_flips_the_sector() -> None:
    # Five members up on ordinary volume; the sixth gaps down 25% on 11x volume (clipped to 4).
    values = [0.012, 0.008, 0.015, 0.006, 0.010, -0.25]
    volumes = [1.0, 1.0, 1.0, 1.0, 1.0, 11.0]
    assert _one_day_mean(values, volumes, SPEC) < 0  # the spec's mean: the sector reads red
    assert _one_day_mean(values, volumes, STURDY) > 0  # winsorised: it rose, as its members did


@settings(max_examples=200, deadline=None)
@given(
    others=st.lists(st.floats(1e-4, 0.5), min_size=4, max_size=40),
    other_volumes=st.data(),
    outlier=st.floats(-0.95, -1e-4),
    outlier_volume=st.floats(1.0, 1000.0),
    sign=st.sampled_from([1.0, -1.0]),
)
def test_one_extreme_member_cannot_flip_a_sector_whose_others_agree(
    others: list[float],
    other_volumes: st.DataObject,
    outlier: float,
    outlier_volume: float,
    sign: float,
) -> None:
    volumes = other_volumes.draw(st.lists(st.floats(0.0, 50.0), min_size=len(others), max_size=len(others)))
    values = [sign * value for value in [*others, outlier]]
    mean = _one_day_mean(values, [*volumes, outlier_volume], STURDY)
    assert np.sign(mean) == sign


def _card(count: int, move: float = 0.05) -> SectorCard:
    stocks = [Stock(f"T{index}", sic_code=7372, change_1d=move, change_3d=move) for index in range(count)]
    result = analyze(build_frame([*stocks, benchmark()]))
    return result.sectors[TECH]


@pytest.mark.parametrize(
    ("count", "insufficient"), [(0, True), (1, True), (4, True), (5, False), (12, False)]
)
def test_a_sector_below_the_minimum_shows_insufficient_data(count: int, insufficient: bool) -> None:
    card = _card(count)
    assert card.insufficient_data is insufficient
    if insufficient:
        assert (card.score, card.color, card.signal, card.confidence) == (
            0.0,
            Color.BLUE_NEUTRAL,
            Signal.NEUTRAL_CAUTIOUS,
            0.0,
        )
        assert card.insufficient_reason == (
            f"{count} member{'' if count == 1 else 's'}, at least 5 needed for a colour"
        )
        # The measurements and the top lists are still shown.
        assert card.top_bullish == [] or card.top_bullish[0].change_pct == pytest.approx(5.0)
    else:
        assert card.color in (Color.LIGHT_GREEN, Color.DARK_GREEN) and card.insufficient_reason is None


def test_the_spec_rules_colour_a_single_member_sector() -> None:
    stocks = [Stock("SOUN", sic_code=7372, change_1d=0.05), benchmark()]
    card = analyze(build_frame(stocks), score_params=SPEC).sectors[TECH]
    assert not card.insufficient_data and card.color != Color.BLUE_NEUTRAL


def test_insufficient_sectors_keep_their_top_lists() -> None:
    assert [stock.symbol for stock in _card(3).top_bullish] == ["T0", "T1", "T2"]


@pytest.mark.parametrize(
    ("weighted", "plain", "expected"),
    [
        (0.01, 0.01, 0.0),
        (1e9, -1e9, 1.0),  # +1 against -1 on the score's scale
        (0.043 * math.atanh(0.5), 0.0, 0.25),
        (math.nan, 0.01, 0.0),  # no timeframe where both are known
    ],
)
def test_mean_disagreement(weighted: float, plain: float, expected: float) -> None:
    row = np.full((1, 4), np.nan)
    row[0, DAY] = weighted
    other = np.full((1, 4), np.nan)
    other[0, DAY] = plain
    scale = np.array([0.016, 0.043, 0.076, 0.097])
    assert mean_disagreements(row, other, scale, np.full(4, 0.25))[0] == pytest.approx(expected)


def _confidence(members: int, disagreement: float | None) -> float:
    composite = np.zeros(8)
    composite[TECH] = 0.5
    scores = np.full((8, 4), np.nan)
    scores[TECH, DAY] = 0.5
    penalty = None if disagreement is None else np.full(8, disagreement)
    return float(
        sector_confidences(composite, scores, np.full(members, 0.02), np.full(members, TECH), 1.0, penalty)[
            TECH
        ]
    )


def test_confidence_falls_with_member_count_and_disagreement() -> None:
    counts = [1, 2, 5, 10, 20, 40]
    sturdy = [_confidence(count, 0.0) for count in counts]
    assert sturdy == sorted(sturdy) and sturdy[0] < sturdy[-1]
    # The issue's single-member sector: 0.81 under the spec's formula, 0.18 now.
    assert _confidence(1, None) == pytest.approx(0.4 + 0.2 / 20 + 0.3 + 0.1)
    assert _confidence(1, 0.0) == pytest.approx((0.4 + 0.2 / 20 + 0.3 + 0.1) * math.sqrt(1 / 20))
    assert _confidence(20, 0.0) == pytest.approx(1.0)
    assert _confidence(20, 0.3) == pytest.approx(0.7)


def test_score_rules_are_named_and_checked() -> None:
    assert score_params_for_rules("sturdy") == ScoreParams()
    assert (SPEC.winsor_share, SPEC.min_members, SPEC.confidence_penalties) == (None, 0, False)
    with pytest.raises(ValueError, match="unknown score rules 'robust'"):
        score_params_for_rules("robust")
    with pytest.raises(ValueError, match="winsor_share"):
        ScoreParams(winsor_share=0.5)
    with pytest.raises(ValueError, match="min_members"):
        ScoreParams(min_members=-1)
