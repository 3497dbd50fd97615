"""The anchor stage: find every quote in its document's stored text and anchor it.

A data folder with a `sources/` folder has every cited document's text checked: a
quote not found is a problem at its `file:line`, like any other bad input. Each
source dict then gains `start` and `end` (its TextPositionSelector). A quote found
more than once is anchored to its first occurrence, with a warning. A folder whose
Documents name text files but which has no `sources/` at all (a copy of `data/` that
lost it) is refused: none of its quotes could be checked. A scratch folder or a
unit-test fixture may be read anyway with `allow_unchecked=True`
(`--allow-unchecked-quotes`), with a warning that says so.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from loaders.facts import Entity, Relationship
from loaders.texts import SOURCES, FoldedText, TextProblem, read_text
from migkg.exc import Problem

Report = Callable[[str, int, str, str], None]
MAX_WARNINGS = 1000  # kept; the CLI prints a few and the count
UNCHECKED = f"no {SOURCES}/ folder: quotes were not checked"  # the warning, when allowed


def anchor_quotes(data_dir: Path, entities: Sequence[Entity], relationships: Sequence[Relationship],
                  problem: Report, warnings: list[Problem], *, allow_unchecked: bool = False) -> None:
    """Check and anchor every quote of `entities` and `relationships`.

    With no `sources/` folder while Documents name text files, that is one problem, or
    with `allow_unchecked` the warning `UNCHECKED`, and no quote is anchored.
    """
    folder = data_dir / SOURCES
    if not folder.is_dir():
        named = sum(1 for e in entities if e.kind == "Document" and e.props.get("file"))
        if not named:
            return  # nothing names a text: nothing to check
        if allow_unchecked:
            warnings.append(Problem(str(folder), 0, "", UNCHECKED))
        else:
            problem(str(folder), 0, "", f"no {SOURCES}/ folder: the texts of {named} "
                    f"document{'' if named == 1 else 's'} are missing, so no quote can be checked; "
                    "add them (`migkg sources add`) or pass --allow-unchecked-quotes")
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
