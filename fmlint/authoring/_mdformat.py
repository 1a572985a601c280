"""mdformat, set up for fmt: verbatim regions, link definitions kept in place, unpadded list numbers.

`render(text, regions)` formats `text` with mdformat's renderer and an in-process parser extension
(the interface of `mdformat.plugins.ParserExtensionInterface`, passed directly rather than through
an entry point, so nothing global changes):

- `regions` maps a 0-based line to the line after a run of top-level blocks that must come out
  exactly as written (raw HTML, tables, display math, ...). A block rule that runs first claims
  those lines as one token, rendered as its source text.
- Link reference definitions stay where they are, as written. Plain mdformat moves every used one
  to the end of the page (after the navigation script) and drops the unused ones.
- Ordered lists are numbered 1, 2, 3 ... without mdformat's zero padding (`01.` ... `10.`).
- Link and image destinations are written as the author wrote them, not percent-encoded
  (`[x](#café)` stays; plain mdformat writes `#caf%C3%A9`, which kramdown would put in the href).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache
from types import MappingProxyType
from typing import Any, ClassVar

from markdown_it import MarkdownIt
from markdown_it.rules_block.reference import reference
from markdown_it.rules_block.state_block import StateBlock
from mdformat.renderer import MDRenderer, RenderContext, RenderTreeNode

REGIONS = "fmlint_regions"  # env key: {first line: line after the region}
VERBATIM = "fmlint_verbatim"  # token type of a region or a link definition
OPTIONS = {"wrap": "keep", "number": True, "end_of_line": "lf"}
_ITEM_MARKER = re.compile(r"^(0*)\d+[.)](?= |$)")  # at column 0 only an item starts


def _region(state: StateBlock, start: int, end: int, silent: bool) -> bool:
    stop = state.env.get(REGIONS, {}).get(start) if state.level == 0 else None
    if stop is None:
        return False
    if not silent:
        token = state.push(VERBATIM, "", 0)
        token.block = True
        token.content = state.getLines(start, stop, 0, False)
        token.map = [start, stop]
        state.line = stop
    return True


def _definition(state: StateBlock, start: int, end: int, silent: bool) -> bool:
    if silent or not reference(state, start, end, False):
        return False
    token = state.push(VERBATIM, "", 0)
    token.block = True
    token.content = state.getLines(start, state.line, state.blkIndent, False).rstrip("\n")
    token.map = [start, state.line]
    return True


def _verbatim(node: RenderTreeNode, context: RenderContext) -> str:
    return node.content


def _unpad_numbers(text: str, node: RenderTreeNode, context: RenderContext) -> str:
    # mdformat pads numbers to one width ("01." ... "10."); number each item plainly and move
    # its continuation lines left by the padding removed, so they stay under the item's text.
    out, cut = [], 0
    for line in text.split("\n"):
        m = _ITEM_MARKER.match(line)
        if m:
            cut = len(m.group(1))
            out.append(line[cut:])
        else:
            out.append(line[cut:] if line[:cut].isspace() else line)
    return "\n".join(out)


class _Extension:
    """fmt's parser extension (see mdformat.plugins.ParserExtensionInterface)."""

    CHANGES_AST = False
    RENDERERS: ClassVar[Mapping[str, Any]] = MappingProxyType({VERBATIM: _verbatim})
    POSTPROCESSORS: ClassVar[Mapping[str, Any]] = MappingProxyType({"ordered_list": _unpad_numbers})

    @staticmethod
    def update_mdit(mdit: MarkdownIt) -> None:
        terminates = {"alt": ["paragraph", "reference", "blockquote", "list"]}
        mdit.block.ruler.before("table", "fmlint_region", _region, terminates)
        mdit.block.ruler.before("reference", "fmlint_definition", _definition)


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    # What mdformat.text() builds, plus the extension above.
    mdit = MarkdownIt(renderer_cls=MDRenderer)
    mdit.options["mdformat"] = dict(OPTIONS)
    mdit.options["store_labels"] = True
    mdit.options["parser_extension"] = [_Extension]
    mdit.options["codeformatters"] = {}
    _Extension.update_mdit(mdit)
    mdit.normalizeLink = _keep_link  # type: ignore[method-assign]
    return mdit


def _keep_link(url: str) -> str:
    # mdformat writes a link's href attribute; markdown-it normalises it (percent-encodes) first
    return url


def render(text: str, regions: dict[int, int]) -> str:
    """`text` formatted by mdformat, the `regions` kept as written; ends with one newline (or is empty)."""
    mdit = _parser()
    env: dict[str, Any] = {REGIONS: regions}
    tokens = mdit.parse(text, env)
    # finalize=False: mdformat would otherwise append the used link definitions at the end.
    out = mdit.renderer.render(tokens, mdit.options, env, finalize=False)
    return out + "\n" if out else ""
