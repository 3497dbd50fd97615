"""The files of a data folder, and reading one of them without trusting it.

Only regular files are read. A directory, FIFO, device or socket named `*.yaml`,
a dangling symlink or a symlink loop is refused with a clear message, decided by
`os.stat` before anything is opened; the file is then opened non-blocking and
checked again on its descriptor, so nothing swapped in between can block a read.
Sizes are bounded.
"""

from __future__ import annotations

import errno
import os
import re
import stat
from pathlib import Path

SUFFIXES = (".yaml", ".yml")
MAX_FILE_BYTES = 64 * 2**20
# A name that looks like facts but would not be read: routes.YAML, x.yaml.bak, x.yaml~
_LOOKS_LIKE_YAML = re.compile(r"\.ya?ml", re.IGNORECASE)
_KINDS = {stat.S_IFDIR: "a directory", stat.S_IFIFO: "a FIFO", stat.S_IFSOCK: "a socket",
          stat.S_IFCHR: "a character device", stat.S_IFBLK: "a block device"}


class Unreadable(Exception):
    """A data file that cannot be read, with a one-line reason."""


def list_data_files(data_dir: Path) -> tuple[list[Path], list[tuple[Path, str]]]:
    """The data files of `data_dir` (sorted) and the names it holds that look like data
    but would be ignored, with why. Hidden names (`.x.yaml.swp`) are skipped."""
    files: list[Path] = []
    ignored: list[tuple[Path, str]] = []
    for name in sorted(os.listdir(data_dir)):
        if name.startswith("."):
            continue
        path = data_dir / name
        if name.endswith(SUFFIXES):
            files.append(path)
        elif _LOOKS_LIKE_YAML.search(name):
            ignored.append((path, "not read: data files must end in .yaml or .yml, in lower "
                                  "case; rename it or move it out of the data folder"))
    return files, ignored


def _refusal(path: Path, err: OSError) -> str:
    if err.errno == errno.ELOOP:
        return "symlink loop: cannot be resolved to a file"
    if err.errno == errno.ENOENT and path.is_symlink():
        return f"dangling symlink to {os.readlink(path)!r}: its target does not exist"
    if err.errno == errno.ENOENT:
        return "no such file (removed while reading?)"
    return f"cannot read: {err.strerror or err}"


def _check_regular(mode: int, size: int) -> None:
    if not stat.S_ISREG(mode):
        kind = _KINDS.get(stat.S_IFMT(mode), "not a regular file")
        raise Unreadable(f"{kind}, not a regular file: only regular files are read")
    if size > MAX_FILE_BYTES:
        raise Unreadable(f"{size} bytes: larger than the {MAX_FILE_BYTES // 2**20} MiB a data "
                         "file may hold")


def read_regular(path: Path) -> bytes:
    """The bytes of `path` if it is (or links to) a regular file within the size bound."""
    try:
        st = os.stat(path)
    except OSError as err:
        raise Unreadable(_refusal(path, err)) from None
    _check_regular(st.st_mode, st.st_size)
    flags = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NOCTTY", 0)
    try:
        fd = os.open(path, flags)
    except OSError as err:
        raise Unreadable(_refusal(path, err)) from None
    try:
        st = os.fstat(fd)  # the file actually opened, in case the name was swapped
        _check_regular(st.st_mode, st.st_size)
        chunks: list[bytes] = []
        size = 0
        while chunk := os.read(fd, 1 << 20):
            size += len(chunk)
            if size > MAX_FILE_BYTES:
                raise Unreadable(f"grew beyond the {MAX_FILE_BYTES // 2**20} MiB a data file may hold")
            chunks.append(chunk)
        return b"".join(chunks)
    except OSError as err:
        raise Unreadable(_refusal(path, err)) from None
    finally:
        os.close(fd)
