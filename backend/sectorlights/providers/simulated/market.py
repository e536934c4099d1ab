"""Prices and volumes of the simulated market, session by session and minute by minute.

Daily model. Each listing's log price is its base level plus a deviation x that mean-reverts:
x_d = phi * x_{d-1} + eps_d, with eps_d = beta * market_d + loadings . sectors_d + sigma * t_d + jump_d
(t_d Student-t with fat tails, jump_d a rare catalyst: earnings, an offering, an FDA decision). x_d is
computed as the truncated sum over the last ~MEMORY_SESSIONS innovations, so any session can be
computed on its own, and every draw is seeded by (seed, stream, session ordinal): the same call gives
the same numbers in any process and in any order of calls.

Intraday model. Each session is a handful of knots (04:00, 07:00, the 09:30 open, five points of a
Brownian bridge to the regular close, the close, two after-hours points) linearly interpolated, plus
small seeded minute noise that vanishes at every knot, so the open and close in the daily bars are
exactly the snapshot prices at 09:30 and at the close. The minute noise is a counter-based hash of
(seed, session, minute, listing), so one listing's whole day (its minute bars) costs as little as
one minute of the whole market (a snapshot), and both agree to the bit.
The volume so far follows the typical intraday profile, leaning towards the morning on catalyst
days at a bounded pace (front_loaded_share).

Scenarios (scenarios.py) change the innovations of every session from their first session on.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import IntEnum

import numpy as np
import numpy.typing as npt

from sectorlights.domain.sessions import (
    MINUTES_PER_SESSION,
    current_session,
    expected_volume_fraction,
    is_session,
    previous_sessions,
    session_bounds,
)
from sectorlights.domain.vocabulary import SECTORS, Sector
from sectorlights.domain.volume_profile import (
    cumulative_volume_profile,  # the one volume profile, shared with expected_volume_fraction
)
from sectorlights.providers.simulated.reference import SECTOR_BEHAVIOUR, SECTOR_INDEX
from sectorlights.providers.simulated.scenarios import ScenarioShock, scenario_shock
from sectorlights.providers.simulated.universe import StaticUniverse, build_universe

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
UIntArray = npt.NDArray[np.uint64]

MEAN_REVERSION_PHI = 0.97
MEMORY_SESSIONS = 120  # phi^120 = 2.6%: older innovations no longer matter (120-129 with blocks)
MARKET_SIGMA_DAILY = 0.010
STUDENT_T_DEGREES_OF_FREEDOM = 4  # fat tails; the draw below is specific to 4
# The spec's named tickers revert faster (half-life ~7 sessions) and follow their raw path at 80%
# inside a soft ±15% bound, so they move every day without sitting at the edge of the bound.
NAMED_MEAN_REVERSION_PHI = 0.9
NAMED_PRICE_SLOPE = 0.8
NAMED_GAP_DAY_SHARE = 0.3
PREMARKET_MINUTES = 180.0  # 07:00, a knot between the 04:00 catalyst jump and the open
REGULAR_OPEN_MINUTES = 330.0  # 09:30
# Brownian-bridge knots between the open and the close, as fractions of the regular session.
BRIDGE_FRACTIONS = np.array([0.08, 0.25, 0.45, 0.65, 0.85, 1.0])
BRIDGE_STEP_SCALES = np.sqrt(np.diff(BRIDGE_FRACTIONS, prepend=0.0))
KNOT_COUNT = 3 + (BRIDGE_FRACTIONS.size - 1) + 3
OPEN_KNOT = 2
CLOSE_KNOT = OPEN_KNOT + BRIDGE_FRACTIONS.size
MINIMUM_PRICE = 0.0001
UNIFORM_TO_UNIT_VARIANCE = math.sqrt(12.0)
# Enough for a 25-session run plus the 120-session memory, at ~70 KB per session and listing set.
INNOVATION_CACHE_SESSIONS = 192
BLOCK_CALENDAR_DAYS = 14  # the memory is summed in blocks of two calendar weeks (up to 10 sessions)
BLOCK_CACHE_SIZE = 32
CLOSE_CACHE_SESSIONS = 64
PATH_CACHE_SESSIONS = 32
# Scenario gaps go to liquid exchange-listed common stock that the universe filter keeps.
GAP_EXCHANGES = ("XNAS", "XNYS", "XASE", "ARCX")
GAP_CAP_RANGE = (5e7, 1.5e9)
GAP_PRICE_RANGE = (5.0, 40.0)
GAP_MIN_AVERAGE_VOLUME = 2e6
# SplitMix64 constants (Steele, Lea & Flood 2014) for the counter-based minute noise.
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_MIX_1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX_2 = np.uint64(0x94D049BB133111EB)
_ROW_STRIDE = np.uint64(0xD1B54A32D192ED03)
_UINT64_MASK = (1 << 64) - 1
_CHUNK_MASK = np.uint64(0xFFFF)
_CHUNK_SHIFTS = (np.uint64(0), np.uint64(16), np.uint64(32), np.uint64(48))
# Four 16-bit uniforms summed (Irwin-Hall) and scaled to unit variance: close to normal, |z| <= 3.46.
_IRWIN_HALL_MEAN = 4 * 65535 / 2
_IRWIN_HALL_SCALE = 1.0 / math.sqrt(4 * (65536**2 - 1) / 12)


class Stream(IntEnum):
    """The purpose of a random draw; part of every seed so that streams never overlap."""

    FACTORS = 10
    INNOVATION = 11
    AFTER_HOURS = 12
    PATH = 13
    MINUTE_NOISE = 14
    NAMED_GAPS = 15
    SCENARIO = 16
    NEWS = 17
    MINUTE_WICKS = 18


class CatalystKind(IntEnum):
    NONE = 0
    EARNINGS_BEAT = 1
    EARNINGS_MISS = 2
    OFFERING = 3
    FDA_APPROVAL = 4
    FDA_REJECTION = 5


@dataclass(frozen=True, slots=True)
class Innovation:
    """One session's shocks to every listing's log price; catalysts are few, so they are kept sparse."""

    total: FloatArray  # eps_d, the innovation of the mean-reverting deviation
    named_total: FloatArray  # eps_d of the named tickers, which revert faster
    catalyst_rows: IntArray
    catalyst_jump: FloatArray  # log move; part of eps_d, and shows as an overnight gap at 04:00
    catalyst_kind: npt.NDArray[np.int8]
    # Scenario sessions only: the sector moves that show as a 04:00 gap, the damping of the day's
    # wiggles, and the shift of its log volume.
    gap: FloatArray | None = None
    damping: float = 1.0
    log_volume_shift: float = 0.0

    def dense_jump(self, size: int) -> FloatArray:
        """The log move at 04:00: catalysts plus any scenario gap."""
        if self.gap is None:
            jump = np.zeros(size)
            jump[self.catalyst_rows] = self.catalyst_jump
            return jump
        jump = self.gap.copy()
        jump[self.catalyst_rows] += self.catalyst_jump
        return jump


@dataclass(frozen=True, slots=True)
class _Block:
    sessions: tuple[date, ...]  # oldest first
    weighted: FloatArray  # sum of phi^age x eps, age counted from the block's newest session
    named_weighted: FloatArray  # the same for the named tickers, with their own phi


@dataclass(frozen=True, slots=True)
class Catalyst:
    symbol: str
    kind: CatalystKind
    log_move: float


def front_loaded_share(fraction: FloatArray | float, warp: FloatArray | float) -> FloatArray:
    """Share of a listing's day volume traded once the typical day has traded `fraction` of its own.

    f / (f + warp (1 - f)): 0 at 04:00, exactly 1 at 20:00, and the listing trades at 1 / warp times
    its day's typical pace at 04:00 and at warp times that pace at 20:00. A power law f ** warp
    front-loads a catalyst day too, but its pace at 04:00 is unbounded: a stock that gapped on news
    would trade a sizeable share of a whole day within its first seconds, thousands of times its usual
    pre-market volume, where real gappers trade tens of times theirs.
    """
    share = np.asarray(fraction, dtype=np.float64)
    return share / (share + np.asarray(warp, dtype=np.float64) * (1.0 - share))


@dataclass(frozen=True, slots=True)
class SessionPath:
    """Everything needed to price one session at any minute from 04:00 to 20:00."""

    session: date
    knot_minutes: FloatArray  # (knots,) minutes since 04:00; the close follows early-close days
    knot_deviation: FloatArray  # (knots, listings) raw log deviation from the base price
    open: FloatArray
    high: FloatArray
    low: FloatArray
    close: FloatArray
    volume: FloatArray  # the whole day's volume, 04:00-20:00
    # How the day's volume leans on the typical profile (front_loaded_share): < 1 front-loads it
    # (catalysts), > 1 holds it back.
    volume_warp: FloatArray


class SimulatedMarket:
    """The deterministic market of one seed: static listings plus seeded daily and intraday paths.

    With a scenario, every session from `scenario_session` on is a scenario day (from the first
    session of the calendar when `scenario_session` is None).
    """

    def __init__(
        self,
        seed: int = 7,
        listing_count: int = 8_500,
        scenario: str | None = None,
        scenario_session: date | None = None,
    ) -> None:
        self.seed = seed
        self.scenario: ScenarioShock | None = scenario_shock(scenario)
        self.scenario_session = scenario_session
        self.universe: StaticUniverse = build_universe(seed, listing_count)
        universe = self.universe
        self._size = universe.size
        self._sector_sigma = np.array([SECTOR_BEHAVIOUR[sector].factor_sigma_daily for sector in SECTORS])
        loadings = universe.sector_loadings
        # Most listings load on one sector: a gather serves them; the few blended ones (IWM) are
        # summed row by row.
        self._primary_loading = loadings[np.arange(self._size), universe.sector_index]
        self._blended_rows = np.flatnonzero(np.count_nonzero(loadings, axis=1) > 1)
        self._blended_loadings = loadings[self._blended_rows]
        # Summed sector by sector rather than with a matrix product, whose BLAS kernel could round
        # differently from one process to the next.
        factor_variance = (universe.market_beta * MARKET_SIGMA_DAILY) ** 2
        for sector_row, sigma in enumerate(self._sector_sigma.tolist()):
            factor_variance = factor_variance + (loadings[:, sector_row] * sigma) ** 2
        self._daily_sigma = np.sqrt(factor_variance + universe.idiosyncratic_sigma**2)
        self._noise_amplitude = 0.1 * self._daily_sigma
        self._bounded_rows = np.flatnonzero(~np.isnan(universe.price_band))
        self._price_band = universe.price_band
        self._volume_banded_rows = np.flatnonzero(~np.isnan(universe.volume_band))
        self._volume_band = universe.volume_band
        self._log_base_price = np.log(universe.base_price)
        self._row_keys = np.arange(self._size, dtype=np.uint64) * _ROW_STRIDE
        # Scales the Student-t draw to unit variance.
        self._t_scale = math.sqrt((STUDENT_T_DEGREES_OF_FREEDOM - 2.0) / STUDENT_T_DEGREES_OF_FREEDOM)
        # Per-instance caches (not method decorators) so that each market frees its own memory.
        self._innovation = functools.lru_cache(maxsize=INNOVATION_CACHE_SESSIONS)(self._compute_innovation)
        self._block = functools.lru_cache(maxsize=BLOCK_CACHE_SIZE)(self._compute_block)
        self._close_state = functools.lru_cache(maxsize=CLOSE_CACHE_SESSIONS)(self._compute_close_state)
        self._path = functools.lru_cache(maxsize=PATH_CACHE_SESSIONS)(self._compute_path)

    # ----- public API -------------------------------------------------------------------------

    @property
    def size(self) -> int:
        return self._size

    @property
    def noise_amplitude(self) -> FloatArray:
        """Per-listing amplitude (log) of the minute noise: a tenth of the daily sigma."""
        return self._noise_amplitude

    def price_of(self, deviation: FloatArray) -> FloatArray:
        """Every listing's quoted price at a log deviation from its base level."""
        return self._price(np.array(deviation, dtype=np.float64))

    def scenario_active(self, session: date) -> bool:
        """True when `session` is a scenario day."""
        return self.scenario is not None and (
            self.scenario_session is None or session >= self.scenario_session
        )

    def session_path(self, session: date) -> SessionPath:
        """The cached intraday path of a trading session; ValueError when `session` is not one."""
        if not is_session(session):
            raise ValueError(f"{session.isoformat()} is not an NYSE trading session")
        return self._path(session)

    def state_at(self, at: datetime) -> tuple[date, FloatArray, FloatArray]:
        """(session, last price, cumulative session volume) at `at`; off hours give the last 20:00 state."""
        if at.tzinfo is None:
            raise ValueError("a timezone-aware datetime is required")
        session = current_session(at)
        bounds = session_bounds(session)
        moment = min(at, bounds.extended_close)
        minutes = (moment - bounds.extended_open).total_seconds() / 60.0
        path = self._path(session)
        price = self._price(self._deviation_at(path, minutes))
        fraction = 1.0 if moment >= bounds.extended_close else min(1.0, expected_volume_fraction(at))
        volume = np.floor(path.volume * front_loaded_share(fraction, path.volume_warp))
        return session, price, volume

    def last_close(self, at: datetime) -> FloatArray:
        """Regular-session close of the last session whose close is at or before `at`."""
        if at.tzinfo is None:
            raise ValueError("a timezone-aware datetime is required")
        session = current_session(at)
        if at < session_bounds(session).regular_close:
            earlier = previous_sessions(session, 1)
            if not earlier:
                raise ValueError(f"no regular close before {at.isoformat()}")
            session = earlier[0]
        return self._path(session).close

    def catalysts(self, session: date) -> list[Catalyst]:
        """The catalysts that hit listings at 04:00 of `session` (earnings, offerings, FDA decisions)."""
        innovation = self._innovation(session)
        symbols = self.universe.symbols
        return [
            Catalyst(str(symbols[row]), CatalystKind(kind), move)
            for row, kind, move in zip(
                innovation.catalyst_rows.tolist(),
                innovation.catalyst_kind.tolist(),
                innovation.catalyst_jump.tolist(),
                strict=True,
            )
        ]

    def minute_path(self, session: date, row: int) -> tuple[FloatArray, FloatArray]:
        """One listing's price and cumulative session volume at every whole minute 04:00-20:00.

        Both arrays have MINUTES_PER_SESSION + 1 entries (04:00 ... 20:00) and equal, bit for bit,
        what `state_at` gives for that listing at those instants.
        """
        path = self.session_path(session)
        knot_minutes = path.knot_minutes
        minutes = np.arange(MINUTES_PER_SESSION + 1, dtype=np.float64)
        noise = self._row_minute_noise(session, row)
        knot_values = path.knot_deviation[:, row]
        amplitude = float(self._noise_amplitude[row])
        # The same scalar steps as _deviation_at, one minute at a time, so the results match.
        deviation = np.empty(MINUTES_PER_SESSION + 1)
        knot_list = knot_minutes.tolist()
        values = knot_values.tolist()
        noise_list = noise.tolist()
        segment_of = np.clip(np.searchsorted(knot_minutes, minutes, side="right") - 1, 0, KNOT_COUNT - 2)
        for minute, segment in enumerate(segment_of.tolist()):
            start, end = knot_list[segment], knot_list[segment + 1]
            position = min(max((minute - start) / (end - start), 0.0), 1.0)
            value = (1.0 - position) * values[segment] + position * values[segment + 1]
            if 0.0 < position < 1.0:
                value = value + (math.sin(math.pi * position) * noise_list[minute]) * amplitude
            deviation[minute] = value
        prices = self._row_price(deviation, row)
        fractions = np.minimum(1.0, cumulative_volume_profile())
        fractions[-1] = 1.0
        volume = np.floor(path.volume[row] * front_loaded_share(fractions, path.volume_warp[row]))
        return prices, volume

    # ----- daily process ----------------------------------------------------------------------

    def _factor_move(self, session: date) -> FloatArray:
        """beta x market + loadings . sector factors: the part of eps_d every listing shares."""
        factors = np.random.default_rng([self.seed, Stream.FACTORS, session.toordinal()]).standard_normal(
            1 + len(SECTORS)
        )
        market_move = MARKET_SIGMA_DAILY * float(factors[0])
        sector_moves = self._sector_sigma * factors[1:]
        return self._loaded_move(market_move, sector_moves)

    def _loaded_move(self, market_move: float, sector_moves: FloatArray) -> FloatArray:
        """Every listing's move for a market move and one move per sector, through its loadings."""
        move = (
            self.universe.market_beta * market_move
            + self._primary_loading * sector_moves[self.universe.sector_index]
        )
        blended = self._blended_rows
        move[blended] = self.universe.market_beta[blended] * market_move + (
            self._blended_loadings * sector_moves
        ).sum(axis=1)
        return move

    def _compute_innovation(self, session: date) -> Innovation:
        universe = self.universe
        size = self._size
        rng = np.random.default_rng([self.seed, Stream.INNOVATION, session.toordinal()])
        # Student-t with 4 degrees of freedom as Z / sqrt(chi2_4 / 4), chi2_4 = 2 (E1 + E2) with
        # E exponential: exact, and 40% faster than Generator.standard_t.
        normal = rng.standard_normal(size)
        exponentials = rng.standard_exponential((2, size))
        shock = normal * np.sqrt(2.0 / (exponentials[0] + exponentials[1]))
        # One catalyst a day at most: one uniform draw falls into the FDA, offering or earnings
        # slice of [0, 1), each as wide as that catalyst's rate.
        draw = rng.random(size)
        fda = draw < universe.fda_rate
        offering_edge = universe.fda_rate + universe.offering_rate
        offering = ~fda & (draw < offering_edge)
        rows = np.flatnonzero(draw < offering_edge + universe.earnings_rate)
        direction, magnitude = rng.random((2, rows.size))
        severity = np.abs(rng.standard_normal(rows.size))
        sigma = universe.idiosyncratic_sigma[rows]
        # Earnings move a name by a few of its daily sigmas; offerings price at a discount; FDA
        # decisions are binary for small biotechs: approvals rip, rejections crater.
        is_fda, is_offering = fda[rows], offering[rows]
        approval, beat = direction < 0.6, direction < 0.55
        simple_move = np.where(
            is_fda,
            np.where(approval, 0.15 + 0.65 * magnitude, -(0.25 + 0.45 * magnitude)),
            np.where(
                is_offering,
                -(0.08 + 0.22 * magnitude),
                np.where(beat, 1.0, -1.0) * sigma * (1.5 + 2.5 * severity),
            ),
        )
        kind = np.where(
            is_fda,
            np.where(approval, CatalystKind.FDA_APPROVAL, CatalystKind.FDA_REJECTION),
            np.where(
                is_offering,
                CatalystKind.OFFERING,
                np.where(beat, CatalystKind.EARNINGS_BEAT, CatalystKind.EARNINGS_MISS),
            ),
        ).astype(np.int8)
        jump = np.log1p(np.maximum(simple_move, -0.9))

        total = self._factor_move(session)
        total += universe.idiosyncratic_sigma * (self._t_scale * shock)
        if self.scenario is not None and self.scenario_active(session):
            return self._scenario_innovation(session, self.scenario, total, rows, jump, kind)
        total[rows] += jump
        return Innovation(
            total=total,
            named_total=total[self._bounded_rows],
            catalyst_rows=rows,
            catalyst_jump=jump,
            catalyst_kind=kind,
        )

    def _scenario_innovation(
        self,
        session: date,
        shock: ScenarioShock,
        ordinary: FloatArray,
        rows: IntArray,
        jump: FloatArray,
        kind: npt.NDArray[np.int8],
    ) -> Innovation:
        """A scenario day: damped ordinary moves, sector gaps and drifts, and the scenario's catalysts."""
        rng = np.random.default_rng([self.seed, Stream.SCENARIO, session.toordinal()])
        if not shock.keep_catalysts:
            rows, jump, kind = rows[:0], jump[:0], kind[:0]
        extra_rows, extra_jump, extra_kind = self._scenario_catalysts(shock, rng)
        if extra_rows.size:
            keep = ~np.isin(rows, extra_rows)
            rows = np.concatenate([rows[keep], extra_rows])
            jump = np.concatenate([jump[keep], extra_jump])
            kind = np.concatenate([kind[keep], extra_kind])
            order = np.argsort(rows, kind="stable")
            rows, jump, kind = rows[order], jump[order], kind[order]
        gap = self._loaded_move(0.0, shock.sector_vector(shock.sector_gap))
        drift = self._loaded_move(0.0, shock.sector_vector(shock.sector_drift))
        total = shock.damping * ordinary + gap + drift
        total[rows] += jump
        return Innovation(
            total=total,
            named_total=total[self._bounded_rows],
            catalyst_rows=rows,
            catalyst_jump=jump,
            catalyst_kind=kind,
            gap=gap,
            damping=shock.damping,
            log_volume_shift=shock.log_volume_shift,
        )

    def _scenario_catalysts(
        self, shock: ScenarioShock, rng: np.random.Generator
    ) -> tuple[IntArray, FloatArray, npt.NDArray[np.int8]]:
        """FDA approvals across healthcare and earnings gaps of liquid listed stocks, sorted by row."""
        universe = self.universe
        rows: list[IntArray] = []
        moves: list[FloatArray] = []
        kinds: list[npt.NDArray[np.int8]] = []
        if shock.fda_approval_share > 0.0:
            exposed = np.flatnonzero(
                (universe.sector_index == SECTOR_INDEX[Sector.HEALTHCARE]) & (universe.fda_rate > 0.0)
            )
            count = round(shock.fda_approval_share * exposed.size)
            chosen = np.sort(rng.choice(exposed, size=count, replace=False))
            rows.append(chosen)
            moves.append(0.2 + 0.5 * rng.random(count))
            kinds.append(np.full(count, CatalystKind.FDA_APPROVAL, dtype=np.int8))
        if shock.gap_count > 0:
            base_cap = universe.shares_outstanding * universe.base_price
            liquid = np.flatnonzero(
                (universe.security_types == "CS")
                & np.isin(universe.exchanges, GAP_EXCHANGES)
                & np.isnan(universe.price_band)
                & (base_cap >= GAP_CAP_RANGE[0])
                & (base_cap <= GAP_CAP_RANGE[1])
                & (universe.base_price >= GAP_PRICE_RANGE[0])
                & (universe.base_price <= GAP_PRICE_RANGE[1])
                & (universe.base_average_volume >= GAP_MIN_AVERAGE_VOLUME)
            )
            if rows:
                liquid = np.setdiff1d(liquid, rows[0])
            count = min(shock.gap_count, liquid.size)
            chosen = np.sort(rng.choice(liquid, size=count, replace=False))
            up = rng.random(count) < 0.6
            size = rng.random(count)
            rows.append(chosen)
            moves.append(np.where(up, 0.19 + 0.21 * size, -(0.18 + 0.12 * size)))
            kinds.append(np.where(up, CatalystKind.EARNINGS_BEAT, CatalystKind.EARNINGS_MISS).astype(np.int8))
        if not rows:
            return np.zeros(0, dtype=np.int64), np.zeros(0), np.zeros(0, dtype=np.int8)
        all_rows = np.concatenate(rows).astype(np.int64)
        order = np.argsort(all_rows, kind="stable")
        return (
            all_rows[order],
            np.log1p(np.concatenate(moves))[order],
            np.concatenate(kinds)[order],
        )

    def _compute_block(self, block: int) -> _Block:
        """The sessions of one 14-calendar-day block and their innovations summed with AR weights
        relative to the block's newest session."""
        first = date.fromordinal(block * BLOCK_CALENDAR_DAYS)
        following = date.fromordinal((block + 1) * BLOCK_CALENDAR_DAYS)
        sessions = tuple(day for day in previous_sessions(following, BLOCK_CALENDAR_DAYS) if day >= first)
        weighted, named = self._weighted_sum(sessions, age_of_newest=0)
        return _Block(sessions=sessions, weighted=weighted, named_weighted=named)

    def _weighted_sum(self, sessions: Sequence[date], age_of_newest: int) -> tuple[FloatArray, FloatArray]:
        """Sum of phi^age x eps over `sessions` (oldest first), the newest being `age_of_newest` old."""
        total = np.zeros(self._size)
        named = np.zeros(self._bounded_rows.size)
        term = np.empty(self._size)
        for age, day in enumerate(reversed(sessions), start=age_of_newest):
            innovation = self._innovation(day)
            np.multiply(innovation.total, MEAN_REVERSION_PHI**age, out=term)
            total += term
            named += NAMED_MEAN_REVERSION_PHI**age * innovation.named_total
        return total, named

    def _compute_close_state(self, session: date) -> tuple[FloatArray, FloatArray]:
        """(x_d at the regular close, the deviation at 20:00 after the after-hours drift).

        x_d = sum over the last ~MEMORY_SESSIONS sessions of phi^age x eps: the sessions of d's own
        block one by one, then whole earlier blocks, each block's sum cached and scaled by phi^age of
        its newest session. Blocks are fixed calendar spans, so x_d is always added up the same way
        and has the same bits whichever sessions were computed before, at a fifth of the cost of
        adding 120 sessions one by one.
        """
        block = session.toordinal() // BLOCK_CALENDAR_DAYS
        own_sessions = [day for day in self._block(block).sessions if day <= session]
        close, named = self._weighted_sum(own_sessions, age_of_newest=0)
        age = len(own_sessions)
        empty_blocks = 0
        while age < MEMORY_SESSIONS and empty_blocks < 3:
            block -= 1
            earlier = self._block(block)
            # Before the first session of the calendar the blocks are empty.
            empty_blocks = 0 if earlier.sessions else empty_blocks + 1
            close += MEAN_REVERSION_PHI**age * earlier.weighted
            named += NAMED_MEAN_REVERSION_PHI**age * earlier.named_weighted
            age += len(earlier.sessions)
        close[self._bounded_rows] = named
        rng = np.random.default_rng([self.seed, Stream.AFTER_HOURS, session.toordinal()])
        after_hours = rng.standard_normal(self._size) * (0.25 * self._daily_sigma)
        damping = self._innovation(session).damping
        if damping != 1.0:
            after_hours *= damping
        end = close + after_hours
        return close, end

    # ----- intraday path ----------------------------------------------------------------------

    def _compute_path(self, session: date) -> SessionPath:
        size = self._size
        sigma = self._daily_sigma
        earlier = previous_sessions(session, 1)
        previous_close, previous_end = self._close_state(earlier[0]) if earlier else (np.zeros(size),) * 2
        close, end = self._close_state(session)
        innovation = self._innovation(session)
        jump = innovation.dense_jump(size)
        # Big moves trade more: the day's move in units of the listing's daily sigma.
        move_size = np.abs(close - previous_close) / sigma

        rng = np.random.default_rng([self.seed, Stream.PATH, session.toordinal()])
        premarket_drift = rng.standard_normal(size) * (0.35 * sigma)
        volume_normal = rng.standard_normal(size)
        # The shape details use centred unit-variance uniforms: a tenth of the cost of normals,
        # and the bridge's sum of steps is close to normal anyway.
        uniforms = rng.random((BRIDGE_FRACTIONS.size + 5, size))
        bridge_steps = (uniforms[: BRIDGE_FRACTIONS.size] - 0.5) * UNIFORM_TO_UNIT_VARIANCE
        premarket_wiggle, after_hours_wiggle, warp_noise = (
            uniforms[BRIDGE_FRACTIONS.size : BRIDGE_FRACTIONS.size + 3] - 0.5
        ) * UNIFORM_TO_UNIT_VARIANCE
        high_draw, low_draw = uniforms[BRIDGE_FRACTIONS.size + 3 :]
        damping = innovation.damping
        if damping != 1.0:
            premarket_drift *= damping
            bridge_steps *= damping
            premarket_wiggle *= damping
            after_hours_wiggle *= damping

        bounds = session_bounds(session)
        close_minutes = (bounds.regular_close - bounds.extended_open).total_seconds() / 60.0
        regular_minutes = close_minutes - REGULAR_OPEN_MINUTES
        knot_minutes = np.concatenate(
            [
                [0.0, PREMARKET_MINUTES, REGULAR_OPEN_MINUTES],
                REGULAR_OPEN_MINUTES + BRIDGE_FRACTIONS * regular_minutes,
                [close_minutes + 0.5 * (MINUTES_PER_SESSION - close_minutes), float(MINUTES_PER_SESSION)],
            ]
        )

        named_gaps = self._named_fading_gaps(session)
        if damping != 1.0:
            named_gaps *= damping
        gapped = previous_end + jump + named_gaps
        opening = gapped + premarket_drift
        # A Brownian bridge from the open to the close; the walk is summed row by row because a
        # cumulative sum along the first axis is an order of magnitude slower here.
        walk = np.empty_like(bridge_steps)
        running = np.zeros(size)
        for row, step in enumerate(BRIDGE_STEP_SCALES.tolist()):
            running = running + step * bridge_steps[row]
            walk[row] = running
        fractions = BRIDGE_FRACTIONS[:-1, None]
        bridge = walk[:-1] - fractions * walk[-1]
        intraday = opening + fractions * (close - opening) + (0.8 * sigma) * bridge

        knots = np.empty((KNOT_COUNT, size))
        knots[0] = gapped
        knots[1] = gapped + 0.4 * premarket_drift + 0.2 * sigma * premarket_wiggle
        knots[OPEN_KNOT] = opening
        knots[OPEN_KNOT + 1 : CLOSE_KNOT] = intraday
        knots[CLOSE_KNOT] = close
        knots[CLOSE_KNOT + 1] = close + 0.6 * (end - close) + 0.15 * sigma * after_hours_wiggle
        knots[CLOSE_KNOT + 2] = end

        # Minute noise is clipped to 3 amplitudes, so this high and low bound every regular-hours price.
        regular = knots[OPEN_KNOT : CLOSE_KNOT + 1]
        excursion = 3.0 * self._noise_amplitude
        high = regular.max(axis=0) + excursion + 0.3 * sigma * high_draw
        low = regular.min(axis=0) - excursion - 0.3 * sigma * low_draw

        log_volume = (
            0.3 * volume_normal + 0.15 * (move_size - 0.8) + np.minimum(2.5, 6.0 * np.abs(jump)) - 0.045
        )
        if innovation.log_volume_shift != 0.0:
            log_volume += innovation.log_volume_shift
        banded = self._volume_banded_rows
        band = self._volume_band[banded]
        log_volume[banded] = band * np.tanh(log_volume[banded] / band)
        volume = np.maximum(1.0, np.round(self.universe.base_average_volume * np.exp(log_volume)))
        volume_warp = np.exp(0.1 * warp_noise - np.minimum(1.0, 3.0 * np.abs(jump)))

        return SessionPath(
            session=session,
            knot_minutes=knot_minutes,
            knot_deviation=knots,
            open=self._price(opening),
            high=self._price(high),
            low=self._price(low),
            close=self._price(close),
            volume=volume,
            volume_warp=volume_warp,
        )

    def _named_fading_gaps(self, session: date) -> FloatArray:
        """Overnight gaps of 5-9% on about a quarter of sessions for the spec's named tickers.

        The spec's examples are gap-prone names; the gap fades by the close so their prices stay
        in band, yet their gap history keeps them when the universe size cap applies.
        """
        gaps = np.zeros(self._size)
        rows = self._bounded_rows
        rng = np.random.default_rng([self.seed, Stream.NAMED_GAPS, session.toordinal()])
        gap_day, direction, magnitude = rng.random((3, rows.size))
        size = np.where(direction < 0.5, -1.0, 1.0) * (0.055 + 0.035 * magnitude)
        gaps[rows] = np.where(gap_day < NAMED_GAP_DAY_SHARE, np.log1p(size), 0.0)
        return gaps

    def _session_noise_key(self, session: date) -> int:
        key = (self.seed & _UINT64_MASK) * 0x2545F4914F6CDD1D + session.toordinal() * 0x632BE59BD9B4E019
        return (key ^ (int(Stream.MINUTE_NOISE) << 56)) & _UINT64_MASK

    def _minute_keys(self, session: date, minutes: UIntArray) -> UIntArray:
        return _splitmix64(np.uint64(self._session_noise_key(session)) ^ (minutes * _GOLDEN))

    def _minute_noise(self, session: date, minute: int) -> FloatArray:
        """Every listing's noise at one whole minute: hash(session, minute) x row, near-normal."""
        key = self._minute_keys(session, np.array([minute], dtype=np.uint64))
        return _hash_to_noise(_splitmix64(key + self._row_keys))

    def _row_minute_noise(self, session: date, row: int) -> FloatArray:
        """One listing's noise at every whole minute 0..MINUTES_PER_SESSION (same values as above)."""
        keys = self._minute_keys(session, np.arange(MINUTES_PER_SESSION + 1, dtype=np.uint64))
        return _hash_to_noise(_splitmix64(keys + self._row_keys[row]))

    def _deviation_at(self, path: SessionPath, minutes: float) -> FloatArray:
        """Interpolated log deviation at `minutes` since 04:00, exact at every knot."""
        knot_minutes = path.knot_minutes
        segment = min(max(int(np.searchsorted(knot_minutes, minutes, side="right")) - 1, 0), KNOT_COUNT - 2)
        start, end = float(knot_minutes[segment]), float(knot_minutes[segment + 1])
        position = min(max((minutes - start) / (end - start), 0.0), 1.0)
        deviation = (1.0 - position) * path.knot_deviation[segment] + position * path.knot_deviation[
            segment + 1
        ]
        if 0.0 < position < 1.0:
            whole_minute = math.floor(minutes)
            share = minutes - whole_minute
            noise = self._minute_noise(path.session, whole_minute)
            if share > 0.0:
                noise = (1.0 - share) * noise + share * self._minute_noise(path.session, whole_minute + 1)
            deviation = deviation + (math.sin(math.pi * position) * noise) * self._noise_amplitude
        return np.asarray(deviation, dtype=np.float64)

    def _row_price(self, deviation: FloatArray, row: int) -> FloatArray:
        """`_price` for one listing at many instants, with the same steps."""
        log_base = self._log_base_price[row]
        if math.isnan(self._price_band[row]):
            log_price = log_base + deviation
        else:
            band = self._price_band[row]
            log_price = log_base + band * np.tanh(NAMED_PRICE_SLOPE * deviation / band)
        price = np.exp(log_price)
        ticks_per_dollar = np.where(price >= 1.0, 100.0, 10_000.0)
        rounded = np.rint(price * ticks_per_dollar) / ticks_per_dollar
        return np.asarray(np.maximum(rounded, MINIMUM_PRICE), dtype=np.float64)

    def _price(self, deviation: FloatArray) -> FloatArray:
        """Base price times exp(deviation), named tickers bounded, rounded to cents (1/100 of a cent
        under $1) as quotes are."""
        rows = self._bounded_rows
        log_price = self._log_base_price + deviation
        band = self._price_band[rows]
        log_price[rows] = self._log_base_price[rows] + band * np.tanh(
            NAMED_PRICE_SLOPE * deviation[rows] / band
        )
        price = np.exp(log_price)
        ticks_per_dollar = np.where(price >= 1.0, 100.0, 10_000.0)
        rounded = np.rint(price * ticks_per_dollar) / ticks_per_dollar
        return np.asarray(np.maximum(rounded, MINIMUM_PRICE), dtype=np.float64)


def _splitmix64(values: UIntArray) -> UIntArray:
    """The SplitMix64 finaliser, elementwise (uint64 arithmetic wraps, as the algorithm needs)."""
    mixed = values + _GOLDEN
    mixed = (mixed ^ (mixed >> np.uint64(30))) * _MIX_1
    mixed = (mixed ^ (mixed >> np.uint64(27))) * _MIX_2
    return np.asarray(mixed ^ (mixed >> np.uint64(31)), dtype=np.uint64)


def _hash_to_noise(hashes: UIntArray) -> FloatArray:
    """Four 16-bit uniforms of each hash summed: a near-normal draw with unit variance, clipped at 3."""
    total = np.zeros(hashes.shape, dtype=np.float64)
    for shift in _CHUNK_SHIFTS:
        total += ((hashes >> shift) & _CHUNK_MASK).astype(np.float64)
    return np.clip((total - _IRWIN_HALL_MEAN) * _IRWIN_HALL_SCALE, -3.0, 3.0)
