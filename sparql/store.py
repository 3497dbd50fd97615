"""The SPARQL store: an Oxigraph database holding exactly the triples of `migkg export --format nt`.

Layout under `MIGKG_HOME/sparql/<graph>/`:

- `gen-<stamp>-<random>/db`: one build (an Oxigraph RocksDB directory), and its
  `manifest.json` (stamp, triples, build time);
- `current`: a symlink naming the generation queries use, replaced with one
  `rename(2)`, so a query opens either the old store or the new, never half of one;
- `.lock`: serialises builds between processes (`migkg load`, `migkg serve`).

The stamp hashes what the export depends on: the loaded graph's digest and load
time (the dump carries it), the base IRI, the code version and the export's code. A store whose
stamp differs from the graph's is stale and rebuilt.
"""

from __future__ import annotations

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
from typing import Any

from graph.backend import GraphBackend
from graph.meta import read_meta
from migkg import __version__
from migkg.exc import BackendUnavailable

log = logging.getLogger(__name__)

CURRENT, LOCK, MANIFEST, DB = "current", ".lock", "manifest.json", "db"
EXPORT_CODE = ("export.py", "ntriples.py", "mapping.py", "vocab.py", "schema.yaml")
_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]")


@dataclass(frozen=True)
class Generation:
    """One built store: where it is and what it was built from."""

    path: Path
    stamp: str
    triples: int
    seconds: float
    bytes: int

    @property
    def db(self) -> Path:
        return self.path / DB


def store_root(home: Path, backend: GraphBackend) -> Path:
    """`home/sparql/<graph>`: one store per graph (tests give each module its own graph)."""
    name = str(getattr(backend, "graph_name", None) or backend.name)
    return home.resolve() / "sparql" / _UNSAFE.sub("_", name)


def _code_digest() -> str:
    """The export's code and schema: a change there changes the triples too."""
    import ontology

    folder = Path(ontology.__file__).resolve().parent
    digest = hashlib.sha256()
    for name in EXPORT_CODE:
        path = folder / name
        digest.update(path.read_bytes() if path.is_file() else b"-")
    return digest.hexdigest()[:16]


def graph_stamp(backend: GraphBackend, base_iri: str) -> str | None:
    """What the export of the loaded graph depends on, hashed; None when nothing is loaded."""
    meta = read_meta(backend)
    if not meta.get("digest"):
        return None
    key = "|".join([str(meta["digest"]), str(meta.get("loaded_at")), base_iri, __version__,
                    _code_digest()])
    return hashlib.sha256(key.encode()).hexdigest()[:24]


def current(root: Path) -> Generation | None:
    """The generation `current` names, or None when no store was built."""
    try:
        path = root / os.readlink(root / CURRENT)
        manifest = json.loads((path / MANIFEST).read_text())
    except (FileNotFoundError, NotADirectoryError, json.JSONDecodeError):
        return None
    return Generation(path, str(manifest["stamp"]), int(manifest["triples"]),
                      float(manifest["seconds"]), int(manifest["bytes"]))


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


def build(backend: GraphBackend, base_iri: str, root: Path, stamp: str) -> Generation:
    """Build a new generation from the streamed N-Triples export (bounded memory) and switch
    `current` to it; the previous generation is kept for queries still reading it."""
    import pyoxigraph

    from ontology.export import export_bytes

    root.mkdir(parents=True, exist_ok=True)
    path = root / f"gen-{stamp}-{secrets.token_hex(4)}"
    started = time.perf_counter()
    try:
        path.mkdir()
        store = pyoxigraph.Store(str(path / DB))
        stream = io.BufferedReader(_Chunks(export_bytes(backend, base_iri, "nt")), 1 << 20)
        store.bulk_load(stream, pyoxigraph.RdfFormat.N_TRIPLES)
        store.optimize()
        triples = len(store)
        store.flush()
        del store  # closes the database before anyone opens it read-only
        seconds = time.perf_counter() - started
        size = _size(path)
        (path / MANIFEST).write_text(json.dumps(
            {"stamp": stamp, "triples": triples, "seconds": round(seconds, 3), "bytes": size}))
        link = root / f".current-{secrets.token_hex(4)}"
        os.symlink(path.name, link)
        os.replace(link, root / CURRENT)  # the switch: atomic
    except BaseException:
        shutil.rmtree(path, ignore_errors=True)
        raise
    _prune(root, keep={path.name})
    log.info("SPARQL store built: %d triples in %.2f s (%d bytes)", triples, seconds, size)
    return Generation(path, stamp, triples, round(seconds, 3), size)


def _prune(root: Path, keep: set[str]) -> None:
    """Remove generations but the newest two (a query may still be reading the previous)."""
    gens = sorted((p for p in root.glob("gen-*") if p.name not in keep),
                  key=lambda p: p.stat().st_mtime, reverse=True)
    for old in gens[1:]:
        shutil.rmtree(old, ignore_errors=True)


def refresh(backend: GraphBackend, base_iri: str, root: Path) -> Generation:
    """The store for the loaded graph: the current one if fresh, else a new build.

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
        return build(backend, base_iri, root, stamp)
