"""Docs that cannot drift: generated README sections, every setting and CLI verb documented."""

from __future__ import annotations

from conftest import ROOT
from migkg.cli import build_parser
from migkg.docs import render
from migkg.settings import Settings

README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_generated_sections_are_current() -> None:
    assert render(README) == README, "README is stale: run `python -m migkg.docs`"


def test_every_setting_is_documented() -> None:
    for name, field in Settings.model_fields.items():
        env = field.validation_alias.choices[0] if field.validation_alias else f"MIGKG_{name.upper()}"  # type: ignore[union-attr]
        assert f"`{env}`" in README, env


def test_every_cli_verb_is_documented() -> None:
    sub = next(a for a in build_parser()._actions if a.dest == "command")
    for verb in sub.choices:  # type: ignore[union-attr]
        assert f"migkg {verb}" in README, verb


def test_readme_has_exactly_two_setup_commands() -> None:
    block = README.split("## Set-up: two commands", 1)[1].split("```sh", 1)[1].split("```", 1)[0]
    commands = [ln for ln in block.strip().splitlines() if ln.strip()]
    assert [c.split("#")[0].strip() for c in commands] == ["bash scripts/run.sh",
                                                           "bash scripts/test.sh"]
    assert "bash scripts/test.sh" in (ROOT / ".ci" / "run").read_text()
