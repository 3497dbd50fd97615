"""Each release's N-Triples dump and RDF Patch as files under `MIGKG_HOME/cache/releases`.

A file is named `<version>-<stamp>.<ext>`, the stamp hashing the release's digest, the
base IRI, the code version and the code the triples follow from: a release never
changes (its file is digest-checked), so its files are built once and served as they
are. Each is written to a temporary name beside it and renamed into place when
complete, so a reader never sees part of one; files of an older stamp of the same
version are removed when a new one is written.
"""

from __future__ import annotations

import contextlib
import hashlib
import threading
from collections.abc import Callable, Iterable
from pathlib import Path

from api.export_files import write_whole
from loaders.releases import Release, Releases
from migkg import __version__
from migkg.code import code_digest
from ontology.releases import dump_lines, patch_id, patch_rows

# The code a release's dump and patch follow from (as sparql/store.py's EXPORT_CODE).
RELEASE_CODE = ("ontology/export.py", "ontology/ntriples.py", "ontology/mapping.py",
                "ontology/vocab.py", "ontology/delta.py", "ontology/schema.yaml",
                "ontology/releases.py", "loaders/statements.py", "loaders/write.py")
_lock = threading.RLock()  # a patch builds the dumps it needs while holding it


def cache_dir(home: Path) -> Path:
    return home / "cache" / "releases"


def stamp(release: Release, base: str) -> str:
    key = "|".join([release.digest, base, __version__, code_digest(*RELEASE_CODE).hex()])
    return hashlib.sha256(key.encode()).hexdigest()[:16]


def etag(release: Release, base: str, extension: str) -> str:
    return f'"{release.version}-{stamp(release, base)}-{extension}"'


def _cached(home: Path, release: Release, base: str, extension: str,
            rows: Callable[[], Iterable[str]]) -> Path:
    folder = cache_dir(home)
    path = folder / f"{release.version}-{stamp(release, base)}.{extension}"
    if path.is_file():
        return path
    with _lock:  # one build at a time here; another process would rename the same bytes
        if path.is_file():
            return path
        write_whole(path, (row.encode("utf-8") for row in rows()))
        for old in folder.glob(f"{release.version}-*.{extension}"):
            if old != path:
                with contextlib.suppress(OSError):
                    old.unlink()
    return path


def dump_file(home: Path, releases: Releases, release: Release, base: str) -> Path:
    """The release's data triples as sorted N-Triples (ontology/releases.py's `dump_lines`)."""
    return _cached(home, release, base, "nt",
                   lambda: dump_lines(releases.snapshot(release.version).values(), base))


def _lines(path: Path) -> list[str]:
    with path.open(encoding="utf-8", newline="") as f:
        return f.readlines()


def _sha256(path: Path) -> str:
    with path.open("rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def patch_file(home: Path, releases: Releases, release: Release, base: str) -> Path:
    """The RDF Patch from the previous release's dump to this one's (from nothing for
    the first release); its `H id` and `H prev` name this patch and the previous one."""
    def rows() -> Iterable[str]:
        new = dump_file(home, releases, release, base)
        ident = patch_id(release.digest, _sha256(new))
        if release.previous is None:
            return patch_rows([], _lines(new), ident, None)
        before = releases.get(release.previous)
        old = dump_file(home, releases, before, base)
        return patch_rows(_lines(old), _lines(new), ident, patch_id(before.digest, _sha256(old)))

    return _cached(home, release, base, "rdfp", rows)
