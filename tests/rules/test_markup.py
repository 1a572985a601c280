"""FM8xx: unbalanced divs, duplicate ids, heading level skips."""

from __future__ import annotations

import re

from tests.helpers import HB, check_tree, codes_at, handbook, only, section_page

S1 = f"{HB}/section1/index.md"


def _check(tmp_path, body: str):
    files = handbook(1)
    text = section_page(1, total=1, body=body)
    files[S1] = text
    return only(check_tree(tmp_path, files), "FM8"), text.split("\n")


def line_of(lines, needle, nth=0):
    return [i + 1 for i, x in enumerate(lines) if needle in x][nth]


def test_clean_handbook_has_no_markup_findings(tmp_path):
    assert only(check_tree(tmp_path, handbook(3)), "FM8") == []


def test_unclosed_div_at_its_open_line(tmp_path):
    diags, lines = _check(tmp_path, '## 1.1 A\n\n<div class="key-concept">\n  <strong>x</strong>\n\n## 1.2 B\n')
    assert codes_at(diags) == {(S1, line_of(lines, "key-concept"), "FM801")}


def test_stray_closing_div(tmp_path):
    diags, lines = _check(tmp_path, "## 1.1 A\n\nText.\n\n</div>\n")
    assert codes_at(diags) == {(S1, line_of(lines, "</div>"), "FM801")}


def test_div_spanning_markdown_blocks_is_balanced(tmp_path):
    diags, _ = _check(tmp_path, '## 1.1 A\n\n<div class="box">\n\nSome **markdown** inside.\n\n</div>\n')
    assert diags == []


def test_div_inside_code_or_comment_does_not_count(tmp_path):
    body = "## 1.1 A\n\n```html\n<div>\n```\n\n<!-- <div> -->\n\n`<div>` inline code.\n"
    diags, _ = _check(tmp_path, body)
    assert diags == []


def test_duplicate_html_id(tmp_path):
    diags, lines = _check(tmp_path, '## 1.1 A\n\n<p id="x">a</p>\n\n<p id="x">b</p>\n')
    assert codes_at(diags) == {(S1, line_of(lines, 'id="x"', 1), "FM802")}


def test_heading_id_colliding_with_html_id(tmp_path):
    diags, lines = _check(tmp_path, '<h2 id="11-a">Intro</h2>\n\n## 1.1 A\n')
    assert codes_at(diags) == {(S1, line_of(lines, "## 1.1 A"), "FM802")}


def test_repeated_headings_get_distinct_ids(tmp_path):
    diags, _ = _check(tmp_path, "## 1.1 A\n\n### Notes\n\n## 1.2 B\n\n### Notes\n")
    assert diags == []


def test_explicit_heading_id_duplicate(tmp_path):
    diags, lines = _check(tmp_path, "## 1.1 A {#same}\n\n## 1.2 B {#same}\n")
    assert codes_at(diags) == {(S1, line_of(lines, "## 1.2 B"), "FM802")}


def test_heading_level_skip(tmp_path):
    diags, lines = _check(tmp_path, "## 1.1 A\n\n#### Too deep\n")
    assert codes_at(diags) == {(S1, line_of(lines, "#### Too deep"), "FM803")}
    assert diags[0].severity.value == "warning"


def test_first_heading_h3_skips_the_page_title(tmp_path):
    diags, lines = _check(tmp_path, "### 1.1 A\n")
    assert codes_at(diags) == {(S1, line_of(lines, "### 1.1 A"), "FM803")}


def test_going_back_up_is_fine(tmp_path):
    diags, _ = _check(tmp_path, "## 1.1 A\n\n### 1.1.1 B\n\n## 1.2 C\n\n### 1.2.1 D\n")
    assert diags == []


def _index_with_cards(cards: str) -> dict[str, str]:
    from tests.helpers import index_page  # noqa: PLC0415
    files = handbook(3)
    files[f"{HB}/index.md"] = index_page(3, cards=cards)
    return files


def test_card_missing_its_closing_div_is_reported_at_the_card(tmp_path):
    # a browser pairs the grid's </div> with the open card, leaving the grid open; the indentation
    # tells which <div> lost its </div>
    from tests.helpers import card  # noqa: PLC0415
    index = f"{HB}/index.md"
    # indented by two more, blank lines between: the cards are indented code blocks to markdown-it
    cards = "\n".join(re.sub(r"(?m)^(?=.)", "  ", card(n)) for n in (1, 2, 3))
    broken = cards.replace("Read section →</a>\n    </div>", "Read section →</a>\n", 1)
    files = _index_with_cards(broken)
    lines = files[index].split("\n")
    diags = [d for d in only(check_tree(tmp_path, files), "FM") if d.path == index]
    assert [(d.line, d.column, d.code) for d in diags] == [(line_of(lines, 'class="section-card"'), 5, "FM801")]


def test_extra_closing_div_in_a_card_is_reported_at_it(tmp_path):
    from tests.helpers import card  # noqa: PLC0415
    index = f"{HB}/index.md"
    cards = "  \n".join(card(n) for n in (1, 2, 3))
    broken = cards.replace("Read section →</a>\n  </div>", "Read section →</a>\n  </div>\n  </div>", 1)
    files = _index_with_cards(broken)
    lines = files[index].split("\n")
    diags = [d for d in only(check_tree(tmp_path, files), "FM") if d.path == index]
    # the cards after it are not reported outside the grid: the stray </div> is the one mistake
    assert [(d.line, d.code) for d in diags] == [(line_of(lines, "</div>", 1), "FM801")]


def test_sloppy_indentation_of_a_balanced_page_is_fine(tmp_path):
    diags, _ = _check(tmp_path, '## 1.1 A\n\n<div class="a">\n    <div class="b">\nx\n</div>\n      </div>\n')
    assert diags == []
