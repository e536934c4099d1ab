"""Schemathesis against the real server's own OpenAPI schema: no generated request, valid or not,
may produce a server error, and every answer conforms to the schema: a documented status code, the
documented content type and a body that validates against the documented model."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.errors import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.conftest import SIM_NOW
from tests.servers import running_server


@pytest.fixture(scope="module")
def api_schema(tmp_path_factory: pytest.TempPathFactory) -> Iterator[schemathesis.BaseSchema]:
    env = {
        "SECTORLIGHTS_SIM_NOW": SIM_NOW.isoformat(),
        "SECTORLIGHTS_SIM_LISTINGS": "1500",
        "SECTORLIGHTS_LOG_LEVEL": "warning",
        # The fuzzer posts analyses and preferences far faster than a trader would.
        "SECTORLIGHTS_USER_ACTIONS_PER_MINUTE": "100000",
    }
    with running_server(env, Path(tmp_path_factory.mktemp("fuzz"))) as base_url:
        yield schemathesis.openapi.from_url(f"{base_url}/openapi.json")


CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


def test_every_answer_conforms_and_none_is_a_server_error(api_schema: schemathesis.BaseSchema) -> None:
    failures: list[str] = []
    statuses: list[int] = []
    operations = 0
    for result in api_schema.get_all_operations():
        operation = result.ok()
        operations += 1

        @given(case=operation.as_strategy())
        @settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def exercise(case: schemathesis.Case) -> None:
            try:
                response = case.call_and_validate(checks=CHECKS, timeout=30)
            except (AssertionError, FailureGroup) as failure:
                failures.append(f"{case.method} {case.formatted_path} {case.query}: {failure}")
                return
            statuses.append(response.status_code)

        exercise()
    assert not failures, failures[:10]
    assert operations >= 12
    # Generated requests reach the routes (successes and 4xx refusals alike), not just the router.
    assert len(statuses) >= 10 * operations
    assert any(status < 300 for status in statuses) and any(400 <= status < 500 for status in statuses)
