"""Builders of synthetic MarketFrame objects for the analytics tests.

`build_frame` turns a few readable `Stock` rows (price, moves, volume) into the aligned arrays of a
MarketFrame; `random_frame` makes a large, messy, reproducible market; `permuted` reorders rows.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import numpy as np

from sectorlights.domain.frame import MarketFrame

AS_OF = datetime(2025, 3, 14, 19, 0, tzinfo=UTC)  # 15:00 in New York, a Friday
CURRENT_SESSION = date(2025, 3, 14)
SESSION_COUNT = 25
VOLUME_FRACTION_EXPECTED = 0.5
# Width of the synthetic 20-session range as a share of the last price.
RANGE_WIDTH_SHARE = 0.2
GAP_SIZE = 0.10

_ROW_FIELDS = (
    "symbols",
    "names",
    "security_types",
    "exchanges",
    "market_cap",
    "shares_outstanding",
    "float_shares",
    "sic_codes",
    "daily_open",
    "daily_high",
    "daily_low",
    "daily_close",
    "daily_volume",
    "last_price",
    "price_30m_ago",
    "session_volume",
)


@dataclass(frozen=True)
class Stock:
    """One listing described the way a trader would; moves are fractions (-0.082 = -8.2%)."""

    symbol: str
    name: str | None = None
    security_type: str = "CS"
    exchange: str = "XNAS"
    market_cap: float = 180e6
    float_shares: float = 40e6
    sic_code: int = 7372
    price: float = 5.20
    change_30m: float = 0.0
    change_1d: float = 0.0
    change_3d: float = 0.0
    change_1w: float = 0.0
    avg_volume: float = 2_000_000.0
    relative_volume: float = 1.0
    # How many of the latest sessions opened with a 10% gap up.
    gap_sessions: int = 0
    # Where the last price sits in the 20-session high-low range (0 low, 1 high, > 1 breakout).
    range_position: float = 0.5


def benchmark(
    change_1d: float = 0.0, change_30m: float = 0.0, change_3d: float = 0.0, change_1w: float = 0.0
) -> Stock:
    """The IWM row (an ETF, so never in the universe)."""
    return Stock(
        symbol="IWM",
        name="iShares Russell 2000 ETF",
        security_type="ETF",
        exchange="ARCX",
        market_cap=math.nan,
        float_shares=math.nan,
        sic_code=-1,
        price=210.0,
        change_30m=change_30m,
        change_1d=change_1d,
        change_3d=change_3d,
        change_1w=change_1w,
        avg_volume=30_000_000.0,
    )


def previous_sessions(current: date, count: int) -> tuple[date, ...]:
    """`count` weekdays before `current`, oldest first (holidays do not matter to the analytics)."""
    days: list[date] = []
    day = current
    while len(days) < count:
        day -= timedelta(days=1)
        if day.weekday() < 5:
            days.append(day)
    return tuple(reversed(days))


def _daily_rows(stock: Stock, sessions: int) -> dict[str, list[float]]:
    previous_close = stock.price / (1.0 + stock.change_1d)
    closes = [previous_close] * sessions
    for sessions_back, change in ((3, stock.change_3d), (5, stock.change_1w)):
        if sessions >= sessions_back:
            closes[-sessions_back] = stock.price / (1.0 + change)
    opens = [closes[0], *closes[:-1]]
    for back in range(1, min(stock.gap_sessions, sessions - 1) + 1):
        opens[-back] = closes[-back - 1] * (1.0 + GAP_SIZE)
    span = stock.price * RANGE_WIDTH_SHARE
    low = stock.price - stock.range_position * span
    return {
        "daily_open": opens,
        "daily_high": [low + span] * sessions,
        "daily_low": [low] * sessions,
        "daily_close": closes,
        "daily_volume": [stock.avg_volume] * sessions,
    }


def build_frame(
    stocks: list[Stock],
    *,
    sessions: int = SESSION_COUNT,
    as_of: datetime = AS_OF,
    volume_fraction_expected: float = VOLUME_FRACTION_EXPECTED,
) -> MarketFrame:
    """A frame with one row per stock, in the given order."""
    daily = [_daily_rows(stock, sessions) for stock in stocks]

    def column(values: list[float]) -> np.ndarray:
        return np.array(values, dtype=np.float64)

    def matrix(name: str) -> np.ndarray:
        return np.array([rows[name] for rows in daily], dtype=np.float64).reshape(len(stocks), sessions)

    return MarketFrame(
        as_of=as_of,
        current_session=CURRENT_SESSION,
        sessions=previous_sessions(CURRENT_SESSION, sessions),
        symbols=np.array([stock.symbol for stock in stocks], dtype=np.str_),
        names=np.array([stock.name or f"{stock.symbol} Inc." for stock in stocks], dtype=np.str_),
        security_types=np.array([stock.security_type for stock in stocks], dtype=np.str_),
        exchanges=np.array([stock.exchange for stock in stocks], dtype=np.str_),
        market_cap=column([stock.market_cap for stock in stocks]),
        shares_outstanding=column([stock.market_cap / stock.price for stock in stocks]),
        float_shares=column([stock.float_shares for stock in stocks]),
        sic_codes=np.array([stock.sic_code for stock in stocks], dtype=np.int64),
        daily_open=matrix("daily_open"),
        daily_high=matrix("daily_high"),
        daily_low=matrix("daily_low"),
        daily_close=matrix("daily_close"),
        daily_volume=matrix("daily_volume"),
        last_price=column([stock.price for stock in stocks]),
        price_30m_ago=column([stock.price / (1.0 + stock.change_30m) for stock in stocks]),
        session_volume=column(
            [stock.relative_volume * stock.avg_volume * volume_fraction_expected for stock in stocks]
        ),
        volume_fraction_expected=volume_fraction_expected,
    )


_NAME_WORDS = np.array(
    [
        "Acme", "Blue", "North", "Summit", "Pioneer", "Apex", "Vertex", "Harbor", "Golden", "Silver",
        "Therapeutics", "Pharma", "Bio", "Health", "Software", "AI", "Digital", "Data", "Bancorp",
        "Financial", "Capital", "Energy", "Oil", "Solar", "Utilities", "Power", "Mining", "Steel",
        "Retail", "Brands", "Foods", "Industries", "Aerospace", "Logistics", "Holdings", "Group",
    ]
)  # fmt: skip
_SIC_CHOICES = np.array(
    [7372, 7370, 3674, 2834, 2836, 3841, 8000, 1311, 1381, 2911, 6022, 6199, 6798, 5812, 5651,
     2080, 3711, 3721, 4213, 3560, 1040, 2800, 3312, 4911, 4941, 9995, 9999, -1, -1, -1]
)  # fmt: skip


def random_frame(size: int, seed: int = 0, sessions: int = SESSION_COUNT) -> MarketFrame:
    """A reproducible market of `size` listings plus IWM: mostly common stock, many outside the
    universe, with gaps, missing values and listings without SIC codes."""
    rng = np.random.default_rng(seed)
    count = size + 1
    symbols = np.array([f"R{row:05d}" for row in range(size)] + ["IWM"], dtype=np.str_)
    words = rng.choice(_NAME_WORDS, size=(count, 3))
    names = np.array([" ".join(row) for row in words.tolist()], dtype=np.str_)
    security_types = rng.choice(
        ["CS", "ETF", "ADRC", "PFD", "WARRANT"], size=count, p=[0.85, 0.06, 0.04, 0.03, 0.02]
    )
    exchanges = rng.choice(
        ["XNAS", "XNYS", "XASE", "ARCX", "BATS", "OTC"], size=count, p=[0.55, 0.25, 0.05, 0.03, 0.02, 0.10]
    )
    last_price = np.exp(rng.uniform(np.log(0.5), np.log(300.0), size=count))
    market_cap = np.exp(rng.uniform(np.log(1e6), np.log(1e11), size=count))
    market_cap[rng.random(count) < 0.03] = np.nan
    shares_outstanding = market_cap / last_price
    float_shares = shares_outstanding * rng.uniform(0.05, 1.0, size=count)
    float_shares[rng.random(count) < 0.2] = np.nan
    sic_codes = rng.choice(_SIC_CHOICES, size=count).astype(np.int64)

    daily_moves = rng.normal(0.0, 0.04, size=(count, sessions))
    # Walk back from today's price: column -1 is yesterday's close.
    growth = np.exp(np.cumsum(daily_moves[:, ::-1], axis=1))[:, ::-1]
    daily_close = last_price[:, np.newaxis] / growth
    gaps = np.where(rng.random((count, sessions)) < 0.08, rng.normal(0.0, 0.1, (count, sessions)), 0.0)
    previous_close = np.concatenate([daily_close[:, :1], daily_close[:, :-1]], axis=1)
    daily_open = previous_close * (1.0 + gaps)
    daily_high = np.maximum(daily_open, daily_close) * (1.0 + rng.uniform(0.0, 0.05, (count, sessions)))
    daily_low = np.minimum(daily_open, daily_close) * (1.0 - rng.uniform(0.0, 0.05, (count, sessions)))
    avg_volume = np.exp(rng.uniform(np.log(3e4), np.log(3e7), size=count))
    daily_volume = avg_volume[:, np.newaxis] * rng.lognormal(0.0, 0.4, (count, sessions))
    for matrix in (daily_open, daily_close, daily_volume):
        matrix[rng.random((count, sessions)) < 0.02] = np.nan
    session_volume = avg_volume * VOLUME_FRACTION_EXPECTED * rng.lognormal(0.0, 0.7, size=count)
    price_30m_ago = last_price * (1.0 + rng.normal(0.0, 0.01, size=count))
    last_price[rng.random(count) < 0.01] = np.nan

    # IWM: an ETF with a complete, calm history.
    security_types[-1], exchanges[-1], sic_codes[-1] = "ETF", "ARCX", -1
    daily_close[-1] = 210.0 * np.exp(rng.normal(0.0, 0.01, sessions))
    daily_open[-1] = daily_close[-1]
    daily_volume[-1] = 3e7
    last_price[-1], price_30m_ago[-1] = 211.0, 210.5

    return MarketFrame(
        as_of=AS_OF,
        current_session=CURRENT_SESSION,
        sessions=previous_sessions(CURRENT_SESSION, sessions),
        symbols=symbols,
        names=names,
        security_types=security_types.astype(np.str_),
        exchanges=exchanges.astype(np.str_),
        market_cap=market_cap,
        shares_outstanding=shares_outstanding,
        float_shares=float_shares,
        sic_codes=sic_codes,
        daily_open=daily_open,
        daily_high=daily_high,
        daily_low=daily_low,
        daily_close=daily_close,
        daily_volume=daily_volume,
        last_price=last_price,
        price_30m_ago=price_30m_ago,
        session_volume=session_volume,
        volume_fraction_expected=VOLUME_FRACTION_EXPECTED,
    )


def permuted(frame: MarketFrame, order: np.ndarray) -> MarketFrame:
    """The same market with its rows in `order`."""
    rows = {name: getattr(frame, name)[order] for name in _ROW_FIELDS}
    return MarketFrame(
        as_of=frame.as_of,
        current_session=frame.current_session,
        sessions=frame.sessions,
        volume_fraction_expected=frame.volume_fraction_expected,
        **rows,
    )
