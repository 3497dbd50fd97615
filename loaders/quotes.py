"""The anchor stage: find every quote in its document's stored text and anchor it.

A data folder with a `sources/` folder has every cited document's text checked: a
quote not found is a problem at its `file:line`, like any other bad input. Each
source dict then gains `start` and `end` (its TextPositionSelector). A quote found
more than once is anchored to its first occurrence, with a warning. A folder with no
`sources/` at all (a unit-test fixture, a scratch folder) is read with a warning that
its quotes were not checked.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from loaders.facts import Entity, Relationship
from loaders.texts import SOURCES, FoldedText, TextProblem, read_text
from migkg.exc import Problem

Report = Callable[[str, int, str, str], None]
MAX_WARNINGS = 1000  # kept; the CLI prints a few and the count


def anchor_quotes(data_dir: Path, entities: Sequence[Entity], relationships: Sequence[Relationship],
                  problem: Report, warnings: list[Problem]) -> None:
    """Check and anchor every quote of `entities` and `relationships`."""
    folder = data_dir / SOURCES
    if not folder.is_dir():
        warnings.append(Problem(str(folder), 0, "", "no sources/ folder: quotes were not checked"))
        return
    texts: dict[str, FoldedText | None] = {}
    files: dict[str, str] = {}
    for e in entities:
        if e.kind != "Document":
            continue
        name = str(e.props.get("file", ""))
        files[e.id] = name
        if name in texts:
            continue
        try:
            texts[name] = read_text(folder, name)
        except TextProblem as err:
            texts[name] = None
            if err.field == "file":  # the Document's own value is wrong: say so there
                problem(e.file, e.line_of("file"), "file", f"{name!r}: {err.message}")
            else:
                problem(err.file, err.line, err.field, err.message)
    warned: set[tuple[str, str]] = set()
    items: list[Entity | Relationship] = [*entities, *relationships]
    for item in items:
        for j, source in enumerate(item.sources):
            doc, quote = source["doc"], source["quote"]
            text = texts.get(files.get(doc, ""))
            if text is None:  # an unknown document or an unusable text: reported already
                continue
            anchor = text.find(quote)
            if anchor is None:
                fld = f"sources[{j}].quote"
                problem(item.file, item.line_of(fld), fld,
                        f"quote not found in {doc} ({SOURCES}/{files[doc]}): {quote!r}")
                continue
            source["start"], source["end"] = anchor.start, anchor.end
            if anchor.repeated and (doc, quote) not in warned:
                warned.add((doc, quote))
                if len(warnings) < MAX_WARNINGS:
                    fld = f"sources[{j}].quote"
                    warnings.append(Problem(
                        item.file, item.line_of(fld), fld,
                        f"warning: quote occurs more than once in {doc}; anchored to its first "
                        f"occurrence at {anchor.start}-{anchor.end}: {quote!r}"))
