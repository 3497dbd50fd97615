"""Schema-driven fuzzing of the API against its own OpenAPI: no 500s, no off-schema responses.

The app here runs exactly as `migkg serve` does: its lifespan starts a private
embedded engine in a temporary MIGKG_HOME and loads data/ itself.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import positive_data_acceptance
from schemathesis.python import asgi

from api.app import create_app
from conftest import DATA
from migkg.settings import Settings

HOME = Path(tempfile.mkdtemp(prefix="migkg-fuzz-"))
app = create_app(Settings(home=HOME, data=DATA, graph="fuzz"))
# schemathesis runs the app's lifespan once per test, from its first request: each start
# checks data/ against the graph on a thread (api/startup.py), and /ready says 503 until
# then. Each test waits for it through this client (which starts the lifespan) first.
# Entered on first use, not at import: collecting the module starts no engine.
_client = asgi.get_client(app)


def _wait_ready() -> None:
    if not _client.adapter.entered:
        _client.__enter__()
    for _ in range(600):
        if _client.get(f"http://{asgi.HOST}/ready").status_code == 200:
            return
        time.sleep(0.1)
schema = schemathesis.openapi.from_asgi("/openapi.json", app)


@schemathesis.serializer("application/sparql-query")
def _sparql_query(ctx: object, value: object) -> bytes:
    """POST /sparql takes the query as text: schemathesis has no serializer of its own for it
    (it skipped those cases, with a warning)."""
    return value.encode() if isinstance(value, str) else str(value).encode()


CASES: list[int] = []  # one entry per case run, with its status code


# One test per operation, named by it ("GET /v1/countries"): schemathesis's own
# parametrize gives all of them one test id, which pytest-xdist cannot tell apart.
OPERATIONS = [result.ok() for result in schema.get_all_operations()]


@pytest.mark.parametrize("operation", OPERATIONS, ids=[op.label for op in OPERATIONS])
def test_api_conforms_to_its_openapi(operation: Any) -> None:
    @given(case=operation.as_strategy())
    @settings(max_examples=30, deadline=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
    def fuzz(case: schemathesis.Case) -> None:
        # A schema-valid value may still be refused with a documented 400 (a status filter
        # on a kind that has no status, an unknown name): that check is left out.
        response = case.call_and_validate(session=_client,
                                          excluded_checks=[positive_data_acceptance])
        CASES.append(response.status_code)

    _wait_ready()
    fuzz()


def test_zz_enough_cases_and_no_server_error() -> None:
    """The run above was a real fuzz: over a thousand cases, none answered 5xx."""
    if not CASES:
        pytest.skip("the fuzz cases did not run in this session (deselected)")
    print(f"{len(CASES)} fuzz cases, statuses {sorted(set(CASES))}")
    assert len(CASES) >= 1000, len(CASES)
    assert not [c for c in CASES if c >= 500]
