"""The `sectorlights` command: one module per command group, `main` parses and dispatches."""

from sectorlights.cli.main import main

__all__ = ["main"]
