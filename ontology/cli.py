"""`migkg export` and `migkg ontology` (wired into `migkg/cli.py`).

`-o -` writes to stdout. A regular file is written beside its destination and
renamed into place when complete, so a failed export never leaves a truncated
dump; a device or FIFO is written directly, never replaced (`migkg/output.py`).
"""

from __future__ import annotations

import argparse
import sys
import time

from migkg.exc import BackendUnavailable
from migkg.output import resolve_target, write_output
from migkg.settings import Settings, get_settings


def _settings(args: argparse.Namespace) -> Settings:
    settings = get_settings()
    backend = getattr(args, "backend", None)
    return settings.model_copy(update={"backend": backend}) if backend else settings


def cmd_export(args: argparse.Namespace) -> int:
    """Export the graph as RDF: `--format ttl|nt|jsonld|rdfxml`, `-o FILE` (`-` = stdout)."""
    from graph import open_backend
    from ontology.export import export_bytes

    settings = _settings(args)
    resolve_target(args.output)  # refuse an unwritable target before any work
    backend = open_backend(settings)
    try:
        if not backend.exists():
            raise BackendUnavailable("the graph is not loaded; run `migkg load` first")
        started = time.perf_counter()
        size = write_output(export_bytes(backend, settings.base_iri, args.format), args.output)
    finally:
        backend.close()
    if args.output != "-":
        sys.stderr.write(f"wrote {size} bytes of {args.format} to {args.output} "
                         f"in {time.perf_counter() - started:.2f}s\n")
    return 0


def cmd_ontology(args: argparse.Namespace) -> int:
    """Write the OWL ontology generated from the schema, in Turtle (`-o -` = stdout)."""
    from ontology.owl import ontology_turtle

    output = getattr(args, "output", None) or "-"
    write_output([ontology_turtle().encode("utf-8")], output)
    return 0
