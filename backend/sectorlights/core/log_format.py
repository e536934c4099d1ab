"""How log records are written: readable text lines (the default) or one JSON object per line for
a log collector (`SECTORLIGHTS_LOG_FORMAT=json`)."""

from __future__ import annotations

import json
import logging
import re
from datetime import UTC, datetime

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"

# The query values and header that carry a credential: uvicorn's WebSocket lines print the path with
# its query (`"WebSocket /ws?ticket=..." [accepted]`, or `403` when refused).
_SECRET_QUERY = re.compile(r"(?i)([?&](?:ticket|token|access_token)=)[^&\s\"'#]*")
_BEARER = re.compile(r"(?i)(bearer\s+)[A-Za-z0-9._~+/=-]+")
REDACTED = "[redacted]"


def redact_secrets(text: str) -> str:
    """`text` with the values of `ticket=`, `token=`, `access_token=` and of `Bearer ...` replaced."""
    return _BEARER.sub(r"\1" + REDACTED, _SECRET_QUERY.sub(r"\1" + REDACTED, text))


class SecretRedactor(logging.Filter):
    """Rewrites a record whose message carries a ticket or token, so no handler ever writes one."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = redact_secrets(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per record, on one line: time (ISO 8601, UTC), level, logger, message, and
    exception (the formatted traceback) when the record carries one."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, str] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info and not record.exc_text:
            # Cached on the record like logging.Formatter does, for any other handler.
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            entry["exception"] = record.exc_text
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        # json.dumps escapes newlines, so a traceback stays on the record's one line.
        return json.dumps(entry, ensure_ascii=False)


def log_formatter(log_format: str) -> logging.Formatter:
    """The formatter of a SECTORLIGHTS_LOG_FORMAT value ("text" or "json")."""
    if log_format == "json":
        return JsonFormatter()
    if log_format == "text":
        return logging.Formatter(TEXT_FORMAT)
    raise ValueError(f"unknown log format {log_format!r} (expected text or json)")
