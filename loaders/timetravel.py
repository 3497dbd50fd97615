"""Time travel: a release's graph, built from its stored snapshot beside the live one.

`as_of=V` answers from the graph as it stood in release V. That graph is the release's
statements (loaders/releases.py) turned back into facts and fully loaded into a graph
of its own in the embedded engine (`<graph>@<version>@<digest>`), whatever engine
serves the live graph: the live graph is never touched, and every read the API makes
runs unchanged on it. It is built on first use and kept; a release file that changes
(its digest) gets a new graph.
"""

from __future__ import annotations

import threading

from graph import open_embedded
from graph.backend import GraphBackend
from graph.schema import get_schema
from loaders.pipeline import load
from loaders.releases import Release, Releases
from loaders.statements import statements_facts
from migkg.settings import Settings

MAX_OPEN = 8  # release graphs with an open client in one process


class TimeTravel:
    """The graphs of releases, one client each, built when first asked for."""

    def __init__(self, settings: Settings, releases: Releases | None = None) -> None:
        self.settings = settings
        self.releases = releases or Releases(settings.data)
        self._lock = threading.Lock()
        self._open: dict[str, GraphBackend] = {}

    def graph_name(self, release: Release) -> str:
        return f"{self.settings.graph}@{release.version}@{release.digest[:12]}"

    def backend(self, release: Release) -> GraphBackend:
        """The graph of `release`, loaded from its snapshot when it is not there yet."""
        name = self.graph_name(release)
        with self._lock:
            found = self._open.get(name)
            if found is not None:
                return found
            backend = open_embedded(self.settings, name)
            try:
                if not backend.exists():
                    facts = statements_facts(self.releases.snapshot(release.version).values(),
                                             digest=release.facts_digest)
                    load(facts, backend, schema=get_schema(), full=True)
            except BaseException:
                backend.close()
                raise
            if len(self._open) >= MAX_OPEN:
                self._open.pop(next(iter(self._open))).close()
            self._open[name] = backend
            return backend

    def close(self) -> None:
        with self._lock:
            for backend in self._open.values():
                backend.close()
            self._open.clear()
