"""The completed simulated market: scenarios seen through the real analysis, minute bars, news, checks."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import numpy as np
import pytest

from sectorlights.core.clock import FrozenClock
from sectorlights.domain.market import MinuteBars, Sentiment
from sectorlights.domain.results import AnalysisResult
from sectorlights.domain.sessions import NEW_YORK, expected_volume_fraction, previous_sessions, session_bounds
from sectorlights.domain.vocabulary import SECTORS, Color, Sector
from sectorlights.engine.classification_sources import ClassificationSources
from sectorlights.engine.frame_builder import DailyBarsCache, build_frame
from sectorlights.engine.pipeline import AnalysisInputs, analyze_market
from sectorlights.providers.base import MarketDataProvider, MemorySectorReferenceStore, ProviderError
from sectorlights.providers.registry import ProviderContext
from sectorlights.providers.simulated import (
    SCENARIO_NAMES,
    CatalystKind,
    SimulatedProvider,
    create_simulated_provider,
)
from sectorlights.settings import AnalysisSettings, ProviderSettings

SESSION = date(2026, 11, 24)  # the Tuesday of tests/conftest.py SIM_NOW
THANKSGIVING = date(2026, 11, 26)
HISTORY = 25
GREEN = {Color.LIGHT_GREEN, Color.DARK_GREEN}
RED = {Color.LIGHT_RED, Color.DARK_RED}


def new_york(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), NEW_YORK)


def colors(result: AnalysisResult) -> dict[Sector, Color]:
    return {sector.sector: sector.color for sector in result.sectors}


@pytest.fixture(scope="module")
def plain() -> SimulatedProvider:
    return SimulatedProvider()


@pytest.fixture(scope="module")
def analyses() -> dict[str, dict[tuple[int, int], AnalysisResult]]:
    """The engine's analysis (news and classification inputs included) of each scenario's market at
    04:05, 06:37 and 12:00 ET of its first session."""
    results: dict[str, dict[tuple[int, int], AnalysisResult]] = {}
    inputs = AnalysisInputs.from_settings(
        AnalysisSettings(), ClassificationSources(MemorySectorReferenceStore())
    )
    for scenario in SCENARIO_NAMES:
        provider = SimulatedProvider(scenario=scenario, scenario_session=SESSION)
        cache = DailyBarsCache()
        results[scenario] = {
            (hour, minute): analyze_market(
                provider, build_frame(provider, new_york(SESSION, hour, minute), HISTORY, cache), inputs
            )
            for hour, minute in ((4, 5), (6, 37), (12, 0))
        }
    return results


# ----- contract -----------------------------------------------------------------------------------


def test_provider_serves_minute_bars_and_news(plain: SimulatedProvider) -> None:
    assert isinstance(plain, MarketDataProvider)
    capabilities = plain.capabilities
    assert capabilities.historical_snapshots and capabilities.minute_bars and capabilities.news
    assert capabilities.simulated
    assert plain.drain_rejections() == []


def test_check_times_one_light_call_per_capability(plain: SimulatedProvider) -> None:
    checks = plain.check()
    assert [check.endpoint for check in checks] == [
        "listings",
        "daily_bars",
        "intraday_snapshot",
        "historical_snapshots",
        "minute_bars",
        "news",
    ]
    assert all(check.ok and check.rows > 0 and check.latency_ms >= 0 for check in checks)
    assert [check.required for check in checks] == [True, True, True, False, False, False]


def test_check_reports_failures_instead_of_raising(monkeypatch: pytest.MonkeyPatch) -> None:
    provider = SimulatedProvider(listing_count=100)

    def broken(*args: object) -> None:
        raise ProviderError("vendor down")

    monkeypatch.setattr(provider, "listings", broken)
    checks = {check.endpoint: check for check in provider.check()}
    assert not checks["listings"].ok and "vendor down" in checks["listings"].detail
    assert checks["daily_bars"].ok


def test_unknown_scenario_names_the_allowed_ones() -> None:
    with pytest.raises(ValueError, match="quiet_day"):
        SimulatedProvider(listing_count=100, scenario="meltdown")


def test_factory_starts_the_scenario_at_the_session_of_the_clocks_day() -> None:
    settings = ProviderSettings(
        SECTORLIGHTS_SIM_SEED=9, SECTORLIGHTS_SIM_LISTINGS=300, SECTORLIGHTS_SIM_SCENARIO="overnight_gaps"
    )
    provider = create_simulated_provider(settings, ProviderContext(clock=FrozenClock(new_york(SESSION, 3))))
    assert (provider.seed, provider.listing_count) == (9, 300)
    assert provider.scenario == "overnight_gaps"
    # At 03:00 Tuesday the scenario is Tuesday's: Monday, over, keeps its bars (a process restarted
    # in the night does not rewrite the history the others already read).
    assert provider.scenario_session == SESSION
    assert "scenario overnight_gaps" in provider.health().detail


# ----- scenarios through the analysis ------------------------------------------------------------


def test_scenarios_leave_the_history_alone(plain: SimulatedProvider) -> None:
    rotation = SimulatedProvider(scenario="tech_selloff_healthcare_rotation", scenario_session=SESSION)
    before = previous_sessions(SESSION, 3)
    for ours, theirs in zip(plain.daily_bars(before), rotation.daily_bars(before), strict=True):
        assert np.array_equal(ours.close, theirs.close) and np.array_equal(ours.volume, theirs.volume)
    assert not np.array_equal(plain.daily_bars([SESSION])[0].close, rotation.daily_bars([SESSION])[0].close)


def test_quiet_day_keeps_every_sector_neutral(
    analyses: dict[str, dict[tuple[int, int], AnalysisResult]],
) -> None:
    for at in ((6, 37), (12, 0)):
        result = analyses["quiet_day"][at]
        assert set(colors(result).values()) == {Color.BLUE_NEUTRAL}, at
        assert max(abs(sector.score) for sector in result.sectors) <= 0.2


def test_quiet_day_has_no_catalysts() -> None:
    quiet = SimulatedProvider(scenario="quiet_day", scenario_session=SESSION)
    assert quiet.market.catalysts(SESSION) == []
    assert quiet.market.catalysts(previous_sessions(SESSION, 1)[0])  # the day before is ordinary


def test_fda_approval_wave_turns_healthcare_dark_green(
    analyses: dict[str, dict[tuple[int, int], AnalysisResult]],
) -> None:
    for at in ((6, 37), (12, 0)):
        assert colors(analyses["fda_approval_wave"][at])[Sector.HEALTHCARE] == Color.DARK_GREEN, at


def test_fda_approval_wave_brings_many_approvals_and_their_news(plain: SimulatedProvider) -> None:
    wave = SimulatedProvider(scenario="fda_approval_wave", scenario_session=SESSION)
    approvals = [c for c in wave.market.catalysts(SESSION) if c.kind == CatalystKind.FDA_APPROVAL]
    ordinary = [c for c in plain.market.catalysts(SESSION) if c.kind == CatalystKind.FDA_APPROVAL]
    assert len(approvals) >= 40 > len(ordinary)
    news = wave.news(new_york(SESSION, 3, 59), new_york(SESSION, 4, 5), limit=1000)
    approved = {c.symbol for c in approvals}
    covered = {
        insight.ticker
        for item in news
        for insight in item.insights
        if insight.sentiment == Sentiment.POSITIVE and "FDA" in item.title
    }
    assert approved <= covered
    assert any("Biotech Stocks Surge" in item.title for item in news)


def test_rotation_sells_technology_and_buys_healthcare(
    analyses: dict[str, dict[tuple[int, int], AnalysisResult]],
) -> None:
    for at in ((6, 37), (12, 0)):
        result = colors(analyses["tech_selloff_healthcare_rotation"][at])
        assert result[Sector.TECHNOLOGY] in RED, at
        assert result[Sector.HEALTHCARE] in GREEN, at


def test_overnight_gaps_show_at_4am(analyses: dict[str, dict[tuple[int, int], AnalysisResult]]) -> None:
    gaps = SimulatedProvider(scenario="overnight_gaps", scenario_session=SESSION)
    gapped = {c.symbol for c in gaps.market.catalysts(SESSION) if abs(np.expm1(c.log_move)) >= 0.17}
    assert len(gapped) >= 10
    frame = build_frame(gaps, new_york(SESSION, 4, 5), HISTORY, DailyBarsCache())
    members = {member.symbol for member in analyses["overnight_gaps"][(4, 5)].members}
    one_day = frame.last_price / frame.daily_close[:, -1] - 1.0
    moved = {
        str(symbol)
        for symbol, change in zip(frame.symbols.tolist(), one_day.tolist(), strict=True)
        if abs(change) >= 0.15
    }
    assert len(gapped & members & moved) >= 3


def _gappers(provider: SimulatedProvider) -> list[str]:
    """Listings whose 04:00 catalyst moves them 17-40%, the size of the scenario's earnings gaps."""
    return [c.symbol for c in provider.market.catalysts(SESSION) if 0.17 <= abs(np.expm1(c.log_move)) <= 0.40]


@pytest.mark.parametrize("seconds", [15, 60, 300])
def test_gappers_trade_tens_of_times_their_usual_pre_market_volume(seconds: int) -> None:
    gaps = SimulatedProvider(scenario="overnight_gaps", scenario_session=SESSION)
    rows = np.array([gaps.row_of(symbol) for symbol in _gappers(gaps)])
    assert rows.size >= 10
    average = np.mean([bars.volume for bars in gaps.daily_bars(previous_sessions(SESSION, 20))], axis=0)
    at = session_bounds(SESSION).extended_open + timedelta(seconds=seconds)
    pace = gaps.intraday_snapshot(at).session_volume[rows] / (average[rows] * expected_volume_fraction(at))
    assert 5.0 <= float(np.median(pace)) <= 50.0
    assert float(pace.max()) <= 100.0


def _top_list_relative_volumes(result: AnalysisResult) -> dict[str, float | None]:
    return {
        stock.symbol: stock.relative_volume
        for sector in result.sectors
        for stock in (*sector.top_bullish, *sector.top_bearish)
    }


@pytest.mark.parametrize("seconds", [0, 15, 60])
def test_overnight_gaps_top_lists_show_plausible_relative_volumes_at_4am(
    analyses: dict[str, dict[tuple[int, int], AnalysisResult]], seconds: int
) -> None:
    gaps = SimulatedProvider(scenario="overnight_gaps", scenario_session=SESSION)
    at = session_bounds(SESSION).extended_open + timedelta(seconds=seconds)
    inputs = AnalysisInputs.from_settings(
        AnalysisSettings(), ClassificationSources(MemorySectorReferenceStore())
    )
    early = analyze_market(gaps, build_frame(gaps, at, HISTORY, DailyBarsCache()), inputs)
    for result in (early, analyses["overnight_gaps"][(4, 5)]):
        relative = _top_list_relative_volumes(result)
        assert relative
        assert all(value is not None and 0.0 <= value <= 100.0 for value in relative.values()), relative
    # By 04:05 the gappers' heavy trading shows; before that the floor keeps single prints modest.
    settled = _top_list_relative_volumes(analyses["overnight_gaps"][(4, 5)])
    shown = [value for symbol, value in settled.items() if symbol in _gappers(gaps) and value is not None]
    assert len(shown) >= 3 and max(shown) >= 10.0


def test_the_floor_setting_reaches_the_analysis() -> None:
    gaps = SimulatedProvider(scenario="overnight_gaps", scenario_session=SESSION)
    at = session_bounds(SESSION).extended_open + timedelta(seconds=15)
    frame = build_frame(gaps, at, HISTORY, DailyBarsCache())
    sources = ClassificationSources(MemorySectorReferenceStore())
    floored, unfloored = (
        AnalysisInputs.from_settings(
            AnalysisSettings(SECTORLIGHTS_RELATIVE_VOLUME_FLOOR_MINUTES=minutes), sources
        )
        for minutes in (5.0, 0.0)
    )
    assert floored.score_params.relative_volume_floor_minutes == 5.0
    assert unfloored.score_params.relative_volume_floor_minutes == 0.0
    early = _top_list_relative_volumes(analyze_market(gaps, frame, floored))
    raw = _top_list_relative_volumes(analyze_market(gaps, frame, unfloored))
    # 15 seconds into the session the floor holds the gappers' reading near 1; the raw pace shows
    # without it, still within what real gappers trade.
    assert max(value or 0.0 for value in early.values()) <= 5.0
    assert 10.0 <= max(value or 0.0 for value in raw.values()) <= 100.0


def test_winsorising_keeps_a_few_gappers_from_colouring_their_sector(
    analyses: dict[str, dict[tuple[int, int], AnalysisResult]],
) -> None:
    """Consumer discretionary at 04:05 of the overnight gaps: a handful of gappers on tens of times
    their usual volume made it light green under the spec's unbounded mean (+0.35); winsorised, it
    reads as its other 190 members do (docs/validation.md, "The sturdier score")."""
    gaps = SimulatedProvider(scenario="overnight_gaps", scenario_session=SESSION)
    frame = build_frame(gaps, new_york(SESSION, 4, 5), HISTORY, DailyBarsCache())
    spec = AnalysisInputs.from_settings(
        AnalysisSettings(SECTORLIGHTS_SCORE_RULES="spec"), ClassificationSources(MemorySectorReferenceStore())
    )
    assert spec.score_params.winsor_share is None
    consumer = SECTORS.index(Sector.CONSUMER_DISCRETIONARY)
    unbounded = analyze_market(gaps, frame, spec).sectors[consumer]
    sturdy = analyses["overnight_gaps"][(4, 5)].sectors[consumer]
    assert unbounded.color == Color.LIGHT_GREEN
    assert sturdy.color == Color.BLUE_NEUTRAL and not sturdy.insufficient_data
    assert sturdy.stock_count == unbounded.stock_count >= 100


def test_spec_universe_cases_hold_in_every_scenario(
    analyses: dict[str, dict[tuple[int, int], AnalysisResult]],
) -> None:
    for scenario, by_time in analyses.items():
        members = {member.symbol for member in by_time[(12, 0)].members}
        assert {"SOUN", "PRPL", "KOSS"} <= members, scenario
        assert "BBAI" not in members, scenario


# ----- minute bars -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def soun_bars(plain: SimulatedProvider) -> MinuteBars:
    return plain.minute_bars("SOUN", SESSION)


def minute_of(bars: MinuteBars, index: int) -> datetime:
    return datetime.fromtimestamp(int(bars.window_start_ns[index]) / 1e9, NEW_YORK)


def test_minute_bars_cover_the_extended_session(soun_bars: MinuteBars) -> None:
    bounds = session_bounds(SESSION)
    starts = soun_bars.window_start_ns
    assert np.all(np.diff(starts) > 0) and np.all(starts % 60_000_000_000 == 0)
    assert minute_of(soun_bars, 0) >= bounds.extended_open
    assert minute_of(soun_bars, -1) < bounds.extended_close
    assert np.all(soun_bars.volume > 0)
    assert np.all(soun_bars.high >= np.maximum(soun_bars.open, soun_bars.close))
    assert np.all(soun_bars.low <= np.minimum(soun_bars.open, soun_bars.close))


def test_minute_bars_agree_with_daily_bars_and_snapshots(
    plain: SimulatedProvider, soun_bars: MinuteBars
) -> None:
    row = plain.row_of("SOUN")
    assert row is not None
    daily = plain.daily_bars([SESSION])[0]
    bounds = session_bounds(SESSION)
    at_four = plain.intraday_snapshot(bounds.extended_open + timedelta(seconds=1)).last_price[row]
    assert soun_bars.open[0] == pytest.approx(at_four, rel=0.005)
    starts = np.array([minute_of(soun_bars, index) for index in range(soun_bars.open.size)])
    regular = (starts >= bounds.regular_open) & (starts < bounds.regular_close)
    assert soun_bars.close[regular][-1] == daily.close[row]
    assert soun_bars.open[regular][0] == daily.open[row]
    assert np.all(soun_bars.high[regular] <= daily.high[row])
    assert np.all(soun_bars.low[regular] >= daily.low[row])
    assert soun_bars.volume.sum() == pytest.approx(daily.volume[row], rel=0.001)
    for index in (10, 200, 400, 700):
        end = minute_of(soun_bars, index) + timedelta(minutes=1)
        snapshot = plain.intraday_snapshot(end)
        assert soun_bars.close[index] == snapshot.last_price[row]
        assert soun_bars.volume[: index + 1].sum() == snapshot.session_volume[row]


def test_volume_is_u_shaped_and_thin_outside_regular_hours(soun_bars: MinuteBars) -> None:
    start = session_bounds(SESSION).extended_open
    minutes = np.array(
        [(minute_of(soun_bars, i) - start).total_seconds() / 60 for i in range(soun_bars.open.size)]
    )

    def per_minute(first: float, last: float) -> float:
        """Average volume per minute in [04:00 + first, 04:00 + last) minutes."""
        return float(soun_bars.volume[(minutes >= first) & (minutes < last)].sum() / (last - first))

    pre, first_hour, noon = per_minute(60, 300), per_minute(330, 390), per_minute(480, 540)
    last_half_hour, post = per_minute(690, 720), per_minute(780, 960)
    assert first_hour > 2 * noon and last_half_hour > 2 * noon
    assert noon > 3 * pre and noon > 3 * post


def test_thin_names_have_minutes_without_trades(plain: SimulatedProvider) -> None:
    universe = plain.market.universe
    thin = int(np.argmin(np.where(universe.security_types == "CS", universe.base_average_volume, np.inf)))
    bars = plain.minute_bars(str(universe.symbols[thin]), SESSION)
    assert 0 < bars.open.size < 16 * 60
    assert np.all(bars.volume > 0)


def test_minute_bars_refuse_unknown_symbols_and_days_off(plain: SimulatedProvider) -> None:
    with pytest.raises(ProviderError, match="unknown symbol"):
        plain.minute_bars("NOPE", SESSION)
    with pytest.raises(ProviderError, match="not an NYSE trading session"):
        plain.minute_bars("SOUN", THANKSGIVING)


# ----- news --------------------------------------------------------------------------------------

EXPECTED_SENTIMENT = {
    CatalystKind.FDA_APPROVAL: Sentiment.POSITIVE,
    CatalystKind.EARNINGS_BEAT: Sentiment.POSITIVE,
    CatalystKind.FDA_REJECTION: Sentiment.NEGATIVE,
    CatalystKind.EARNINGS_MISS: Sentiment.NEGATIVE,
    CatalystKind.OFFERING: Sentiment.NEGATIVE,
}


def test_every_catalyst_has_an_article_with_matching_sentiment(plain: SimulatedProvider) -> None:
    previous_close = session_bounds(previous_sessions(SESSION, 1)[0]).regular_close
    open_at = session_bounds(SESSION).extended_open
    articles = {article.tickers[0]: article for article in plain.news_desk.session_articles(SESSION)}
    catalysts = plain.market.catalysts(SESSION)
    assert {c.kind for c in catalysts} >= {CatalystKind.EARNINGS_BEAT, CatalystKind.EARNINGS_MISS}
    for catalyst in catalysts:
        article = articles[catalyst.symbol]
        (insight,) = article.insights
        assert insight.ticker == catalyst.symbol
        assert insight.sentiment == EXPECTED_SENTIMENT[catalyst.kind]
        row = plain.row_of(catalyst.symbol)
        assert row is not None
        # One sentence (company names like "Acme Ltd." aside).
        sentence = insight.reasoning.replace(plain.market.universe.names[row], "The company")
        assert sentence.endswith(".") and sentence.count(". ") == 0
        if catalyst.kind in (CatalystKind.EARNINGS_BEAT, CatalystKind.EARNINGS_MISS):
            assert previous_close < article.published_at <= previous_close + timedelta(minutes=30)
        else:
            assert open_at <= article.published_at < open_at + timedelta(minutes=2)


def test_routine_news_is_neutral_and_ids_are_stable(plain: SimulatedProvider) -> None:
    window = (new_york(SESSION, 4), new_york(SESSION, 20))
    items = plain.news(*window, limit=1000)
    neutral = [item for item in items if all(i.sentiment == Sentiment.NEUTRAL for i in item.insights)]
    assert len(neutral) >= 6
    assert len({item.news_id for item in items}) == len(items)
    again = SimulatedProvider().news(*window, limit=1000)
    assert [item.news_id for item in again] == [item.news_id for item in items]


def test_news_window_order_and_limit(plain: SimulatedProvider) -> None:
    since, until = new_york(SESSION, 0), new_york(SESSION, 12)
    items = plain.news(since, until, limit=1000)
    assert items and all(since <= item.published_at < until for item in items)
    times = [item.published_at for item in items]
    assert times == sorted(times, reverse=True)
    assert [item.news_id for item in plain.news(since, until, limit=5)] == [
        item.news_id for item in items[:5]
    ]
    week = plain.news(since - timedelta(days=7), until, limit=1000)
    assert len(week) > len(items)
    assert plain.news(until, since, limit=10) == []
