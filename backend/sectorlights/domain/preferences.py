"""A trader's preferences (DESIGN §7): freshness tolerance and which scheduled runs matter."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator

ScheduledRun = Literal["20:00", "04:00", "08:00"]
LOCAL_USER = "local"
ALL_SCHEDULED_RUNS: tuple[ScheduledRun, ...] = ("20:00", "04:00", "08:00")
# The symbols the stock lookup accepts (api/routes/stocks.py), upper case as they are listed.
WATCHLIST_SYMBOL_PATTERN = r"^[A-Z0-9.\-]{1,10}$"
WATCHLIST_MAX_SYMBOLS = 50


def without_repeats(items: list[ScheduledRun]) -> list[ScheduledRun]:
    """`items` with each kept once, in its first place: a list sent twice over is the same choice."""
    return list(dict.fromkeys(items))


def symbols_without_repeats(symbols: list[str]) -> list[str]:
    """Each pinned symbol once, in the order first pinned: pinning twice is one pin."""
    return list(dict.fromkeys(symbols))


WatchedSymbol = Annotated[str, Field(pattern=WATCHLIST_SYMBOL_PATTERN)]

CHART_LINKS_MAX = 8
CHART_LINK_SYMBOL = "{symbol}"


class ChartLink(BaseModel):
    """A link out to a charting site: `{symbol}` in the template is replaced by the ticker."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    label: str = Field(min_length=1, max_length=24, description="what the link reads, 1-24 characters")
    url_template: str = Field(
        min_length=1,
        max_length=500,
        description="an http(s) URL containing {symbol}, e.g. https://finviz.com/quote.ashx?t={symbol}",
    )

    @field_validator("label")
    @classmethod
    def _label_has_text(cls, label: str) -> str:
        if not label.strip():
            raise ValueError("the label must not be blank")
        return label.strip()

    @field_validator("url_template")
    @classmethod
    def _http_with_symbol(cls, template: str) -> str:
        # Only web links: a javascript: or data: template would run in the page when clicked.
        if not template.lower().startswith(("https://", "http://")) or len(template.split("://", 1)[1]) < 1:
            raise ValueError("must start with https:// or http://")
        if CHART_LINK_SYMBOL not in template:
            raise ValueError("must contain {symbol}, where the ticker goes")
        if any(char.isspace() for char in template):
            raise ValueError("must not contain spaces")
        return template


DEFAULT_CHART_LINKS: tuple[ChartLink, ...] = (
    ChartLink(label="TradingView", url_template="https://www.tradingview.com/chart/?symbol={symbol}"),
    ChartLink(label="Finviz", url_template="https://finviz.com/quote.ashx?t={symbol}"),
)


class Preferences(BaseModel):
    """Unknown fields are refused, so a typo is an error rather than a silently ignored setting."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    freshness_tolerance_hours: float = Field(
        default=2.0, gt=0, le=24, description="age after which a fresh analysis is offered"
    )
    # Bounded: a list as long as a body may be would be stored and served back on every read.
    scheduled_runs: Annotated[list[ScheduledRun], AfterValidator(without_repeats)] = Field(
        default_factory=lambda: list(ALL_SCHEDULED_RUNS),
        max_length=len(ALL_SCHEDULED_RUNS),
        description="the scheduled analyses (ET) this trader cares about, each once",
    )
    intraday_refresh: bool = Field(default=True, description="follow the 30-minute intraday refresh")
    # Bounded like scheduled_runs: served back on every read, so a body-sized list is refused.
    watchlist: Annotated[list[WatchedSymbol], AfterValidator(symbols_without_repeats)] = Field(
        default_factory=list,
        max_length=WATCHLIST_MAX_SYMBOLS,
        description="symbols the trader pinned, upper case, each once, in the order pinned",
    )
    # Bounded like the watchlist; an empty list is a choice (no links), not a request for defaults.
    chart_links: list[ChartLink] = Field(
        default_factory=lambda: list(DEFAULT_CHART_LINKS),
        max_length=CHART_LINKS_MAX,
        description="links out to charting sites, shown beside every chart, at most 8",
    )
