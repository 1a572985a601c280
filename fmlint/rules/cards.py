"""FM7xx: the section cards of a handbook's index against the sections they stand for.

A section's own front matter is the source of truth (its number, title and description); its page
(and so its URL, permalink-aware) is what exists. Each card is matched to the section most of its
parts name (h3 id, hrefs, comment and title numerals, goal), so one stale part is reported as that
part, not as a missing card plus a card for a missing section.
"""

from __future__ import annotations

import html
import re
from collections import Counter
from collections.abc import Iterator

from fmlint.diagnostics import Diagnostic
from fmlint.rules.base import ERROR, WARNING, Context, Family, Rule
from fmlint.rules.numbering import declared_section, numbered_title, numbers_disagree
from fmlint.site import liquid
from fmlint.site.cards import CardIndex, IndexCard, Value, collapse, extract_cards
from fmlint.site.html import text_content
from fmlint.site.numerals import from_roman, to_roman
from fmlint.site.page import Link, Page
from fmlint.site.site import Handbook, Site
from fmlint.site.targets import LinkTarget, classify, page_for_source, site_baseurl
from fmlint.site.urls import page_at

CARD_EXAMPLE = """
    <div class="sections-grid">
      <!-- Section I -->
      <div class="section-card">
        <h3 id="s1">
          <a href="{{ '/content/handbooks/foundation-models/section1/' | relative_url }}">Section I: Foundation Models</a>
        </h3>
        <p><strong>Goal:</strong> Introduce foundation models.</p>
        <a href="{{ '/content/handbooks/foundation-models/section1/' | relative_url }}" class="section-link">Read section →</a>
      </div>
    </div>"""

MISSING_CARD = Rule("FM701", "missing-section-card", ERROR, "a section has no card on the index", f"""
What it does:
Reports a section page that has no card in the index's `<div class="sections-grid">`, at the place
in the grid where its card belongs (the next card, or the grid's closing tag), or at the top of the
index when it has no grid at all.

Why:
The index is the handbook's table of contents: a section without a card can only be reached by the
previous/next chain.

Bad:
    <div class="sections-grid">
    </div>

Good:{CARD_EXAMPLE}

Fix:
Inserts a card built from the section's front matter (number, title, description) and URL.
""", fixable=True)

CARD_WITHOUT_SECTION = Rule("FM702", "card-for-missing-section", ERROR, "a card stands for a section that does not exist", """
What it does:
Reports a card whose parts (h3 id, links, numerals) name a section that has no page in the handbook.

Why:
Its links are 404s: the section was removed or renumbered, or is not written yet.

Bad:
    <!-- Section XXIII -->
    <div class="section-card">
      <h3 id="s23"><a href="{{ '/content/handbooks/foundation-models/section23/' | relative_url }}">Section XXIII: Outlook</a></h3>
      ...
    </div>

Good:
    (no card for a section that has no page)
""")

DUPLICATE_CARD = Rule("FM703", "duplicate-section-card", ERROR, "two cards stand for the same section", """
What it does:
Reports a card for a section that an earlier card on the index already stands for.

Why:
The table of contents lists the section twice, usually because a card was copied and only half
edited.

Bad:
    <div class="section-card"><h3 id="s5">...</h3>...</div>
    <div class="section-card"><h3 id="s5">...</h3>...</div>

Good:
    <div class="section-card"><h3 id="s5">...</h3>...</div>
    <div class="section-card"><h3 id="s6">...</h3>...</div>
""")

CARD_ORDER = Rule("FM704", "section-card-out-of-order", ERROR, "cards are not in section order", """
What it does:
Reports a card that is out of section order on the index (the fewest cards whose moving restores
the order are reported).

Why:
The index reads as the handbook's table of contents, in order.

Bad:
    <div class="section-card"><h3 id="s2">...</h3>...</div>
    <div class="section-card"><h3 id="s1">...</h3>...</div>

Good:
    <div class="section-card"><h3 id="s1">...</h3>...</div>
    <div class="section-card"><h3 id="s2">...</h3>...</div>

Fix:
Moves the cards (each with its comment) into section order, when each card has lines of its own.
""", fixable=True)

MALFORMED_CARD = Rule("FM705", "malformed-section-card", ERROR, "card does not have the reference structure", f"""
What it does:
Reports a card that is not `div.section-card` > `h3` > `a`, then a `p` starting with
`<strong>Goal:</strong>`, then `a.section-link`, in that order, inside `div.sections-grid`: a missing
part, parts in another order, a goal paragraph without its label, a card outside the grid. Quoting,
whitespace and extra attributes do not matter. The rest of the card is still checked.

Why:
The handbook's stylesheet and script style and link cards by this structure; a card without its
goal or its link renders as a broken box.

Bad:
    <div class="section-card">
      <h3 id="s1"><a href="{{{{ '/content/handbooks/foundation-models/section1/' | relative_url }}}}">Section I: Foundation Models</a></h3>
    </div>

Good:{CARD_EXAMPLE}
""")

CARD_NUMERAL = Rule("FM706", "card-comment-numeral-mismatch", WARNING, "card's comment numeral differs from its section", """
What it does:
Reports a `<!-- Section V -->` comment before a card whose numeral is not the card's section number
in Roman numerals. The comment is optional.

Why:
Editors find cards by these comments; a stale one sends them to the wrong card.

Bad:
    <!-- Section IV -->
    <div class="section-card">
      <h3 id="s5">...

Good:
    <!-- Section V -->
    <div class="section-card">
      <h3 id="s5">...

Fix:
Writes the numeral of the section's `section` number.
""", fixable=True)

CARD_ID = Rule("FM707", "card-id-mismatch", ERROR, "card's h3 id is not s<N> of its section", """
What it does:
Reports a card whose `h3` has no `id` or an id other than `s<N>`, N being its section's number.

Why:
Links such as `index/#s5` jump to the card by this id.

Bad:
    <h3 id="s4">
      <a href="{{ '/content/handbooks/foundation-models/section5/' | relative_url }}">Section V: Self-Attention and Transformers</a>

Good:
    <h3 id="s5">
      <a href="{{ '/content/handbooks/foundation-models/section5/' | relative_url }}">Section V: Self-Attention and Transformers</a>

Fix:
Writes `s<N>`.
""", fixable=True)

CARD_HREF = Rule("FM708", "card-href-mismatch", ERROR, "card's link does not point at its section", """
What it does:
Reports a card's title link or "Read section" link whose href is not the URL of the card's section
(its permalink when it has one: the folder URL does not exist then), or that has no href.

Why:
The reader clicks through to the wrong section, or to a page that does not exist.

Bad:
    <h3 id="s5">
      <a href="{{ '/content/handbooks/foundation-models/section4/' | relative_url }}">Section V: Self-Attention and Transformers</a>

Good:
    <h3 id="s5">
      <a href="{{ '/content/handbooks/foundation-models/section5/' | relative_url }}">Section V: Self-Attention and Transformers</a>

Fix:
Writes the section's URL with `relative_url`.
""", fixable=True)

CARD_TITLE = Rule("FM709", "card-title-mismatch", ERROR, "card's link text differs from its section's title", """
What it does:
Reports a card whose `h3` link text is not its section's front-matter `title` (whitespace and HTML
entities aside). The section's front matter is the source of truth.

Why:
A section retitled on its page but not on the index shows two names for one section.

Bad:
    # section5/index.md: title: "Section V: Self-Attention and Transformers"
    <a href="...">Section V: Attention</a>

Good:
    <a href="...">Section V: Self-Attention and Transformers</a>

Fix:
Writes the section's title.
""", fixable=True)

CARD_GOAL = Rule("FM710", "card-goal-mismatch", ERROR, "card's goal differs from its section's description", """
What it does:
Reports a card whose text after `<strong>Goal:</strong>` is not its section's front-matter
`description` (whitespace and HTML entities aside). The section's front matter is the source of
truth.

Why:
The goal on the index should say what the section does now, not what it did when the card was
written.

Bad:
    # section5/index.md: description: "Introduce the self-attention mechanism and its role in transformer architectures."
    <p><strong>Goal:</strong> Introduce attention.</p>

Good:
    <p><strong>Goal:</strong> Introduce the self-attention mechanism and its role in transformer architectures.</p>

Fix:
Writes the section's description.
""", fixable=True)

RULES = (MISSING_CARD, CARD_WITHOUT_SECTION, DUPLICATE_CARD, CARD_ORDER, MALFORMED_CARD, CARD_NUMERAL,
         CARD_ID, CARD_HREF, CARD_TITLE, CARD_GOAL)

_TITLE_NUMERAL = re.compile(r"^Section ([A-Z]+):")


def _roman(n: int) -> str:
    return to_roman(n) if 0 < n < 4000 else str(n)


def _same_text(a: str, b: str) -> bool:
    # Front matter may hold inline HTML (`Ship <em>models</em>`); the card shows its text.
    return collapse(text_content(a)) == collapse(text_content(b))


def _fm_text(page: Page, key: str) -> str | None:
    value = page.front_matter.get(key) if page.front_matter else None
    return value if isinstance(value, str) and value.strip() else None


def _folder(page: Page) -> str:
    parts = page.path.split("/")
    return "/".join(parts[-2:]) if len(parts) >= 2 else page.path


class CardMatcher:
    """Which section of the handbook a card (or one of its parts) names."""

    def __init__(self, hb: Handbook, site: Site, index: Page) -> None:
        self.hb, self.site, self.index = hb, site, index
        self.baseurl = site_baseurl(site)
        self.sections = {n: p for n, p in hb.ordered_sections if n >= 1}
        self._folder_url = re.compile(re.escape(hb.url) + r"section([0-9]+)/?(?:index\.html)?$")
        self.by_goal: dict[str, int] = {}
        counts: Counter[str] = Counter()
        for n, page in self.sections.items():
            goal = _fm_text(page, "description")
            if goal:
                key = collapse(html.unescape(goal))
                counts[key] += 1
                self.by_goal[key] = n
        self.by_goal = {k: n for k, n in self.by_goal.items() if counts[k] == 1}

    def _target(self, value: Value) -> tuple[LinkTarget, str | None, Page | None]:
        # read as the links rules read a link: relative_url, site.baseurl, prepend, {% link %}
        target = classify(self.index, Link("html", value.text, value.line, value.column, liquid=value.liquid),
                          self.baseurl)
        if target.kind != "site":
            return target, None, None
        if target.source_path is not None:
            _, found = page_for_source(self.site, self.index, "/" + target.source_path.lstrip("/"))
            page = found if isinstance(found, Page) else None
            return target, (page.url if page is not None else None), page
        return target, target.path, page_at(self.site, target.path)

    def href_target(self, value: Value) -> tuple[str | None, Page | None]:
        _, path, page = self._target(value)
        return path, page

    def links_to(self, value: Value, page: Page) -> bool:
        """Whether the href is the section's URL as the built site serves it: exactly its URL (a
        missing '/' or 'index.html' is another spelling) and, when `_config.yml` sets a baseurl,
        through relative_url (or site.baseurl, {% link %}), without which it leaves the site."""
        target, path, found = self._target(value)
        if found is not page or path != page.url:
            return False
        return not (self.baseurl and not target.with_baseurl and not target.relative)

    def href_number(self, value: Value | None) -> int | None:
        if value is None:
            return None
        path, page = self.href_target(value)
        if page is not None:
            if page.handbook is self.hb and page.role == "section":
                return page.folder_number
            return None
        m = self._folder_url.match(path or "")
        return int(m.group(1)) if m else None

    def votes(self, card: IndexCard) -> list[int]:
        votes = [card.number, self.href_number(card.title_href), self.href_number(card.link_href)]
        if card.numeral is not None:
            votes.append(from_roman(card.numeral.text) or (int(card.numeral.text) if card.numeral.text.isdigit() else None))
        if card.title is not None and (m := _TITLE_NUMERAL.match(card.title.text)):
            votes.append(from_roman(m.group(1)))
        if card.goal is not None:
            votes.append(self.by_goal.get(collapse(html.unescape(card.goal.text))))
        return [v for v in votes if v]


def identify(cards: list[IndexCard], matcher: CardMatcher) -> list[int | None]:
    """The section each card stands for: the one most of its parts name; a tie goes to the next
    section in order that has no card yet, then to the h3 id's number."""
    out: list[int | None] = []
    previous = 0
    taken: set[int] = set()
    for card in cards:
        counts = Counter(matcher.votes(card))
        if not counts:
            out.append(None)
            continue
        best = max(counts.values())
        tied = sorted(n for n, c in counts.items() if c == best)
        following = [n for n in sorted(matcher.sections) if n > previous and n not in taken]
        if following and following[0] in tied:
            n = following[0]
        elif card.number in tied:
            n = card.number
        else:
            n = tied[0]
        out.append(n)
        taken.add(n)
        previous = max(previous, n)
    return out


def _increasing_keep(seq: list[int]) -> set[int]:
    """Positions of a longest strictly increasing subsequence of `seq` (the cards left in place)."""
    if not seq:
        return set()
    best_len = [1] * len(seq)
    back = [-1] * len(seq)
    for i in range(len(seq)):
        for j in range(i):
            if seq[j] < seq[i] and best_len[j] + 1 > best_len[i]:
                best_len[i], back[i] = best_len[j] + 1, j
    i = max(range(len(seq)), key=lambda k: (best_len[k], -k))
    keep = set()
    while i >= 0:
        keep.add(i)
        i = back[i]
    return keep


def _check_handbook(hb: Handbook, ctx: Context) -> Iterator[Diagnostic]:
    index = hb.index
    if index is None or index.source.problem is not None:
        return
    found = extract_cards(index)
    matcher = CardMatcher(hb, ctx.site, index)
    for card in found.cards:
        for problem in card.problems:
            yield MALFORMED_CARD(index.path, problem.line, problem.column, problem.message)
    ids = identify(found.cards, matcher)
    placed: dict[int, IndexCard] = {}
    first: list[tuple[int, IndexCard]] = []
    for card, n in zip(found.cards, ids, strict=True):
        if n is None:
            continue
        if n not in matcher.sections:
            yield CARD_WITHOUT_SECTION(index.path, card.line, card.column,
                                       f"card is for section {n}, which has no page ({_named_by(card, n, matcher)}): "
                                       f"remove the card, or add section{n}/index.md")
        elif n in placed:
            yield DUPLICATE_CARD(index.path, card.line, card.column,
                                 f"a card for section {n} is already on line {placed[n].line}: remove one of them")
        else:
            placed[n] = card
            first.append((n, card))
    keep = _increasing_keep([n for n, _ in first])
    for i, (n, card) in enumerate(first):
        if i not in keep:
            before = max((m for j, (m, _) in enumerate(first) if j < i and j in keep), default=None)
            where = f"after the card for section {before}" if before is not None else "first"
            yield CARD_ORDER(index.path, card.line, card.column,
                             f"card for section {n} comes {where}: move it so the cards follow section order")
    yield from _missing(hb, index, found, placed)
    for n, card in placed.items():
        yield from _fields(index, matcher, card, n, matcher.sections[n])


def _named_by(card: IndexCard, n: int, matcher: CardMatcher) -> str:
    parts = []
    if card.number == n:
        parts.append(f'id "s{n}"')
    if matcher.href_number(card.title_href) == n or matcher.href_number(card.link_href) == n:
        parts.append("its links")
    if card.numeral is not None and from_roman(card.numeral.text) == n:
        parts.append("its comment")
    return "from " + ", ".join(parts) if parts else "from its title"


def _missing(hb: Handbook, index: Page, found: CardIndex, placed: dict[int, IndexCard]) -> Iterator[Diagnostic]:
    missing = [(n, p) for n, p in hb.ordered_sections if n >= 1 and n not in placed]
    if not missing:
        return
    grids = [g for g in found.grids]
    if not grids and not found.cards:
        listed = ", ".join(str(n) for n, _ in missing)
        yield MISSING_CARD(index.path, index.body_first_line, 1,
                           f'index has no <div class="sections-grid"> of section cards: add one with a card for '
                           f"each section ({listed})")
        return
    for n, page in missing:
        later = [c for m, c in sorted(placed.items()) if m > n]
        if later:
            line, where = later[0].start_line, f"before the card for section {min(m for m in placed if m > n)}"
        elif grids:
            line, where = grids[0].end_line or grids[0].line, "at the end of the grid"
        else:
            line, where = found.cards[-1].end_line, "after the last card"
        title = _fm_text(page, "title")
        yield MISSING_CARD(index.path, line, 1,
                           f"section {n}{f' ({title})' if title else ''} has no card on the index: add its card "
                           f"{where}", fixable=bool(title and _fm_text(page, "description")))


def _fields(index: Page, matcher: CardMatcher, card: IndexCard, n: int, page: Page) -> Iterator[Diagnostic]:
    declared = declared_section(page)
    numbers = {n} | ({declared} if declared else set())
    number = declared or n
    source = f"{_folder(page)}"
    if card.numeral is not None and card.numeral.text not in {_roman(x) for x in numbers}:
        yield CARD_NUMERAL(index.path, card.numeral.line, card.numeral.column,
                           f"card comment says 'Section {card.numeral.text}'; expected 'Section {_roman(number)}' "
                           f"({source} is section {number})")
    if card.h3 is not None:
        if card.id is None:
            yield CARD_ID(index.path, card.h3.line, card.h3.column,
                          f'the card\'s <h3> has no id: add id="s{number}" ({source} is section {number})')
        elif card.id.text not in {f"s{x}" for x in numbers}:
            yield CARD_ID(index.path, card.id.line, card.id.column,
                          f'card id is "{card.id.text}"; expected "s{number}" ({source} is section {number})')
    for what, element, value in (("title link", card.title_link, card.title_href),
                                 ('"Read section" link', card.section_link, card.link_href)):
        if element is None:
            continue
        if value is None:
            yield CARD_HREF(index.path, element.line, element.column,
                            f"the card's {what} has no href: link it to {page.url}")
            continue
        if matcher.links_to(value, page):
            continue
        path, target = matcher.href_target(value)
        if target is page and path == page.url:
            yield CARD_HREF(index.path, value.line, value.column,
                            f"the card's {what} is written without relative_url, but _config.yml sets baseurl "
                            f"'{matcher.baseurl}', so on the site it leaves the site: write "
                            f"{{{{ '{page.url}' | relative_url }}}}")
            continue
        permalink = page.front_matter.get("permalink") if page.front_matter else None
        hint = " (it has a permalink: its folder URL does not exist)" if permalink else ""
        if target is page:
            hint = " (write its URL exactly)"
        shown = path or value.text
        yield CARD_HREF(index.path, value.line, value.column,
                        f"the card's {what} points at {shown}; section {number} is at {page.url}{hint}: "
                        f"link it there")
    title = numbered_title(page) if _fm_text(page, "title") else None  # a wrong numeral is FM2xx's finding
    if title and card.title is not None and card.title_link is not None and \
            liquid.MARK_OPEN not in card.title_link.raw_text and not _same_text(card.title.text, title):
        yield CARD_TITLE(index.path, card.title.line, card.title.column,
                         f"card title is '{card.title.text}'; {source} has title '{collapse(title)}' "
                         "(the section's front matter is the source of truth)")
    goal = _fm_text(page, "description")
    if goal and card.goal is not None and card.goal_paragraph is not None and \
            liquid.MARK_OPEN not in card.goal_paragraph.raw_text and not _same_text(card.goal.text, goal):
        yield CARD_GOAL(index.path, card.goal.line, card.goal.column,
                        f"card goal is '{card.goal.text}'; {source} has description '{collapse(goal)}' "
                        "(the section's front matter is the source of truth)")


def check_handbook(hb: Handbook, ctx: Context) -> Iterator[Diagnostic]:
    settled = not numbers_disagree(hb)
    for diag in _check_handbook(hb, ctx):
        yield diag if settled or not diag.fixable else diag.with_(fixable=False)


FAMILY = Family("index cards", "FM7", RULES, check_handbook=check_handbook)
