"""`migkg export | ontology`: the RDF dump and the OWL ontology, with a progress display."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Iterable, Iterator

from cli.base import Subparsers, add_command, settings_for
from cli.output import resolve_target, write_output
from cli.render import ByteProgress
from graph.errors import not_loaded

RDF_FORMATS = ("ttl", "nt", "jsonld", "rdfxml")


def _counted(chunks: Iterable[bytes], progress: ByteProgress) -> Iterator[bytes]:
    for chunk in chunks:
        progress.advance(len(chunk))
        yield chunk


def cmd_export(args: argparse.Namespace) -> int:
    """Export the graph as RDF: `--format ttl|nt|jsonld|rdfxml`, `-o FILE` (`-` = stdout)."""
    from graph import open_backend
    from ontology.export import export_bytes

    settings = settings_for(args)
    resolve_target(args.output)  # refuse an unwritable target before any work
    backend = open_backend(settings)
    started = time.perf_counter()
    try:
        if not backend.exists():
            raise not_loaded()
        # No bar while the dump itself goes to the terminal: they would interleave.
        quiet = args.output == "-" and sys.stdout.isatty()
        with ByteProgress(f"exporting {args.format}", enabled=not quiet) as progress:
            size = write_output(_counted(export_bytes(backend, settings.base_iri, args.format), progress),
                                args.output)
    finally:
        backend.close()
    if args.output != "-":
        sys.stderr.write(f"wrote {size:,} bytes of {args.format} to {args.output} "
                         f"in {time.perf_counter() - started:.2f}s\n")
    return 0


def cmd_ontology(args: argparse.Namespace) -> int:
    """Write the OWL ontology generated from the schema, in Turtle (`-o -` = stdout)."""
    from ontology.owl import ontology_turtle

    write_output([ontology_turtle().encode("utf-8")], args.output)
    return 0


def register(sub: Subparsers) -> None:
    """export, ontology."""
    p = add_command(sub, "export", cmd_export, "export the graph as RDF", backend=True)
    p.add_argument("--format", choices=RDF_FORMATS, default="ttl",
                   help="RDF serialisation (default ttl)")
    p.add_argument("-o", "--output", default="-", metavar="FILE", help="file to write; - for stdout (default)")
    p = add_command(sub, "ontology", cmd_ontology, "print or write the OWL ontology (Turtle)")
    p.add_argument("-o", "--output", default="-", metavar="FILE", help="file to write; - for stdout (default)")
