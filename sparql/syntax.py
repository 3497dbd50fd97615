"""SPARQL syntax errors in our words: where (line and column) and what, in plain terms.

Oxigraph's parser (a PEG) says `error at 2:16: expected one of LATERAL, SERVICE, [_]`:
the furthest point it reached and every token its grammar could have taken there,
character classes included. That list is the grammar's, not the reader's. So the
mistakes we can name ourselves are found first, at their own place: a query that does
not start with a query form, a bracket closed twice or never, a string never closed,
an undeclared prefix. Otherwise the engine's place is kept and its list is read for
what it asks in general (a closing bracket, an expression, a term, a keyword), said
with the token found there.
"""

from __future__ import annotations

import re

from migkg.exc import QueryRejected
from ontology.vocab import PREFIXES
from sparql.check import blank_in_place, first_keyword, literal_spans

FORMS = ("SELECT", "CONSTRUCT", "ASK", "DESCRIBE")
_AT = re.compile(r"\bat (\d+):(\d+):?\s*(.*)", re.S)
_QUOTED = re.compile(r'"((?:[^"\\]|\\.)+)"')
_KEYWORD = re.compile(r"(?<![\w'\[])([A-Z][A-Za-z0-9]+)(?![\w'\]])")
# Keywords the grammar offers nearly everywhere, or that are Oxigraph's extensions: naming
# them would mislead (SERVICE is refused here anyway).
_NOISE = {"LATERAL", "SERVICE", "ADJUST", "TRIPLE", "SUBJECT", "PREDICATE", "OBJECT",
          "STRLANGDIR", "LANGDIR", "BIND", "OPTIONAL", "FILTER", "MINUS", "GRAPH", "UNION",
          "HAVING"}
# A character class of the grammar, such as `['A' ..= 'Z' | 'a' ..= 'z']`.
_CLASS = re.compile(r"\[(?:'(?:[^'\\]|\\.)*'|[^\]'])*\]")
_FUNCTIONS = {"ABS", "STR", "CONCAT", "STRLEN", "SUBSTR", "COUNT", "SUM", "MIN", "MAX",
              "AVG", "SAMPLE", "EXISTS", "NOT", "IRI", "URI", "NOW", "MD5", "BOUND"}
_SENTENCE = re.compile(r"(?:^|, |of )([A-Z][a-z]+(?: [\w-]+)+)(?=,|$)")
_PREFIXED = re.compile(r"(?<![\w?$:.\-])([A-Za-z][\w.\-]*)?:(?=[\w%\\])")
_DECLARED = re.compile(r"PREFIX\s+([A-Za-z][\w.\-]*)?:", re.I)
_TOKEN = re.compile(r"[?$]?\w+|\S")
_PAIRS = {"}": "{", ")": "(", "]": "["}
MAX_TOKEN = 40


def syntax_error(message: str, query: str = "") -> QueryRejected:
    """The parser's `message` about `query` as a problem: line, column and plain words."""
    m = _AT.search(message)
    if m is None:
        return QueryRejected("SPARQL syntax error: " + _short(" ".join(message.split()), 200))
    line, column = int(m.group(1)), int(m.group(2))
    expected = m.group(3)
    found = _ours(query, expected)
    if found is not None:
        offset, words = found
        line, column = _line_column(query, offset)
    else:
        words = _theirs(query, _offset(query, line, column), expected)
    return QueryRejected(f"SPARQL syntax error at line {line}, column {column}: {words}",
                         line=line, column=column)


def _ours(query: str, expected: str) -> tuple[int, str] | None:
    """A mistake named by looking at the query itself: where it is, and what it is."""
    code = blank_in_place(query)
    keyword = first_keyword(code)
    if keyword not in FORMS:
        word = re.search(r"\S+", _after_prologue(code))
        at = len(code) - len(_after_prologue(code)) + (word.start() if word else 0)
        if keyword == "PREFIX":
            return at, "a PREFIX declaration reads `PREFIX name: <iri>`"
        if not word:
            return len(query), "there is no SELECT, CONSTRUCT, ASK or DESCRIBE"
        return at, (f"a query starts with SELECT, CONSTRUCT, ASK or DESCRIBE (after any "
                    f"PREFIX and BASE lines), not `{_short(word.group(), MAX_TOKEN)}`")
    for start, text in literal_spans(query):
        if text[0] in "\"'" and not _closed(text):
            return start, "this string is never closed"
    bracket = _unbalanced(code)
    if bracket is not None:
        return bracket
    if "Prefix not found" in expected:
        declared = set(PREFIXES) | {p or "" for p in _DECLARED.findall(code)}
        for m in _PREFIXED.finditer(code):
            if (m.group(1) or "") not in declared:
                name = m.group(1) or ""
                return m.start(), (f"the prefix `{name}:` is not declared: add `PREFIX {name}: "
                                   "<…>` before the query (migkg:, rdf:, rdfs:, owl:, xsd:, "
                                   "prov:, dcterms:, skos: and others are predeclared)")
    return None


def _after_prologue(code: str) -> str:
    rest = code
    while m := re.match(r"\s*(?:PREFIX\s+[^\s:]*:\s*|BASE\s*)", rest, re.I):
        rest = rest[m.end():]
    return rest


def _closed(text: str) -> bool:
    quote = text[:3] if text[:3] in ('"""', "'''") else text[0]
    return len(text) >= 2 * len(quote) and text.endswith(quote) and not text.endswith(
        "\\" + quote)


def _unbalanced(code: str) -> tuple[int, str] | None:
    """The first bracket that closes nothing or the wrong one, or the last never closed."""
    stack: list[tuple[str, int]] = []
    for i, ch in enumerate(code):
        if ch in "{([":
            stack.append((ch, i))
        elif ch in _PAIRS:
            if not stack:
                return i, f"`{ch}` closes nothing: no `{_PAIRS[ch]}` is open before it"
            opened, at = stack.pop()
            if opened != _PAIRS[ch]:
                line, column = _line_column(code, at)
                return i, (f"`{ch}` here, but the `{opened}` at line {line}, column {column} "
                           "is not closed yet")
    if stack:
        opened, at = stack[-1]
        return at, f"this `{opened}` is never closed"
    return None


def _theirs(query: str, offset: int, expected: str) -> str:
    """The engine's place, said in general terms from what its grammar expected there."""
    rest = query[offset:] if 0 <= offset <= len(query) else ""
    token = _TOKEN.search(rest)
    found = f"`{_short(token.group(), MAX_TOKEN)}`" if token and rest[:token.start()].strip() == "" \
        else "the end of the query"
    if "IRI parsing failed" in expected:
        return ("an IRI before this point is not valid: write an absolute IRI without spaces, "
                "as `<https://…>`")
    if "variable that is unbound" in expected:
        return ("SELECT names a variable that is neither grouped (GROUP BY) nor the result of "
                "an aggregate: group by it too, or use SAMPLE(?x)")
    if "Duplicated variable name" in expected:
        return "a variable is named twice in SELECT"
    said = _SENTENCE.search(_CLASS.sub(" ", _QUOTED.sub(" ", expected)))
    if said:  # the grammar's own words for a rule broken here
        return f"{said.group(1)[0].lower()}{said.group(1)[1:]}"
    quoted = set(_QUOTED.findall(expected))
    bare = _CLASS.sub(" ", _QUOTED.sub(" ", expected))
    keywords = [k for k in dict.fromkeys(_KEYWORD.findall(bare)) if k not in _NOISE]
    wants: list[str] = []
    if keywords and any(k in _FUNCTIONS for k in keywords):
        wants.append("an expression (a variable, a value or a function call)")
    elif "['0'..='9']" in expected and not quoted:
        wants.append("a number")
    elif keywords:
        wants.append(_either([f"`{k}`" for k in keywords[:3]]))
    for bracket in ("}", ")", "]", "{"):
        if bracket in quoted:
            wants.append(f"`{bracket}`")
            break
    if quoted & {"?", "$"} and not any(w.startswith("an expression") for w in wants):
        wants.append("a variable" + (", an IRI or a literal" if "<" in quoted else ""))
    if quoted & {".", ";"} and not wants:
        wants.append("`.` between triple patterns")
    if wants:
        return f"{found} does not fit here; expected {_either(wants[:2])}"
    if found == "the end of the query":
        return ("the query does not read to its end: check the pattern before this point (a "
                "triple pattern needs a subject, a predicate and an object; a variable is "
                "bound once)")
    return f"{found} does not fit here"


def _either(options: list[str]) -> str:
    return options[0] if len(options) == 1 else ", ".join(options[:-1]) + " or " + options[-1]


def _offset(query: str, line: int, column: int) -> int:
    lines = query.split("\n")
    if line < 1 or line > len(lines):
        return len(query)
    return sum(len(x) + 1 for x in lines[:line - 1]) + column - 1


def _line_column(text: str, offset: int) -> tuple[int, int]:
    before = text[:offset]
    return before.count("\n") + 1, offset - (before.rfind("\n") + 1) + 1


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit] + "…"
