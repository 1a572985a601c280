"""`<!-- fmlint: disable … -->` comments: next line or block, whole file, and unused ones reported."""

from __future__ import annotations

from tests.helpers import HB, check_tree, codes_at, handbook, section_page

S1 = f"{HB}/section1/index.md"


def _run(tmp_path, body):
    files = handbook(1)
    text = section_page(1, total=1, body=body)
    files[S1] = text
    return check_tree(tmp_path, files), text.split("\n")


def _line(lines, needle):
    return next(i + 1 for i, x in enumerate(lines) if needle in x)


def test_disable_next_line(tmp_path):
    diags, _ = _run(tmp_path, "## 1.1 A\n\n<!-- fmlint: disable FM803 -->\n\n#### Deep\n")
    assert diags == []


def test_disable_covers_the_whole_block(tmp_path):
    body = '## 1.1 A\n\n<!-- fmlint: disable FM802 -->\n<div id="x">\n<p id="x">a</p>\n</div>\n'
    diags, _ = _run(tmp_path, body)
    assert diags == []


def test_disable_does_not_reach_past_its_block(tmp_path):
    body = "## 1.1 A\n\n<!-- fmlint: disable FM803 -->\nA paragraph.\n\n#### Deep\n"
    diags, lines = _run(tmp_path, body)
    assert codes_at(diags) == {(S1, _line(lines, "#### Deep"), "FM803"),
                               (S1, _line(lines, "fmlint: disable"), "FM007")}


def test_disable_file(tmp_path):
    body = "<!-- fmlint: disable-file FM803 -->\n\n## 1.1 A\n\n#### Deep\n\n## 1.2 B\n\n#### Deeper\n"
    diags, _ = _run(tmp_path, body)
    assert diags == []


def test_disable_by_prefix(tmp_path):
    diags, _ = _run(tmp_path, "## 1.1 A\n\n<!-- fmlint: disable FM8 -->\n#### Deep\n")
    assert diags == []


def test_unused_suppression_reported(tmp_path):
    diags, lines = _run(tmp_path, "## 1.1 A\n\n<!-- fmlint: disable FM801 -->\nNothing wrong here.\n")
    assert codes_at(diags) == {(S1, _line(lines, "fmlint: disable"), "FM007")}


def test_unknown_code_in_suppression(tmp_path):
    diags, lines = _run(tmp_path, "## 1.1 A\n\n<!-- fmlint: disable FM999 -->\nText.\n")
    assert codes_at(diags) == {(S1, _line(lines, "fmlint: disable"), "FM007")}


def test_malformed_suppression(tmp_path):
    diags, lines = _run(tmp_path, "## 1.1 A\n\n<!-- fmlint: disable everything -->\nText.\n")
    assert codes_at(diags) == {(S1, _line(lines, "fmlint: disable"), "FM007")}


def test_suppression_inside_code_is_not_a_suppression(tmp_path):
    body = "## 1.1 A\n\n```html\n<!-- fmlint: disable FM803 -->\n```\n\n#### Deep\n"
    diags, lines = _run(tmp_path, body)
    assert codes_at(diags) == {(S1, _line(lines, "#### Deep"), "FM803")}


def test_unused_not_reported_for_unselected_code(tmp_path):
    files = handbook(1)
    files[S1] = section_page(1, total=1, body="## 1.1 A\n\n<!-- fmlint: disable FM801 -->\nText.\n")
    assert check_tree(tmp_path, files, select=["FM0", "FM1"]) == []


def test_disable_before_a_card_inside_the_grid_covers_the_card(tmp_path):
    # the card's <div> opens on a line in the middle of the grid's HTML block: the card is the block
    from tests.helpers import card, index_page  # noqa: PLC0415
    files = handbook(2)
    index = f"{HB}/index.md"
    stale = card(2).replace("Explain topic 2.", "Stale goal.").replace(
        '  <div class="section-card">', '  <!-- fmlint: disable FM710 -->\n  <div class="section-card">')
    files[index] = index_page(2, cards=card(1) + stale)  # no blank line: one HTML block
    assert [d for d in check_tree(tmp_path, files) if d.path == index] == []
    files[index] = index_page(2, cards=card(1) + stale.replace("FM710", "FM709"))
    lines = files[index].split("\n")
    assert codes_at([d for d in check_tree(tmp_path, files) if d.path == index]) == {
        (index, _line(lines, "Stale goal."), "FM710"), (index, _line(lines, "fmlint: disable"), "FM007")}
