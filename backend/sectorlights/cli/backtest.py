"""`sectorlights backtest`: the grid as of each imported session's close against the next session's
sector returns; writes backtest.json and backtest.html and prints a summary."""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sectorlights.cli.backtest_summary import add_summary_flags, check_summary_flags, write_summary
from sectorlights.cli.common import Commands, add_command, add_json_flag, print_json
from sectorlights.settings import ConfigurationError, Settings

if TYPE_CHECKING:
    from sectorlights.analytics.backtest import BacktestStats, HitRate
    from sectorlights.engine.backtest import BacktestRun

EXIT_FAILED = 1
BOOTSTRAP_RESAMPLES = 2000
WEIGHTINGS = {"equal": "equal-weight", "volume": "volume-weighted"}


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def register(commands: Commands) -> None:
    parser = add_command(
        commands,
        "backtest",
        "score each imported session's grid against the next session's sector returns",
        "Rebuild the grid as of each imported session's close (flat files, `import-flatfiles`) in this "
        "process, without storing runs, and score the composite, each colour, sector and timeframe "
        "against the next session's sector return (the members' mean close-to-close return), with "
        "Wilson and day-block bootstrap 95% intervals and the always-up, yesterday's-sign and IWM-sign "
        "baselines. Writes backtest.json and a self-contained backtest.html to --out. The database "
        "must be migrated.",
        run,
    )
    parser.add_argument("--from", dest="first", type=_day, required=True, help="first session, YYYY-MM-DD")
    parser.add_argument("--to", dest="last", type=_day, required=True, help="last session, YYYY-MM-DD")
    parser.add_argument("--out", type=Path, default=Path(), help="folder for the report (default: .)")
    parser.add_argument("--listings", type=Path, help="reference-data CSV for the flatfiles provider")
    parser.add_argument("--seed", type=int, default=14, help="bootstrap seed (default 14)")
    add_summary_flags(parser)
    add_json_flag(parser, "the report (what backtest.json holds)")


def run(settings: Settings, arguments: argparse.Namespace) -> int:
    from sectorlights.cli.backtest_report import render_html
    from sectorlights.cli.common import migrated_database
    from sectorlights.core.clock import FrozenClock
    from sectorlights.engine.backtest import BacktestError, BacktestRunner, eligible_sessions
    from sectorlights.engine.container import build_classification_sources
    from sectorlights.engine.pipeline import AnalysisInputs
    from sectorlights.providers.flatfiles import FlatFilesProvider
    from sectorlights.providers.registry import build_provider

    if arguments.first > arguments.last:
        raise ConfigurationError(
            f"configuration error: --from {arguments.first} is after --to {arguments.last}"
        )
    check_summary_flags(arguments)
    update: dict[str, object] = {"name": "flatfiles"}
    if arguments.listings is not None:
        update["flatfiles_listings"] = arguments.listings
    provider_settings = settings.provider.model_copy(update=update)
    with migrated_database(settings) as database:
        provider = build_provider(provider_settings, FrozenClock(datetime.now(UTC)), database)
        assert isinstance(provider, FlatFilesProvider)
        imported = provider.bars.sessions()
        try:
            if not imported:
                raise BacktestError("no daily bars imported: run `sectorlights import-flatfiles` first")
            history = settings.engine.history_sessions
            sessions, skipped = eligible_sessions(imported, arguments.first, arguments.last, history)
            if not sessions:
                raise BacktestError(
                    f"no session from {arguments.first} to {arguments.last} can be scored: imported "
                    f"{imported[0]} to {imported[-1]}; each needs its {history} prior sessions and the "
                    "next one imported"
                )
        except BacktestError as error:
            print(f"backtest: {error}", file=sys.stderr)
            return EXIT_FAILED
        inputs = AnalysisInputs.from_settings(
            settings.analysis, build_classification_sources(settings, database)
        )
        runner = BacktestRunner(provider, inputs, history)
        outcome = runner.run(sessions, skipped, _progress)
    print(file=sys.stderr)
    if not outcome.outcomes:
        print("backtest: every session failed; see `skipped` in the report", file=sys.stderr)
    document = report_json(outcome, arguments, provider_settings.flatfiles_listings)
    arguments.out.mkdir(parents=True, exist_ok=True)
    (arguments.out / "backtest.json").write_text(json.dumps(document, indent=2), encoding="utf-8")
    (arguments.out / "backtest.html").write_text(render_html(document), encoding="utf-8")
    write_summary(outcome, arguments, settings.analysis.score_rules, BOOTSTRAP_RESAMPLES)
    if arguments.json:
        print_json(document)
    else:
        print("\n".join(summary_lines(document)))
        print(f"wrote {arguments.out / 'backtest.json'} and {arguments.out / 'backtest.html'}")
    return 0 if outcome.outcomes else EXIT_FAILED


def _progress(done: int, total: int, session: date) -> None:
    print(f"\rbacktest {done}/{total} sessions ({session})", end="", file=sys.stderr, flush=True)


def report_json(outcome: BacktestRun, arguments: argparse.Namespace, listings: Path | None) -> dict[str, Any]:
    from sectorlights.analytics.backtest import backtest_stats
    from sectorlights.domain.vocabulary import SECTORS, TIMEFRAMES

    rows = outcome.outcomes
    statistics = {}
    for weighting in WEIGHTINGS:
        if rows:
            stats = backtest_stats(outcome.inputs(weighting), arguments.seed, BOOTSTRAP_RESAMPLES)
            statistics[weighting] = _stats_json(stats)
    return {
        "command": f"sectorlights backtest --from {arguments.first} --to {arguments.last}",
        "from": arguments.first.isoformat(),
        "to": arguments.last.isoformat(),
        "listings": None if listings is None else str(listings),
        "sessions_scored": len(rows),
        "first_session": rows[0].session.isoformat() if rows else None,
        "last_session": rows[-1].session.isoformat() if rows else None,
        "sectors": [sector.value for sector in SECTORS],
        "timeframes": [timeframe.value for timeframe in TIMEFRAMES],
        "seed": arguments.seed,
        "bootstrap_resamples": BOOTSTRAP_RESAMPLES,
        "seconds": round(outcome.seconds, 3),
        "seconds_per_session": round(outcome.seconds / len(rows), 4) if rows else None,
        "median_members_by_sector": _median_members(outcome),
        "statistics": statistics,
        "session_dates": [row.session.isoformat() for row in rows],
        "skipped": outcome.skipped,
    }


def _median_members(outcome: BacktestRun) -> dict[str, float | None]:
    import numpy as np

    from sectorlights.domain.vocabulary import SECTORS

    if not outcome.outcomes:
        return {sector.value: None for sector in SECTORS}
    counts = np.array([row.member_counts for row in outcome.outcomes])
    return {sector.value: float(np.median(counts[:, index])) for index, sector in enumerate(SECTORS)}


def _stats_json(stats: BacktestStats) -> dict[str, Any]:
    from sectorlights.domain.vocabulary import SECTORS, TIMEFRAMES

    document = asdict(stats)
    document["by_sector"] = dict(zip([s.value for s in SECTORS], document["by_sector"], strict=True))
    document["by_timeframe"] = dict(zip([t.value for t in TIMEFRAMES], document["by_timeframe"], strict=True))
    return document


def _pct(rate: dict[str, Any] | HitRate) -> str:
    values = rate if isinstance(rate, dict) else asdict(rate)
    if values["rate"] is None:
        return "n/a"
    boot = values["bootstrap"]
    interval = "" if boot["low"] is None else f" (95% {boot['low'] * 100:.1f}-{boot['high'] * 100:.1f})"
    return f"{values['rate'] * 100:.1f}%{interval} of {values['total']:,}"


def summary_lines(document: dict[str, Any]) -> list[str]:
    lines = [
        f"backtest {document['first_session']} to {document['last_session']}: "
        f"{document['sessions_scored']} sessions x {len(document['sectors'])} sectors, "
        f"{document['seconds_per_session']} s per session, {len(document['skipped'])} skipped"
    ]
    for weighting, label in WEIGHTINGS.items():
        stats = document["statistics"].get(weighting)
        if stats is None:
            continue
        lines.append(f"next-session sector return, {label} (day-block bootstrap intervals):")
        lines.append(f"  composite sign        {_pct(stats['overall'])}")
        lines.append(f"  non-neutral colours   {_pct(stats['non_neutral'])}")
        for name, baseline in stats["baselines"].items():
            lines.append(f"  baseline {name:12} {_pct(baseline)}")
        means = "  ".join(
            f"{color} {'n/a' if mean['mean_pct'] is None else format(mean['mean_pct'], '+.3f') + '%'}"
            for color, mean in stats["mean_next_return_by_color"].items()
        )
        lines.append(f"  mean next return by colour: {means}")
        correlation = stats["rank_correlation"]
        lines.append(
            f"  Spearman per session {correlation['per_session_mean']}, pooled {correlation['pooled']}"
        )
    return lines
