"""The lean pass over many files at once: one process per core, for big data folders.

Parsing and validating a file is pure Python on libyaml's events, so threads would
not help; processes do, about in proportion to the cores. Each worker reads,
parses and checks one file with the lean reader and sends back the file's bytes
(the parent digests exactly what was checked) and its facts. Any problem, in any
file, makes the whole read fall back to the located pass, as in a single process.
Small folders (the curated data) are read in-process: starting workers costs more.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

MIN_BYTES = 32 * 2**20  # about 30,000 entities: below, starting workers costs more than they save
Result = tuple[bytes, list[Any], list[Any], list[tuple[str, str, str, int]]]


def worth_it(files: list[Path]) -> bool:
    if len(files) < 2 or (os.cpu_count() or 1) < 2:
        return False
    main = getattr(sys.modules.get("__main__"), "__file__", None)
    if main is not None and not os.path.exists(main):  # `python - <<EOF`: spawn cannot re-import it
        return False
    try:
        return sum(os.stat(p).st_size for p in files) >= MIN_BYTES
    except OSError:
        return False  # the in-process reader says what is wrong with the file


class Unavailable(Exception):
    """The workers could not run (no way to start them here): read in-process."""


def read_lean(files: list[Path]) -> list[Result] | None:
    """Every file's bytes and facts, in order; None when any file has a problem."""
    workers = min(os.cpu_count() or 1, len(files))
    try:
        # spawn, not fork: the caller may be a server with threads (migkg serve).
        with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn")) as pool:
            results = list(pool.map(_read_one, [str(p) for p in files]))
    except (OSError, RuntimeError) as err:  # BrokenProcessPool is a RuntimeError
        raise Unavailable(str(err)) from err
    return None if any(r is None for r in results) else results  # type: ignore[return-value]


def _read_one(path: str) -> Result | None:
    from graph.schema import get_schema
    from loaders.facts import _Reader
    from loaders.files import read_regular
    from loaders.yamlsource import parse

    reader = _Reader(get_schema(), locate=False)
    try:
        data = read_regular(Path(path))
        reader.read_doc(parse(data, locate=False), path)
    except Exception:  # noqa: BLE001 - _Retry or any other: the located pass reports it
        return None
    return data, reader.facts.entities, reader.facts.relationships, reader.declared
