"""The RDF dumps as files under `MIGKG_HOME/exports`, built once per graph digest.

A dump is written to a temporary file beside its final name and renamed into place,
so a reader sees a whole dump or none; the name is the dump's ETag (graph digest, load
time, base IRI, format, code version), so a new load makes new files and the old ones
are removed once more than `KEPT` are there. Served by Starlette's `FileResponse`,
which answers `Range` (206, `Accept-Ranges: bytes`) and `If-Range`.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import threading
from collections.abc import Callable, Iterable
from pathlib import Path

KEPT = 8  # dump files kept per home: every format of the current graph and a few older
_build_lock = threading.Lock()


def export_dir(home: Path) -> Path:
    return home / "exports"


def dump_file(home: Path, etag: str, extension: str, chunks: Callable[[], Iterable[bytes]]) -> Path:
    """The dump for `etag`, written from `chunks()` first when it is not there yet."""
    folder = export_dir(home)
    path = folder / f"{etag.strip(chr(34))}.{extension}"
    if path.is_file():
        return path
    with _build_lock:  # one build at a time: a dump is big, and two would race for the name
        if path.is_file():
            return path
        write_whole(path, chunks())
        _prune(folder)
    return path


def write_whole(path: Path, chunks: Iterable[bytes]) -> None:
    """Write `chunks` to a temporary file beside `path`, synced, then rename it into place:
    a reader sees the whole file or none. Readable by all (a dump is public)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as out:
            for chunk in chunks:
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(tmp, 0o644)  # mkstemp makes it private
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _prune(folder: Path) -> None:
    files = sorted((p for p in folder.iterdir() if p.is_file() and not p.name.startswith(".")),
                   key=lambda p: p.stat().st_mtime, reverse=True)
    for old in files[KEPT:]:
        with contextlib.suppress(OSError):
            old.unlink()
