"""`/v1/export.*` served from a file built once per graph digest, with ETag and Range."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from conftest import MINI, Counted
from graph.falkor import FalkorBackend
from loaders.facts import Facts
from loaders.pipeline import load_facts, read_facts
from migkg.settings import Settings


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("export-home")


@pytest.fixture(scope="module")
def http(counted_graph: FalkorBackend, home: Path) -> Iterator[TestClient]:
    # digest_check_ms is an hour: the response cache's own digest check (once a second by
    # default) must not add a statement when the machine is slow between two requests.
    with TestClient(create_app(Settings(home=home, digest_check_ms=3_600_000),
                               backend=counted_graph)) as c:
        yield c


@pytest.mark.parametrize("ext", ["nt", "ttl"])
def test_a_dump_is_built_once_and_served_from_its_file(http: TestClient, home: Path,
                                                       counted: Counted, ext: str) -> None:
    first = http.get(f"/v1/export.{ext}")
    assert first.status_code == 200
    assert first.headers["accept-ranges"] == "bytes"
    etag = first.headers["etag"]
    files = list((home / "exports").glob(f"*.{ext}"))
    assert [f.name for f in files] == [f"{etag.strip(chr(34))}.{ext}"]
    assert files[0].read_bytes() == first.content
    before = counted.statements
    again = http.get(f"/v1/export.{ext}")
    assert again.content == first.content and again.headers["etag"] == etag
    assert counted.statements - before == 1  # the digest, not the dump
    assert http.get(f"/v1/export.{ext}", headers={"If-None-Match": etag}).status_code == 304
    head = http.head(f"/v1/export.{ext}")
    assert head.status_code == 200 and head.content == b""
    assert head.headers["content-length"] == str(len(first.content))


def test_ranges(http: TestClient) -> None:
    full = http.get("/v1/export.nt").content
    size = len(full)
    part = http.get("/v1/export.nt", headers={"Range": "bytes=0-99"})
    assert part.status_code == 206
    assert part.content == full[:100]
    assert part.headers["content-range"] == f"bytes 0-99/{size}"
    tail = http.get("/v1/export.nt", headers={"Range": "bytes=-50"})
    assert tail.status_code == 206 and tail.content == full[-50:]
    middle = http.get("/v1/export.nt", headers={"Range": f"bytes={size // 2}-"})
    assert middle.status_code == 206 and middle.content == full[size // 2:]
    assert http.get("/v1/export.nt", headers={"Range": f"bytes={size + 10}-"}).status_code == 416
    etag = http.get("/v1/export.nt").headers["etag"]
    # If-Range with the current ETag: the range; with a stale one: the whole dump.
    fresh = http.get("/v1/export.nt", headers={"Range": "bytes=0-9", "If-Range": etag})
    assert fresh.status_code == 206 and fresh.content == full[:10]
    stale = http.get("/v1/export.nt", headers={"Range": "bytes=0-9", "If-Range": '"old"'})
    assert stale.status_code == 200 and stale.content == full


def test_a_load_makes_a_new_dump(http: TestClient, counted_graph: FalkorBackend, facts: Facts,
                                 home: Path) -> None:
    before = http.get("/v1/export.nt")
    load_facts(read_facts(MINI), counted_graph, full=True)
    try:
        after = http.get("/v1/export.nt")
        assert after.headers["etag"] != before.headers["etag"]
        assert after.content != before.content
        assert (home / "exports" / f"{after.headers['etag'].strip(chr(34))}.nt").is_file()
    finally:
        load_facts(facts, counted_graph, full=True)
    assert not list((home / "exports").glob(".*"))  # no temporary file left behind
