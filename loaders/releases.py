"""Releases: the facts as they stood, kept with the data, and what changed between them.

A release is one file in the data folder's `releases/`, `<version>.jsonl`: a header
line, then the statements (loaders/statements.py) it added (`"op": "+"`) and removed
(`"op": "-"`) against the release before it, sorted by entity. The first release adds
everything. So a release costs what changed, a fresh clone has the whole history, and
`git diff` of a release reads as its change.

The header says the version, the date, the previous version, the facts' digest, the
digest of the whole statement snapshot (checked whenever the chain is replayed), the
counts, the notes and the data folder. Its `digest` covers the header and every line
after it: a corrupt or hand-edited file is refused, naming its path. A file of a newer
`format` than this code reads is refused too.

The releases form one chain (each names its previous); `index()` orders them. The
snapshot of a release is the chain replayed up to it; `changes(since, until)` composes
only the deltas between the two; `history()` gives each statement the first and the
last release it appeared in.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import re
import secrets
import threading
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import orjson

from graph.schema import SCHEMA_PATH, Schema
from loaders.facts import Facts
from loaders.statements import Statement, facts_statements
from migkg.exc import InvalidValue, MigkgError, NotFound

FORMAT = 1  # the statement schema of release files this code reads and writes
FOLDER = "releases"
SUFFIX = ".jsonl"
VERSION = re.compile(r"^[0-9A-Za-z][0-9A-Za-z._+-]{0,39}$")
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
MAX_NOTES = 2000
MAX_FILE_BYTES = 1 << 30


class BadRelease(MigkgError):
    """A release file that is corrupt, hand-edited, of a newer format or out of its chain."""

    status, title, slug = 500, "Bad release file", "bad-release"


class ReleaseRefused(MigkgError):
    """A release that cannot be recorded (its version exists, its facts do not validate)."""

    status, title, slug = 409, "Release refused", "release-refused"


@dataclass(frozen=True)
class Release:
    version: str
    date: str
    previous: str | None
    facts_digest: str
    snapshot_digest: str
    statements: int
    added: int
    removed: int
    notes: str
    data: str
    recorded_at: str
    digest: str
    path: Path = field(compare=False)

    def describe(self) -> dict[str, Any]:
        """The header's public members (what `/v1/releases` and `migkg releases` show)."""
        return {"version": self.version, "date": self.date, "previous": self.previous,
                "statements": self.statements, "added": self.added, "removed": self.removed,
                "facts_digest": self.facts_digest, "digest": self.digest, "notes": self.notes,
                "recorded_at": self.recorded_at}


def folder(data_dir: Path) -> Path:
    return data_dir / FOLDER


def _digest_of(header: Mapping[str, Any], body: bytes) -> str:
    head = json.dumps({k: v for k, v in header.items() if k != "digest"}, sort_keys=True,
                      ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(head.encode() + b"\n" + body).hexdigest()


def snapshot_digest(ids: Iterable[str]) -> str:
    digest = hashlib.sha256()
    for ident in sorted(ids):
        digest.update(ident.encode() + b"\n")
    return digest.hexdigest()


def _line(op: str, statement: Mapping[str, Any]) -> bytes:
    body = {"op": op, "id": statement["id"], **{k: v for k, v in statement.items()
                                                  if k not in ("op", "id")}}
    return orjson.dumps(body) + b"\n"


def _order(statement: Mapping[str, Any]) -> tuple[str, str]:
    """A release lists statements by entity (then by id): a diff reads entity by entity."""
    return (statement["entity"], statement["id"])


@dataclass
class _Read:
    release: Release
    added: list[Statement]
    removed: list[Statement]


def _read_file(path: Path) -> _Read:
    """One release file, whole and checked; BadRelease naming the path otherwise."""
    def bad(why: str) -> BadRelease:
        return BadRelease(f"{path}: {why}; restore it from version control (git checkout -- "
                          f"{path.name}) or remove it and the releases after it")

    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise bad("larger than a release file may be")
        raw = path.read_bytes()
    except OSError as err:
        raise bad(f"cannot read ({err.strerror or err})") from None
    first, _, body = raw.partition(b"\n")
    try:
        header = json.loads(first)
        if not isinstance(header, dict):
            raise ValueError("not an object")
    except ValueError:
        raise bad("line 1 is not a release header") from None
    fmt = header.get("format")
    if not isinstance(fmt, int) or fmt > FORMAT:
        raise BadRelease(f"{path}: release format {fmt!r} is newer than this migkg reads "
                         f"({FORMAT}); upgrade migkg to read it")
    if header.get("digest") != _digest_of(header, body):
        raise bad("its digest does not match its content (corrupt or edited by hand)")
    added: list[Statement] = []
    removed: list[Statement] = []
    for n, line in enumerate(body.splitlines(), start=2):
        try:
            item = orjson.loads(line)
            op = item.pop("op")
        except (orjson.JSONDecodeError, KeyError, AttributeError):
            raise bad(f"line {n} is not a statement") from None
        (added if op == "+" else removed).append(item)
    try:
        release = Release(
            str(header["version"]), str(header["date"]), header.get("previous"),
            str(header["facts_digest"]), str(header["snapshot_digest"]),
            int(header["statements"]), int(header["added"]), int(header["removed"]),
            str(header.get("notes") or ""), str(header.get("data") or ""),
            str(header.get("recorded_at") or ""), str(header["digest"]), path)
    except (KeyError, TypeError, ValueError) as err:
        raise bad(f"its header lacks {err}") from None
    if f"{release.version}{SUFFIX}" != path.name:
        raise bad(f"it holds release {release.version!r}, not the one its name says")
    return _Read(release, added, removed)


class Releases:
    """The releases of one data folder, read once per change of its files (thread-safe)."""

    def __init__(self, data_dir: Path) -> None:
        self.root = folder(data_dir)
        self._lock = threading.RLock()
        self._seen: Any = None  # the stamp of the files last read
        self._chain: list[_Read] = []
        self._snapshots: dict[str, dict[str, Statement]] = {}
        self._history: dict[str, tuple[str, str]] | None = None

    # -- reading -------------------------------------------------------------------------

    def _files(self) -> list[Path]:
        try:
            return sorted(p for p in self.root.iterdir()
                          if p.name.endswith(SUFFIX) and not p.name.startswith("."))
        except (FileNotFoundError, NotADirectoryError):
            return []

    def _stamp(self, files: list[Path]) -> list[tuple[str, int, int]]:
        stamp = []
        for path in files:
            with contextlib.suppress(OSError):
                st = path.stat()
                stamp.append((path.name, st.st_mtime_ns, st.st_size))
        return stamp

    def stamp(self) -> str:
        """A short text that changes whenever a release file does (caches key on it)."""
        text = repr(self._stamp(self._files())).encode()
        return hashlib.blake2b(text, digest_size=8).hexdigest()

    def _refresh(self) -> list[_Read]:
        files = self._files()
        stamp = self._stamp(files)
        with self._lock:
            if stamp != self._seen:
                self._chain = _chained([_read_file(p) for p in files])
                self._seen = stamp
                self._snapshots.clear()
                self._history = None
            return self._chain

    def index(self) -> list[Release]:
        """Every release, oldest first."""
        return [r.release for r in self._refresh()]

    def versions(self) -> list[str]:
        return [r.version for r in self.index()]

    def get(self, ref: str, parameter: str = "version") -> Release:
        """The release of version `ref`, or for a date the latest release on or before it."""
        releases = self.index()
        for r in releases:
            if r.version == ref:
                return r
        if DATE.match(ref):
            try:
                date.fromisoformat(ref)
            except ValueError:
                raise InvalidValue(parameter, ref, detail=(
                    f"{parameter}: {ref!r} is neither a release nor a date; give a version "
                    f"({', '.join(r.version for r in releases) or 'none recorded yet'}) or a "
                    "date as YYYY-MM-DD, e.g. 2026-12-07"),
                    example="2026-12-07", versions=[r.version for r in releases]) from None
            on_or_before = [r for r in releases if r.date <= ref]
            if on_or_before:
                return on_or_before[-1]
            raise NotFound(f"no release on or before {ref}"
                           + (f"; the first is {releases[0].version} of {releases[0].date}"
                              if releases else "; none has been recorded"),
                           versions=[r.version for r in releases])
        raise NotFound(f"no release {ref!r}; " + (
            f"the releases are {', '.join(r.version for r in releases)}" if releases
            else "none has been recorded (`migkg release --version V`)"),
            versions=[r.version for r in releases])

    def latest(self) -> Release | None:
        releases = self.index()
        return releases[-1] if releases else None

    def snapshot(self, version: str) -> dict[str, Statement]:
        """Every statement of release `version` by id: the chain replayed up to it, and
        checked against the release's snapshot digest."""
        chain = self._refresh()
        with self._lock:
            found = self._snapshots.get(version)
            if found is not None:
                return found
            state: dict[str, Statement] = {}
            for read in chain:
                for s in read.removed:
                    state.pop(s["id"], None)
                for s in read.added:
                    state[s["id"]] = s
                if read.release.version == version:
                    break
            else:
                raise NotFound(f"no release {version!r}")
            if snapshot_digest(state) != read.release.snapshot_digest:
                raise BadRelease(f"{read.release.path}: the releases up to it do not give its "
                                 "statements (a file of the chain was changed)")
            if len(self._snapshots) >= 4:
                self._snapshots.pop(next(iter(self._snapshots)))
            self._snapshots[version] = state
            return state

    def delta(self, version: str) -> tuple[list[Statement], list[Statement]]:
        """The statements release `version` added and removed against the one before it."""
        for read in self._refresh():
            if read.release.version == version:
                return read.added, read.removed
        raise NotFound(f"no release {version!r}")

    def between(self, since: str, until: str) -> tuple[dict[str, Statement], dict[str, Statement]]:
        """The statements added and removed from release `since` to release `until`
        (composed from the deltas between them: it costs what changed)."""
        chain = self._refresh()
        order = [r.release.version for r in chain]
        i, j = order.index(since), order.index(until)
        if i > j:
            raise InvalidValue("until", until, [v for v in order[i:]], detail=(
                f"until: {until} comes before since ({since}); give a release from {since} on: "
                f"{', '.join(order[i:])}"))
        added: dict[str, Statement] = {}
        removed: dict[str, Statement] = {}
        for read in chain[i + 1 : j + 1]:
            for s in read.removed:
                if added.pop(s["id"], None) is None:
                    removed[s["id"]] = s
            for s in read.added:
                if removed.pop(s["id"], None) is None:
                    added[s["id"]] = s
        return added, removed

    def history(self) -> dict[str, tuple[str, str]]:
        """Each statement id ever released: the first and the last release it was in."""
        chain = self._refresh()
        with self._lock:
            if self._history is not None:
                return self._history
            first: dict[str, str] = {}
            last: dict[str, str] = {}
            live: set[str] = set()
            previous = None
            for read in chain:
                version = read.release.version
                for s in read.removed:
                    live.discard(s["id"])
                    if previous is not None:
                        last[s["id"]] = previous
                for s in read.added:
                    first.setdefault(s["id"], version)
                    live.add(s["id"])
                previous = version
            for ident in live:
                last[ident] = str(previous)
            self._history = {ident: (v, last.get(ident, v)) for ident, v in first.items()}
            return self._history

    # -- writing -------------------------------------------------------------------------

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        """One `release` at a time per data folder (a second waits for the first)."""
        self.root.mkdir(parents=True, exist_ok=True)
        with open(self.root / ".lock", "a+") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def record(self, version: str, facts: Facts, schema: Schema, *, notes: str = "",
               when: str | None = None, data: str = "") -> Release:
        """Record the facts as release `version`: refused, with nothing written, when the
        version exists or is not a plain name."""
        if not VERSION.match(version):
            raise ReleaseRefused(f"version {version!r} is not a plain name (letters, digits, "
                                 "'.', '_', '+' or '-', at most 40, starting with a letter "
                                 "or digit)")
        if len(notes) > MAX_NOTES:
            raise ReleaseRefused(f"notes of {len(notes)} characters: at most {MAX_NOTES}")
        day = when or datetime.now(UTC).date().isoformat()
        if not DATE.match(day):
            raise ReleaseRefused(f"date {day!r} is not YYYY-MM-DD")
        statements = {s["id"]: s for s in facts_statements(facts, schema)}
        with self._locked():
            releases = self.index()  # read again under the lock: another may have written
            if any(r.version == version for r in releases):
                raise ReleaseRefused(f"release {version} exists already "
                                     f"({self.root / (version + SUFFIX)}); choose another version")
            previous = releases[-1] if releases else None
            if previous is not None and day < previous.date:
                raise ReleaseRefused(f"date {day} is before the latest release's "
                                     f"({previous.version} of {previous.date})")
            before = self.snapshot(previous.version) if previous else {}
            added = sorted((s for i, s in statements.items() if i not in before), key=_order)
            removed = sorted((s for i, s in before.items() if i not in statements), key=_order)
            body = b"".join([*(_line("-", s) for s in removed),
                             *(_line("+", s) for s in added)])
            header: dict[str, Any] = {
                "format": FORMAT, "version": version, "date": day,
                "previous": previous.version if previous else None,
                "facts_digest": facts.digest, "snapshot_digest": snapshot_digest(statements),
                "statements": len(statements), "added": len(added), "removed": len(removed),
                "notes": notes, "data": data,
                "schema_sha256": hashlib.sha256(SCHEMA_PATH.read_bytes()).hexdigest(),
                "recorded_at": datetime.now(UTC).isoformat(timespec="seconds"),
            }
            header["digest"] = _digest_of(header, body)
            path = self.root / f"{version}{SUFFIX}"
            tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}")
            try:
                tmp.write_bytes(json.dumps(header, ensure_ascii=False, sort_keys=True,
                                           separators=(",", ":")).encode() + b"\n" + body)
                os.replace(tmp, path)
            finally:
                tmp.unlink(missing_ok=True)
            return self.get(version)


def _chained(reads: list[_Read]) -> list[_Read]:
    """The releases in chain order: the first has no previous, each next names the one
    before; a fork or a gap is a BadRelease naming the file."""
    by_previous: dict[str | None, _Read] = {}
    for read in reads:
        prev = read.release.previous
        if prev in by_previous:
            other = by_previous[prev].release.path
            raise BadRelease(f"{read.release.path}: it and {other} both follow "
                             f"{prev or 'nothing'}; the releases must form one chain")
        by_previous[prev] = read
    chain: list[_Read] = []
    nxt = by_previous.get(None)
    while nxt is not None:
        chain.append(nxt)
        nxt = by_previous.get(nxt.release.version)
    if len(chain) != len(reads):
        lost = sorted({r.release.path.name for r in reads} - {r.release.path.name for r in chain})
        raise BadRelease(f"{folder_of(reads)}: {', '.join(lost)} do not follow from the first "
                         "release; the releases must form one chain")
    return chain


def folder_of(reads: list[_Read]) -> Path:
    return reads[0].release.path.parent if reads else Path(FOLDER)
