"""Each data file's checked facts, kept by the digest of what they depend on: read only what changed.

An entry is the lean pass's result for one file (loaders/check.py's `read_lean_file`:
its entities, relationships and declared ids, before quotes are anchored), kept in
`MIGKG_HOME/cache/files/` under a digest of the file's bytes, the schema and the
code that reads and checks them. So a file that did not change is not parsed or
validated again, wherever it sits; the checks across files (references, duplicates,
quotes against their texts) still run over everything.

`read_entry` / `write_entry` keep any plain value this way (loaders/diff.py keeps
the loaded graph's item digests with them). Entries are `marshal`led plain values
(no code runs when one is read), behind a digest of their payload: a truncated or
corrupt entry fails the digest and is read again from its file, never trusted. Only clean files are kept (a file with a
problem is read by the located pass, for its message). Entries unused for
`KEEP_DAYS` are removed as new ones are written.
"""

from __future__ import annotations

import hashlib
import marshal
import os
import secrets
import time
from pathlib import Path
from typing import Any

from loaders.facts import NO_LINES, Entity, Relationship
from migkg.code import code_digest

MAGIC = b"migkg-facts-2\n"
DIGEST_SIZE = 32
KEEP_DAYS = 7
# The schema and the code that reads and checks a file: an entry is valid only for them.
_CODE = ("ontology/schema.yaml", "loaders/check.py", "loaders/models.py", "loaders/yamlsource.py",
         "loaders/facts.py", "loaders/cache.py")

Declared = tuple[str, str, str, int]
Read = tuple[list[Entity], list[Relationship], list[Declared]]


def _plain(read: Read) -> Any:
    entities, rels, declared = read
    return (
        [(e.kind, e.id, e.props, e.sources, e.line) for e in entities],
        [(r.type, r.source, r.target, r.props, r.sources, r.line, r.key) for r in rels],
        [(ident, kind, line) for ident, kind, _, line in declared],
    )


def _facts(plain: Any, name: str) -> Read:
    entities, rels, declared = plain
    return (
        [Entity(kind, ident, props, sources, name, line, NO_LINES)
         for kind, ident, props, sources, line in entities],
        [Relationship(rtype, source, target, props, sources, name, line, NO_LINES, key)
         for rtype, source, target, props, sources, line, key in rels],
        [(ident, kind, name, line) for ident, kind, line in declared],
    )


def read_entry(path: Path) -> Any:
    """The value kept at `path`, or None when there is none or it is not whole (then it is
    removed)."""
    try:
        raw = path.read_bytes()
        head, digest = raw[:len(MAGIC)], raw[len(MAGIC):len(MAGIC) + DIGEST_SIZE]
        payload = raw[len(MAGIC) + DIGEST_SIZE:]
        if head != MAGIC or hashlib.blake2b(payload, digest_size=DIGEST_SIZE).digest() != digest:
            raise ValueError("not a whole entry")
        return marshal.loads(payload)  # noqa: S302 - our own entry, digest-checked
    except FileNotFoundError:
        return None
    except (OSError, ValueError, EOFError, TypeError):
        path.unlink(missing_ok=True)
        return None


def write_entry(path: Path, value: Any) -> bool:
    """Keep `value` (plain data) at `path`, replaced atomically; False when it could not be."""
    payload = marshal.dumps(value)
    blob = MAGIC + hashlib.blake2b(payload, digest_size=DIGEST_SIZE).digest() + payload
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}")
        tmp.write_bytes(blob)
        os.replace(tmp, path)  # a reader sees the old entry or the new one
    except OSError:
        return False
    return True


class FileCache:
    """The checked facts of data files, by the digest of each file's bytes."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.hits = self.misses = 0
        self._pruned = False

    def _path(self, data: bytes) -> Path:
        key = hashlib.blake2b(data, digest_size=DIGEST_SIZE, key=code_digest(*_CODE)).hexdigest()
        return self.root / f"{key}.facts"

    def get(self, data: bytes, name: str) -> Read | None:
        """The facts of a file with these bytes, named `name`; None when not kept (or not
        whole: then the file is read again)."""
        path = self._path(data)
        plain = read_entry(path)
        try:
            read = None if plain is None else _facts(plain, name)
        except (TypeError, ValueError):  # whole, but not of this shape
            read = None
        if read is None:
            self.misses += 1
            return None
        self.hits += 1
        try:
            os.utime(path)  # recently used: kept
        except OSError:
            pass
        return read

    def put(self, data: bytes, read: Read) -> None:
        """Keep a clean file's facts; a failure to write only costs the next read."""
        if write_entry(self._path(data), _plain(read)) and not self._pruned:
            self._pruned = True  # once per read of a folder, not once per file
            self._prune()

    def _prune(self) -> None:
        horizon = time.time() - KEEP_DAYS * 86400
        for entry in self.root.glob("*.facts"):
            try:
                if entry.stat().st_mtime < horizon:
                    entry.unlink()
            except OSError:
                continue
