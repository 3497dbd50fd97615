"""Every statement the project sends is valid Neo4j Cypher, checked by Neo4j's own parser.

Runs last (by name): besides every `cypher/*.cypher` file, every loader statement for
every kind and relationship combination in the schema and the RDF export's reads of
every kind and relationship type, it checks all the
statements that reached the embedded engine during this test session. Most of them
were linted already, in the background while the other tests ran (tests/conftest.py).
"""

from __future__ import annotations

import pytest

from conftest import RECORDED
from cypher import get_registry
from cypher_lint.neo4j_lint import format_problems, lint
from graph.schema import get_schema
from loaders.write import META_STATEMENT, node_statement, rel_statement
from ontology import describe, export


def generated_statements() -> set[str]:
    schema = get_schema()
    out = {META_STATEMENT}
    out |= {node_statement(schema, kind) for kind in schema.nodes}
    for rel in schema.relationships.values():
        out |= {rel_statement(schema, rel.name, s, t) for s in rel.source for t in rel.target}
    out |= {f"CREATE INDEX FOR (n:{schema.node(k).label}) ON (n.id)" for k in schema.nodes}
    # the RDF export's and the /id pages' reads, for every kind and relationship type
    out |= {export.META_STATEMENT, describe.ALL_KEYS, describe.KEY_STATEMENT}
    for kind in schema.nodes:
        out |= {export.node_statement(schema, kind), export.node_statement(schema, kind, by_id=True),
                *describe.relationship_statements(schema, kind)}
    out |= {export.relationship_statement(schema, r) for r in schema.relationships}
    return out


def static_statements() -> set[str]:
    """The named queries and the loader's statements: known before any test runs."""
    reg = get_registry()
    return {reg.get(n).cypher for n in reg.names()} | generated_statements()


def test_every_statement_is_valid_neo4j_cypher() -> None:
    statements = static_statements() | RECORDED
    if RECORDED.linter is not None:  # conftest's background linter: keep what it finished
        RECORDED.linter.stop()
        RECORDED.linter = None
    results = lint(sorted(statements))
    problems = {s: d for s, d in results.items() if d}
    assert not problems, format_problems(problems)
    assert len(statements) > 60


def test_the_checker_catches_non_neo4j_cypher() -> None:
    results = lint(["MATCH (n RETURN n", "RETURN vecf32([1.0]) AS v"])
    assert all(results.values())
    if not RECORDED:
        pytest.skip("no statements recorded: run the whole suite to check them")
