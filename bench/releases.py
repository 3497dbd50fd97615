"""Releases at scale: what a release costs against a full load, and how fast changes answer.

    .venv/bin/python bench/releases.py DATA WORK      # DATA: a folder (bench/synthetic_data.py)
    LOAD=0 .venv/bin/python bench/releases.py DATA WORK   # without the full-load baseline

In WORK it copies DATA (without any releases/) and, each command a real `migkg` process
under `/usr/bin/time -v` (peak RSS), in one run:

- the baseline: `migkg load --full` of the folder (graph and SPARQL store);
- `migkg release --version 1` (the file cache warm, as after that load);
- 50 entities renamed (100 statements: 50 removed, 50 added), `migkg release --version 2`;
- in process: reading both snapshots (the chain replayed and checked), then
  `Changes.between("1", "2")`, median of 7;
- `migkg changes --since 1 --json` end to end;
- the size of each release file.
"""

from __future__ import annotations

import os
import re
import shutil
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from matrix import VENV, timed  # noqa: E402

RENAMED = 50


def rename(data: Path, count: int) -> int:
    """Rename the first `count` organisations of the folder; how many were renamed."""
    done = 0
    for path in sorted(data.glob("organisation-*.yaml")):
        text = path.read_text(encoding="utf-8")
        for n in range(count):
            text, hit = re.subn(rf'name: "Organisation {n}"\n', f'name: "Organisation {n} (renamed)"\n',
                                text, count=1)
            done += hit
        path.write_text(text, encoding="utf-8")
        if done >= count:
            break
    return done


def main(data: Path, work: Path) -> None:
    folder = work / "data"
    if folder.exists():
        shutil.rmtree(folder)
    shutil.copytree(data, folder, ignore=shutil.ignore_patterns("releases"))
    env = {"MIGKG_HOME": str(work / "home"), "MIGKG_DATA": str(folder)}
    migkg = str(VENV / "migkg")
    rows: list[tuple[str, str, str]] = []
    full = None
    if os.environ.get("LOAD", "1") != "0":
        full = timed([migkg, "load", "--full"], env)
        rows.append(("`migkg load --full` (the baseline)", f"{full['s']:.1f} s",
                     f"{full['rss_mib']:,.0f} MiB"))
    first = timed([migkg, "release", "--version", "1"], env)
    ratio = f" = {first['s'] / full['s']:.1%} of the full load" if full else ""
    rows.append(("`migkg release` (first: every statement)", f"{first['s']:.1f} s{ratio}",
                 f"{first['rss_mib']:,.0f} MiB"))
    renamed = rename(folder, RENAMED)
    second = timed([migkg, "release", "--version", "2"], env)
    ratio = f" = {second['s'] / full['s']:.1%} of the full load" if full else ""
    rows.append((f"`migkg release` after {renamed} renames", f"{second['s']:.1f} s{ratio}",
                 f"{second['rss_mib']:,.0f} MiB"))

    from loaders.changes import Changes
    from loaders.releases import Releases

    releases = Releases(folder)
    started = time.perf_counter()
    releases.snapshot("1")
    releases.snapshot("2")
    read = time.perf_counter() - started
    rows.append(("reading both snapshots (replayed, digests checked)", f"{read:.2f} s", "—"))
    changes = Changes(releases)
    changes.between("1", "2")  # the snapshots' lookups, once
    times = []
    for _ in range(7):
        started = time.perf_counter()
        found = changes.between("1", "2")
        times.append(time.perf_counter() - started)
    rows.append((f"`Changes.between` ({found.statements} changed statements), median of 7",
                 f"{statistics.median(times) * 1000:.1f} ms", "—"))
    cli = timed([migkg, "changes", "--since", "1", "--json"], env)
    rows.append(("`migkg changes --since 1 --json` end to end", f"{cli['s']:.1f} s",
                 f"{cli['rss_mib']:,.0f} MiB"))
    for path in sorted((folder / "releases").glob("*.jsonl")):
        rows.append((f"release file {path.name}", f"{path.stat().st_size:,} bytes", "—"))
    print("| work | time | peak RSS |\n|---|---|---|")
    for work_, figure, rss in rows:
        print(f"| {work_} | {figure} | {rss} |")


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
