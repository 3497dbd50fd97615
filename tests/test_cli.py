"""The CLI as a user runs it: exit codes, tables and JSON."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import socket
import subprocess
import threading
from pathlib import Path

from fastapi.testclient import TestClient

from cli.main import build_parser
from cli.render import MAX_CELL
from conftest import DATA, MIGKG, MINI, ROOT, run_cli
from graph.embedded import EmbeddedServer
from graph.falkor import FalkorBackend
from loaders.facts import Facts
from loaders.pipeline import load_facts
from migkg import __version__


def test_usage_errors_exit_2(server: EmbeddedServer, backend: FalkorBackend) -> None:
    for args in (["frobnicate"], ["stats", "--bogus"], ["query"]):
        run = run_cli(*args, home=server.home, graph=backend.graph_name)
        assert run.returncode == 2, (args, run.stderr)


def test_validate_load_stats_query(server: EmbeddedServer, backend: FalkorBackend) -> None:
    run = run_cli("validate", "--data", str(DATA), home=server.home, graph=backend.graph_name)
    assert run.returncode == 0 and "valid" in run.stdout
    run = run_cli("load", home=server.home, graph=backend.graph_name)
    assert run.returncode == 0, run.stderr
    assert "loaded" in run.stdout
    stats = json.loads(run_cli("stats", "--json", home=server.home,
                               graph=backend.graph_name).stdout)
    assert stats["nodes"]["Country"] == 25
    run = run_cli("query", "MATCH (c:Country {id: 'RS'}) RETURN c.name AS name",
                  home=server.home, graph=backend.graph_name)
    assert run.returncode == 0 and "Serbia" in run.stdout and "(1 row)" in run.stdout
    run = run_cli("query", "--json", "--name", "agreements_covering_country",
                  "--param", "country=serbia", home=server.home, graph=backend.graph_name)
    body = json.loads(run.stdout)
    assert "uk-serbia-agreement" in {row[0]["id"] for row in body["rows"]}


def test_query_errors_exit_1(server: EmbeddedServer, loaded: FalkorBackend) -> None:
    backend = loaded
    run = run_cli("query", "RETURN 1", home=server.home, graph="never-loaded")
    assert run.returncode == 1, run.stderr
    assert run.stderr == ("migkg query: no graph loaded yet: run `migkg load` (graph "
                          f"'never-loaded' in MIGKG_HOME {server.home} is not loaded)\n"), run.stderr
    assert len(run.stderr.splitlines()) == 1
    run = run_cli("query", "CREATE (n:X) RETURN n", home=server.home, graph=backend.graph_name)
    assert run.returncode == 1 and "writes are not allowed" in run.stderr
    assert "Traceback" not in run.stderr
    run = run_cli("query", "--name", "search", "--param", "nope=1", home=server.home,
                  graph=backend.graph_name)
    assert run.returncode == 1 and "has no parameter 'nope'" in run.stderr
    # the console's answer budget holds here as at /v1/cypher
    run = run_cli("query", "UNWIND range(1, 20) AS i RETURN i", home=server.home,
                  graph=backend.graph_name, MIGKG_CONSOLE_MAX_CELLS="10")
    assert run.returncode == 1 and "MIGKG_CONSOLE_MAX_CELLS" in run.stderr, run.stderr
    assert "Traceback" not in run.stderr


# -- issue 13: a CLI that reads well and never shows a traceback ------------------------------

def _cli(backend: FalkorBackend, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return run_cli(*args, home=backend.server.home, graph=backend.graph_name, **env)


def _one_line_error(run: subprocess.CompletedProcess[str]) -> str:
    assert run.returncode == 1, (run.returncode, run.stdout, run.stderr)
    assert "Traceback" not in run.stderr
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1, run.stderr
    return lines[0]


def test_version() -> None:
    run = run_cli("--version", home=ROOT, graph="unused")
    assert run.returncode == 0 and run.stdout.strip() == f"migkg {__version__}", run


def test_options_only_where_they_apply() -> None:
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    options = {verb: {o for a in p._actions for o in a.option_strings}
               for verb, p in sub.choices.items()}  # type: ignore[union-attr]
    for verb in ("load", "stats", "query", "serve", "export"):
        assert "--backend" in options[verb], verb
    for verb in ("validate", "ontology"):
        assert "--backend" not in options[verb], verb
    for verb in ("stats", "query", "validate"):
        assert "--format" in options[verb], verb
    run = run_cli("validate", "--backend", "neo4j", home=ROOT, graph="unused")
    assert run.returncode == 2 and "unrecognized arguments: --backend" in run.stderr


def test_formats_table_json_csv(loaded: FalkorBackend) -> None:
    statement = "MATCH (c:Country) WHERE c.id IN ['RS', 'DE'] RETURN c.id AS id, c.name AS name ORDER BY id"
    rows = list(csv.reader(io.StringIO(_cli(loaded, "query", "--format", "csv", statement).stdout)))
    assert rows == [["id", "name"], ["DE", "Germany"], ["RS", "Serbia"]]
    body = json.loads(_cli(loaded, "query", "--format", "json", statement).stdout)
    assert body["rows"] == [["DE", "Germany"], ["RS", "Serbia"]]
    stats = list(csv.DictReader(io.StringIO(_cli(loaded, "stats", "--format", "csv").stdout)))
    assert {"what": "node", "name": "Country", "count": "25"} in stats
    table = _cli(loaded, "stats").stdout
    assert table.count("Country") == 1 and "COVERS" in table


def test_long_cells_wrap_and_are_never_cut_silently(loaded: FalkorBackend) -> None:
    words = [f"word{i:03d}" for i in range(30)]  # 239 characters, far over the old 60
    run = _cli(loaded, "query", f"RETURN '{' '.join(words)}' AS text, 'x' AS other")
    assert run.returncode == 0, run.stderr
    assert all(w in run.stdout for w in words), run.stdout
    huge = "y" * (MAX_CELL + 50)
    run = _cli(loaded, "query", f"RETURN '{huge}' AS text")
    assert "y" * 100 in run.stdout and "…" in run.stdout
    assert f"cells over {MAX_CELL} characters end in …" in run.stdout


def test_evidence_as_quotes_and_paths_as_arrows(loaded: FalkorBackend) -> None:
    run = _cli(loaded, "query", "--name", "agreements_covering_country", "--param", "country=Serbia")
    assert run.returncode == 0, run.stderr
    flat = "".join(run.stdout.split())  # cells wrap at any character
    assert ("“signingnewagreementswithSerbia,NorthMacedoniaandKosovo”—"
            "pm-epc-budapest-western-balkans") in flat
    assert '{"doc"' not in run.stdout and '"quote"' not in run.stdout
    args = ("query", "--name", "shortest_connection", "--param", "from=Serbia", "--param", "to=Germany")
    run = _cli(loaded, *args, COLUMNS="400")
    assert "_path" not in run.stdout and "_eid" not in run.stdout
    (row,) = csv.DictReader(io.StringIO(_cli(loaded, *args, "--format", "csv").stdout))
    assert row["path"] in run.stdout
    assert row["path"].startswith("Serbia <-[COVERS]- UK-Serbia agreement on organised immigration crime "
                                  "<-[PARTY_TO]- United Kingdom"), row["path"]


def test_ambiguous_name_lists_the_candidates_the_api_lists(loaded: FalkorBackend,
                                                           client: TestClient) -> None:
    api = client.get("/v1/queries/actor_profile", params={"actor": "European"})
    assert api.status_code == 409
    candidates = api.json()["candidates"]
    run = _cli(loaded, "query", "--name", "actor_profile", "--param", "actor=European")
    assert run.returncode == 1 and "Traceback" not in run.stderr
    lines = run.stderr.strip().splitlines()
    assert lines[0].startswith("migkg query: Ambiguous reference: 'European' could name")
    assert lines[1] == "candidates:"
    listed = [line.split()[0] for line in lines[2:]]
    assert listed == [c["id"] for c in candidates]


def test_unknown_names_get_suggestions(loaded: FalkorBackend) -> None:
    run = _cli(loaded, "query", "--name", "actor_profil")
    assert run.returncode == 1 and "Traceback" not in run.stderr
    assert run.stderr.strip().splitlines()[-1].startswith("did you mean: actor_profile")
    # names of entities: tests/test_cli_help.py says them as the API's problem body does


def test_user_mistakes_are_one_line_with_exit_1(loaded: FalkorBackend, tmp_path: Path) -> None:
    line = _one_line_error(_cli(loaded, "export", "-o", "/nonexistent/dir/x.ttl"))
    assert "/nonexistent/dir" in line and "does not exist" in line
    line = _one_line_error(_cli(loaded, "query", "--name", "events_in_range", "--param", "from=someday"))
    assert line.startswith("migkg query: Query rejected:") and "someday" in line
    line = _one_line_error(_cli(loaded, "stats", MIGKG_ROW_CAP="lots"))
    assert line.startswith("migkg stats: bad setting MIGKG_ROW_CAP:") and "'lots'" in line
    line = _one_line_error(_cli(loaded, "stats", "--backend", "neo4j", NEO4J_URI="bolt://127.0.0.1:9"))
    assert "cannot reach Neo4j at bolt://127.0.0.1:9" in line
    run = _cli(loaded, "validate", "--data", str(tmp_path / "nowhere"))
    assert run.returncode == 1 and "Traceback" not in run.stderr
    assert run.stderr.startswith(f"{tmp_path / 'nowhere'}:0: no such directory")


def test_serve_on_a_taken_port_says_so_before_loading(loaded: FalkorBackend) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        line = _one_line_error(_cli(loaded, "serve", "--data", str(MINI), MIGKG_PORT=str(port)))
    assert f"127.0.0.1:{port} is taken" in line and "MIGKG_PORT=" in line
    # before loading: the graph still holds the curated data, not the two countries of MINI
    assert loaded.read("MATCH (n:`Country`) RETURN count(n)").scalar() > 2


def test_progress_totals_are_per_stage(backend: FalkorBackend, facts: Facts) -> None:
    seen: dict[str, list[tuple[int, int]]] = {}
    load_facts(facts, backend, progress=lambda s, d, t: seen.setdefault(s, []).append((d, t)))
    assert seen["nodes"][-1] == (len(facts.entities), len(facts.entities))
    assert seen["relationships"][-1] == (len(facts.relationships), len(facts.relationships))
    assert all(d <= t for calls in seen.values() for d, t in calls)


def _on_a_terminal(*args: str, home: Path, graph: str) -> tuple[str, str]:
    """Run migkg with stderr on a pseudo-terminal; return stdout and what the terminal showed."""
    master, slave = os.openpty()
    env = {**os.environ, "MIGKG_HOME": str(home), "MIGKG_GRAPH": graph, "COLUMNS": "100"}
    proc = subprocess.Popen([MIGKG, *args], stdout=subprocess.PIPE, stderr=slave, env=env, cwd=ROOT)
    os.close(slave)
    shown = bytearray()

    def drain() -> None:
        while True:
            try:
                chunk = os.read(master, 4096)
            except OSError:
                return
            if not chunk:
                return
            shown.extend(chunk)

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    out, _ = proc.communicate(timeout=120)
    reader.join(10)
    os.close(master)
    assert proc.returncode == 0
    return out.decode(), re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", shown.decode(errors="replace"))


def test_load_progress_bars_on_a_terminal_only(backend: FalkorBackend, facts: Facts) -> None:
    home, graph = backend.server.home, backend.graph_name
    out, shown = _on_a_terminal("load", "--full", home=home, graph=graph)
    n, m = len(facts.entities), len(facts.relationships)
    assert "loading nodes" in shown and f"{n}/{n}" in shown, shown
    assert "loading relationships" in shown and f"{m}/{m}" in shown, shown
    assert f"loaded {n} entities and {m} relationships" in out
    piped = run_cli("load", "--full", home=home, graph=graph)
    assert piped.returncode == 0 and piped.stderr == "", piped.stderr  # quiet off a terminal
