"""FM6xx: code snippets (to be written)."""

from __future__ import annotations

from fmlint.rules.base import Family

RULES = ()

FAMILY = Family("code snippets", "FM6", RULES)
