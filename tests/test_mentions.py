"""Every relationship's quotes name both of its ends, or it is a listed, justified exception.

The check is loaders/review.py's (`python -m loaders.review` prints every
relationship with its quotes for a person to read). An entity counts as named by
its name, an alias, a reference name, a surname, an office title, a country's
adjective, a figure's value or a run of words from its own quotes.
"""

from __future__ import annotations

from conftest import ARTIFACTS
from loaders.facts import Facts
from loaders.review import check_all, render

# Relationship key -> why its quotes may leave an end unnamed. Every entry must still
# be needed: a test fails on an entry whose quotes now name both ends.
ALLOWED = {
    # -- The UK government speaks of itself as "the Government", "our", "we" or through
    #    its office holders; the UK is not named in the sentence that states the fact.
    "COOPERATES_WITH|GB|UA|||": "from: \"our enduring support for Ukraine\" in a UK press release",
    "MEMBER_OF|GB|calais-group|||": "from: \"our shared commitment\"; membership is implied (confidence medium)",
    "PARTY_TO|GB|calais-group-priority-plan-2025|party||": "from: \"our shared commitment\" (medium)",
    "ATTENDED|GB|calais-group-london-meeting|convener||": "from: the UK Home Secretary, \"Today I ... convened\"",
    "ATTENDED|GB|epc-meeting-budapest|attendee||": "from: the UK Prime Minister attends for the UK",
    "OFFICE_OF|uk-home-secretary|GB|||": "to: \"Home Secretary\" is a UK office",
    "OFFICE_OF|uk-minister-for-the-cabinet-office|GB|||": "to: \"The Government\" the text speaks for",
    "OFFICE_OF|uk-deputy-prime-minister|GB|||": "to: a UK office, in a UK press release",
    "OFFICE_OF|uk-attorney-general|GB|||": "to: a UK office, in a UK press release",
    "PART_OF|home-office|GB|||": "to: the Home Office speaks for the UK side of the plan (medium)",
    "HELD_IN|written-statement-calais-group|GB|||": "to: \"updates to Parliament\", the UK Parliament",
    "HELD_IN|written-statement-uk-germany-joint-action-plan|GB|||": "to: the UK Parliament, as above",
    # -- The Foreign Secretary (unnamed) on the visit.
    "ANNOUNCED_AT|uk-france-migration-treaty|foreign-secretary-brussels-visit|||discussed":
        "to: \"She will highlight\": she is the Foreign Secretary of the visit",
    "ANNOUNCED_AT|uk-italy-partnership|foreign-secretary-brussels-visit|||discussed":
        "to: \"The Foreign Secretary will point to\", implicitly on the visit (medium)",
    # -- Reference geography: the text names the city, not its country (notes say so).
    "HELD_IN|calais-group-london-meeting|GB|||": "to: \"in London\"",
    "HELD_IN|illicit-finance-summit|GB|||": "to: \"Lancaster House in London\"",
    "HELD_IN|interpol-conference-glasgow|GB|||": "to: \"in Glasgow\"",
    "HELD_IN|foreign-secretary-brussels-visit|BE|||": "to: \"to Brussels\"",
    "HELD_IN|cabinet-office-minister-brussels-visit|BE|||": "to: \"in Brussels\"",
    "LOCATED_IN|glasgow|GB|||": "to: Glasgow is in the UK",
    "LOCATED_IN|london|GB|||": "to: London is in the UK",
    # -- The article calls the UK-Germany plan "the joint agreement" or "It".
    "COMMITTED_IN|germany-smuggling-law-clarification|uk-germany-joint-action-plan|||":
        "to: \"the joint agreement sees Germany confirm its intention\"",
    "ADDRESSES|uk-germany-joint-action-plan|channel-small-boats-route|||":
        "from: \"agreements ... aimed at ... small boats crossing the Channel\" and the joint agreement's "
        "tools against small boats equipment",
    "ANNOUNCED_AT|calais-group-priority-plan-2025|written-statement-calais-group|||announced":
        "from: \"a joint plan with Belgium, France, and The Netherlands\" is the Priority Plan",
    # -- The Channel is implied, not named (the edges are medium confidence, with notes).
    "ADDRESSES|uk-france-migration-treaty|channel-small-boats-route|||": "to: \"illegal crossings\"",
    "ADDRESSES|germany-smuggling-law-clarification|channel-small-boats-route|||":
        "to: \"small boats equipment\" and \"smuggling of migrants to the UK\"",
    "ADDRESSES|uk-small-boat-returns-to-france|channel-small-boats-route|||":
        "to: \"small boat migrants arriving in the UK\" (inferred, low)",
    # -- The source's own (inaccurate) title: "EU Commissioner", not the Commission by name.
    "OFFICE_OF|european-commissioner|european-commission|||": "to: \"EU Commissioner\"",
}


def test_every_quote_names_both_ends_or_is_allowed(facts: Facts) -> None:
    flagged = {c.rel.key: c for c in check_all(facts) if not c.ok}
    unexpected = [f"{c.rel.file}:{c.rel.line}: {key}: quotes do not name "
                  + " and ".join(end for end, ok in (("from", c.source_mentioned),
                                                     ("to", c.target_mentioned)) if not ok)
                  for key, c in sorted(flagged.items()) if key not in ALLOWED]
    assert not unexpected, "\n".join(unexpected)
    stale = sorted(set(ALLOWED) - set(flagged))
    assert not stale, f"allow-list entries no longer needed: {stale}"


def test_allowed_exceptions_are_a_small_share(facts: Facts) -> None:
    assert len(ALLOWED) * 6 < len(facts.relationships)


def test_review_report_lists_every_relationship_with_its_quotes(facts: Facts) -> None:
    text = render(facts)
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "review.md").write_text(text + "\n", encoding="utf-8")  # for a person to read
    assert text.count("\n- ") == len(facts.relationships)
    for r in facts.relationships:
        for s in r.sources:
            assert s["quote"] in text
    assert text.count("**check:**") == len(ALLOWED)
    only = render(facts, only_unmentioned=True)
    assert only.count("\n- ") == len(ALLOWED)
