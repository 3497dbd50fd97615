"""The first load of `migkg serve`, in the background: start-up never waits for it.

`migkg serve` validates `data/` before serving (bad facts stop it with file:line
problems), then the app starts at once: `/health` answers, `/ready` answers 503 with
the load's progress (stage, done, total) until the graph holds the facts, then 200.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from graph.backend import GraphBackend
from migkg.settings import Settings

if TYPE_CHECKING:
    from loaders.facts import Facts

log = logging.getLogger(__name__)


@dataclass
class LoadState:
    """Where the first load is; written by the loading thread, read by `/ready`."""

    stage: str = "checking"  # checking, validating, nodes, relationships, done, failed
    done: int = 0
    total: int = 0
    error: str | None = None
    started: float = field(default_factory=time.monotonic)

    @property
    def finished(self) -> bool:
        return self.stage == "done"

    def progress(self, stage: str, done: int, total: int) -> None:
        self.stage, self.done, self.total = stage, done, total

    def body(self) -> dict[str, Any]:
        out: dict[str, Any] = {"stage": self.stage, "done": self.done, "total": self.total,
                               "seconds": round(time.monotonic() - self.started, 1)}
        if self.error:
            out["error"] = self.error
        return out


def ensure_loaded(backend: GraphBackend, settings: Settings, facts: Facts | None = None,
                  state: LoadState | None = None) -> None:
    """Load `settings.data` when the graph is missing or was loaded from other facts: only
    what changed when the graph holds an earlier version of them, and the SPARQL store
    brought in step from the same change (sparql/store.py)."""
    from loaders.pipeline import loaded_meta_if_current, read_facts
    from sparql.store import load_then_sync, refresh, store_root

    state = state or LoadState()
    if loaded_meta_if_current(backend, settings.data) is not None:
        state.progress("done", 0, 0)
        return
    log.info("graph missing or stale: loading %s", settings.data)
    if facts is None:
        state.progress("validating", 0, 0)
        facts = read_facts(settings.data, allow_unchecked_quotes=settings.allow_unchecked_quotes,
                           cache=settings.file_cache)
    root = store_root(settings.home, backend)
    _, synced = load_then_sync(facts, backend, settings.base_iri, full=False,
                               progress=state.progress, kept=settings.graph_state(root.name))
    state.progress("done", state.total, state.total)  # ready: a SPARQL query waits for the store
    try:  # a store that fails here is rebuilt (and its error reported) by the next query
        refresh(backend, settings.base_iri, root, after_load=synced)
    except Exception as err:  # noqa: BLE001 - logged; /sparql says it again in its answer
        log.warning("SPARQL store not brought in step after the load: %s", err)


def load_in_background(backend: GraphBackend, settings: Settings,
                       facts: Facts | None = None) -> LoadState:
    """Start the first load on a thread; its state says how far it is."""
    state = LoadState()
    handed = [facts]

    def run() -> None:
        try:
            given, handed[0] = handed[0], None
            ensure_loaded(backend, settings, given, state)
            log.info("graph ready after %.1f s", time.monotonic() - state.started)
        except Exception as err:  # noqa: BLE001 - reported by /ready and the log
            state.stage, state.error = "failed", str(err).splitlines()[0] if str(err) else repr(err)
            log.error("the first load failed: %s", err)

    threading.Thread(target=run, name="first-load", daemon=True).start()
    return state
