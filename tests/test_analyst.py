"""Analysts' questions answered by Cypher against the curated data."""

from __future__ import annotations

from graph.falkor import FalkorBackend


def test_parties_of_uk_germany_plan_and_roles(loaded: FalkorBackend) -> None:
    rows = loaded.read(
        "MATCH (x)-[r:`PARTY_TO`]->(a:`Agreement` {id: 'uk-germany-joint-action-plan'}) "
        "RETURN x.id, r.role ORDER BY x.id"
    ).rows
    assert rows == [["DE", "signatory"], ["GB", "signatory"]]
    signers = loaded.read(
        "MATCH (p:`Person`)-[:`SIGNED`]->(:`Agreement` {id: 'uk-germany-joint-action-plan'}) "
        "RETURN p.name ORDER BY p.name"
    ).rows
    assert signers == [["Nancy Faeser"], ["Yvette Cooper"]]


def test_countries_on_the_western_balkans_route(loaded: FalkorBackend) -> None:
    rows = loaded.read(
        "MATCH (:`Route` {id: 'western-balkans-route'})-[p:`PASSES_THROUGH`]->(c:`Country`) "
        "RETURN p.role, c.id ORDER BY p.role, c.id"
    ).rows
    assert ["transit", "RS"] in rows and ["transit", "MK"] in rows and ["transit", "XK"] in rows
    assert {c for role, c in rows if role == "transit"} == {"RS", "MK", "XK"}


def test_the_four_border_security_command_principles(loaded: FalkorBackend) -> None:
    rows = loaded.read(
        "MATCH (p:`Principle`)-[:`PART_OF`]->(f {id: 'delivering-border-security'}) "
        "RETURN p.position, p.name ORDER BY p.position"
    ).rows
    assert rows == [[1, "Prevent"], [2, "Pursue"], [3, "Protect"], [4, "Prepare"]]


def test_leaders_who_set_out_the_2_october_2025_statement(loaded: FalkorBackend) -> None:
    rows = loaded.read(
        "MATCH (c:`Country`)-[r:`PARTY_TO`]->(a:`Agreement` {date: '2025-10-02'}) "
        "WHERE a.agreement_type = 'joint_statement' RETURN c.id ORDER BY c.id"
    ).rows
    assert [r[0] for r in rows] == sorted(
        ["AD", "AT", "BE", "BG", "CY", "CZ", "DK", "DE", "GR", "IT", "MT", "NL", "PL", "PT",
         "RO", "SE", "GB"]
    )
    present = loaded.read(  # observers attended the Summit; they are not parties
        "MATCH (:`Agreement` {date: '2025-10-02'})-[:`ANNOUNCED_AT`]->(e:`Event`)"
        "<-[r:`ATTENDED` {role: 'present'}]-(x) RETURN x.id ORDER BY x.id"
    ).rows
    # "in the presence of the President of the European Commission" (and of the
    # Parliament's): the offices, not the institutions (issue 24)
    assert present == [["president-of-the-european-commission"],
                       ["president-of-the-european-parliament"]]


def test_bodies_working_on_the_western_balkans_route(loaded: FalkorBackend) -> None:
    rows = loaded.read(
        "MATCH (x)-[:`ADDRESSES`]->(:`Route` {id: 'western-balkans-route'}) "
        "RETURN labels(x)[0] AS kind, x.id ORDER BY kind, x.id"
    ).rows
    assert ["Agreement", "uk-serbia-agreement"] in rows
