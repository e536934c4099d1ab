"""The static side of the simulated market: who is listed, where, how big, and how each name moves.

Everything here is drawn once per seed from `np.random.default_rng([seed, STATIC_STREAM, part])`, so a
given seed always lists the same securities with the same reference data, in any process.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from sectorlights.config.criteria import UniverseCriteria
from sectorlights.config.sectors import SECTOR_MAPPING
from sectorlights.domain.vocabulary import SECTORS, Sector
from sectorlights.providers.simulated.reference import (
    BLANK_CHECK_SIC,
    CORPORATE_SUFFIXES,
    ETF_ISSUERS,
    ETF_THEMES,
    NAME_CODAS,
    NAME_ONSETS,
    NAME_VOWELS,
    NAMED_TICKERS,
    SECTOR_BEHAVIOUR,
    SECTOR_ETFS,
    SECTOR_INDEX,
    SIC_CODES_BY_SECTOR,
)

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
StrArray = npt.NDArray[np.str_]

STATIC_STREAM = 1
SECTOR_COUNT = len(SECTORS)
MINIMUM_LISTING_COUNT = 100  # the settings floor; the named tickers and ETFs alone are 49

# Mix of the generated listings by Polygon security type (named tickers and ETFs come on top).
SECURITY_TYPE_SHARES: tuple[tuple[str, float], ...] = (
    ("CS", 0.66),
    ("ETF", 0.16),
    ("ADRC", 0.05),
    ("PFD", 0.04),
    ("WARRANT", 0.045),
    ("RIGHT", 0.01),
    ("UNIT", 0.015),
    ("FUND", 0.02),
)
COMMON_STOCK_EXCHANGES: tuple[tuple[str, float], ...] = (
    ("XNAS", 0.52),
    ("XNYS", 0.27),
    ("XASE", 0.04),
    ("ARCX", 0.004),
    ("BATS", 0.006),
    ("OTC", 0.16),
)
# log10 market cap (USD) by exchange for operating companies: mean and standard deviation.
LOG10_CAP_BY_EXCHANGE: dict[str, tuple[float, float]] = {
    "XNAS": (8.55, 1.0),
    "XNYS": (9.25, 0.95),
    "XASE": (7.85, 0.6),
    "ARCX": (8.3, 0.8),
    "BATS": (8.3, 0.8),
    "OTC": (7.3, 1.0),
}
LOG10_CAP_LIMITS = (6.0, 11.7)  # ~$1M to ~$500B
# Earnings come once a quarter; offerings and FDA decisions are rarer.
EARNINGS_RATE_PER_SESSION = 1.0 / 63.0
OFFERING_RATE_PER_SESSION = 0.003
FDA_RATE_PER_SESSION = 0.005
# Bound of a named ticker's log-price deviation from its base level: exp(0.14) = +15%, exp(-0.14) = -13%.
NAMED_PRICE_BAND = 0.14
NAMED_SIGMA_SHARE = 0.7
NAMED_SIGMA_CAP = 0.035
GAP_FREQUENCY_MULTIPLIER: dict[str, float] = {
    "extreme": 1.6,
    "high": 1.3,
    "moderate": 1.0,
    "low": 0.7,
    "very_low": 0.45,
}


@dataclass(frozen=True, slots=True)
class StaticUniverse:
    """One row per listing, sorted by symbol. NaN marks an unknown float or an unbounded name."""

    symbols: StrArray
    names: tuple[str, ...]
    security_types: StrArray
    exchanges: StrArray
    sic_codes: tuple[str | None, ...]
    sic_descriptions: tuple[str | None, ...]
    sector_index: IntArray  # the sector that drives the listing's moves (also for SIC-less rows)
    base_price: FloatArray
    shares_outstanding: FloatArray
    float_shares: FloatArray
    base_average_volume: FloatArray
    market_beta: FloatArray
    sector_loadings: FloatArray  # (listings, sectors)
    idiosyncratic_sigma: FloatArray  # daily log-return sigma of the stock's own noise
    earnings_rate: FloatArray  # per session
    offering_rate: FloatArray
    fda_rate: FloatArray
    price_band: FloatArray  # NaN, or the bound of the log-price deviation of a named ticker
    volume_band: FloatArray  # NaN, or the bound of the daily volume's log deviation

    @property
    def size(self) -> int:
        return int(self.symbols.shape[0])


def _static_rng(seed: int, part: int) -> np.random.Generator:
    return np.random.default_rng([seed, STATIC_STREAM, part])


def _split_counts(total: int, shares: tuple[tuple[str, float], ...]) -> dict[str, int]:
    """Largest-remainder split, so the counts always add up to `total`."""
    weight_sum = math.fsum(share for _, share in shares)
    exact = [total * share / weight_sum for _, share in shares]
    counts = [math.floor(value) for value in exact]
    by_remainder = sorted(range(len(shares)), key=lambda index: (counts[index] - exact[index], index))
    for index in by_remainder[: total - sum(counts)]:
        counts[index] += 1
    return {name: count for (name, _), count in zip(shares, counts, strict=True)}


def _choice(rng: np.random.Generator, options: tuple[tuple[str, float], ...], size: int) -> StrArray:
    labels = np.array([label for label, _ in options])
    weights = np.array([weight for _, weight in options], dtype=np.float64)
    return labels[rng.choice(labels.size, size=size, p=weights / weights.sum())]


# English initial-letter frequencies make generated tickers read like real ones.
_LETTERS = np.array(list("ABCDEFGHIJKLMNOPQRSTUVWXYZ"))
_LETTER_WEIGHTS = np.array(
    [8, 6, 8, 5, 5, 4, 5, 4, 5, 1, 3, 5, 7, 5, 4, 6, 0.5, 5, 8, 6, 2, 3, 3, 1, 1, 1], dtype=np.float64
)


class _SymbolBook:
    """Hands out unique tickers; a collision draws again from the same seeded stream."""

    _BLOCK = 8192

    def __init__(self, rng: np.random.Generator, taken: list[str]) -> None:
        self._rng = rng
        self._taken = set(taken)
        self._probabilities = _LETTER_WEIGHTS / _LETTER_WEIGHTS.sum()
        self._buffer: list[str] = []
        self._position = 0

    def _letters(self, length: int) -> str:
        # Letters are drawn in blocks: one draw per ticker would dominate the universe build.
        if self._position + length > len(self._buffer):
            picks = self._rng.choice(_LETTERS.size, size=self._BLOCK, p=self._probabilities)
            self._buffer = _LETTERS[picks].tolist()
            self._position = 0
        letters = "".join(self._buffer[self._position : self._position + length])
        self._position += length
        return letters

    def claim(self, length: int, suffix: str = "") -> str:
        while True:
            symbol = self._letters(length) + suffix
            if symbol not in self._taken:
                self._taken.add(symbol)
                return symbol

    def claim_exact(self, symbol: str) -> bool:
        if symbol in self._taken:
            return False
        self._taken.add(symbol)
        return True


def _company_roots(rng: np.random.Generator, count: int) -> list[str]:
    onsets = rng.integers(0, len(NAME_ONSETS), count).tolist()
    vowels = rng.integers(0, len(NAME_VOWELS), count).tolist()
    codas = rng.integers(0, len(NAME_CODAS), count).tolist()
    tails = rng.integers(0, len(NAME_VOWELS) + 3, count).tolist()
    roots = []
    for onset, vowel, coda, tail in zip(onsets, vowels, codas, tails, strict=True):
        root = NAME_ONSETS[onset] + NAME_VOWELS[vowel] + NAME_CODAS[coda]
        # A third of the names get a trailing vowel ("Vexora"), which reads like a brand.
        if tail < len(NAME_VOWELS) and tail % 3 == 0:
            root += NAME_VOWELS[tail]
        roots.append(root)
    return roots


def _log_normal_cap(rng: np.random.Generator, exchanges: StrArray) -> FloatArray:
    means = np.array([LOG10_CAP_BY_EXCHANGE[str(exchange)][0] for exchange in exchanges.tolist()])
    sigmas = np.array([LOG10_CAP_BY_EXCHANGE[str(exchange)][1] for exchange in exchanges.tolist()])
    log10_cap = np.clip(means + sigmas * rng.standard_normal(exchanges.size), *LOG10_CAP_LIMITS)
    return np.asarray(10.0**log10_cap, dtype=np.float64)


def _operating_prices(rng: np.random.Generator, market_cap: FloatArray, exchanges: StrArray) -> FloatArray:
    """Bigger companies trade at higher prices; OTC names are mostly penny stocks."""
    log10_price = 1.0 + 0.28 * (np.log10(market_cap) - 8.5) + 0.42 * rng.standard_normal(market_cap.size)
    log10_price -= np.where(exchanges == "OTC", 0.7, 0.0)
    return np.asarray(10.0 ** np.clip(log10_price, -2.0, 3.4), dtype=np.float64)


def _turnover_volume(
    rng: np.random.Generator, shares: FloatArray, price: FloatArray, exchanges: StrArray
) -> FloatArray:
    """Average daily volume from daily turnover: low-priced names churn more, OTC names less."""
    log10_turnover = -1.0 - 0.2 * (np.log10(price) - 1.0) + 0.45 * rng.standard_normal(shares.size)
    log10_turnover -= np.where(exchanges == "OTC", 0.5, 0.0)
    turnover = 10.0 ** np.clip(log10_turnover, -4.0, -0.3)
    return np.asarray(np.maximum(100.0, shares * turnover), dtype=np.float64)


def _idiosyncratic_sigma(
    rng: np.random.Generator, market_cap: FloatArray, sector_index: IntArray
) -> FloatArray:
    """Micro caps move ~4-6% a day, small caps ~2.5-4%, mega caps ~1.5%."""
    multipliers = np.array([SECTOR_BEHAVIOUR[sector].idiosyncratic_multiplier for sector in SECTORS])
    sigma = 0.045 * (market_cap / 1e8) ** -0.17 * multipliers[sector_index]
    sigma *= np.exp(0.2 * rng.standard_normal(market_cap.size))
    return np.asarray(np.clip(sigma, 0.006, 0.12), dtype=np.float64)


def _sector_draw(rng: np.random.Generator, size: int) -> IntArray:
    shares = np.array([SECTOR_BEHAVIOUR[sector].share_of_companies for sector in SECTORS])
    return np.asarray(rng.choice(SECTOR_COUNT, size=size, p=shares / shares.sum()), dtype=np.int64)


def _sic_draw(
    rng: np.random.Generator, sector_index: IntArray, missing_share: float
) -> tuple[list[str | None], list[str | None]]:
    codes: list[str | None] = []
    descriptions: list[str | None] = []
    picks = rng.random(sector_index.size).tolist()
    missing = (rng.random(sector_index.size) < missing_share).tolist()
    cumulative = {
        sector: np.cumsum([code.weight for code in table]) / math.fsum(code.weight for code in table)
        for sector, table in SIC_CODES_BY_SECTOR.items()
    }
    for index, pick, is_missing in zip(sector_index.tolist(), picks, missing, strict=True):
        if is_missing:
            codes.append(None)
            descriptions.append(None)
            continue
        sector = SECTORS[index]
        table = SIC_CODES_BY_SECTOR[sector]
        position = min(int(np.searchsorted(cumulative[sector], pick, side="right")), len(table) - 1)
        codes.append(table[position].code)
        descriptions.append(table[position].description)
    return codes, descriptions


@dataclass(slots=True)
class _Rows:
    """Column lists filled block by block, then turned into arrays."""

    symbols: list[str]
    names: list[str]
    security_types: list[str]
    exchanges: list[str]
    sic_codes: list[str | None]
    sic_descriptions: list[str | None]
    sector_index: list[IntArray]
    market_cap: list[FloatArray]
    price: list[FloatArray]
    float_fraction: list[FloatArray]
    average_volume: list[FloatArray]
    market_beta: list[FloatArray]
    sector_loading: list[FloatArray]  # (rows, sectors) blocks
    idiosyncratic_sigma: list[FloatArray]
    earnings_rate: list[FloatArray]
    offering_rate: list[FloatArray]
    fda_rate: list[FloatArray]
    price_band: list[FloatArray]
    volume_band: list[FloatArray]

    @classmethod
    def empty(cls) -> _Rows:
        return cls([], [], [], [], [], [], [], [], [], [], [], [], [], [], [], [], [], [], [])


def _one_hot(sector_index: IntArray, loading: FloatArray) -> FloatArray:
    loadings = np.zeros((sector_index.size, SECTOR_COUNT))
    loadings[np.arange(sector_index.size), sector_index] = loading
    return loadings


def _catalyst_multiplier(sector_index: IntArray) -> FloatArray:
    by_sector = np.array(
        [GAP_FREQUENCY_MULTIPLIER[SECTOR_MAPPING[sector].gap_frequency] for sector in SECTORS]
    )
    return np.asarray(by_sector[sector_index], dtype=np.float64)


def _beta(rng: np.random.Generator, sector_index: IntArray) -> FloatArray:
    means = np.array([SECTOR_BEHAVIOUR[sector].beta_mean for sector in SECTORS])
    return np.asarray(
        np.clip(means[sector_index] + 0.35 * rng.standard_normal(sector_index.size), 0.1, 2.8),
        dtype=np.float64,
    )


def build_universe(seed: int, listing_count: int) -> StaticUniverse:
    """The listings of the simulated market for `seed`, `listing_count` rows in all."""
    fixed_count = len(NAMED_TICKERS) + len(SECTOR_ETFS)
    if listing_count < MINIMUM_LISTING_COUNT:
        raise ValueError(f"listing_count must be at least {MINIMUM_LISTING_COUNT}, got {listing_count}")
    counts = _split_counts(listing_count - fixed_count, SECURITY_TYPE_SHARES)
    rows = _Rows.empty()
    reserved = [named.symbol for named in NAMED_TICKERS] + [etf.symbol for etf in SECTOR_ETFS]
    book = _SymbolBook(_static_rng(seed, 0), reserved)
    parents = _add_operating_companies(rows, seed, book, counts["CS"], counts["ADRC"])
    _add_named(rows, seed)
    _add_derived(rows, seed, book, parents, counts)
    _add_funds(rows, seed, book, counts["ETF"], counts["FUND"])
    return _finish(rows)


@dataclass(frozen=True, slots=True)
class _Parents:
    """Exchange-listed operating companies that can have preferreds and warrants."""

    symbols: list[str]
    names: list[str]
    exchanges: list[str]
    sector_index: IntArray
    market_cap: FloatArray
    market_beta: FloatArray


def _add_operating_companies(
    rows: _Rows, seed: int, book: _SymbolBook, common_count: int, adr_count: int
) -> _Parents:
    rng = _static_rng(seed, 1)
    count = common_count + adr_count
    types = np.array(["CS"] * common_count + ["ADRC"] * adr_count)
    exchanges = np.concatenate(
        [
            _choice(rng, COMMON_STOCK_EXCHANGES, common_count),
            _choice(rng, (("XNYS", 0.45), ("XNAS", 0.35), ("OTC", 0.20)), adr_count),
        ]
    )
    sector_index = _sector_draw(rng, count)
    market_cap = _log_normal_cap(rng, exchanges)
    market_cap[common_count:] *= 4.0  # foreign issuers that list ADRs are larger on average
    market_cap = np.minimum(market_cap, 10.0 ** LOG10_CAP_LIMITS[1])
    price = _operating_prices(rng, market_cap, exchanges)
    shares = np.round(market_cap / price)
    average_volume = _turnover_volume(rng, shares, price, exchanges)
    # Insiders and strategic holders keep part of the shares off the float.
    float_fraction = np.clip(rng.beta(3.5, 1.8, count), 0.08, 0.995)
    float_fraction[rng.random(count) < 0.05] = np.nan
    beta = _beta(rng, sector_index)
    sigma = _idiosyncratic_sigma(rng, market_cap, sector_index)
    sigma *= np.where(exchanges == "OTC", 1.3, 1.0)
    catalyst = _catalyst_multiplier(sector_index)
    below_large_cap = market_cap < 2e9
    healthcare = sector_index == SECTOR_INDEX[Sector.HEALTHCARE]

    roots = _company_roots(rng, count)
    words = rng.integers(0, 64, count).tolist()
    suffixes = rng.integers(0, len(CORPORATE_SUFFIXES), count).tolist()
    symbol_lengths = rng.random(count).tolist()
    names: list[str] = []
    symbols: list[str] = []
    for index in range(count):
        sector_words = SECTOR_BEHAVIOUR[SECTORS[int(sector_index[index])]].name_words
        word = sector_words[words[index] % len(sector_words)]
        name = roots[index] if words[index] >= 48 else f"{roots[index]} {word}"
        name = f"{name} {CORPORATE_SUFFIXES[suffixes[index]]}"
        if types[index] == "ADRC":
            name += " American Depositary Shares"
        names.append(name)
        symbols.append(
            _operating_symbol(book, str(exchanges[index]), str(types[index]), symbol_lengths[index])
        )
    sic_codes, sic_descriptions = _sic_draw(rng, sector_index, missing_share=0.03)

    rows.symbols += symbols
    rows.names += names
    rows.security_types += types.tolist()
    rows.exchanges += exchanges.tolist()
    rows.sic_codes += sic_codes
    rows.sic_descriptions += sic_descriptions
    rows.sector_index.append(sector_index)
    rows.market_cap.append(market_cap)
    rows.price.append(price)
    rows.float_fraction.append(float_fraction)
    rows.average_volume.append(average_volume)
    rows.market_beta.append(beta)
    rows.sector_loading.append(_one_hot(sector_index, np.ones(count)))
    rows.idiosyncratic_sigma.append(sigma)
    rows.earnings_rate.append(np.full(count, EARNINGS_RATE_PER_SESSION) * np.sqrt(catalyst))
    rows.offering_rate.append(np.where(below_large_cap, OFFERING_RATE_PER_SESSION * catalyst, 0.0))
    rows.fda_rate.append(np.where(healthcare, FDA_RATE_PER_SESSION, 0.0))
    rows.price_band.append(np.full(count, np.nan))
    rows.volume_band.append(np.full(count, np.nan))

    listed = np.flatnonzero(
        (types == "CS") & np.isin(exchanges, ["XNAS", "XNYS"]) & (np.char.str_len(np.array(symbols)) <= 4)
    )
    return _Parents(
        symbols=[symbols[index] for index in listed.tolist()],
        names=[names[index] for index in listed.tolist()],
        exchanges=[str(exchanges[index]) for index in listed.tolist()],
        sector_index=sector_index[listed],
        market_cap=market_cap[listed],
        market_beta=beta[listed],
    )


def _operating_symbol(book: _SymbolBook, exchange: str, security_type: str, draw: float) -> str:
    """NYSE names are 1-3 letters, Nasdaq 4, OTC foreign names end in F (ordinaries) or Y (ADRs)."""
    if exchange == "OTC":
        return book.claim(4, "Y" if security_type == "ADRC" else ("F" if draw < 0.4 else ""))
    if exchange == "XNYS":
        return book.claim(1 if draw < 0.01 else 2 if draw < 0.15 else 3)
    if exchange == "XNAS":
        return book.claim(3 if draw < 0.12 else 4)
    return book.claim(3 if draw < 0.5 else 4)


def _add_named(rows: _Rows, seed: int) -> None:
    rng = _static_rng(seed, 2)
    count = len(NAMED_TICKERS)
    sector_index = np.array([SECTOR_INDEX[named.sector] for named in NAMED_TICKERS], dtype=np.int64)
    market_cap = np.array([named.market_cap for named in NAMED_TICKERS])
    catalyst = _catalyst_multiplier(sector_index)
    rows.symbols += [named.symbol for named in NAMED_TICKERS]
    rows.names += [named.name for named in NAMED_TICKERS]
    rows.security_types += [named.security_type for named in NAMED_TICKERS]
    rows.exchanges += [named.exchange for named in NAMED_TICKERS]
    rows.sic_codes += [named.sic_code for named in NAMED_TICKERS]
    rows.sic_descriptions += [named.sic_description for named in NAMED_TICKERS]
    rows.sector_index.append(sector_index)
    rows.market_cap.append(market_cap)
    rows.price.append(np.array([named.price for named in NAMED_TICKERS]))
    rows.float_fraction.append(np.array([named.float_fraction for named in NAMED_TICKERS]))
    rows.average_volume.append(np.array([named.average_volume for named in NAMED_TICKERS]))
    # Calmer than their peers (moderate betas, less own noise, earnings but no offerings or FDA
    # decisions) so that the ±15% band around the spec's numbers is rarely reached and they keep
    # moving instead of sitting at its edge.
    rows.market_beta.append(np.clip(_beta(rng, sector_index), 0.7, 1.3))
    rows.sector_loading.append(_one_hot(sector_index, np.ones(count)))
    rows.idiosyncratic_sigma.append(
        np.minimum(NAMED_SIGMA_SHARE * _idiosyncratic_sigma(rng, market_cap, sector_index), NAMED_SIGMA_CAP)
    )
    rows.earnings_rate.append(np.full(count, EARNINGS_RATE_PER_SESSION) * np.sqrt(catalyst))
    rows.offering_rate.append(np.zeros(count))
    rows.fda_rate.append(np.zeros(count))
    rows.price_band.append(np.full(count, NAMED_PRICE_BAND))
    rows.volume_band.append(np.array([named.volume_band for named in NAMED_TICKERS]))


def _add_derived(
    rows: _Rows, seed: int, book: _SymbolBook, parents: _Parents, counts: dict[str, int]
) -> None:
    """Preferreds and warrants of listed companies, and SPAC units and rights."""
    rng = _static_rng(seed, 3)
    preferred_count, warrant_count = counts["PFD"], counts["WARRANT"]
    chosen = rng.permutation(len(parents.symbols))
    preferred_parents = chosen[:preferred_count]
    warrant_parents = rng.permutation(len(parents.symbols))[:warrant_count]
    _add_preferreds(rows, rng, book, parents, preferred_parents)
    _add_warrants(rows, rng, book, parents, warrant_parents)
    _add_spac_securities(rows, rng, book, counts["UNIT"], counts["RIGHT"])


def _append_generic(
    rows: _Rows,
    *,
    symbols: list[str],
    names: list[str],
    security_type: str,
    exchanges: list[str],
    sector_index: IntArray,
    market_cap: FloatArray,
    price: FloatArray,
    average_volume: FloatArray,
    market_beta: FloatArray,
    sector_loading: FloatArray,
    idiosyncratic_sigma: FloatArray,
    sic: tuple[str, str] | None = None,
) -> None:
    count = len(symbols)
    rows.symbols += symbols
    rows.names += names
    rows.security_types += [security_type] * count
    rows.exchanges += exchanges
    rows.sic_codes += [sic[0] if sic else None] * count
    rows.sic_descriptions += [sic[1] if sic else None] * count
    rows.sector_index.append(sector_index)
    rows.market_cap.append(market_cap)
    rows.price.append(price)
    rows.float_fraction.append(np.full(count, np.nan))
    rows.average_volume.append(average_volume)
    rows.market_beta.append(market_beta)
    rows.sector_loading.append(_one_hot(sector_index, sector_loading))
    rows.idiosyncratic_sigma.append(idiosyncratic_sigma)
    rows.earnings_rate.append(np.zeros(count))
    rows.offering_rate.append(np.zeros(count))
    rows.fda_rate.append(np.zeros(count))
    rows.price_band.append(np.full(count, np.nan))
    rows.volume_band.append(np.full(count, np.nan))


def _add_preferreds(
    rows: _Rows, rng: np.random.Generator, book: _SymbolBook, parents: _Parents, picks: IntArray
) -> None:
    count = picks.size
    coupons = (5.0 + 0.125 * rng.integers(0, 33, count)).tolist()
    series = rng.integers(0, 4, count).tolist()
    symbols, names = [], []
    for pick, coupon, letter in zip(picks.tolist(), coupons, series, strict=True):
        parent = parents.symbols[pick]
        series_letter = "ABCD"[letter]
        # Nasdaq marks a preferred with a fifth letter P; NYSE-style tickers add P and the series.
        candidate = parent + "P" if len(parent) == 4 else parent + "P" + series_letter
        symbols.append(candidate if book.claim_exact(candidate) else book.claim(4, "P"))
        names.append(f"{parents.names[pick]} {coupon:.3f}% Series {series_letter} Cumulative Preferred Stock")
    price = 25.0 * np.exp(0.12 * rng.standard_normal(count))
    _append_generic(
        rows,
        symbols=symbols,
        names=names,
        security_type="PFD",
        exchanges=[parents.exchanges[pick] for pick in picks.tolist()],
        sector_index=parents.sector_index[picks],
        market_cap=10.0 ** rng.normal(8.0, 0.4, count),
        price=price,
        average_volume=10.0 ** rng.normal(4.2, 0.45, count),
        market_beta=np.full(count, 0.25),
        sector_loading=np.full(count, 0.2),
        idiosyncratic_sigma=np.full(count, 0.008),
    )


def _add_warrants(
    rows: _Rows, rng: np.random.Generator, book: _SymbolBook, parents: _Parents, picks: IntArray
) -> None:
    count = picks.size
    symbols = []
    for pick in picks.tolist():
        parent = parents.symbols[pick]
        candidate = parent + "W" if len(parent) == 4 else parent + "WS"
        symbols.append(candidate if book.claim_exact(candidate) else book.claim(4, "W"))
    price = 10.0 ** np.clip(rng.normal(-0.7, 0.5, count), -2.0, 1.3)
    _append_generic(
        rows,
        symbols=symbols,
        names=[f"{parents.names[pick]} Warrants" for pick in picks.tolist()],
        security_type="WARRANT",
        exchanges=[parents.exchanges[pick] for pick in picks.tolist()],
        sector_index=parents.sector_index[picks],
        market_cap=price * 10.0 ** rng.normal(7.0, 0.4, count),
        price=price,
        average_volume=10.0 ** rng.normal(4.3, 0.7, count),
        # A warrant is a leveraged call on its company.
        market_beta=2.5 * parents.market_beta[picks],
        sector_loading=np.full(count, 2.5),
        idiosyncratic_sigma=np.full(count, 0.09),
    )


def _add_spac_securities(
    rows: _Rows, rng: np.random.Generator, book: _SymbolBook, unit_count: int, right_count: int
) -> None:
    financial = SECTOR_INDEX[Sector.FINANCIAL]
    for security_type, count, suffix, label in (
        ("UNIT", unit_count, "U", "Units"),
        ("RIGHT", right_count, "R", "Rights"),
    ):
        roots = _company_roots(rng, count)
        symbols = [book.claim(4, suffix) for _ in range(count)]
        exchanges = _choice(rng, (("XNAS", 0.85), ("XNYS", 0.15)), count).tolist()
        price = (
            10.0 + 0.4 * rng.random(count)
            if security_type == "UNIT"
            else 10.0 ** np.clip(rng.normal(-0.9, 0.3, count), -2.0, 0.3)
        )
        _append_generic(
            rows,
            symbols=symbols,
            names=[f"{root} Acquisition Corp. {label}" for root in roots],
            security_type=security_type,
            exchanges=exchanges,
            sector_index=np.full(count, financial, dtype=np.int64),
            market_cap=price * 10.0 ** rng.normal(7.3, 0.3, count),
            price=np.asarray(price, dtype=np.float64),
            average_volume=10.0 ** rng.normal(3.6, 0.6, count),
            market_beta=np.full(count, 0.05),
            sector_loading=np.zeros(count),
            idiosyncratic_sigma=np.full(count, 0.004 if security_type == "UNIT" else 0.08),
            sic=(BLANK_CHECK_SIC.code, BLANK_CHECK_SIC.description) if security_type == "UNIT" else None,
        )


def _add_funds(rows: _Rows, seed: int, book: _SymbolBook, etf_count: int, fund_count: int) -> None:
    rng = _static_rng(seed, 4)
    exchanges = _choice(rng, (("ARCX", 0.62), ("XNAS", 0.22), ("BATS", 0.16)), etf_count).tolist()
    issuers = rng.integers(0, len(ETF_ISSUERS), etf_count).tolist()
    themes = rng.integers(0, len(ETF_THEMES), etf_count).tolist()
    sector_index = _sector_draw(rng, etf_count)
    price = 10.0 ** np.clip(rng.normal(1.55, 0.35, etf_count), 0.5, 2.9)
    _append_generic(
        rows,
        symbols=[book.claim(3 if draw < 0.45 else 4) for draw in rng.random(etf_count).tolist()],
        names=[
            f"{ETF_ISSUERS[issuer]} {ETF_THEMES[theme]} ETF"
            for issuer, theme in zip(issuers, themes, strict=True)
        ],
        security_type="ETF",
        exchanges=exchanges,
        sector_index=sector_index,
        market_cap=10.0 ** np.clip(rng.normal(8.3, 0.9, etf_count), 6.0, 11.5),
        price=price,
        average_volume=10.0 ** np.clip(rng.normal(4.6, 0.8, etf_count), 2.0, 7.5),
        market_beta=np.clip(rng.normal(0.9, 0.25, etf_count), 0.0, 1.6),
        sector_loading=rng.random(etf_count),
        idiosyncratic_sigma=np.full(etf_count, 0.003),
    )
    fund_roots = _company_roots(rng, fund_count)
    fund_kinds = (
        "Municipal Income Fund",
        "Global Equity Fund",
        "Credit Opportunities Fund",
        "Total Return Fund",
    )
    fund_kind_picks = rng.integers(0, len(fund_kinds), fund_count).tolist()
    _append_generic(
        rows,
        symbols=[book.claim(3) for _ in range(fund_count)],
        names=[f"{root} {fund_kinds[kind]}" for root, kind in zip(fund_roots, fund_kind_picks, strict=True)],
        security_type="FUND",
        exchanges=_choice(rng, (("XNYS", 0.85), ("XASE", 0.1), ("XNAS", 0.05)), fund_count).tolist(),
        sector_index=_sector_draw(rng, fund_count),
        market_cap=10.0 ** rng.normal(8.6, 0.4, fund_count),
        price=10.0 ** rng.normal(1.1, 0.2, fund_count),
        average_volume=10.0 ** rng.normal(5.0, 0.35, fund_count),
        market_beta=np.full(fund_count, 0.5),
        sector_loading=np.full(fund_count, 0.2),
        idiosyncratic_sigma=np.full(fund_count, 0.006),
    )
    _add_sector_etfs(rows)


def _add_sector_etfs(rows: _Rows) -> None:
    """IWM and the sector ETFs load on the factors in the proportions their members do."""
    members = _benchmark_members(rows)
    sector_index = np.concatenate(rows.sector_index)[members]
    beta = np.concatenate(rows.market_beta)[members]
    sector_weights = np.array(
        [np.count_nonzero(sector_index == index) for index in range(SECTOR_COUNT)], dtype=np.float64
    )
    sector_weights /= math.fsum(sector_weights.tolist())
    member_beta = math.fsum(beta.tolist()) / beta.size
    sector_beta = [
        math.fsum(beta[sector_index == index].tolist()) / max(1, int(np.count_nonzero(sector_index == index)))
        for index in range(SECTOR_COUNT)
    ]
    loadings = np.zeros((len(SECTOR_ETFS), SECTOR_COUNT))
    market_beta = np.zeros(len(SECTOR_ETFS))
    drivers = np.zeros(len(SECTOR_ETFS), dtype=np.int64)
    for row, etf in enumerate(SECTOR_ETFS):
        if etf.sector is None:
            loadings[row] = sector_weights
            market_beta[row] = member_beta * etf.market_loading
            continue
        index = SECTOR_INDEX[etf.sector]
        drivers[row] = index
        loadings[row, index] = etf.sector_loading
        # The small-cap PSC* funds hold the simulated sector; the XL* funds are large caps.
        market_beta[row] = sector_beta[index] if etf.symbol.startswith("PSC") else etf.market_loading
    rows.symbols += [etf.symbol for etf in SECTOR_ETFS]
    rows.names += [etf.name for etf in SECTOR_ETFS]
    rows.security_types += ["ETF"] * len(SECTOR_ETFS)
    rows.exchanges += [etf.exchange for etf in SECTOR_ETFS]
    rows.sic_codes += [None] * len(SECTOR_ETFS)
    rows.sic_descriptions += [None] * len(SECTOR_ETFS)
    rows.sector_index.append(drivers)
    rows.market_cap.append(np.array([etf.net_assets for etf in SECTOR_ETFS]))
    rows.price.append(np.array([etf.price for etf in SECTOR_ETFS]))
    rows.float_fraction.append(np.full(len(SECTOR_ETFS), np.nan))
    rows.average_volume.append(np.array([etf.average_volume for etf in SECTOR_ETFS]))
    rows.market_beta.append(market_beta)
    rows.sector_loading.append(loadings)
    rows.idiosyncratic_sigma.append(np.full(len(SECTOR_ETFS), 0.0015))
    for rates in (rows.earnings_rate, rows.offering_rate, rows.fda_rate):
        rates.append(np.zeros(len(SECTOR_ETFS)))
    rows.price_band.append(np.full(len(SECTOR_ETFS), np.nan))
    rows.volume_band.append(np.full(len(SECTOR_ETFS), np.nan))


def _benchmark_members(rows: _Rows) -> IntArray:
    """Rows that IWM stands for: exchange-listed common stock from $10M to $2B."""
    criteria = UniverseCriteria()
    types = np.array(rows.security_types)
    exchanges = np.array(rows.exchanges)
    market_cap = np.concatenate(rows.market_cap)
    return np.asarray(
        np.flatnonzero(
            (types == criteria.security_type)
            & np.isin(exchanges, list(criteria.exchanges))
            & (market_cap >= criteria.min_market_cap)
            & (market_cap <= criteria.max_market_cap)
        ),
        dtype=np.int64,
    )


def _finish(rows: _Rows) -> StaticUniverse:
    symbols = np.array(rows.symbols)
    order = np.argsort(symbols, kind="stable")
    market_cap = np.concatenate(rows.market_cap)[order]
    price = np.concatenate(rows.price)[order]
    shares = np.round(market_cap / price)

    def column(blocks: list[FloatArray]) -> FloatArray:
        return np.ascontiguousarray(np.concatenate(blocks)[order], dtype=np.float64)

    return StaticUniverse(
        symbols=symbols[order],
        names=tuple(rows.names[index] for index in order.tolist()),
        security_types=np.array(rows.security_types)[order],
        exchanges=np.array(rows.exchanges)[order],
        sic_codes=tuple(rows.sic_codes[index] for index in order.tolist()),
        sic_descriptions=tuple(rows.sic_descriptions[index] for index in order.tolist()),
        sector_index=np.concatenate(rows.sector_index)[order].astype(np.int64),
        base_price=price,
        shares_outstanding=shares,
        float_shares=np.round(shares * column(rows.float_fraction)),
        base_average_volume=column(rows.average_volume),
        market_beta=column(rows.market_beta),
        sector_loadings=np.ascontiguousarray(np.concatenate(rows.sector_loading)[order]),
        idiosyncratic_sigma=column(rows.idiosyncratic_sigma),
        earnings_rate=column(rows.earnings_rate),
        offering_rate=column(rows.offering_rate),
        fda_rate=column(rows.fda_rate),
        price_band=column(rows.price_band),
        volume_band=column(rows.volume_band),
    )
