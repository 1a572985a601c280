"""FM4xx: links and assets (to be written)."""

from __future__ import annotations

from fmlint.rules.base import Family

RULES = ()

FAMILY = Family("links and assets", "FM4", RULES)
