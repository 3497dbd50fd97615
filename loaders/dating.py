"""Curation rules for dates: ranges with their basis, dates within them, stated order.

Run by the check stage with the other cross-fact rules (`Checker.cross_check`), once
every file is read, because a relative date is checked against the item it is stated
against. Each problem names the item's file, line and the field to change;
data/README.md states the rules in words.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from loaders.facts import Entity
from migkg.dates import RELATION_DAYS, bounds, first_day, last_day, shift

ProblemSink = Callable[[str, int, str, str], None]
# The kinds with a date, a range and a relative date (ontology/schema.yaml).
DATED = ("Document", "Event", "Agreement", "Policy")


def check_dates(entities: Iterable[Entity], problem: ProblemSink) -> None:
    """Report every breach through `problem(file, line, field, message)`:
    - a range (date_earliest, date_latest) or a relative date carries date_basis;
    - date_earliest is not after date_latest;
    - a date lies within its range (a month or a year overlaps it);
    - date_relative_to names a dated item (not itself, no circle) and comes with
      date_relation, and the range agrees with that item's: the same days moved by
      the relation ('yesterday': one day earlier), or no later than it ('before') or
      no earlier ('after');
    - status_as_of goes with a status."""
    dated = {e.id: e for e in entities if e.kind in DATED}
    for e in dated.values():
        _own(e, problem)
    for e in dated.values():
        _relative(e, dated, problem)


def _own(e: Entity, problem: ProblemSink) -> None:
    p = e.props
    earliest, latest, date = p.get("date_earliest"), p.get("date_latest"), p.get("date")
    for name in ("date_earliest", "date_latest"):
        if p.get(name) is not None and not p.get("date_basis"):
            problem(e.file, e.line_of(name), "date_basis",
                    f"{e.id}: a date range ({name}: {p[name]}) needs date_basis: the words "
                    "of the text it rests on and the reasoning from them")
    if earliest and latest and first_day(earliest) > last_day(latest):
        problem(e.file, e.line_of("date_latest"), "date_latest",
                f"{e.id}: date_latest {latest} is before date_earliest {earliest}")
    if date and ((earliest and last_day(date) < first_day(earliest))
                 or (latest and first_day(date) > last_day(latest))):
        problem(e.file, e.line_of("date"), "date",
                f"{e.id}: date {date} lies outside its range "
                f"({earliest or 'open'} to {latest or 'open'})")
    if p.get("status_as_of") and not p.get("status"):
        problem(e.file, e.line_of("status_as_of"), "status",
                f"{e.id}: status_as_of is the date of the source a status is read from: "
                "add the status")


def _relative(e: Entity, dated: dict[str, Entity], problem: ProblemSink) -> None:
    p = e.props
    anchor_id, relation = p.get("date_relative_to"), p.get("date_relation")
    if anchor_id is None and relation is None:
        return
    if anchor_id is None or relation is None:
        missing = "date_relation" if relation is None else "date_relative_to"
        problem(e.file, e.line_of("date_relative_to" if anchor_id else "date_relation"),
                missing, f"{e.id}: date_relative_to and date_relation go together "
                f"(the item the text dates this one against, and how): add {missing}")
        return
    if not p.get("date_basis"):
        problem(e.file, e.line_of("date_relative_to"), "date_basis",
                f"{e.id}: a relative date needs date_basis: the words ('Yesterday, I "
                "signed') and the reasoning")
    anchor = dated.get(anchor_id)
    if anchor is None or anchor_id == e.id:
        problem(e.file, e.line_of("date_relative_to"), "date_relative_to",
                f"{e.id}: date_relative_to {anchor_id!r} is not "
                + ("another item" if anchor_id == e.id else
                   "the id of a document, event, agreement or policy"))
        return
    if _circle(e.id, dated):
        problem(e.file, e.line_of("date_relative_to"), "date_relative_to",
                f"{e.id}: relative dates go round in a circle through {anchor_id!r}")
        return
    mine, theirs = bounds(p), bounds(anchor.props)
    days = RELATION_DAYS[relation]
    if days is not None:
        for i, name in enumerate(("date_earliest", "date_latest")):
            day = theirs[i]
            want = None if day is None else shift(day, days)
            if mine[i] != want:
                problem(e.file, e.line_of(name), name,
                        f"{e.id}: {relation.replace('_', ' ')} {anchor_id} "
                        f"({_range(theirs)}), so its {name.removeprefix('date_')} day is "
                        f"{want or 'open'}, not {mine[i] or 'open'}")
        return
    side, name = (1, "date_latest") if relation == "before" else (0, "date_earliest")
    limit, own = theirs[side], mine[side]
    if limit is not None and (own is None or (
            own > limit if relation == "before" else own < limit)):
        problem(e.file, e.line_of(name), name,
                f"{e.id}: {relation} {anchor_id} ({_range(theirs)}), so {name} is at "
                f"{'most' if relation == 'before' else 'least'} {limit}, "
                f"not {own or 'open'}")


def _range(b: tuple[str | None, str | None]) -> str:
    return f"{b[0] or 'open'} to {b[1] or 'open'}"


def _circle(start: str, dated: dict[str, Entity]) -> bool:
    seen, here = {start}, dated[start].props.get("date_relative_to")
    while isinstance(here, str) and here in dated:
        if here in seen:
            return True
        seen.add(here)
        here = dated[here].props.get("date_relative_to")
    return False
