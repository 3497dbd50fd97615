"""Generated sections of `docs/` (schema tables, settings, CLI reference), so the docs cannot drift.

`python -m cli.docs` rewrites them in place; tests/test_docs.py fails when stale.
A section sits between `<!-- name:start -->` and `<!-- name:end -->` in its file.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

from graph.schema import Schema, get_schema
from migkg.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
DOCS = ROOT / "docs"


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


def _option(action: argparse.Action) -> str:
    flag = max(action.option_strings, key=len)
    if action.nargs == 0:
        text = flag
    elif action.choices:
        text = f"{flag} {'|'.join(map(str, action.choices))}"
    else:
        text = f"{flag} {action.metavar or action.dest.upper()}"
    return text if action.required else f"[{text}]"


def cli_markdown() -> str:
    """One row per command: its usage, built from the parser itself, and what it does."""
    from cli.main import build_parser

    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    lines = ["| Command | What it does |", "|---|---|"]
    helps = {a.dest: a.help for a in sub._choices_actions}
    for verb, p in sub.choices.items():
        words = [f"migkg {verb}"]
        for action in p._actions:
            if isinstance(action, argparse._HelpAction):
                continue
            if action.option_strings:
                words.append(_option(action))
            else:
                words.append(f"[{action.metavar or action.dest.upper()}]"
                             if action.nargs == "?" else action.metavar or action.dest.upper())
        usage = " ".join(words).replace("|", "\\|")
        lines.append(f"| `{usage}` | {helps.get(verb) or ''} |")
    return "\n".join(lines)


def examples_markdown() -> str:
    """Every command's examples, as `migkg COMMAND --help` ends with them."""
    from cli.base import examples_text
    from cli.main import build_parser

    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    blocks = [examples_text(p.examples, indent="") for p in sub.choices.values()
              if getattr(p, "examples", None)]
    return "```sh\n" + "\n".join(blocks) + "\n```"


def _schema_section() -> str:
    return schema_markdown(get_schema())


# Which generated section lives in which file.
SECTIONS: dict[str, tuple[Path, Callable[[], str]]] = {
    "schema": (DOCS / "schema.md", _schema_section),
    "settings": (DOCS / "cli.md", settings_markdown),
    "cli": (DOCS / "cli.md", cli_markdown),
    "cli-examples": (DOCS / "cli.md", examples_markdown),
}
FILES = sorted({path for path, _ in SECTIONS.values()})


def render(text: str, names: list[str] | None = None) -> str:
    """`text` with each generated section (all, or those in `names`) rewritten."""
    for name, (_, make) in SECTIONS.items():
        if names is not None and name not in names:
            continue
        start, end = f"<!-- {name}:start -->\n", f"<!-- {name}:end -->"
        head, _, rest = text.partition(start)
        _, _, tail = rest.partition(end)
        if rest:
            text = f"{head}{start}{make()}\n{end}{tail}"
    return text


def render_file(path: Path) -> str:
    """The file's text with the sections that belong to it rewritten."""
    names = [name for name, (where, _) in SECTIONS.items() if where == path]
    return render(path.read_text(encoding="utf-8"), names)


if __name__ == "__main__":
    for path in FILES:
        path.write_text(render_file(path), encoding="utf-8")
    sys.exit(0)
