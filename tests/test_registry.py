"""Every rule is documented in one place, with a stable code and a problem-naming name."""

from __future__ import annotations

import re

import pytest

from fmlint.rules import FAMILIES, all_rules
from fmlint.rules.base import DOC_HEADINGS

RULES = list(all_rules().values())


def test_codes_are_unique_and_in_their_family():
    codes = [r.code for f in FAMILIES for r in f.rules]
    assert len(codes) == len(set(codes))
    for family in FAMILIES:
        for rule in family.rules:
            assert rule.code.startswith(family.prefix), rule.code
            assert re.fullmatch(r"FM\d{3}", rule.code)


@pytest.mark.parametrize("rule", RULES, ids=[r.code for r in RULES])
def test_rule_documentation(rule):
    assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", rule.name)
    assert not rule.name.startswith("no-")
    for heading in DOC_HEADINGS:
        assert rule.doc_section(heading).strip(), f"{rule.code} doc lacks '{heading}:'"
    if rule.fixable:
        assert rule.doc_section("Fix").strip(), f"{rule.code} is fixable but its doc has no 'Fix:'"


def test_names_are_unique():
    names = [r.name for r in RULES]
    assert len(names) == len(set(names))
