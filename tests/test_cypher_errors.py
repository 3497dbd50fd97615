"""Engine errors worded once (graph/errors.py): parameter names found in statement text."""

from __future__ import annotations

import pytest

from graph.errors import missing_parameters, parameter_names, timed_out


@pytest.mark.parametrize(("cypher", "names"), [
    ("RETURN $a, $b, $a", ["a", "b"]),
    ("MATCH (n {id: $id}) WHERE n.x = '$notme' RETURN n", ["id"]),
    ('RETURN "a $quoted \\" $still" AS s, $real', ["real"]),
    ("RETURN 1 // $comment\n, $after", ["after"]),
    ("RETURN /* $block\n $more */ $x", ["x"]),
    ("RETURN $`odd name`, `$backticked`", ["odd name"]),
    ("RETURN 'it''s' AS s", []),
])
def test_parameter_names_skip_strings_comments_and_names(cypher: str, names: list[str]) -> None:
    assert parameter_names(cypher) == names


def test_missing_parameters_are_named() -> None:
    err = missing_parameters("MATCH (n {id: $id}) RETURN n, $limit", {"limit": 3})
    assert err.detail.startswith("missing parameter: $id ")
    assert err.extra == {"missing": ["id"]}
    two = missing_parameters("RETURN $a, $b", {})
    assert two.detail.startswith("missing parameters: $a, $b ")


def test_timeouts_name_the_limit() -> None:
    assert timed_out(1500).detail == "the query did not finish within 1500 ms"
    assert timed_out(None).detail == "the query did not finish within the time limit"
