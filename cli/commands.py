"""`migkg validate | load | stats | query | serve`: the commands over the facts and the graph."""

from __future__ import annotations

import argparse
import difflib
import errno
import socket
import sys
import time
from typing import Any

from cli.base import (
    EXIT_USAGE,
    Subparsers,
    add_command,
    may_skip_reading,
    open_graph,
    require_graph,
    settings_for,
    tcp_port,
    unchecked_quotes,
)
from cli.render import StageProgress, print_counts, print_rows
from migkg.exc import MigkgError, NotFound
from migkg.settings import Settings


class PortInUse(MigkgError):
    status, title, slug = 409, "Port in use", "port-in-use"


class CannotListen(MigkgError):
    status, title, slug = 400, "Cannot listen", "cannot-listen"


def _backend(settings: Settings) -> Any:
    return open_graph(settings)


def cmd_validate(args: argparse.Namespace) -> int:
    from loaders.pipeline import read_facts

    settings = settings_for(args)
    facts = read_facts(settings.data, allow_empty=args.allow_empty,
                       allow_unchecked_quotes=settings.allow_unchecked_quotes,
                       cache=settings.file_cache)
    from cli.sources_commands import print_warnings

    print_warnings(facts)  # e.g. a quote found twice in its document (stderr)
    unchecked = unchecked_quotes("validate", settings.data, facts, say=False)  # warned just above
    nodes, rels = facts.counts()
    if args.fmt == "table":
        print(f"{settings.data}: valid - {len(facts.entities)} entities, "
              f"{len(facts.relationships)} relationships"
              + ("; quotes NOT checked (no sources/ folder)" if unchecked else ""))
    print_counts(nodes, rels, args.fmt)
    return 0


def _plural(n: int, what: str) -> str:
    return f"{n} {what}{'' if n == 1 else 's'}"


def _store_line(gen: Any) -> str:
    return f"SPARQL store: {gen.triples} triples ({gen.path.name})"


def cmd_load(args: argparse.Namespace) -> int:
    """Load the facts into the graph, then bring the SPARQL store in step from the same
    change (sparql/store.py): a reload costs what it changed, in both."""
    from loaders.pipeline import loaded_meta_if_current, read_facts
    from sparql.store import load_and_refresh, refresh, store_root

    settings = settings_for(args)
    started = time.perf_counter()
    backend = None
    # A missing folder, or one with no sources/ texts, is reported by reading it.
    if not args.full and settings.data.is_dir() and may_skip_reading(settings):
        backend = _backend(settings)
        meta = loaded_meta_if_current(backend, settings.data)
        if meta is not None:
            n, m = meta.get("node_count", "?"), meta.get("relationship_count", "?")
            gen = refresh(backend, settings.base_iri, store_root(settings.home, backend))
            print(f"{settings.data} is unchanged since the last load into {backend.name} "
                  f"({n} entities and {m} relationships): nothing to do "
                  f"({time.perf_counter() - started:.2f}s)")
            print(_store_line(gen))
            unchecked_quotes("load", settings.data)
            return 0
    facts = read_facts(settings.data, allow_empty=args.allow_empty,
                       allow_unchecked_quotes=settings.allow_unchecked_quotes,
                       cache=settings.file_cache)
    unchecked_quotes("load", settings.data, facts)
    validated = time.perf_counter()
    if backend is None:
        backend = _backend(settings)
    root = store_root(settings.home, backend)
    with StageProgress() as progress:
        how, gen, wrote = load_and_refresh(facts, backend, settings.base_iri, root, full=args.full,
                                           progress=progress, kept=settings.graph_state(root.name))
    done = time.perf_counter()
    n = len(facts.entities)
    counts = f"{n} entit{'y' if n == 1 else 'ies'} and {_plural(len(facts.relationships), 'relationship')}"
    timing = (f"in {done - started:.2f}s (validation {validated - started:.2f}s, "
              f"{how} write {wrote:.2f}s, SPARQL store {done - validated - wrote:.2f}s)")
    if how == "diff":
        changed = ", ".join(f"{n} {stage}" for stage, (n, _) in progress.final.items()) or "none"
        print(f"changes applied: {changed}; the graph now holds {counts} from {settings.data} "
              f"({backend.name}) {timing}")
    else:
        what = {"full": "loaded", "unchanged": "unchanged:"}[how]
        print(f"{what} {counts} from {settings.data} into {backend.name} {timing}")
    print(_store_line(gen))
    return 0


def cmd_stats(args: argparse.Namespace) -> int:
    from graph.stats import graph_stats

    settings = settings_for(args)
    backend = _backend(settings)
    require_graph(backend, settings)  # not a table of zeros: nothing was ever loaded
    stats = graph_stats(backend)
    print_counts(stats.nodes, stats.relationships, args.fmt)
    return 0


def _named(name: str) -> Any:
    """The named query, or NotFound with the closest names as suggestions."""
    from cypher import get_registry

    registry = get_registry()
    if name not in registry.names():
        close = difflib.get_close_matches(name, registry.names(), n=3, cutoff=0.5)
        raise NotFound(f"no named query {name!r} (`migkg query --list` lists them)", suggestions=close)
    return registry


def cmd_query(args: argparse.Namespace) -> int:
    settings = settings_for(args)
    if args.list:
        from cypher import get_registry

        library = get_registry()
        rows = [[q.name, q.title, ", ".join(q.params)] for q in map(library.get, library.names())]
        print_rows(["name", "title", "params"], rows, args.fmt)
        return 0
    if bool(args.cypher) == bool(args.name):
        sys.stderr.write("migkg query: give either a Cypher statement, --name or --list\n")
        return EXIT_USAGE
    registry: Any = _named(args.name) if args.name else None
    backend = _backend(settings)
    require_graph(backend, settings)
    if registry is not None:
        result = registry.run(backend, args.name, dict(args.param), settings)
    else:
        from graph.budget import Budget

        # the console's limits, as /v1/cypher applies them (MIGKG_CONSOLE_MAX_*)
        budget = Budget.for_console(settings)
        result = backend.console_read(args.cypher, timeout_ms=settings.query_timeout_ms,
                                      row_cap=settings.row_cap, budget=budget)
    if args.fmt == "json":  # the shape `--json` always had
        import json

        print(json.dumps({"columns": result.columns, "rows": result.rows,
                          "truncated": result.truncated}, ensure_ascii=False, default=str))
        return 0
    note = f"; cut at {settings.row_cap} rows (MIGKG_ROW_CAP)" if result.truncated else ""
    print_rows(result.columns, result.rows, args.fmt, note=note)
    if result.truncated and args.fmt == "csv":
        sys.stderr.write(f"migkg query: truncated at {settings.row_cap} rows (MIGKG_ROW_CAP)\n")
    return 0


def _check_port(host: str, port: int) -> None:
    """Refuse, in one line, a port another process holds (uvicorn would exit 3 after startup)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as err:
            if err.errno == errno.EADDRINUSE:
                raise PortInUse(f"{host}:{port} is taken by another process; choose another "
                                f"port, e.g. MIGKG_PORT={port + 123 if port < 65000 else 8123}") from None
            raise CannotListen(f"{host}:{port}: {err.strerror or err}") from None


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from api.app import create_app
    from api.server import uvicorn_options

    settings = settings_for(args)
    host, port = args.host or settings.host, args.port or settings.port
    _check_port(host, port)
    facts = None
    if settings.backend == "embedded":
        # Check data/ here, where bad facts are listed as file:line problems and exit 1
        # (inside the app's lifespan uvicorn would print a traceback) and before serve takes
        # the engine over from anyone, unless the graph already holds exactly these files
        # (`migkg load` just validated them, as in run.sh). The write, when the graph is
        # missing or stale, runs in the background once serving: /ready says how far it is.
        from graph import own_engine
        from loaders.pipeline import loaded_meta_if_current, read_facts

        backend = _backend(settings)  # as any command: no take-over before the facts are checked
        try:
            current = (may_skip_reading(settings)
                       and loaded_meta_if_current(backend, settings.data) is not None)
        finally:
            backend.close()
        if not current:
            facts = read_facts(settings.data, allow_unchecked_quotes=settings.allow_unchecked_quotes,
                               cache=settings.file_cache)
        unchecked_quotes("serve", settings.data, facts)
        own_engine(settings)  # serve owns its engine, whoever started one before
    shown = f"[{host}]" if ":" in host else host
    print(f"migration-kg: explorer http://{shown}:{port}/ , API docs http://{shown}:{port}/docs "
          "(Ctrl+C stops)", flush=True)
    # One process, bounded heads, deadlines for slow clients: api/server.py says why.
    uvicorn.run(create_app(settings, facts=facts), host=host, port=port,
                **uvicorn_options(settings))
    return 0


def _parse_param(text: str) -> tuple[str, str]:
    key, sep, value = text.partition("=")
    if not sep or not key:
        raise argparse.ArgumentTypeError(f"expected key=value, got {text!r}")
    return key, value


VALIDATE = [("validate", "check data/, print the counts"),
            ("validate --data my-facts --format json", "another folder, counts as JSON")]
LOAD = [("load", "make the graph hold exactly data/ (a diff; --full rebuilds)"),
        ("load --backend neo4j", "the same into Neo4j (NEO4J_URI, docs/neo4j.md)")]
STATS = [("stats --format csv", "counts per kind and relationship type")]
QUERY = [("query --name agreements_covering_country --param country=Serbia", "a named query"),
         ("query --list", "the named queries and their parameters"),
         ("query \"MATCH (c:Country {id: 'RS'}) RETURN c.name AS name\"", "read-only Cypher"),
         ("query --name shortest_connection --param from=Serbia --param to=Germany --format json",
          "")]
SERVE = [("serve --port 8123", "the API and the explorer on http://127.0.0.1:8123/")]


def register(sub: Subparsers) -> None:
    """validate, load, stats, query, serve."""
    for verb, fn, help_, examples in (
        ("validate", cmd_validate, "check the curated facts and print a summary", VALIDATE),
        ("load", cmd_load, "validate and load the facts, replacing the graph", LOAD),
    ):
        p = add_command(sub, verb, fn, help_, backend=verb == "load", data=True, fmt=verb == "validate",
                        quotes=True, examples=examples)
        p.add_argument("--allow-empty", action="store_true",
                       help="accept a folder with no entity besides documents (an empty graph)")
        if verb == "load":
            p.add_argument("--full", action="store_true",
                           help="rebuild the whole graph, even when only a few facts changed")
    add_command(sub, "stats", cmd_stats, "counts per node kind and relationship type",
                backend=True, fmt=True, examples=STATS)
    p = add_command(sub, "query", cmd_query, "run read-only Cypher, or a named query with --name",
                    backend=True, fmt=True, examples=QUERY)
    p.add_argument("cypher", nargs="?", help="a read-only Cypher statement")
    p.add_argument("--name", help="a named query from cypher/")
    p.add_argument("--param", action="append", type=_parse_param, default=[],
                   metavar="KEY=VALUE", help="a named query's parameter (repeatable)")
    p.add_argument("--list", action="store_true", help="list the named queries and their parameters")
    p = add_command(sub, "serve", cmd_serve, "serve the API and the explorer (loads data/ when stale)",
                    backend=True, data=True, quotes=True, examples=SERVE)
    p.add_argument("--host", help="address to bind (default MIGKG_HOST, 127.0.0.1)")
    p.add_argument("--port", type=tcp_port, help="port, 1 to 65535 (default MIGKG_PORT, 8000)")
