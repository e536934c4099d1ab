"""The API docs index Polygon's MCP server builds its endpoint allowlist from (`llms-full.txt`).

`mcp_massive` fetches the index once, on its first tool call, from `MASSIVE_LLMS_TXT_URL` (default
https://massive.com/docs/rest/llms-full.txt) and then serves a path only when it starts with an
indexed endpoint's path cut at its first `{placeholder}`. When the fetch fails it logs
`Error fetching <url>: <reason>` and keeps an EMPTY index for the rest of its life: every `call_api`
answers `Error [NOT_FOUND]: Path not in allowlist: ...` until the process is restarted.

The file is markdown: sections separated by `---` lines, each with a `## <Market>` heading, a
`### <Title>` heading, an ``**Endpoint:** `GET <path>` `` line and a `**Description:**` paragraph;
endpoints whose title says "Deprecated" are left out. `render` writes such an index (the sim vendor
serves one at `/docs/rest/llms-full.txt`, listing what it implements); `parse` reads one the way the
official server does (the stand-in server uses it). Pure, no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

OFFICIAL_URL = "https://massive.com/docs/rest/llms-full.txt"
SIM_VENDOR_PATH = "/docs/rest/llms-full.txt"  # the sim vendor serves it where massive.com does

_SECTION_BREAK = "\n---\n"
_ENDPOINT = re.compile(r"\*\*Endpoint:\*\*\s*`(\w+)\s+(.+?)`")
_MARKET = re.compile(r"^## (.+)$", re.MULTILINE)
_TITLE = re.compile(r"^### (.+)$", re.MULTILINE)
_DESCRIPTION = re.compile(r"\*\*Description:\*\*\s*\n(.*?)(?=\n## |\Z)", re.DOTALL)
# Second-level headings inside a section that are not its market.
_STRUCTURAL = frozenset({"Query Parameters", "Response Attributes", "Sample Response"})


@dataclass(frozen=True, slots=True)
class DocumentedEndpoint:
    path: str
    title: str
    market: str = "Stocks"
    description: str = ""

    @property
    def prefix(self) -> str:
        """The path up to its first placeholder: what the official allowlist matches paths against."""
        brace = self.path.find("{")
        return self.path if brace < 0 else self.path[:brace]


def _stocks(path: str, title: str, description: str) -> DocumentedEndpoint:
    return DocumentedEndpoint(path, title, "Stocks", description)


# The stock endpoints the stand-in server knows without an index (a subset of massive.com's).
KNOWN_ENDPOINTS: tuple[DocumentedEndpoint, ...] = (
    _stocks("/v1/marketstatus/now", "Market Status", "Current trading status of the exchanges and markets."),
    _stocks("/v1/marketstatus/upcoming", "Market Holidays", "Upcoming market holidays and early closes."),
    _stocks(
        "/v1/open-close/{stocksTicker}/{date}", "Daily Ticker Summary (OHLC)", "One day's OHLC of a ticker."
    ),
    _stocks(
        "/v2/aggs/grouped/locale/us/market/stocks/{date}",
        "Daily Market Summary (OHLC)",
        "Daily OHLC and volume of every US stock for one trading day.",
    ),
    _stocks("/v2/aggs/ticker/{stocksTicker}/prev", "Previous Day Bar (OHLC)", "The previous day's bar."),
    _stocks(
        "/v2/aggs/ticker/{stocksTicker}/range/{multiplier}/{timespan}/{from}/{to}",
        "Custom Bars (OHLC)",
        "Aggregate bars of a ticker over a date range in custom time window sizes.",
    ),
    _stocks("/v2/last/trade/{stocksTicker}", "Last Trade", "The most recent trade of a ticker."),
    _stocks(
        "/v2/reference/news", "News", "News articles with the tickers they mention and sentiment insights."
    ),
    _stocks(
        "/v2/snapshot/locale/us/markets/stocks/tickers",
        "Full Market Snapshot",
        "Current minute, day and previous-day data of every US stock ticker.",
    ),
    _stocks(
        "/v2/snapshot/locale/us/markets/stocks/tickers/{stocksTicker}",
        "Single Ticker Snapshot",
        "Current minute, day and previous-day data of one ticker.",
    ),
    _stocks(
        "/v2/snapshot/locale/us/markets/stocks/{direction}", "Top Market Movers", "Top gainers or losers."
    ),
    _stocks("/v3/reference/tickers", "All Tickers", "Ticker symbols with their type, exchange and status."),
    _stocks("/v3/reference/tickers/types", "Ticker Types", "The ticker types the API knows."),
    _stocks(
        "/v3/reference/tickers/{ticker}",
        "Ticker Overview",
        "Details of one ticker: market cap, shares outstanding, SIC code, exchange.",
    ),
    _stocks("/v3/reference/exchanges", "Exchanges", "Exchanges and their identifiers."),
    _stocks("/v3/reference/conditions", "Condition Codes", "Trade and quote condition codes."),
    _stocks("/v3/snapshot", "Unified Snapshot", "Snapshots across asset classes."),
    _stocks("/stocks/vX/float", "Float", "Free float of each ticker."),
    _stocks("/stocks/v1/short-interest", "Short Interest", "Short interest by settlement date."),
)

# What `sectorlights sim-vendor` implements, hence lists in the index it serves.
SIM_VENDOR_ENDPOINTS: tuple[DocumentedEndpoint, ...] = tuple(
    endpoint
    for endpoint in KNOWN_ENDPOINTS
    if endpoint.path
    in {
        "/v1/marketstatus/now",
        "/v2/snapshot/locale/us/markets/stocks/tickers",
        "/v2/aggs/grouped/locale/us/market/stocks/{date}",
        "/v3/reference/tickers",
        "/v3/reference/tickers/{ticker}",
        "/stocks/vX/float",
        "/v2/aggs/ticker/{stocksTicker}/range/{multiplier}/{timespan}/{from}/{to}",
        "/v2/reference/news",
    }
)


def render(endpoints: Iterable[DocumentedEndpoint]) -> str:
    """An `llms-full.txt` listing `endpoints`, in the layout massive.com publishes."""
    sections = [
        f"# REST\n## {endpoint.market}\n\n### {endpoint.title}\n\n"
        f"**Endpoint:** `GET {endpoint.path}`\n\n**Description:**\n\n{endpoint.description}\n"
        for endpoint in endpoints
    ]
    return "> The API documentation index (SectorLights sim vendor).\n\n" + "\n---\n\n".join(sections)


def parse(text: str) -> list[DocumentedEndpoint]:
    """The endpoints an `llms-full.txt` lists, as `mcp_massive` reads them (deprecated ones left out)."""
    found: list[DocumentedEndpoint] = []
    for section in text.split(_SECTION_BREAK):
        endpoint = _ENDPOINT.search(section)
        if endpoint is None:
            continue
        before = section[: endpoint.start()]
        markets = [name.strip() for name in _MARKET.findall(before) if name.strip() not in _STRUCTURAL]
        titles = _TITLE.findall(before)
        title = titles[-1].strip() if titles else (markets[-1] if markets else "Unknown")
        if "Deprecated" in title:
            continue
        description = _DESCRIPTION.search(section)
        found.append(
            DocumentedEndpoint(
                path=endpoint.group(2),
                title=title,
                market=markets[0] if markets else "Unknown",
                description=description.group(1).strip() if description else "",
            )
        )
    return found


def allows(endpoints: Sequence[DocumentedEndpoint], path: str) -> bool:
    """Whether the official server would serve `path` with this index (never, when it is empty)."""
    return any(path.startswith(endpoint.prefix) for endpoint in endpoints)
