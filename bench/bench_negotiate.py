"""Content negotiation: the hand-written `ontology.negotiate` beside two maintained parsers.

    .venv/bin/python -m pytest bench/bench_negotiate.py --benchmark-only \
        --benchmark-group-by=param:accept --benchmark-columns=min,median,ops

Each parser picks among the `/id/...` offers (RDF first, then JSON and HTML) for the
Accept headers clients send: a browser's, a JSON-LD client's and an RDF crawler's.
python-mimeparse and werkzeug are not dependencies (werkzeug comes with the test extra);
a parser that is not installed is skipped. The adapters keep the server's order on ties.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import pytest

from ontology.negotiate import negotiate

OFFERS = ["text/turtle", "application/ld+json", "application/n-triples", "application/rdf+xml",
          "application/json", "text/html"]
ACCEPT = {
    "browser": "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,"
               "image/apng,*/*;q=0.8,application/signed-exchange;v=b3;q=0.7",
    "json-ld": "application/ld+json",
    "crawler": "text/turtle;q=0.9,*/*;q=0.1",
}
EXPECTED = {"browser": "text/html", "json-ld": "application/ld+json", "crawler": "text/turtle"}


def _mimeparse() -> Callable[[str, Sequence[str]], str]:
    mimeparse = pytest.importorskip("mimeparse")
    return lambda accept, offers: str(mimeparse.best_match(list(reversed(offers)), accept))


def _werkzeug() -> Callable[[str, Sequence[str]], str]:
    http = pytest.importorskip("werkzeug.http")
    accept_types = pytest.importorskip("werkzeug.datastructures")
    return lambda accept, offers: str(
        http.parse_accept_header(accept, accept_types.MIMEAccept).best_match(offers))


PARSERS: dict[str, Callable[[], Callable[[str, Sequence[str]], str]]] = {
    "hand-written": lambda: negotiate, "mimeparse": _mimeparse, "werkzeug": _werkzeug}


@pytest.mark.parametrize("accept", list(ACCEPT))
@pytest.mark.parametrize("parser", list(PARSERS))
def test_negotiate(benchmark: Any, parser: str, accept: str) -> None:
    pick = PARSERS[parser]()
    assert benchmark(pick, ACCEPT[accept], OFFERS) == EXPECTED[accept]
