"""The rule registry: an explicit table of families, each one module."""

from __future__ import annotations

from fmlint.rules import (cards, citations, file, frontmatter, links, markup, navigation, numbering, online,
                          snippets)
from fmlint.rules.base import Family, Rule

FAMILIES: tuple[Family, ...] = (
    file.FAMILY,
    frontmatter.FAMILY,
    numbering.FAMILY,
    navigation.FAMILY,
    links.FAMILY,
    online.FAMILY,
    citations.FAMILY,
    snippets.FAMILY,
    cards.FAMILY,
    markup.FAMILY,
)


def all_rules() -> dict[str, Rule]:
    return {rule.code: rule for family in FAMILIES for rule in family.rules}


def get_rule(code: str) -> Rule | None:
    return all_rules().get(code.upper())


__all__ = ["FAMILIES", "Family", "Rule", "all_rules", "get_rule"]
