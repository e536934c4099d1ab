"""The OpenAPI document the front-end types are generated from: every /api answer is a named model,
every refusal the one error model, bearer auth declared, readable operation ids."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from sectorlights.api.app import create_app
from sectorlights.domain.events import EventType
from sectorlights.settings import load_settings
from tests.integration.apps import environment, sqlite_url

ERROR_REF = "#/components/schemas/ErrorResponse"


@pytest.fixture(scope="module")
def openapi(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    directory = Path(tmp_path_factory.mktemp("openapi"))
    with pytest.MonkeyPatch.context() as monkeypatch:
        environment(monkeypatch, sqlite_url(directory), directory / "no-frontend", run_on_start=False)
        return create_app(load_settings()).openapi()


def _api_operations(openapi: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method.upper(), path, operation)
        for path, operations in openapi["paths"].items()
        if path.startswith("/api/")
        for method, operation in operations.items()
    ]


def _schema(openapi: dict[str, Any], ref: str) -> dict[str, Any]:
    schema: dict[str, Any] = openapi["components"]["schemas"][ref.rsplit("/", 1)[1]]
    return schema


def test_every_api_answer_is_a_named_model_with_properties(openapi: dict[str, Any]) -> None:
    operations = _api_operations(openapi)
    assert len(operations) >= 12
    for method, path, operation in operations:
        successes = {code: body for code, body in operation["responses"].items() if code.startswith("2")}
        assert successes, (method, path)
        for code, body in successes.items():
            ref = body["content"]["application/json"]["schema"].get("$ref")
            assert ref and ref.startswith("#/components/schemas/"), (method, path, code, body)
            assert _schema(openapi, ref)["properties"], (method, path, ref)


def test_every_documented_refusal_is_the_error_model(openapi: dict[str, Any]) -> None:
    assert _schema(openapi, ERROR_REF)["required"] == ["detail"]
    refusals = 0
    for method, path, operation in _api_operations(openapi):
        for code, body in operation["responses"].items():
            if code[0] in "45":
                refusals += 1
                assert body["content"] == {"application/json": {"schema": {"$ref": ERROR_REF}}}, (
                    method,
                    path,
                    code,
                )
    assert refusals >= 20
    assert "HTTPValidationError" not in openapi["components"]["schemas"]


def test_bearer_auth_is_declared_on_the_api_routes(openapi: dict[str, Any]) -> None:
    schemes = openapi["components"]["securitySchemes"]
    assert schemes == {"bearerAuth": schemes["bearerAuth"]} and schemes["bearerAuth"]["scheme"] == "bearer"
    for method, path, operation in _api_operations(openapi):
        # The open ones: the message schemas, and the session that says whether a token is needed.
        if path not in {"/api/ws-schema", "/api/session"}:
            assert operation["security"] == [{"bearerAuth": []}], (method, path)
            assert "401" in operation["responses"], (method, path)
        else:
            assert "security" not in operation, (method, path)


def test_operation_ids_are_readable(openapi: dict[str, Any]) -> None:
    ids = {
        (method.upper(), path): operation["operationId"]
        for path, operations in openapi["paths"].items()
        for method, operation in operations.items()
    }
    assert len(set(ids.values())) == len(ids)
    assert {
        ids[("GET", "/api/sectors")],
        ids[("GET", "/api/sectors/{sector}")],
        ids[("GET", "/api/sectors/{sector}/history")],
        ids[("GET", "/api/stocks/{symbol}")],
        ids[("GET", "/api/stocks/{symbol}/history")],
        ids[("POST", "/api/analysis")],
        ids[("POST", "/api/replays")],
    } == {
        "listSectors",
        "getSector",
        "getSectorHistory",
        "getStock",
        "getStockHistory",
        "startAnalysis",
        "startReplay",
    }
    assert all(name.isalnum() and name[0].islower() for name in ids.values()), ids


def test_the_live_update_messages_are_among_the_schemas(openapi: dict[str, Any]) -> None:
    schemas = openapi["components"]["schemas"]
    for kind in EventType:
        name = "".join(word.capitalize() for word in kind.value.split("_")) + "Message"
        assert schemas[name]["properties"]["type"]["const"] == kind.value, name


README = Path(__file__).resolve().parents[3] / "README.md"
DOCUMENTED_ROUTE = re.compile(r"`(GET|POST|PUT|DELETE|PATCH) (/api/[^`?\s]*)")


def _readme_api_routes() -> set[tuple[str, str]]:
    """The method and path of every route in the README's API table."""
    text = README.read_text(encoding="utf-8")
    section = text[text.index("\n## API\n") :]
    section = section[: section.index("\n## ", 1)]
    return {
        route
        for line in section.splitlines()
        if line.startswith("| `")
        for route in DOCUMENTED_ROUTE.findall(line.split("|")[1])
    }


def test_the_readme_lists_every_api_route_and_no_other(openapi: dict[str, Any]) -> None:
    served = {(method, path) for method, path, _operation in _api_operations(openapi)}
    documented = _readme_api_routes()
    assert served - documented == set(), "served but missing from the README's API table"
    assert documented - served == set(), "in the README's API table but not served"
