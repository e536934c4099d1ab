"""The backtest's HTML report: one self-contained page (inline SVG and CSS, no scripts, no external
assets) drawn from the same document as backtest.json."""

from __future__ import annotations

from html import escape
from typing import Any

WIDTH, HEIGHT, PAD = 640, 260, 44
COLOR_FILLS = {
    "dark_red": "#b91c1c",
    "light_red": "#f87171",
    "blue_neutral": "#60a5fa",
    "light_green": "#4ade80",
    "dark_green": "#15803d",
}


def _y(rate: float, low: float, high: float) -> float:
    return HEIGHT - PAD - (rate - low) / (high - low) * (HEIGHT - 2 * PAD)


def _axis(low: float, high: float, reference: float | None, reference_label: str) -> list[str]:
    parts = [
        f'<line x1="{PAD}" y1="{HEIGHT - PAD}" x2="{WIDTH - 10}" y2="{HEIGHT - PAD}" stroke="#888"/>',
        f'<line x1="{PAD}" y1="{PAD}" x2="{PAD}" y2="{HEIGHT - PAD}" stroke="#888"/>',
    ]
    for tick in (low, (low + high) / 2, high):
        y = _y(tick, low, high)
        parts.append(f'<text x="{PAD - 6}" y="{y + 4:.1f}" text-anchor="end">{tick * 100:.0f}%</text>')
    if reference is not None:
        y = _y(reference, low, high)
        parts.append(
            f'<line x1="{PAD}" y1="{y:.1f}" x2="{WIDTH - 10}" y2="{y:.1f}" stroke="#eab308" '
            f'stroke-dasharray="4 3"/><text x="{WIDTH - 12}" y="{y - 4:.1f}" text-anchor="end">'
            f"{escape(reference_label)}</text>"
        )
    return parts


def calibration_svg(stats: dict[str, Any]) -> str:
    """Hit rate by colour with its bootstrap interval; the always-up baseline dashed."""
    low, high = 0.3, 0.7
    always_up = stats["baselines"]["always_up"]["rate"]
    parts = _axis(low, high, always_up, "always up")
    colors = list(stats["by_color"].items())
    step = (WIDTH - PAD - 20) / max(len(colors), 1)
    for index, (color, rate) in enumerate(colors):
        x = PAD + step * (index + 0.5)
        parts.append(
            f'<text x="{x:.1f}" y="{HEIGHT - PAD + 16}" text-anchor="middle">{escape(color)}</text>'
            f'<text x="{x:.1f}" y="{HEIGHT - PAD + 30}" text-anchor="middle">n={rate["total"]:,}</text>'
        )
        if rate["rate"] is None:
            continue
        clamp = max(low, min(high, rate["rate"]))
        parts.append(
            f'<circle cx="{x:.1f}" cy="{_y(clamp, low, high):.1f}" r="6" '
            f'fill="{COLOR_FILLS.get(color, "#999")}"><title>{rate["rate"] * 100:.1f}%</title></circle>'
        )
        boot = rate["bootstrap"]
        if boot["low"] is not None:
            top = _y(min(high, boot["high"]), low, high)
            bottom = _y(max(low, boot["low"]), low, high)
            parts.append(
                f'<line x1="{x:.1f}" y1="{top:.1f}" x2="{x:.1f}" y2="{bottom:.1f}" stroke="#ddd" '
                'stroke-width="2"/>'
            )
    return _svg(parts, "Hit rate by colour, 95% day-block bootstrap interval")


def rolling_svg(rolling: list[float | None], dates: list[str], baseline: float | None) -> str:
    """The hit rate over the last 60 sessions, session by session."""
    low, high = 0.3, 0.7
    parts = _axis(low, high, baseline, "always up (whole period)")
    span = max(len(rolling) - 1, 1)
    points = [
        f"{PAD + (WIDTH - PAD - 10) * index / span:.1f},{_y(max(low, min(high, rate)), low, high):.1f}"
        for index, rate in enumerate(rolling)
        if rate is not None
    ]
    if points:
        parts.append(
            f'<polyline points="{" ".join(points)}" fill="none" stroke="#38bdf8" stroke-width="1.5"/>'
        )
    if dates:
        parts.append(f'<text x="{PAD}" y="{HEIGHT - PAD + 16}">{escape(dates[0])}</text>')
        parts.append(
            f'<text x="{WIDTH - 10}" y="{HEIGHT - PAD + 16}" text-anchor="end">{escape(dates[-1])}</text>'
        )
    return _svg(parts, "Composite hit rate, rolling 60 sessions")


def _svg(parts: list[str], title: str) -> str:
    return (
        f'<svg viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" '
        f'height="{HEIGHT}" role="img" aria-label="{escape(title)}"><title>{escape(title)}</title>'
        + "".join(parts)
        + "</svg>"
    )


def _cell(rate: dict[str, Any]) -> str:
    if rate["rate"] is None:
        return "<td>n/a</td><td></td><td></td><td>0</td>"
    wilson, boot = rate["wilson"], rate["bootstrap"]
    bootstrap = "" if boot["low"] is None else f"{boot['low'] * 100:.1f}–{boot['high'] * 100:.1f}"
    return (
        f"<td>{rate['rate'] * 100:.1f}%</td>"
        f"<td>{wilson['low'] * 100:.1f}–{wilson['high'] * 100:.1f}</td>"
        f"<td>{bootstrap}</td><td>{rate['total']:,}</td>"
    )


def hit_table(title: str, rows: dict[str, dict[str, Any]]) -> str:
    body = "".join(f"<tr><th>{escape(name)}</th>{_cell(rate)}</tr>" for name, rate in rows.items())
    return (
        f"<h3>{escape(title)}</h3><table><tr><th></th><th>hit rate</th><th>Wilson 95%</th>"
        f"<th>bootstrap 95%</th><th>n</th></tr>{body}</table>"
    )


def means_table(
    means: dict[str, dict[str, Any]], title: str = "Mean next-session sector return by colour"
) -> str:
    rows = []
    for color, mean in means.items():
        boot = mean["bootstrap"]
        value = "n/a" if mean["mean_pct"] is None else f"{mean['mean_pct']:+.3f}%"
        interval = "" if boot["low"] is None else f"{boot['low']:+.3f} – {boot['high']:+.3f}"
        rows.append(
            f"<tr><th>{escape(color)}</th><td>{value}</td><td>{interval}</td><td>{mean['count']:,}</td></tr>"
        )
    return (
        f"<h3>{escape(title)}</h3><table><tr><th></th><th>mean</th>"
        f"<th>bootstrap 95%</th><th>n</th></tr>{''.join(rows)}</table>"
    )


def _interval(low: float | None, high: float | None, scale: float, digits: int) -> str:
    return "" if low is None or high is None else f"{low * scale:+.{digits}f} to {high * scale:+.{digits}f}"


def _variant_cells(score: dict[str, Any]) -> str:
    """The composite-cells rate, the Spearman and the mean outcome by call of one variant."""
    paired, correlation = score["on_composite_cells"], score["rank_correlation"]
    means = []
    for key in ("mean_next_when_up", "mean_next_when_down"):
        mean = score[key]
        value = "n/a" if mean["mean_pct"] is None else f"{mean['mean_pct']:+.3f}%"
        means.append(
            f"<td>{value} ({_interval(mean['bootstrap']['low'], mean['bootstrap']['high'], 1, 3)})</td>"
        )
    rate = "n/a" if paired["rate"] is None else f"{paired['rate'] * 100:.1f}%"
    boot = paired["bootstrap"]
    spread = "" if boot["low"] is None else f" ({boot['low'] * 100:.1f}–{boot['high'] * 100:.1f})"
    return (
        f"<td>{rate}{spread} of {paired['total']:,}</td>"
        f"<td>{number_text(correlation['per_session_mean'])} "
        f"({_interval(correlation['bootstrap']['low'], correlation['bootstrap']['high'], 1, 3)})</td>"
        + "".join(means)
    )


def variants_section(document: dict[str, Any]) -> str:
    """Per outcome, the composite, the baselines and every variant on the same cells."""
    variants, excess, equal = (
        document.get("variants"),
        document.get("excess"),
        document["statistics"].get("equal"),
    )
    if not variants or not excess or equal is None:
        return ""
    tables = []
    for outcome, stats in (("absolute", equal), ("excess", excess)):
        rows = [
            f"<tr><th>composite sign</th>{_cell(stats['overall'])}<td></td><td></td><td></td><td></td></tr>"
        ]
        rows += [
            f"<tr><th>baseline: {escape(name)}</th>{_cell(rate)}<td></td><td></td><td></td><td></td></tr>"
            for name, rate in stats["baselines"].items()
        ]
        rows += [
            f"<tr><th>{escape(name)}</th>{_cell(score['hit_rate'])}{_variant_cells(score)}</tr>"
            for name, score in variants[outcome].items()
        ]
        tables.append(
            f"<h3>Against the {escape(variants['outcomes'][outcome])}</h3><table><tr><th></th>"
            "<th>hit rate</th><th>Wilson 95%</th><th>bootstrap 95%</th><th>n</th>"
            "<th>on the composite's cells (bootstrap 95%)</th><th>Spearman per session (bootstrap 95%)</th>"
            "<th>mean outcome when called up</th><th>when called down</th></tr>"
            f"{''.join(rows)}</table>"
        )
    definitions = "".join(
        f"<li><b>{escape(name)}</b>: {escape(text)}</li>" for name, text in variants["definitions"].items()
    )
    return (
        "<h2>Variants</h2><p>Simple predictors scored like the composite: a call is the sign of the "
        "predictor, on the same sessions, sectors, members and intervals. For the excess outcome, "
        "always up means the sector beats IWM.</p>"
        f"<ul>{definitions}</ul>" + "".join(tables)
    )


STYLE = (
    "body{background:#111827;color:#e5e7eb;font:14px system-ui,sans-serif;margin:24px;max-width:960px}"
    "table{border-collapse:collapse;margin:8px 0 16px}td,th{border:1px solid #374151;padding:3px 8px;"
    "text-align:right}th{text-align:left}svg{background:#1f2937;margin:8px 0}svg text{fill:#d1d5db;"
    "font-size:11px}"
)


def render_html(document: dict[str, Any]) -> str:
    """The whole page for one backtest document."""
    sections = []
    for weighting, stats in document["statistics"].items():
        label = "equal-weight" if weighting == "equal" else "volume-weighted"
        overall = {
            "composite sign": stats["overall"],
            "non-neutral colours": stats["non_neutral"],
            **{f"baseline: {name}": rate for name, rate in stats["baselines"].items()},
        }
        correlation = stats["rank_correlation"]
        sections.append(
            f"<h2>Next-session sector return, {label} mean of the members</h2>"
            + hit_table("Composite and baselines", overall)
            + calibration_svg(stats)
            + rolling_svg(
                stats["rolling_hit_rate"], document["session_dates"], stats["baselines"]["always_up"]["rate"]
            )
            + hit_table("By colour", stats["by_color"])
            + hit_table("By sector", stats["by_sector"])
            + hit_table("By timeframe (sign of that timeframe's score)", stats["by_timeframe"])
            + means_table(stats["mean_next_return_by_color"])
            + f"<p>Spearman rank correlation of score and next return: mean per session "
            f"{number_text(correlation['per_session_mean'])} over {correlation['sessions']} sessions "
            f"(bootstrap {number_text(correlation['bootstrap']['low'])} to "
            f"{number_text(correlation['bootstrap']['high'])}); "
            f"pooled {number_text(correlation['pooled'])} over "
            f"{correlation['cells']:,} cells.</p>"
        )
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>SectorLights backtest</title>'
        f"<style>{STYLE}</style></head><body><h1>SectorLights backtest</h1>"
        f"<p>{document['sessions_scored']} sessions scored, {escape(str(document['first_session']))} to "
        f"{escape(str(document['last_session']))} ({len(document['skipped'])} in range skipped); "
        f"{document['seconds_per_session']} s per session. A call is the sign of the score; a hit is "
        "a call that matches the sign of the sector's next-session return. Neutral (blue) cells still "
        "call by their score's sign; the non-neutral line leaves them out. Intervals: Wilson treats "
        "every cell as independent, the day-block bootstrap resamples whole sessions (sectors move "
        "together, so it is the wider and the honest one).</p>"
        + "".join(sections)
        + variants_section(document)
        + _intraday(document)
        + _shorting(document)
        + "</body></html>"
    )


def _intraday(document: dict[str, Any]) -> str:
    """The `--at` tables, when the backtest was asked for them."""
    if "intraday" not in document:
        return ""
    from sectorlights.cli.backtest_intraday import intraday_html

    return intraday_html(document["intraday"])


def _shorting(document: dict[str, Any]) -> str:
    """The `--shorting` tables, when the backtest was asked for them."""
    if "shorting" not in document:
        return ""
    from sectorlights.cli.backtest_shorting import shorting_html

    return shorting_html(document["shorting"])


def number_text(value: float | None) -> str:
    return "n/a" if value is None else f"{value:+.3f}"
