"""The whole chain: the spec's sector cards, empty sectors, the universe, and order independence."""

from __future__ import annotations

import math
import warnings
from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sectorlights.analytics.analysis import analyze
from sectorlights.analytics.catalysts import NewsCounts
from sectorlights.analytics.ranking import NOTE_BEARISH_SECTOR, NOTE_BULLISH_SECTOR, NOTE_NO_QUALIFYING
from sectorlights.analytics.sentiment import color_for_score, signal_for_color
from sectorlights.config.criteria import UniverseCriteria, score_params_for_rules
from sectorlights.config.volatility_weights import VolatilityWeightConfig
from sectorlights.domain.results import AnalysisResult, SectorCard
from sectorlights.domain.vocabulary import SECTORS, Color, Sector, Tier, Timeframe
from tests.unit.frames import Stock, benchmark, build_frame, permuted, random_frame


def _tech(symbol: str, move: float, relative_volume: float, **fields: float) -> Stock:
    moves = {"change_30m": move / 4, "change_1d": move, "change_3d": move * 1.5, "change_1w": move * 2}
    return Stock(symbol, sic_code=7372, relative_volume=relative_volume, **{**moves, **fields})


def _health(symbol: str, move: float, relative_volume: float, **fields: float) -> Stock:
    moves = {"change_30m": move / 4, "change_1d": move, "change_3d": move, "change_1w": move}
    return Stock(symbol, sic_code=2834, relative_volume=relative_volume, **{**moves, **fields})


# The spec's worked examples have 3-4 stocks a sector: they check the spec's formula, without the
# minimum member count and winsorising (tests/unit/test_sturdy_score.py checks those).
SPEC_RULES = score_params_for_rules("spec")


def _sector(result: AnalysisResult, sector: Sector) -> SectorCard:
    return result.sectors[SECTORS.index(sector)]


@pytest.fixture(scope="module")
def spec_market() -> AnalysisResult:
    """Technology in a sell-off (the spec's bearish card) and healthcare on FDA news."""
    frame = build_frame(
        [
            _tech("SMCI", -0.121, 1.2, float_shares=200e6, avg_volume=5e6, price=30.0, market_cap=1.8e9),
            _tech("SOUN", -0.082, 2.1, float_shares=40e6, avg_volume=2.1e6, price=5.20),
            _tech("BBAI", -0.061, 3.2, float_shares=6e6, avg_volume=1.5e6, price=3.80, market_cap=120e6),
            _tech("PATH", -0.045, 1.8, float_shares=40e6, avg_volume=3e6, price=12.0, market_cap=1.5e9),
            _health("OCUL", 0.45, 4.0, price=9.0),
            _health("KPTI", 0.18, 3.0, price=6.0),
            _health("DTIL", 0.08, 2.0, price=4.0),
            # A large cap: out of the universe, so out of the lists.
            _health("VRTX", 0.12, 2.0, price=400.0, market_cap=100e9),
            Stock("NOSECTOR", name="Plain Holdings", sic_code=-1),
            benchmark(change_1d=0.012),
        ]
    )
    return analyze(frame, score_params=SPEC_RULES)


def test_every_sector_appears_in_vocabulary_order(spec_market: AnalysisResult) -> None:
    assert [sector.sector for sector in spec_market.sectors] == list(SECTORS)


def test_bearish_technology_card(spec_market: AnalysisResult) -> None:
    tech = _sector(spec_market, Sector.TECHNOLOGY)
    assert tech.score <= -0.5
    assert tech.color in (Color.DARK_RED, Color.LIGHT_RED)
    assert tech.signal == signal_for_color(tech.color)
    assert [stock.symbol for stock in tech.top_bearish] == ["SMCI", "SOUN", "BBAI"]
    assert [stock.change_pct for stock in tech.top_bearish] == pytest.approx([-12.1, -8.2, -6.1])
    assert [stock.relative_volume for stock in tech.top_bearish] == pytest.approx([1.2, 2.1, 3.2])
    assert tech.top_bullish == []
    assert tech.bullish_note == NOTE_BEARISH_SECTOR
    assert tech.bearish_note is None
    assert tech.stock_count == 4
    assert tech.volatility_weight == 1.3
    assert (tech.label, tech.etf_proxy) == ("Technology", "XLK")
    assert 0.0 < tech.confidence <= 1.0


def test_bullish_healthcare_card(spec_market: AnalysisResult) -> None:
    health = _sector(spec_market, Sector.HEALTHCARE)
    assert health.color == Color.DARK_GREEN
    assert [stock.symbol for stock in health.top_bullish] == ["OCUL", "KPTI", "DTIL"]
    assert health.top_bearish == []
    assert health.bearish_note == NOTE_BULLISH_SECTOR
    one_day = health.timeframes[Timeframe.DAY_1]
    assert one_day.plain_mean_pct == pytest.approx((45 + 18 + 8) / 3, abs=1e-4)
    assert one_day.alpha_pct == pytest.approx(one_day.adjusted_return_pct - 1.2, abs=1e-3)


def test_empty_sectors_are_neutral_with_notes(spec_market: AnalysisResult) -> None:
    energy = _sector(spec_market, Sector.ENERGY)
    assert (energy.score, energy.color, energy.confidence, energy.stock_count) == (
        0.0,
        Color.BLUE_NEUTRAL,
        0.0,
        0,
    )
    assert (energy.bullish_note, energy.bearish_note) == (NOTE_NO_QUALIFYING, NOTE_NO_QUALIFYING)
    assert set(energy.timeframes) == set(Timeframe)
    for cell in energy.timeframes.values():
        assert cell.return_pct is None and cell.alpha_pct is None
        # No data is no score, with the reason, never a 0.0 / blue cell.
        assert (cell.score, cell.color) == (None, None)
        assert cell.missing_reason == "no member stocks in this sector"


def test_universe_members_and_funnel(spec_market: AnalysisResult) -> None:
    symbols = [member.symbol for member in spec_market.members]
    assert symbols == sorted(["SMCI", "SOUN", "BBAI", "PATH", "OCUL", "KPTI", "DTIL"])
    soun = next(member for member in spec_market.members if member.symbol == "SOUN")
    assert (soun.sector, soun.tier, soun.sic_code, soun.volatility_multiplier) == (
        Sector.TECHNOLOGY,
        Tier.MICRO_CAP,
        7372,
        1.3,
    )
    smci = next(member for member in spec_market.members if member.symbol == "SMCI")
    assert smci.tier == Tier.SMALL_CAP
    assert [(stage.stage, stage.remaining) for stage in spec_market.funnel] == [
        ("listings", 10),
        ("common_stock", 9),
        ("exchange", 9),
        ("market_cap", 8),
        ("avg_daily_volume", 8),
        ("price", 8),
        ("float", 8),
        ("sector", 7),
        ("size_cap", 7),
    ]
    assert spec_market.universe_size == 7


def test_benchmark_returns_are_reported_in_percent(spec_market: AnalysisResult) -> None:
    assert spec_market.benchmark_symbol == "IWM"
    assert spec_market.benchmark_returns_pct[Timeframe.DAY_1] == pytest.approx(1.2)
    assert spec_market.benchmark_returns_pct[Timeframe.WEEK_1] == pytest.approx(0.0)


def test_spec_technology_example_in_percent() -> None:
    frame = build_frame(
        [
            Stock("SOUN", change_1d=0.082, relative_volume=2.1),
            Stock("BBAI", change_1d=-0.041, relative_volume=1.9),
            Stock("PATH", change_1d=0.125, relative_volume=2.5),
            Stock("SMCI", change_1d=-0.023, relative_volume=1.1),
            benchmark(change_1d=0.012),
        ]
    )
    one_day = _sector(analyze(frame, score_params=SPEC_RULES), Sector.TECHNOLOGY).timeframes[Timeframe.DAY_1]
    assert one_day.plain_mean_pct == pytest.approx(3.575)
    assert round(one_day.plain_mean_pct, 1) == 3.6
    weighted = (8.2 * 2.1 - 4.1 * 1.9 + 12.5 * 2.5 - 2.3 * 1.1) / 7.6
    assert one_day.return_pct == pytest.approx(weighted, abs=1e-4)
    assert one_day.adjusted_return_pct == pytest.approx(weighted * 1.3, abs=1e-4)
    assert one_day.alpha_pct == pytest.approx(weighted * 1.3 - 1.2, abs=1e-4)
    assert one_day.color == color_for_score(one_day.score)


def test_without_a_benchmark_alpha_is_unknown() -> None:
    result = analyze(build_frame([Stock("SOUN", change_1d=0.05)]))
    assert all(value is None for value in result.benchmark_returns_pct.values())
    tech = _sector(result, Sector.TECHNOLOGY)
    assert tech.timeframes[Timeframe.DAY_1].return_pct == pytest.approx(5.0)
    assert tech.timeframes[Timeframe.DAY_1].alpha_pct is None


def test_an_empty_market() -> None:
    result = analyze(build_frame([]))
    assert result.members == []
    assert all(sector.stock_count == 0 and sector.color == Color.BLUE_NEUTRAL for sector in result.sectors)


def test_messy_input_raises_no_warnings() -> None:
    frame = random_frame(400, seed=3)
    rng = np.random.default_rng(3)
    for column in ("daily_close", "daily_open", "daily_high", "daily_volume"):
        values = getattr(frame, column)
        values[rng.random(values.shape) < 0.02] = rng.choice([np.inf, -np.inf, 0.0, -1.0])
    frame.last_price[rng.random(frame.size) < 0.05] = 0.0
    frame.session_volume[rng.random(frame.size) < 0.05] = np.inf
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = analyze(replace(frame, volume_fraction_expected=0.0))
    assert len(result.sectors) == len(SECTORS)


def _assert_consistent(result: AnalysisResult) -> None:
    for sector in result.sectors:
        assert sector.color == color_for_score(sector.score)
        assert sector.signal == signal_for_color(sector.color)
        for cell in sector.timeframes.values():
            if cell.score is None:
                assert cell.color is None and cell.return_pct is None and cell.missing_reason
            else:
                assert cell.color == color_for_score(cell.score) and cell.missing_reason is None
        for stock in sector.top_bullish:
            assert stock.change_pct > 0
        for stock in sector.top_bearish:
            assert stock.change_pct < 0
        ranks = [stock.rank_score for stock in sector.top_bullish]
        assert ranks == sorted(ranks, reverse=True)


@settings(max_examples=25, deadline=None)
@given(
    st.integers(min_value=0, max_value=10_000), st.randoms(use_true_random=False), st.sampled_from([5, 1500])
)
def test_results_do_not_depend_on_row_order(seed: int, shuffler, max_size: int) -> None:
    frame = random_frame(150, seed=seed)
    order = list(range(frame.size))
    shuffler.shuffle(order)
    criteria = replace(UniverseCriteria(), max_size=max_size)
    original = analyze(frame, criteria)
    shuffled = analyze(permuted(frame, np.array(order)), criteria)
    assert shuffled == original
    _assert_consistent(original)


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.floats(min_value=-0.3, max_value=0.3), min_size=1, max_size=6),
    st.floats(min_value=-0.2, max_value=0.2),
    st.floats(min_value=0.0, max_value=0.2),
)
def test_sector_score_rises_with_its_stocks(moves: list[float], shift: float, extra: float) -> None:
    def one_day_score(offset: float) -> float:
        stocks = [Stock(f"T{index}", change_1d=move + offset) for index, move in enumerate(moves)]
        return _sector(analyze(build_frame(stocks)), Sector.TECHNOLOGY).timeframes[Timeframe.DAY_1].score

    lower, higher = one_day_score(shift), one_day_score(shift + extra)
    assert -1.0 <= lower <= higher <= 1.0


def test_large_market_is_consistent() -> None:
    result = analyze(random_frame(2000, seed=11))
    _assert_consistent(result)
    assert sum(sector.stock_count for sector in result.sectors) == result.universe_size
    assert all(not math.isnan(sector.score) for sector in result.sectors)


def test_fmp_sectors_and_overrides_decide_classification_in_the_run() -> None:
    # SOUN files under SIC 7372 (technology); an FMP sector and then an override move it.
    frame = build_frame([_tech("SOUN", 0.05, 1.0), _tech("PATH", 0.02, 1.0), benchmark()])
    by_fmp = analyze(frame, fmp_sectors={"SOUN": "Healthcare"})
    member = {m.symbol: m for m in by_fmp.members}
    assert (member["SOUN"].sector, member["SOUN"].classification_source) == (Sector.HEALTHCARE, "fmp")
    assert member["SOUN"].classification_confidence == pytest.approx(0.8)  # FMP against the SIC code
    assert (member["PATH"].sector, member["PATH"].classification_source) == (Sector.TECHNOLOGY, "sic")
    both = analyze(frame, fmp_sectors={"SOUN": "Healthcare"}, overrides={"SOUN": "energy"})
    assert {m.symbol: (m.sector, m.classification_source) for m in both.members}["SOUN"] == (
        Sector.ENERGY,
        "override",
    )
    assert _sector(both, Sector.ENERGY).stock_count == 1


def test_volatility_weight_source_reaches_the_cards() -> None:
    stocks = [_tech(f"T{index}", 0.01 * (index - 3), 1.0) for index in range(8)]
    frame = build_frame([*stocks, benchmark(change_1d=0.01)])
    static = analyze(frame)
    hybrid = analyze(frame, volatility=VolatilityWeightConfig(weights_source="hybrid"))
    tech_static, tech_hybrid = _sector(static, Sector.TECHNOLOGY), _sector(hybrid, Sector.TECHNOLOGY)
    assert (tech_static.volatility_weight, tech_static.volatility_weight_source) == (1.3, "static")
    assert tech_hybrid.volatility_weight_source == "hybrid"
    # The synthetic closes are flat before the last move, so the measured part sits at the lower bound.
    assert tech_hybrid.volatility_weight == pytest.approx(0.5 * 1.3 + 0.5 * 0.5)
    # Other sectors have no members: their static weight stands.
    assert _sector(hybrid, Sector.UTILITIES).volatility_weight == 0.7


def test_news_moves_catalyst_density_and_is_reported() -> None:
    stocks = [_health("OCUL", 0.05, 1.0), _health("KPTI", 0.04, 1.0), benchmark()]
    frame = build_frame(stocks)
    quiet = _sector(analyze(frame, score_params=SPEC_RULES), Sector.HEALTHCARE)
    articles = np.array([3.0, 2.0, 0.0])
    news = NewsCounts(articles=articles, positive=articles, negative=np.zeros(3))
    busy = _sector(analyze(frame, score_params=SPEC_RULES, news=news), Sector.HEALTHCARE)
    assert quiet.factors is not None and busy.factors is not None
    assert set(quiet.factors.catalyst_density.values()) == {1.0}
    assert (quiet.factors.news_articles, quiet.factors.news_net_sentiment) == (0, None)
    assert (busy.factors.news_articles, busy.factors.news_net_sentiment) == (5, 1.0)
    assert all(value > 1.0 for value in busy.factors.catalyst_density.values())
    assert busy.score > quiet.score
    against = NewsCounts(articles=articles, positive=np.zeros(3), negative=articles)
    assert (
        _sector(analyze(frame, score_params=SPEC_RULES, news=against), Sector.HEALTHCARE).score < quiet.score
    )


def test_cards_carry_gap_profile_and_etf_check(spec_market: AnalysisResult) -> None:
    tech = _sector(spec_market, Sector.TECHNOLOGY)
    assert tech.gap_profile is not None and tech.etf_check is not None
    assert tech.gap_profile.configured == "high"
    assert tech.gap_profile.stocks_measured == tech.stock_count
    # The synthetic market has no sector ETFs: nothing to validate against.
    assert (tech.etf_check.proxies, tech.etf_check.agreement, tech.etf_check.stocks_measured) == ([], None, 0)
    assert all(member.etf_agrees is None for member in spec_market.members)


def test_every_card_with_enough_members_carries_its_squeeze_risk() -> None:
    """The card's ratio is the sector's median member volatility over the universe's, and its level
    follows the configured bounds (analytics/squeeze_risk.py holds the hand-computed cases)."""
    from sectorlights.analytics.squeeze_risk import member_volatility_pct
    from sectorlights.config.squeeze_risk import (
        DEFAULT_SQUEEZE_RISK_BOUNDS,
        SQUEEZE_HISTORY,
        SqueezeRiskBounds,
    )

    frame = random_frame(2000, seed=11)
    result = analyze(frame)
    volatility = dict(
        zip(frame.symbols.tolist(), member_volatility_pct(frame.daily_close).tolist(), strict=True)
    )
    members = [member for member in result.members if member.sector is not None]
    overall = float(np.median([volatility[member.symbol] for member in members]))
    for card in result.sectors:
        mine = [volatility[member.symbol] for member in members if member.sector == card.sector]
        if len(mine) < 3:
            assert card.squeeze_risk.level is None and card.squeeze_risk.volatility_ratio is None
            continue
        assert card.squeeze_risk.volatility_ratio == pytest.approx(float(np.median(mine)) / overall, abs=1e-4)
        bounds = DEFAULT_SQUEEZE_RISK_BOUNDS.upper_bounds
        expected = "low" if card.squeeze_risk.volatility_ratio <= bounds[0] else "normal"
        if card.squeeze_risk.volatility_ratio > bounds[1]:
            expected = "high"
        assert card.squeeze_risk.level == expected
        # The card quotes the held-out history only for the levels that separated from normal.
        history = SQUEEZE_HISTORY.get(expected)
        assert card.squeeze_risk.squeezed_pct == (None if history is None else history.squeezed_pct)
        assert card.squeeze_risk.normal_squeezed_pct == (
            None if history is None else history.normal_squeezed_pct
        )
    # Bounds passed in decide the levels: everything above a tiny normal bound is high.
    everything_high = analyze(frame, squeeze_bounds=SqueezeRiskBounds(low_max=1e-6, normal_max=2e-6))
    assert {card.squeeze_risk.level for card in everything_high.sectors} == {"high"}
    assert {card.squeeze_risk.squeezed_pct for card in everything_high.sectors} == {
        SQUEEZE_HISTORY["high"].squeezed_pct
    }
    everything_low = analyze(frame, squeeze_bounds=SqueezeRiskBounds(low_max=100.0, normal_max=200.0))
    assert {card.squeeze_risk.level for card in everything_low.sectors} == {"low"}
    assert {card.squeeze_risk.normal_squeezed_pct for card in everything_low.sectors} == {
        SQUEEZE_HISTORY["low"].normal_squeezed_pct
    }
