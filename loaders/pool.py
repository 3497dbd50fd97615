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
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import TypeVar

MIN_BYTES = 32 * 2**20  # about 30,000 entities: below, starting workers costs more than they save
R = TypeVar("R")


def can_spawn() -> bool:
    """Whether worker processes can be spawned here: more than one core, and a main module
    they can import again (not `python - <<EOF`)."""
    if (os.cpu_count() or 1) < 2:
        return False
    main = getattr(sys.modules.get("__main__"), "__file__", None)
    return main is None or os.path.exists(main)


def worth_it(files: list[Path]) -> bool:
    if len(files) < 2 or not can_spawn():
        return False
    try:
        return sum(os.stat(p).st_size for p in files) >= MIN_BYTES
    except OSError:
        return False  # the in-process reader says what is wrong with the file


class Unavailable(Exception):
    """The workers could not run (no way to start them here): read in-process."""


def read_lean(files: list[Path], read_one: Callable[[str], R | None]) -> list[R] | None:
    """`read_one(path)` of every file, in order, one worker process per core; None when any
    file has a problem (`read_one` gave None). `read_one` is a module-level function,
    so that spawned workers can import it (loaders/check.py's `read_lean_file`)."""
    workers = min(os.cpu_count() or 1, len(files))
    try:
        # spawn, not fork: the caller may be a server with threads (migkg serve).
        with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn")) as pool:
            results = list(pool.map(read_one, [str(p) for p in files]))
    except (OSError, RuntimeError) as err:  # BrokenProcessPool is a RuntimeError
        raise Unavailable(str(err)) from err
    return None if any(r is None for r in results) else results  # type: ignore[return-value]

