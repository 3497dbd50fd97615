"""Writing a command's output (`-o TARGET`) without replacing what is not a regular file.

- `-` is stdout.
- A device, FIFO or other non-regular file (`/dev/null`, `/dev/stdout`, a named
  pipe) is opened and written directly: it is never replaced.
- A regular file, or a new name, is written to a temporary file beside it and
  renamed into place when complete, so a failed export never leaves a truncated
  file. The replaced file keeps its permission bits.
- A symlink is followed: its target is what gets written (or replaced), and the
  link stays. A dangling link writes a new file at its target; a loop is refused.
  A link that resolving by name does not reproduce (`/dev/stdout`, `/proc/self/fd/N`
  onto a file) is written directly, appending, as a shell's `>>` would.
- A directory, a socket or a folder that does not exist is refused, with one line,
  before any work is done.

Bytes are written to the file descriptor itself, so a write that fails (a full disk,
`/dev/full`, a FIFO whose reader left) is a `CannotWrite` that says how many bytes had
gone out; a regular file is then left as it was. Only stdout whose reader left (`| head`)
is not an error, as for any Unix tool: `BrokenPipeError` goes up to `cli.main`, which
stops quietly, and `abandon_stdout` makes sure nothing more is tried at exit.
"""

from __future__ import annotations

import errno
import io
import os
import stat
import sys
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from migkg.exc import MigkgError


class CannotWrite(MigkgError):
    status, title, slug = 400, "Cannot write output", "cannot-write"


@dataclass(frozen=True)
class Target:
    """Where output goes: stdout, a path written directly, or a path replaced atomically."""

    path: Path | None  # None for stdout
    direct: bool
    mode: int | None = None  # permission bits of the regular file being replaced
    append: bool = False  # a regular file written directly: never truncate it


def resolve_target(output: str) -> Target:
    """Decide how to write `output`; raise CannotWrite when it cannot be written."""
    if output == "-":
        return Target(None, direct=True)
    given = Path(output)
    try:
        st: os.stat_result | None = os.stat(given)  # follows links as open() would
    except FileNotFoundError:
        st = None
    except OSError as err:
        if err.errno == errno.ELOOP:
            raise CannotWrite(f"{output}: symlink loop") from None
        raise CannotWrite(f"{output}: {err.strerror or err}") from None
    if st is not None and not stat.S_ISREG(st.st_mode):
        if stat.S_ISDIR(st.st_mode):
            raise CannotWrite(f"{output}: is a directory")
        if stat.S_ISSOCK(st.st_mode):
            raise CannotWrite(f"{output}: is a socket")
        return Target(given, direct=True)  # character or block device, FIFO
    path = Path(os.path.realpath(given))  # through any symlink: the link itself stays
    if st is not None and not _same_file(st, path):
        return Target(given, direct=True, append=True)  # a /proc "magic" link
    if st is None and not path.parent.is_dir():
        what = "is not a folder" if path.parent.exists() else "does not exist"
        raise CannotWrite(f"{output}: folder {path.parent} {what}")
    return Target(path, direct=False, mode=None if st is None else stat.S_IMODE(st.st_mode))


def _same_file(st: os.stat_result, path: Path) -> bool:
    try:
        return os.path.samestat(st, os.stat(path))
    except OSError:
        return False


class _WriteFailed(Exception):
    """A write itself failed (not the producer of the chunks): `err` says why."""

    def __init__(self, err: OSError) -> None:
        super().__init__(err)
        self.err = err


class _Sink:
    """A file descriptor written whole, counting the bytes it took."""

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self.written = 0

    def write_all(self, chunks: Iterable[bytes]) -> int:
        for chunk in chunks:  # an error of the producer passes through as it is
            view = memoryview(chunk)
            try:
                while view:
                    n = os.write(self.fd, view)
                    self.written += n
                    view = view[n:]
            except OSError as err:
                raise _WriteFailed(err) from None
        return self.written


def _failed(output: str, err: OSError, written: int, after: str = "") -> CannotWrite:
    why = ("the reader closed it" if err.errno == errno.EPIPE
           else err.strerror or str(err))
    return CannotWrite(f"{output}: {why} after {written:,} bytes were written{after}")


def abandon_stdout() -> None:
    """Point stdout at /dev/null: what Python still holds for it is dropped at exit.

    Without it, the interpreter's last flush into a closed pipe prints
    `Exception ignored ... BrokenPipeError` on stderr.
    """
    try:
        fd = sys.stdout.fileno()
    except (AttributeError, ValueError, io.UnsupportedOperation):
        return  # not a real file: nothing is flushed at exit
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, fd)
    finally:
        os.close(devnull)


def _to_stdout(chunks: Iterable[bytes]) -> int:
    try:
        sys.stdout.flush()
        fd = sys.stdout.fileno()
    except (AttributeError, ValueError, io.UnsupportedOperation):  # replaced (a test's capture)
        size = 0
        for chunk in chunks:
            sys.stdout.buffer.write(chunk)
            size += len(chunk)
        return size
    sink = _Sink(fd)
    try:
        return sink.write_all(chunks)
    except _WriteFailed as failed:
        abandon_stdout()
        if isinstance(failed.err, BrokenPipeError):  # the reader left: cli.main stops quietly
            raise failed.err from None
        raise _failed("stdout", failed.err, sink.written) from None


def write_output(chunks: Iterable[bytes], output: str) -> int:
    """Write chunks to `output` as they come (see the module docstring); return the size.

    Raise CannotWrite, saying how many bytes were written, when a write fails.
    """
    target = resolve_target(output)
    if target.path is None:
        return _to_stdout(chunks)
    path = target.path
    try:
        if target.direct:
            # No O_CREAT, no O_TRUNC: a device or pipe is written, never made or emptied.
            flags = os.O_WRONLY | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0)
            fd = os.open(path, flags | (os.O_APPEND if target.append else 0))
        else:
            fd, partial = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.",
                                           suffix=".partial")
    except OSError as err:
        raise CannotWrite(f"{output}: {err.strerror or err}") from None
    sink = _Sink(fd)
    if target.direct:
        try:
            return sink.write_all(chunks)
        except _WriteFailed as failed:  # a FIFO's reader left, a full device: never quiet
            raise _failed(output, failed.err, sink.written) from None
        finally:
            os.close(fd)
    try:
        try:
            size = sink.write_all(chunks)
        except _WriteFailed as failed:
            raise _failed(output, failed.err, sink.written, f"; {output} is unchanged") from None
        finally:
            os.close(fd)
        try:
            os.chmod(partial, target.mode if target.mode is not None else 0o666 & ~_umask())
            os.replace(partial, path)
        except OSError as err:
            raise CannotWrite(f"{output}: {err.strerror or err}") from None
    finally:
        Path(partial).unlink(missing_ok=True)
    return size


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
