"""One reporter per output format: a pure function from the result to text."""

from __future__ import annotations

from collections.abc import Callable

from fmlint.reporters import github, json, sarif, text
from fmlint.reporters.base import Report

REPORTERS: dict[str, Callable[[Report], str]] = {
    "text": text.render,
    "json": json.render,
    "github": github.render,
    "sarif": sarif.render,
}

__all__ = ["REPORTERS", "Report"]
