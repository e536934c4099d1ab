"""`sectorlights backtest --summary PATH --label NAME`: the run's colour history (what each colour
was followed by the next session, with its edge verdict) as the JSON the product serves."""

from __future__ import annotations

import argparse
import shlex
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from sectorlights.settings import ConfigurationError

if TYPE_CHECKING:
    from sectorlights.analytics.backtest import HitRate
    from sectorlights.domain.colour_history import ColourHistory, NextSessionShare, SqueezeRisk
    from sectorlights.engine.backtest import BacktestRun

NEXT_RETURN = (
    "equal-weight mean of the sector's universe members' close-to-close return over the next session"
)
MAX_LABEL_CHARS = 80
DIGITS = 6


def add_summary_flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--summary",
        type=Path,
        help="also write the colour history (after each colour: share of next sessions down and up, "
        "mean next return, edge verdict) as JSON to this file; the product serves "
        "sectorlights/config/colour_history.json",
    )
    parser.add_argument(
        "--shorting-development",
        type=Path,
        help="with --summary and --shorting: the backtest.json of the same study on the development "
        "window, whose squeeze comparison with neutral is recorded beside this run's",
    )
    parser.add_argument(
        "--label",
        help="the data set's name in the colour history, e.g. 'S&P 600 small caps' (needed with "
        "--summary; the window comes from the run)",
    )


def check_summary_flags(arguments: argparse.Namespace) -> None:
    """ConfigurationError for a --summary without a usable --label, or a --label without --summary."""
    development = getattr(arguments, "shorting_development", None)
    if development is not None and (arguments.summary is None or not development.is_file()):
        raise ConfigurationError(
            f"configuration error: --shorting-development {development} needs --summary and an existing "
            "backtest.json"
        )
    label = (arguments.label or "").strip()
    if arguments.summary is None:
        if arguments.label is not None:
            raise ConfigurationError(
                "configuration error: --label names the data set of --summary, which is missing"
            )
        return
    if not label:
        raise ConfigurationError(
            "configuration error: --summary needs --label, the data set's name "
            "(e.g. --label 'S&P 600 small caps')"
        )
    if len(label) > MAX_LABEL_CHARS:
        raise ConfigurationError(
            f"configuration error: --label is {len(label)} characters, at most {MAX_LABEL_CHARS}"
        )
    if arguments.summary.is_dir():
        raise ConfigurationError(
            f"configuration error: --summary {arguments.summary} is a folder, not a file"
        )


def write_summary(run: BacktestRun, arguments: argparse.Namespace, score_rules: str, resamples: int) -> None:
    """Write the colour history to --summary when it was asked for and the run scored a session."""
    if arguments.summary is None:
        return
    if not run.outcomes:
        print(f"backtest: no session scored, {arguments.summary} not written", file=sys.stderr)
        return
    document = colour_history_document(run, arguments, score_rules, resamples)
    arguments.summary.parent.mkdir(parents=True, exist_ok=True)
    arguments.summary.write_text(document.model_dump_json(indent=2) + "\n", encoding="utf-8")
    verdicts = ", ".join(f"{record.color.value} {record.edge}" for record in document.colors)
    print(f"wrote the colour history to {arguments.summary} (edge: {verdicts})", file=sys.stderr)


def colour_history_document(
    run: BacktestRun, arguments: argparse.Namespace, score_rules: str, resamples: int
) -> ColourHistory:
    import numpy as np

    from sectorlights.analytics.colour_history import UP, colour_history, rule_text
    from sectorlights.domain.colour_history import (
        ColourBaseline,
        ColourHistory,
        ColourRecord,
        EdgeRuleText,
        IntervalBounds,
        MeanNextReturn,
    )

    squeezes = _squeezes(run, arguments, resamples)
    inputs = run.inputs("equal")
    shown = np.array([row.colour_shown for row in run.outcomes], dtype=np.bool_).reshape(inputs.colors.shape)
    stats = colour_history(
        np.where(shown, inputs.colors, -1), inputs.next_return_pct, arguments.seed, resamples
    )
    records = [
        ColourRecord(
            color=outcome.color,
            leans=None if outcome.lean == 0 else ("up" if outcome.lean == UP else "down"),
            sessions=outcome.sessions,
            down=_share(outcome.down),
            up=_share(outcome.up),
            mean_next_return=MeanNextReturn(
                cells=outcome.mean_next.count,
                mean_pct=_round(outcome.mean_next.mean_pct),
                bootstrap=IntervalBounds(
                    low=_round(outcome.mean_next.bootstrap.low), high=_round(outcome.mean_next.bootstrap.high)
                ),
            ),
            edge=outcome.edge.value,
            reason=outcome.reason,
            squeeze=squeezes.get(outcome.color.value),
        )
        for outcome in stats.by_color
    ]
    return ColourHistory(
        label=arguments.label.strip(),
        first_session=run.outcomes[0].session,
        last_session=run.outcomes[-1].session,
        sessions=len(run.outcomes),
        next_return=NEXT_RETURN,
        score_rules=score_rules,
        seed=arguments.seed,
        bootstrap_resamples=resamples,
        rule=EdgeRuleText(
            min_sessions=stats.rule.min_sessions, coin=stats.rule.coin, text=rule_text(stats.rule)
        ),
        baseline=ColourBaseline(up=_share(stats.baseline_up), down=_share(stats.baseline_down)),
        colors=records,
        command=_command(arguments, score_rules),
    )


def _squeezes(run: BacktestRun, arguments: argparse.Namespace, resamples: int) -> dict[str, SqueezeRisk]:
    """Per colour, the shorting study's squeeze rate over every candidate (with --shorting only)."""
    from sectorlights.analytics.shorting import ALL_KINDS, NEUTRAL, shorting_stats
    from sectorlights.domain.colour_history import SqueezeRisk

    if not getattr(arguments, "shorting", False):
        return {}
    stats = shorting_stats(run.candidates(), len(run.outcomes), arguments.seed, resamples)
    groups = stats.by_color[ALL_KINDS]
    neutral = _share(groups[NEUTRAL].squeezed)
    development = _development(arguments.shorting_development)
    return {
        name: SqueezeRisk(
            squeezed=_share(group.squeezed),
            neutral=neutral,
            versus_neutral=stats.versus_neutral[ALL_KINDS][name]["squeeze"],
            development=development.get(name),
        )
        for name, group in groups.items()
        if name != NEUTRAL and name in stats.versus_neutral[ALL_KINDS]
    }


def _development(path: Path | None) -> dict[str, str]:
    """Per colour, the development run's squeeze comparison with neutral (every candidate)."""
    import json

    if path is None:
        return {}
    try:
        versus = json.loads(path.read_text(encoding="utf-8"))["shorting"]["versus_neutral"]["any"]
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise ConfigurationError(
            f"configuration error: --shorting-development {path} is not a backtest.json of a "
            f"--shorting run ({error})"
        ) from None
    return {name: str(sides["squeeze"]) for name, sides in versus.items()}


def _command(arguments: argparse.Namespace, score_rules: str) -> str:
    # File names only: the folders are the machine's, not the data's.
    parts = [
        f"SECTORLIGHTS_SCORE_RULES={score_rules}",
        "sectorlights backtest",
        f"--from {arguments.first}",
        f"--to {arguments.last}",
        f"--seed {arguments.seed}",
    ]
    if getattr(arguments, "shorting", False):
        parts.append("--shorting")
    if getattr(arguments, "shorting_development", None) is not None:
        parts.append(f"--shorting-development {shlex.quote(arguments.shorting_development.name)}")
    if arguments.listings is not None:
        parts.append(f"--listings {shlex.quote(arguments.listings.name)}")
    parts += [
        f"--label {shlex.quote(arguments.label.strip())}",
        f"--summary {shlex.quote(arguments.summary.name)}",
    ]
    return " ".join(parts)


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, DIGITS)


def _share(rate: HitRate) -> NextSessionShare:
    from sectorlights.domain.colour_history import IntervalBounds, NextSessionShare

    return NextSessionShare(
        count=rate.hits,
        total=rate.total,
        share=_round(rate.rate),
        wilson=IntervalBounds(low=_round(rate.wilson.low), high=_round(rate.wilson.high)),
        bootstrap=IntervalBounds(low=_round(rate.bootstrap.low), high=_round(rate.bootstrap.high)),
    )
