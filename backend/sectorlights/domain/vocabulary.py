"""The fixed vocabulary of DESIGN §1: API, database, UI and tests use these exact strings."""

from __future__ import annotations

from enum import StrEnum


class Sector(StrEnum):
    TECHNOLOGY = "technology"
    HEALTHCARE = "healthcare"
    ENERGY = "energy"
    FINANCIAL = "financial"
    CONSUMER_DISCRETIONARY = "consumer_discretionary"
    INDUSTRIALS = "industrials"
    MATERIALS = "materials"
    UTILITIES = "utilities"


class Color(StrEnum):
    DARK_RED = "dark_red"
    LIGHT_RED = "light_red"
    BLUE_NEUTRAL = "blue_neutral"
    LIGHT_GREEN = "light_green"
    DARK_GREEN = "dark_green"


class Signal(StrEnum):
    PRIME_SHORTING_ENVIRONMENT = "PRIME_SHORTING_ENVIRONMENT"
    GOOD_SHORTING_ENVIRONMENT = "GOOD_SHORTING_ENVIRONMENT"
    NEUTRAL_CAUTIOUS = "NEUTRAL_CAUTIOUS"
    AVOID_SHORTS = "AVOID_SHORTS"
    DO_NOT_SHORT = "DO_NOT_SHORT"


class Timeframe(StrEnum):
    MIN_30 = "30m"
    DAY_1 = "1d"
    DAY_3 = "3d"
    WEEK_1 = "1w"


class Tier(StrEnum):
    MICRO_CAP = "micro_cap"
    SMALL_CAP = "small_cap"


class Freshness(StrEnum):
    FRESH = "fresh"
    AGING = "aging"
    STALE = "stale"


SECTORS: tuple[Sector, ...] = tuple(Sector)
COLORS: tuple[Color, ...] = tuple(Color)
TIMEFRAMES: tuple[Timeframe, ...] = tuple(Timeframe)

# The signal follows the color, in table order (DESIGN §6).
SIGNAL_BY_COLOR: dict[Color, Signal] = dict(zip(COLORS, tuple(Signal), strict=True))
