"""Engine errors worded once (graph/errors.py): parameter names found in statement text."""

from __future__ import annotations

import pytest

from graph.errors import locate, missing_parameters, parameter_names, statement_error, timed_out


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


# The engines' own texts, as they answer (FalkorDB 4, Neo4j 5.26).
FALKOR_SYNTAX = ("errMsg: Invalid input 'R': expected RETURN line: 3, column: 4, offset: 27 "
                 "errCtx: RETRUN n errCtxOffset: 3")
NEO4J_SYNTAX = ("Invalid input 'RETRUN': expected an expression, 'FOREACH' or <EOF> "
                "(line 3, column 1 (offset: 24))\n\"RETRUN n\"\n ^")
MULTI = "MATCH (n)\nWHERE n.x = 1\nRETRUN n"


@pytest.mark.parametrize(("message", "detail", "column"), [
    (FALKOR_SYNTAX, "Invalid input 'R': expected RETURN (line 3, column 4)", 4),
    (NEO4J_SYNTAX, "Invalid input 'RETRUN': expected an expression, 'FOREACH' or <EOF> (line 3, column 1)", 1),
])
def test_engine_positions_become_line_column_and_caret(message: str, detail: str, column: int) -> None:
    err = statement_error(MULTI, message)
    assert err.detail == detail
    assert err.extra == {"line": 3, "column": column, "offset": 23 + column, "context": "RETRUN n",
                         "caret": " " * (column - 1) + "^"}
    assert "errMsg" not in err.detail and "errCtx" not in err.detail and "\n" not in err.detail


def test_unpositioned_errors_point_at_the_name_they_quote() -> None:
    err = statement_error("MATCH (n)\nRETURN 'm', m // m\n", "'m' not defined")
    assert (err.extra["line"], err.extra["column"], err.extra["context"]) == (2, 13, "RETURN 'm', m // m")
    unknown = statement_error("RETURN nosuchfunction(1)", "Unknown function 'nosuchfunction'")
    assert unknown.extra["caret"] == "       ^" and unknown.detail.endswith("(line 1, column 8)")
    nowhere = statement_error("RETURN 1", "Something else went wrong")
    assert nowhere.detail == "Something else went wrong"
    assert nowhere.extra == {"line": None, "column": None, "offset": None, "context": None, "caret": None}


def test_locate_counts_from_one() -> None:
    assert locate("ab\ncd", 3) == {"line": 2, "column": 1, "offset": 3, "context": "cd", "caret": "^"}
    assert locate("ab", 99)["column"] == 3  # past the end: just after the last character
