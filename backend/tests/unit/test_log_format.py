"""SECTORLIGHTS_LOG_FORMAT: JSON lines a collector can parse, one per record, or readable text."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest

from sectorlights.core.log_format import JsonFormatter, log_formatter


@pytest.fixture
def captured() -> Iterator[tuple[logging.Logger, io.StringIO]]:
    """A logger of its own writing through a JsonFormatter into a string."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("tests.log_format")
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    logger.propagate = False
    try:
        yield logger, stream
    finally:
        logger.removeHandler(handler)
        logger.propagate = True


def lines(stream: io.StringIO) -> list[dict[str, object]]:
    """Every line as JSON (a line that is not JSON fails the test)."""
    return [json.loads(line) for line in stream.getvalue().splitlines()]


@pytest.mark.parametrize(
    ("level", "message", "args", "expected"),
    [
        (logging.INFO, "analysis %s done", ("r1",), "analysis r1 done"),
        (logging.WARNING, "cache read failed: %s", ("timeout",), "cache read failed: timeout"),
        # Quotes, backslashes, newlines and non-ASCII stay one line and come back as written.
        (logging.ERROR, 'two\nlines "quoted" \\ ünïcode', (), 'two\nlines "quoted" \\ ünïcode'),
        (logging.DEBUG, "100% sure", (), "100% sure"),
    ],
)
def test_each_record_is_one_json_line(
    captured: tuple[logging.Logger, io.StringIO],
    level: int,
    message: str,
    args: tuple[object, ...],
    expected: str,
) -> None:
    logger, stream = captured
    logger.log(level, message, *args)
    [entry] = lines(stream)
    assert set(entry) == {"time", "level", "logger", "message"}
    assert entry["message"] == expected
    assert entry["level"] == logging.getLevelName(level)
    assert entry["logger"] == "tests.log_format"
    at = datetime.fromisoformat(str(entry["time"]))
    assert at.utcoffset() == timedelta(0)


def test_an_exception_comes_with_its_traceback(captured: tuple[logging.Logger, io.StringIO]) -> None:
    logger, stream = captured
    try:
        raise ValueError("bad vendor row")
    except ValueError:
        logger.exception("run failed")
    logger.info("after")
    failed, after = lines(stream)
    assert failed["message"] == "run failed" and failed["level"] == "ERROR"
    exception = str(failed["exception"])
    assert exception.startswith("Traceback (most recent call last):")
    assert exception.rstrip().endswith("ValueError: bad vendor row")
    assert "exception" not in after


def test_text_is_the_readable_line() -> None:
    record = logging.LogRecord(
        "sectorlights.engine", logging.WARNING, __file__, 1, "cache %s", ("down",), None
    )
    text = log_formatter("text").format(record)
    assert text.endswith(" WARNING sectorlights.engine: cache down")
    assert isinstance(log_formatter("json"), JsonFormatter)
    with pytest.raises(ValueError, match="unknown log format 'xml'"):
        log_formatter("xml")
