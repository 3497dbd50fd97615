"""The SPARQL store: an Oxigraph database holding exactly the triples of `migkg export --format nt`.

Layout under `MIGKG_HOME/sparql/<graph>/`:

- `gen-<stamp>-<random>/db`: one build (an Oxigraph RocksDB directory), and its
  `manifest.json` (stamp, triples, build time);
- `current`: a symlink naming the generation queries use, replaced with one
  `rename(2)`, so a query opens either the old store or the new, never half of one;
- `.lock`: serialises builds between processes (`migkg load`, `migkg serve`).

The stamp hashes what the export depends on: the loaded graph's digest and load
time (the dump carries it), the base IRI, the code version and the export's code. A store whose
stamp differs from the graph's is stale.

A stale store is brought in step in one of three ways, cheapest first:

- after a reload, from its `Change` (loaders/diff.py): the current generation is
  checkpointed (RocksDB hard links: its files are shared, not copied), the changed
  triples deleted and inserted in the copy, and `current` switched to it. Only when
  the store is the one of the graph the reload started from;
- after a full load, from the facts in hand (ontology/delta.py's `FactsRows`);
- otherwise from the streamed export of the graph.

Every way writes a new generation and switches `current` last, so a process killed
half-way leaves the previous generation current, stale; the next refresh rebuilds it,
and removes the half-written one.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import io
import json
import logging
import os
import re
import secrets
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from graph.backend import GraphBackend
from graph.meta import read_meta
from loaders import pool
from loaders.diff import Change
from loaders.facts import Facts
from loaders.write import Progress
from migkg import __version__
from migkg.code import code_digest
from migkg.exc import BackendUnavailable

if TYPE_CHECKING:
    from ontology.delta import Delta

log = logging.getLogger(__name__)

CURRENT, LOCK, MANIFEST, DB = "current", ".lock", "manifest.json", "db"
# The code and schema the store's triples follow from: a change there changes them too.
EXPORT_CODE = tuple(f"ontology/{name}" for name in ("export.py", "ntriples.py", "mapping.py",
                                                    "vocab.py", "delta.py", "schema.yaml"))
_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]")
BESIDE_MIN = 20_000  # items (entities + relationships) from which a full load builds the store beside


@dataclass(frozen=True)
class Generation:
    """One built store: where it is and what it was built from."""

    path: Path
    stamp: str
    triples: int
    seconds: float
    bytes: int
    data_triples: int | None = None  # the dump's `void:triples`: all but the description's
    dataset: str | None = None  # the description's N-Triples lines, replaced on each change

    @property
    def db(self) -> Path:
        return self.path / DB


def store_root(home: Path, backend: GraphBackend) -> Path:
    """`home/sparql/<graph>`: one store per graph (tests give each module its own graph)."""
    name = str(getattr(backend, "graph_name", None) or backend.name)
    return home.resolve() / "sparql" / _UNSAFE.sub("_", name)


def graph_stamp(backend: GraphBackend, base_iri: str) -> str | None:
    """What the export of the loaded graph depends on, hashed; None when nothing is loaded."""
    return meta_stamp(read_meta(backend), base_iri)


def meta_stamp(meta: dict[str, Any], base_iri: str) -> str | None:
    """The stamp of the graph whose `_Meta` is `meta`; None when nothing is loaded."""
    if not meta.get("digest"):
        return None
    return stamp_of(meta["digest"], meta.get("loaded_at"), base_iri)


def stamp_of(digest: Any, loaded_at: Any, base_iri: str) -> str:
    """The stamp of the graph loaded from facts with `digest` at `loaded_at`."""
    key = "|".join([str(digest), str(loaded_at), base_iri, __version__,
                    code_digest(*EXPORT_CODE).hex()])
    return hashlib.sha256(key.encode()).hexdigest()[:24]


def current(root: Path) -> Generation | None:
    """The generation `current` names, or None when no store was built."""
    try:
        path = root / os.readlink(root / CURRENT)
        manifest = json.loads((path / MANIFEST).read_text())
    except (FileNotFoundError, NotADirectoryError, json.JSONDecodeError):
        return None
    try:
        return Generation(path, str(manifest["stamp"]), int(manifest["triples"]),
                          float(manifest["seconds"]), int(manifest["bytes"]),
                          manifest.get("data_triples"), manifest.get("dataset"))
    except (KeyError, TypeError, ValueError):
        return None  # a manifest this code did not write: rebuilt


class _Chunks(io.RawIOBase):
    """A readable binary stream over an iterator of byte chunks (the streamed export)."""

    def __init__(self, chunks: Iterator[bytes]) -> None:
        self._chunks, self._rest = chunks, b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while not self._rest:
            chunk = next(self._chunks, None)
            if chunk is None:
                return 0
            self._rest = chunk
        n = min(len(buffer), len(self._rest))
        buffer[:n] = self._rest[:n]
        self._rest = self._rest[n:]
        return n


def _size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def _new_path(root: Path, stamp: str) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    return root / f"gen-{stamp}-{secrets.token_hex(4)}"


def _publish(root: Path, path: Path, store: Any, stamp: str, started: float,
             data_triples: int, dataset: str) -> Generation:
    """Flush and close `store`, write its manifest, switch `current` to it (atomic)."""
    triples = data_triples + dataset.count("\n")
    if store is not None:
        store.flush()
    del store  # closes the database before anyone opens it read-only
    seconds = round(time.perf_counter() - started, 3)
    size = _size(path)
    (path / MANIFEST).write_text(json.dumps(
        {"stamp": stamp, "triples": triples, "seconds": seconds, "bytes": size,
         "data_triples": data_triples, "dataset": dataset}))
    link = root / f".current-{secrets.token_hex(4)}"
    os.symlink(path.name, link)
    os.replace(link, root / CURRENT)  # the switch: atomic
    _prune(root, keep={path.name})
    return Generation(path, stamp, triples, seconds, size, data_triples, dataset)


@dataclass
class _Filled:
    """A generation's database written but not yet published."""

    path: Path
    store: Any
    data_triples: int
    dataset: str
    started: float


def _fill(backend: GraphBackend | None, base_iri: str, path: Path, rows: Any) -> _Filled:
    """Bulk-load a new database at `path` from the streamed N-Triples export (bounded
    memory) of the graph, or of `rows` (facts about to be or just loaded)."""
    import pyoxigraph

    from ontology.export import Export
    from ontology.ntriples import NTriples, nt_lines

    started = time.perf_counter()
    export = Export(backend, base_iri, rows=rows)
    dataset: list[str] = []

    def chunks() -> Iterator[bytes]:
        for batch in export.data(NTriples(export.mapper)):
            yield "".join(batch).encode("utf-8")
        dataset.append(nt_lines(export.dataset()))
        yield dataset[0].encode("utf-8")

    try:
        path.mkdir()
        store = pyoxigraph.Store(str(path / DB))
        store.bulk_load(io.BufferedReader(_Chunks(chunks()), 1 << 20),
                        pyoxigraph.RdfFormat.N_TRIPLES)
    except BaseException:
        shutil.rmtree(path, ignore_errors=True)
        raise
    return _Filled(path, store, export.counts.triples, dataset[0], started)


def fill_from_facts(facts: Facts, base_iri: str, path: Path, loaded_at: Any) -> _Filled:
    """`_fill` from the facts, closed and ready to publish: run in a worker process (spawn),
    so the triples are written beside the graph's load, not in turn with it for the GIL."""
    from graph.schema import get_schema
    from ontology.delta import FactsRows

    filled = _fill(None, base_iri, path, FactsRows(facts, get_schema(), loaded_at))
    filled.store.flush()
    filled.store = None  # closed: the parent publishes it
    return filled


def _published(root: Path, filled: _Filled, stamp: str) -> Generation:
    try:
        gen = _publish(root, filled.path, filled.store, stamp, filled.started,
                       filled.data_triples, filled.dataset)
    except BaseException:
        shutil.rmtree(filled.path, ignore_errors=True)
        raise
    log.info("SPARQL store built: %d triples in %.2f s (%d bytes)", gen.triples, gen.seconds,
             gen.bytes)
    return gen


def build(backend: GraphBackend, base_iri: str, root: Path, stamp: str,
          rows: Any = None) -> Generation:
    """Build a new generation from the graph's export, or from `rows`, and switch `current`
    to it; the previous generation is kept for queries still reading it."""
    return _published(root, _fill(backend, base_iri, _new_path(root, stamp), rows), stamp)


def derive(base: Generation, root: Path, stamp: str, delta: Delta, loaded_at: Any,
           base_iri: str) -> Generation:
    """A new generation: `base` checkpointed (hard links), `delta` applied, `current` switched.

    The description's counts follow: the triples actually removed and added are counted
    (a shared triple may be there already, or not), so `void:triples` stays exact."""
    import pyoxigraph as ox

    from ontology.export import Counts, describe_dataset
    from ontology.mapping import Mapper
    from ontology.ntriples import nt_lines

    assert base.data_triples is not None and base.dataset is not None
    path = _new_path(root, stamp)
    started = time.perf_counter()
    try:
        path.mkdir()
        ox.Store.read_only(str(base.db)).backup(str(path / DB))
        store = ox.Store(str(path / DB))
        nt = ox.RdfFormat.N_TRIPLES
        old_dataset = list(ox.parse(base.dataset.encode("utf-8"), format=nt))
        removed = [q for q in ox.parse("".join(delta.delete).encode("utf-8"), format=nt)
                   if q in store]
        added = [q for q in ox.parse("".join(delta.insert).encode("utf-8"), format=nt)
                 if q not in store]
        for quad in (*old_dataset, *removed):
            store.remove(quad)
        data_triples = base.data_triples - len(removed) + len(added)
        counts = Counts(data_triples, delta.entities, delta.links)
        dataset = nt_lines(describe_dataset(Mapper(base_iri), counts, loaded_at))
        store.extend([*added, *ox.parse(dataset.encode("utf-8"), format=nt)])
        gen = _publish(root, path, store, stamp, started, data_triples, dataset)
    except BaseException:
        shutil.rmtree(path, ignore_errors=True)
        raise
    log.info("SPARQL store updated: -%d +%d triples in %.2f s", len(removed), len(added),
             gen.seconds)
    return gen


def _prune(root: Path, keep: set[str]) -> None:
    """Remove generations but the newest two (a query may still be reading the previous),
    and any a killed build left without its manifest (builds hold the lock: none is running)."""
    gens = []
    for p in root.glob("gen-*"):
        if p.name in keep:
            continue
        if not (p / MANIFEST).is_file():
            shutil.rmtree(p, ignore_errors=True)
        else:
            gens.append(p)
    gens.sort(key=lambda p: p.stat().st_mtime, reverse=True)
    for old in gens[1:]:
        shutil.rmtree(old, ignore_errors=True)


def refresh(backend: GraphBackend, base_iri: str, root: Path, *,
            after_load: Synced | None = None) -> Generation:
    """The store for the loaded graph: the current one if fresh, else brought in step.

    `after_load` says what the load that just ran knows (the stamp before and after it,
    its change and its facts), so the store follows the change or is built from the facts;
    without it, or when another load has come since, it is built from the graph.

    Builds are serialised by a file lock, and the check is repeated under it, so
    two processes finding the store stale build it once.
    """
    stamp = graph_stamp(backend, base_iri)
    if stamp is None:
        raise BackendUnavailable("the graph is not loaded: run `migkg load` first")
    gen = current(root)
    if gen is not None and gen.stamp == stamp:
        return gen
    root.mkdir(parents=True, exist_ok=True)
    with open(root / LOCK, "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        gen = current(root)
        if gen is not None and gen.stamp == stamp:
            return gen
        done = after_load if after_load is not None and after_load.after == stamp else None
        if (done is not None and done.change is not None and gen is not None
                and gen.stamp == done.before and gen.dataset is not None):
            from ontology.delta import delta
            from ontology.mapping import Mapper
            from ontology.ntriples import NTriples

            change = delta(done.change, done.facts, NTriples(Mapper(base_iri)))
            return derive(gen, root, stamp, change, done.loaded_at, base_iri)
        rows = None
        if done is not None:
            from graph.schema import get_schema
            from ontology.delta import FactsRows

            rows = FactsRows(done.facts, get_schema(), done.loaded_at)
        return build(backend, base_iri, root, stamp, rows)


@dataclass(frozen=True)
class Synced:
    """What a load knows that the store can use: the graph's stamps before and after it,
    what it changed (None after a full load) and the facts it loaded."""

    before: str | None
    after: str | None
    loaded_at: Any
    facts: Facts
    change: Change | None


def load_then_sync(facts: Facts, backend: GraphBackend, base_iri: str, *, full: bool,
                   progress: Progress | None = None, kept: Path | None = None,
                   before: dict[str, Any] | None = None) -> tuple[str, Synced]:
    """Load `facts` into the graph (loaders/pipeline.py's `load`) and say what the store
    needs to follow it (`refresh(..., after_load=synced)`). `before`: the graph's `_Meta`,
    when the caller has just read it."""
    from loaders.pipeline import load

    stamp = meta_stamp(read_meta(backend) if before is None else before, base_iri)
    loaded = load(facts, backend, progress, full=full, kept=kept)
    meta = read_meta(backend)
    return loaded.how, Synced(stamp, meta_stamp(meta, base_iri), meta.get("loaded_at"), facts,
                              loaded.change)


def load_and_refresh(facts: Facts, backend: GraphBackend, base_iri: str, root: Path, *,
                     full: bool, progress: Progress | None = None, kept: Path | None = None
                     ) -> tuple[str, Generation, float]:
    """Load `facts` into the graph, then bring the store in step from the same change:
    how the graph was loaded ("full", "diff", "unchanged"), the store's generation, and
    the seconds the graph's part took. `kept`: where the graph's item digests are kept
    between loads (loaders/pipeline.py's `load`).

    A big load that is full from the start (`full`, or no graph this loader wrote) builds
    the new store from the facts in a worker process while the graph is written, and
    switches to it once the graph is in: the two costs overlap instead of adding up
    (at 20,000 entities, 20.5-20.9 s against 21.4-23.0 s one after the other).
    Below `BESIDE_MIN` items, starting the worker costs more than it saves."""
    started = time.perf_counter()
    before = read_meta(backend)
    big = len(facts.entities) + len(facts.relationships) >= BESIDE_MIN
    if big and (full or not before.get("item_digests")) and pool.can_spawn():
        return _full_beside_store(facts, backend, base_iri, root, progress, kept)
    how, synced = load_then_sync(facts, backend, base_iri, full=full, progress=progress,
                                 kept=kept, before=before)
    wrote = time.perf_counter() - started
    return how, refresh(backend, base_iri, root, after_load=synced), wrote


def _full_beside_store(facts: Facts, backend: GraphBackend, base_iri: str, root: Path,
                       progress: Progress | None, kept: Path | None
                       ) -> tuple[str, Generation, float]:
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    from loaders.pipeline import load
    from loaders.write import meta_props

    started = time.perf_counter()
    props = meta_props(facts)
    stamp = stamp_of(facts.digest, props["loaded_at"], base_iri)
    root.mkdir(parents=True, exist_ok=True)
    context = multiprocessing.get_context("spawn")  # a server's threads must not be forked
    with open(root / LOCK, "a") as lock, ProcessPoolExecutor(1, context) as worker:
        fcntl.flock(lock, fcntl.LOCK_EX)
        path = _new_path(root, stamp)
        filling = worker.submit(fill_from_facts, facts, base_iri, path, props["loaded_at"])
        try:
            load(facts, backend, progress, full=True, kept=kept, props=props)
        except BaseException:
            with contextlib.suppress(BaseException):
                filling.result()
            shutil.rmtree(path, ignore_errors=True)
            raise
        wrote = time.perf_counter() - started
        filled = filling.result()
        if graph_stamp(backend, base_iri) == stamp:
            return "full", _published(root, filled, stamp), wrote
        shutil.rmtree(path, ignore_errors=True)  # another load came in between
    return "full", refresh(backend, base_iri, root), wrote
