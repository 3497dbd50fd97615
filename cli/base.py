"""What the command modules share: exit codes, one way to add a subcommand, the settings."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import Any

from cli.render import FORMATS
from migkg.settings import Settings, get_settings

EXIT_OK, EXIT_BAD_INPUT, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130

Subparsers = Any  # argparse's _SubParsersAction is private


def add_command(sub: Subparsers, name: str, fn: Callable[[argparse.Namespace], int], help_: str, *,
                backend: bool = False, data: bool = False, fmt: bool = False) -> argparse.ArgumentParser:
    """A subcommand with only the options that apply to it."""
    p: argparse.ArgumentParser = sub.add_parser(name, help=help_, description=help_)
    p.set_defaults(fn=fn)
    if backend:
        p.add_argument("--backend", choices=["embedded", "neo4j"],
                       help="graph engine (default: MIGKG_BACKEND or embedded)")
    if data:
        p.add_argument("--data", type=Path, metavar="DIR", help="folder of YAML facts (default: MIGKG_DATA or data/)")
    if fmt:
        p.add_argument("--format", choices=FORMATS, default="table", dest="fmt",
                       help="output format (default table)")
        p.add_argument("--json", action="store_const", const="json", dest="fmt",
                       help="same as --format json")
    return p


def settings_for(args: argparse.Namespace) -> Settings:
    """The settings, with `--backend` and `--data` applied where the command has them."""
    overrides: dict[str, Any] = {}
    if getattr(args, "backend", None):
        overrides["backend"] = args.backend
    if getattr(args, "data", None):
        overrides["data"] = args.data
    base = get_settings()
    return base.model_copy(update=overrides) if overrides else base
