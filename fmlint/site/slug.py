"""Heading ids exactly as Jekyll's default kramdown-parser-gfm generates them (`auto_ids`).

kramdown-parser-gfm (lib/kramdown/parser/gfm.rb) does, for a heading without an explicit id:

    raw_text = the heading's *parsed* text (update_raw_text): text, code spans, math and entities
               (as characters), smart quotes and typographic symbols (as their characters); the
               text of nested spans (emphasis, links, span HTML) is included, images add nothing
    id = raw_text.downcase.gsub(/[^\\p{Word}\\- \\t]/, '').tr(" \\t", '-')
    a repeated id gets "-1", "-2", ... (one counter per base id; explicit ids do not count)

So Markdown syntax does not reach the id: `*fast*` gives `fast`, `[docs](http://x)` gives `docs`,
`&amp;` gives nothing, `--` (an en dash for kramdown's typographic symbols) vanishes and `<< x >>`
loses the spaces inside the guillemets, while a literal `_` or a single `-` stays. An empty id is
not written at all.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from markdown_it import MarkdownIt

# kramdown's HEADER_ID: ` {#id}` at the end of the heading text, the id starting with an ASCII
# letter. `{: #id}` at the end of the line is a span IAL after text, which kramdown ignores (it
# stays text); as a block IAL on the next line it does set the id (handled by the page builder).
_EXPLICIT_END = re.compile(r"[\t ]\{#([A-Za-z][A-Za-z0-9_:-]*)\}$")
# kramdown's typographic symbols (TYPOGRAPHIC_SYMS, in its order) and the characters
# update_raw_text puts in their place. They matter for ids because `--` vanishes instead of
# leaving two hyphens, and `<< `/` >>` take their space with them (a no-break space).
_TYPOGRAPHIC = re.compile(r"---|--|\.\.\.|\\<<|\\>>|<< | >>|<<|>>")
_TYPOGRAPHIC_CHARS = {"---": "\u2014", "--": "\u2013", "...": "\u2026", "\\<<": "<<", "\\>>": ">>",
                      "<< ": "\u00ab\u00a0", " >>": "\u00a0\u00bb", "<<": "\u00ab", ">>": "\u00bb"}
# A footnote marker (`[^1]`) is a footnote element in kramdown, which adds nothing to the raw text.
_FOOTNOTE_REF = re.compile(r"\[\^[^\]\s]+\]")
_MATH = re.compile(r"\$\$(.+?)\$\$", re.S)
# Ruby's \p{Word} is Unicode's \w (UTS #18): Alphabetic, Mark, Decimal_Number,
# Connector_Punctuation and Join_Control. Alphabetic adds letter numbers (Nl) and a few symbols
# (Other_Alphabetic: circled and squared Latin letters) to the letters.
_JOIN_CONTROL = {"\u200c", "\u200d"}
_OTHER_ALPHABETIC_SO = ((0x24B6, 0x24E9), (0x1F130, 0x1F149), (0x1F150, 0x1F169), (0x1F170, 0x1F189))


def _is_word(ch: str) -> bool:
    cat = unicodedata.category(ch)
    if cat[0] in "LM" or cat in ("Nd", "Nl", "Pc") or ch in _JOIN_CONTROL:
        return True
    if cat == "So":
        cp = ord(ch)
        return any(lo <= cp <= hi for lo, hi in _OTHER_ALPHABETIC_SO)
    return False


def gfm_slug(raw_text: str) -> str:
    """`generate_gfm_header_id` on kramdown's raw text, without the repeat counter.

    Ruby's `downcase` maps each character on its own (no final-sigma rule), so the text is
    lower-cased character by character.
    """
    lowered = "".join(ch.lower() for ch in raw_text)
    kept = "".join(ch for ch in lowered if ch in "- \t" or _is_word(ch))
    return kept.replace(" ", "-").replace("\t", "-")


@lru_cache(maxsize=1)
def _inline_parser() -> MarkdownIt:
    # `text_join` off: escaped characters stay separate tokens, as kramdown keeps `\-\-` out of
    # its typographic symbols.
    return MarkdownIt("commonmark").enable(["strikethrough"]).disable("text_join")


def heading_raw_text(source: str) -> str:
    """The text kramdown builds a heading's id from, given the heading's Markdown source.

    `source` is the heading's inline Markdown (explicit id removed, Liquid already rendered or
    dropped). Inline math (`$$…$$`) is kept verbatim, as kramdown parses it before emphasis.
    """
    parts = _MATH.split(source) if "`" not in source and "$$" in source else [source]
    if len(parts) > 1:  # an unclosed `$$` is plain text, not math
        # odd indices are math bodies
        return "".join(p if i % 2 else heading_raw_text(p) for i, p in enumerate(parts))
    tokens = _inline_parser().parseInline(source)
    children = tokens[0].children if tokens and tokens[0].children else []
    out: list[str] = []
    run: list[str] = []

    def flush() -> None:
        if run:
            text = _FOOTNOTE_REF.sub("", "".join(run))
            out.append(_TYPOGRAPHIC.sub(lambda m: _TYPOGRAPHIC_CHARS[m.group()], text))
            run.clear()

    for tok in children:
        if tok.type == "text":
            run.append(tok.content)
            continue
        flush()
        if tok.type in ("code_inline", "text_special"):
            out.append(tok.content)
        elif tok.type in ("softbreak", "hardbreak"):
            out.append("\n")
        # images add nothing; raw HTML tags add nothing (their text content is separate tokens)
    flush()
    return "".join(out)


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
    """`Title {#my-id}` -> ("Title", "my-id"), as kramdown's HEADER_ID reads it."""
    stripped = heading_text.rstrip()
    m = _EXPLICIT_END.search(stripped)
    if not m:
        return heading_text, None
    return stripped[: m.start()].rstrip(), m.group(1)
