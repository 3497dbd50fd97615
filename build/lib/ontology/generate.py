"""Write the generated files in `ontology/`: `python -m ontology.generate`.

`migkg.ttl` (OWL), `shapes.ttl` (SHACL) and `context.jsonld` (JSON-LD context)
are committed for consumers who read the repository; `tests/test_ontology.py`
fails when they are stale against `schema.yaml`.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

from graph.schema import Schema
from ontology.context import context_json
from ontology.owl import ontology_turtle
from ontology.shapes import shapes_turtle

HERE = Path(__file__).resolve().parent
GENERATED: dict[str, Callable[[Schema | None], str]] = {
    "migkg.ttl": ontology_turtle,
    "shapes.ttl": shapes_turtle,
    "context.jsonld": context_json,
}


def write_all(folder: Path = HERE, schema: Schema | None = None) -> list[Path]:
    """Regenerate every file; return their paths."""
    written = []
    for name, render in GENERATED.items():
        path = folder / name
        path.write_text(render(schema), encoding="utf-8")
        written.append(path)
    return written


def main() -> int:
    for path in write_all():
        sys.stdout.write(f"wrote {path}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
