"""FM3xx: navigation (to be written)."""

from __future__ import annotations

from fmlint.rules.base import Family

RULES = ()

FAMILY = Family("navigation", "FM3", RULES)
