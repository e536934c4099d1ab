"""The simulated market as vendor payloads: Polygon/Massive and FMP rows as plain dicts and lists.

Rows are built with list comprehensions over numpy `.tolist()` columns (no per-row models), so the
8,500-row full-market snapshot takes tens of milliseconds. Field names, nesting and value types copy
the vendors' recorded responses (fixtures/polygon, fixtures/fmp).
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import numpy as np

from sectorlights.config.criteria import ALLOWED_EXCHANGES
from sectorlights.config.sectors import BENCHMARK_SYMBOL
from sectorlights.domain.sessions import (
    MINUTES_PER_SESSION,
    NEW_YORK,
    current_session,
    previous_sessions,
    session_bounds,
)
from sectorlights.domain.vocabulary import SECTORS
from sectorlights.providers.simulated.market import FloatArray, IntArray, SessionPath
from sectorlights.providers.simulated.news import Article
from sectorlights.providers.simulated.provider import SimulatedProvider
from sectorlights.providers.simulated.reference import SECTOR_ETFS, SECTOR_INDEX
from sectorlights.simvendor.reference import (
    POLYGON_EXCHANGE_ID,
    company_details,
    fmp_exchange,
    fmp_sector_and_industry,
    identity,
)

Row = dict[str, object]
NS_PER_MS = 1_000_000
NS_PER_SECOND = 1_000_000_000
AVERAGE_SESSIONS = 20
LARGE_CAP_HOLDINGS = 60
BENCHMARK_CAP_RANGE = (1e7, 2e9)
FLOAT_SOURCE_DOMAIN = "https://filings.sectorlights.example"
IMAGE_DOMAIN = "https://images.sectorlights.example"


def _ms(moment: datetime) -> int:
    return round(moment.timestamp() * 1000)


def _ns(moment: datetime) -> int:
    return round(moment.timestamp()) * NS_PER_SECOND + moment.microsecond * 1000


def _ticks(prices: FloatArray) -> FloatArray:
    """Prices rounded to the quote tick: a cent, or 1/100 of a cent under $1."""
    ticks_per_dollar = np.where(prices >= 1.0, 100.0, 10_000.0)
    return np.asarray(np.maximum(np.rint(prices * ticks_per_dollar) / ticks_per_dollar, 0.0001))


def _vwap(high: FloatArray, low: FloatArray, close: FloatArray) -> list[float]:
    return list(np.round(np.clip((high + low + 2.0 * close) / 4.0, low, high), 4).tolist())


def _transactions(volume: FloatArray, price: FloatArray) -> list[int]:
    """Trade counts: cheap stocks trade in bigger prints."""
    size = np.where(price < 5.0, 400.0, np.where(price < 20.0, 150.0, 80.0))
    return list(np.where(volume > 0, np.maximum(1, np.round(volume / size)), 0).astype(np.int64).tolist())


@dataclass(frozen=True, slots=True)
class _History:
    """Per-listing statistics of the sessions before one session."""

    previous: SessionPath | None
    average_volume: FloatArray
    low: FloatArray
    high: FloatArray


class VendorMarket:
    """Builds vendor rows from the simulated provider for any instant."""

    def __init__(self, provider: SimulatedProvider) -> None:
        self.provider = provider
        market = provider.market
        self.market = market
        universe = market.universe
        self.seed = provider.seed
        self.size = universe.size
        self.symbols: list[str] = universe.symbols.tolist()
        self.names: list[str] = list(universe.names)
        self.types: list[str] = universe.security_types.tolist()
        self.exchanges: list[str] = universe.exchanges.tolist()
        self.sic_codes = universe.sic_codes
        self.sic_descriptions = universe.sic_descriptions
        self.sector_index: list[int] = universe.sector_index.tolist()
        self.shares = np.round(universe.shares_outstanding)
        self.shares_list: list[int] = self.shares.astype(np.int64).tolist()
        self.float_shares: list[float | None] = [
            None if math.isnan(value) else value for value in universe.float_shares.tolist()
        ]
        self.beta: list[float] = np.round(universe.market_beta, 3).tolist()
        self.base_cap = universe.shares_outstanding * universe.base_price
        self.is_otc = universe.exchanges == "OTC"
        self.listed_rows: IntArray = np.flatnonzero(~self.is_otc)
        self.rows = {symbol: row for row, symbol in enumerate(self.symbols)}
        self.identities = [identity(self.seed, symbol) for symbol in self.symbols]
        fmp = [
            fmp_sector_and_industry(kind, sic, SECTORS[sector])
            for kind, sic, sector in zip(self.types, self.sic_codes, self.sector_index, strict=True)
        ]
        self.fmp_sector = [sector for sector, _ in fmp]
        self.fmp_industry = [industry for _, industry in fmp]
        fmp_exchanges = [
            fmp_exchange(mic, cap) for mic, cap in zip(self.exchanges, self.base_cap.tolist(), strict=True)
        ]
        self.fmp_exchange = [short for short, _ in fmp_exchanges]
        self.fmp_exchange_full = [full for _, full in fmp_exchanges]
        self.exchange_id = [POLYGON_EXCHANGE_ID.get(mic, 4) for mic in self.exchanges]
        # Deterministic per-listing offsets (ms) of the last trade before the snapshot instant.
        self._trade_lag_ms = (np.arange(self.size, dtype=np.int64) * 7919) % 45_000
        self._history = functools.lru_cache(maxsize=4)(self._compute_history)
        self._knot_prices = functools.lru_cache(maxsize=4)(self._compute_knot_prices)
        self._holdings = functools.lru_cache(maxsize=32)(self._compute_holdings)

    # ----- shared state ---------------------------------------------------------------------------

    def session_of(self, now: datetime) -> date:
        return current_session(now)

    def _compute_history(self, session: date) -> _History:
        sessions = previous_sessions(session, AVERAGE_SESSIONS)
        paths = [self.market.session_path(day) for day in sessions]
        if not paths:
            empty = np.full(self.size, np.nan)
            return _History(None, empty, empty, empty)
        return _History(
            previous=paths[-1],
            average_volume=np.mean([path.volume for path in paths], axis=0),
            low=np.min([path.low for path in paths], axis=0),
            high=np.max([path.high for path in paths], axis=0),
        )

    def _compute_knot_prices(self, session: date) -> FloatArray:
        path = self.market.session_path(session)
        return np.array([self.market.price_of(deviation) for deviation in path.knot_deviation])

    def state(self, now: datetime) -> tuple[date, datetime, FloatArray, FloatArray]:
        """(session, the instant clamped to 04:00-20:00, last price, session volume)."""
        session, price, volume = self.market.state_at(now)
        bounds = session_bounds(session)
        return session, min(now, bounds.extended_close), price, volume

    def market_caps(self, now: datetime) -> FloatArray:
        """Shares outstanding x the last regular close at or before `now`."""
        return np.asarray(self.shares * self.market.last_close(now))

    # ----- Polygon --------------------------------------------------------------------------------

    def market_status(self, now: datetime) -> Row:
        local = now.astimezone(NEW_YORK)
        session = current_session(now)
        bounds = session_bounds(session)
        trading_day = session == local.date()
        early = trading_day and bounds.extended_open <= now < bounds.regular_open
        regular = trading_day and bounds.regular_open <= now < bounds.regular_close
        after = trading_day and bounds.regular_close <= now < bounds.extended_close
        market = "open" if regular else "extended-hours" if early or after else "closed"
        return {
            "afterHours": after,
            "currencies": {"crypto": "open", "fx": "closed" if local.weekday() == 5 else "open"},
            "earlyHours": early,
            "exchanges": {"nasdaq": market, "nyse": market, "otc": "open" if regular else "closed"},
            "market": market,
            "serverTime": local.replace(microsecond=0).isoformat(),
        }

    def snapshot_rows(self, now: datetime, rows: IntArray) -> list[Row]:
        """`GET /v2/snapshot/locale/us/markets/stocks/tickers` rows at `now` for the given listing rows."""
        market = self.market
        session, at, price_all, volume_all = self.state(now)
        bounds = session_bounds(session)
        elapsed = (at - bounds.extended_open).total_seconds() / 60.0
        # The most recent minute bar: the minute that ends at, or contains, the instant.
        minute = min(max(math.ceil(elapsed) - 1, 0), MINUTES_PER_SESSION - 1)
        minute_start = bounds.extended_open + timedelta(minutes=minute)
        _, minute_open_all, minute_volume_start = market.state_at(minute_start)
        path = market.session_path(session)
        knots = self._knot_prices(session)
        passed = path.knot_minutes <= elapsed
        history = self._history(session)

        price = price_all[rows]
        volume = volume_all[rows]
        day_open = knots[0][rows]
        high = np.maximum(knots[passed][:, rows].max(axis=0), price)
        low = np.minimum(knots[passed][:, rows].min(axis=0), price)
        if at >= bounds.regular_close:
            high = np.maximum(high, path.high[rows])
            low = np.minimum(low, path.low[rows])
        minute_open = minute_open_all[rows]
        minute_volume = volume - minute_volume_start[rows]
        minute_high = np.maximum(minute_open, price)
        minute_low = np.minimum(minute_open, price)
        if history.previous is not None:
            previous = history.previous
            prev_open, prev_high = previous.open[rows], previous.high[rows]
            prev_low, prev_close, prev_volume = (
                previous.low[rows],
                previous.close[rows],
                previous.volume[rows],
            )
        else:
            prev_open = prev_high = prev_low = prev_close = day_open
            prev_volume = np.zeros(rows.size)
        change = np.round(price - prev_close, 4)
        change_percent = np.round(100.0 * (price - prev_close) / prev_close, 4)
        elapsed_ms = max(0, round((at - bounds.extended_open).total_seconds() * 1000))
        at_ns = _ns(at)
        trade_ns = at_ns - np.minimum(self._trade_lag_ms[rows], elapsed_ms) * NS_PER_MS
        tick = np.where(price >= 1.0, 0.01, 0.0001)
        half_spread = np.maximum(tick, np.round(price * 0.0008 / tick) * tick)
        bid = _ticks(np.maximum(price - half_spread, tick))
        ask = _ticks(price + half_spread)
        quote_sizes = (1 + (rows * 31 + minute) % 9).tolist()
        trade_sizes = (100 * (1 + (rows + minute) % 5)).tolist()
        regular_hours = bounds.regular_open <= at < bounds.regular_close
        conditions = [14, 41] if regular_hours else [12]
        trade_ids = ((rows.astype(np.int64) * 2_654_435_761 + minute * 97_003) % 10**14).tolist()
        volume_list = volume.astype(np.int64).tolist()
        minute_ms = _ms(minute_start)
        minute_volume_list = minute_volume.astype(np.int64).tolist()
        return [
            {
                "day": {"c": c, "dv": f"{v}.0", "h": h, "l": lo, "o": o, "v": v, "vw": vw},
                "lastQuote": {"P": a, "S": qs, "p": b, "s": qs + 1, "t": t + 40_000},
                "lastTrade": {
                    "c": conditions,
                    "ds": f"{ts}.0",
                    "i": str(tid),
                    "p": c,
                    "s": ts,
                    "t": t,
                    "x": x,
                },
                "min": {
                    "av": v,
                    "c": c,
                    "dav": f"{v}.0",
                    "dv": f"{mv}.0",
                    "h": mh,
                    "l": ml,
                    "n": mn,
                    "o": mo,
                    "t": minute_ms,
                    "v": mv,
                    "vw": mvw,
                },
                "prevDay": {"c": pc, "h": ph, "l": pl, "o": po, "v": pv, "vw": pvw},
                "ticker": symbol,
                "todaysChange": ch,
                "todaysChangePerc": chp,
                "updated": t,
            }
            for (
                symbol,
                c,
                h,
                lo,
                o,
                v,
                vw,
                a,
                b,
                qs,
                t,
                tid,
                ts,
                x,
                mh,
                ml,
                mn,
                mo,
                mv,
                mvw,
                pc,
                ph,
                pl,
                po,
                pv,
                pvw,
                ch,
                chp,
            ) in zip(
                [self.symbols[row] for row in rows.tolist()],
                price.tolist(),
                high.tolist(),
                low.tolist(),
                day_open.tolist(),
                volume_list,
                _vwap(high, low, price),
                ask.tolist(),
                bid.tolist(),
                quote_sizes,
                trade_ns.tolist(),
                trade_ids,
                trade_sizes,
                [self.exchange_id[row] for row in rows.tolist()],
                minute_high.tolist(),
                minute_low.tolist(),
                _transactions(minute_volume, price),
                minute_open.tolist(),
                minute_volume_list,
                np.round((minute_open + price) / 2.0, 4).tolist(),
                prev_close.tolist(),
                prev_high.tolist(),
                prev_low.tolist(),
                prev_open.tolist(),
                prev_volume.astype(np.int64).tolist(),
                _vwap(prev_high, prev_low, prev_close),
                change.tolist(),
                change_percent.tolist(),
                strict=True,
            )
        ]

    def grouped_rows(self, session: date, rows: IntArray) -> list[Row]:
        """`GET /v2/aggs/grouped/...` rows of a completed session."""
        path = self.market.session_path(session)
        close, high, low = path.close[rows], path.high[rows], path.low[rows]
        volume = path.volume[rows]
        stamp = _ms(datetime.combine(session, datetime.min.time(), NEW_YORK).replace(hour=16))
        return [
            {"T": symbol, "v": v, "vw": vw, "o": o, "c": c, "h": h, "l": lo, "t": stamp, "n": n}
            for symbol, v, vw, o, c, h, lo, n in zip(
                [self.symbols[row] for row in rows.tolist()],
                volume.astype(np.int64).tolist(),
                _vwap(high, low, close),
                path.open[rows].tolist(),
                close.tolist(),
                high.tolist(),
                low.tolist(),
                _transactions(volume, close),
                strict=True,
            )
        ]

    def ticker_row(self, row: int, updated: str) -> Row:
        """One `GET /v3/reference/tickers` row."""
        ids = self.identities[row]
        otc = self.exchanges[row] == "OTC"
        result: Row = {
            "ticker": self.symbols[row],
            "name": self.names[row],
            "market": "otc" if otc else "stocks",
            "locale": "us",
        }
        if not otc:
            result["primary_exchange"] = self.exchanges[row]
        result.update(
            {
                "type": self.types[row],
                "active": True,
                "currency_name": "usd",
                "cik": ids.cik,
                "composite_figi": ids.composite_figi,
                "share_class_figi": ids.share_class_figi,
                "last_updated_utc": updated,
            }
        )
        return result

    def ticker_details(self, row: int, now: datetime) -> Row:
        """`GET /v3/reference/tickers/{ticker}` results."""
        result = self.ticker_row(row, "")
        del result["last_updated_utc"]
        symbol, name = self.symbols[row], self.names[row]
        market_cap = float(self.market_caps(now)[row])
        details = company_details(self.seed, symbol, name, market_cap)
        shares = self.shares_list[row]
        description = self._description(row)
        result.update(
            {
                "market_cap": market_cap,
                "phone_number": details.phone_number,
                "address": {
                    "address1": details.address1.upper(),
                    "city": details.city.upper(),
                    "state": details.state,
                    "postal_code": details.postal_code,
                },
                "description": description,
            }
        )
        if self.sic_codes[row] is not None:
            result["sic_code"] = self.sic_codes[row]
            result["sic_description"] = self.sic_descriptions[row]
        result.update(
            {
                "ticker_root": symbol,
                "homepage_url": details.homepage_url,
                "total_employees": details.total_employees,
                "list_date": details.list_date,
                "branding": {
                    "logo_url": f"{IMAGE_DOMAIN}/branding/{symbol.lower()}_logo.svg",
                    "icon_url": f"{IMAGE_DOMAIN}/branding/{symbol.lower()}_icon.png",
                },
                "share_class_shares_outstanding": shares,
                "weighted_shares_outstanding": shares,
                "round_lot": 100,
            }
        )
        return result

    def _description(self, row: int) -> str:
        name, kind = self.names[row], self.types[row]
        if kind in ("ETF", "FUND"):
            return f"{name} is a simulated exchange-traded fund listed on {self.exchanges[row]}."
        industry = self.fmp_industry[row] or "diversified"
        activity = (self.sic_descriptions[row] or industry).lower()
        return (
            f"{name} is a simulated {industry.lower()} company ({activity}). "
            "Its prices, volumes and news come from the SectorLights market simulation."
        )

    def float_row(self, row: int, effective_date: str) -> Row | None:
        """One `GET /stocks/vX/float` row; None when the float is unknown."""
        float_shares = self.float_shares[row]
        shares = self.shares_list[row]
        if float_shares is None or shares <= 0:
            return None
        return {
            "effective_date": effective_date,
            "free_float": round(float_shares),
            "free_float_percent": round(100.0 * float_shares / shares, 2),
            "ticker": self.symbols[row],
        }

    def minute_rows(self, symbol: str, session: date, first_ms: int, last_ms: int, now_ms: int) -> list[Row]:
        """Minute aggregates of one session starting in [first_ms, last_ms] and complete by `now_ms`."""
        bars = self.provider.minute_bars(symbol, session)
        starts_ms = bars.window_start_ns // NS_PER_MS
        keep = (starts_ms >= first_ms) & (starts_ms <= last_ms) & (starts_ms + 60_000 <= now_ms)
        if not np.any(keep):
            return []
        high, low, close = bars.high[keep], bars.low[keep], bars.close[keep]
        volume = bars.volume[keep]
        return [
            {"v": v, "vw": vw, "o": o, "c": c, "h": h, "l": lo, "t": t, "n": n}
            for v, vw, o, c, h, lo, t, n in zip(
                volume.astype(np.int64).tolist(),
                _vwap(high, low, close),
                bars.open[keep].tolist(),
                close.tolist(),
                high.tolist(),
                low.tolist(),
                starts_ms[keep].tolist(),
                _transactions(volume, close),
                strict=True,
            )
        ]

    @staticmethod
    def news_row(article: Article) -> Row:
        return {
            "amp_url": article.amp_url,
            "article_url": article.article_url,
            "author": article.author,
            "description": article.description,
            "id": article.article_id,
            "image_url": article.image_url,
            "insights": [
                {
                    "sentiment": str(insight.sentiment),
                    "sentiment_reasoning": insight.reasoning,
                    "ticker": insight.ticker,
                }
                for insight in article.insights
            ],
            "keywords": list(article.keywords),
            "published_utc": article.published_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "publisher": {
                "favicon_url": article.publisher.favicon_url,
                "homepage_url": article.publisher.homepage_url,
                "logo_url": article.publisher.logo_url,
                "name": article.publisher.name,
            },
            "tickers": list(article.tickers),
            "title": article.title,
        }

    # ----- FMP ------------------------------------------------------------------------------------

    def quotes(self, now: datetime) -> tuple[FloatArray, FloatArray, FloatArray, _History]:
        """(last price, session volume, previous close, history) of every listing at `now`."""
        session, _, price, volume = self.state(now)
        history = self._history(session)
        previous_close = history.previous.close if history.previous is not None else price
        return price, volume, previous_close, history

    def profile(self, row: int, now: datetime) -> Row:
        """One `GET /stable/profile` row."""
        price_all, volume_all, previous_all, history = self.quotes(now)
        symbol, name, kind = self.symbols[row], self.names[row], self.types[row]
        price = float(price_all[row])
        previous = float(previous_all[row])
        market_cap = round(self.shares_list[row] * price)
        details = company_details(self.seed, symbol, name, market_cap)
        ids = self.identities[row]
        average_volume = history.average_volume[row]
        low, high = float(history.low[row]), float(history.high[row])
        low, high = (min(low, price), max(high, price)) if math.isfinite(low) else (price, price)
        return {
            "symbol": symbol,
            "price": price,
            "marketCap": market_cap,
            "beta": self.beta[row],
            "lastDividend": 0.0,
            "range": f"{low:g}-{high:g}",
            "change": round(price - previous, 4),
            "changePercentage": round(100.0 * (price - previous) / previous, 5) if previous else 0.0,
            "volume": int(volume_all[row]),
            "averageVolume": round(float(average_volume)) if math.isfinite(average_volume) else 0,
            "companyName": name,
            "currency": "USD",
            "cik": ids.cik,
            "isin": ids.isin,
            "cusip": ids.cusip,
            "exchangeFullName": self.fmp_exchange_full[row],
            "exchange": self.fmp_exchange[row],
            "industry": self.fmp_industry[row],
            "website": details.homepage_url,
            "description": self._description(row),
            "ceo": details.ceo,
            "sector": self.fmp_sector[row],
            "country": "US",
            "fullTimeEmployees": str(details.total_employees),
            "phone": details.phone_number,
            "address": details.address1,
            "city": details.city,
            "state": details.state,
            "zip": details.postal_code,
            "image": f"{IMAGE_DOMAIN}/symbol/{symbol}.png",
            "ipoDate": details.list_date,
            "defaultImage": False,
            "isEtf": kind == "ETF",
            "isActivelyTrading": True,
            "isAdr": kind == "ADRC",
            "isFund": kind == "FUND",
        }

    def screener_rows(self, rows: IntArray, now: datetime) -> list[Row]:
        """`GET /stable/company-screener` rows."""
        price_all, volume_all, _, _ = self.quotes(now)
        price = price_all[rows]
        caps = np.round(self.shares[rows] * price).astype(np.int64)
        return [
            {
                "symbol": self.symbols[row],
                "companyName": self.names[row],
                "marketCap": cap,
                "sector": self.fmp_sector[row],
                "industry": self.fmp_industry[row],
                "beta": self.beta[row],
                "price": p,
                "lastAnnualDividend": 0.0,
                "volume": v,
                "exchange": self.fmp_exchange_full[row],
                "exchangeShortName": self.fmp_exchange[row],
                "country": "US",
                "isEtf": self.types[row] == "ETF",
                "isFund": self.types[row] == "FUND",
                "isActivelyTrading": True,
            }
            for row, cap, p, v in zip(
                rows.tolist(),
                caps.tolist(),
                price.tolist(),
                volume_all[rows].astype(np.int64).tolist(),
                strict=True,
            )
        ]

    def screener_columns(self, now: datetime) -> tuple[FloatArray, FloatArray, FloatArray]:
        """(market cap, price, volume) of every listing, for the screener's filters."""
        price, volume, _, _ = self.quotes(now)
        return self.shares * price, price, volume

    def fmp_float_row(self, row: int, stamp: str) -> Row | None:
        float_shares = self.float_shares[row]
        shares = self.shares_list[row]
        if float_shares is None or shares <= 0:
            return None
        return {
            "symbol": self.symbols[row],
            "date": stamp,
            "freeFloat": 100.0 * float_shares / shares,
            "floatShares": round(float_shares),
            "outstandingShares": shares,
            "source": f"{FLOAT_SOURCE_DOMAIN}/{self.identities[row].cik}/{self.symbols[row].lower()}-10k.htm",
        }

    def float_rows(self) -> list[int]:
        """Rows with a known float, in symbol order."""
        return [
            row
            for row, value in enumerate(self.float_shares)
            if value is not None and self.shares_list[row] > 0
        ]

    def etf_holdings(self, symbol: str, now: datetime) -> list[Row]:
        """`GET /stable/etf/holdings`: IWM holds the small caps, the PSC* funds their sector's
        small caps, the XL* funds their sector's largest companies; other funds report nothing."""
        session = current_session(now)
        members = self._holdings(symbol, session)
        if members.size == 0:
            return []
        close = self.market.last_close(now)
        value = self.shares[members] * close[members]
        etf_row = self.rows[symbol]
        net_assets = float(self.base_cap[etf_row])
        weights = value / value.sum()
        held_value = weights * net_assets
        held_shares = np.round(held_value / close[members]).astype(np.int64)
        stamp = session_bounds(session).extended_open.strftime("%Y-%m-%d %H:%M:%S")
        order = np.argsort(-weights, kind="stable")
        return [
            {
                "symbol": symbol,
                "asset": self.symbols[row],
                "name": self.names[row].upper(),
                "isin": self.identities[row].isin,
                "securityCusip": self.identities[row].cusip,
                "sharesNumber": shares,
                "weightPercentage": weight,
                "marketValue": market_value,
                "updatedAt": stamp,
            }
            for row, shares, weight, market_value in zip(
                members[order].tolist(),
                held_shares[order].tolist(),
                np.round(100.0 * weights[order], 3).tolist(),
                np.round(held_value[order]).astype(np.int64).tolist(),
                strict=True,
            )
        ]

    def _compute_holdings(self, symbol: str, session: date) -> IntArray:
        etf = next((etf for etf in SECTOR_ETFS if etf.symbol == symbol), None)
        if etf is None or symbol not in self.rows:
            return np.zeros(0, dtype=np.int64)
        types = self.market.universe.security_types
        exchanges = self.market.universe.exchanges
        sector_index = self.market.universe.sector_index
        bounds = session_bounds(session)
        caps = self.market_caps(bounds.extended_open)
        common = (types == "CS") & np.isin(exchanges, list(ALLOWED_EXCHANGES))
        small = common & (caps >= BENCHMARK_CAP_RANGE[0]) & (caps <= BENCHMARK_CAP_RANGE[1])
        if symbol == BENCHMARK_SYMBOL or etf.sector is None:
            return np.flatnonzero(small)
        in_sector = sector_index == SECTOR_INDEX[etf.sector]
        if symbol.startswith("PSC"):
            return np.flatnonzero(small & in_sector)
        large = np.flatnonzero(common & in_sector & (caps > BENCHMARK_CAP_RANGE[1]))
        if large.size < LARGE_CAP_HOLDINGS:
            large = np.flatnonzero(common & in_sector)
        return np.sort(large[np.argsort(-caps[large], kind="stable")[:LARGE_CAP_HOLDINGS]])
