"""FM2xx: section numbers, title numerals, subsection numbers."""

from __future__ import annotations

from pathlib import Path

import pytest

from fmlint.site.numerals import from_roman, is_roman, to_roman
from tests.helpers import HB, ROMAN, check_tree, codes_at, handbook, only, section_page

S = f"{HB}/section{{}}/index.md"
SECTION_KEY_LINE = 5  # section_page(): ---, layout, title, description, section
TITLE_LINE = 3


def fm2(tmp_path: Path, files: dict[str, str]) -> set[tuple[str, int, str]]:
    return codes_at(only(check_tree(tmp_path, files), "FM2"))


def line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.split("\n"), 1) if needle in line)


def with_body(n: int, body: str, total: int = 3) -> dict[str, str]:
    files = handbook(total)
    files[S.format(n)] = section_page(n, total=total, body=body)
    return files


# --- numerals ----------------------------------------------------------------------------------

def test_roman_numerals_round_trip() -> None:
    for n in range(1, 400):
        assert from_roman(to_roman(n)) == n
    assert [to_roman(n) for n in range(1, 26)] == ROMAN[1:]
    for bad in ("IIII", "VX", "IL", "iv", "", "VV", "XXXX", "Five"):
        assert not is_roman(bad)


# --- clean shapes ------------------------------------------------------------------------------

@pytest.mark.parametrize("total", [1, 3, 22])
def test_clean_handbook_has_no_numbering_finding(tmp_path: Path, total: int) -> None:
    assert fm2(tmp_path, handbook(total)) == set()


def test_two_handbooks_are_numbered_separately(tmp_path: Path) -> None:
    files = {**handbook(2, hb="alpha"), **handbook(4, hb="beta-book")}
    assert fm2(tmp_path, files) == set()


def test_crlf_pages_report_at_the_lines_as_written(tmp_path: Path) -> None:
    files = {k: v.replace("\n", "\r\n") for k, v in handbook(3).items()}
    body = "## 2.1 One\r\n\r\n## 2.3 Three\r\n"
    files[S.format(2)] = section_page(2, body="X").replace("\n", "\r\n").replace("X", body)
    line = line_of(files[S.format(2)].replace("\r\n", "\n"), "## 2.3")
    assert fm2(tmp_path, files) == {(S.format(2), line, "FM207")}


# --- FM201 gap, FM202 duplicate ------------------------------------------------------------------

def test_gap_is_reported_once_at_the_first_section_after_it(tmp_path: Path) -> None:
    files = handbook(6)
    del files[S.format(3)], files[S.format(4)]
    assert fm2(tmp_path, files) == {(S.format(5), SECTION_KEY_LINE, "FM201")}


def test_gap_in_a_22_section_handbook(tmp_path: Path) -> None:
    files = handbook(22)
    del files[S.format(11)]
    assert fm2(tmp_path, files) == {(S.format(12), SECTION_KEY_LINE, "FM201")}


def test_missing_first_section_is_a_gap(tmp_path: Path) -> None:
    files = handbook(3)
    del files[S.format(1)]
    assert fm2(tmp_path, files) == {(S.format(2), SECTION_KEY_LINE, "FM201")}


def test_section_zero_folder(tmp_path: Path) -> None:
    files = handbook(2)
    files[S.format(0)] = section_page(1, total=2).replace("section: 1", "section: 0")
    found = fm2(tmp_path, files)
    assert (S.format(0), SECTION_KEY_LINE, "FM201") in found


def test_two_folders_with_one_number(tmp_path: Path) -> None:
    files = handbook(3)
    files[f"{HB}/section02/index.md"] = section_page(2)
    assert fm2(tmp_path, files) == {(S.format(2), SECTION_KEY_LINE, "FM202")}


# --- FM203 section key ---------------------------------------------------------------------------

def test_section_key_differs_from_folder(tmp_path: Path) -> None:
    files = handbook(3)
    files[S.format(3)] = section_page(3).replace("section: 3", "section: 4").replace(
        "Section III:", "Section IV:")
    diags = only(check_tree(tmp_path, files), "FM2")
    assert codes_at(diags) == {(S.format(3), SECTION_KEY_LINE, "FM203")}
    assert "declares section: 4; expected 3" in diags[0].message
    assert not diags[0].fixable


def test_non_integer_section_is_left_to_the_front_matter_rules(tmp_path: Path) -> None:
    files = handbook(3)
    files[S.format(2)] = section_page(2).replace("section: 2", 'section: "2"')
    assert fm2(tmp_path, files) == set()


# --- FM204 / FM205 title numeral -----------------------------------------------------------------

@pytest.mark.parametrize("numeral", ["IIII", "iv", "IIV", "Four"])
def test_invalid_title_numeral(tmp_path: Path, numeral: str) -> None:
    files = handbook(4)
    files[S.format(4)] = section_page(4, total=4).replace("Section IV:", f"Section {numeral}:")
    diags = only(check_tree(tmp_path, files), "FM2")
    assert codes_at(diags) == {(S.format(4), TITLE_LINE, "FM204")}
    assert diags[0].fixable
    assert diags[0].column == len('title: "Section ') + 1


def test_title_numeral_differs_from_section(tmp_path: Path) -> None:
    files = handbook(22)
    files[S.format(14)] = section_page(14, total=22).replace("Section XIV:", "Section XIII:")
    diags = only(check_tree(tmp_path, files), "FM2")
    assert codes_at(diags) == {(S.format(14), TITLE_LINE, "FM205")}
    assert "XIV" in diags[0].message and diags[0].fixable


def test_title_not_of_the_section_form_is_left_to_fm103(tmp_path: Path) -> None:
    files = handbook(2)
    files[S.format(2)] = section_page(2, total=2).replace("Section II: Topic 2", "Topic 2")
    assert fm2(tmp_path, files) == set()


# --- subsections -----------------------------------------------------------------------------

def test_numbered_and_unnumbered_subsections_in_order(tmp_path: Path) -> None:
    body = ("## Overview\n\n## 2.1 One\n\n### 2.1.1 A\n\n### Example\n\n### 2.1.2 B\n\n"
            "#### 2.1.2.1 Deep\n\n## 2.2 Two\n\n### 2.2.1 C\n\n## Summary\n\n## 2.3 Three\n\n## References\n")
    assert fm2(tmp_path, with_body(2, body)) == set()


def test_subsection_of_another_section(tmp_path: Path) -> None:
    body = "## 2.1 One\n\n## 1.2 Two\n\n### 1.2.1 Under the wrong one\n"
    files = with_body(2, body)
    found = fm2(tmp_path, files)
    # reported at the heading only: its children follow their parent's number, no cascade
    assert found == {(S.format(2), line_of(files[S.format(2)], "## 1.2"), "FM206")}


def test_subsection_sequence_break_is_reported_once(tmp_path: Path) -> None:
    body = "## 3.1 One\n\n## 3.3 Three\n\n## 3.4 Four\n\n## 3.4 Again\n\n## 3.5 Five\n"
    files = with_body(3, body)
    text = files[S.format(3)]
    assert fm2(tmp_path, files) == {(S.format(3), line_of(text, "## 3.3"), "FM207"),
                                    (S.format(3), line_of(text, "## 3.4 Again"), "FM207")}


def test_first_subsection_must_be_one(tmp_path: Path) -> None:
    files = with_body(1, "## 1.2 Two\n\n### 1.2.2 Sub\n")
    text = files[S.format(1)]
    assert fm2(tmp_path, files) == {(S.format(1), line_of(text, "## 1.2"), "FM207"),
                                    (S.format(1), line_of(text, "### 1.2.2"), "FM207")}


def test_deeper_numbers_restart_under_each_parent(tmp_path: Path) -> None:
    body = "## 2.1 A\n\n### 2.1.1 x\n\n### 2.1.2 y\n\n## 2.2 B\n\n### 2.2.1 z\n\n### 2.1.2 stale\n"
    files = with_body(2, body)
    assert fm2(tmp_path, files) == {(S.format(2), line_of(files[S.format(2)], "### 2.1.2 stale"), "FM207")}


def test_subsubsection_under_unnumbered_heading(tmp_path: Path) -> None:
    body = "## 2.1 A\n\n## Notes\n\n### 2.1.1 x\n"
    files = with_body(2, body)
    assert fm2(tmp_path, files) == {(S.format(2), line_of(files[S.format(2)], "### 2.1.1"), "FM207")}


@pytest.mark.parametrize("heading", ["## 2.1.1 Too deep", "### 2.1 Too shallow"])
def test_number_depth_differs_from_heading_level(tmp_path: Path, heading: str) -> None:
    body = f"## 2.1 A\n\n{heading}\n\n## 2.2 B\n"
    files = with_body(2, body)
    assert fm2(tmp_path, files) == {(S.format(2), line_of(files[S.format(2)], heading), "FM208")}


@pytest.mark.parametrize("sep", [".", ":"])
def test_separator_after_number_is_a_warning(tmp_path: Path, sep: str) -> None:
    files = with_body(2, f"## 2.1{sep} First\n\n## 2.2 Second\n")
    diags = only(check_tree(tmp_path, files), "FM2")
    assert codes_at(diags) == {(S.format(2), line_of(files[S.format(2)], "## 2.1"), "FM209")}
    assert diags[0].severity.value == "warning" and diags[0].fixable
    assert diags[0].column == len("## 2.1") + 1


def test_numbers_that_are_not_subsection_numbers_are_ignored(tmp_path: Path) -> None:
    body = "## 2024 in review\n\n## 1.5x faster decoding\n\n## 2.1 One\n"
    assert fm2(tmp_path, with_body(2, body)) == set()


def test_subsections_follow_the_folder_when_the_key_disagrees(tmp_path: Path) -> None:
    # section: is wrong (FM203); the headings are not reported a second time for it
    files = handbook(3)
    files[S.format(3)] = section_page(3).replace("section: 3", "section: 4").replace("Section III", "Section IV")
    assert fm2(tmp_path, files) == {(S.format(3), SECTION_KEY_LINE, "FM203")}


def test_index_headings_are_not_subsections(tmp_path: Path) -> None:
    files = handbook(2)
    files[f"{HB}/index.md"] = files[f"{HB}/index.md"].replace(
        '<h2 id="handbook-sections">Handbook Sections</h2>', "## 9.9 Not a subsection")
    assert fm2(tmp_path, files) == set()


def test_title_matching_the_folder_is_not_reported_again_when_the_key_is_wrong(tmp_path: Path) -> None:
    files = handbook(3)
    files[S.format(2)] = section_page(2).replace("section: 2", "section: 3")
    assert fm2(tmp_path, files) == {(S.format(2), SECTION_KEY_LINE, "FM203")}


def test_child_of_a_misnumbered_heading_that_has_the_right_number_is_not_reported(tmp_path: Path) -> None:
    # `## 2.3` is a typo for 2.2; the `### 2.2.1` under it is what fix leaves: one finding, no cascade
    body = "## 2.1 A\n\n### 2.1.1 x\n\n## 2.3 B\n\n### 2.2.1 y\n\n### 2.2.2 z\n\n## 2.4 C\n\n### 2.4.1 w\n"
    files = with_body(2, body)
    text = files[S.format(2)]
    assert fm2(tmp_path, files) == {(S.format(2), line_of(text, "## 2.3"), "FM207")}
    files = with_body(2, body.replace("### 2.2.2 z", "### 2.1.2 z"))
    assert fm2(tmp_path, files) == {(S.format(2), line_of(text, "## 2.3"), "FM207"),
                                    (S.format(2), line_of(text, "### 2.2.2"), "FM207")}


@pytest.mark.parametrize("style", [">-", "|", ">"])
def test_title_numeral_in_a_block_scalar_is_reported_where_it_is_written(tmp_path: Path, style: str) -> None:
    files = handbook(2)
    text = section_page(2, total=2).replace('title: "Section II: Topic 2"', f"title: {style}\n  Section V: Topic 2")
    files[S.format(2)] = text
    diags = only(check_tree(tmp_path, files), "FM2")
    assert [(d.line, d.column, d.code) for d in diags] == [(4, 11, "FM205")]
