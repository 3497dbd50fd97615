"""Validate Cypher statements with Neo4j's own parser and semantic checker.

Runs ``lint.mjs`` (beside this file) under Node, which calls ``lintCypherQuery``
from the npm package ``@neo4j-cypher/language-support``. One Node process
lints the whole batch. Standard library only.

Usage in a test::

    from cypher_lint.neo4j_lint import lint   # or tests.cypher_lint.neo4j_lint

    problems = {s: d for s, d in lint(statements).items() if d}
    assert not problems

Each diagnostic is a dict ``{"message": str, "severity": "Error" | "Warning"
| "Information" | "Hint", "line": int, "column": int}`` (1-based positions).
Labels, relationship types, property keys and parameters are not checked;
functions and procedures must exist in core Neo4j (no APOC/GDS by default).
"""

from __future__ import annotations

import json
import queue
import shutil
import subprocess
import threading
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
LINT_SCRIPT = HERE / "lint.mjs"
PACKAGE_DIR = HERE / "node_modules" / "@neo4j-cypher" / "language-support"
INSTALL_HINT = "run `npm ci --prefix tests/cypher_lint` from the repository root"

Diagnostic = dict[str, Any]
# Every statement linted in this process, by (options, statement): Neo4j's checker takes
# 50-150 ms a statement, and the test session asks about many statements more than once.
_DONE: dict[tuple[str, bool, str], list[Diagnostic]] = {}


def available() -> bool:
    """True when Node and the npm dependencies are installed (for skip markers)."""
    return shutil.which("node") is not None and (PACKAGE_DIR / "package.json").is_file()


def lint(
    statements: list[str],
    *,
    cypher_version: str = "CYPHER 5",
    include_plugins: bool = False,
    timeout: float = 300.0,
) -> dict[str, list[Diagnostic]]:
    """Lint each statement; return ``{statement: [diagnostic, ...]}``.

    A statement with no problems maps to an empty list. Both errors and
    warnings (e.g. deprecations such as ``id()``) are returned.
    Duplicate statements collapse into one key.

    Raises RuntimeError if ``node`` is not on PATH, if the npm dependencies
    are not installed, or if the linter process fails.
    """
    statements = list(statements)
    if not all(isinstance(s, str) for s in statements):
        raise TypeError("lint() expects a list of str")
    node = shutil.which("node")
    if node is None:
        raise RuntimeError(
            "Cypher lint needs Node.js (`node` was not found on PATH); install Node, "
            f"then {INSTALL_HINT}"
        )
    if not (PACKAGE_DIR / "package.json").is_file():
        raise RuntimeError(
            f"Cypher lint dependencies are missing ({PACKAGE_DIR} not found); {INSTALL_HINT}"
        )
    todo = sorted({s for s in statements if (cypher_version, include_plugins, s) not in _DONE})
    if todo:
        for statement, diagnostics in _run(node, todo, cypher_version, include_plugins,
                                           timeout).items():
            _DONE[(cypher_version, include_plugins, statement)] = diagnostics
    return {s: list(_DONE[(cypher_version, include_plugins, s)]) for s in statements}


def _run(node: str, statements: list[str], cypher_version: str, include_plugins: bool,
         timeout: float) -> dict[str, list[Diagnostic]]:
    args = [node, str(LINT_SCRIPT), "--cypher-version", cypher_version]
    if include_plugins:
        args.append("--include-plugins")
    try:
        proc = subprocess.run(
            args,
            input=json.dumps(statements),
            capture_output=True,
            text=True,
            encoding="utf-8",
            cwd=HERE,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise RuntimeError(f"Cypher lint timed out after {timeout} s") from exc
    if proc.returncode != 0:
        raise RuntimeError(
            f"Cypher lint failed (exit {proc.returncode}): {proc.stderr.strip()[-4000:]}"
        )
    try:
        results = json.loads(proc.stdout)
    except json.JSONDecodeError as exc:
        raise RuntimeError(f"Cypher lint printed invalid JSON: {proc.stdout[:500]!r}") from exc
    if not isinstance(results, list) or len(results) != len(statements):
        raise RuntimeError("Cypher lint returned an unexpected result shape")

    out: dict[str, list[Diagnostic]] = {}
    for statement, result in zip(statements, results, strict=True):
        out[statement] = list(result["diagnostics"])
    return out


class Background:
    """A Node process that lints statements while the tests run, at low priority.

    `submit()` never blocks; each result lands in lint()'s cache as soon as it is ready,
    so the final check lints only what the background has not reached. `stop()` ends
    the process and keeps what it finished.
    """

    def __init__(self, cypher_version: str = "CYPHER 5") -> None:
        node = shutil.which("node")
        if node is None or not available():
            raise RuntimeError(f"Cypher lint needs Node.js and its dependencies; {INSTALL_HINT}")
        nice = shutil.which("nice")
        self._version = cypher_version
        self._proc = subprocess.Popen(
            [*([nice, "-n", "10"] if nice else []), node, str(LINT_SCRIPT),
             "--cypher-version", cypher_version, "--stream"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
            text=True, encoding="utf-8", cwd=HERE)
        self._queue: queue.SimpleQueue[str | None] = queue.SimpleQueue()
        self._writer = threading.Thread(target=self._write, daemon=True, name="lint-writer")
        self._reader = threading.Thread(target=self._read, daemon=True, name="lint-reader")
        self._writer.start()
        self._reader.start()

    def submit(self, statement: str) -> None:
        self._queue.put(statement)

    def _write(self) -> None:
        stdin = self._proc.stdin
        assert stdin is not None
        try:
            while (statement := self._queue.get()) is not None:
                if (self._version, False, statement) not in _DONE:
                    stdin.write(json.dumps(statement) + "\n")
                    stdin.flush()
        except (BrokenPipeError, ValueError):  # stopped
            return

    def _read(self) -> None:
        stdout = self._proc.stdout
        assert stdout is not None
        for line in stdout:
            try:
                result = json.loads(line)
            except json.JSONDecodeError:
                return
            _DONE[(self._version, False, result["statement"])] = list(result["diagnostics"])

    def stop(self) -> None:
        self._queue.put(None)
        self._proc.kill()
        self._proc.wait()
        self._reader.join()


def format_problems(results: dict[str, list[Diagnostic]]) -> str:
    """Human-readable report of the statements that have diagnostics."""
    lines: list[str] = []
    for statement, diagnostics in results.items():
        if not diagnostics:
            continue
        lines.append(statement)
        for d in diagnostics:
            lines.append(f"    {d['severity']} at {d['line']}:{d['column']}: {d['message']}")
    return "\n".join(lines)


if __name__ == "__main__":  # pragma: no cover - manual use
    import sys

    stmts = json.load(sys.stdin)
    report = format_problems(lint(stmts))
    print(report or "no diagnostics")
    sys.exit(1 if report else 0)
