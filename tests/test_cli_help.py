"""Issue 22, item 6: the CLI's help, its one-line errors, a graph not loaded yet, and
one set of format names with the API and SPARQL."""

from __future__ import annotations

import argparse
import subprocess
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from rdflib import Graph
from rdflib.compare import isomorphic

from cli.formats import RDF_ALIASES, RDF_FORMATS, SPARQL_ALIASES, SPARQL_RAW
from cli.main import build_parser
from conftest import ROOT, run_cli
from graph.embedded import EmbeddedServer
from graph.falkor import FalkorBackend
from graph.neo4j_backend import Neo4jBackend
from loaders.facts import Facts
from loaders.pipeline import load_facts
from migkg.settings import Settings
from ontology.export import FORMATS


def _cli(backend: FalkorBackend, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return run_cli(*args, home=backend.server.home, graph=backend.graph_name, **env)


def _error(run: subprocess.CompletedProcess[str], code: int = 1) -> str:
    """The one line a failed command printed (and nothing on stdout)."""
    assert run.returncode == code, (run.returncode, run.stdout, run.stderr)
    assert "Traceback" not in run.stderr and run.stdout == ""
    lines = run.stderr.splitlines()
    assert len(lines) == 1, run.stderr
    return lines[0]


def _commands() -> dict[str, Any]:
    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(sub.choices)


# -- help: every command, one example each ----------------------------------------------------

def test_top_help_lists_every_command_with_an_example() -> None:
    run = run_cli("--help", home=ROOT, graph="unused")
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    commands = _commands()
    assert len(commands) >= 13
    for verb, parser in commands.items():
        said = [i for i, line in enumerate(lines) if line.startswith(f"  {verb} ")]
        assert len(said) == 1, (verb, run.stdout)
        # the command, its help, then (after any wrapped help) its first example
        following = lines[said[0] + 1: said[0] + 4]
        assert any(line.strip() == f"$ migkg {parser.examples[0][0]}" for line in following), verb
    assert lines[-1].startswith("exit status: 0 success, 1 bad input")


def test_every_help_ends_with_its_examples() -> None:
    for verb, parser in _commands().items():
        examples = parser.examples
        assert examples, f"migkg {verb} has no example"
        for line, _ in examples:
            assert line.split()[0] == verb, (verb, line)
        text = parser.format_help()
        tail = text[text.rindex("examples:\n"):]
        for line, what in examples:
            assert f"migkg {line}" in tail and what in tail, (verb, tail)
        assert text.rstrip().endswith(f"migkg {examples[-1][0]}") or text.rstrip().endswith(
            f"# {examples[-1][1]}"), text
    sources = _commands()["sources"]
    verbs = next(a for a in sources._actions if isinstance(a, argparse._SubParsersAction))
    for verb, parser in verbs.choices.items():
        assert parser.examples and f"migkg sources {verb}" in parser.format_help(), verb


def test_examples_parse() -> None:
    """Every example is a command line the parser accepts as it stands."""
    import shlex

    parser = build_parser()
    for parser_ in _commands().values():
        for line, _ in parser_.examples:
            words = shlex.split(line.split(" | ")[0])
            assert parser.parse_args(words).command == words[0], line


# -- a graph not loaded yet ------------------------------------------------------------------

READERS = [("stats",), ("query", "MATCH (n) RETURN count(n)"),
           ("query", "--name", "agreements_covering_country", "--param", "country=Serbia"),
           ("export", "-o", "-"), ("sparql", "ASK { ?s ?p ?o }")]


def test_reading_an_empty_home_says_load_first(server: EmbeddedServer, tmp_path: Path) -> None:
    home = tmp_path / "home"
    for args in READERS:
        line = _error(run_cli(*args, home=home, graph="never-loaded"))
        assert line == (f"migkg {args[0]}: no graph loaded yet: run `migkg load` "
                        f"(graph 'never-loaded' in MIGKG_HOME {home} is not loaded)"), line
    # the session's running engine, another graph name: the same
    line = _error(run_cli("stats", "--json", home=server.home, graph="never-loaded-either"))
    assert line.startswith("migkg stats: no graph loaded yet: run `migkg load` (graph"), line


@pytest.mark.neo4j
def test_reading_an_empty_neo4j_says_load_first(neo: Neo4jBackend, neo4j_settings: Settings,
                                                 facts: Facts, tmp_path: Path) -> None:
    env = {"NEO4J_URI": neo4j_settings.neo4j_uri, "NEO4J_USER": neo4j_settings.neo4j_user,
           "NEO4J_PASSWORD": neo4j_settings.neo4j_password.get_secret_value(),
           "MIGKG_BACKEND": "neo4j"}
    neo.replace_graph(lambda writer: None)
    try:
        assert not neo.exists()
        for args in READERS:
            line = _error(run_cli(*args, home=tmp_path, graph="unused", **env))
            assert line == (f"migkg {args[0]}: no graph loaded yet: run `migkg load` (Neo4j "
                            f"database {neo4j_settings.neo4j_database!r} at "
                            f"{neo4j_settings.neo4j_uri} is not loaded)"), line
    finally:
        load_facts(facts, neo)  # as neo_loaded expects it


# -- names: candidates and suggestions as the API gives them ------------------------------------

def _as_named(item: dict[str, Any]) -> str:
    return f"{item['name']} ({item['kind']} {item['id']})"


@pytest.mark.parametrize(("query", "param", "value"), [
    ("agreements_covering_country", "country", "Srbia"),
    ("agreements_covering_country", "country", "Serbiaa"),
    ("agreements_covering_country", "country", "Xyzzyland"),
    ("actor_profile", "actor", "Western Balkns"),
    ("actor_profile", "actor", "Greek islands"),
    ("actor_profile", "actor", "European"),
])
def test_names_list_what_the_api_lists(loaded: FalkorBackend, client: TestClient, query: str,
                                       param: str, value: str) -> None:
    """Whatever the resolver decides for a name, the CLI says it as the API does: the same
    title and detail, the same candidates in order, the same suggestions, as names."""
    api = client.get(f"/v1/queries/{query}", params={param: value})
    run = _cli(loaded, "query", "--name", query, "--param", f"{param}={value}", "--format", "csv")
    if api.status_code == 200:  # the name resolved: so it does from the shell
        assert run.returncode == 0, run.stderr
        return
    assert api.status_code in (404, 409), api.text
    body = api.json()
    assert run.returncode == 1 and "Traceback" not in run.stderr and run.stdout == ""
    lines = run.stderr.splitlines()
    assert lines[0] == f"migkg query: {body['title']}: {body['detail']}"
    rest = lines[1:]
    if body.get("candidates"):
        assert rest[0] == "candidates:"
        assert [line.split()[0] for line in rest[1:1 + len(body["candidates"])]] == [
            c["id"] for c in body["candidates"]]
        rest = rest[1 + len(body["candidates"]):]
    if body.get("suggestions"):
        assert rest == [f"did you mean: {', '.join(map(_as_named, body['suggestions']))}?"]
    else:
        assert rest == []
    assert "['" not in run.stderr and "{'" not in run.stderr


def test_unknown_parameter_and_query_are_named_readably(loaded: FalkorBackend) -> None:
    line = _error(_cli(loaded, "query", "--name", "agreements_covering_country", "--param", "nation=RS"))
    assert line == ("migkg query: Query rejected: query 'agreements_covering_country' has no "
                    "parameter 'nation'; it takes country")
    line = _error(_cli(loaded, "query", "--name", "agreements_by_status", "--param", "status=done"))
    assert line.startswith("migkg query: Query rejected: parameter 'status': expected one of "
                           "proposed, announced,") and line.endswith(", got 'done'"), line
    run = _cli(loaded, "query", "--name", "agreements_covering")
    assert run.returncode == 1 and run.stderr.splitlines() == [
        "migkg query: Not found: no named query 'agreements_covering' (`migkg query --list` lists them)",
        "did you mean: agreements_covering_country, agreement_parties, agreements_by_status?"]


# -- bad ports and paths: one line each --------------------------------------------------------

def test_bad_ports_are_usage_errors(tmp_path: Path) -> None:
    for value in ("99999", "0", "-1", "http"):
        line = _error(run_cli("serve", "--port", value, home=tmp_path, graph="unused"), 2)
        assert line == (f"migkg serve: argument --port: {value!r} is not a port: give a number "
                        "from 1 to 65535 (`migkg serve --help` shows the usage)"), line
    line = _error(run_cli("serve", home=tmp_path, graph="unused", MIGKG_PORT="99999"))
    assert line == ("migkg serve: bad setting MIGKG_PORT: Input should be less than or equal to "
                    "65535 (got '99999')"), line


def test_bad_paths_are_one_line(loaded: FalkorBackend, tmp_path: Path) -> None:
    readme = str(ROOT / "README.md")
    for verb in ("validate", "load", "serve"):
        line = _error(_cli(loaded, verb, "--data", readme), 2)
        assert line == (f"migkg {verb}: argument --data: {readme} is a file, not a folder of YAML "
                        f"facts (`migkg {verb} --help` shows the usage)"), line
    line = _error(_cli(loaded, "validate", MIGKG_DATA=readme))
    assert line == f"migkg validate: bad setting MIGKG_DATA: {readme} is a file, not a folder of YAML facts"
    line = _error(_cli(loaded, "export", "-o", "/sys/migkg.ttl"))
    assert line == "migkg export: Cannot write output: /sys/migkg.ttl: Permission denied", line
    line = _error(run_cli("stats", home=Path("/proc/migkg-home"), graph="unused"))
    assert line == ("migkg stats: bad setting MIGKG_HOME: cannot create /proc/migkg-home: "
                    "No such file or directory"), line
    line = _error(run_cli("query", "RETURN 1", home=Path(readme), graph="unused"))
    assert line == f"migkg query: bad setting MIGKG_HOME: {readme} is a file, not a folder", line
    line = _error(run_cli("serve", "--host", "no-such-host.invalid", "--port", "8123",
                          home=tmp_path, graph="unused"))
    assert line.startswith("migkg serve: Cannot listen: no-such-host.invalid:8123: "), line


def test_usage_errors_are_one_line() -> None:
    for args, said in ((["frobnicate"], "migkg: argument COMMAND: invalid choice: 'frobnicate'"),
                       (["query", "--format", "xml"], "migkg query: argument --format: invalid "
                                                      "choice: 'xml'"),
                       (["export", "--format", "owl"], "migkg export: argument --format: invalid "
                                                       "choice: 'owl'")):
        line = _error(run_cli(*args, home=ROOT, graph="unused"), 2)
        assert line.startswith(said) and line.endswith("shows the usage)"), line


# -- one set of format names ------------------------------------------------------------------

def test_rdf_names_are_the_export_extensions() -> None:
    assert {ext: key for ext, key in RDF_FORMATS.items()} == {
        f.extension: f.name for f in FORMATS.values()}
    assert all(RDF_ALIASES[f.name] == f.extension for f in FORMATS.values() if f.name != f.extension)
    choices = {a.dest: a.choices for a in _commands()["export"]._actions}
    assert list(choices["fmt"]) == ["ttl", "nt", "jsonld", "rdf"]


def test_old_spellings_are_aliases(loaded: FalkorBackend, tmp_path: Path) -> None:
    # Aliases are argparse types: the parsed command holds the canonical name, whatever
    # spelling was typed, so each command's own tests of the canonical formats cover it.
    parser = build_parser()
    for verb, aliases in (("export", RDF_ALIASES), ("sparql", SPARQL_ALIASES)):
        extra = ["ASK {}"] if verb == "sparql" else []
        for old, new in aliases.items():
            assert parser.parse_args([verb, "--format", old, *extra]).fmt == new, (verb, old)
            assert parser.parse_args([verb, "--format", old.upper(), *extra]).fmt == new
    # and end to end, one old spelling per command gives what the canonical name gives
    out = {name: tmp_path / f"{name}.rdf" for name in ("rdf", "rdfxml")}
    for name, path in out.items():
        run = _cli(loaded, "export", "--format", name, "-o", str(path))
        assert run.returncode == 0, run.stderr
        assert run.stderr.startswith("wrote ") and " bytes of rdf to " in run.stderr, run.stderr
    assert isomorphic(Graph().parse(out["rdf"], format="xml"), Graph().parse(out["rdfxml"], format="xml"))
    ask = "ASK { ?s ?p ?o }"
    srx = _cli(loaded, "sparql", "--format", "xml", ask)
    assert srx.returncode == 0 and "<boolean>true</boolean>" in srx.stdout, srx.stderr


def test_the_api_takes_the_same_names(client: TestClient) -> None:
    ask = "ASK { ?s ?p ?o }"
    for name, (table, _) in SPARQL_RAW.items():
        if table is None:
            continue
        answer = client.get("/sparql", params={"query": ask, "format": name})
        assert answer.status_code == 200, (name, answer.text)
        media = {"json": "application/sparql-results+json", "xml": "application/sparql-results+xml",
                 "tsv": "text/tab-separated-values"}[table]
        assert answer.headers["content-type"].startswith(media), (name, answer.headers)
    for ext in RDF_FORMATS:
        assert client.get(f"/v1/export.{ext}").status_code == 200, ext
        construct = client.get("/sparql", params={"query": "CONSTRUCT WHERE { ?s a migkg:Route }",
                                                  "format": ext})
        assert construct.status_code == 200, (ext, construct.text)
