"""`sectorlights backtest --shorting`: how the next session treated a short candidate, by its sector's
colour and by sector, as JSON, HTML and summary text (figures: analytics/shorting.py)."""

from __future__ import annotations

from dataclasses import asdict
from html import escape
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from sectorlights.engine.backtest import BacktestRun

NO_MINUTE_BARS = "no minute bars in this data"
KIND_LABELS = {
    "any": "every candidate",
    "top_bearish": "the grid's top bearish names",
    "top_bullish": "the grid's top bullish names",
    "runner": "runners (closed >= +10 % on the day)",
    "gapper": "gappers (opened >= +5 % over the previous close)",
}


def shorting_json(outcome: BacktestRun, seed: int, resamples: int) -> dict[str, Any]:
    from sectorlights.analytics.shorting import (
        GAPPER_MIN_PCT,
        MIN_SESSIONS_TO_COMPARE,
        RUNNER_MIN_PCT,
        SQUEEZE_MIN_PCT,
        shorting_stats,
    )
    from sectorlights.analytics.squeeze_risk import tercile_bounds
    from sectorlights.config.squeeze_risk import DEFAULT_SQUEEZE_RISK_BOUNDS

    candidates = outcome.candidates()
    stats = shorting_stats(candidates, len(outcome.outcomes), seed, resamples)
    ratios = outcome.volatility_ratios()
    measured = int(np.isfinite(ratios).sum())
    own = asdict(tercile_bounds(ratios)) if measured >= 3 else None
    intraday = {
        kind: {
            colour: {"return": asdict(pair[0]), "adverse_excursion": asdict(pair[1])}
            for colour, pair in colours.items()
        }
        for kind, colours in stats.intraday_by_color.items()
    }
    return {
        "definitions": {
            "candidates": "per scored session: the grid's top 3 bullish and top 3 bearish names of every "
            f"sector, and every universe member that closed >= +{RUNNER_MIN_PCT:g} % (runner) or "
            f"opened >= +{GAPPER_MIN_PCT:g} % (gapper) over the previous close; a stock is one row",
            "colour": "the colour the stock's sector showed at the scored session's close; no_colour "
            "where the card said insufficient data",
            "open_to_close": "next session's close over its open, % (a short at the open gains when < 0)",
            "close_to_close": "next session's close over the scored session's close, %",
            "adverse_excursion": "next session's high over its open, %: what a short at the open sat through",
            "squeezed": f"next session's high >= {SQUEEZE_MIN_PCT:g} % above its open",
            "closed_up": "next session's close above its open: a short at the open lost",
            "versus_neutral": "above / below: the colour's interval lies wholly above / below blue "
            "neutral's for the same candidate kind (rates: each bound the more cautious of Wilson and "
            f"the bootstrap; means: the bootstrap); too_few: under {MIN_SESSIONS_TO_COMPARE} sessions "
            "with candidates on either side",
            "intraday": "a short entered at the first minute bar from the open + 15 minutes, held 4 hours "
            "(capped at the regular close), from minute bars",
            "squeeze_risk": "the card's level: low, normal or high by the sector's volatility ratio (median "
            "member sd of the last 20 daily returns over the universe's median) against the configured "
            "bounds; unmeasured under 3 members with that history; versus_normal as versus_neutral",
        },
        "squeeze_risk_bounds": asdict(DEFAULT_SQUEEZE_RISK_BOUNDS),
        "squeeze_risk_window_terciles": own,
        "sector_sessions_measured": measured,
        "by_squeeze_risk": {
            kind: {k: asdict(v) for k, v in groups.items()} for kind, groups in stats.by_squeeze_risk.items()
        },
        "squeeze_risk_versus_normal": stats.squeeze_risk_versus_normal,
        "by_color_and_squeeze_risk": {
            colour: {k: asdict(v) for k, v in groups.items()}
            for colour, groups in stats.by_color_and_squeeze_risk.items()
        },
        "candidate_rows": int(candidates.session_index.shape[0]),
        "by_color": {
            kind: {k: asdict(v) for k, v in groups.items()} for kind, groups in stats.by_color.items()
        },
        "by_sector": {
            kind: {k: asdict(v) for k, v in groups.items()} for kind, groups in stats.by_sector.items()
        },
        "versus_neutral": stats.versus_neutral,
        "intraday": intraday if stats.intraday_rows else NO_MINUTE_BARS,
        "intraday_rows": stats.intraday_rows,
    }


def _mean(stat: dict[str, Any]) -> str:
    if stat["mean_pct"] is None:
        return "n/a"
    boot = stat["bootstrap"]
    interval = "" if boot["low"] is None else f" ({boot['low']:+.2f} to {boot['high']:+.2f})"
    return f"{stat['mean_pct']:+.2f} %{interval}"


def _rate(stat: dict[str, Any]) -> str:
    if stat["rate"] is None:
        return "n/a"
    wilson, boot = stat["wilson"], stat["bootstrap"]
    text = f"{stat['rate'] * 100:.1f} % (Wilson {wilson['low'] * 100:.1f}-{wilson['high'] * 100:.1f}"
    if boot["low"] is not None:
        text += f", bootstrap {boot['low'] * 100:.1f}-{boot['high'] * 100:.1f}"
    return text + ")"


def _side(versus: dict[str, str] | None, key: str) -> str:
    return "reference" if versus is None else versus[key]


def _table(title: str, groups: dict[str, Any], versus: dict[str, dict[str, str]] | None) -> str:
    head = (
        "<tr><th></th><th>n</th><th>open→close</th><th>close→close</th><th>closed up</th>"
        "<th>high over open</th><th>squeezed ≥ 10 %</th>"
        + ("<th>squeeze vs neutral</th><th>open→close vs neutral</th>" if versus is not None else "")
        + "</tr>"
    )
    rows = ""
    for name, group in groups.items():
        rows += (
            f"<tr><td>{escape(name)}</td><td>{group['count']:,}</td><td>{_mean(group['open_to_close'])}</td>"
            f"<td>{_mean(group['close_to_close'])}</td><td>{_rate(group['closed_up'])}</td>"
            f"<td>{_mean(group['adverse_excursion'])}</td><td>{_rate(group['squeezed'])}</td>"
        )
        if versus is not None:
            mine = versus.get(name)
            rows += f"<td>{_side(mine, 'squeeze')}</td><td>{_side(mine, 'open_to_close')}</td>"
        rows += "</tr>"
    return f"<h3>{escape(title)}</h3><table>{head}{rows}</table>"


def shorting_html(block: dict[str, Any]) -> str:
    parts = [
        "<h2>Shorting study: the next session of a short candidate</h2>",
        f"<p>{block['candidate_rows']:,} candidate rows. "
        + " ".join(f"<b>{escape(k)}</b>: {escape(v)}." for k, v in block["definitions"].items())
        + " Means: day-block bootstrap 95 %; rates: Wilson and day-block bootstrap 95 %.</p>",
    ]
    for kind, label in KIND_LABELS.items():
        parts.append(_table(f"By colour: {label}", block["by_color"][kind], block["versus_neutral"][kind]))
    bounds = block["squeeze_risk_bounds"]
    parts.append(
        f"<p>Squeeze risk: low up to a volatility ratio of {bounds['low_max']:.3f}, normal up to "
        f"{bounds['normal_max']:.3f}, high above; this window's own terciles: "
        f"{escape(str(block['squeeze_risk_window_terciles']))}.</p>"
    )
    for kind, label in KIND_LABELS.items():
        parts.append(
            _table(
                f"By squeeze risk: {label}",
                block["by_squeeze_risk"][kind],
                block["squeeze_risk_versus_normal"][kind],
            )
        )
    for colour, groups in block["by_color_and_squeeze_risk"].items():
        parts.append(_table(f"Every candidate in {colour} sectors, by squeeze risk", groups, None))
    for kind, label in KIND_LABELS.items():
        parts.append(_table(f"By sector: {label}", block["by_sector"][kind], None))
    intraday = block["intraday"]
    if isinstance(intraday, str):
        parts.append(f"<p>Intraday entry: {escape(intraday)}.</p>")
    else:
        for kind, label in KIND_LABELS.items():
            rows = "".join(
                f"<tr><td>{escape(colour)}</td><td>{pair['return']['count']:,}</td>"
                f"<td>{_mean(pair['return'])}</td><td>{_mean(pair['adverse_excursion'])}</td></tr>"
                for colour, pair in intraday[kind].items()
            )
            parts.append(
                f"<h3>Intraday entry: {escape(label)}</h3><table><tr><th></th><th>n</th>"
                f"<th>return</th><th>high over entry</th></tr>{rows}</table>"
            )
    return "".join(parts)


def shorting_summary(block: dict[str, Any]) -> list[str]:
    lines = ["shorting study (next session; squeeze = high >= +10 % over the open; bootstrap 95 %):"]
    for kind in ("any", "runner", "gapper", "top_bearish", "top_bullish"):
        lines.append(f"  {KIND_LABELS[kind]}:")
        for colour, group in block["by_color"][kind].items():
            lines.append(
                f"    {colour:14} n {group['count']:6,}  open->close {_mean(group['open_to_close'])}  "
                f"squeezed {_rate(group['squeezed'])}"
            )
    lines.append(f"  by squeeze risk (bounds {block['squeeze_risk_bounds']}):")
    for level, group in block["by_squeeze_risk"]["any"].items():
        lines.append(
            f"    {level:14} n {group['count']:6,}  open->close {_mean(group['open_to_close'])}  "
            f"squeezed {_rate(group['squeezed'])}"
        )
    lines.append(f"  this window's terciles of the volatility ratio: {block['squeeze_risk_window_terciles']}")
    intraday = block["intraday"]
    lines.append(f"  intraday entry: {intraday if isinstance(intraday, str) else 'see backtest.html'}")
    return lines
