"""The OpenAPI document: operation ids from the route functions, and the `/ws` message models among
its schemas so the generated front-end types cover the live updates too."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute
from pydantic.json_schema import models_json_schema

from sectorlights.domain.messages import MESSAGE_MODELS

REF_TEMPLATE = "#/components/schemas/{model}"


def operation_id(route: APIRoute) -> str:
    """`get_sector_history` -> `getSectorHistory`."""
    first, *rest = route.name.split("_")
    return first + "".join(word.capitalize() for word in rest)


def install_openapi(app: FastAPI) -> None:
    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(
                title=app.title,
                version=app.version,
                summary=app.summary,
                description=app.description,
                routes=app.routes,
            )
            _refs, messages = models_json_schema(
                [(model, "serialization") for model in MESSAGE_MODELS.values()], ref_template=REF_TEMPLATE
            )
            components = schema.setdefault("components", {}).setdefault("schemas", {})
            for name, definition in messages.get("$defs", {}).items():
                components.setdefault(name, definition)
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
