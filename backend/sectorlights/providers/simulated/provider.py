"""The simulated market as a `MarketDataProvider`: the embedded default when no vendor is configured."""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date, datetime

from sectorlights.domain.market import DailyBars, IntradaySnapshot, Listing
from sectorlights.domain.sessions import is_session
from sectorlights.providers.base import ProviderCapabilities, ProviderError, ProviderHealth
from sectorlights.providers.simulated.market import SimulatedMarket


class SimulatedProvider:
    """A deterministic whole market (listings, daily bars, intraday snapshots) for one seed.

    Every answer is a pure function of (seed, listing_count, the instant or session asked for), so
    the past can be replayed and two processes agree to the last bit.
    """

    name = "simulated"
    capabilities = ProviderCapabilities(historical_snapshots=True, simulated=True)

    def __init__(self, seed: int = 7, listing_count: int = 8_500) -> None:
        self.seed = seed
        self.listing_count = listing_count
        self.market = SimulatedMarket(seed=seed, listing_count=listing_count)

    def listings(self, as_of: datetime) -> list[Listing]:
        """All listings; the market cap follows the last regular close at or before `as_of`."""
        _require_aware(as_of)
        universe = self.market.universe
        try:
            close = self.market.last_close(as_of)
        except (ValueError, KeyError) as error:
            raise ProviderError(f"simulated listings as of {as_of.isoformat()}: {error}") from error
        market_cap = (universe.shares_outstanding * close).tolist()
        float_shares = [None if math.isnan(value) else value for value in universe.float_shares.tolist()]
        columns = zip(
            universe.symbols.tolist(),
            universe.names,
            universe.security_types.tolist(),
            universe.exchanges.tolist(),
            market_cap,
            universe.shares_outstanding.tolist(),
            float_shares,
            universe.sic_codes,
            universe.sic_descriptions,
            strict=True,
        )
        # The columns are in Listing's field order.
        return [Listing(*row) for row in columns]

    def daily_bars(self, sessions: Sequence[date]) -> list[DailyBars]:
        """One whole-market bar set per session, in the order asked; ProviderError for a non-session."""
        symbols = self.market.universe.symbols
        bars: list[DailyBars] = []
        for session in sessions:
            try:
                trading = is_session(session)
            except (ValueError, KeyError) as error:
                raise ProviderError(f"simulated daily bars for {session}: {error}") from error
            if not trading:
                raise ProviderError(
                    f"simulated daily bars for {session.isoformat()}: not an NYSE trading session"
                )
            path = self.market.session_path(session)
            # Copies, so that a caller editing its arrays cannot corrupt the cached session.
            bars.append(
                DailyBars(
                    session=session,
                    symbols=symbols.copy(),
                    open=path.open.copy(),
                    high=path.high.copy(),
                    low=path.low.copy(),
                    close=path.close.copy(),
                    volume=path.volume.copy(),
                )
            )
        return bars

    def intraday_snapshot(self, at: datetime) -> IntradaySnapshot:
        """The whole market at `at`; outside 04:00-20:00 ET, the last session's 20:00 state."""
        _require_aware(at)
        try:
            session, last_price, session_volume = self.market.state_at(at)
        except (ValueError, KeyError) as error:
            raise ProviderError(f"simulated snapshot at {at.isoformat()}: {error}") from error
        return IntradaySnapshot(
            at=at,
            session=session,
            symbols=self.market.universe.symbols.copy(),
            last_price=last_price,
            session_volume=session_volume,
        )

    def health(self) -> ProviderHealth:
        return ProviderHealth(ok=True, detail=f"simulated market (seed {self.seed})")


def _require_aware(moment: datetime) -> None:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("a timezone-aware datetime is required")
