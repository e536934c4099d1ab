"""The `since`/`until` query parameters of the history endpoints, read as UTC."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import HTTPException, Query

SinceQuery = Annotated[
    datetime | None, Query(description="earliest timestamp (ISO 8601; no offset means UTC)")
]
UntilQuery = Annotated[datetime | None, Query(description="latest timestamp (ISO 8601; no offset means UTC)")]


def utc_param(field: str, value: datetime | None) -> datetime | None:
    """The time in UTC (one without an offset is read as UTC); 422 when it has no UTC equivalent."""
    if value is None:
        return None
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    try:
        return value.astimezone(UTC)
    except OverflowError:
        raise HTTPException(
            status_code=422, detail=f"{field}: {value.isoformat()} is outside the representable range"
        ) from None


def utc_range(since: datetime | None, until: datetime | None) -> tuple[datetime | None, datetime | None]:
    """`since` and `until` in UTC; 422 naming `since` when it is after `until`."""
    since, until = utc_param("since", since), utc_param("until", until)
    if since is not None and until is not None and since > until:
        raise HTTPException(
            status_code=422,
            detail=f"since: must not be after until ({since.isoformat()} > {until.isoformat()})",
        )
    return since, until
