"""FM0xx: unreadable, non-UTF-8, broken front matter, too large, Liquid syntax."""

from __future__ import annotations

import os

import pytest

from tests.helpers import HB, check_tree, codes_at, handbook, only, section_page


def test_clean_handbook_has_no_file_findings(tmp_path):
    assert only(check_tree(tmp_path, handbook(3)), "FM0") == []


def test_non_utf8_reported_at_line_of_bad_byte(tmp_path):
    files = handbook(2)
    page = section_page(2, total=2).encode()
    files[f"{HB}/section2/index.md"] = page.replace(b"Some text", b"Caf\xe9 text")
    diags = check_tree(tmp_path, files)
    line = page.split(b"\n").index(next(x for x in page.split(b"\n") if b"Some text" in x)) + 1
    assert (f"{HB}/section2/index.md", line, "FM002") in codes_at(diags)


def test_random_bytes_are_a_finding_not_a_crash(tmp_path):
    files = handbook(2)
    files[f"{HB}/section2/index.md"] = bytes(range(256)) * 4
    diags = check_tree(tmp_path, files)
    assert [d.code for d in diags if d.path.endswith("section2/index.md")] == ["FM002"]
    # the other files are still checked: break section 1 and see it reported too
    files[f"{HB}/section1/index.md"] = "---\ntitle: [unclosed\n---\n"
    diags = check_tree(tmp_path, files)
    assert any(d.code == "FM003" and d.path.endswith("section1/index.md") for d in diags)


def test_bom_and_crlf_are_accepted_with_file_lines(tmp_path):
    files = handbook(2)
    text = section_page(1, total=2, body="## 1.1 A\n\n<div>\n\nno close\n")
    files[f"{HB}/section1/index.md"] = b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode()
    diags = check_tree(tmp_path, files)
    div_line = text.split("\n").index("<div>") + 1
    assert codes_at(diags) == {(f"{HB}/section1/index.md", div_line, "FM801")}


@pytest.mark.parametrize(("yaml_text", "line"), [
    ('title: "unclosed\n', 2),
    ("layout: default\ntitle: [a, b\n", 3),
    ("layout: default\nlayout: twice\n", 3),
])
def test_broken_front_matter_at_yaml_error_line(tmp_path, yaml_text, line):
    files = handbook(1)
    files[f"{HB}/section1/index.md"] = f"---\n{yaml_text}---\n\nBody\n"
    diags = check_tree(tmp_path, files)
    assert (f"{HB}/section1/index.md", line, "FM003") in codes_at(diags)


def test_unterminated_front_matter(tmp_path):
    files = handbook(1)
    files[f"{HB}/section1/index.md"] = "---\nlayout: default\ntitle: x\n\nBody text\n"
    assert (f"{HB}/section1/index.md", 1, "FM003") in codes_at(check_tree(tmp_path, files))


def test_front_matter_that_is_not_a_mapping(tmp_path):
    files = handbook(1)
    files[f"{HB}/section1/index.md"] = "---\n- a\n- b\n---\n"
    assert (f"{HB}/section1/index.md", 2, "FM003") in codes_at(check_tree(tmp_path, files))


def test_too_large_file_is_skipped_with_a_warning(tmp_path):
    files = handbook(1)
    files["content/big.md"] = "---\ntitle: x\n---\n" + "word " * 1000
    diags = check_tree(tmp_path, files, **{"max-file-size": 1000})
    assert ("content/big.md", 1, "FM005") in codes_at(diags)


@pytest.mark.skipif(os.geteuid() == 0, reason="root can read any file")
def test_unreadable_file(tmp_path):
    files = handbook(1)
    files["content/secret.md"] = "---\ntitle: x\n---\n"
    check_tree(tmp_path, files)
    (tmp_path / "content/secret.md").chmod(0)
    assert ("content/secret.md", 1, "FM001") in codes_at(check_tree(tmp_path))


def test_unreadable_path_is_reported_as_fm001(tmp_path):
    # A dangling symlink cannot be read by anyone, root included.
    files = handbook(1)
    check_tree(tmp_path, files)
    (tmp_path / "content/gone.md").symlink_to(tmp_path / "nowhere.md")
    assert ("content/gone.md", 1, "FM001") in codes_at(check_tree(tmp_path))


def test_unterminated_output_at_end_of_page(tmp_path):
    files = handbook(1)
    files["content/note.md"] = "---\ntitle: n\n---\n\nText\nSee {{ '/a/' | relative_url\n"
    assert ("content/note.md", 6, "FM006") in codes_at(check_tree(tmp_path, files))


@pytest.mark.parametrize(("snippet", "col"), [
    ("See {% cite x and never closed", 5),
    ("Text {% if x %} never closed.", 6),
    ("Stray {% endif %} here.", 7),
    ("{% raw %} not closed", 1),
])
def test_liquid_syntax_errors(tmp_path, snippet, col):
    files = handbook(1)
    body = f"## 1.1 A\n\n{snippet}\n"
    text = section_page(1, total=1, body=body)
    files[f"{HB}/section1/index.md"] = text
    diags = check_tree(tmp_path, files)
    line = text.split("\n").index(snippet) + 1
    hits = [d for d in diags if d.code == "FM006"]
    assert [(d.line, d.column) for d in hits] == [(line, col)]


def test_liquid_inside_raw_is_not_checked(tmp_path):
    files = handbook(1)
    body = "## 1.1 A\n\n{% raw %}{{ not liquid {% endraw %}\n"
    files[f"{HB}/section1/index.md"] = section_page(1, total=1, body=body)
    assert only(check_tree(tmp_path, files), "FM006") == []


def test_files_jekyll_does_not_render_get_only_file_checks(tmp_path):
    # No front matter outside a handbook, or excluded in _config.yml: Jekyll copies the file as it
    # is, so its Liquid, markup and snippets are not the site's.
    broken = "Text {% if x %}\n\n<div>\n\n```\ncode\n```\n"
    files = handbook(1)
    files["_config.yml"] = "markdown: kramdown\nexclude:\n  - content/notes/\n"
    files["content/plain.md"] = broken
    files["content/notes/draft.md"] = "---\ntitle: d\n---\n" + broken
    files["content/page.md"] = "---\ntitle: p\n---\n" + broken
    diags = check_tree(tmp_path, files)
    assert {d.path for d in diags} == {"content/page.md"}
    assert {d.code for d in diags} == {"FM006", "FM801", "FM601"}
