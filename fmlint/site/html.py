"""Raw HTML as elements with positions: the stdlib's tolerant HTMLParser, fed one chunk at a time."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}


@dataclass
class Element:
    tag: str
    attrs: dict[str, str]
    line: int
    column: int
    end_line: int = 0  # line of the closing tag (0 while open or for void elements)
    text: str = ""  # text content (direct and nested), whitespace-collapsed
    raw_text: str = ""  # text content exactly as parsed (entities decoded), for `<em>x</em>.`-exact text
    children: list[Element] = field(default_factory=list)
    parent: Element | None = field(default=None, repr=False)


@dataclass
class Comment:
    text: str
    line: int
    column: int
    end_line: int


@dataclass
class EndTag:
    tag: str
    line: int
    column: int


@dataclass
class Script:
    element: Element
    body: str
    body_line: int  # page line where `body` starts
    body_column: int


class HtmlCollector(HTMLParser):
    """Collects elements as a tree across chunks, so a div opened in one block closes in another."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Element("#root", {}, 0, 0)
        self.stack: list[Element] = [self.root]
        self.elements: list[Element] = []
        self.comments: list[Comment] = []
        self.stray_ends: list[EndTag] = []
        self.end_tags: list[EndTag] = []  # every end tag, in document order
        self.scripts: list[Script] = []
        self._line0 = 1
        self._colmap = None

    def feed_chunk(self, data: str, first_line: int, colmap) -> None:  # noqa: ANN001
        """Feed `data`, whose first line is page line `first_line`; colmap(line, col) fixes columns."""
        self._line0 = first_line
        self._colmap = colmap
        self.reset_position()
        self.feed(data)

    def reset_position(self) -> None:
        self.lineno = 1
        self.offset = 0

    def _pos(self) -> tuple[int, int]:
        line, off = self.getpos()
        page_line = self._line0 + line - 1
        col = off + 1
        if self._colmap is not None:
            col = self._colmap(page_line, col)
        return page_line, col

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        line, col = self._pos()
        el = Element(tag, {k: (v if v is not None else "") for k, v in attrs}, line, col)
        parent = self.stack[-1]
        el.parent = parent
        parent.children.append(el)
        self.elements.append(el)
        if tag not in VOID:
            self.stack.append(el)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in VOID and self.stack[-1].tag == tag:
            self.stack.pop()

    def handle_endtag(self, tag: str) -> None:
        line, col = self._pos()
        if tag in VOID:
            return
        self.end_tags.append(EndTag(tag, line, col))
        for i in range(len(self.stack) - 1, 0, -1):
            if self.stack[i].tag == tag:
                for el in self.stack[i + 1 :]:
                    # implicitly closed (e.g. a <p> left open); a missing </div> stays visible
                    el.end_line = 0
                self.stack[i].end_line = line
                del self.stack[i:]
                return
        self.stray_ends.append(EndTag(tag, line, col))

    def handle_data(self, data: str) -> None:
        if self.stack[-1].tag == "script":
            line, col = self._pos()
            self.scripts.append(Script(self.stack[-1], data, line, col))
            return
        for el in self.stack[1:]:
            el.raw_text += data
        text = " ".join(data.split())
        if text:
            for el in self.stack[1:]:
                el.text = f"{el.text} {text}".strip()

    def handle_comment(self, data: str) -> None:
        line, col = self._pos()
        self.comments.append(Comment(data, line, col, line + data.count("\n")))

    @property
    def unclosed(self) -> list[Element]:
        return self.stack[1:]


class _TextOnly(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def text_content(fragment: str) -> str:
    """The text a reader sees of an HTML fragment (`Ship <em>models</em>` -> `Ship models`)."""
    if "<" not in fragment and "&" not in fragment:
        return fragment
    parser = _TextOnly()
    parser.feed(fragment)
    parser.close()
    return "".join(parser.parts)
