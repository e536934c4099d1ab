"""The move watcher on the simulated `overnight_gaps` market: gaps are seen within seconds of 04:00 ET
(and the wake-up schedule puts a poll within 30 s of 04:00 and 09:30 ET on every session)."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, date, datetime, time, timedelta

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sectorlights.core.executor import BoundedExecutor
from sectorlights.domain.market import DailyBars, IntradaySnapshot
from sectorlights.domain.sessions import NEW_YORK, is_session, previous_sessions, session_bounds
from sectorlights.domain.vocabulary import SECTORS
from sectorlights.engine.frame_builder import DailyBarsCache
from sectorlights.engine.leader import MemoryClaimStore, MemoryRunLock
from sectorlights.engine.lease import Lease
from sectorlights.engine.move_watcher import MoveWatcher, SectoredMove, next_poll_at, watch_window
from sectorlights.providers.base import ProviderError
from sectorlights.providers.simulated import SimulatedProvider

SESSION = date(2026, 11, 24)  # a Tuesday; the scenario starts here
VENDOR_CALLS = BoundedExecutor("vendor", 2)
MONDAY = date(2026, 11, 23)
WEDNESDAY = date(2026, 11, 25)
THANKSGIVING = date(2026, 11, 26)
FRIDAY = date(2026, 11, 27)
NOT_IN_UNIVERSE_COUNT = 2


def new_york(day: date, hour: int, minute: int = 0, second: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute, second), NEW_YORK)


class SteppedClock:
    """A clock the test (or the fake sleep) moves forward."""

    def __init__(self, at: datetime) -> None:
        self.at = at

    def now(self) -> datetime:
        return self.at

    def advance(self, secs: float) -> None:
        self.at += timedelta(seconds=secs)


class CountingProvider(SimulatedProvider):
    """The simulated provider, counting calls and failing the first `fail_snapshots` snapshots."""

    def __init__(self, fail_snapshots: int = 0, **kwargs: object) -> None:
        super().__init__(scenario="overnight_gaps", scenario_session=SESSION, **kwargs)  # type: ignore[arg-type]
        self.fail_snapshots = fail_snapshots
        self.snapshot_calls: list[datetime] = []
        self.daily_bars_calls: list[list[date]] = []

    def intraday_snapshot(self, at: datetime) -> IntradaySnapshot:
        self.snapshot_calls.append(at)
        if self.fail_snapshots > 0:
            self.fail_snapshots -= 1
            raise ProviderError("simulated outage")
        return super().intraday_snapshot(at)

    def daily_bars(self, sessions: Sequence[date]) -> list[DailyBars]:
        self.daily_bars_calls.append(list(sessions))
        return super().daily_bars(sessions)


@pytest.fixture(scope="module")
def reference() -> SimulatedProvider:
    return SimulatedProvider(scenario="overnight_gaps", scenario_session=SESSION)


@pytest.fixture(scope="module")
def gapped(reference: SimulatedProvider, real_change_at_4: dict[str, float]) -> list[str]:
    """The scenario's 04:00 catalysts of at least 17% (its earnings gaps are 18-40%) that leave the
    stock at least 15% away from Monday's real close (the day's other moves can eat into a gap)."""
    symbols = sorted(
        c.symbol
        for c in reference.market.catalysts(SESSION)
        if abs(np.expm1(c.log_move)) >= 0.17 and abs(real_change_at_4[c.symbol]) >= 15.0
    )
    assert len(symbols) >= 10
    return symbols


def sector_of(provider: SimulatedProvider, symbol: str) -> str:
    row = provider.row_of(symbol)
    assert row is not None
    return SECTORS[int(provider.market.universe.sector_index[row])].value


@pytest.fixture(scope="module")
def universe(reference: SimulatedProvider, gapped: list[str]) -> dict[str, str]:
    """Every gapping stock but the first two, plus 200 ordinary listings, with their sectors."""
    ordinary = [str(s) for s in reference.market.universe.symbols[:300].tolist() if str(s) not in gapped]
    members = gapped[NOT_IN_UNIVERSE_COUNT:] + ordinary[:200]
    return {symbol: sector_of(reference, symbol) for symbol in members}


@pytest.fixture(scope="module")
def real_change_at_4(reference: SimulatedProvider) -> dict[str, float]:
    """Each listing's change from Monday's real close to its price at 04:00:10 ET Tuesday, in percent."""
    [bars] = reference.daily_bars([MONDAY])
    snapshot = reference.intraday_snapshot(new_york(SESSION, 4, 0, 10))
    assert np.array_equal(bars.symbols, snapshot.symbols)
    change = (snapshot.last_price / bars.close - 1.0) * 100.0
    return dict(zip(bars.symbols.tolist(), change.tolist(), strict=True))


class Recorder:
    def __init__(self) -> None:
        self.calls: list[list[SectoredMove]] = []
        self.called = asyncio.Event()

    async def __call__(self, moves: list[SectoredMove]) -> None:
        self.calls.append(moves)
        self.called.set()


def watcher_for(
    provider: SimulatedProvider, universe: dict[str, str], clock: SteppedClock, **kwargs: object
) -> tuple[MoveWatcher, Recorder]:
    recorder = Recorder()
    return MoveWatcher(  # type: ignore[misc]
        provider, clock, lambda: universe, recorder, vendor_calls=VENDOR_CALLS, **kwargs
    ), recorder


# ----- one poll at a time -------------------------------------------------------------------------


async def test_nothing_before_4am_and_the_gaps_right_after(
    universe: dict[str, str], gapped: list[str], real_change_at_4: dict[str, float]
) -> None:
    provider = CountingProvider()
    clock = SteppedClock(new_york(SESSION, 3, 59))
    watcher, recorder = watcher_for(provider, universe, clock)

    assert await watcher.poll_once(new_york(SESSION, 3, 59)) == []
    assert provider.snapshot_calls == [] and recorder.calls == []

    found = await watcher.poll_once(new_york(SESSION, 4, 0, 10))
    symbols = {move.symbol for move, _ in found}
    # Exactly the universe stocks whose real change from Monday's close is 15% or more.
    expected = {symbol for symbol in universe if abs(real_change_at_4[symbol]) >= 15.0}
    assert symbols == expected
    # The scenario's gaps are among them; the gapping stocks outside the universe are not.
    assert set(gapped[NOT_IN_UNIVERSE_COUNT:]) <= symbols
    assert not set(gapped[:NOT_IN_UNIVERSE_COUNT]) & symbols
    [bars] = provider.daily_bars([MONDAY])
    closes = dict(zip(bars.symbols.tolist(), bars.close.tolist(), strict=True))
    for move, sector in found:
        assert sector == universe[move.symbol]
        assert move.previous_close == closes[move.symbol]
        assert abs(move.price / closes[move.symbol] - 1.0) >= 0.15
        assert move.change_pct == pytest.approx(real_change_at_4[move.symbol])
        assert move.direction == ("up" if move.change_pct > 0 else "down")
    sizes = [abs(move.change_pct) for move, _ in found]
    assert sizes == sorted(sizes, reverse=True)
    assert recorder.calls == [found]

    # One snapshot per poll, and Monday's bars were fetched once, for Monday only.
    assert provider.snapshot_calls == [new_york(SESSION, 4, 0, 10)]
    assert provider.daily_bars_calls[:1] == [[MONDAY]]


async def test_each_stock_triggers_once_a_session(universe: dict[str, str]) -> None:
    provider = CountingProvider()
    clock = SteppedClock(new_york(SESSION, 4))
    watcher, recorder = watcher_for(provider, universe, clock)
    first = await watcher.poll_once(new_york(SESSION, 4, 0, 10))
    assert first
    assert await watcher.poll_once(new_york(SESSION, 4, 0, 25)) == []
    assert await watcher.poll_once(new_york(SESSION, 9, 30, 2)) == []
    assert len(recorder.calls) == 1
    assert len(provider.snapshot_calls) == 3
    assert provider.daily_bars_calls == [[MONDAY]]  # cached for the session

    # Wednesday is a new session against Tuesday's close: the tracker starts afresh.
    wednesday = await watcher.poll_once(new_york(WEDNESDAY, 4, 0, 10))
    assert provider.daily_bars_calls == [[MONDAY], [SESSION]]
    assert watcher.tracker.session == WEDNESDAY
    assert watcher.tracker.flagged == {move.symbol for move, _ in wednesday}


async def test_a_stock_joining_the_universe_later_is_reported_then(
    universe: dict[str, str], gapped: list[str]
) -> None:
    members = dict(universe)
    provider = CountingProvider()
    watcher = MoveWatcher(
        provider, SteppedClock(new_york(SESSION, 4)), lambda: members, Recorder(), vendor_calls=VENDOR_CALLS
    )
    first = {move.symbol for move, _ in await watcher.poll_once(new_york(SESSION, 4, 0, 10))}
    assert gapped[0] not in first
    members[gapped[0]] = "Technology"
    later = await watcher.poll_once(new_york(SESSION, 4, 5))
    assert [(move.symbol, sector) for move, sector in later] == [(gapped[0], "Technology")]


async def test_shared_bars_cache_saves_the_daily_bars_call(universe: dict[str, str]) -> None:
    provider = CountingProvider()
    cache = DailyBarsCache()
    cache.fetch(provider, previous_sessions(SESSION, 3))  # what the engine's analysis fetched
    calls_before = len(provider.daily_bars_calls)
    watcher, _ = watcher_for(provider, universe, SteppedClock(new_york(SESSION, 4)), bars_cache=cache)
    assert await watcher.poll_once(new_york(SESSION, 4, 0, 10))
    assert len(provider.daily_bars_calls) == calls_before


async def test_holidays_weekends_and_nights_are_not_polled(universe: dict[str, str]) -> None:
    provider = CountingProvider()
    watcher, recorder = watcher_for(provider, universe, SteppedClock(new_york(SESSION, 4)))
    for moment in (
        new_york(THANKSGIVING, 10),
        new_york(date(2026, 11, 28), 10),  # Saturday
        new_york(SESSION, 20),
        new_york(SESSION, 23, 59),
        new_york(SESSION, 3, 59, 59),
    ):
        assert await watcher.poll_once(moment) == []
    assert provider.snapshot_calls == [] and recorder.calls == []


async def test_a_snapshot_of_an_older_session_is_skipped(universe: dict[str, str]) -> None:
    class StaleProvider(CountingProvider):
        def intraday_snapshot(self, at: datetime) -> IntradaySnapshot:
            return super().intraday_snapshot(new_york(MONDAY, 19, 59))

    provider = StaleProvider()
    watcher, recorder = watcher_for(provider, universe, SteppedClock(new_york(SESSION, 4)))
    assert await watcher.poll_once(new_york(SESSION, 4, 0, 10)) == []
    assert recorder.calls == [] and watcher.tracker.flagged == frozenset()


async def test_an_empty_universe_reports_nothing() -> None:
    provider = CountingProvider()
    watcher = MoveWatcher(
        provider, SteppedClock(new_york(SESSION, 4)), dict, Recorder(), vendor_calls=VENDOR_CALLS
    )
    assert await watcher.poll_once(new_york(SESSION, 4, 0, 10)) == []


# ----- the loop -----------------------------------------------------------------------------------


async def run_loop_until_called(watcher: MoveWatcher, recorder: Recorder) -> None:
    await watcher.start()
    try:
        await asyncio.wait_for(recorder.called.wait(), timeout=30.0)
    finally:
        await watcher.stop()
    assert not watcher.running


def fake_sleep(clock: SteppedClock) -> Callable[[float], Awaitable[None]]:
    async def sleep(secs: float) -> None:
        clock.advance(secs)
        await asyncio.sleep(0)

    return sleep


async def test_the_loop_polls_within_seconds_of_4am(universe: dict[str, str]) -> None:
    provider = CountingProvider()
    clock = SteppedClock(new_york(SESSION, 3, 50))
    watcher, recorder = watcher_for(provider, universe, clock, sleep=fake_sleep(clock))
    await run_loop_until_called(watcher, recorder)
    assert len(recorder.calls) == 1
    # No poll before 04:00; the first one right after it.
    assert provider.snapshot_calls[0] == new_york(SESSION, 4, 0, 2)
    assert all(at >= new_york(SESSION, 4) for at in provider.snapshot_calls)
    assert {move.symbol for move, _ in recorder.calls[0]}


async def test_a_failing_poll_is_retried_next_interval(universe: dict[str, str]) -> None:
    provider = CountingProvider(fail_snapshots=2)
    clock = SteppedClock(new_york(SESSION, 3, 59, 50))
    watcher, recorder = watcher_for(provider, universe, clock, sleep=fake_sleep(clock))
    await run_loop_until_called(watcher, recorder)
    assert watcher.failures == 2
    assert provider.snapshot_calls[:3] == [
        new_york(SESSION, 4, 0, 2),
        new_york(SESSION, 4, 0, 17),
        new_york(SESSION, 4, 0, 32),
    ]
    assert len(recorder.calls) == 1


async def test_a_failing_callback_does_not_kill_the_loop(universe: dict[str, str]) -> None:
    clock = SteppedClock(new_york(SESSION, 3, 59, 50))
    seen: list[list[SectoredMove]] = []

    async def flaky(moves: list[SectoredMove]) -> None:
        seen.append(moves)
        raise RuntimeError("the recomputation failed")

    past_4_01 = asyncio.Event()

    async def sleep(secs: float) -> None:
        clock.advance(secs)
        if clock.now() >= new_york(SESSION, 4, 1):
            past_4_01.set()
        await asyncio.sleep(0)

    provider = CountingProvider()
    watcher = MoveWatcher(provider, clock, lambda: universe, flaky, sleep=sleep, vendor_calls=VENDOR_CALLS)
    await watcher.start()
    try:
        await asyncio.wait_for(past_4_01.wait(), timeout=30.0)
    finally:
        await watcher.stop()
    # The callback failed once; the loop kept polling (and the stocks stay reported).
    assert len(seen) == 1 and watcher.failures == 1
    assert watcher.polls >= 4


async def test_the_loop_on_an_accelerated_clock_sleeps_less_in_real_time(universe: dict[str, str]) -> None:
    clock = SteppedClock(new_york(SESSION, 3, 59))
    requested: list[float] = []

    async def sleep(secs: float) -> None:
        requested.append(secs)
        clock.advance(secs * 60.0)
        await asyncio.sleep(0)

    provider = CountingProvider()
    watcher, recorder = watcher_for(
        provider, universe, clock, sleep=sleep, clock_speed=60.0, max_sleep_secs=0.5
    )
    await run_loop_until_called(watcher, recorder)
    assert len(recorder.calls) == 1
    assert requested and max(requested) <= 0.5
    # 62 clock seconds from 03:59:00 to the 04:00:02 poll, slept in real steps of at most 0.5 s.
    assert provider.snapshot_calls[0] == new_york(SESSION, 4, 0, 2)
    assert len(requested) >= 3


def test_settings_are_checked(reference: SimulatedProvider, universe: dict[str, str]) -> None:
    provider = reference
    clock = SteppedClock(new_york(SESSION, 4))
    for bad in (
        {"poll_interval_secs": 0.0},
        {"anchor_lag_secs": -1.0},
        {"clock_speed": 0.0},
        {"max_sleep_secs": 0.0},
    ):
        with pytest.raises(ValueError):
            watcher_for(provider, universe, clock, **bad)


# ----- the wake-up schedule -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        pytest.param(new_york(SESSION, 3, 59), new_york(SESSION, 4, 0, 2), id="03:59 waits for 04:00:02"),
        pytest.param(new_york(SESSION, 0, 0), new_york(SESSION, 4, 0, 2), id="midnight waits for 04:00:02"),
        pytest.param(new_york(SESSION, 4, 0, 1), new_york(SESSION, 4, 0, 2), id="04:00:01 to 04:00:02"),
        pytest.param(new_york(SESSION, 4, 0, 2), new_york(SESSION, 4, 0, 17), id="interval after 04:00"),
        pytest.param(new_york(SESSION, 9, 29, 40), new_york(SESSION, 9, 29, 55), id="interval before 09:30"),
        pytest.param(new_york(SESSION, 9, 29, 55), new_york(SESSION, 9, 30, 2), id="09:30:02 comes first"),
        pytest.param(new_york(SESSION, 9, 30, 2), new_york(SESSION, 9, 30, 17), id="interval after 09:30"),
        pytest.param(new_york(SESSION, 19, 59, 40), new_york(SESSION, 19, 59, 55), id="last poll of the day"),
        pytest.param(new_york(SESSION, 19, 59, 50), new_york(WEDNESDAY, 4, 0, 2), id="after 20:00: tomorrow"),
        pytest.param(new_york(SESSION, 20, 0), new_york(WEDNESDAY, 4, 0, 2), id="20:00: tomorrow"),
        pytest.param(new_york(WEDNESDAY, 19, 59, 50), new_york(FRIDAY, 4, 0, 2), id="Thanksgiving skipped"),
        pytest.param(new_york(THANKSGIVING, 10), new_york(FRIDAY, 4, 0, 2), id="on Thanksgiving: Friday"),
        pytest.param(new_york(date(2026, 11, 20), 20), new_york(MONDAY, 4, 0, 2), id="Friday night: Monday"),
        pytest.param(new_york(date(2026, 11, 21), 12), new_york(MONDAY, 4, 0, 2), id="Saturday: Monday"),
        pytest.param(new_york(date(2026, 11, 22), 4, 0, 2), new_york(MONDAY, 4, 0, 2), id="Sunday 04:00"),
        pytest.param(
            new_york(date(2026, 12, 24), 19, 59, 59), new_york(date(2026, 12, 28), 4, 0, 2), id="Christmas"
        ),
        # DST starts on Sunday 2026-03-08: Friday 04:00 EST is 09:00 UTC, Monday 04:00 EDT is 08:00 UTC.
        pytest.param(
            new_york(date(2026, 3, 6), 20), datetime(2026, 3, 9, 8, 0, 2, tzinfo=UTC), id="DST start"
        ),
        pytest.param(
            new_york(date(2026, 3, 8), 1, 59), datetime(2026, 3, 9, 8, 0, 2, tzinfo=UTC), id="DST night"
        ),
        pytest.param(
            datetime(2026, 3, 9, 13, 29, 50, tzinfo=UTC),
            datetime(2026, 3, 9, 13, 30, 2, tzinfo=UTC),
            id="09:30 EDT on the first DST session",
        ),
        # DST ends on Sunday 2026-11-01: Monday 04:00 EST is 09:00 UTC.
        pytest.param(
            new_york(date(2026, 10, 30), 21), datetime(2026, 11, 2, 9, 0, 2, tzinfo=UTC), id="DST end"
        ),
        pytest.param(
            datetime(2026, 11, 2, 14, 29, 55, tzinfo=UTC),
            datetime(2026, 11, 2, 14, 30, 2, tzinfo=UTC),
            id="09:30 EST after DST ends",
        ),
    ],
)
def test_next_poll_at(now: datetime, expected: datetime) -> None:
    result = next_poll_at(now, poll_interval_secs=15.0, anchor_lag_secs=2.0)
    assert result == expected
    assert result.tzinfo is UTC
    assert watch_window(result) is not None


def test_next_poll_at_needs_an_aware_time_and_sane_settings() -> None:
    with pytest.raises(ValueError, match="aware"):
        next_poll_at(datetime(2026, 11, 24, 4))
    with pytest.raises(ValueError, match="interval"):
        next_poll_at(new_york(SESSION, 4), poll_interval_secs=0.0)
    with pytest.raises(ValueError, match="lag"):
        next_poll_at(new_york(SESSION, 4), anchor_lag_secs=-1.0)


def test_watch_window() -> None:
    assert watch_window(new_york(SESSION, 4)) == (new_york(SESSION, 4), new_york(SESSION, 20))
    assert watch_window(new_york(SESSION, 19, 59, 59)) is not None
    assert watch_window(new_york(SESSION, 20)) is None
    assert watch_window(new_york(SESSION, 3, 59, 59)) is None
    assert watch_window(new_york(THANKSGIVING, 12)) is None
    assert watch_window(new_york(FRIDAY, 19)) is not None  # an early-close day keeps its extended hours


def anchors_between(start: datetime, end: datetime) -> list[datetime]:
    out = []
    day = start.astimezone(NEW_YORK).date()
    while day <= end.astimezone(NEW_YORK).date():
        if is_session(day):
            bounds = session_bounds(day)
            out += [a for a in (bounds.extended_open, bounds.regular_open) if start <= a <= end]
        day += timedelta(days=1)
    return out


@pytest.mark.parametrize(
    ("first", "last"),
    [
        pytest.param(date(2026, 11, 20), date(2026, 11, 30), id="Thanksgiving week"),
        pytest.param(date(2026, 3, 6), date(2026, 3, 10), id="DST start"),
        pytest.param(date(2026, 10, 30), date(2026, 11, 3), id="DST end"),
    ],
)
def test_walking_the_schedule_polls_within_30s_of_every_open(first: date, last: date) -> None:
    """Following next_poll_at from one midnight to another: every 04:00 and 09:30 ET of a session has
    a poll within 30 s after it, no poll falls outside extended hours, and polls inside them are at
    most the interval apart."""
    start, end = new_york(first, 0), new_york(last, 23, 59)
    polls: list[datetime] = []
    now = start
    while now < end:
        now = next_poll_at(now, 15.0, 2.0)
        polls.append(now)
    assert all(watch_window(poll) is not None for poll in polls)
    positions = np.array([poll.timestamp() for poll in polls])
    for anchor in anchors_between(start, polls[-1]):
        index = int(np.searchsorted(positions, anchor.timestamp()))
        assert 0 <= (polls[index] - anchor).total_seconds() <= 30.0, anchor
    for earlier, later in itertools.pairwise(polls):
        if watch_window(earlier) == watch_window(later):
            assert (later - earlier).total_seconds() <= 15.0


@settings(max_examples=300, deadline=None)
@given(
    moment=st.datetimes(
        min_value=datetime(2025, 1, 1), max_value=datetime(2027, 12, 1), timezones=st.just(UTC)
    ),
    interval=st.floats(min_value=1.0, max_value=120.0),
)
def test_next_poll_never_skips_an_open(moment: datetime, interval: float) -> None:
    result = next_poll_at(moment, interval, 2.0)
    assert result > moment
    assert watch_window(result) is not None
    # No 04:00 or 09:30 instant is passed over: each one before the poll has been polled for.
    for anchor in anchors_between(moment - timedelta(days=1), result):
        assert not (moment < anchor + timedelta(seconds=2) < result)
    if watch_window(moment) is not None and watch_window(moment) == watch_window(result):
        assert (result - moment).total_seconds() <= interval + 1e-6  # timedelta rounds to microseconds


async def test_replicas_poll_one_at_a_time_and_hand_over_on_stop(universe: dict[str, str]) -> None:
    """Two watchers (replicas) on one lease: only the holder calls the vendor; once it stops, the
    other takes over at its next wake-up."""
    store = MemoryClaimStore()
    past = {name: asyncio.Event() for name in ("one", "other")}
    clocks = {name: SteppedClock(new_york(SESSION, 3, 59, 50)) for name in past}

    def sleeper(name: str, until: datetime) -> Callable[[float], Awaitable[None]]:
        async def sleep(secs: float) -> None:
            clocks[name].advance(secs)
            if clocks[name].now() >= until:
                past[name].set()
            await asyncio.sleep(0.001)

        return sleep

    providers = {name: CountingProvider() for name in past}
    watchers = {
        name: MoveWatcher(
            providers[name],
            clocks[name],
            lambda: universe,
            Recorder(),
            sleep=sleeper(name, new_york(SESSION, 4, 2)),
            lease=Lease(MemoryRunLock(store), "lease:move-watcher", 600.0),
            vendor_calls=VENDOR_CALLS,
        )
        for name in past
    }
    await watchers["one"].start()
    await asyncio.wait_for(past["one"].wait(), timeout=30.0)
    await watchers["other"].start()
    try:
        await asyncio.wait_for(past["other"].wait(), timeout=30.0)
        assert len(providers["one"].snapshot_calls) >= 4
        assert providers["other"].snapshot_calls == []
        await watchers["one"].stop()
        calls_of_one = len(providers["one"].snapshot_calls)
        past["other"].clear()
        watchers["other"]._sleep = sleeper("other", new_york(SESSION, 4, 4))
        await asyncio.wait_for(past["other"].wait(), timeout=30.0)
        assert len(providers["other"].snapshot_calls) >= 4
        assert len(providers["one"].snapshot_calls) == calls_of_one
    finally:
        for watcher in watchers.values():
            await watcher.stop()
