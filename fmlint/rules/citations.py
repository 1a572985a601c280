"""FM5xx: citations (to be written)."""

from __future__ import annotations

from fmlint.rules.base import Family

RULES = ()

FAMILY = Family("citations", "FM5", RULES)
