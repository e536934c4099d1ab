"""The colour history the product ships (`colour_history.json`, written by `sectorlights backtest
--summary`) and its loader, which refuses a file it cannot read or that is not a colour history."""

from __future__ import annotations

from pathlib import Path

from pydantic import ValidationError

from sectorlights.domain.colour_history import ColourHistory

COLOUR_HISTORY_FILE = Path(__file__).with_name("colour_history.json")
# Enough of pydantic's complaints to find the field; a wrong file has dozens.
SHOWN_PROBLEMS = 3


class ColourHistoryFileError(ValueError):
    """The colour history file cannot be used; the message names the file and the problem."""


def load_colour_history(path: Path = COLOUR_HISTORY_FILE) -> ColourHistory:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise ColourHistoryFileError(f"{path}: cannot read ({error.strerror})") from None
    except UnicodeDecodeError as error:
        raise ColourHistoryFileError(f"{path}: not UTF-8 text ({error.reason})") from None
    try:
        return ColourHistory.model_validate_json(text)
    except ValidationError as error:
        problems = [
            f"{'.'.join(str(part) for part in item['loc']) or 'document'}: {item['msg']}"
            for item in error.errors()[:SHOWN_PROBLEMS]
        ]
        more = error.error_count() - len(problems)
        extra = f" (and {more} more)" if more > 0 else ""
        message = "; ".join(problems) + extra
        raise ColourHistoryFileError(
            f"{path}: not a colour history from `sectorlights backtest --summary`: {message}"
        ) from None
