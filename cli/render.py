"""How the CLI shows results: `table` (rich, wrapped), `json` or `csv`, and progress bars.

Cells read as a person writes them: evidence as quotes (“…” — document), paths as
`A -[TYPE]-> B`, nodes as `name (Kind id)`. Long text wraps inside its column; a
value longer than `MAX_CELL` characters is cut with an ellipsis, and a footnote
says so (the JSON and CSV formats always carry whole values).
"""

from __future__ import annotations

import csv
import json
import os
import sys
import time
from collections.abc import Mapping, Sequence
from types import TracebackType
from typing import Any, TextIO

from rich import box
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table
from rich.text import Text

from graph.backend import path_text

FORMATS = ("table", "json", "csv")
MAX_CELL = 400  # characters shown per table cell; the rest is behind an ellipsis
ELLIPSIS = "…"
MAX_WORD = 32  # a column of single words up to this long keeps its width
MIN_PROSE = 12  # narrowest a column of wrapped text gets
_WIDTH_OFF_TERMINAL = 160  # a pipe or a file: wide enough for ids and names


def console(file: TextIO | None = None) -> Console:
    """A console on `file` (stdout by default), wide when it is not a terminal."""
    out = file or sys.stdout
    tty = out.isatty()
    columns = os.environ.get("COLUMNS", "")
    width = int(columns) if columns.isdigit() and int(columns) >= 40 else None if tty else _WIDTH_OFF_TERMINAL
    return Console(file=out, width=width, soft_wrap=False,
                   highlight=False, emoji=False, markup=False, color_system="auto" if tty else None)


# -- one value as text ---------------------------------------------------------------------

def _node_text(node: Mapping[str, Any]) -> str:
    labels = node.get("_labels") or ([node["kind"]] if "kind" in node else [])
    ident = node.get("id", node.get("_eid", "?"))
    name = node.get("name")
    kind = ":".join(labels)
    return f"{name} ({kind} {ident})" if name and name != ident else f"({kind} {ident})"


def _evidence_text(item: Mapping[str, Any]) -> str:
    doc = item.get("doc") or item.get("document") or item.get("source")
    return f"“{item.get('quote', '')}”" + (f" — {doc}" if doc else "")


def cell_text(value: Any) -> str:
    """A result value as one readable string (lines joined with newlines)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, Mapping):
        if value.get("_path"):
            return path_text(value)
        if "_labels" in value:
            return _node_text(value)
        if "_type" in value:
            return f"-[{value['_type']}]->"
        if "quote" in value:
            return _evidence_text(value)
        if {"type", "from", "to"} <= value.keys():
            return f"{value['from']} -[{value['type']}]-> {value['to']}"
        if {"id", "kind"} <= value.keys():
            return _node_text(value)
        return ", ".join(f"{k}: {cell_text(v)}" for k, v in value.items() if not str(k).startswith("_"))
    if isinstance(value, Sequence):
        return "\n".join(cell_text(v) for v in value)
    return str(value)


def _widths(columns: Sequence[str], texts: list[list[str]], total: int) -> list[int | None] | None:
    """Column widths for `total` characters: single words (ids, dates) keep their width,
    prose columns share the rest, each up to its natural width (water-filling).
    None everywhere when the table fits as it is; None when it cannot fit."""
    n = len(columns)
    natural = [max([len(c), *(len(line) for r in texts for line in r[i].splitlines())])
               for i, c in enumerate(columns)]
    avail = total - 3 * (n - 1)  # padding either side of each inner edge, and the edge
    if sum(natural) <= avail:
        return [None] * n
    fixed = [i for i in range(n) if natural[i] <= MAX_WORD and all(" " not in r[i] for r in texts)]
    prose = sorted((i for i in range(n) if i not in fixed), key=lambda i: natural[i])
    rest = avail - sum(natural[i] for i in fixed)
    if rest < MIN_PROSE * len(prose) or (not prose and rest < 0):
        return None
    widths: list[int | None] = [natural[i] if i in fixed else None for i in range(n)]
    for k, i in enumerate(prose):
        share = rest // (len(prose) - k)
        widths[i] = max(min(natural[i], share), MIN_PROSE)
        rest -= widths[i] or 0
    return widths


def _cut(text: str) -> tuple[str, bool]:
    return (text, False) if len(text) <= MAX_CELL else (text[: MAX_CELL - 1] + ELLIPSIS, True)


# -- whole results ---------------------------------------------------------------------------

def print_rows(columns: Sequence[str], rows: Sequence[Sequence[Any]], fmt: str = "table",
               out: TextIO | None = None, note: str = "") -> None:
    """Print a result in `fmt`: a wrapped table, JSON (`columns`, `rows`) or CSV."""
    out = out or sys.stdout
    if fmt == "json":
        out.write(json.dumps({"columns": list(columns), "rows": [list(r) for r in rows]},
                             ensure_ascii=False, default=str) + "\n")
        return
    if fmt == "csv":
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(columns)
        for row in rows:
            writer.writerow([v if isinstance(v, str) else cell_text(v) if v is not None else ""
                             for v in row])
        return
    cut_any = False
    texts: list[list[str]] = []
    for row in rows:
        cells = []
        for value in row:
            text, cut = _cut(cell_text(value))
            cut_any |= cut
            cells.append(text)
        texts.append(cells)
    con = console(out)
    with con.capture() as captured:
        _draw(con, columns, texts)
    # rich pads every line to the table's width: trailing blanks help nobody in a pipe
    out.write("".join(line.rstrip() + "\n" for line in captured.get().splitlines()))
    tail = f"({len(rows)} row{'' if len(rows) == 1 else 's'})"
    if cut_any:
        tail += f"; cells over {MAX_CELL} characters end in {ELLIPSIS} (--format json has them whole)"
    out.write(tail + note + "\n")


def _draw(con: Console, columns: Sequence[str], texts: list[list[str]]) -> None:
    widths = _widths(columns, texts, con.width)
    if widths is None:  # too many wide columns for the screen: one record at a time
        for number, cells in enumerate(texts, 1):
            con.rule(f"row {number}", align="left", characters="─")
            grid = Table.grid(padding=(0, 2))
            grid.add_column(no_wrap=True)
            grid.add_column(overflow="fold")
            for column, text in zip(columns, cells, strict=True):
                grid.add_row(column, text)
            con.print(grid)
    else:
        table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, expand=False)
        for column, width in zip(columns, widths, strict=True):
            table.add_column(column, overflow="fold", width=width)
        for cells in texts:
            table.add_row(*cells)
        con.print(table)


def print_counts(nodes: Mapping[str, int], rels: Mapping[str, int], fmt: str = "table",
                 out: TextIO | None = None) -> None:
    """Counts per node kind and relationship type."""
    out = out or sys.stdout
    if fmt == "json":
        out.write(json.dumps({"nodes": dict(nodes), "relationships": dict(rels)}, indent=2) + "\n")
        return
    if fmt == "csv":
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["what", "name", "count"])
        writer.writerows(["node", k, v] for k, v in sorted(nodes.items()))
        writer.writerows(["relationship", k, v] for k, v in sorted(rels.items()))
        return
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
    table.add_column("kind")
    table.add_column("count", justify="right")
    table.add_column("relationship")
    table.add_column("count", justify="right")
    left, right = sorted(nodes.items()), sorted(rels.items())
    for i in range(max(len(left), len(right))):
        k, n = left[i] if i < len(left) else ("", "")
        r, m = right[i] if i < len(right) else ("", "")
        table.add_row(k, str(n), r, str(m))
    table.add_row("total", str(sum(nodes.values())), "total", str(sum(rels.values())))
    console(out).print(table)


# -- progress -------------------------------------------------------------------------------

class RateColumn(ProgressColumn):
    """Rows per second, once there is a measure."""

    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        return Text(f"{speed:,.0f} rows/s" if speed else "")


class StageProgress:
    """Progress bars on stderr, one per stage (`nodes 5000/10000`), only on a terminal.

    Called as `progress(stage, done, total)` by the loader; off a terminal it says
    nothing, so logs and pipes stay clean.
    """

    def __init__(self, file: TextIO | None = None) -> None:
        self._file = file or sys.stderr
        self.enabled = self._file.isatty()
        self._bars: Progress | None = None
        self._tasks: dict[str, TaskID] = {}
        self.final: dict[str, tuple[int, int]] = {}
        self.started = time.perf_counter()

    def __enter__(self) -> StageProgress:
        if self.enabled:
            self._bars = Progress(TextColumn("  {task.description}"), BarColumn(), MofNCompleteColumn(),
                                  RateColumn(), TimeElapsedColumn(), console=Console(file=self._file),
                                  transient=False)
            self._bars.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, err: BaseException | None,
                 tb: TracebackType | None) -> None:
        if self._bars is not None:
            self._bars.stop()

    def __call__(self, stage: str, done: int, total: int) -> None:
        self.final[stage] = (done, total)
        if self._bars is None:
            return
        if stage not in self._tasks:
            self._tasks[stage] = self._bars.add_task(f"loading {stage}", total=total)
        self._bars.update(self._tasks[stage], completed=done, total=total)


class ByteProgress:
    """Bytes written so far, on stderr, only on a terminal (an export's size is not known ahead)."""

    def __init__(self, label: str, file: TextIO | None = None, enabled: bool = True) -> None:
        self._file = file or sys.stderr
        self._label = label
        self._enabled = enabled
        self._bars: Progress | None = None
        self._task: TaskID | None = None

    def __enter__(self) -> ByteProgress:
        if self._enabled and self._file.isatty():
            from rich.progress import DownloadColumn, SpinnerColumn, TransferSpeedColumn

            self._bars = Progress(SpinnerColumn(), TextColumn("  {task.description}"), DownloadColumn(),
                                  TransferSpeedColumn(), TimeElapsedColumn(),
                                  console=Console(file=self._file), transient=True)
            self._bars.start()
            self._task = self._bars.add_task(self._label, total=None)
        return self

    def __exit__(self, kind: type[BaseException] | None, err: BaseException | None,
                 tb: TracebackType | None) -> None:
        if self._bars is not None:
            self._bars.stop()

    def advance(self, size: int) -> None:
        if self._bars is not None and self._task is not None:
            self._bars.advance(self._task, size)
