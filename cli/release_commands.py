"""`migkg release | releases | changes`: record the facts as a release, list the releases,
and say what changed between two of them (loaders/releases.py, loaders/changes.py)."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from cli.base import Subparsers, add_command, settings_for
from cli.render import print_rows

RELEASE_COLUMNS = ["version", "date", "previous", "statements", "added", "removed", "notes"]
TABLE_COLUMNS = ["entity", "change", "what", "about", "old", "new"]


def cmd_release(args: argparse.Namespace) -> int:
    from graph.schema import get_schema
    from loaders.pipeline import read_facts
    from loaders.releases import Releases

    settings = settings_for(args)
    facts = read_facts(settings.data, allow_unchecked_quotes=settings.allow_unchecked_quotes,
                       cache=settings.file_cache)
    _say_if_graph_differs(settings, facts.digest)
    release = Releases(settings.data).record(args.version, facts, get_schema(), notes=args.notes or "",
                                             when=args.date, data=str(settings.data))
    print(f"release {release.version} of {release.date}: {release.statements} statements "
          f"({release.added} added, {release.removed} removed since "
          f"{release.previous or 'nothing'}) -> {release.path}")
    return 0


def _say_if_graph_differs(settings: Any, digest: str) -> None:
    """One line when the loaded graph holds other facts than the folder being released."""
    from graph import open_backend
    from loaders.pipeline import loaded_digest
    from migkg.exc import MigkgError

    try:
        backend = open_backend(settings)
        try:
            loaded = loaded_digest(backend)
        finally:
            backend.close()
    except MigkgError:
        return  # no graph to compare with: the release is of the folder either way
    if loaded is not None and loaded != digest:
        sys.stderr.write(f"migkg release: the loaded graph ({settings.backend}) holds other facts "
                         f"than {settings.data}; the release records {settings.data}\n")


def cmd_releases(args: argparse.Namespace) -> int:
    from loaders.releases import Releases

    releases = Releases(settings_for(args).data).index()
    rows = [[r.describe()[c] for c in RELEASE_COLUMNS] for r in releases]
    if args.fmt == "json":
        print(json.dumps([r.describe() for r in releases], ensure_ascii=False))
    elif not releases and args.fmt == "table":
        print("no releases yet: `migkg release --version V` records one")
    else:
        print_rows(RELEASE_COLUMNS, rows, args.fmt)
    return 0


def _about(change: dict[str, Any]) -> str:
    if change["what"] == "property":
        return str(change["property"])
    rel = change.get("relationship") or {}
    target = rel.get("target") or {}
    arrow = f"-[{rel.get('type')}]-> {target.get('name') or target.get('id')}"
    if change["what"] == "relationship":
        return arrow
    if change["what"] == "evidence":
        return f"evidence of {arrow}" if rel else "evidence"
    return "kind"


def cmd_changes(args: argparse.Namespace) -> int:
    from loaders.changes import CSV_COLUMNS, Changes, csv_rows
    from loaders.releases import Releases

    found = Changes(Releases(settings_for(args).data)).between(args.since, args.until)
    if args.fmt == "json":
        print(json.dumps({"since": found.since.describe(), "until": found.until.describe(),
                          "items": found.groups}, ensure_ascii=False))
        return 0
    if args.fmt == "csv":
        print_rows(CSV_COLUMNS, csv_rows(found.groups), "csv")
        return 0
    rows = [[f"{g['entity']['name'] or ''} ({g['entity']['kind']} {g['entity']['id']})",
             c["change"], c["what"], _about(c), c["old"], c["new"]]
            for g in found.groups for c in g["changes"]]
    print(f"from release {found.since.version} ({found.since.date}) to {found.until.version} "
          f"({found.until.date}): {found.statements} changed statements in "
          f"{len(found.groups)} entities")
    if rows:
        print_rows(TABLE_COLUMNS, rows, "table")
    return 0


def register(sub: Subparsers) -> None:
    """release, releases, changes."""
    p = add_command(sub, "release", cmd_release,
                    "record the validated facts as a release in the data folder's releases/",
                    data=True, quotes=True, examples=[
                        ("release --version 2026.12.1 --notes \"Two new agreements\"", "")])
    p.add_argument("--version", required=True, help="the release's version, e.g. 2026.12.1")
    p.add_argument("--notes", help="what this release brings, in a sentence or two")
    p.add_argument("--date", help="the release date, YYYY-MM-DD (default: today, UTC)")
    add_command(sub, "releases", cmd_releases, "list the releases, oldest first", data=True,
                fmt=True, examples=[("releases --format json", "")])
    p = add_command(sub, "changes", cmd_changes,
                    "what changed between two releases, grouped by entity", data=True, fmt=True,
                    examples=[("changes --since 2026.12.1", "since a release, to the latest"),
                              ("changes --since 2026-01-01 --until 2026.12.1 --csv", "")])
    p.add_argument("--since", required=True, help="a release version, or a date (the latest "
                                                  "release on or before it)")
    p.add_argument("--until", help="a version or a date (default: the latest release)")
    p.add_argument("--csv", action="store_const", const="csv", dest="fmt",
                   help="same as --format csv")
