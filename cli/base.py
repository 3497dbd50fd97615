"""What the command modules share: exit codes, one way to add a subcommand with its
examples, argument checks, the settings, and the one answer for a graph not loaded yet."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NoReturn

from cli.render import FORMATS
from migkg.exc import MigkgError
from migkg.settings import Settings, get_settings

EXIT_OK, EXIT_BAD_INPUT, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130

Subparsers = Any  # argparse's _SubParsersAction is private
Example = tuple[str, str]  # a command line (without `migkg `) and what it does


class Parser(argparse.ArgumentParser):
    """An argument parser that knows its examples (`--help` ends with them)."""

    def __init__(self, *args: Any, examples: Sequence[Example] = (), **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", argparse.RawDescriptionHelpFormatter)
        super().__init__(*args, **kwargs)
        self.examples = list(examples)
        if self.examples and self.epilog is None:
            self.epilog = "examples:\n" + examples_text(self.examples)

    def error(self, message: str) -> NoReturn:
        """A usage error in one line, as every other error (exit 2)."""
        self.exit(EXIT_USAGE, f"{self.prog}: {message} (`{self.prog} --help` shows the usage)\n")


def examples_text(examples: Sequence[Example], indent: str = "  ") -> str:
    """`  migkg load --full   # rebuild the whole graph` lines, the comments aligned; each
    comment on the line above its command when that would pass 80 columns."""
    lines = [f"migkg {line}" for line, _ in examples]
    width = max(map(len, lines))
    if len(indent) + width + 4 + max(len(what) for _, what in examples) <= 80:
        return "\n".join(f"{indent}{line:<{width}}  # {what}".rstrip(" #")
                         for line, (_, what) in zip(lines, examples, strict=True))
    return "\n".join((f"{indent}# {what}\n" if what else "") + f"{indent}{line}"
                     for line, (_, what) in zip(lines, examples, strict=True))


def tcp_port(text: str) -> int:
    """An argparse `type=` for a TCP port: 1 to 65535 (a usage error otherwise)."""
    if not text.isdigit() or not 1 <= int(text) <= 65535:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port: give a number from 1 to 65535")
    return int(text)


def folder(text: str) -> Path:
    """An argparse `type=` for `--data`: a folder; one that does not exist yet is said
    later, by the command that reads it (`sources add` creates it)."""
    path = Path(text)
    if path.exists() and not path.is_dir():
        raise argparse.ArgumentTypeError(f"{text} is a file, not a folder of YAML facts")
    return path


class PlainError(MigkgError):
    """An error whose detail says it all: printed as `migkg COMMAND: detail`."""


class NoGraph(PlainError):
    """Nothing loaded yet where the settings point."""

    status, title, slug = 503, "No graph loaded yet", "not-loaded"


class BadSetting(PlainError):
    """A setting that names something unusable (a file for a folder), as pydantic's are said."""

    status, title, slug = 400, "Bad setting", "bad-setting"


def no_graph(settings: Settings) -> NoGraph:
    """The one answer for every command that reads a graph that was never loaded.

    The commands do not load data/ themselves: a read that writes would surprise, a
    load takes over the engine and checks every fact, and on Neo4j it would write to
    a shared database (docs/cli.md, "A graph not loaded yet").
    """
    if settings.backend == "neo4j":
        where = f"Neo4j database {settings.neo4j_database!r} at {settings.neo4j_uri}"
    else:
        where = f"graph {settings.graph!r} in MIGKG_HOME {settings.home}"
    return NoGraph(f"no graph loaded yet: run `migkg load` ({where} is not loaded)")


def require_graph(backend: Any, settings: Settings) -> None:
    """Raise NoGraph unless `backend` holds a loaded graph."""
    if not backend.exists():
        raise no_graph(settings)


def add_command(sub: Subparsers, name: str, fn: Callable[[argparse.Namespace], int], help_: str, *,
                backend: bool = False, data: bool = False, fmt: bool = False,
                quotes: bool = False, examples: Sequence[Example] = ()) -> argparse.ArgumentParser:
    """A subcommand with only the options that apply to it (`quotes`: it reads the facts),
    its `--help` ending with `examples` (the first is also listed by `migkg --help`)."""
    p: argparse.ArgumentParser = sub.add_parser(name, help=help_, description=help_,
                                                examples=examples)
    p.set_defaults(fn=fn)
    if backend:
        p.add_argument("--backend", choices=["embedded", "neo4j"],
                       help="graph engine (default: MIGKG_BACKEND or embedded)")
    if data:
        p.add_argument("--data", type=folder, metavar="DIR",
                       help="folder of YAML facts (default: MIGKG_DATA or data/)")
    if quotes:
        p.add_argument("--allow-unchecked-quotes", action="store_true",
                       help="read a folder with no sources/ texts, its quotes unchecked (a scratch "
                            "folder or a fixture; default: MIGKG_ALLOW_UNCHECKED_QUOTES or refuse)")
    if fmt:
        p.add_argument("--format", choices=FORMATS, default="table", dest="fmt",
                       help="output format (default table)")
        p.add_argument("--json", action="store_const", const="json", dest="fmt",
                       help="same as --format json")
    return p


def unchecked_quotes(command: str, data: Path, facts: Any = None, *, say: bool = True) -> bool:
    """Whether the quotes of `data` went unchecked; `say` so on stderr.

    `facts` read from `data` tell; without them (a loaded graph stood for the folder,
    unread) a folder with no sources/ does.
    """
    from loaders.quotes import UNCHECKED
    from loaders.texts import SOURCES

    if facts is not None:
        unchecked = any(w.message == UNCHECKED for w in facts.warnings)
    else:
        unchecked = not (data / SOURCES).is_dir()
    if unchecked and say:
        sys.stderr.write(f"migkg {command}: {data} has no sources/ folder: its quotes were not "
                         "checked (--allow-unchecked-quotes)\n")
    return unchecked


def may_skip_reading(settings: Settings) -> bool:
    """Whether a graph already loaded from `settings.data` may stand without reading it again.

    Not for a folder with no sources/ unless unchecked quotes are allowed: reading it says why.
    """
    from loaders.texts import SOURCES

    return settings.allow_unchecked_quotes or (settings.data / SOURCES).is_dir()


def settings_for(args: argparse.Namespace) -> Settings:
    """The settings, with `--backend`, `--data` and `--allow-unchecked-quotes` applied."""
    overrides: dict[str, Any] = {}
    if getattr(args, "allow_unchecked_quotes", None):
        overrides["allow_unchecked_quotes"] = True
    if getattr(args, "backend", None):
        overrides["backend"] = args.backend
    if getattr(args, "data", None):
        overrides["data"] = args.data
    base = get_settings()
    settings = base.model_copy(update=overrides) if overrides else base
    if hasattr(args, "data") and settings.data.exists() and not settings.data.is_dir():
        raise BadSetting(f"bad setting MIGKG_DATA: {settings.data} is a file, not a folder "
                         "of YAML facts")
    return settings


def open_graph(settings: Settings) -> Any:
    """The graph backend the settings name; an unusable MIGKG_HOME said in one line first."""
    from graph import open_backend

    if settings.backend == "embedded":
        home = settings.home
        if home.exists() and not home.is_dir():
            raise BadSetting(f"bad setting MIGKG_HOME: {home} is a file, not a folder")
        try:
            home.mkdir(parents=True, exist_ok=True)
        except OSError as err:
            raise BadSetting(f"bad setting MIGKG_HOME: cannot create {home}: "
                             f"{err.strerror or err}") from None
    return open_backend(settings)
