"""Liquid, as Jekyll sees it: found on the raw text before Markdown, because Jekyll renders it first.

`scan` finds every output (`{{ … }}`) and tag (`{% … %}`) with its position and reports syntax
errors (unterminated delimiters, unclosed or stray blocks). `substitute` then produces the text that
the Markdown parser sees: a `'/path/' | relative_url` output becomes the path itself (so a link
written with it is a link, as on the built site); every other construct becomes a marker that
`restore` turns back into the original text. Markers let the Markdown model tell, for each Liquid
construct, whether it landed in prose, HTML, a code block or an HTML comment.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field

MARK_OPEN, MARK_CLOSE = "\ue000", "\ue001"
MARKER_RE = re.compile(f"{MARK_OPEN}(\\d+){MARK_CLOSE}")

# Blocks whose end tag must appear; `raw` and `comment` bodies are not Liquid.
BLOCK_TAGS = {"if", "unless", "case", "for", "capture", "tablerow", "highlight", "raw", "comment"}
_URL_OUTPUT = re.compile(
    r"""^\s*(['"])(?P<path>[^'"]*)\1\s*\|\s*(?P<filter>relative_url|absolute_url)\s*$"""
)
_TAG_NAME = re.compile(r"\s*(\w+)")


@dataclass
class LiquidNode:
    kind: str  # "output" or "tag"
    name: str  # tag name ("cite", "raw", ...) or "" for outputs
    markup: str  # the text between the delimiters, stripped
    start: int  # offsets into the page text
    end: int
    line: int  # 1-based, in the page
    column: int
    context: str = "content"  # content | html | code | comment | raw  (set by the Markdown model)
    url: str | None = None  # for `'/x/' | relative_url` outputs: the path
    source: str = ""  # the construct exactly as written


@dataclass
class LiquidError:
    message: str
    line: int
    column: int


@dataclass
class LiquidScan:
    nodes: list[LiquidNode] = field(default_factory=list)
    errors: list[LiquidError] = field(default_factory=list)
    raw_regions: list[tuple[int, int]] = field(default_factory=list)  # offsets inside raw/comment


class _Lines:
    def __init__(self, text: str, first_line: int) -> None:
        self.starts = [0] + [m.end() for m in re.finditer("\n", text)]
        self.first_line = first_line

    def pos(self, offset: int) -> tuple[int, int]:
        i = bisect.bisect_right(self.starts, offset) - 1
        return self.first_line + i, offset - self.starts[i] + 1


def scan(text: str, first_line: int = 1) -> LiquidScan:
    """Find Liquid constructs in `text` (a page body starting at page line `first_line`)."""
    lines = _Lines(text, first_line)
    out = LiquidScan()
    stack: list[LiquidNode] = []
    i = 0
    n = len(text)
    while i < n:
        j = text.find("{", i)
        if j < 0 or j + 1 >= n:
            break
        nxt = text[j + 1]
        if nxt not in "{%":
            i = j + 1
            continue
        # Liquid 4 (Jekyll 4) ends an output at the first '}' ("{{.*?}}?") and a tag at the first '%}'.
        closer = "}" if nxt == "{" else "%}"
        k = text.find(closer, j + 2)
        line, col = lines.pos(j)
        if k < 0:
            what = "output '{{'" if nxt == "{" else "tag '{%'"
            want = "}}" if nxt == "{" else "%}"
            out.errors.append(LiquidError(f"unterminated Liquid {what}: no closing '{want}'", line, col))
            break
        end = k + len(closer)
        if nxt == "{" and text.startswith("}", end):
            end += 1
        inner = text[j + 2 : k].strip("-").strip()
        if nxt == "{":
            node = LiquidNode("output", "", inner, j, end, line, col)
            m = _URL_OUTPUT.match(inner)
            if m:
                node.url = m.group("path")
            out.nodes.append(node)
            i = end
            continue
        m = _TAG_NAME.match(inner)
        name = m.group(1) if m else ""
        node = LiquidNode("tag", name, inner, j, end, line, col)
        out.nodes.append(node)
        i = end
        if not name:
            out.errors.append(LiquidError("empty Liquid tag '{% %}'", line, col))
            continue
        if name in ("raw", "comment"):
            close_re = re.compile(r"\{%-?\s*end" + name + r"\s*-?%\}")
            cm = close_re.search(text, end)
            if cm is None:
                out.errors.append(LiquidError(f"'{{% {name} %}}' is never closed by '{{% end{name} %}}'", line, col))
                out.raw_regions.append((end, n))
                break
            out.raw_regions.append((end, cm.start()))
            eline, ecol = lines.pos(cm.start())
            out.nodes.append(LiquidNode("tag", "end" + name, cm.group(0)[2:-2].strip("-").strip(),
                                        cm.start(), cm.end(), eline, ecol))
            i = cm.end()
        elif name in BLOCK_TAGS:
            stack.append(node)
        elif name.startswith("end") and name[3:] in BLOCK_TAGS:
            if stack and stack[-1].name == name[3:]:
                stack.pop()
            elif any(s.name == name[3:] for s in stack):
                while stack and stack[-1].name != name[3:]:
                    opened = stack.pop()
                    out.errors.append(LiquidError(
                        f"'{{% {opened.name} %}}' is not closed before '{{% {name} %}}'",
                        opened.line, opened.column))
                stack.pop()
            else:
                out.errors.append(LiquidError(f"'{{% {name} %}}' closes a block that was never opened", line, col))
    for opened in stack:
        out.errors.append(LiquidError(
            f"'{{% {opened.name} %}}' is never closed by '{{% end{opened.name} %}}'", opened.line, opened.column))
    return out


@dataclass
class Substituted:
    """The text the Markdown parser sees, and the way back to the page's columns."""

    text: str
    nodes: list[LiquidNode]
    # per page line: sorted (new_col, orig_col, new_end, orig_end) of replaced spans (0-based columns)
    spans: dict[int, list[tuple[int, int, int, int]]]

    def orig_column(self, line: int, new_col: int) -> int:
        """Map a 1-based column of the substituted text back to the page's column."""
        delta = 0
        for ns, os_, ne, oe in self.spans.get(line, ()):
            c0 = new_col - 1
            if c0 < ns:
                break
            if c0 < ne:
                return os_ + 1
            delta = oe - ne
        return new_col + delta

    def restore(self, s: str) -> str:
        return MARKER_RE.sub(lambda m: self.nodes[int(m.group(1))].source, s)


HIGHLIGHT_FENCE = "~" * 12


def _alone_on_line(text: str, node: LiquidNode) -> bool:
    start = text.rfind("\n", 0, node.start) + 1
    end = text.find("\n", node.end)
    end = len(text) if end < 0 else end
    return not text[start : node.start].strip() and not text[node.end : end].strip()


def substitute(text: str, found: LiquidScan, first_line: int = 1) -> Substituted:
    lines = _Lines(text, first_line)
    parts: list[str] = []
    spans: dict[int, list[tuple[int, int, int, int]]] = {}
    pos = 0
    new_line_len: dict[int, int] = {}  # running new-text column shift per line
    for idx, node in enumerate(found.nodes):
        parts.append(text[pos : node.start])
        original = node.source = text[node.start : node.end]
        rep = node.url if node.url is not None else f"{MARK_OPEN}{idx}{MARK_CLOSE}"
        if node.name in ("highlight", "endhighlight") and _alone_on_line(text, node):
            # Jekyll renders a highlight block as code: the Markdown parser sees a fence.
            words = node.markup.split()
            rep = HIGHLIGHT_FENCE + (f" {words[1]}" if node.name == "highlight" and len(words) > 1 else "")
        breaks = original.count("\n")
        line, col = lines.pos(node.start)
        shift = new_line_len.get(line, 0)
        ns = col - 1 + shift
        ne = ns + len(rep)
        oe = col - 1 + (len(original) if not breaks else len(original.split("\n", 1)[0]))
        spans.setdefault(line, []).append((ns, col - 1, ne, oe))
        new_line_len[line] = shift + len(rep) - (oe - (col - 1))
        parts.append(rep + "\n" * breaks)
        pos = node.end
    parts.append(text[pos:])
    return Substituted("".join(parts), found.nodes, spans)
