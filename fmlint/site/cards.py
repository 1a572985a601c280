"""The section cards of a handbook index, read from the page's HTML element tree (never re-parsed).

Each `div.section-card` becomes an `IndexCard`: the values a card states about its section (the
fields of `fmlint.models.card.Card`) with the line and column where each is written, so rules can
report at the exact element and `fmlint fix` can rewrite it. A card whose structure departs from
the reference form keeps what could be read and lists its `problems`; it is never dropped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from pydantic import ValidationError

from fmlint.models.card import Card
from fmlint.site import liquid
from fmlint.site.html import Comment, Element
from fmlint.site.page import Link, Page

_COMMENT = re.compile(r"^\s*Section\s+([A-Za-z]+|[0-9]+)\s*$")
_ID = re.compile(r"^s([1-9][0-9]*)$")
GOAL_LABEL = "Goal:"


def collapse(text: str) -> str:
    """Text as a reader sees it: runs of whitespace are one space."""
    return " ".join(text.split())


def has_class(el: Element, name: str) -> bool:
    return name in el.attrs.get("class", "").split()


@dataclass
class Value:
    """One thing a card states, where it states it."""

    text: str
    line: int
    column: int
    liquid: bool = False  # an href written with `relative_url`/`absolute_url`


@dataclass
class CardProblem:
    message: str
    line: int
    column: int


@dataclass
class IndexCard:
    """One `div.section-card`: its parts (None when absent) and what they say."""

    element: Element
    in_grid: bool
    comment: Comment | None = None
    numeral: Value | None = None  # from `<!-- Section V -->`
    h3: Element | None = None
    id: Value | None = None  # the h3 id
    title_link: Element | None = None
    title_href: Value | None = None
    title: Value | None = None  # the h3 link's text
    goal_paragraph: Element | None = None
    goal: Value | None = None  # the text after <strong>Goal:</strong>
    section_link: Element | None = None
    link_href: Value | None = None
    problems: list[CardProblem] = field(default_factory=list)

    @property
    def line(self) -> int:
        return self.element.line

    @property
    def column(self) -> int:
        return self.element.column

    @property
    def start_line(self) -> int:
        """First line of the card including its comment (where a card inserted before it goes)."""
        return self.comment.line if self.comment else self.element.line

    @property
    def end_line(self) -> int:
        return self.element.end_line or self.element.line

    @property
    def number(self) -> int | None:
        """The section number its h3 id `s<N>` states."""
        m = _ID.match(self.id.text) if self.id else None
        return int(m.group(1)) if m else None

    def to_model(self) -> Card | None:
        """The card's metadata as the schema model, or None when a part is missing or malformed."""
        if self.number is None or None in (self.id, self.title_href, self.link_href, self.title, self.goal):
            return None
        try:
            return Card(number=self.number, numeral=self.numeral.text if self.numeral else None,
                        id=self.id.text, title_href=self.title_href.text,  # type: ignore[union-attr]
                        link_href=self.link_href.text, title=self.title.text,  # type: ignore[union-attr]
                        goal=self.goal.text)  # type: ignore[union-attr]
        except ValidationError:
            return None


@dataclass
class CardIndex:
    """The cards of one index page, in document order, and the grids that hold them."""

    grids: list[Element]
    cards: list[IndexCard]


def extract_cards(page: Page) -> CardIndex:
    root = page.html_root
    if root is None:
        return CardIndex([], [])
    grids = [el for el in page.elements if el.tag == "div" and has_class(el, "sections-grid")]
    links = {(id(link.element), link.attr): link for link in page.links if link.element is not None}
    strays = [(e.line, e.column) for e in page.stray_end_tags if e.tag == "div"]
    cards = []
    for el in page.elements:
        if el.tag == "div" and has_class(el, "section-card"):
            pos = (el.line, el.column)
            # a stray </div> further down means the grid was closed early by an extra </div> (FM801's
            # finding): the cards after it are still inside the grid as written
            closed_early = any((g.line, g.column) < pos for g in grids) and any(pos < end for end in strays)
            cards.append(_read_card(page, el, _inside_grid(el) or closed_early, links))
    return CardIndex(grids, cards)


def _inside_grid(el: Element) -> bool:
    parent = el.parent
    while parent is not None:
        if parent.tag == "div" and has_class(parent, "sections-grid"):
            return True
        parent = parent.parent
    return False


def _own_children(card: Element) -> list[Element]:
    # A card left unclosed swallows the cards after it; those stay cards of their own.
    return [c for c in card.children if not (c.tag == "div" and has_class(c, "section-card"))]


def _descendants(el: Element) -> list[Element]:
    out = []
    for child in el.children:
        if child.tag == "div" and has_class(child, "section-card"):
            continue
        out.append(child)
        out.extend(_descendants(child))
    return out


def _text(el: Element) -> str:
    return collapse(liquid.MARKER_RE.sub("", el.raw_text))


def _href(el: Element, links: dict[tuple[int, str], Link]) -> Value | None:
    if "href" not in el.attrs:
        return None
    link = links.get((id(el), "href"))
    target = link.target if link else el.attrs["href"]
    return Value(target, el.line, el.column, liquid=bool(link and link.liquid))


def _read_card(page: Page, el: Element, in_grid: bool, links: dict[tuple[int, str], Link]) -> IndexCard:
    card = IndexCard(element=el, in_grid=in_grid)
    problems = card.problems
    if not in_grid:
        problems.append(CardProblem('card is outside <div class="sections-grid">: move it into the grid',
                                    el.line, el.column))
    card.comment = _comment_before(page, el)
    if card.comment is not None:
        m = _COMMENT.match(card.comment.text)
        if m:
            col = card.comment.column + 4 + card.comment.text.find(m.group(1))
            card.numeral = Value(m.group(1), card.comment.line, col)
    children = _own_children(el)
    order: list[tuple[int, int, str]] = []

    h3 = next((c for c in children if c.tag == "h3"), None)
    if h3 is None:
        problems.append(CardProblem('card has no <h3 id="s<N>"> heading: add it as the card\'s first element',
                                    el.line, el.column))
    else:
        card.h3 = h3
        order.append((children.index(h3), 0, "<h3>"))
        if "id" in h3.attrs:
            card.id = Value(h3.attrs["id"], h3.line, page.find_column(h3.line, "id=", h3.column))
        a = next((d for d in _descendants(h3) if d.tag == "a"), None)
        if a is None:
            problems.append(CardProblem("the card's <h3> has no <a> link to its section: wrap the title in one",
                                        h3.line, h3.column))
        else:
            card.title_link = a
            card.title_href = _href(a, links)
            card.title = Value(_text(a), a.line, a.column)

    paragraphs = [c for c in children if c.tag == "p"]
    goal_p = next((p for p in paragraphs if _goal_strong(p) is not None), None)
    if goal_p is not None:
        card.goal_paragraph = goal_p
        order.append((children.index(goal_p), 1, "goal <p>"))
        text = _text(goal_p)
        card.goal = Value(collapse(text[len(GOAL_LABEL):]) if text.startswith(GOAL_LABEL) else text,
                          goal_p.line, goal_p.column)
    elif paragraphs:
        p = paragraphs[0]
        problems.append(CardProblem(
            f"the card's paragraph does not start with <strong>{GOAL_LABEL}</strong> "
            f"('{_text(p)[:40]}'): write <p><strong>{GOAL_LABEL}</strong> <the section's description></p>",
            p.line, p.column))
    else:
        problems.append(CardProblem(
            f"card has no goal paragraph: add <p><strong>{GOAL_LABEL}</strong> <the section's description></p> "
            "after its <h3>", el.line, el.column))

    link = next((d for d in _descendants(el) if d.tag == "a" and has_class(d, "section-link")), None)
    if link is None:
        problems.append(CardProblem(
            'card has no "Read section" link: add <a href="..." class="section-link">Read section →</a> '
            "after its goal", el.line, el.column))
    else:
        card.section_link = link
        card.link_href = _href(link, links)
        top = link
        while top.parent is not None and top.parent is not el:
            top = top.parent
        if top in children:
            order.append((children.index(top), 2, "a.section-link"))

    names = [name for _, _, name in sorted(order)]
    expected = [n for n in ("<h3>", "goal <p>", "a.section-link") if n in names]
    if names != expected:
        problems.append(CardProblem(
            f"card's parts are in the order {', '.join(names)}: write them as <h3>, goal <p>, a.section-link",
            el.line, el.column))
    return card


def _goal_strong(p: Element) -> Element | None:
    """The `<strong>Goal:</strong>` that opens paragraph `p`, if it does."""
    if not p.children or p.children[0].tag != "strong":
        return None
    strong = p.children[0]
    if collapse(strong.raw_text) != GOAL_LABEL or not p.raw_text.lstrip().startswith(strong.raw_text.lstrip()):
        return None
    return strong


def _comment_before(page: Page, el: Element) -> Comment | None:
    """The HTML comment right before the card, with nothing but whitespace between them."""
    pos = (el.line, el.column)
    before = [c for c in page.comments if (c.line, c.column) < pos]
    if not before:
        return None
    comment = max(before, key=lambda c: (c.line, c.column))
    start = (comment.line, comment.column)
    if any(start < (e.line, e.column) < pos for e in page.elements):
        return None
    # Text (not whitespace) between them would be a paragraph of the grid, also not "right before".
    return comment
