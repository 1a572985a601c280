"""FM2xx: section numbers, title numerals and subsection numbers that drift apart.

A section's number is stated three times (its folder `section<N>`, its `section:` key and the
numeral of its title) and again by every numbered subsection heading (`## 5.1`, `### 5.1.2`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from fmlint.diagnostics import Diagnostic
from fmlint.rules.base import ERROR, WARNING, Context, Family, Rule
from fmlint.site.numerals import from_roman, is_roman, to_roman
from fmlint.site.page import Heading, Page
from fmlint.site.site import Handbook

SECTION_GAP = Rule("FM201", "section-number-gap", ERROR, "section numbers do not run 1, 2, 3 ... without a gap", """
What it does:
Reports a handbook whose section folders `section<N>` do not run 1, 2, 3 ... N: a number that is
missing is reported once, at the first section after the gap (at its `section:` key); a `section0`
folder is reported at its page.

Why:
The index cards, the previous/next chain and the numbering readers see all assume consecutive
sections; a gap is a section that was deleted or renumbered halfway.

Bad:
    section1/index.md
    section2/index.md
    section4/index.md

Good:
    section1/index.md
    section2/index.md
    section3/index.md
""")

DUPLICATE_SECTION = Rule("FM202", "duplicate-section-number", ERROR, "two section folders have the same number", """
What it does:
Reports a section folder whose number another folder of the same handbook already has (for example
`section5` and `section05`), at the second one's page.

Why:
Only one of them can be section 5 on the index, in the navigation chain and in the numbering.

Bad:
    section05/index.md
    section5/index.md

Good:
    section5/index.md
    section6/index.md
""")

SECTION_MISMATCH = Rule("FM203", "section-number-mismatch", ERROR, "front matter `section` differs from the folder's number", """
What it does:
Reports a section page whose `section:` key is not the `<N>` of its folder `section<N>`, at the key.

Why:
The folder gives the page its URL and its place in the handbook; the key gives the number cards,
titles and subsections are checked against. When they disagree one of them was not updated after a
renumbering, and only the author can tell which.

Bad:
    # section8/index.md
    section: 7

Good:
    # section8/index.md
    section: 8
""")

INVALID_NUMERAL = Rule("FM204", "invalid-title-numeral", ERROR, "the title's numeral is not a valid Roman numeral", """
What it does:
Reports a section title `Section <R>: <name>` whose `<R>` is not a well-formed upper-case Roman
numeral (`IIII`, `VX`, `iv`, `Five`).

Why:
The numeral is how readers see the section's number; a malformed one reads as a typo and cannot be
checked against `section`.

Bad:
    title: "Section IIII: Early Transformer Variants"
    section: 4

Good:
    title: "Section IV: Early Transformer Variants"
    section: 4

Fix:
Writes the numeral of `section` (here `IV`) in the title.
""", fixable=True)

NUMERAL_MISMATCH = Rule("FM205", "title-numeral-mismatch", ERROR, "the title's numeral differs from `section`", """
What it does:
Reports a section title whose Roman numeral is valid but is not the page's `section` number.

Why:
The title is what the page, the index card and the browser tab show; after a renumbering it is the
value most often left behind.

Bad:
    title: "Section VII: Language Model Pretraining"
    section: 8

Good:
    title: "Section VIII: Language Model Pretraining"
    section: 8

Fix:
Writes the numeral of `section` in the title.
""", fixable=True)

SUBSECTION_SECTION = Rule("FM206", "subsection-wrong-section", ERROR,
                          "numbered subsection heading does not start with the section's number", """
What it does:
Reports a numbered subsection heading (`## N.k`, or a deeper one with no numbered parent) whose
first number is not the page's section number. Unnumbered headings are never reported.

Why:
A heading copied from another section, or left behind when the section was renumbered, tells the
reader they are somewhere else.

Bad:
    # section5/index.md
    ## 4.1 Scaled dot-product attention

Good:
    # section5/index.md
    ## 5.1 Scaled dot-product attention

Fix:
Renumbers the heading (and the headings under it) with the section's number.
""", fixable=True)

SUBSECTION_SEQUENCE = Rule("FM207", "subsection-out-of-sequence", ERROR,
                           "numbered subsection headings do not run 1, 2, 3 under their parent", """
What it does:
Reports a numbered heading whose last number does not follow the previous numbered heading at the
same level under the same parent (a skipped, repeated or out-of-order number; the first one must be
1), or whose prefix is not its parent's number (`### 5.1.2` under `## 5.2`). Each break is reported
once: the headings after it are compared with it, not with where the count should have been.

Why:
Readers (and cross-references such as "see 5.3") rely on the numbers running in order.

Bad:
    ## 5.1 Attention
    ## 5.3 Multi-head attention

Good:
    ## 5.1 Attention
    ## 5.2 Multi-head attention

Fix:
Renumbers the headings from this one on, and the headings under them, so that they run 1, 2, 3.
A heading with no numbered heading above it is left to the author (where it belongs is a guess).
""", fixable=True)

SUBSECTION_DEPTH = Rule("FM208", "subsection-wrong-depth", ERROR,
                        "numbered heading's depth differs from its number's", """
What it does:
Reports a numbered heading whose number has a different count of parts than its level: `## N.k`,
`### N.k.m`, `#### N.k.m.p`.

Why:
The number says where the heading sits in the outline; the level is what the table of contents and
screen readers use. When they disagree, one of them is wrong and only the author knows which.

Bad:
    ## 5.1.2 Masking

Good:
    ### 5.1.2 Masking
""")

SUBSECTION_SEPARATOR = Rule("FM209", "subsection-number-separator", WARNING,
                            "subsection number is followed by '.' or ':' instead of a space", """
What it does:
Reports a numbered heading written `5.1. Title` or `5.1: Title`.

Why:
The handbook writes `5.1 Title` everywhere; `5.1.` reads as the end of a sentence and `5.1:` as a
label, and headings written three ways make the outline look unkempt.

Bad:
    ## 5.1. Scaled dot-product attention

Good:
    ## 5.1 Scaled dot-product attention

Fix:
Removes the separator.
""", fixable=True)

RULES = (SECTION_GAP, DUPLICATE_SECTION, SECTION_MISMATCH, INVALID_NUMERAL, NUMERAL_MISMATCH,
         SUBSECTION_SECTION, SUBSECTION_SEQUENCE, SUBSECTION_DEPTH, SUBSECTION_SEPARATOR)

_NUMBER = re.compile(r"^(\d+(?:\.\d+)+)([.:])?(?=\s|$)")
_TITLE = re.compile(r"^Section ([A-Za-z]+): \S")
_DEPTH_NAMES = {1: "#", 2: "##", 3: "###", 4: "####", 5: "#####", 6: "######"}


def declared_section(page: Page) -> int | None:
    """The page's `section:` value when it is a positive integer (FM1xx reports any other)."""
    value = page.front_matter.get("section") if page.front_matter else None
    if isinstance(value, int) and not isinstance(value, bool) and value >= 1:
        return int(value)
    return None


def numbers_disagree(hb: Handbook) -> bool:
    """Whether a section's folder and `section:` key disagree (FM203): the handbook's order is then
    the author's call, so card and navigation findings are not fixable until it is settled."""
    return any(declared_section(p) not in (None, n) for n, p in hb.sections.items())


def numbered_title(page: Page) -> str | None:
    """The page's title with its numeral as FM204/FM205 want it (the title others should show)."""
    title = page.front_matter.get("title") if page.front_matter else None
    if not isinstance(title, str):
        return None
    declared = declared_section(page)
    m = _TITLE.match(title.strip())
    if m is None or declared is None or declared >= 4000 or from_roman(m.group(1)) in {declared, page.folder_number}:
        return title
    stripped = title.strip()
    return f"Section {to_roman(declared)}{stripped[len('Section ') + len(m.group(1)):]}"


def _section_line(page: Page) -> tuple[int, int]:
    fm = page.front_matter
    if fm is None:
        return 1, 1
    if "section" in fm.key_lines:
        return fm.key_lines["section"], fm.value_columns.get("section", 1)
    return fm.start_line, 1


def _folder_name(page: Page) -> str:
    parts = page.path.split("/")
    return "/".join(parts[-2:]) if len(parts) >= 2 else page.path


# --- handbook: the folders ---------------------------------------------------------------------

def check_handbook(hb: Handbook, ctx: Context) -> Iterator[Diagnostic]:
    sections = sorted((p for p in hb.pages if p.role == "section" and p.folder_number is not None),
                      key=lambda p: (p.folder_number, p.path))
    seen: dict[int, Page] = {}
    for page in sections:
        n = page.folder_number
        assert n is not None
        if n in seen:
            line, col = _section_line(page)
            yield DUPLICATE_SECTION(page.path, line, col,
                                    f"{_folder_name(page)} is section {n}, and so is {_folder_name(seen[n])}: "
                                    "give each section its own number")
            continue
        seen[n] = page
        if n == 0:
            yield SECTION_GAP(page.path, *_section_line(page),
                              message=f"{_folder_name(page)}: section numbers start at 1; rename the folder")
    numbers = sorted(n for n in seen if n >= 1)
    previous = 0
    for n in numbers:
        if n > previous + 1:
            page = seen[n]
            missing = (f"section {previous + 1} is" if n == previous + 2
                       else f"sections {previous + 1}-{n - 1} are")
            after = f"section{previous}" if previous else "the index"
            yield SECTION_GAP(page.path, *_section_line(page), message=(
                f"{missing} missing: sections must run 1, 2, 3 ... without a gap, and {after} is followed "
                f"by section{n}; add the missing section or renumber the sections from here on"))
        previous = n


# --- page: front matter and headings -----------------------------------------------------------

def check_page(page: Page, ctx: Context) -> Iterator[Diagnostic]:
    if page.role != "section" or page.source.problem is not None or page.folder_number is None:
        return
    declared = declared_section(page)
    if declared is not None and declared != page.folder_number:
        line, col = _section_line(page)
        yield SECTION_MISMATCH(page.path, line, col,
                               f"{_folder_name(page)} declares section: {declared}; expected {page.folder_number} "
                               "(from its folder): fix the key, or move the page to the folder of its number")
    yield from _title_numeral(page, declared)
    yield from _subsections(page, declared)


def _title_numeral(page: Page, declared: int | None) -> Iterator[Diagnostic]:
    fm = page.front_matter
    title = fm.get("title") if fm else None
    if fm is None or not isinstance(title, str):
        return
    m = _TITLE.match(title.strip())
    if not m:
        return  # FM103 reports a title that is not `Section <R>: <name>`
    numeral = m.group(1)
    line = fm.line_of("title")
    # a block scalar (`title: >-`) writes the value on the lines after the key
    line = next((k for k in range(line, fm.end_line) if f"Section {numeral}" in page.line_text(k)), line)
    col = page.find_column(line, f"Section {numeral}", fm.value_columns.get("title", 1)) + len("Section ")
    want = f"; section {declared} is '{to_roman(declared)}'" if declared and declared < 4000 else ""
    if not is_roman(numeral):
        yield INVALID_NUMERAL(page.path, line, col,
                              f"title numeral '{numeral}' is not a valid upper-case Roman numeral{want}",
                              fixable=bool(want))
    elif declared is not None and declared < 4000 and from_roman(numeral) not in {declared, page.folder_number}:
        # (a numeral that matches the folder while the key does not is FM203's finding alone)
        yield NUMERAL_MISMATCH(page.path, line, col,
                               f"title says 'Section {numeral}' ({from_roman(numeral)}) but section: {declared}; "
                               f"expected 'Section {to_roman(declared)}' (the section key is the source of truth)")


@dataclass
class _Numbered:
    heading: Heading
    parts: tuple[int, ...]
    expected: tuple[int, ...] | None = None  # the number `fmlint fix` gives it (None: wrong depth)

    @property
    def label(self) -> str:
        return ".".join(map(str, self.parts))


def _subsections(page: Page, declared: int | None) -> Iterator[Diagnostic]:
    assert page.folder_number is not None
    accepted = {page.folder_number} | ({declared} if declared is not None else set())
    section = declared if declared is not None else page.folder_number
    # outline[level] = the last heading at that level (None when unnumbered) since a shallower one
    outline: dict[int, _Numbered | Heading] = {}
    last_k: dict[int, int] = {}  # last number at each level under the current parent
    fixed_k: dict[int, int] = {}  # the same, counting the numbers `fmlint fix` gives
    for h in page.headings:
        for level in [lv for lv in outline if lv >= h.level]:
            del outline[level]
        # `## N.k` count through the whole page; deeper numbers restart under each new parent.
        for level in [lv for lv in last_k if lv > max(h.level, 2)]:
            del last_k[level]
        for level in [lv for lv in fixed_k if lv > max(h.level, 2)]:
            del fixed_k[level]
        m = _NUMBER.match(h.text)
        if not m:
            outline[h.level] = h
            continue
        node = _Numbered(h, tuple(int(p) for p in m.group(1).split(".")))
        if len(node.parts) == h.level:
            node.expected = _fixed_number(node, outline, fixed_k, accepted, section)
            fixed_k[h.level] = node.expected[-1]
        outline[h.level] = node
        if m.group(2):
            yield SUBSECTION_SEPARATOR(page.path, h.line, page.find_column(h.line, m.group(0), h.column)
                                       + len(m.group(1)),
                                       f"'{m.group(0)}' has a '{m.group(2)}' after the number: "
                                       f"write '{m.group(1)} {h.text[m.end():].strip()}'", fixable=_plain(h))
        diag = _check_number(page, node, outline, last_k, accepted, section)
        if len(node.parts) == h.level:  # a number at the wrong depth counts at no level
            last_k[h.level] = node.parts[-1]
        if diag is not None:
            yield diag


def _fixed_number(node: _Numbered, outline: dict, fixed_k: dict[int, int], accepted: set[int],
                  section: int) -> tuple[int, ...]:
    """The number `fmlint fix` gives the heading: children follow their parent's new number."""
    level, parts = node.heading.level, node.parts
    k = fixed_k.get(level, 0) + 1
    if level == 2:
        return (parts[0] if parts[0] in accepted else section, k)
    plevel = max((lv for lv in outline if lv < level), default=0)
    parent = outline.get(plevel)
    if isinstance(parent, _Numbered) and plevel == level - 1 and parent.expected is not None:
        return (*parent.expected, k)
    return parts


def _plain(h: Heading) -> bool:
    """Whether the number is written plainly at the start of the heading (so `fmlint fix` can rewrite it)."""
    return _NUMBER.match(h.raw) is not None


def _check_number(page: Page, node: _Numbered, outline: dict, last_k: dict[int, int],
                  accepted: set[int], section: int) -> Diagnostic | None:
    h, parts = node.heading, node.parts
    level = h.level
    if len(parts) != level:
        return SUBSECTION_DEPTH(page.path, h.line, h.column,
                                f"'{node.label}' has {len(parts)} numbers but is a {_DEPTH_NAMES[level]} heading: "
                                f"a number with {len(parts)} parts goes on a {_DEPTH_NAMES.get(len(parts), 'deeper')} "
                                "heading (or change the number)")
    parents = [lv for lv in outline if lv < level]
    k = parts[-1]
    expected_k = last_k.get(level, 0) + 1
    if level >= 3:
        plevel = max(parents) if parents else 0
        parent = outline.get(plevel)
        above = _DEPTH_NAMES[level - 1] + " " + ".".join(map(str, parts[:-1]))
        if parent is None:
            return SUBSECTION_SEQUENCE(page.path, h.line, h.column,
                                       f"'{node.label}' has no heading above it: put it under its {above}",
                                       fixable=False)
        if plevel != level - 1:
            return None  # a skipped level: FM803 reports it
        if isinstance(parent, _Numbered):
            if len(parent.parts) != level - 1:
                return None  # the parent's own depth is wrong: FM208 reports it
            # under a misnumbered parent, the number it should have is fine too (no cascade)
            if parts[:-1] not in (parent.parts, parent.expected):
                want = ".".join(map(str, (*parent.parts, expected_k)))
                return SUBSECTION_SEQUENCE(page.path, h.line, h.column,
                                           f"'{node.label}' sits under '{parent.label}' (line {parent.heading.line}): "
                                           f"expected {want}", fixable=_plain(h))
        else:
            return SUBSECTION_SEQUENCE(page.path, h.line, h.column,
                                       f"'{node.label}' sits under the unnumbered heading '{parent.text}' "
                                       f"(line {parent.line}): put it under its {above}, or number that heading",
                                       fixable=False)
    elif parts[0] not in accepted:
        want = ".".join(map(str, (section, expected_k)))
        return SUBSECTION_SECTION(page.path, h.line, h.column,
                                  f"'{node.label}' starts with {parts[0]}, but this is section {section}: "
                                  f"expected {want}", fixable=_plain(h))
    if k != expected_k:
        want = ".".join(map(str, (*parts[:-1], expected_k)))
        if expected_k == 1:
            why = "is the first of its level here"
        elif k == expected_k - 1:
            why = "repeats the number before it"
        else:
            why = f"follows {'.'.join(map(str, (*parts[:-1], expected_k - 1)))}"
        return SUBSECTION_SEQUENCE(page.path, h.line, h.column,
                                   f"'{node.label}' {why}: expected {want} (numbers run 1, 2, 3 under their parent)",
                                   fixable=_plain(h))
    return None


FAMILY = Family("numbering", "FM2", RULES, check_page=check_page, check_handbook=check_handbook)
