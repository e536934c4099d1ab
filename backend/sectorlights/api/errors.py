"""One error body for every refusal, `{"detail": "..."}`, and the handlers that produce it."""

from __future__ import annotations

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


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def _invalid(_request: Request, error: RequestValidationError) -> JSONResponse:
        problems = [
            f"{'.'.join(str(part) for part in item['loc'] if part != 'body')}: {item['msg']}"
            for item in error.errors()
        ]
        return _error(422, "; ".join(problems))

    @app.exception_handler(NotFound)
    async def _not_found(_request: Request, error: NotFound) -> JSONResponse:
        return _error(404, error.detail, error.headers)

    @app.exception_handler(ReplayRequestError)
    async def _refused(_request: Request, error: ReplayRequestError) -> JSONResponse:
        return _error(422, error.named())

    @app.exception_handler(ReplayBusyError)
    async def _busy(_request: Request, error: ReplayBusyError) -> JSONResponse:
        return _error(409, error.detail)

    @app.exception_handler(InvalidParameter)
    async def _invalid_parameter(_request: Request, error: InvalidParameter) -> JSONResponse:
        return _error(422, error.detail)

    @app.exception_handler(NoAnalysisYet)
    async def _no_analysis(_request: Request, error: NoAnalysisYet) -> JSONResponse:
        return _error(409, error.detail)

    @app.exception_handler(VendorUnavailable)
    async def _vendor_unavailable(_request: Request, error: VendorUnavailable) -> JSONResponse:
        return _error(503, error.detail, {"Retry-After": str(RETRY_AFTER_SECS)})

    @app.exception_handler(NotReady)
    async def _not_ready(_request: Request, error: NotReady) -> JSONResponse:
        return _error(503, error.detail)

    # A database that went away: 503 with Retry-After, never a 500 with a traceback per request.
    # The watch logs the outage once when it starts and once when it ends.
    @app.exception_handler(DatabaseUnavailable)
    async def _unavailable(_request: Request, _error: DatabaseUnavailable) -> JSONResponse:
        return _database_unavailable()

    async def _database_error(request: Request, error: Exception) -> JSONResponse:
        request.app.state.container.users.database_watch.failed(error)
        return _database_unavailable()

    for error_type in DATABASE_UNAVAILABLE_ERRORS:
        app.add_exception_handler(error_type, _database_error)


def _database_unavailable() -> JSONResponse:
    return _error(503, UNAVAILABLE_DETAIL, {"Retry-After": str(RETRY_AFTER_SECS)})


def _error(status_code: int, detail: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(ErrorResponse(detail=detail).model_dump(), status_code=status_code, headers=headers)
