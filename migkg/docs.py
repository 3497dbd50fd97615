"""Generated README sections (schema, settings, CLI), so the docs cannot drift.

`python -m migkg.docs` rewrites them in place; tests/test_docs.py fails when stale.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

from graph.schema import Schema, get_schema
from migkg.settings import Settings

README = Path(__file__).resolve().parent.parent / "README.md"


def schema_markdown(schema: Schema) -> str:
    lines = ["| Node kind | IRI slug | Properties (required in **bold**) | Description |",
             "|---|---|---|---|"]
    common = set(schema.common)
    for kind in schema.nodes.values():
        props = [f"**{p.name}**" if p.required else p.name
                 for p in kind.properties.values() if p.name not in common]
        lines.append(f"| {kind.name} | `{kind.slug}` | {', '.join(props) or '-'} | "
                     f"{kind.description} |")
    lines += ["", "Every node also has " + ", ".join(
        f"**{p.name}**" if p.required else p.name for p in schema.common.values())
        + ", and `sources` (document id + verbatim quote) stored as `evidence_docs` / "
        "`evidence_quotes`.", "",
        "| Relationship | From | To | Properties | Description |", "|---|---|---|---|---|"]
    for rel in schema.relationships.values():
        props = [f"**{p.name}**" if p.required else p.name for p in rel.properties.values()
                 if p.name not in {"note", "confidence"}]
        lines.append(f"| `{rel.name}` | {', '.join(rel.source)} | {', '.join(rel.target)} | "
                     f"{', '.join(props) or '-'} | {rel.description} |")
    return "\n".join(lines)


def settings_markdown() -> str:
    lines = ["| Variable | Default | Description |", "|---|---|---|"]
    for name, field in Settings.model_fields.items():
        alias = field.validation_alias
        env = alias.choices[0] if alias is not None else f"MIGKG_{name.upper()}"  # type: ignore[union-attr]
        default = field.default if field.default_factory is None else field.default_factory()  # type: ignore[call-arg]
        if name == "neo4j_password":
            default = "`migkg-dev-password` (development only)"
        else:
            default = f"`{default}`"
        lines.append(f"| `{env}` | {default} | {field.description} |")
    return "\n".join(lines)


def _schema_section() -> str:
    return schema_markdown(get_schema())


SECTIONS: dict[str, Callable[[], str]] = {"schema": _schema_section, "settings": settings_markdown}


def render(text: str) -> str:
    """`text` with every generated section between its start and end markers rewritten."""
    for name, make in SECTIONS.items():
        start, end = f"<!-- {name}:start -->\n", f"<!-- {name}:end -->"
        head, _, rest = text.partition(start)
        _, _, tail = rest.partition(end)
        if rest:
            text = f"{head}{start}{make()}\n{end}{tail}"
    return text


if __name__ == "__main__":
    README.write_text(render(README.read_text(encoding="utf-8")), encoding="utf-8")
    sys.exit(0)
