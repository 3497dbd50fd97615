"""The fields a SPARQL 1.1 Protocol request may carry, checked before anything runs.

A query request takes `query` once, and `default-graph-uri` and
`named-graph-uri` any number of times (the Protocol's fields); our clients'
format override, `format`, `output` or `results` (SPARQLWrapper sends all
three, each with the format's name and, for some, its media type as a second
value). Any other field, a field repeated beyond that, or too many fields in
all is a 400 that names them: a typo (`qeury=`) is told, not ignored. The
store is one dataset, so a dataset given by `default-graph-uri` or
`named-graph-uri` is refused, as the Protocol allows, rather than ignored.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import parse_qsl

from migkg.exc import BadRequest

DATASET_FIELDS = ("default-graph-uri", "named-graph-uri")
FORMAT_FIELDS = ("format", "output", "results")
KNOWN = ("query", *DATASET_FIELDS, *FORMAT_FIELDS)
MAX_FIELDS = 16
MAX_FORMAT_VALUES = 2  # a format's name and its media type, as SPARQLWrapper sends them
MAX_VALUE_CHARS = 256  # any field but `query`, which sparql/check.py bounds


@dataclass(frozen=True)
class Fields:
    """The query (None if not given) and the first known format name asked for."""

    query: str | None
    format: str | None


def parse_form(text: str) -> list[tuple[str, str]]:
    """The fields of a form-encoded body, at most MAX_FIELDS of them."""
    try:
        return parse_qsl(text, keep_blank_values=True, max_num_fields=MAX_FIELDS)
    except ValueError:
        raise BadRequest(f"the form has {text.count('&') + 1:,} fields; at most {MAX_FIELDS} are "
                         f"accepted ({', '.join(KNOWN)})") from None


def read_fields(pairs: Iterable[tuple[str, str]], formats: Iterable[str],
                query_in_body: bool = False) -> Fields:
    """Check a request's fields (query string and form together) and pick out the query and
    the format; `formats` are the known format names, `query_in_body` says the body is
    the query (`application/sparql-query`), so no field may give one."""
    pairs = list(pairs)
    if len(pairs) > MAX_FIELDS:
        raise BadRequest(f"the request has {len(pairs)} fields; at most {MAX_FIELDS} are accepted")
    unknown = sorted({name for name, _ in pairs if name not in KNOWN})
    if unknown:
        shown = ", ".join(f"`{name[:40]}`" for name in unknown[:8])
        missing = "" if query_in_body or any(n == "query" for n, _ in pairs) else \
            "missing `query`, and "
        raise BadRequest(f"{missing}unknown field{'s' if len(unknown) > 1 else ''} {shown}: a "
                         f"SPARQL query takes {', '.join(KNOWN)}",
                         fields=[n[:40] for n in unknown[:8]])
    values: dict[str, list[str]] = {}
    for name, value in pairs:
        values.setdefault(name, []).append(value)
        if name != "query" and len(value) > MAX_VALUE_CHARS:
            raise BadRequest(f"field `{name}` has {len(value):,} characters; at most "
                             f"{MAX_VALUE_CHARS} are accepted", fields=[name])
    queries = values.get("query", [])
    if len(queries) + query_in_body > 1:
        where = " (the body is the query already)" if query_in_body else ""
        raise BadRequest(f"field `query` given {len(queries) + query_in_body} times{where}; give "
                         "it once", fields=["query"])
    repeated = [n for n in FORMAT_FIELDS if len(values.get(n, [])) > MAX_FORMAT_VALUES]
    if repeated:
        raise BadRequest(f"field `{repeated[0]}` given {len(values[repeated[0]])} times; give it "
                         f"once (or with the format's media type, twice)", fields=repeated)
    dataset = [n for n in DATASET_FIELDS if any(v.strip() for v in values.get(n, []))]
    if dataset:
        raise BadRequest(f"`{dataset[0]}` cannot be served: this endpoint answers over one "
                         "dataset, the graph's triples in the default graph; leave out "
                         f"{' and '.join(DATASET_FIELDS)}", fields=dataset)
    known = set(formats)
    fmt = next((v for n in FORMAT_FIELDS for v in values.get(n, []) if v.lower() in known), None)
    return Fields(queries[0] if queries else None, fmt)
