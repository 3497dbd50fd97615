"""Benchmarks reach the test suite's helpers: the local Neo4j launcher (tests/neo4j_local.py)."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
