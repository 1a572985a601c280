"""FM1xx: front matter against the schemas; YAML 1.1 readings."""

from __future__ import annotations

import pytest

from fmlint.rules.frontmatter import psych_value
from tests.helpers import HB, check_tree, codes_at, handbook, only, section_page

S1 = f"{HB}/section1/index.md"


def _page(front: str, body: str = "## 1.1 A\n\nText.\n") -> str:
    return f"---\n{front}---\n\n{body}"


def test_clean_handbook_has_no_front_matter_findings(tmp_path):
    assert only(check_tree(tmp_path, handbook(3)), "FM1") == []


def test_missing_front_matter_on_section_page(tmp_path):
    files = handbook(1)
    files[S1] = "## 1.1 A\n\nText.\n"
    assert (S1, 1, "FM101") in codes_at(check_tree(tmp_path, files))


def test_missing_key_reported_at_front_matter_block(tmp_path):
    files = handbook(1)
    files[S1] = _page('layout: default\ntitle: "Section I: A"\nsection: 1\n')
    diags = only(check_tree(tmp_path, files), "FM1")
    assert codes_at(diags) == {(S1, 1, "FM102")}
    assert "description" in diags[0].message


@pytest.mark.parametrize(("line_text", "key_line"), [
    ('section: "1"\n', 5),
    ("section: 0\n", 5),
    ("section: one\n", 5),
])
def test_invalid_section_value(tmp_path, line_text, key_line):
    files = handbook(1)
    files[S1] = _page('layout: default\ntitle: "Section I: A"\ndescription: "d"\n' + line_text)
    assert (S1, key_line, "FM103") in codes_at(check_tree(tmp_path, files))


def test_title_not_in_section_form(tmp_path):
    files = handbook(1)
    files[S1] = _page('layout: default\ntitle: "Attention"\ndescription: "d"\nsection: 1\n')
    assert (S1, 3, "FM103") in codes_at(check_tree(tmp_path, files))


def test_empty_description(tmp_path):
    files = handbook(1)
    files[S1] = _page('layout: default\ntitle: "Section I: A"\ndescription: ""\nsection: 1\n')
    assert (S1, 4, "FM103") in codes_at(check_tree(tmp_path, files))


def test_unknown_key_is_a_warning_with_a_suggestion(tmp_path):
    files = handbook(1)
    files[S1] = section_page(1, total=1, extra_front_matter="secton: 1\n")
    diags = [d for d in check_tree(tmp_path, files) if d.code == "FM104"]
    assert [(d.line, d.severity.value) for d in diags] == [(6, "warning")]
    assert "section" in diags[0].message


def test_jekyll_keys_and_configured_keys_are_known(tmp_path):
    files = handbook(1)
    files[S1] = section_page(1, total=1, extra_front_matter="tags: [a]\nauthor: me\n")
    diags = check_tree(tmp_path, files, **{"extra-front-matter-keys": ["author"]})
    assert only(diags, "FM104") == []


def test_index_front_matter_schema(tmp_path):
    files = handbook(1)
    files[f"{HB}/index.md"] = files[f"{HB}/index.md"].replace('title: "Test Handbook"\n', "")
    assert (f"{HB}/index.md", 1, "FM102") in codes_at(check_tree(tmp_path, files))


@pytest.mark.parametrize(("value", "jekyll"), [
    ("no", False), ("Yes", True), ("off", False), ("010", 8), ("1:30", 90), ("1,000", 1000),
    ("0x1F", 31), ("~", None),
])
def test_psych_readings(value, jekyll):
    assert psych_value(value) == jekyll and type(psych_value(value)) is type(jekyll)


@pytest.mark.parametrize("value", ["no", "on", "010", "1:30"])
def test_yaml11_difference_is_a_warning_at_the_value(tmp_path, value):
    files = handbook(1)
    files[S1] = section_page(1, total=1, extra_front_matter=f"tags: {value}\n")
    diags = [d for d in check_tree(tmp_path, files) if d.code == "FM105"]
    assert [(d.line, d.column) for d in diags] == [(6, 7)]


@pytest.mark.parametrize("value", ['"no"', "'on'", "10", "plain text", "2024-01-02", "1.5", "true"])
def test_values_read_alike_are_not_reported(tmp_path, value):
    files = handbook(1)
    files[S1] = section_page(1, total=1, extra_front_matter=f"tags: {value}\n")
    assert only(check_tree(tmp_path, files), "FM105") == []


def test_yaml11_in_flow_lists(tmp_path):
    files = handbook(1)
    files[S1] = section_page(1, total=1, extra_front_matter="tags: [rl, basics, no]\n")
    diags = [d for d in check_tree(tmp_path, files) if d.code == "FM105"]
    assert [(d.line, d.column) for d in diags] == [(6, 20)]


def test_yaml11_in_lists(tmp_path):
    files = handbook(1)
    files[S1] = section_page(1, total=1, extra_front_matter="tags:\n  - ok\n  - no\n")
    assert (S1, 8, "FM105") in codes_at(check_tree(tmp_path, files))


def test_other_pages_only_get_yaml11_checks(tmp_path):
    files = handbook(1)
    files["content/about.md"] = "---\nfoo: bar\nflag: on\n---\nAbout.\n"
    diags = [d for d in check_tree(tmp_path, files) if d.path == "content/about.md"]
    assert [d.code for d in diags] == ["FM105"]


@pytest.mark.parametrize("value", ["yes", "on", "True"])
def test_schema_validates_what_jekyll_reads(tmp_path, value):
    # `published: yes` is the boolean true for Jekyll (YAML 1.1): FM105 warns, FM103 does not.
    files = handbook(1)
    files[S1] = section_page(1, total=1, extra_front_matter=f"published: {value}\n")
    diags = only(check_tree(tmp_path, files), "FM1")
    assert {d.code for d in diags} <= {"FM105"}
    files[S1] = section_page(1, total=1, extra_front_matter="published: maybe\n")
    assert (S1, 6, "FM103") in codes_at(check_tree(tmp_path, files))
