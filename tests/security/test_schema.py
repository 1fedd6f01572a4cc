"""Schemathesis against the local cloud's own OpenAPI document, with a valid token: whatever it
sends, the API never answers 5xx, and answers only status codes the document lists (401, 403,
404, 409, 413, 415, 422, 429 and 503 included where they can happen)."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import status_code_conformance

from tests.security.conftest import Stack

pytestmark = pytest.mark.e2e

#: Cases per operation: enough to cover each parameter's edges, few enough for CI.
EXAMPLES = 25


def test_no_server_error_and_only_documented_statuses(stack: Stack) -> None:
    schema = schemathesis.openapi.from_url(f"{stack.api}/openapi.json")
    operations = [result.ok() for result in schema.get_all_operations()]  # type: ignore[union-attr]
    assert len(operations) >= 12

    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def conforms(case: Any) -> None:
            # A caller of its own for each case: the suite's small limits of writes per user
            # would otherwise answer most cases 429 (documented, so conforming) before the
            # route ever saw them.
            caller = stack.forged(sub=str(uuid.uuid4()), email="fuzz@example.com")
            case.call_and_validate(
                base_url=stack.api,
                headers={"Authorization": f"Bearer {caller}"},
                checks=[not_a_server_error, status_code_conformance],
            )

        conforms()
