"""FM3xx: the previous/next chain index -> section 1 -> ... -> last section."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import HB, check_tree, codes_at, handbook, index_page, only, section_page

INDEX = f"{HB}/index.md"
S = f"{HB}/section{{}}/index.md"


def fm3(tmp_path: Path, files: dict[str, str]) -> set[tuple[str, int, str]]:
    return codes_at(only(check_tree(tmp_path, files), "FM3"))


def line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.split("\n"), 1) if needle in line)


def url(n: int, hb: str = "hb") -> str:
    return f"/content/handbooks/{hb}/section{n}/"


# --- clean shapes ------------------------------------------------------------------------------

@pytest.mark.parametrize("total", [1, 2, 22])
def test_clean_chain_has_no_finding(tmp_path: Path, total: int) -> None:
    assert fm3(tmp_path, handbook(total)) == set()


def test_two_handbooks_have_their_own_chains(tmp_path: Path) -> None:
    files = {**handbook(1, hb="solo"), **handbook(3, hb="trio")}
    assert fm3(tmp_path, files) == set()


def test_crlf_and_single_quotes_are_fine(tmp_path: Path) -> None:
    files = {k: v.replace('"/content', "'/content").replace('/";', "/';").replace("\n", "\r\n")
             for k, v in handbook(3).items()}
    assert "'/content/handbooks/hb/section2/';" in files[S.format(1)]
    assert fm3(tmp_path, files) == set()


def test_chain_link_to_another_handbook_is_wrong(tmp_path: Path) -> None:
    files = {**handbook(2, hb="alpha"), **handbook(2, hb="beta")}
    a1 = "content/handbooks/alpha/section1/index.md"
    files[a1] = files[a1].replace(url(2, "alpha"), url(2, "beta"))
    assert fm3(tmp_path, files) == {(a1, line_of(files[a1], "nextSection"), "FM303")}


# --- FM301 missing -----------------------------------------------------------------------------

def test_missing_next_is_reported_at_the_script(tmp_path: Path) -> None:
    files = handbook(3)
    files[S.format(2)] = "\n".join(line for line in files[S.format(2)].split("\n") if "nextSection" not in line)
    diags = only(check_tree(tmp_path, files), "FM3")
    assert codes_at(diags) == {(S.format(2), line_of(files[S.format(2)], "<script>"), "FM301")}
    assert url(3) in diags[0].message and diags[0].fixable


def test_missing_next_on_the_index(tmp_path: Path) -> None:
    files = handbook(2)
    files[INDEX] = files[INDEX].replace(f'  window.nextSection = "{url(1)}";\n', "")
    # a script with only a comment left is no navigation script: reported at the page's last line
    last = len(files[INDEX].rstrip("\n").split("\n"))
    assert fm3(tmp_path, files) == {(INDEX, last, "FM301")}


def test_missing_previous_is_reported_at_the_script(tmp_path: Path) -> None:
    files = handbook(3)
    files[S.format(2)] = "\n".join(line for line in files[S.format(2)].split("\n") if "previousSection" not in line)
    assert fm3(tmp_path, files) == {(S.format(2), line_of(files[S.format(2)], "<script>"), "FM301")}


def test_page_without_navigation_script_is_reported_at_its_last_line(tmp_path: Path) -> None:
    files = handbook(3)
    text = files[S.format(2)]
    start, end = text.index("<script>\n"), text.index("</script>\n") + len("</script>\n")
    files[S.format(2)] = text[:start] + text[end:]
    last = len(files[S.format(2)].rstrip("\n").split("\n"))
    assert fm3(tmp_path, files) == {(S.format(2), last, "FM301")}


# --- FM302 unexpected --------------------------------------------------------------------------

def test_previous_on_the_index(tmp_path: Path) -> None:
    files = handbook(2)
    files[INDEX] = files[INDEX].replace("  window.nextSection", '  window.previousSection = "/";\n  window.nextSection')
    assert fm3(tmp_path, files) == {(INDEX, line_of(files[INDEX], "previousSection ="), "FM302")}


def test_next_on_the_last_section(tmp_path: Path) -> None:
    files = handbook(3)
    files[S.format(3)] = section_page(3, total=4)  # written as if a section 4 followed
    diags = only(check_tree(tmp_path, files), "FM3")
    assert codes_at(diags) == {(S.format(3), line_of(files[S.format(3)], "nextSection"), "FM302")}
    assert diags[0].fixable


def test_single_section_handbook_needs_no_next(tmp_path: Path) -> None:
    files = handbook(1)
    files[S.format(1)] = section_page(1, total=2)
    assert fm3(tmp_path, files) == {(S.format(1), line_of(files[S.format(1)], "nextSection"), "FM302")}


# --- FM303 wrong target, FM304 missing target ---------------------------------------------------

def test_next_skips_a_section(tmp_path: Path) -> None:
    files = handbook(22)
    files[S.format(5)] = files[S.format(5)].replace(url(6), url(7))
    diags = only(check_tree(tmp_path, files), "FM3")
    assert codes_at(diags) == {(S.format(5), line_of(files[S.format(5)], "nextSection"), "FM303")}
    assert url(6) in diags[0].message and diags[0].fixable


def test_previous_of_section_one_is_the_index(tmp_path: Path) -> None:
    files = handbook(3)
    files[S.format(1)] = files[S.format(1)].replace('previousSection = "/content/handbooks/hb/"',
                                                    f'previousSection = "{url(2)}"')
    assert fm3(tmp_path, files) == {(S.format(1), line_of(files[S.format(1)], "previousSection"), "FM303")}


def test_page_url_without_trailing_slash(tmp_path: Path) -> None:
    files = handbook(3)
    files[S.format(2)] = files[S.format(2)].replace(f'"{url(3)}"', f'"{url(3).rstrip("/")}"')
    assert fm3(tmp_path, files) == {(S.format(2), line_of(files[S.format(2)], "nextSection"), "FM303")}


def test_target_that_does_not_exist(tmp_path: Path) -> None:
    files = handbook(3)
    files[S.format(2)] = files[S.format(2)].replace(url(1), "/content/handbooks/hb/sectoin1/")
    diags = only(check_tree(tmp_path, files), "FM3")
    assert codes_at(diags) == {(S.format(2), line_of(files[S.format(2)], "previousSection"), "FM304")}
    assert diags[0].fixable


def test_missing_section_breaks_the_chain_once(tmp_path: Path) -> None:
    files = handbook(22)
    del files[S.format(11)], files[S.format(12)]
    # pages keep the links the format's numbering gives: 10 -> 11 and 12 <- 13
    assert fm3(tmp_path, files) == {(S.format(10), line_of(files[S.format(10)], "nextSection"), "FM304")}


def test_gap_bridged_on_one_side_is_reported_on_the_other(tmp_path: Path) -> None:
    files = handbook(5)
    del files[S.format(3)]
    files[S.format(2)] = files[S.format(2)].replace(url(3), url(4))
    assert fm3(tmp_path, files) == {(S.format(4), line_of(files[S.format(4)], "previousSection"), "FM304")}


def test_bridged_gap_is_clean(tmp_path: Path) -> None:
    files = handbook(5)
    del files[S.format(3)]
    files[S.format(2)] = files[S.format(2)].replace(url(3), url(4))
    files[S.format(4)] = files[S.format(4)].replace(url(3), url(2))
    assert fm3(tmp_path, files) == set()


def test_missing_first_section_is_reported_at_the_index(tmp_path: Path) -> None:
    files = handbook(3)
    del files[S.format(1)]
    assert fm3(tmp_path, files) == {(INDEX, line_of(files[INDEX], "nextSection"), "FM304")}


def test_missing_index(tmp_path: Path) -> None:
    files = handbook(2)
    del files[INDEX]
    diags = only(check_tree(tmp_path, files), "FM3")
    assert codes_at(diags) == {(S.format(1), line_of(files[S.format(1)], "previousSection"), "FM304")}
    assert not diags[0].fixable


def test_permalink_page_is_known_only_by_its_permalink(tmp_path: Path) -> None:
    files = handbook(3)
    files[S.format(2)] = section_page(2, extra_front_matter="permalink: /hb/two/\n")
    # section 1 and 3 still link the folder URL, which no longer exists
    assert fm3(tmp_path, files) == {(S.format(1), line_of(files[S.format(1)], "nextSection"), "FM304"),
                                    (S.format(3), line_of(files[S.format(3)], "previousSection"), "FM304")}
    files[S.format(1)] = files[S.format(1)].replace(url(2), "/hb/two/")
    files[S.format(3)] = files[S.format(3)].replace(url(2), "/hb/two/")
    assert fm3(tmp_path, files) == set()


# --- FM305 invalid value -------------------------------------------------------------------------

@pytest.mark.parametrize("value", ['""', "null", f"\"{{{{ '{url(3)}' | relative_url }}}}\"", '"section3/"',
                                   f'"https://example.org{url(3)}"', "someVariable"])
def test_value_that_is_not_a_plain_site_path(tmp_path: Path, value: str) -> None:
    files = handbook(3)
    files[S.format(2)] = files[S.format(2)].replace(f'"{url(3)}"', value)
    diags = only(check_tree(tmp_path, files), "FM3")
    assert codes_at(diags) == {(S.format(2), line_of(files[S.format(2)], "nextSection"), "FM305")}
    assert diags[0].fixable


def test_empty_previous_on_the_index_is_unexpected_not_invalid(tmp_path: Path) -> None:
    files = handbook(2)
    files[INDEX] = files[INDEX].replace("  window.nextSection", '  window.previousSection = "";\n  window.nextSection')
    assert fm3(tmp_path, files) == {(INDEX, line_of(files[INDEX], "previousSection ="), "FM302")}


# --- FM306 duplicates ----------------------------------------------------------------------------

def test_second_navigation_script(tmp_path: Path) -> None:
    files = handbook(3)
    text = files[S.format(2)]
    block = text[text.index("<script>\n"): text.index("</script>\n") + len("</script>\n")]
    files[S.format(2)] = text + "\n" + block
    second = len(text.split("\n")) + 1
    assert fm3(tmp_path, files) == {(S.format(2), second, "FM306")}


def test_variable_assigned_twice(tmp_path: Path) -> None:
    files = handbook(3)
    files[S.format(2)] = files[S.format(2)].replace(
        "</script>", f'  window.nextSection = "{url(3)}";\n</script>', 1)
    lines = [i for i, line in enumerate(files[S.format(2)].split("\n"), 1) if "nextSection" in line]
    assert fm3(tmp_path, files) == {(S.format(2), lines[1], "FM306")}


def test_comment_saying_there_is_no_previous_is_fine(tmp_path: Path) -> None:
    files = handbook(1)
    assert "// Navigation variables - no previous for index" in index_page(1)
    files[S.format(1)] = files[S.format(1)].replace("// last section: no next",
                                                    "/* no next: window.nextSection = '/x/'; */")
    assert fm3(tmp_path, files) == set()


def test_index_with_a_permalink(tmp_path: Path) -> None:
    files = handbook(2)
    files[INDEX] = files[INDEX].replace('description: "A handbook used by the tests."',
                                        'description: "A handbook used by the tests."\npermalink: /hb/')
    assert fm3(tmp_path, files) == {(S.format(1), line_of(files[S.format(1)], "previousSection"), "FM304")}
    files[S.format(1)] = files[S.format(1)].replace('previousSection = "/content/handbooks/hb/"',
                                                    'previousSection = "/hb/"')
    assert fm3(tmp_path, files) == set()
