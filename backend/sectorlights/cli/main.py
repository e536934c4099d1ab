"""The `sectorlights` parser and dispatch: each command module registers its subcommands and the
handler that runs them; a configuration error is one line on stderr and exit code 2."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from sectorlights import __version__
from sectorlights.cli import (
    analyze,
    backtest,
    classify,
    data,
    mcp_server,
    migrate,
    replay,
    serve,
    universe,
    users,
)
from sectorlights.cli.common import EXIT_CONFIGURATION, Handler
from sectorlights.core.log_format import SecretRedactor, log_formatter
from sectorlights.settings import ConfigurationError, load_settings

# In the order `sectorlights --help` lists them.
COMMAND_GROUPS = (serve, migrate, analyze, replay, backtest, data, universe, classify, users, mcp_server)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="sectorlights",
        description="Small-cap traffic-light sector dashboard: serve it, run and inspect analyses, "
        "manage its database, users and market data. Settings come from the environment (and a "
        ".env file); `sectorlights COMMAND --help` describes each command.",
    )
    parser.add_argument("--version", action="version", version=f"sectorlights {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)
    for group in COMMAND_GROUPS:
        group.register(commands)
    return parser


def _configure_logging(level: str, log_format: str = "text") -> None:
    """Every record (uvicorn's too: `serve` leaves its loggers to propagate here) to stderr, as text
    or JSON lines (SECTORLIGHTS_LOG_FORMAT)."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(log_formatter(log_format))
    # On the handler, not a logger: it sees the records of every logger, uvicorn's included.
    handler.addFilter(SecretRedactor())
    logging.basicConfig(level=level.upper(), handlers=[handler])


def main(argv: Sequence[str] | None = None) -> int:
    arguments = build_parser().parse_args(argv)
    handler: Handler = arguments.handler
    try:
        settings = load_settings()
        _configure_logging(settings.server.log_level, settings.server.log_format)
        return handler(settings, arguments)
    except ConfigurationError as error:
        print(str(error), file=sys.stderr)
        return EXIT_CONFIGURATION
