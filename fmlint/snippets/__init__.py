"""Checking and running code snippets: static checkers, the sandbox, the result cache, the runner.

The FM6xx rules (`fmlint.rules.snippets`) map what these report, relative to each snippet, back to
the page's lines.
"""

from __future__ import annotations

from fmlint.snippets.cache import ResultCache
from fmlint.snippets.runner import STATS, PageRun, run_pages
from fmlint.snippets.sandbox import RunResult, SnippetError, run_snippets

__all__ = ["STATS", "PageRun", "ResultCache", "RunResult", "SnippetError", "run_pages", "run_snippets"]
