"""What the command modules share: exit codes, one way to add a subcommand, the settings."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from cli.render import FORMATS
from migkg.settings import Settings, get_settings

EXIT_OK, EXIT_BAD_INPUT, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130

Subparsers = Any  # argparse's _SubParsersAction is private


def add_command(sub: Subparsers, name: str, fn: Callable[[argparse.Namespace], int], help_: str, *,
                backend: bool = False, data: bool = False, fmt: bool = False,
                quotes: bool = False) -> argparse.ArgumentParser:
    """A subcommand with only the options that apply to it (`quotes`: it reads the facts)."""
    p: argparse.ArgumentParser = sub.add_parser(name, help=help_, description=help_)
    p.set_defaults(fn=fn)
    if backend:
        p.add_argument("--backend", choices=["embedded", "neo4j"],
                       help="graph engine (default: MIGKG_BACKEND or embedded)")
    if data:
        p.add_argument("--data", type=Path, metavar="DIR", help="folder of YAML facts (default: MIGKG_DATA or data/)")
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
    return base.model_copy(update=overrides) if overrides else base
