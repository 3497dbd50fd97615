"""`migkg export` and `migkg ontology` (wired into `migkg/cli.py`).

`-o -` writes to stdout. A file is written beside its destination and renamed
into place when complete, so a failed export never leaves a truncated dump.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Iterable
from pathlib import Path

from migkg.exc import BackendUnavailable
from migkg.settings import Settings, get_settings


def _settings(args: argparse.Namespace) -> Settings:
    settings = get_settings()
    backend = getattr(args, "backend", None)
    return settings.model_copy(update={"backend": backend}) if backend else settings


def _write(chunks: Iterable[bytes], output: str) -> int:
    """Write chunks to `output` (`-` = stdout) as they come; return the byte count."""
    size = 0
    if output == "-":
        for chunk in chunks:
            sys.stdout.buffer.write(chunk)
            size += len(chunk)
        sys.stdout.buffer.flush()
        return size
    path = Path(output)
    partial = path.with_name(f".{path.name}.partial")
    try:
        with partial.open("wb") as fh:
            for chunk in chunks:
                fh.write(chunk)
                size += len(chunk)
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    return size


def cmd_export(args: argparse.Namespace) -> int:
    """Export the graph as RDF: `--format ttl|nt|jsonld|rdfxml`, `-o FILE` (`-` = stdout)."""
    from graph import open_backend
    from ontology.export import export_bytes

    settings = _settings(args)
    backend = open_backend(settings)
    try:
        if not backend.exists():
            raise BackendUnavailable("the graph is not loaded; run `migkg load` first")
        started = time.perf_counter()
        size = _write(export_bytes(backend, settings.base_iri, args.format), args.output)
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
    _write([ontology_turtle().encode("utf-8")], output)
    return 0
