"""Static checks as part of the suite: ruff everywhere, mypy --strict on the packages."""

from __future__ import annotations

import subprocess
import sys

from conftest import ROOT


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=600)


def test_ruff() -> None:
    run = _run("ruff", "check", ".")
    assert run.returncode == 0, run.stdout + run.stderr


def test_mypy_strict() -> None:
    run = _run("mypy")  # packages and strictness come from pyproject.toml
    assert run.returncode == 0, run.stdout + run.stderr
