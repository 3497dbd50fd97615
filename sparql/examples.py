"""Example SPARQL queries: `ontology/queries/<name>.rq`, each with a YAML header in comments.

    # title: Agreements covering a country
    # description: |
    #   ...
    # twin: {query: agreements_covering_country, params: {country: RS}}
    PREFIX migkg: <https://w3id.org/migkg/ontology#>
    SELECT ...

`twin` names the named Cypher query (`cypher/`) that answers the same question,
with its parameters and, optionally, the columns compared; a test holds each
example to its twin on the curated data.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

QUERY_DIR = Path(__file__).resolve().parent.parent / "ontology" / "queries"


@dataclass(frozen=True)
class Example:
    name: str
    title: str
    description: str
    query: str
    twin: dict[str, Any] = field(default_factory=dict)


def parse_example(path: Path) -> Example:
    """One `.rq` file; a missing title or description is an error naming the file."""
    text = path.read_text(encoding="utf-8")
    header: list[str] = []
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        header.append(line[2:] if line.startswith("# ") else line[1:])
    meta = yaml.safe_load("\n".join(header)) or {}
    if not isinstance(meta, dict) or not meta.get("title") or not meta.get("description"):
        raise ValueError(f"{path}: the header needs a title and a description")
    return Example(path.stem, str(meta["title"]), " ".join(str(meta["description"]).split()),
                   text, dict(meta.get("twin") or {}))


@lru_cache(maxsize=1)
def examples() -> tuple[Example, ...]:
    """Every example, by name."""
    return tuple(parse_example(p) for p in sorted(QUERY_DIR.glob("*.rq")))
