"""CSV files people write by hand: their header is matched without regard to case or spacing."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import TextIO


def normalised_reader(handle: TextIO, required: Iterable[str]) -> tuple[csv.DictReader[str], list[str]]:
    """A reader of `handle` whose rows are keyed by the header's names stripped and lower-cased, and
    the `required` columns that header lacks (in the order given)."""
    reader = csv.DictReader(handle)
    header = [name.strip().lower() for name in reader.fieldnames or []]
    reader.fieldnames = header
    return reader, [name for name in required if name not in header]
