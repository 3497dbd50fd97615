"""The `migkg` command line: validate | load | stats | query | serve | export | ontology."""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from migkg.exc import InvalidFacts, MigkgError
from migkg.settings import Settings, get_settings

EXIT_BAD_INPUT, EXIT_USAGE = 1, 2


def _settings(args: argparse.Namespace) -> Settings:
    overrides: dict[str, Any] = {}
    if getattr(args, "backend", None):
        overrides["backend"] = args.backend
    if getattr(args, "data", None):
        overrides["data"] = args.data
    base = get_settings()
    return base.model_copy(update=overrides) if overrides else base


def _backend(settings: Settings) -> Any:
    from graph import open_backend

    return open_backend(settings)


def cmd_validate(args: argparse.Namespace) -> int:
    from loaders.facts import read_facts

    settings = _settings(args)
    facts = read_facts(settings.data, allow_empty=args.allow_empty)
    from migkg.sources_cli import print_warnings

    print_warnings(facts)  # e.g. a quote found twice in its document
    nodes, rels = facts.counts()
    print(f"{settings.data}: valid - {len(facts.entities)} entities, "
          f"{len(facts.relationships)} relationships")
    _print_counts(nodes, rels)
    return 0


class _Progress:
    """`loading nodes: 5000/10000 (41,000 rows/s)`: redrawn on a terminal, a final line per stage."""

    def __init__(self) -> None:
        self.started: dict[str, float] = {}

    def __call__(self, stage: str, done: int, total: int) -> None:
        now = time.perf_counter()
        began = self.started.setdefault(stage, now)
        if sys.stderr.isatty() or done == total:
            rate = f" ({done / (now - began):,.0f} rows/s)" if now > began else ""
            end = "\n" if done == total else "\r"
            print(f"  loading {stage}: {done}/{total}{rate}", end=end, file=sys.stderr, flush=True)


def cmd_load(args: argparse.Namespace) -> int:
    from loaders.facts import facts_digest, read_facts
    from loaders.files import list_data_files
    from loaders.load import load_facts, loaded_digest

    settings = _settings(args)
    started = time.perf_counter()
    backend = None
    # The cheap check first: unchanged files need no parsing and no writes. Not when
    # the folder holds names that would be ignored: reading it reports them.
    if not args.full and settings.data.is_dir() and not list_data_files(settings.data)[1]:
        backend = _backend(settings)
        if loaded_digest(backend) == facts_digest(settings.data):
            print(f"{settings.data} is unchanged since the last load into {backend.name}: "
                  f"nothing to do ({time.perf_counter() - started:.2f}s)")
            return 0
    facts = read_facts(settings.data, allow_empty=args.allow_empty)
    validated = time.perf_counter()
    if backend is None:
        backend = _backend(settings)
    how = load_facts(facts, backend, progress=_Progress(), full=args.full)
    done = time.perf_counter()
    what = {"full": "loaded", "diff": "changes applied:", "unchanged": "unchanged:"}[how]
    print(f"{what} {len(facts.entities)} entities and {len(facts.relationships)} relationships "
          f"from {settings.data} into {backend.name} in {done - started:.2f}s "
          f"(validation {validated - started:.2f}s, {how} write {done - validated:.2f}s)")
    return 0


def _print_counts(nodes: dict[str, int], rels: dict[str, int]) -> None:
    width = max(map(len, [*nodes, *rels, "kind"]))
    print(f"{'kind':<{width}}  count")
    for k, v in sorted(nodes.items()):
        print(f"{k:<{width}}  {v:>5}")
    print(f"{'relationship':<{width}}  count")
    for k, v in sorted(rels.items()):
        print(f"{k:<{width}}  {v:>5}")


def cmd_stats(args: argparse.Namespace) -> int:
    from graph.stats import graph_stats

    stats = graph_stats(_backend(_settings(args)))
    if args.json:
        print(json.dumps({"nodes": stats.nodes, "relationships": stats.relationships}, indent=2))
    else:
        _print_counts(stats.nodes, stats.relationships)
    return 0


def _cell(value: Any) -> str:
    if isinstance(value, dict) and "_labels" in value:
        return f"({':'.join(value['_labels'])} {value.get('id', value['_eid'])})"
    if isinstance(value, dict) and "_type" in value:
        return f"[:{value['_type']}]"
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, default=str)


def print_table(columns: list[str], rows: list[list[Any]]) -> None:
    cells = [[_cell(v) for v in row] for row in rows]
    widths = [min(60, max([len(c), *(len(r[i]) for r in cells)])) for i, c in enumerate(columns)]
    print(" | ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)))
    print("-+-".join("-" * w for w in widths))
    for row in cells:
        print(" | ".join(v[:w].ljust(w) for v, w in zip(row, widths, strict=True)))
    print(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")


def _parse_param(text: str) -> tuple[str, str]:
    key, sep, value = text.partition("=")
    if not sep or not key:
        raise argparse.ArgumentTypeError(f"expected key=value, got {text!r}")
    return key, value


def cmd_query(args: argparse.Namespace) -> int:
    settings = _settings(args)
    if bool(args.cypher) == bool(args.name):
        print("migkg query: give either a Cypher statement or --name", file=sys.stderr)
        return EXIT_USAGE
    backend = _backend(settings)
    if args.name:
        from cypher import get_registry

        result = get_registry().run(backend, args.name, dict(args.param), settings)
    else:
        result = backend.console_read(args.cypher, timeout_ms=settings.query_timeout_ms,
                                      row_cap=settings.row_cap)
    if args.json:
        print(json.dumps({"columns": result.columns, "rows": result.rows,
                          "truncated": result.truncated}, ensure_ascii=False, default=str))
    else:
        print_table(result.columns, result.rows)
        if result.truncated:
            print(f"(truncated at {settings.row_cap} rows)", file=sys.stderr)
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from api.app import create_app

    settings = _settings(args)
    if settings.backend == "embedded":
        # Check and load data/ here, where bad facts are listed as file:line problems
        # and exit 1; inside the app's lifespan uvicorn would print a traceback.
        from api.app import ensure_loaded
        from graph import own_engine
        from loaders.facts import read_facts

        # Bad facts end here, before serve takes the engine over from anyone.
        read_facts(settings.data)
        own_engine(settings)  # serve owns its engine, whoever started one before
        backend = _backend(settings)
        try:
            ensure_loaded(backend, settings)
        finally:
            backend.close()
    # In-flight requests get a few seconds at shutdown; an ad-hoc query still running
    # then ends with its console engine, which the app stops.
    uvicorn.run(create_app(settings), host=args.host or settings.host,
                port=args.port or settings.port, log_level="info", timeout_graceful_shutdown=3)
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from ontology.cli import cmd_export as run

    return run(args)


def cmd_ontology(args: argparse.Namespace) -> int:
    from ontology.cli import cmd_ontology as run

    return run(args)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="migkg", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def add(name: str, fn: Callable[[argparse.Namespace], int], help_: str,
            data: bool = False) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_, description=help_)
        p.set_defaults(fn=fn)
        p.add_argument("--backend", choices=["embedded", "neo4j"],
                       help="graph engine (default: MIGKG_BACKEND or embedded)")
        if data:
            p.add_argument("--data", type=Path, help="folder of YAML facts (default: data/)")
        return p

    for verb, fn, help_ in (
        ("validate", cmd_validate, "check the curated facts and print a summary"),
        ("load", cmd_load, "validate and load the facts, replacing the graph"),
    ):
        p = add(verb, fn, help_, data=True)
        p.add_argument("--allow-empty", action="store_true",
                       help="accept a folder with no entity besides documents (an empty graph)")
        if verb == "load":
            p.add_argument("--full", action="store_true",
                           help="rebuild the whole graph, even when only a few facts changed")
    p = add("stats", cmd_stats, "counts per node kind and relationship type")
    p.add_argument("--json", action="store_true", help="print JSON")
    p = add("query", cmd_query, "run read-only Cypher, or a named query with --name")
    p.add_argument("cypher", nargs="?", help="a read-only Cypher statement")
    p.add_argument("--name", help="a named query from cypher/")
    p.add_argument("--param", action="append", type=_parse_param, default=[],
                   metavar="KEY=VALUE", help="a named query's parameter (repeatable)")
    p.add_argument("--json", action="store_true", help="print JSON")
    p = add("serve", cmd_serve, "serve the API and the explorer (loads data/ when stale)",
            data=True)
    p.add_argument("--host", help="address to bind (default 127.0.0.1)")
    p.add_argument("--port", type=int, help="port (default 8000)")
    p = add("export", cmd_export, "export the graph as RDF")
    p.add_argument("--format", choices=["ttl", "nt", "jsonld", "rdfxml"], default="ttl",
                   help="RDF serialisation (default ttl)")
    p.add_argument("-o", "--output", default="-", help="file to write; - for stdout (default)")
    p = add("ontology", cmd_ontology, "print or write the OWL ontology (Turtle)")
    p.add_argument("-o", "--output", default="-", help="file to write; - for stdout (default)")
    from migkg.sources_cli import register as register_sources

    register_sources(sub)  # sources add | find | check, review
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.fn(args))
    except InvalidFacts as err:
        for problem in err.problems:
            print(problem, file=sys.stderr)
        print(f"migkg {args.command}: {err.detail}; nothing was written", file=sys.stderr)
        return EXIT_BAD_INPUT
    except MigkgError as err:
        print(f"migkg {args.command}: {err.title}: {err.detail}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        return 130
    except OSError as err:  # a file or folder the command needs: one line, no traceback
        where = f": {err.filename}" if err.filename else ""
        print(f"migkg {args.command}: {err.strerror or err}{where}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except Exception as err:  # noqa: BLE001 - the boundary: never a traceback for a user
        print(f"migkg {args.command}: internal error: {type(err).__name__}: {err}", file=sys.stderr)
        return EXIT_BAD_INPUT


if __name__ == "__main__":
    sys.exit(main())
