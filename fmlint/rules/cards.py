"""FM7xx: index cards (to be written)."""

from __future__ import annotations

from fmlint.rules.base import Family

RULES = ()

FAMILY = Family("index cards", "FM7", RULES)
