"""FM7xx: index cards against the sections' front matter, and the card extraction they rely on."""

from __future__ import annotations

from pathlib import Path

import pytest

from fmlint.config import Config
from fmlint.site.cards import extract_cards
from fmlint.site.site import load_site
from tests.helpers import HB, card, check_tree, chdir, codes_at, handbook, index_page, only, section_page, write_tree

INDEX = f"{HB}/index.md"
S = f"{HB}/section{{}}/index.md"


def fm7(tmp_path: Path, files: dict[str, str]) -> set[tuple[str, int, str]]:
    return codes_at(only(check_tree(tmp_path, files), "FM7"))


def line_of(text: str, needle: str, nth: int = 1) -> int:
    hits = [i for i, line in enumerate(text.split("\n"), 1) if needle in line]
    return hits[nth - 1]


def with_cards(total: int, cards: str, **kw: object) -> dict[str, str]:
    files = handbook(total, **kw)  # type: ignore[arg-type]
    hb = str(kw.get("hb", "hb"))
    files[f"content/handbooks/{hb}/index.md"] = index_page(total, hb=hb, cards=cards)
    return files


def cards_of(*numbers: int, hb: str = "hb") -> str:
    return "  \n".join(card(n, hb=hb) for n in numbers)


# --- extraction --------------------------------------------------------------------------------

def test_extract_cards_reads_every_part_with_its_line(tmp_path: Path) -> None:
    write_tree(tmp_path, {**handbook(3), "_config.yml": ""})
    with chdir(tmp_path):
        site = load_site([Path("content")], Config())
    index = site.handbooks[0].index
    found = extract_cards(index)
    assert len(found.grids) == 1 and len(found.cards) == 3
    text = index.source.text
    second = found.cards[1]
    model = second.to_model()
    assert model is not None
    assert (model.number, model.numeral, model.id, model.title, model.goal) == (
        2, "II", "s2", "Section II: Topic 2", "Explain topic 2.")
    assert model.title_href == model.link_href == "/content/handbooks/hb/section2/"
    assert second.numeral.line == line_of(text, "<!-- Section II -->")
    assert second.id.line == line_of(text, 'id="s2"')
    assert second.goal.line == line_of(text, "Explain topic 2.")
    assert second.link_href.line == line_of(text, "section-link", 2)
    assert second.title_href.liquid and second.start_line == second.numeral.line
    assert second.problems == []


def test_extracted_card_missing_parts_keeps_the_rest(tmp_path: Path) -> None:
    broken = card(2).replace("    <p><strong>Goal:</strong> Explain topic 2.</p>\n", "")
    write_tree(tmp_path, {**with_cards(2, cards_of(1) + "  \n" + broken), "_config.yml": ""})
    with chdir(tmp_path):
        site = load_site([Path("content")], Config())
    c = extract_cards(site.handbooks[0].index).cards[1]
    assert c.goal is None and c.to_model() is None
    assert c.id.text == "s2" and c.link_href is not None and len(c.problems) == 1


# --- clean shapes ------------------------------------------------------------------------------

@pytest.mark.parametrize("total", [1, 3, 22])
def test_clean_index_has_no_card_finding(tmp_path: Path, total: int) -> None:
    assert fm7(tmp_path, handbook(total)) == set()


def test_two_handbooks_linking_to_each_other(tmp_path: Path) -> None:
    files = {**handbook(1, hb="one"), **handbook(3, hb="three")}
    files["content/handbooks/one/index.md"] = files["content/handbooks/one/index.md"].replace(
        "</div>\n\n<script>", "</div>\n\n<p><a href=\"{{ '/content/handbooks/three/' | relative_url }}\">Three</a></p>"
        "\n\n<script>")
    assert fm7(tmp_path, files) == set()


def test_quoting_whitespace_and_extra_attributes_do_not_matter(tmp_path: Path) -> None:
    odd = """<!--Section II-->
<div class='section-card extra' data-x="1"><h3 class="t" id='s2'><a
   href='{{ "/content/handbooks/hb/section2/" | relative_url }}' title="go">Section   II:
   Topic 2</a></h3>
    <p class="goal"><strong>Goal:</strong>   Explain
    topic 2.</p>
  <a class="btn section-link" href="section2/">Read section →</a>
</div>
"""
    files = with_cards(3, cards_of(1) + "\n" + odd + "\n" + cards_of(3))
    assert fm7(tmp_path, files) == set()


def test_crlf_index(tmp_path: Path) -> None:
    files = {k: v.replace("\n", "\r\n") for k, v in handbook(3).items()}
    files[INDEX] = files[INDEX].replace("Explain topic 3.", "Explain something else.")
    assert fm7(tmp_path, files) == {(INDEX, line_of(files[INDEX].replace("\r\n", "\n"), "something else"), "FM710")}


def test_inline_markup_and_entities_in_the_goal(tmp_path: Path) -> None:
    files = handbook(2)
    files[S.format(2)] = section_page(2, total=2, description="Use attention & friends.")
    files[INDEX] = files[INDEX].replace("Explain topic 2.", "Use <em>attention</em> &amp; friends.")
    assert fm7(tmp_path, files) == set()


def test_inline_html_in_the_description_matches_the_same_html_on_the_card(tmp_path: Path) -> None:
    files = handbook(2)
    files[S.format(2)] = section_page(2, total=2, description="Ship <em>models</em> safely.")
    files[INDEX] = files[INDEX].replace("Explain topic 2.", "Ship <em>models</em> safely.")
    assert fm7(tmp_path, files) == set()
    files[INDEX] = files[INDEX].replace("Ship <em>models</em> safely.", "Ship <em>weights</em> safely.")
    assert {c for *_, c in fm7(tmp_path, files)} == {"FM710"}


# --- FM701 .. FM704: which cards exist -------------------------------------------------------------

def test_missing_card_is_reported_where_it_belongs(tmp_path: Path) -> None:
    files = with_cards(4, cards_of(1, 2, 4))
    diags = only(check_tree(tmp_path, files), "FM7")
    assert codes_at(diags) == {(INDEX, line_of(files[INDEX], "<!-- Section IV -->"), "FM701")}
    assert diags[0].fixable


def test_missing_last_card_is_reported_at_the_end_of_the_grid(tmp_path: Path) -> None:
    files = with_cards(3, cards_of(1, 2))
    grid_end = line_of(files[INDEX], "</div>", files[INDEX].count("</div>"))
    assert fm7(tmp_path, files) == {(INDEX, grid_end, "FM701")}


def test_index_without_grid(tmp_path: Path) -> None:
    files = handbook(2)
    text = files[INDEX]
    files[INDEX] = text[: text.index('<div class="sections-grid">')] + text[text.index("<script>"):]
    assert fm7(tmp_path, files) == {(INDEX, 6, "FM701")}  # the first line after the front matter


def test_card_for_a_section_that_does_not_exist(tmp_path: Path) -> None:
    files = with_cards(3, cards_of(1, 2, 3, 4))
    assert fm7(tmp_path, files) == {(INDEX, line_of(files[INDEX], '<div class="section-card">', 4), "FM702")}


def test_cards_for_missing_sections_in_a_22_section_handbook(tmp_path: Path) -> None:
    files = handbook(22)
    del files[S.format(11)], files[S.format(12)]
    text = files[INDEX]
    assert fm7(tmp_path, files) == {
        (INDEX, line_of(text, '<div class="section-card">', 11), "FM702"),
        (INDEX, line_of(text, '<div class="section-card">', 12), "FM702")}


def test_duplicate_card(tmp_path: Path) -> None:
    files = with_cards(3, cards_of(1, 2, 2, 3))
    assert fm7(tmp_path, files) == {(INDEX, line_of(files[INDEX], '<div class="section-card">', 3), "FM703")}


def test_cards_out_of_order(tmp_path: Path) -> None:
    files = with_cards(3, cards_of(2, 1, 3))
    assert fm7(tmp_path, files) == {(INDEX, line_of(files[INDEX], '<div class="section-card">', 2), "FM704")}


def test_one_card_far_out_of_order_is_reported_alone(tmp_path: Path) -> None:
    files = with_cards(22, cards_of(22, *range(1, 22)))
    assert fm7(tmp_path, files) == {(INDEX, line_of(files[INDEX], '<div class="section-card">', 1), "FM704")}


# --- FM705 structure ---------------------------------------------------------------------------

def test_card_missing_its_goal_is_reported_and_still_checked(tmp_path: Path) -> None:
    broken = card(2, name="Old name").replace("    <p><strong>Goal:</strong> Explain topic 2.</p>\n", "")
    files = with_cards(3, cards_of(1) + "  \n" + broken + "  \n" + cards_of(3))
    text = files[INDEX]
    assert fm7(tmp_path, files) == {(INDEX, line_of(text, '<div class="section-card">', 2), "FM705"),
                                    (INDEX, line_of(text, "Old name"), "FM709")}


def test_card_missing_its_read_section_link(tmp_path: Path) -> None:
    broken = "\n".join(line for line in card(2).split("\n") if "section-link" not in line)
    files = with_cards(2, cards_of(1) + "  \n" + broken)
    assert fm7(tmp_path, files) == {(INDEX, line_of(files[INDEX], '<div class="section-card">', 2), "FM705")}


def test_goal_paragraph_without_its_label(tmp_path: Path) -> None:
    files = handbook(2)
    files[INDEX] = files[INDEX].replace("<p><strong>Goal:</strong> Explain topic 2.", "<p>Explain topic 2.")
    assert fm7(tmp_path, files) == {(INDEX, line_of(files[INDEX], "<p>Explain topic 2."), "FM705")}


def test_card_parts_in_the_wrong_order(tmp_path: Path) -> None:
    lines = card(2).split("\n")
    goal = next(i for i, line in enumerate(lines) if "Goal:" in line)
    link = next(i for i, line in enumerate(lines) if "section-link" in line)
    lines[goal], lines[link] = lines[link], lines[goal]
    files = with_cards(2, cards_of(1) + "  \n" + "\n".join(lines))
    assert fm7(tmp_path, files) == {(INDEX, line_of(files[INDEX], '<div class="section-card">', 2), "FM705")}


def test_card_outside_the_grid(tmp_path: Path) -> None:
    files = with_cards(2, cards_of(1))
    files[INDEX] = files[INDEX].replace("</div>\n\n<script>", "</div>\n\n" + card(2) + "\n<script>")
    assert fm7(tmp_path, files) == {(INDEX, line_of(files[INDEX], '<div class="section-card">', 2), "FM705")}


def test_unclosed_card_does_not_hide_the_cards_after_it(tmp_path: Path) -> None:
    unclosed = card(2).rstrip().removesuffix("</div>") + "\n"
    files = with_cards(4, cards_of(1) + "  \n" + unclosed + "  \n" + cards_of(3, 4))
    assert fm7(tmp_path, files) == set()  # FM801 reports the missing </div>


# --- FM706 .. FM710: what a card says ---------------------------------------------------------------

def test_comment_numeral_differs(tmp_path: Path) -> None:
    files = handbook(3)
    files[INDEX] = files[INDEX].replace("<!-- Section III -->", "<!-- Section II -->")
    diags = only(check_tree(tmp_path, files), "FM7")
    assert codes_at(diags) == {(INDEX, line_of(files[INDEX], "<!-- Section II -->", 2), "FM706")}
    assert diags[0].severity.value == "warning" and diags[0].fixable


def test_comment_is_optional(tmp_path: Path) -> None:
    files = handbook(3)
    files[INDEX] = files[INDEX].replace("<!-- Section II -->", "")
    assert fm7(tmp_path, files) == set()


def test_h3_id_differs(tmp_path: Path) -> None:
    files = handbook(22)
    files[INDEX] = files[INDEX].replace('id="s14"', 'id="s13"')
    diags = only(check_tree(tmp_path, files), "FM7")
    assert codes_at(diags) == {(INDEX, line_of(files[INDEX], 'id="s13"', 2), "FM707")}
    assert 's14' in diags[0].message and diags[0].fixable


def test_h3_without_id(tmp_path: Path) -> None:
    files = handbook(2)
    files[INDEX] = files[INDEX].replace('<h3 id="s2">', "<h3>")
    assert fm7(tmp_path, files) == {(INDEX, line_of(files[INDEX], "<h3>"), "FM707")}


def test_href_to_the_wrong_section(tmp_path: Path) -> None:
    files = handbook(3)
    wrong = card(2).replace("section2/' | relative_url }}\">Section", "section3/' | relative_url }}\">Section")
    files[INDEX] = index_page(3, cards=cards_of(1) + "  \n" + wrong + "  \n" + cards_of(3))
    diags = only(check_tree(tmp_path, files), "FM7")
    line = line_of(files[INDEX], "section3/' | relative_url }}\">Section II")
    assert codes_at(diags) == {(INDEX, line, "FM708")}
    assert diags[0].fixable


def test_read_section_link_to_a_missing_page(tmp_path: Path) -> None:
    files = handbook(2)
    files[INDEX] = files[INDEX].replace("section2/' | relative_url }}\" class", "sectoin2/' | relative_url }}\" class")
    assert fm7(tmp_path, files) == {(INDEX, line_of(files[INDEX], "sectoin2"), "FM708")}


def test_permalink_section_is_known_only_by_its_permalink(tmp_path: Path) -> None:
    files = handbook(2)
    files[S.format(2)] = section_page(2, total=2, extra_front_matter="permalink: /hb/two/\n")
    text = files[INDEX]
    assert fm7(tmp_path, files) == {(INDEX, line_of(text, "section2/' | relative_url }}\">"), "FM708"),
                                    (INDEX, line_of(text, "section2/' | relative_url }}\" class"), "FM708")}
    files[INDEX] = text.replace("/content/handbooks/hb/section2/", "/hb/two/")
    assert fm7(tmp_path, files) == set()


def test_title_differs_from_the_front_matter(tmp_path: Path) -> None:
    files = handbook(3)
    files[S.format(2)] = section_page(2, "Renamed topic")
    diags = only(check_tree(tmp_path, files), "FM7")
    assert codes_at(diags) == {(INDEX, line_of(files[INDEX], "Section II: Topic 2"), "FM709")}
    assert "Renamed topic" in diags[0].message and "Topic 2" in diags[0].message and diags[0].fixable


def test_goal_differs_from_the_description(tmp_path: Path) -> None:
    files = handbook(1)
    files[S.format(1)] = section_page(1, total=1, description="Something new.")
    diags = only(check_tree(tmp_path, files), "FM7")
    assert codes_at(diags) == {(INDEX, line_of(files[INDEX], "Goal:"), "FM710")}
    assert "Something new." in diags[0].message and diags[0].fixable


def test_one_stale_part_is_reported_as_that_part(tmp_path: Path) -> None:
    # only the id still says 4: the card is section 5's card with a wrong id, not a card for 4
    files = handbook(5)
    files[INDEX] = files[INDEX].replace('id="s5"', 'id="s4"')
    assert fm7(tmp_path, files) == {(INDEX, line_of(files[INDEX], 'id="s4"', 2), "FM707")}


def test_renumbered_section_reports_the_card_once_per_part(tmp_path: Path) -> None:
    # section 3's card was written for a section 4 that does not exist
    files = handbook(3)
    files[INDEX] = index_page(3, cards=cards_of(1, 2) + "  \n" + card(4).replace("Topic 4", "Topic 3")
                              .replace("Explain topic 4.", "Explain topic 3."))
    found = fm7(tmp_path, files)
    assert (INDEX, line_of(files[INDEX], "<!-- Section IV -->") + 1, "FM702") in found
    assert any(code == "FM701" for _, _, code in found)


def test_relative_and_baseurl_hrefs_point_at_the_section(tmp_path: Path) -> None:
    files = handbook(2)
    files[INDEX] = files[INDEX].replace("{{ '/content/handbooks/hb/section2/' | relative_url }}\">Section",
                                        "{{ site.baseurl }}/content/handbooks/hb/section2/\">Section")
    files[INDEX] = files[INDEX].replace("{{ '/content/handbooks/hb/section1/' | relative_url }}\" class",
                                        "section1/\" class")
    assert fm7(tmp_path, files) == set()


def test_link_tag_and_prepend_baseurl_hrefs_point_at_the_section(tmp_path: Path) -> None:
    # card hrefs are read as the link rules read links: {% link %} and prepend: site.baseurl too
    files = handbook(2)
    files[INDEX] = files[INDEX].replace("{{ '/content/handbooks/hb/section1/' | relative_url }}",
                                        "{% link content/handbooks/hb/section1/index.md %}")
    files[INDEX] = files[INDEX].replace("{{ '/content/handbooks/hb/section2/' | relative_url }}",
                                        "{{ '/content/handbooks/hb/section2/' | prepend: site.baseurl }}")
    assert fm7(tmp_path, files) == set()


def test_href_without_the_trailing_slash(tmp_path: Path) -> None:
    files = handbook(2)
    files[INDEX] = files[INDEX].replace("{{ '/content/handbooks/hb/section2/' | relative_url }}\" class",
                                        "{{ '/content/handbooks/hb/section2' | relative_url }}\" class")
    assert fm7(tmp_path, files) == {(INDEX, line_of(files[INDEX], "section2' | relative_url"), "FM708")}


def test_plain_href_while_baseurl_is_set(tmp_path: Path) -> None:
    files = {**handbook(2), "_config.yml": "baseurl: /site\n"}
    assert fm7(tmp_path, files) == set()
    files[INDEX] = files[INDEX].replace("{{ '/content/handbooks/hb/section2/' | relative_url }}\">Section",
                                        "/content/handbooks/hb/section2/\">Section")
    assert fm7(tmp_path, files) == {(INDEX, line_of(files[INDEX], "section2/\">Section"), "FM708")}
    files[INDEX] = files[INDEX].replace("/content/handbooks/hb/section2/\">Section",
                                        "/site/content/handbooks/hb/section2/\">Section")
    assert fm7(tmp_path, files) == set()


def test_absurd_section_number_does_not_crash(tmp_path: Path) -> None:
    files = handbook(1)
    files[S.format(1)] = section_page(1, total=1).replace("section: 1", "section: 5000")
    files[INDEX] = files[INDEX].replace("<!-- Section I -->", "<!-- Section V -->")
    diags = check_tree(tmp_path, files)
    assert not [d for d in diags if d.code == "FM004"]
    assert (INDEX, line_of(files[INDEX], "<!-- Section V -->"), "FM706") in codes_at(diags)


def test_wrong_title_numeral_on_the_section_is_not_reported_again_on_its_card(tmp_path: Path) -> None:
    files = handbook(9)
    files[S.format(9)] = section_page(9, total=9).replace("Section IX:", "Section VIIII:")
    assert fm7(tmp_path, files) == set()
    files[INDEX] = files[INDEX].replace("Section IX:", "Section VIIII:")
    assert fm7(tmp_path, files) == {(INDEX, line_of(files[INDEX], "Section VIIII:"), "FM709")}
