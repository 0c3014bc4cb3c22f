"""Schema fuzzing of the OpenAPI with schemathesis: no input gives a 5xx.

Every operation of the schema gets a fixed, derandomised number of generated
requests (bounded in time), sent with a token that holds every role so that
they reach the handlers, on SQLite.

The operations are driven from one test through schemathesis' strategies:
its pytest integration for schemas loaded from a fixture
(``schemathesis.pytest.from_fixture``) fails under pytest 9 (it reads the
removed ``Function._nodeid``).
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
import schemathesis
from api_support import Trained, open_api
from hypothesis import HealthCheck, given, settings

from finduo.identity import Role

EXAMPLES_PER_OPERATION = 40


@pytest.mark.slow
def test_no_generated_request_gives_a_server_error(
    tmp_path: Path, trained: Trained
) -> None:
    api = open_api(f"sqlite:///{tmp_path / 'fuzz.db'}", tmp_path / "state", trained)
    _, token = api.store.create_token("fuzzer", [r.value for r in Role], "test")
    headers = {"Authorization": f"Bearer {token}"}
    schema = schemathesis.openapi.from_asgi("/openapi.json", api.app)
    server_errors: list[str] = []
    statuses: Counter[int] = Counter()
    operations = [result.ok() for result in schema.get_all_operations()]

    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def call(case: schemathesis.Case) -> None:
            response = case.call(headers=headers)
            statuses[response.status_code] += 1
            if response.status_code >= 500:
                server_errors.append(
                    f"{case.method} {case.formatted_path} -> {response.status_code}: "
                    f"{response.text[:300]}"
                )

        call()

    assert len(operations) >= 10
    assert server_errors == []
    # The requests got past the token to the handlers: answers and refusals.
    assert statuses[200] + statuses[201] > 0, statuses
    assert statuses[422] > 0, statuses
    assert api.store.list_decisions(limit=1), "no generated application was decided"
