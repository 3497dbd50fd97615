"""Every named query, run on the curated data, gives the answers the sources support."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from cypher import get_registry
from cypher.registry import parse_query
from graph.falkor import FalkorBackend
from graph.schema import get_schema
from migkg.exc import Ambiguous, NotFound, QueryRejected
from migkg.settings import Settings

SETTINGS = Settings()


def run(backend: FalkorBackend, name: str, **params: Any) -> list[dict[str, Any]]:
    return get_registry().run(backend, name, params, SETTINGS).records()


def test_every_query_has_header_and_runs_its_example(loaded: FalkorBackend) -> None:
    reg = get_registry()
    assert len(reg.names()) >= 11
    for name in reg.names():
        q = reg.get(name)
        assert q.title and q.description and q.example.startswith("migkg query --name " + name)
        example = {k: p.example for k, p in q.params.items() if p.example is not None}
        assert all(p.example is not None for p in q.params.values()), name
        assert run(loaded, name, **example), f"{name} example returned no rows"


def test_agreements_covering_serbia_say_how_with_evidence(loaded: FalkorBackend) -> None:
    rows = run(loaded, "agreements_covering_country", country="Serbia")
    how = {(r["agreement"]["id"], r["how"]) for r in rows}
    assert ("uk-serbia-agreement", "party") in how
    assert ("uk-serbia-agreement", "coverage") in how
    assert ("uk-kosovo-agreement", "route") in how
    route_rows = [r for r in rows if r["how"] == "route"]
    assert all(r["via"] == {"kind": "Route", "id": "western-balkans-route",
                            "name": "Western Balkans route"} for r in route_rows)
    for r in rows:
        assert r["evidence"], r
        assert all(e["doc"] and e["quote"] and e["link"] for e in r["evidence"])
    assert rows == run(loaded, "agreements_covering_country", country="RS")


def test_group_membership_counts_as_coverage(loaded: FalkorBackend) -> None:
    rows = run(loaded, "agreements_covering_country", country="GB")
    group = [r for r in rows if r["how"] == "group"]
    assert any(r["via"]["id"] == "calais-group" and r["via"]["kind"] == "Organisation" for r in group)


def test_parties_signatories_and_present_are_distinct(loaded: FalkorBackend) -> None:
    rows = run(loaded, "agreement_parties", agreement="calais-group-priority-plan-2025")
    roles = {(r["actor"]["id"], r["relation"], r["role"]) for r in rows}
    assert ("GB", "PARTY_TO", "party") in roles
    # conveners and observers attended the meeting that agreed the plan; they are not parties
    assert ("GB", "ATTENDED", "convener") in roles and ("DE", "ATTENDED", "convener") in roles
    assert ("europol", "ATTENDED", "present") in roles
    assert ("frontex", "ATTENDED", "present") in roles
    assert {r["event"]["id"] for r in rows if r["relation"] == "ATTENDED"} == {"calais-group-london-meeting"}
    assert {r["actor"]["id"] for r in rows if r["relation"] == "PARTY_TO"} == {"BE", "FR", "GB", "NL",
                                                                          "calais-group"}
    rows = run(loaded, "agreement_parties", agreement="UK-Germany Joint Action Plan")
    assert [(r["actor"]["id"], r["relation"], r["role"]) for r in rows] == [
        ("DE", "PARTY_TO", "signatory"), ("GB", "PARTY_TO", "signatory"),
        ("nancy-faeser", "SIGNED", "signed"), ("yvette-cooper", "SIGNED", "signed"),
    ]


def test_routes_list_places_in_order_and_who_addresses_them(loaded: FalkorBackend) -> None:
    rows = run(loaded, "routes")
    by_id = {r["route"]["id"]: r for r in rows}
    assert set(by_id) == {"western-balkans-route", "channel-small-boats-route",
                          "turkey-greek-islands-route"}
    aegean = [(p["id"], p["role"]) for p in by_id["turkey-greek-islands-route"]["places"]]
    assert aegean[0] == ("TR", "origin")
    wb = by_id["western-balkans-route"]
    roles = [p["role"] for p in wb["places"]]
    assert roles == sorted(roles, key=["origin", "transit", "destination"].index)
    assert {"uk-serbia-agreement", "uk-kosovo-agreement"} <= {a["id"] for a in wb["addressed_by"]}


def test_framework_principles_in_order(loaded: FalkorBackend) -> None:
    rows = run(loaded, "framework_principles", framework="calais-group-priority-plan-2025")
    assert [r["position"] for r in rows] == [1, 2, 3, 4, 5]
    assert "Europol" in rows[1]["principle"]["name"] or "Europol" in (rows[1]["label"] or "") or rows[1]["evidence"]


def test_actor_profile_covers_offices_agreements_events(loaded: FalkorBackend) -> None:
    rows = run(loaded, "actor_profile", actor="yvette cooper")
    relations = {r["relation"] for r in rows}
    assert {"HOLDS_OFFICE", "SIGNED", "ATTENDED"} <= relations
    office = next(r for r in rows if r["relation"] == "HOLDS_OFFICE")
    assert office["role"] == "Home Secretary"


def test_cooperation_pairs_share_agreements(loaded: FalkorBackend) -> None:
    rows = run(loaded, "cooperation", actor="Germany", min_shared=2)
    # the joint statement and the joint action plan; Germany co-convened the Calais
    # Group meeting but is not a party to its plan
    assert [(r["partner"]["id"], r["shared"]) for r in rows] == [("GB", 2)]
    assert "uk-germany-joint-action-plan" in [a["id"] for a in rows[0]["agreements"]]


def test_events_in_range_are_ordered(loaded: FalkorBackend) -> None:
    rows = run(loaded, "events_in_range", **{"from": "2025-01-01", "to": "2025-12-31"})
    # the one dated event of 2025; undated ones whose range the text leaves open into 2025 too
    assert [r["event"]["id"] for r in rows if r["date"]] == ["epc-summit-copenhagen-2025"]
    assert "calais-group-london-meeting" in [r["event"]["id"] for r in rows]
    rows = run(loaded, "events_in_range", include_undated=True)
    dates = [r["date"] for r in rows if r["date"]]
    assert dates == sorted(dates) and len(rows) > len(dates)


def test_agreements_by_status(loaded: FalkorBackend) -> None:
    rows = run(loaded, "agreements_by_status", status="to_be_signed")
    assert {"uk-serbia-agreement", "uk-north-macedonia-agreement", "uk-kosovo-agreement"} <= {
        r["agreement"]["id"] for r in rows}
    assert all(r["status"] == "to_be_signed" for r in rows)


def test_figures_by_topic_and_subject(loaded: FalkorBackend) -> None:
    rows = run(loaded, "figures", about="Western Balkans route")
    assert [(r["value"], r["unit"], r["qualifier"]) for r in rows] == [(100000.0, "people", "almost")]
    returns = run(loaded, "figures", topic="returns")
    assert {9400.0, 2590.0} <= {r["value"] for r in returns}


def test_shortest_connection_is_portable_and_shortest(loaded: FalkorBackend) -> None:
    rows = run(loaded, "shortest_connection", **{"from": "GB", "to": "RS"})
    assert rows[0]["hops"] == 2
    assert rows[0]["nodes"][0]["id"] == "GB" and rows[0]["nodes"][-1]["id"] == "RS"
    assert rows[0]["path"]["_path"] is True


@pytest.mark.parametrize(("q", "expected"), [("prevot", "maxime-prevot"), ("uk", "GB"),
                                             ("britain", "GB"), ("PRÉVOT", "maxime-prevot"),
                                             ("joint  statement", "joint-migration-statement-2025-10-02")])
def test_search_ignores_case_and_accents(loaded: FalkorBackend, q: str, expected: str) -> None:
    rows = run(loaded, "search", q=q)
    assert rows[0]["id"] == expected
    assert rows[0]["exact"] == (q in {"uk", "britain", "joint  statement"})  # exact names first


def test_undeclared_and_missing_parameters_are_refused(loaded: FalkorBackend) -> None:
    with pytest.raises(QueryRejected, match="has no parameter 'nation'"):
        run(loaded, "agreements_covering_country", nation="RS")
    with pytest.raises(QueryRejected, match="needs parameter 'country'"):
        run(loaded, "agreements_covering_country")
    with pytest.raises(QueryRejected, match="expected an integer"):
        run(loaded, "cooperation", min_shared="many")
    with pytest.raises(NotFound):
        run(loaded, "agreements_covering_country", country="Narnia")
    with pytest.raises(NotFound):  # an agreement is not a country
        run(loaded, "agreements_covering_country", country="uk-serbia-agreement")


def test_ambiguous_entity_lists_candidates(loaded: FalkorBackend) -> None:
    names = loaded.read(
        "MATCH (n) UNWIND n.names_folded AS name WITH name, count(DISTINCT n) AS k WHERE k > 1 "
        "RETURN name ORDER BY name LIMIT 1").rows
    assert names, "the curated data has no shared alias to test with"
    with pytest.raises(Ambiguous) as err:
        run(loaded, "actor_profile", actor=names[0][0])
    assert len(err.value.extra["candidates"]) > 1


def test_header_enums_match_the_schema() -> None:
    schema = get_schema()
    reg = get_registry()
    assert set(reg.get("search").params["kind"].values) == set(schema.nodes)
    statuses = schema.node("Agreement").properties["status"].values
    assert reg.get("agreements_by_status").params["status"].values == statuses
    topics = schema.node("Figure").properties["topic"].values
    assert reg.get("figures").params["topic"].values == topics


def test_bad_headers_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="lacks 'title'"):
        parse_query("x", "// description: d\nRETURN 1")
    with pytest.raises(ValueError, match=r"\$y is unused"):
        parse_query("x", "// title: t\n// description: d\n// params:\n//   y: {type: int}\nRETURN 1")


@pytest.mark.parametrize("name", ["limit", "offset", "format"])
def test_paging_and_format_names_are_not_parameters(name: str) -> None:
    text = f"// title: T\n// description: D\n// params:\n//   {name}: {{type: int, default: 1}}\nRETURN ${name} AS x"
    with pytest.raises(ValueError, match=f"parameter name '{name}' is reserved"):
        parse_query("t", text)


@pytest.mark.neo4j
def test_the_row_cap_cuts_a_named_query_at_the_engine(engine: Any) -> None:
    """The statement sent ends with LIMIT $row_limit, the cap and one more: what the engine
    returns is the cap, marked cut, and the first rows are the uncut answer's."""
    registry = get_registry()
    assert registry.get("routes").capped.endswith("\nLIMIT $row_limit")
    assert registry.get("search").capped == registry.get("search").cypher  # its own LIMIT
    whole = registry.run(engine, "routes", {}, Settings(row_cap=1000))
    assert not whole.truncated and len(whole.rows) > 2
    cut = registry.run(engine, "routes", {}, Settings(row_cap=2))
    assert cut.truncated and cut.rows == whole.rows[:2]


# Columns that are ids of no entity in the graph (a key, a code, a count), whatever they hold.
# Words that may equal some id, and date_relative_to: a property that names the item a
# date is stated against, given as stored, as on /v1 entities (its kind is not stored).
NOT_ENTITIES = {"what", "relation", "direction", "role", "key", "how", "date_relative_to"}


def _strings_that_are_ids(rows: list[dict[str, Any]], ids: set[str]) -> list[tuple[str, str]]:
    """(column, value) for every plain string cell that is an entity's id: what the
    explorer would have to guess at."""
    return [(c, v) for r in rows for c, v in r.items()
            if isinstance(v, str) and v in ids and c not in NOT_ENTITIES and c != "id"]


@pytest.mark.neo4j
def test_entity_cells_say_what_they_are(engine: Any) -> None:
    """Every named query's entities come as {kind, id, name} cells (lists of them too), on
    both engines, so a client links them without guessing from a column's name."""
    reg = get_registry()
    kinds = set(get_schema().nodes)
    ids = {r[0] for r in engine.read("MATCH (n) WHERE n.id IS NOT NULL RETURN n.id", row_cap=100_000).rows}
    cells = 0
    for name in reg.names():
        q = reg.get(name)
        rows = reg.run(engine, name, {k: p.example for k, p in q.params.items()}, SETTINGS).records()
        for r in rows:
            for v in r.values():
                for x in (v if isinstance(v, list) else [v]):
                    if isinstance(x, dict) and "id" in x and "quote" not in x and "type" not in x:
                        assert x.get("kind") in kinds and x["id"] in ids, (name, x)
                        cells += 1
        if name not in {"search"}:
            assert _strings_that_are_ids(rows, ids) == [], name
    assert cells > 50
    rows = run(engine, "agreements_by_status", status="to_be_signed")
    assert {"kind": "Agreement", "id": "uk-serbia-agreement",
            "name": "UK-Serbia agreement on organised immigration crime"} in [r["agreement"] for r in rows]
