"""`migkg sparql "<query>"`: SPARQL from the shell.

Output as `migkg query`: `--format table|json|csv` (JSON is `{"columns", "rows"}`);
CONSTRUCT and DESCRIBE print their triples as rows of subject, predicate and
object. The other `--format`s print a standard serialisation instead, named as in
cli/formats.py (`srj` SPARQL JSON, `srx` SPARQL XML, `tsv`; `ttl`, `nt`, `jsonld`,
`rdf`; the old `xml` and `rdfxml` still work). The query runs as on `/sparql`:
checked, in a worker process under `MIGKG_QUERY_TIMEOUT_MS`, cut at `MIGKG_ROW_CAP`.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from typing import Any

from cli.base import add_command, open_graph, require_graph, settings_for
from cli.formats import SPARQL_ALIASES, SPARQL_RAW, format_argument
from migkg.settings import Settings

Command = Callable[[argparse.Namespace], int]
TABLE_FORMATS = ("table", "json", "csv")  # as `migkg query`


def _service(settings: Settings) -> Any:
    from sparql.service import SparqlService

    backend = open_graph(settings)
    try:
        require_graph(backend, settings)
    except Exception:
        backend.close()
        raise
    return SparqlService(backend, settings)


def _value(term: dict[str, str] | None) -> Any:
    if term is None:
        return None
    datatype = term.get("datatype", "")
    if datatype.endswith("#integer"):
        return int(term["value"])
    if datatype.endswith("#boolean"):
        return term["value"] == "true"
    return term["value"]


def table(answer: Any) -> tuple[list[str], list[list[Any]]]:
    """Columns and rows of plain values from an answer in SPARQL JSON or N-Triples."""
    if answer.kind == "graph":
        import pyoxigraph

        triples = pyoxigraph.parse(answer.body, pyoxigraph.RdfFormat.N_TRIPLES)
        return ["subject", "predicate", "object"], [
            [str(t.subject.value), str(t.predicate.value), str(t.object.value)] for t in triples]
    data = json.loads(answer.body)
    if "boolean" in data:
        return ["ask"], [[bool(data["boolean"])]]
    columns = list(data["head"]["vars"])
    return columns, [[_value(b.get(c)) for c in columns] for b in data["results"]["bindings"]]


def cmd_sparql(args: argparse.Namespace) -> int:
    from cli.render import print_rows

    settings = settings_for(args)
    service = _service(settings)
    try:
        if args.fmt in SPARQL_RAW:
            table_fmt, graph_fmt = SPARQL_RAW[args.fmt]
            answer = service.query(args.query, table=table_fmt, graph=graph_fmt)
            sys.stdout.buffer.write(answer.body)
            sys.stdout.flush()
        else:
            answer = service.query(args.query, table="json", graph="nt")
            columns, rows = table(answer)
            if args.fmt == "json":  # as `migkg query --json`
                print(json.dumps({"columns": columns, "rows": rows, "truncated": answer.truncated},
                                 ensure_ascii=False))
            else:
                note = f"; cut at {settings.row_cap} rows (MIGKG_ROW_CAP)" if answer.truncated else ""
                print_rows(columns, rows, args.fmt, note=note)
        if answer.truncated:
            print(f"(truncated at {settings.row_cap} rows)", file=sys.stderr)
    finally:
        service.stop()
        service.backend.close()
    return 0


def register(sub: Any) -> None:
    """The `sparql` verb (`cli.main.COMMAND_MODULES` lists this module)."""
    p = add_command(sub, "sparql", cmd_sparql, "run a read-only SPARQL query over the graph's RDF",
                    backend=True, examples=[
                        ("sparql 'SELECT ?name WHERE { ?c a migkg:Country ; migkg:name ?name } "
                         "LIMIT 3'", "a table, as `migkg query`"),
                        ("sparql --format srj 'ASK { ?s ?p ?o }'", "SPARQL JSON results, as /sparql sends"),
                        ("sparql --format ttl 'CONSTRUCT WHERE { ?s a migkg:Route }'", "Turtle")])
    p.add_argument("query", help="a SPARQL SELECT, ASK, CONSTRUCT or DESCRIBE query")
    format_argument(p, [*TABLE_FORMATS, *SPARQL_RAW], SPARQL_ALIASES, "table",
                    "table, json or csv as `migkg query`; or a serialisation as /sparql sends it: "
                    "srj (SPARQL JSON results), srx (SPARQL XML results), tsv; ttl, nt, jsonld, rdf "
                    "for CONSTRUCT and DESCRIBE")
    p.add_argument("--json", action="store_const", const="json", dest="fmt",
                   help="same as --format json")
