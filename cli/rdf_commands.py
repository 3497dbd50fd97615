"""`migkg export | ontology`: the RDF dump and the OWL ontology, with a progress display."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Iterable, Iterator

from cli.base import Subparsers, add_command, open_graph, require_graph, settings_for
from cli.formats import RDF_ALIASES, RDF_FORMATS, format_argument
from cli.output import resolve_target, write_output
from cli.render import ByteProgress


def _counted(chunks: Iterable[bytes], progress: ByteProgress) -> Iterator[bytes]:
    for chunk in chunks:
        progress.advance(len(chunk))
        yield chunk


def cmd_export(args: argparse.Namespace) -> int:
    """Export the graph as RDF: `--format ttl|nt|jsonld|rdf`, `-o FILE` (`-` = stdout)."""
    from ontology.export import export_bytes

    settings = settings_for(args)
    resolve_target(args.output)  # refuse an unwritable target before any work
    backend = open_graph(settings)
    started = time.perf_counter()
    try:
        require_graph(backend, settings)
        # No bar while the dump itself goes to the terminal: they would interleave.
        quiet = args.output == "-" and sys.stdout.isatty()
        chunks = export_bytes(backend, settings.base_iri, RDF_FORMATS[args.fmt])
        with ByteProgress(f"exporting {args.fmt}", enabled=not quiet) as progress:
            size = write_output(_counted(chunks, progress), args.output)
    finally:
        backend.close()
    if args.output != "-":
        sys.stderr.write(f"wrote {size:,} bytes of {args.fmt} to {args.output} "
                         f"in {time.perf_counter() - started:.2f}s\n")
    return 0


def cmd_ontology(args: argparse.Namespace) -> int:
    """Write the OWL ontology generated from the schema, in Turtle (`-o -` = stdout)."""
    from ontology.owl import ontology_turtle

    write_output([ontology_turtle().encode("utf-8")], args.output)
    return 0


def register(sub: Subparsers) -> None:
    """export, ontology."""
    p = add_command(sub, "export", cmd_export, "export the graph as RDF", backend=True, examples=[
        ("export --format nt -o graph.nt", "RDF dump (-o - for stdout)"),
        ("export --format rdf -o - | head", "RDF/XML (the old name rdfxml still works)")])
    format_argument(p, list(RDF_FORMATS), RDF_ALIASES, "ttl", "RDF serialisation, named as its "
                    "file extension and /v1/export.{ext}")
    p.add_argument("-o", "--output", default="-", metavar="FILE", help="file to write; - for stdout (default)")
    p = add_command(sub, "ontology", cmd_ontology, "print or write the OWL ontology (Turtle)",
                    examples=[("ontology -o migkg.ttl", "the OWL ontology in Turtle")])
    p.add_argument("-o", "--output", default="-", metavar="FILE", help="file to write; - for stdout (default)")
