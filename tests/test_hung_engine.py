"""A hung engine is treated as a dead one (issue 19, item 5).

`kill -STOP` of the serving engine used to leave an uncached request waiting for the
socket's 120 s timeout. Now the supervised engine's watchdog notices within about
1.5 s that it no longer answers, kills it, and the keeper starts it again from its
snapshot: the request in flight and those that follow answer 503 with Retry-After,
then the service answers 200 again. The bound asserted is 5× the 2 s the issue sets.
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from conftest import serving
from graph.embedded import EmbeddedServer
from graph.falkor import FalkorBackend
from loaders.facts import Facts
from loaders.pipeline import load_facts

DETECT_WITHIN = 10.0  # 5× the 2 s
RECOVER_WITHIN = 120.0


@pytest.fixture
def owned(tmp_path: Path) -> Iterator[EmbeddedServer]:
    server = EmbeddedServer(tmp_path / "home")
    server.own()
    yield server
    pid = server.pid
    if pid is not None:  # never leave a stopped process behind (the watchdog may have killed it)
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGCONT)
    server.stop()


def test_a_stopped_engine_answers_503_then_comes_back(owned: EmbeddedServer, facts: Facts) -> None:
    from api.app import create_app
    from migkg.settings import Settings

    backend = FalkorBackend(owned, "g")
    load_facts(facts, backend)
    app = create_app(Settings(response_cache_bytes=0), backend=backend)
    with serving(app) as url, httpx.Client(base_url=url, timeout=60) as http:
        assert http.get("/v1/countries/RS/agreements").status_code == 200
        stopped = owned.pid
        assert stopped is not None
        in_flight: list[httpx.Response] = []
        os.kill(stopped, signal.SIGSTOP)
        began = time.monotonic()
        # One request sent while the engine is stopped: it must not wait for the socket.
        thread = threading.Thread(target=lambda: in_flight.append(
            http.get("/v1/countries/Serbia/agreements")))
        thread.start()
        thread.join(DETECT_WITHIN)
        assert in_flight, "the request in flight was not answered"
        assert time.monotonic() - began < DETECT_WITHIN
        first = in_flight[0]
        assert first.status_code == 503, first.text
        assert first.headers["retry-after"] == "2"
        assert first.headers["content-type"].startswith("application/problem+json")
        assert owned.hangs == 1

        deadline = time.monotonic() + RECOVER_WITHIN
        statuses: list[int] = []
        while True:
            status = http.get("/v1/countries/RS/agreements").status_code
            statuses.append(status)
            if status == 200:
                break
            assert time.monotonic() < deadline, statuses
            time.sleep(0.1)
        assert set(statuses) <= {200, 503}, statuses  # never another 5xx
        assert owned.pid not in (None, stopped)  # a new engine, from the snapshot
        assert http.get("/ready").status_code == 200


def test_an_engine_stopped_before_the_first_watch_is_caught_too(owned: EmbeddedServer) -> None:
    """The engine `own()` started has answered already: it is watched from the first tick."""
    from migkg.exc import BackendUnavailable

    stopped = owned.pid
    assert stopped is not None
    os.kill(stopped, signal.SIGSTOP)  # at once, before the watchdog's first PING
    began = time.monotonic()
    with pytest.raises(BackendUnavailable):
        FalkorBackend(owned, "g").read("RETURN 1")
    assert time.monotonic() - began < DETECT_WITHIN
    assert owned.hangs == 1
