"""FM2xx: numbering (to be written)."""

from __future__ import annotations

from fmlint.rules.base import Family

RULES = ()

FAMILY = Family("numbering", "FM2", RULES)
