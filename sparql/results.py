"""SPARQL results in the standard formats, written from terms already cut at the row cap.

Oxigraph serialises whole result sets; writing them here lets the cap apply
while solutions are read. Formats: SPARQL 1.1 Query Results JSON, XML, CSV and
TSV for SELECT and ASK; Turtle, N-Triples, JSON-LD and RDF/XML (Oxigraph's own
writers) for CONSTRUCT and DESCRIBE.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import escape, quoteattr

import pyoxigraph as ox

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
SPARQL_NS = "http://www.w3.org/2005/sparql-results#"


@dataclass(frozen=True)
class ResultFormat:
    name: str
    media_type: str


# Order is the server's preference when the client accepts several equally.
TABLE_FORMATS = [ResultFormat("json", "application/sparql-results+json"),
                 ResultFormat("xml", "application/sparql-results+xml"),
                 ResultFormat("csv", "text/csv"),
                 ResultFormat("tsv", "text/tab-separated-values")]
GRAPH_FORMATS = [ResultFormat("ttl", "text/turtle"),
                 ResultFormat("nt", "application/n-triples"),
                 ResultFormat("jsonld", "application/ld+json"),
                 ResultFormat("rdfxml", "application/rdf+xml")]
_GRAPH_WRITERS = {"ttl": ox.RdfFormat.TURTLE, "nt": ox.RdfFormat.N_TRIPLES,
                  "jsonld": ox.RdfFormat.JSON_LD, "rdfxml": ox.RdfFormat.RDF_XML}
Term = Any  # a pyoxigraph NamedNode, BlankNode, Literal (or Triple), or None when unbound


def _json_term(term: Term) -> dict[str, str]:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        out = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype.value != XSD_STRING:
            out["datatype"] = term.datatype.value
        return out
    return {"type": "triple", "value": str(term)}


def to_json(variables: Sequence[str], rows: Sequence[Sequence[Term]] | None,
            boolean: bool | None = None) -> bytes:
    if rows is None:
        return json.dumps({"head": {}, "boolean": bool(boolean)}).encode()
    bindings = [{v: _json_term(t) for v, t in zip(variables, row, strict=True) if t is not None}
                for row in rows]
    return json.dumps({"head": {"vars": list(variables)}, "results": {"bindings": bindings}},
                      ensure_ascii=False).encode()


def _xml_term(term: Term) -> str:
    if isinstance(term, ox.NamedNode):
        return f"<uri>{escape(term.value)}</uri>"
    if isinstance(term, ox.BlankNode):
        return f"<bnode>{escape(term.value)}</bnode>"
    if isinstance(term, ox.Literal):
        if term.language:
            return f"<literal xml:lang={quoteattr(term.language)}>{escape(term.value)}</literal>"
        if term.datatype.value != XSD_STRING:
            return f"<literal datatype={quoteattr(term.datatype.value)}>{escape(term.value)}</literal>"
        return f"<literal>{escape(term.value)}</literal>"
    return f"<literal>{escape(str(term))}</literal>"


def to_xml(variables: Sequence[str], rows: Sequence[Sequence[Term]] | None,
           boolean: bool | None = None) -> bytes:
    out = ['<?xml version="1.0" encoding="utf-8"?>', f'<sparql xmlns="{SPARQL_NS}">', "<head>"]
    if rows is None:
        out += ["</head>", f"<boolean>{'true' if boolean else 'false'}</boolean>", "</sparql>"]
        return "\n".join(out).encode()
    out += [f"<variable name={quoteattr(v)}/>" for v in variables]
    out += ["</head>", "<results>"]
    for row in rows:
        out.append("<result>")
        out += [f"<binding name={quoteattr(v)}>{_xml_term(t)}</binding>"
                for v, t in zip(variables, row, strict=True) if t is not None]
        out.append("</result>")
    out += ["</results>", "</sparql>"]
    return "\n".join(out).encode()


def _csv_term(term: Term) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    if isinstance(term, ox.NamedNode | ox.Literal):
        return str(term.value)
    return str(term)


def to_csv(variables: Sequence[str], rows: Sequence[Sequence[Term]] | None,
           boolean: bool | None = None) -> bytes:
    """SPARQL 1.1 CSV: plain values, CRLF line ends; ASK (undefined there) gives `true`/`false`."""
    buf = io.StringIO()
    if rows is None:
        return f"_askResult\r\n{'true' if boolean else 'false'}\r\n".encode()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(variables)
    for row in rows:
        writer.writerow([_csv_term(t) for t in row])
    return buf.getvalue().encode()


def _tsv_term(term: Term) -> str:
    """RDF term syntax (as in Turtle / N-Triples); tabs and newlines escaped."""
    if term is None:
        return ""
    if isinstance(term, ox.Literal) and not term.language and term.datatype.value == XSD_STRING:
        value = term.value.replace("\\", "\\\\").replace('"', '\\"')
        text = f'"{value}"'
    else:
        text = str(term)
    return text.replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def to_tsv(variables: Sequence[str], rows: Sequence[Sequence[Term]] | None,
           boolean: bool | None = None) -> bytes:
    if rows is None:
        return f"?_askResult\n{'true' if boolean else 'false'}\n".encode()
    lines = ["\t".join(f"?{v}" for v in variables)]
    lines += ["\t".join(_tsv_term(t) for t in row) for row in rows]
    return ("\n".join(lines) + "\n").encode()


TABLE_WRITERS = {"json": to_json, "xml": to_xml, "csv": to_csv, "tsv": to_tsv}


def graph_bytes(triples: Sequence[Any], fmt: str, prefixes: dict[str, str] | None = None) -> bytes:
    """CONSTRUCT / DESCRIBE triples in an RDF format (prefixes shorten Turtle and RDF/XML)."""
    writer = _GRAPH_WRITERS[fmt]
    use = prefixes if fmt in ("ttl", "rdfxml") else None
    data = ox.serialize(triples, format=writer, prefixes=use) if use else ox.serialize(
        triples, format=writer)
    return data or b""
