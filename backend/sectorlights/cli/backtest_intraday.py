"""`sectorlights backtest --at 10:00,12:00`: the intraday part of the report. The grid at each time of
each session with imported minute bars against the next 4 hours' sector returns, and intraday
momentum; the "intraday" block of backtest.json, its summary lines and its HTML tables."""

from __future__ import annotations

import argparse
import re
import sys
from datetime import date, time
from html import escape
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sectorlights.engine.backtest_intraday import IntradayRun
    from sectorlights.engine.pipeline import AnalysisInputs
    from sectorlights.providers.flatfiles import FlatFilesProvider

REGULAR_OPEN = time(9, 30)
REGULAR_CLOSE = time(16, 0)
_CLOCK = re.compile(r"^\d{2}:\d{2}$")
# The daily statistics' baseline names, as they read for an instant inside the session.
BASELINE_NAMES = {
    "always_up": "always_up",
    "yesterday_sign": "sector_so_far_sign",
    "iwm_sign": "iwm_so_far_sign",
}
OUTCOME = (
    "the members' mean return from the last minute close at or before the instant to the last "
    "minute close at or before the instant + 4 hours, capped at the session's regular close "
    "(16:00, 13:00 on early-close days): equal-weight, and weighted by each member's volume in "
    "that window"
)
BASELINES = {
    "always_up": "every cell called up",
    "sector_so_far_sign": "the sign of the sector's own equal-weight return from the previous close "
    "to the instant",
    "iwm_so_far_sign": "the sign of IWM's return from the previous close to the instant",
}
MOMENTUM = (
    "per sector, the sign of the members' (of the grid at 10:00) equal-weight return from the "
    "previous close to 10:00 called against the sign of their return from 15:30 to 16:00 (the last "
    "half hour before an early close); Gao, Han, Li & Zhou (2018), Market intraday momentum"
)


def parse_times(text: str) -> list[time]:
    """`--at`: comma-separated New York times HH:MM inside the regular session, sorted."""
    chosen: list[time] = []
    for item in (part.strip() for part in text.split(",")):
        if not item:
            raise argparse.ArgumentTypeError(f"empty time in {text!r} (expected HH:MM,HH:MM)")
        try:
            moment = time.fromisoformat(item) if _CLOCK.match(item) else None
        except ValueError:
            moment = None
        if moment is None:
            raise argparse.ArgumentTypeError(f"not a time (HH:MM, New York): {item!r}")
        if moment < REGULAR_OPEN:
            raise argparse.ArgumentTypeError(
                f"{item} is before the regular session opens at 09:30 (New York time)"
            )
        if moment >= REGULAR_CLOSE:
            raise argparse.ArgumentTypeError(
                f"{item} is not before the regular close at 16:00 (New York time): the next 4 hours "
                "are cut at the close, so nothing would be left to score"
            )
        if moment in chosen:
            raise argparse.ArgumentTypeError(f"{item} is given twice")
        chosen.append(moment)
    return sorted(chosen)


def run_intraday(
    provider: FlatFilesProvider,
    inputs: AnalysisInputs,
    history_sessions: int,
    arguments: argparse.Namespace,
) -> IntradayRun:
    """Every session in range with day bars or minute bars, scored or skipped with its reason."""
    from sectorlights.domain.sessions import current_session
    from sectorlights.engine.backtest_intraday import IntradayRunner, sessions_between

    first, last = arguments.first, arguments.last
    imported = provider.bars.sessions()
    span = provider.bars.minute_range()
    minute_sessions: list[date] = []
    if span is not None:
        start, end = max(first, current_session(span[0])), min(last, current_session(span[1]))
        if start <= end:
            minute_sessions = provider.bars.minute_sessions(sessions_between(start, end))
    sessions = sorted({day for day in imported if first <= day <= last} | set(minute_sessions))
    runner = IntradayRunner(provider, inputs, history_sessions)
    print(file=sys.stderr)  # below the daily part's progress line
    return runner.run(sessions, arguments.at, imported, minute_sessions, _progress)


def _progress(done: int, total: int, session: date) -> None:
    print(f"\rbacktest --at: {done}/{total} sessions ({session})", end="", file=sys.stderr, flush=True)


def intraday_json(outcome: IntradayRun, seed: int, resamples: int) -> dict[str, Any]:
    from sectorlights.analytics.backtest import backtest_stats
    from sectorlights.cli.backtest_json import median_members, stats_json

    by_time: dict[str, Any] = {}
    for label, run in outcome.by_time.items():
        statistics = {}
        for weighting in ("equal", "volume"):
            if run.outcomes:
                document = stats_json(backtest_stats(run.inputs(weighting), seed, resamples))
                document["baselines"] = {
                    BASELINE_NAMES[name]: rate for name, rate in document["baselines"].items()
                }
                statistics[weighting] = document
        by_time[label] = {
            "sessions_scored": len(run.outcomes),
            "session_dates": [row.session.isoformat() for row in run.outcomes],
            "windows": outcome.windows[label],
            "median_members_by_sector": median_members(run),
            "statistics": statistics,
            "skipped": run.skipped,
        }
    return {
        "times": list(outcome.by_time),
        "time_zone": "America/New_York",
        "forward_hours": 4,
        "outcome": OUTCOME,
        "baselines": BASELINES,
        "seconds": round(outcome.seconds, 3),
        "by_time": by_time,
        "momentum": _momentum_json(outcome, seed, resamples),
    }


def _momentum_json(outcome: IntradayRun, seed: int, resamples: int) -> dict[str, Any]:
    from dataclasses import asdict

    import numpy as np

    from sectorlights.analytics.intraday import momentum_stats
    from sectorlights.domain.vocabulary import SECTORS

    rows = outcome.momentum
    sectors = benchmark = None
    if rows:
        first = np.array([row.first_pct for row in rows]).reshape(len(rows), len(SECTORS))
        last = np.array([row.last_pct for row in rows]).reshape(len(rows), len(SECTORS))
        sectors = asdict(momentum_stats(first, last, seed, resamples))
        benchmark = asdict(
            momentum_stats(
                np.array([[row.benchmark_first_pct] for row in rows]),
                np.array([[row.benchmark_last_pct] for row in rows]),
                seed,
                resamples,
            )
        )
    return {
        "what": MOMENTUM,
        "sessions_scored": len(rows),
        "session_dates": [row.session.isoformat() for row in rows],
        "sectors": sectors,
        "iwm": benchmark,
        "skipped": outcome.momentum_skipped,
    }


def intraday_summary(block: dict[str, Any]) -> list[str]:
    from sectorlights.cli.backtest_json import pct

    lines = []
    for label, entry in block["by_time"].items():
        lines.append(
            f"intraday at {label} ET, next 4 hours capped at the close: {entry['sessions_scored']} "
            f"sessions scored, {len(entry['skipped'])} skipped"
        )
        stats = entry["statistics"].get("equal")
        if stats is None:
            continue
        lines.append(f"  composite sign        {pct(stats['overall'])}")
        lines.append(f"  non-neutral colours   {pct(stats['non_neutral'])}")
        for name, baseline in stats["baselines"].items():
            lines.append(f"  baseline {name:19} {pct(baseline)}")
    momentum = block["momentum"]
    lines.append(
        f"intraday momentum (first half hour -> last): {momentum['sessions_scored']} sessions scored, "
        f"{len(momentum['skipped'])} skipped"
    )
    for name in ("sectors", "iwm"):
        stats = momentum[name]
        if stats is not None:
            lines.append(
                f"  {name:7} first-half-hour sign {pct(stats['first_half_hour_sign'])}; "
                f"always up {pct(stats['always_up'])}"
            )
    return lines


def intraday_html(block: dict[str, Any]) -> str:
    """One table set per time, then the momentum table."""
    from sectorlights.cli.backtest_report import hit_table, means_table, number_text

    parts = [
        "<h2>Intraday: the grid at chosen times against the next 4 hours</h2>"
        f"<p>Outcome: {escape(block['outcome'])}. Baselines: "
        + "; ".join(f"{escape(name)}: {escape(text)}" for name, text in block["baselines"].items())
        + ".</p>"
    ]
    for label, entry in block["by_time"].items():
        parts.append(
            f"<h3>At {escape(label)} New York time</h3><p>{entry['sessions_scored']} sessions scored "
            f"({escape(', '.join(entry['windows']) or 'none')}), {len(entry['skipped'])} skipped.</p>"
        )
        for weighting, stats in entry["statistics"].items():
            label_weight = "equal-weight" if weighting == "equal" else "volume-weighted"
            correlation = stats["rank_correlation"]
            parts.append(
                hit_table(
                    f"{label} ET, {label_weight} forward return: composite, colours, baselines",
                    {
                        "composite sign": stats["overall"],
                        "non-neutral colours": stats["non_neutral"],
                        **{f"baseline: {name}": rate for name, rate in stats["baselines"].items()},
                        **stats["by_color"],
                    },
                )
                + hit_table(f"{label} ET, {label_weight}: by timeframe", stats["by_timeframe"])
                + means_table(
                    stats["mean_next_return_by_color"],
                    f"{label} ET: mean {label_weight} forward sector return by colour",
                )
                + f"<p>Spearman of score and forward return: mean per session "
                f"{number_text(correlation['per_session_mean'])} over {correlation['sessions']} sessions; "
                f"pooled {number_text(correlation['pooled'])} over {correlation['cells']:,} cells.</p>"
            )
    momentum = block["momentum"]
    rows, means = {}, {}
    for name in ("sectors", "iwm"):
        stats = momentum[name]
        if stats is not None:
            rows[f"{name}: first half hour's sign"] = stats["first_half_hour_sign"]
            rows[f"{name}: baseline always up"] = stats["always_up"]
            means[f"{name} after a rising first half hour"] = stats["mean_last_after_up"]
            means[f"{name} after a falling first half hour"] = stats["mean_last_after_down"]
    parts.append(
        f"<h3>Intraday momentum</h3><p>{escape(momentum['what'])}. {momentum['sessions_scored']} "
        f"sessions scored, {len(momentum['skipped'])} skipped.</p>"
    )
    if rows:
        parts.append(
            hit_table("Last half hour called by the first", rows)
            + means_table(means, "Mean last-half-hour return")
        )
    return "".join(parts)
