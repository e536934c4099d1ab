"""`sectorlights backtest`: the grid as of each imported session's close against the next session's
sector returns; writes backtest.json and backtest.html and prints a summary."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sectorlights.cli.backtest_json import median_members, pct, stats_json
from sectorlights.cli.backtest_summary import add_summary_flags, check_summary_flags, write_summary
from sectorlights.cli.common import Commands, add_command, add_json_flag, print_json
from sectorlights.settings import ConfigurationError, Settings

if TYPE_CHECKING:
    from sectorlights.engine.backtest import BacktestRun
    from sectorlights.providers.flatfiles import FlatFilesProvider

EXIT_FAILED = 1
BOOTSTRAP_RESAMPLES = 2000
WEIGHTINGS = {"equal": "equal-weight", "volume": "volume-weighted"}


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def _times(text: str) -> list[time]:
    from sectorlights.cli.backtest_intraday import parse_times

    return parse_times(text)


def register(commands: Commands) -> None:
    parser = add_command(
        commands,
        "backtest",
        "score each imported session's grid against the next session's sector returns",
        "Rebuild the grid as of each imported session's close (flat files, `import-flatfiles`) in this "
        "process, without storing runs, and score the composite, each colour, sector and timeframe "
        "against the next session's sector return (the members' mean close-to-close return), with "
        "Wilson and day-block bootstrap 95% intervals and the always-up, yesterday's-sign and IWM-sign "
        "baselines; then the same for simple variants (breadth, momentum, reversal, relative strength "
        "against IWM) and every predictor against the next return in excess of IWM's. Writes "
        "backtest.json and a self-contained backtest.html to --out. With --at, also the grid at those "
        "New York times of each session with imported minute bars against the next 4 hours' sector "
        "returns (cut at the regular close), and intraday momentum (previous close to 10:00 against "
        "15:30 to 16:00). The database must be migrated.",
        run,
    )
    parser.add_argument("--from", dest="first", type=_day, required=True, help="first session, YYYY-MM-DD")
    parser.add_argument("--to", dest="last", type=_day, required=True, help="last session, YYYY-MM-DD")
    parser.add_argument("--out", type=Path, default=Path(), help="folder for the report (default: .)")
    parser.add_argument("--listings", type=Path, help="reference-data CSV for the flatfiles provider")
    parser.add_argument("--seed", type=int, default=14, help="bootstrap seed (default 14)")
    parser.add_argument(
        "--at",
        type=_times,
        default=[],
        metavar="HH:MM[,HH:MM...]",
        help="also score the grid at these New York times (09:30 to before 16:00) of sessions with "
        "minute bars against the next 4 hours, capped at the close (sessions without minute bars, "
        "times after an early close, are skipped with the reason), and intraday momentum",
    )
    parser.add_argument(
        "--shorting",
        action="store_true",
        help="also the shorting study: the grid's top bullish and bearish names and every universe "
        "runner (>= +10%% day) and gapper (>= +5%% open gap), scored on the next session (open to close, "
        "close to close, high over the open, squeezes >= +10%%) by their sector's colour and by sector; "
        "an entry 15 minutes after the open held 4 hours where minute bars are imported",
    )
    add_summary_flags(parser)
    add_json_flag(parser, "the report (what backtest.json holds)")


def run(settings: Settings, arguments: argparse.Namespace) -> int:
    from sectorlights.cli.backtest_intraday import intraday_json, intraday_summary, run_intraday
    from sectorlights.cli.backtest_report import render_html
    from sectorlights.cli.backtest_shorting import shorting_json, shorting_summary
    from sectorlights.cli.common import migrated_database
    from sectorlights.core.clock import FrozenClock
    from sectorlights.engine.backtest import BacktestError, BacktestRunner, eligible_sessions
    from sectorlights.engine.configured import build_classification_sources
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
        # Nothing imports while the backtest reads: the listings step their closes forward.
        provider.assume_static_bars()
        imported = provider.bars.sessions()
        try:
            if not imported:
                raise BacktestError("no daily bars imported: run `sectorlights import-flatfiles` first")
            history = settings.engine.history_sessions
            sessions, skipped = eligible_sessions(imported, arguments.first, arguments.last, history)
            if not sessions and not arguments.at:
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
        runner = BacktestRunner(provider, inputs, history, _minute_sessions(provider, sessions, arguments))
        outcome = runner.run(sessions, skipped, _progress)
        intraday = None if not arguments.at else run_intraday(provider, inputs, history, arguments)
    print(file=sys.stderr)
    intraday_scored = intraday is not None and any(run.outcomes for run in intraday.by_time.values())
    if not outcome.outcomes and not intraday_scored:
        print("backtest: every session failed; see `skipped` in the report", file=sys.stderr)
    document = report_json(outcome, arguments, provider_settings.flatfiles_listings)
    if intraday is not None:
        document["intraday"] = intraday_json(intraday, arguments.seed, BOOTSTRAP_RESAMPLES)
    if arguments.shorting:
        document["shorting"] = shorting_json(outcome, arguments.seed, BOOTSTRAP_RESAMPLES)
    arguments.out.mkdir(parents=True, exist_ok=True)
    (arguments.out / "backtest.json").write_text(json.dumps(document, indent=2), encoding="utf-8")
    (arguments.out / "backtest.html").write_text(render_html(document), encoding="utf-8")
    write_summary(outcome, arguments, settings.analysis.score_rules, BOOTSTRAP_RESAMPLES)
    if arguments.json:
        print_json(document)
    else:
        print("\n".join(summary_lines(document)))
        if intraday is not None:
            print("\n".join(intraday_summary(document["intraday"])))
        if arguments.shorting:
            print("\n".join(shorting_summary(document["shorting"])))
        print(f"wrote {arguments.out / 'backtest.json'} and {arguments.out / 'backtest.html'}")
    return 0 if outcome.outcomes or intraday_scored else EXIT_FAILED


def _minute_sessions(
    provider: FlatFilesProvider, sessions: list[date], arguments: argparse.Namespace
) -> frozenset[date]:
    """The scored sessions' next sessions with minute bars: the shorting study's intraday entries."""
    from sectorlights.domain.sessions import next_session

    if not arguments.shorting or provider.bars.minute_range() is None:
        return frozenset()
    return frozenset(provider.bars.minute_sessions([next_session(session) for session in sessions]))


def _progress(done: int, total: int, session: date) -> None:
    print(f"\rbacktest {done}/{total} sessions ({session})", end="", file=sys.stderr, flush=True)


def report_json(outcome: BacktestRun, arguments: argparse.Namespace, listings: Path | None) -> dict[str, Any]:
    from sectorlights.analytics.backtest import backtest_stats
    from sectorlights.cli.backtest_variants import variant_blocks
    from sectorlights.domain.vocabulary import SECTORS, TIMEFRAMES

    rows = outcome.outcomes
    statistics = {}
    for weighting in WEIGHTINGS:
        if rows:
            stats = backtest_stats(outcome.inputs(weighting), arguments.seed, BOOTSTRAP_RESAMPLES)
            statistics[weighting] = stats_json(stats)
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
        "median_members_by_sector": median_members(outcome),
        "statistics": statistics,
        **variant_blocks(outcome, arguments.seed, BOOTSTRAP_RESAMPLES, stats_json),
        "session_dates": [row.session.isoformat() for row in rows],
        "skipped": outcome.skipped,
    }


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
        lines.append(f"  composite sign        {pct(stats['overall'])}")
        lines.append(f"  non-neutral colours   {pct(stats['non_neutral'])}")
        for name, baseline in stats["baselines"].items():
            lines.append(f"  baseline {name:12} {pct(baseline)}")
        means = "  ".join(
            f"{color} {'n/a' if mean['mean_pct'] is None else format(mean['mean_pct'], '+.3f') + '%'}"
            for color, mean in stats["mean_next_return_by_color"].items()
        )
        lines.append(f"  mean next return by colour: {means}")
        correlation = stats["rank_correlation"]
        lines.append(
            f"  Spearman per session {correlation['per_session_mean']}, pooled {correlation['pooled']}"
        )
    return lines + variant_summary_lines(document)


def variant_summary_lines(document: dict[str, Any]) -> list[str]:
    """One line per predictor: its hit rate on the absolute and on the excess next return."""
    variants, excess = document.get("variants"), document.get("excess")
    equal = document["statistics"].get("equal")
    if not variants or not excess or equal is None:
        return []
    rows = {"composite sign": (equal["overall"], excess["overall"])}
    for name in equal["baselines"]:
        rows[f"baseline {name}"] = (equal["baselines"][name], excess["baselines"][name])
    for name in variants["definitions"]:
        rows[name] = (variants["absolute"][name]["hit_rate"], variants["excess"][name]["hit_rate"])
    lines = ["variants: next-session sector return (equal-weight) | its excess over IWM's:"]
    lines += [f"  {name:23} {pct(absolute)} | {pct(over)}" for name, (absolute, over) in rows.items()]
    return lines
