"""One error body for every refusal, `{"detail": "..."}`, and the handlers that produce it."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from sectorlights.engine.lookups import InvalidParameter, NoAnalysisYet, VendorUnavailable
from sectorlights.engine.outages import (
    DATABASE_UNAVAILABLE_ERRORS,
    RETRY_AFTER_SECS,
    UNAVAILABLE_DETAIL,
    DatabaseUnavailable,
)
from sectorlights.engine.queries import NotFound, NotReady
from sectorlights.engine.replay_request import ReplayRequestError
from sectorlights.engine.replays import ReplayBusyError


class ErrorResponse(BaseModel):
    """Why a request was refused, in one line naming the parameter or the problem."""

    detail: str


_MEANINGS = {
    401: "Authorization missing or unknown (only with SECTORLIGHTS_AUTH=required)",
    404: "Not found",
    409: "Busy: another replay is running",
    422: "A parameter or the body is invalid",
    413: "The request body is larger than SECTORLIGHTS_MAX_BODY_BYTES",
    429: "Too many requests of this kind from this caller; see Retry-After",
    503: "No analysis yet (the first run is in progress), or the database is not answering "
    "(with Retry-After)",
}


# What a code means on the trader's views (scanner, news, bars), where it differs from the above.
VIEW_MEANINGS = {
    409: "No analysis yet: the view needs the latest analysis's universe",
    503: "The market-data vendor failed and nothing good is held (the detail names the endpoint "
    "and cause), or the database is not answering (with Retry-After)",
}


def error_responses(*codes: int, meanings: dict[int, str] | None = None) -> dict[int | str, dict[str, Any]]:
    """The OpenAPI `responses` of the refusals a route can give, each with the error model;
    `meanings` replaces the description of a code where the route gives it for another reason."""
    described = _MEANINGS | (meanings or {})
    return {code: {"model": ErrorResponse, "description": described[code]} for code in codes}


def validation_detail(errors: Iterable[Mapping[str, Any]]) -> str:
    """Pydantic's validation errors as one line, each naming its field: `limit: Input should be ...`."""
    return "; ".join(
        f"{'.'.join(str(part) for part in item['loc'] if part != 'body')}: {item['msg']}" for item in errors
    )


@dataclass(frozen=True, slots=True)
class Refusal:
    """How the API answers an engine error: the status, the one-line detail and extra headers."""

    status_code: int
    detail: str
    headers: dict[str, str] | None = None


RETRY_LATER = {"Retry-After": str(RETRY_AFTER_SECS)}
# Every engine error that is an answer rather than a fault; `refusal` says which answer.
REFUSED_ERRORS: tuple[type[Exception], ...] = (
    NotFound,
    ReplayRequestError,
    ReplayBusyError,
    InvalidParameter,
    NoAnalysisYet,
    VendorUnavailable,
    NotReady,
    DatabaseUnavailable,
    *DATABASE_UNAVAILABLE_ERRORS,
)


def refusal(error: BaseException) -> Refusal | None:
    """The answer to an engine error of `REFUSED_ERRORS`, None for any other: the API's error bodies
    and the MCP tools' errors both come from here."""
    if isinstance(error, NotFound):
        return Refusal(404, error.detail, error.headers)
    if isinstance(error, ReplayRequestError):
        return Refusal(422, error.named())
    if isinstance(error, ReplayBusyError):
        return Refusal(409, error.detail)
    if isinstance(error, InvalidParameter):
        return Refusal(422, error.detail)
    if isinstance(error, NoAnalysisYet):
        return Refusal(409, error.detail)
    if isinstance(error, VendorUnavailable):
        return Refusal(503, error.detail, RETRY_LATER)
    if isinstance(error, NotReady):
        return Refusal(503, error.detail)
    # A database that went away: 503 with Retry-After, never a 500 with a traceback per request.
    if isinstance(error, (DatabaseUnavailable, *DATABASE_UNAVAILABLE_ERRORS)):
        return Refusal(503, UNAVAILABLE_DETAIL, RETRY_LATER)
    return None


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def _invalid(_request: Request, error: RequestValidationError) -> JSONResponse:
        return error_response(422, validation_detail(error.errors()))

    async def _refused(request: Request, error: Exception) -> JSONResponse:
        if isinstance(error, DATABASE_UNAVAILABLE_ERRORS):
            # The watch logs the outage once when it starts and once when it ends.
            request.app.state.container.users.database_watch.failed(error)
        answer = refusal(error)
        if answer is None:  # registered only for REFUSED_ERRORS
            raise error
        return error_response(answer.status_code, answer.detail, answer.headers)

    for error_type in REFUSED_ERRORS:
        app.add_exception_handler(error_type, _refused)


def error_response(status_code: int, detail: str, headers: Mapping[str, str] | None = None) -> JSONResponse:
    return JSONResponse(ErrorResponse(detail=detail).model_dump(), status_code=status_code, headers=headers)
