"""One set of format names for the CLI, the API and SPARQL: the files' own extensions.

- RDF: `ttl`, `nt`, `jsonld`, `rdf`: the extensions of `/v1/export.{ext}`
  (`ontology.export.FORMATS`; written out here so that `migkg --help` need not
  import rdflib, and tests/test_cli_help.py checks that the two agree).
- SPARQL results: `srj` (SPARQL JSON results), `srx` (SPARQL XML results), `csv`,
  `tsv`: the W3C's registered extensions. `json` stays the CLI's own
  `{"columns", "rows"}` shape, as for `migkg query`.

Old spellings are aliases (`rdfxml`, `turtle`, `ntriples`, `n-triples`, `json-ld`,
`xml`): argparse's `type=` turns them into the canonical name before `choices` is
checked, so `--help` and the usage error list only the canonical names.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable

# Canonical RDF names (extensions) and the `ontology.export.FORMATS` key each stands for.
RDF_FORMATS: dict[str, str] = {"ttl": "ttl", "nt": "nt", "jsonld": "jsonld", "rdf": "rdfxml"}
RDF_ALIASES: dict[str, str] = {"rdfxml": "rdf", "turtle": "ttl", "ntriples": "nt",
                               "n-triples": "nt", "json-ld": "jsonld"}
# SPARQL: the (table, graph) serialisation /sparql sends for each canonical name.
SPARQL_RAW: dict[str, tuple[str | None, str | None]] = {
    "srj": ("json", "jsonld"), "srx": ("xml", "rdfxml"), "tsv": ("tsv", None),
    **{ext: (None, key) for ext, key in RDF_FORMATS.items()},
}
SPARQL_ALIASES: dict[str, str] = {**RDF_ALIASES, "xml": "srx"}


def canonical(aliases: dict[str, str]) -> Callable[[str], str]:
    """An argparse `type=`: a format name, its aliases turned into the canonical name."""

    def convert(text: str) -> str:
        return aliases.get(text.lower(), text.lower())

    convert.__name__ = "format"  # argparse names the type in its error message
    return convert


def alias_note(aliases: dict[str, str]) -> str:
    """`rdfxml = rdf, turtle = ttl, ...` for a help text."""
    return ", ".join(f"{old} = {new}" for old, new in aliases.items())


def format_argument(p: argparse.ArgumentParser, names: list[str], aliases: dict[str, str],
                    default: str, what: str) -> None:
    """`--format NAME` with the canonical `names` and old spellings accepted as aliases."""
    p.add_argument("--format", type=canonical(aliases), choices=names, default=default,
                   dest="fmt", metavar="{" + ",".join(names) + "}",
                   help=f"{what} (default {default}; also accepted: {alias_note(aliases)})")
