"""Name resolution behaves like a good search box, wherever an entity is named.

The same ranking (graph/resolve.py) serves `/v1/entities/{ref}`, the shortcuts such
as `/v1/routes/{ref}/path`, every entity parameter of the named queries (API and
`migkg query --param`) and `/v1/search`.
"""

from __future__ import annotations

import json
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient

from conftest import run_cli
from cypher import get_registry
from graph.falkor import FalkorBackend
from graph.names import acronym, core, key, name_properties, query_core, tokens
from graph.resolve import resolve, search, suggest
from migkg.exc import Ambiguous, NotFound
from migkg.settings import Settings

# The names issue 12 lists as returning 404, with what they mean.
WHY = [
    ("Western Balkans", "western-balkans-route"),
    ("Channel", "channel-small-boats-route"),
    ("English Channel", "channel-small-boats-route"),
    ("Aegean", "turkey-greek-islands-route"),
    ("Aegean route", "turkey-greek-islands-route"),
    ("Eastern Mediterranean route", "turkey-greek-islands-route"),
    ("Republic of Serbia", "RS"),
    ("Great Britain", "GB"),
    ("Türkiye", "TR"),
    ("Czech Republic", "CZ"),
    ("Macedonia", "MK"),
    ("FCDO", "foreign-office"),
    ("JAP", "uk-germany-joint-action-plan"),
    ("UK-France treaty", "uk-france-migration-treaty"),
    ("Illicit Finance Taskforce", "joint-uk-italy-illicit-finance-taskforce"),
    ("Prévot", "maxime-prevot"),
    ("Cooper", "yvette-cooper"),
    ("von der Leyen", "ursula-von-der-leyen"),
]

# Ids, codes, names, aliases, reference names, acronyms, surnames, spellings.
TABLE = WHY + [
    ("RS", "RS"), ("rs", "RS"), ("serbia", "RS"), ("SERBIA", "RS"), ("Serbia", "RS"),
    ("prevot", "maxime-prevot"), ("PRÉVOT", "maxime-prevot"), ("Maxime Prévot", "maxime-prevot"),
    ("Turkiye", "TR"), ("Turkey", "TR"), ("Republic of Türkiye", "TR"),
    ("UK", "GB"), ("U.K.", "GB"), ("Britain", "GB"), ("United Kingdom", "GB"),
    ("United Kingdom of Great Britain and Northern Ireland", "GB"),
    ("The Netherlands", "NL"), ("Netherlands", "NL"), ("Czechia", "CZ"),
    ("North Macedonia", "MK"), ("Republic of North Macedonia", "MK"), ("Kosovo", "XK"), ("XK", "XK"),
    ("Greek Government", "GR"), ("Hellenic Republic", "GR"),
    ("EPC", "european-political-community"), ("European Political Community", "european-political-community"),
    ("BSC", "border-security-command"), ("Border Security Command", "border-security-command"),
    ("Foreign, Commonwealth & Development Office", "foreign-office"),
    ("Foreign Office", "foreign-office"),
    ("CoE", "council-of-europe"), ("Interpol", "interpol"),
    ("IOM", "iom"), ("UN Refugee Agency", "unhcr"), ("UNHCR", "unhcr"),
    ("European Border and Coast Guard Agency", "frontex"), ("Europol", "europol"),
    ("Prevent", "bsc-prevent"), ("Pursue", "bsc-pursue"), ("Protect", "bsc-protect"),
    ("Prepare", "bsc-prepare"),
    ("Western Balkan route", "western-balkans-route"), ("the Western Balkans route", "western-balkans-route"),
    ("Balkan route", "western-balkans-route"), ("western-balkans-route", "western-balkans-route"),
    ("Serbia agreement", "uk-serbia-agreement"), ("UK-Serbia agreement", "uk-serbia-agreement"),
    ("UK–Italy Illicit Finance Taskforce", "joint-uk-italy-illicit-finance-taskforce"),
    ("Calais Group Priority Plan", "calais-group-priority-plan-2025"),
    ("Calais Group", "calais-group"),
    ("UK-Germany Joint Action Plan", "uk-germany-joint-action-plan"),
    ("joint action plan with Germany", "uk-germany-joint-action-plan"),
    ("migration treaty with France", "uk-france-migration-treaty"),
    ("ECHR", "european-convention-on-human-rights"), ("EHCR", "european-convention-on-human-rights"),
    ("Putin", "vladimir-putin"), ("Vladimir Putin", "vladimir-putin"), ("Putin's", "vladimir-putin"),
    ("Faeser", "nancy-faeser"), ("Starmer", "keir-starmer"), ("Keir Starmer", "keir-starmer"),
    ("Ursula von der Leyen", "ursula-von-der-leyen"),
    ("Budapest", "budapest"), ("Copenhagen", "copenhagen"), ("Glasgow", "glasgow"),
    ("Lancaster House", "lancaster-house"),
    ("Interpol Conference", "interpol-conference-glasgow"),
    ("Delivering Border Security", "delivering-border-security"),
    ("joint statement", "joint-migration-statement-2025-10-02"),
]


def test_the_table_is_large_and_covers_the_issue() -> None:
    assert len(TABLE) >= 40
    assert len({name for name, _ in TABLE}) == len(TABLE)


@pytest.mark.parametrize(("name", "expected"), TABLE)
def test_name_resolves_to_id(loaded: FalkorBackend, name: str, expected: str) -> None:
    assert resolve(loaded, name) == expected


@pytest.mark.parametrize(("name", "expected"), WHY)
def test_entities_endpoint_resolves_every_name_of_the_issue(client: TestClient, name: str,
                                                             expected: str) -> None:
    res = client.get(f"/v1/entities/{quote(name)}")
    assert res.status_code == 200, res.text
    assert res.json()["id"] == expected


ROUTE_NAMES = [name for name, ident in WHY if ident.endswith("-route")]


@pytest.mark.parametrize("name", ROUTE_NAMES)
def test_route_path_and_routes_query_take_analysts_names(client: TestClient, name: str) -> None:
    expected = dict(WHY)[name]
    for url in (f"/v1/routes/{quote(name)}/path", f"/v1/queries/routes?route={quote(name)}"):
        res = client.get(url)
        assert res.status_code == 200, (url, res.text)
        body = res.json()
        assert [r["route"]["id"] for r in body["items"]] == [expected]


@pytest.mark.parametrize(("query", "param", "name", "column", "expected"), [
    ("agreement_parties", "agreement", "JAP", "actor", "DE"),
    ("actor_profile", "actor", "Cooper", "relation", "HOLDS_OFFICE"),
    ("figures", "about", "Aegean", "figure", "fig-aegean-rescues"),
    ("cooperation", "actor", "Great Britain", "actor", "GB"),
    ("agreements_covering_country", "country", "Republic of Serbia", "agreement", "uk-serbia-agreement"),
    ("events_at_place", "place", "Budapest", "event", "epc-budapest-migration-meeting"),
    ("framework_principles", "framework", "Border Security Command", "principle", "bsc-prevent"),
])
def test_named_query_entity_parameters_take_names(client: TestClient, query: str, param: str,
                                                  name: str, column: str, expected: str) -> None:
    res = client.get(f"/v1/queries/{query}", params={param: name})
    assert res.status_code == 200, res.text
    body = res.json()
    # an entity is a {kind, id, name} cell; agreements_covering_country still gives ids
    assert expected in [r[column]["id"] if isinstance(r[column], dict) else r[column]
                        for r in body["items"]]


def test_framework_principles_by_the_command_or_the_statement(loaded: FalkorBackend) -> None:
    reg, settings = get_registry(), Settings()
    for framework in ("Border Security Command", "BSC", "Delivering Border Security"):
        rows = reg.run(loaded, "framework_principles", {"framework": framework}, settings).records()
        assert [(r["position"], r["principle"]["name"]) for r in rows] == [
            (1, "Prevent"), (2, "Pursue"), (3, "Protect"), (4, "Prepare")], framework


def test_cli_query_param_takes_names(loaded: FalkorBackend) -> None:
    for name, expected in (("Aegean route", "turkey-greek-islands-route"),
                           ("Eastern Mediterranean route", "turkey-greek-islands-route"),
                           ("Western Balkans", "western-balkans-route")):
        out = run_cli("query", "--json", "--name", "routes", "--param", f"route={name}",
                      home=loaded.server.home, graph=loaded.graph_name)
        assert out.returncode == 0, out.stderr
        body = json.loads(out.stdout)
        assert [dict(zip(body["columns"], r, strict=True))["route"]["id"] for r in body["rows"]] == [expected]


def test_ambiguous_names_answer_409_with_ranked_candidates(loaded: FalkorBackend,
                                                           client: TestClient) -> None:
    with pytest.raises(Ambiguous) as err:
        resolve(loaded, "Whole-of-route approach")
    candidates = err.value.extra["candidates"]
    assert {c["id"] for c in candidates} == {"whole-of-route-approach", "jms-whole-of-route-approach"}
    assert all(c["match"] == "name" for c in candidates)
    res = client.get("/v1/entities/whole of route approach")
    assert res.status_code == 409
    assert len(res.json()["candidates"]) == 2
    # a kind settles it
    assert resolve(loaded, "Whole-of-route approach", "Policy") == "whole-of-route-approach"


def test_unknown_names_suggest_only_close_names(loaded: FalkorBackend, client: TestClient) -> None:
    assert resolve(loaded, "Aegaen route") == "turkey-greek-islands-route"  # a typo resolves
    with pytest.raises(NotFound) as err:
        resolve(loaded, "Aegaen route", "Country")  # ... and is suggested across kinds
    ids = [s["id"] for s in err.value.extra["suggestions"]]
    assert ids[0] == "turkey-greek-islands-route" and "western-balkans-route" not in ids
    with pytest.raises(NotFound) as err:
        resolve(loaded, "Aegean route", "Country")  # an existing route, asked as a country
    assert "western-balkans-route" not in [s["id"] for s in err.value.extra["suggestions"]]
    assert "western-balkans-route" not in [s["id"] for s in suggest(loaded, "Aegean route")]
    assert [s["id"] for s in suggest(loaded, "Serbie", "Country")] == ["RS"]
    assert suggest(loaded, "Narnia") == []
    res = client.get("/v1/countries/Aegaen route")
    assert res.status_code == 404
    assert "western-balkans-route" not in [s["id"] for s in res.json()["suggestions"]]


def test_a_kind_word_the_name_lacks_does_not_change_the_kind(loaded: FalkorBackend) -> None:
    # "Serbia agreement" is an agreement with Serbia, not the country
    assert resolve(loaded, "Serbia agreement") == "uk-serbia-agreement"
    assert resolve(loaded, "Serbia agreement", "Agreement") == "uk-serbia-agreement"
    with pytest.raises(NotFound):
        resolve(loaded, "Serbia route")


@pytest.mark.parametrize(("q", "first", "match"), [
    ("ser", "RS", "prefix"),
    ("western bal", "western-balkans-route", "prefix"),
    ("cooper", "yvette-cooper", "surname"),
    ("epc", "european-political-community", "aliases"),
    ("Türkiye", "TR", "reference_names"),
    ("fcdo", "foreign-office", "reference_names"),
    ("uk-france treaty", "uk-france-migration-treaty", "words"),
    ("prevot", "maxime-prevot", "surname"),
    ("RS", "RS", "id"),
])
def test_search_uses_the_same_ranking(client: TestClient, q: str, first: str, match: str) -> None:
    body = client.get("/v1/search", params={"q": q}).json()
    rows = body["items"]
    assert rows[0]["id"] == first and rows[0]["match"] == match, rows[:3]
    scores = [r["score"] for r in rows]
    assert scores == sorted(scores, reverse=True)


def test_search_filters_by_kinds(client: TestClient, loaded: FalkorBackend) -> None:
    body = client.get("/v1/search", params={"q": "london", "kind": "Place"}).json()
    assert [r["id"] for r in body["items"]] == ["london"]
    body = client.get("/v1/search", params={"q": "bud", "kind": "Place,Country"}).json()
    assert [r["id"] for r in body["items"]] == ["budapest"]
    assert [c.id for c in search(loaded, "glasgow")][:2] == ["glasgow", "interpol-conference-glasgow"]


def test_keys_fold_case_accents_and_punctuation() -> None:
    assert key("Prévot") == "prevot"
    assert key("Joint UK–Italy Illicit Finance Taskforce") == "joint uk italy illicit finance taskforce"
    assert key("U.K.") == "uk"
    assert key("Putin's") == key("Putin’s") == "putin"
    assert key("Foreign, Commonwealth & Development Office") == "foreign commonwealth and development office"
    assert key("  ") == ""
    assert core("the western balkans route", "Route") == "western balkans"
    assert core("western balkans route", "Figure") == "western balkans route"
    assert query_core("aegean route") == ("aegean", "Route")
    assert query_core("route") == ("route", None)
    assert tokens("republic of the serbia") == ["republic", "serbia"]
    assert acronym("european political community") == "epc"
    assert acronym("united kingdom") is None


def test_name_properties_hold_keys_tokens_acronyms_and_prefixes() -> None:
    props = name_properties("western-balkans-route", "Route", {
        "name": "Western Balkans route", "reference_names": ["Balkan route"]})
    assert {"western balkans route", "western balkans", "balkan route", "balkan"} <= set(props["names_folded"])
    assert {"western", "balkans", "route", "wes*", "bal*", "rou*", "wbr"} <= set(props["name_tokens"])
    assert "western-balkans-route" not in props["names_folded"]  # ids are folded too
