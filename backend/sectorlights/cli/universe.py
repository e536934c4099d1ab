"""`sectorlights universe`: select the universe now, exactly as `analyze` would, and report it."""

from __future__ import annotations

import argparse
import sys

from sectorlights.cli.common import Commands, add_command, add_json_flag, print_json
from sectorlights.settings import Settings


def register(commands: Commands) -> None:
    parser = add_command(
        commands,
        "universe",
        "select the universe now from the configured provider and print the funnel",
        "Select the universe now from the configured provider, exactly as `analyze` would, and print "
        "the funnel (how many listings each criterion leaves), the tiers and the sectors; or, with "
        "--explain, every criterion for one symbol. Needs no migrated database.",
        run,
    )
    add_json_flag(parser, "the funnel, members and exclusions (with --explain: the symbol's criteria)")
    parser.add_argument("--explain", metavar="SYMBOL", help="show every criterion for one symbol")


def run(settings: Settings, arguments: argparse.Namespace) -> int:
    from sectorlights.cli.inspect import (
        build_current_frame,
        classify_row_for_report,
        explain,
        explain_json,
        select_universe_report,
    )

    market = build_current_frame(settings)
    frame, provider_name = market.frame, market.provider_name
    report = select_universe_report(frame, overrides=market.overrides, fmp_sectors=market.fmp_sectors)
    if arguments.explain is not None:
        row = report.row_of(arguments.explain)
        if row is None:
            print(f"unknown symbol: {arguments.explain}", file=sys.stderr)
            return 1
        explained = classify_row_for_report(report, row)
        if arguments.json:
            print_json(explain_json(explained, row))
        else:
            print("\n".join(explain(explained, row)))
        return 0
    if arguments.json:
        print_json(report.as_json())
        return 0
    print(f"as of {frame.as_of.isoformat()}  provider {provider_name}")
    print(f"{'stage':18} {'remaining':>9} {'removed':>8}")
    for stage in report.funnel():
        print(f"{stage['stage']:18} {stage['remaining']:9,} {stage['removed']:8,}")
    tiers = "  ".join(f"{tier} {count:,}" for tier, count in report.tier_counts().items())
    print(f"tiers: {tiers}")
    print("sectors: " + "  ".join(f"{sector} {count:,}" for sector, count in report.sector_counts().items()))
    print(f"universe size {report.selection.size:,}")
    return 0
