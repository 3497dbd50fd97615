"""The load pipeline in one place: list files → parse → check → anchor quotes → facts → write.

Each stage is a module that only the later ones use:

- `loaders/files.py` lists a data folder and reads a file without trusting it;
- `loaders/yamlsource.py` parses YAML with a line for every value;
- `loaders/check.py` validates each item and cross-checks references
  (`loaders/pool.py` runs its lean pass on every core for big folders);
- `loaders/quotes.py` finds every quote in its source text and anchors it;
- `loaders/facts.py` holds the result, plain data;
- `loaders/write.py` turns facts into rows and batched statements, and
  `loaders/diff.py` writes only what changed.

A full load goes into a new graph that replaces the old one only when it is
complete (a fresh staging graph on FalkorDB; on Neo4j one transaction that first
deletes everything), so `CREATE` is exact and a failed load leaves the previous
graph readable. A reload applies only what changed, atomically
(`GraphBackend.update_graph`).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from graph.backend import GraphBackend, Writer
from graph.meta import read_meta
from graph.names import LIST_INDEX_ENGINES, LIST_INDEXED
from graph.schema import SCHEMA_PATH, Schema, get_schema
from loaders import pool
from loaders.cache import FileCache
from loaders.check import Checker, LeanResult, Retry, digest_file, read_lean_file
from loaders.diff import Change, apply_diff, facts_state, keep_state
from loaders.facts import Facts
from loaders.files import Unreadable, list_data_files, read_regular
from loaders.quotes import anchor_quotes
from loaders.texts import digest_sources
from loaders.write import META_STATEMENT, Progress, index_labels, meta_props, write_all
from migkg.exc import InvalidFacts, Problem

# -- reading: files to facts --------------------------------------------------------------------

def facts_digest(data_dir: Path) -> str:
    """A digest of the schema and every YAML file: it changes when the facts may have.

    An unreadable file still changes it (so a stale graph is never taken as current);
    `read_facts` then says what is wrong with the file.
    """
    digest = hashlib.sha256(SCHEMA_PATH.read_bytes())
    files, _ = list_data_files(data_dir)
    for path in files:
        try:
            digest_file(digest, path, read_regular(path))
        except Unreadable as err:
            digest.update(f"{path.name}\0unreadable: {err}\0".encode())
    digest_sources(digest, data_dir)
    return digest.hexdigest()


def _is_empty(facts: Facts) -> bool:
    """No entity but documents: loading it would leave a graph with nothing to ask about."""
    return all(e.kind == "Document" for e in facts.entities)


def read_facts(data_dir: Path, schema: Schema | None = None, *, allow_empty: bool = False,
               allow_unchecked_quotes: bool = False, cache: Path | None = None) -> Facts:
    """Read every YAML file in `data_dir`; raise InvalidFacts listing every problem.

    An empty or near-empty folder (no entity besides documents) is refused unless
    `allow_empty`: a wrong `--data` must not quietly replace the graph with nothing.
    A folder whose Documents name texts but which has no `sources/` is refused unless
    `allow_unchecked_quotes` (then `facts.warnings` says the quotes were not checked).
    `cache`: a folder that keeps each clean file's checked facts (loaders/cache.py), so
    files that did not change since are not read again.
    """
    schema = schema or get_schema()
    allow = (allow_empty, allow_unchecked_quotes)
    files = FileCache(cache) if cache is not None else None
    try:
        return _read(Checker(schema, locate=False), data_dir, *allow, files)
    except Retry:
        return _read(Checker(schema), data_dir, *allow, None)


def _read_files(reader: Checker, files: list[Path], cache: FileCache | None) -> None:
    """Every file into `reader`: the lean pass of a big folder runs on every core, and
    a file the cache holds (unchanged since it was last read) is not read again."""
    if reader.locate or reader.schema is not get_schema():
        for path in files:
            reader.read_file(path, str(path))
        return
    results: list[LeanResult | None]
    if cache is None:
        results = list(_read_lean(files))
    else:
        results = []
        misses: list[int] = []
        for i, path in enumerate(files):
            try:
                data = read_regular(path)
            except Unreadable:
                raise Retry from None
            kept = cache.get(data, str(path))
            results.append(None if kept is None else (data, *kept))
            if kept is None:
                misses.append(i)
        for i, fresh in zip(misses, _read_lean([files[i] for i in misses]), strict=True):
            results[i] = fresh
            cache.put(fresh[0], fresh[1:])
    for path, result in zip(files, results, strict=True):
        assert result is not None  # every miss was read
        data, entities, relationships, declared = result
        digest_file(reader.digest, path, data)
        reader.facts.entities += entities
        reader.facts.relationships += relationships
        reader.declared += declared


def _read_lean(files: list[Path]) -> list[LeanResult]:
    """The lean pass over `files`, on every core when they are big enough; Retry on any
    problem (the located pass then reports it)."""
    results: list[LeanResult | None] | None = None
    if pool.worth_it(files):
        try:
            results = pool.read_lean(files, read_lean_file)
        except pool.Unavailable:
            pass
        else:
            if results is None:
                raise Retry
    if results is None:
        results = [read_lean_file(str(path)) for path in files]
    if any(r is None for r in results):
        raise Retry
    return results  # type: ignore[return-value]


def _read(reader: Checker, data_dir: Path, allow_empty: bool, allow_unchecked: bool,
          cache: FileCache | None) -> Facts:
    where = str(data_dir)
    try:
        files, ignored = list_data_files(data_dir)
    except NotADirectoryError:
        raise InvalidFacts([Problem(where, 0, "", "not a directory")]) from None
    except FileNotFoundError:
        raise InvalidFacts([Problem(where, 0, "", "no such directory")]) from None
    except OSError as err:
        raise InvalidFacts([Problem(where, 0, "", f"cannot list: {err.strerror or err}")]) from None
    for path, why in ignored:
        reader.problem(str(path), 0, "", why)
    if not files and not allow_empty:
        reader.problem(where, 0, "", "no *.yaml files; pass --allow-empty to load an empty graph")
    _read_files(reader, files, cache)
    reader.cross_check()
    if files:
        anchor_quotes(data_dir, reader.facts.entities, reader.facts.relationships,
                      reader.problem, reader.facts.warnings, allow_unchecked=allow_unchecked)
        digest_sources(reader.digest, data_dir)
    if files and not reader.problems and _is_empty(reader.facts) and not allow_empty:
        reader.problem(where, 0, "", f"no facts: {len(files)} file(s) but no entity besides "
                       "documents; pass --allow-empty to load an empty graph")
    if reader.problems:
        note = ""
        if reader.unread:
            note = (f"; references were not checked, since {len(reader.unread)} file(s) "
                    "could not be read")
        raise InvalidFacts(reader.problems, note=note)
    reader.facts.digest = reader.digest.hexdigest()
    return reader.facts


# -- writing: facts to the graph ----------------------------------------------------------------

@dataclass(frozen=True)
class Loaded:
    """How a load went ("full", "diff" or "unchanged") and, for a diff, what it changed."""

    how: str
    change: Change | None = None


def load_facts(
    facts: Facts,
    backend: GraphBackend,
    progress: Progress | None = None,
    schema: Schema | None = None,
    *,
    full: bool = True,
) -> str:
    """Make the graph hold exactly `facts`; say how: "full", "diff" or "unchanged"."""
    return load(facts, backend, progress, schema, full=full).how


def load(
    facts: Facts,
    backend: GraphBackend,
    progress: Progress | None = None,
    schema: Schema | None = None,
    *,
    full: bool = True,
    kept: Path | None = None,
    props: dict[str, Any] | None = None,
) -> Loaded:
    """Make the graph hold exactly `facts`; say how, and what a diff changed.

    `full=False` compares the facts with the graph's per-item digests and applies
    only the difference when the graph was loaded by this loader; a full load
    replaces the graph. `kept`: a file where the loaded graph's item digests are kept
    between loads (loaders/diff.py), so a reload reads them from there, not the graph.
    `props`: the new `_Meta` properties (`meta_props(facts)`), when the caller needs to
    know them (its load time) before the write.
    """
    schema = schema or get_schema()
    props = props or meta_props(facts)
    loaded: Loaded | None = None
    if not full:
        done = apply_diff(facts, backend, schema, props, progress, kept)
        if done is not None:
            loaded = Loaded(*done)
    if loaded is None:
        kinds = {e.id: e.kind for e in facts.entities}

        def build(writer: Writer) -> None:
            writer.create_indexes(index_labels(schema), ["id"])
            if backend.name in LIST_INDEX_ENGINES:  # the name lookups (graph/names.py)
                writer.create_indexes(index_labels(schema)[:-1], list(LIST_INDEXED))
            write_all(writer, schema, facts.entities, facts.relationships, kinds, progress)
            writer.run(META_STATEMENT, {"props": props})

        backend.replace_graph(build)
        loaded = Loaded("full")
        if kept is not None:
            keep_state(kept, facts_state(facts), props)
    return loaded


def loaded_digest(backend: GraphBackend) -> str | None:
    """The digest of the facts the graph was loaded from, or None when there is no graph."""
    digest = read_meta(backend).get("digest")
    return str(digest) if digest is not None else None


def loaded_meta_if_current(backend: GraphBackend, data: Path) -> dict[str, Any] | None:
    """The graph's `_Meta` when it was loaded from exactly the files in `data`, else None.

    Hashing the files is cheap: unchanged files need no parsing, validation or writes.
    Not when the folder holds names that would be ignored: reading it reports them.
    """
    if not data.is_dir() or list_data_files(data)[1]:
        return None
    meta = read_meta(backend)
    return meta if meta.get("digest") == facts_digest(data) else None
