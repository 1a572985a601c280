"""Heading ids exactly as Jekyll's default kramdown-parser-gfm generates them (`auto_ids`)."""

from __future__ import annotations

import re
import unicodedata

_EXPLICIT_END = re.compile(r"\s*\{:?\s*#([^\s}]+)[^}]*\}\s*$")


def _is_word(ch: str) -> bool:
    # Ruby's \p{Word}: letters, marks, decimal and letter numbers, connector punctuation.
    cat = unicodedata.category(ch)
    return cat[0] in "LM" or cat in ("Nd", "Nl", "Pc")


def gfm_slug(raw_text: str) -> str:
    """kramdown-parser-gfm's `generate_gfm_header_id` without the repeat counter.

    Lower-case; delete every character that is not a word character, '-', space or tab; turn
    spaces and tabs into '-'. It works on the heading's raw Markdown text, so backticks and
    emphasis markers vanish while underscores stay.
    """
    kept = "".join(ch for ch in raw_text.lower() if ch in "- \t" or _is_word(ch))
    return kept.replace(" ", "-").replace("\t", "-")


class SlugCounter:
    """Repeated ids get -1, -2, ... as kramdown's counter (which starts at -1) gives them."""

    def __init__(self) -> None:
        self._seen: dict[str, int] = {}

    def __call__(self, raw_text: str) -> str:
        base = gfm_slug(raw_text)
        n = self._seen.get(base, -1) + 1
        self._seen[base] = n
        return f"{base}-{n}" if n > 0 else base


def split_explicit_id(heading_text: str) -> tuple[str, str | None]:
    """`Title {#my-id}` or `Title {: #my-id .cls}` -> ("Title", "my-id")."""
    m = _EXPLICIT_END.search(heading_text)
    if not m:
        return heading_text, None
    return heading_text[: m.start()], m.group(1)
