"""`fmlint fix`: each fixable finding is fixed exactly, nothing else changes, and the CLI writes safely."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from fmlint.authoring import fix as fix_module
from fmlint.authoring.edits import Edit, apply_edits, start_tag
from fmlint.authoring.fix import RunawayError, fix_workspace
from fmlint.authoring.workspace import Workspace
from fmlint.config import Config
from tests.cli_helpers import run_fmlint
from tests.helpers import HB, card, chdir, check_tree, handbook, index_page, section_page, write_tree

INDEX = f"{HB}/index.md"


def sec(n: int) -> str:
    return f"{HB}/section{n}/index.md"


def url(n: int | None = None) -> str:
    return f"/content/handbooks/hb/section{n}/" if n else "/content/handbooks/hb/"


def config(**values: object) -> Config:
    return Config.model_validate({"snippets": {"cache": False, "exec": False}, **values})


def fix(root: Path, **values: object):
    """Run the fix loop on `root` and write the result; returns the report."""
    cfg = config(**values)
    with chdir(root):
        ws = Workspace.for_paths([Path("content")], cfg)
        report = fix_workspace(ws, [Path("content")], cfg)
        ws.commit()
    return report


def findings(root: Path, **values: object) -> set[tuple[str, int, str]]:
    return {(d.path, d.line, d.code) for d in check_tree(root, config=config(**values))}


def fixable(root: Path, **values: object) -> list:
    return [d for d in check_tree(root, config=config(**values)) if d.fixable]


def read(root: Path, rel: str) -> str:
    return (root / rel).read_text(encoding="utf-8")


def tree_digest(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def broken(tmp_path: Path, total: int, changes: dict[str, tuple[str, str]], **extra: str) -> Path:
    """A clean handbook with text replacements {file: (old, new)} (each old must occur)."""
    files = handbook(total)
    files.update(extra)
    for rel, (old, new) in changes.items():
        assert old in files[rel], (rel, old)
        files[rel] = files[rel].replace(old, new, 1)
    write_tree(tmp_path, files)
    return tmp_path


def assert_fixed(root: Path, code: str, **values: object) -> None:
    before = findings(root, **values)
    assert any(c == code for _, _, c in before), before
    fix(root, **values)
    after = findings(root, **values)
    assert not any(c == code for _, _, c in after), after
    assert not fixable(root, **values)


# --- navigation -----------------------------------------------------------------------------------

def test_missing_next_is_added_inside_the_script(tmp_path):
    root = broken(tmp_path, 3, {sec(2): (f'  window.nextSection = "{url(3)}";\n', "")})
    assert_fixed(root, "FM301")
    assert f'  window.previousSection = "{url(1)}";\n  window.nextSection = "{url(3)}";\n</script>' in read(root, sec(2))


def test_missing_previous_goes_before_next(tmp_path):
    root = broken(tmp_path, 3, {sec(2): (f'  window.previousSection = "{url(1)}";\n', "")})
    assert_fixed(root, "FM301")
    assert f'<script>\n  window.previousSection = "{url(1)}";\n  window.nextSection = "{url(3)}";' in read(root, sec(2))


def test_page_without_navigation_gets_a_script_before_the_loader(tmp_path):
    files = handbook(2)
    page = files[sec(2)]
    start, end = page.index("<script>\n"), page.index("</script>\n\n") + len("</script>\n\n")
    root = broken(tmp_path, 2, {sec(2): (page[start:end], "")})
    assert_fixed(root, "FM301")
    text = read(root, sec(2))
    assert f'<script>\n  window.previousSection = "{url(1)}";\n</script>\n\n<script src=' in text
    assert text.count("<script>") == 1


def test_next_on_the_last_section_is_removed_with_its_line(tmp_path):
    root = broken(tmp_path, 2, {sec(2): ("  // last section: no next\n", f'  window.nextSection = "{url(1)}";\n')})
    assert_fixed(root, "FM302")
    assert "nextSection" not in read(root, sec(2))
    assert read(root, sec(2)) == section_page(2, total=2).replace("  // last section: no next\n", "")


def test_previous_on_the_index_is_removed(tmp_path):
    root = broken(tmp_path, 1, {INDEX: ("<script>\n", f'<script>\n  window.previousSection = "{url(1)}";\n')})
    assert_fixed(root, "FM302")
    assert read(root, INDEX) == index_page(1)


@pytest.mark.parametrize("value, code", [
    (f'"{url(3)}"', "FM303"),
    (f'"{url(9)}"', "FM304"),
    ("\"{{ '/content/handbooks/hb/section1/' | relative_url }}\"", "FM305"),
    ('""', "FM305"),
    ("null", "FM305"),
    (f"'{url(3)}'", "FM303"),
])
def test_wrong_navigation_values_are_rewritten(tmp_path, value, code):
    root = broken(tmp_path, 3, {sec(2): (f'previousSection = "{url(1)}"', f"previousSection = {value}")})
    assert_fixed(root, code)
    quote = "'" if value.startswith("'") else '"'
    assert f"window.previousSection = {quote}{url(1)}{quote};" in read(root, sec(2))


def test_index_nav_after_sections_appear(tmp_path):
    # a new handbook's index: its script sets nothing yet; the first section's next goes in it
    files = handbook(1)
    files[INDEX] = files[INDEX].replace(f'  window.nextSection = "{url(1)}";\n', "")
    write_tree(tmp_path, files)
    assert_fixed(tmp_path, "FM301")
    text = read(tmp_path, INDEX)
    assert text.count("<script>") == 1
    assert f'no previous for index\n  window.nextSection = "{url(1)}";\n</script>' in text


# --- titles and subsection numbers ----------------------------------------------------------------

@pytest.mark.parametrize("written, expected", [
    ('title: "Section VII: Topic 2"', 'title: "Section II: Topic 2"'),
    ("title: 'Section IIII: Topic 2'  # keep me", "title: 'Section II: Topic 2'  # keep me"),
    ('title: "Section V: Topic 2" # "Section V" was the old number', 'title: "Section II: Topic 2" # "Section V" was the old number'),
    ("title: >-\n  Section V: Topic 2", "title: >-\n  Section II: Topic 2"),
])
def test_title_numeral_is_set_in_place(tmp_path, written, expected):
    root = broken(tmp_path, 2, {sec(2): ('title: "Section II: Topic 2"', written)})
    before = read(root, sec(2))
    fix(root)
    after = read(root, sec(2))
    if expected is None:
        assert after.split("---")[1] == before.split("---")[1]
    else:
        assert after.split("---")[1] == before.split("---")[1].replace(written, expected)
        assert not fixable(root)


def test_subsections_are_renumbered_and_links_follow(tmp_path):
    body = ("## 3.1 First\n\nText [down](#32-second-part) and [up](#top).\n\n### 3.1.3 Deep\n\n"
            "## 2.1. Second part\n\n### 2.1.1 Deeper\n\n## Summary\n\n## 2.7: Third\n")
    other = (f"## 1.1 Intro\n\nSee [the second part]({{{{ '{url(2)}#32-second-part' | relative_url }}}}) and "
             f"[deeper]({{{{ '{url(2)}' | relative_url }}}}#211-deeper), <a href=\"{url(2)}#27-third\">third</a>.\n")
    files = handbook(2)
    files[sec(2)] = section_page(2, total=2, body=body.replace("#32-second-part", "#21-second-part"))
    files[sec(1)] = section_page(1, total=2, body=other.replace("#32-second-part", "#21-second-part"))
    write_tree(tmp_path, files)
    before = findings(tmp_path)
    assert {c for _, _, c in before} >= {"FM206", "FM207", "FM209"}
    fix(tmp_path)
    page = read(tmp_path, sec(2))
    assert "## 2.1 First\n" in page and "### 2.1.1 Deep\n" in page
    assert "## 2.2 Second part\n" in page and "### 2.2.1 Deeper\n" in page and "## 2.3 Third\n" in page
    assert "[down](#22-second-part)" in page and "[up](#top)" in page
    first = read(tmp_path, sec(1))
    assert f"{url(2)}#22-second-part' | relative_url" in first
    assert "relative_url }}#221-deeper)" in first
    assert f'<a href="{url(2)}#23-third">' in first
    assert not findings(tmp_path)


def test_subsection_without_a_numbered_parent_is_left_alone(tmp_path):
    body = "### 2.1.1 Orphan\n\nText.\n\n## Summary\n\n### 2.1.2 Under summary\n"
    files = handbook(2)
    files[sec(2)] = section_page(2, total=2, body=body)
    write_tree(tmp_path, files)
    codes = [(d.code, d.fixable) for d in check_tree(tmp_path, config=config()) if d.code.startswith("FM2")]
    assert codes and all(not f for _, f in codes)
    fix(tmp_path)
    assert "### 2.1.1 Orphan" in read(tmp_path, sec(2))


# --- cards -------------------------------------------------------------------------------------------

def test_missing_card_is_inserted_in_order(tmp_path):
    files = handbook(3)
    files[INDEX] = index_page(3, cards="  \n".join(card(n) for n in (1, 3)))
    write_tree(tmp_path, files)
    assert_fixed(tmp_path, "FM701")
    assert read(tmp_path, INDEX) == index_page(3)


def test_cards_are_reordered_then_synced(tmp_path):
    files = handbook(4)
    cards = [card(3), card(1), card(4, goal="Stale goal."), card(2, name="Old name")]
    files[INDEX] = index_page(4, cards="  \n".join(cards))
    write_tree(tmp_path, files)
    fix(tmp_path)
    assert read(tmp_path, INDEX) == index_page(4)
    assert not findings(tmp_path)


@pytest.mark.parametrize("old, new, code", [
    ('<h3 id="s2">', '<h3 id="s9">', "FM707"),
    ('<h3 id="s2">', "<h3>", "FM707"),
    ("<!-- Section II -->", "<!-- Section V -->", "FM706"),
    (">Section II: Topic 2</a>", ">Section II: Something else</a>", "FM709"),
    ("Explain topic 2.</p>", "Explain something else.</p>", "FM710"),
    ("Explain topic 2.</p>", "Explain <em>something</em>\n      else.</p>", "FM710"),
    (f"{url(2)}' | relative_url }}}}\" class", f"{url(3)}' | relative_url }}}}\" class", "FM708"),
    (f"<a href=\"{{{{ '{url(2)}' | relative_url }}}}\">", f"<a href='{url(1)}'>", "FM708"),
])
def test_card_fields_are_synced_from_the_section(tmp_path, old, new, code):
    files = handbook(3)
    part = card(2)
    files[INDEX] = files[INDEX].replace(part, part.replace(old, new, 1))
    write_tree(tmp_path, files)
    assert_fixed(tmp_path, code)
    expected = index_page(3)
    if new.startswith("<a href='"):
        expected = expected.replace(f"<a href=\"{{{{ '{url(2)}' | relative_url }}}}\">",
                                    f"<a href='{{{{ \"{url(2)}\" | relative_url }}}}'>")
    assert read(tmp_path, INDEX) == expected


def test_card_title_with_markup_characters_is_escaped(tmp_path):
    files = handbook(2)
    files[sec(2)] = section_page(2, "Q&A <and> more", total=2)
    write_tree(tmp_path, files)
    assert_fixed(tmp_path, "FM709")
    assert ">Section II: Q&amp;A &lt;and&gt; more</a>" in read(tmp_path, INDEX)


def test_card_href_with_double_quotes_inside_double_quotes_is_replaced_whole(tmp_path):
    # Liquid is rendered before the HTML is read: href="{{ "/a/" | relative_url }}" is one value
    files = handbook(3)
    part = card(2)
    bad = part.replace(f"<a href=\"{{{{ '{url(2)}' | relative_url }}}}\">",
                       f"<a href=\"{{{{ \"{url(3)}\" | relative_url }}}}\" title=\"open\">", 1)
    files[INDEX] = files[INDEX].replace(part, bad)
    write_tree(tmp_path, files)
    assert (INDEX, 24, "FM708") in findings(tmp_path)
    assert_fixed(tmp_path, "FM708")
    assert f"<a href=\"{{{{ \"{url(2)}\" | relative_url }}}}\" title=\"open\">Section II" in read(tmp_path, INDEX)
    assert not findings(tmp_path)


def test_index_without_a_grid_gets_one(tmp_path):
    files = handbook(2)
    text = files[INDEX]
    files[INDEX] = text[:text.index('<div class="sections-grid">')] + text[text.index("</div>\n\n<script>") + 8:]
    write_tree(tmp_path, files)
    assert_fixed(tmp_path, "FM701")
    assert '<div class="sections-grid">' in read(tmp_path, INDEX)


# --- links and code --------------------------------------------------------------------------------

def test_markdown_file_link_becomes_the_page_url(tmp_path):
    root = broken(tmp_path, 2, {sec(1): ("Some text about topic 1.", "See [two](../section2/index.md#21-first-part).")})
    assert_fixed(root, "FM404")
    assert f"See [two]({{{{ '{url(2)}#21-first-part' | relative_url }}}})." in read(root, sec(1))


def test_missing_trailing_slash_is_added(tmp_path):
    root = broken(tmp_path, 2, {sec(1): ("Some text about topic 1.",
                                         f"See [two]({url(2)[:-1]}#21-first-part) and "
                                         f"[again]({{{{ '{url(2)[:-1]}' | relative_url }}}}).")})
    assert_fixed(root, "FM405")
    assert f"[two]({url(2)}#21-first-part)" in read(root, sec(1))
    assert f"[again]({{{{ '{url(2)}' | relative_url }}}})" in read(root, sec(1))


def test_plain_path_under_a_baseurl_is_wrapped(tmp_path):
    root = broken(tmp_path, 2, {sec(1): ("Some text about topic 1.", f"See [two]({url(2)}).")},
                  **{"_config.yml": "baseurl: /site\n"})
    assert_fixed(root, "FM408")
    assert f"See [two]({{{{ '{url(2)}' | relative_url }}}})." in read(root, sec(1))


def test_plain_path_beside_the_same_path_in_liquid_is_wrapped(tmp_path):
    liquid = f"[two]({{{{ '{url(2)}' | relative_url }}}})"
    root = broken(tmp_path, 2, {sec(1): ("Some text about topic 1.", f"See {liquid} and [two]({url(2)}).")},
                  **{"_config.yml": "baseurl: /site\n"})
    assert_fixed(root, "FM408")
    assert f"See {liquid} and {liquid}." in read(root, sec(1))


def test_liquid_in_a_fence_is_wrapped_in_raw(tmp_path):
    code = "- item\n\n  ```html\n  <p>{{ page.title }}</p>\n  ```\n"
    root = broken(tmp_path, 1, {sec(1): ("Some text about topic 1.\n", code)})
    assert_fixed(root, "FM607")
    assert "  {% raw %}\n  ```html\n  <p>{{ page.title }}</p>\n  ```\n  {% endraw %}\n" in read(root, sec(1))


# --- scope and safety --------------------------------------------------------------------------------

def test_suppressed_and_unselected_findings_are_not_fixed(tmp_path):
    root = broken(tmp_path, 3, {
        sec(2): ("<script>\n", "<!-- fmlint: disable FM303 -->\n<script>\n"),
        sec(3): ('title: "Section III: Topic 3"', 'title: "Section V: Topic 3"'),
    })
    text = read(root, sec(2)).replace(f'nextSection = "{url(3)}"', f'nextSection = "{url(1)}"')
    (root / sec(2)).write_text(text)
    fix(root, ignore=["FM205"])
    assert read(root, sec(2)) == text
    assert "Section V: Topic 3" in read(root, sec(3))


def test_crlf_and_bom_are_kept(tmp_path):
    root = broken(tmp_path, 2, {sec(2): ('title: "Section II: Topic 2"', 'title: "Section IX: Topic 2"')})
    raw = read(root, sec(2)).replace("\n", "\r\n").encode()
    (root / sec(2)).write_bytes(b"\xef\xbb\xbf" + raw)
    fix(root)
    data = (root / sec(2)).read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") and b"Section II: Topic 2\"\r\n" in data and b"\n" not in data.replace(b"\r\n", b"")


def test_files_outside_the_handbooks_are_never_changed(tmp_path):
    page = "---\nlayout: default\ntitle: About\n---\n\n[two](/content/handbooks/hb/section2)\n"
    root = broken(tmp_path, 2, {}, **{"about.md": page})
    with chdir(root):
        cfg = config()
        ws = Workspace.for_paths([Path(".")], cfg)
        fix_workspace(ws, [Path(".")], cfg)
        assert not ws.changed
    assert read(root, "about.md") == page


def test_clean_handbook_needs_no_fix(tmp_path):
    write_tree(tmp_path, handbook(3))
    with chdir(tmp_path):
        cfg = config()
        ws = Workspace.for_paths([Path("content")], cfg)
        report = fix_workspace(ws, [Path("content")], cfg)
    assert report.rounds == 0 and not ws.changed


def test_runaway_fixes_stop(tmp_path, monkeypatch):
    write_tree(tmp_path, handbook(1))

    def forever(site, config, writable, follow=None):
        page = next(p for p in site.pages if p.role == "section")
        return {page.source.path: [Edit(0, 0, "x")]}

    monkeypatch.setattr(fix_module, "compute_fixes", forever)
    with chdir(tmp_path), pytest.raises(RunawayError):
        cfg = config()
        fix_workspace(Workspace.for_paths([Path("content")], cfg), [Path("content")], cfg)
    assert read(tmp_path, sec(1)) == section_page(1, total=1)


def test_overlapping_edits_are_deferred():
    text = "abcdef"
    new, _, deferred = apply_edits(text, [Edit(1, 3, "X"), Edit(2, 4, "Y"), Edit(4, 4, "+"), Edit(4, 4, "-")])
    assert new == "aXd+-ef"
    assert deferred == [Edit(2, 4, "Y")]


def test_start_tag_reads_attributes_with_liquid():
    text = """<a class=x href="{{ '/a/' | relative_url }}" data-q='{"k": ">"}' hidden>t</a>"""
    tag = start_tag(text, 0)
    assert tag is not None and tag.end == text.index(">t") + 1
    href = tag.attrs["href"]
    assert text[href.value_start:href.value_end] == "{{ '/a/' | relative_url }}" and href.quote == '"'
    assert tag.attrs["class"].quote == "" and not tag.attrs["hidden"].has_value
    text = """<a href="{{ "/a/" | relative_url }}" title='{% if x %}"{% endif %}'>t</a>"""
    tag = start_tag(text, 0)
    assert tag is not None and tag.end == text.index(">t") + 1
    href = tag.attrs["href"]
    assert text[href.value_start:href.value_end] == '{{ "/a/" | relative_url }}'
    assert text[tag.attrs["title"].value_start:tag.attrs["title"].value_end] == '{% if x %}"{% endif %}'


# --- the command line ---------------------------------------------------------------------------------

@pytest.fixture
def site(tmp_path):
    root = broken(tmp_path, 2, {sec(2): ('title: "Section II: Topic 2"', 'title: "Section IV: Topic 2"')})
    (root / "_config.yml").write_text("markdown: kramdown\n")
    return root


def test_cli_diff_and_check_write_nothing(site):
    digest = tree_digest(site)
    r = run_fmlint("fix", "--diff", cwd=site)
    assert r.returncode == 0, r.stderr
    assert '-title: "Section IV: Topic 2"\n+title: "Section II: Topic 2"' in r.stdout
    r = run_fmlint("fix", "--check", cwd=site)
    assert r.returncode == 1 and "would fix content/handbooks/hb/section2/index.md: FM205" in r.stdout
    r = run_fmlint("fix", "--dry-run", "content", cwd=site)
    assert r.returncode == 0 and "nothing was written" in r.stdout
    assert tree_digest(site) == digest


def test_cli_fix_writes_and_reports(site):
    r = run_fmlint("fix", cwd=site)
    assert r.returncode == 0, r.stderr
    assert "fixed content/handbooks/hb/section2/index.md: FM205" in r.stdout
    r = run_fmlint("fix", "--check", cwd=site)
    assert r.returncode == 0 and "nothing to fix" in r.stdout


def test_cli_failed_write_is_one_line_exit_2_and_claims_no_fix(site, monkeypatch, capsys):
    from fmlint.authoring import io
    from fmlint.cli import main

    def refused(target: Path, data: bytes) -> str:
        raise PermissionError(13, "Permission denied", str(target.parent / ".x.fmlint-tmp"))

    monkeypatch.setattr(io, "_stage", refused)
    digest = tree_digest(site)
    with chdir(site), pytest.raises(SystemExit) as exc:
        main(["fix"])
    out, err = capsys.readouterr()
    assert exc.value.code == 2
    assert "fixed" not in out
    assert err.strip().splitlines() == [
        "Error: content/handbooks/hb/section2/index.md: cannot write: Permission denied; no file was changed"]
    assert tree_digest(site) == digest


def test_cli_check_fix_fixes_then_checks(site):
    r = run_fmlint("check", "--fix", "--no-exec", "--format", "json", cwd=site)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "fixed content/handbooks/hb/section2/index.md" in r.stderr
    assert '"diagnostics": []' in r.stdout


def test_redirect_fixes_from_the_online_cache_are_applied(tmp_path, monkeypatch):
    root = broken(tmp_path, 1, {sec(1): ("Some text about topic 1.", "See [x](http://example.org/old).")},
                  **{f"{HB}/references.bib": "@misc{k, title={K}, year={2020}, url={http://example.org/old}}\n"})

    def cached(site, config):
        out = {}
        for path in (root / sec(1), root / HB / "references.bib"):
            path = path.resolve()
            sources = [p.source for p in site.pages] + [b.source for b in site.bibliographies]
            text = next(src.text for src in sources if src.path == path)
            at = text.find("http://example.org/old")
            if at >= 0:
                out[path] = [Edit(at, at + len("http://example.org/old"), "https://example.org/new", "FM412", "moved")]
        return out

    monkeypatch.setattr(fix_module, "redirect_edits", cached)
    report = fix(root)
    assert "[x](https://example.org/new)" in read(root, sec(1))
    assert "url={https://example.org/new}" in read(root, f"{HB}/references.bib")
    assert report.summary((root / sec(1)).resolve()) == "FM412"


def test_liquid_in_an_indented_block_is_not_claimed_fixable(tmp_path):
    root = broken(tmp_path, 1, {sec(1): ("Some text about topic 1.\n", "Text.\n\n    <p>{{ page.title }}</p>\n")})
    found = [d for d in check_tree(root, config=config()) if d.code == "FM607"]
    assert found and not found[0].fixable


def test_reference_style_links_are_fixed_at_their_definition(tmp_path):
    root = broken(tmp_path, 2, {sec(1): ("Some text about topic 1.",
                                         "See [two][t] and [again][t].\n\n[t]: ../section2/index.md")})
    assert_fixed(root, "FM404")
    assert f"[t]: {{{{ '{url(2)}' | relative_url }}}}" in read(root, sec(1))


def test_two_html_links_on_one_line_follow_their_headings(tmp_path):
    files = handbook(2)
    files[sec(2)] = section_page(2, total=2, body="## 3.1 One\n\nText.\n\n## 3.2 Two\n\nText.\n")
    files[sec(1)] = section_page(1, total=2, body=(
        f'## 1.1 A\n\n<p><a href="{url(2)}#31-one">one</a> and <a href="{url(2)}#32-two">two</a></p>\n'))
    write_tree(tmp_path, files)
    fix(tmp_path)
    assert f'<a href="{url(2)}#21-one">one</a> and <a href="{url(2)}#22-two">two</a>' in read(tmp_path, sec(1))
    assert not findings(tmp_path)


def test_a_page_with_broken_front_matter_still_gets_its_navigation(tmp_path):
    root = broken(tmp_path, 2, {sec(2): ('description: "Explain topic 2."', "description: [unclosed")})
    text = read(root, sec(2)).replace(f'  window.previousSection = "{url(1)}";\n', "")
    (root / sec(2)).write_text(text)
    fix(root)
    assert f'window.previousSection = "{url(1)}";' in read(root, sec(2))
    assert "description: [unclosed" in read(root, sec(2))
    assert not fixable(root)


def test_folder_and_key_disagreeing_is_left_to_the_author(tmp_path):
    # section3's page moved to section5/ while it still says `section: 3`: whether the folder or the
    # key is right is the author's call, so neither cards nor navigation are fixable or fixed.
    files = handbook(3)
    files[sec(5)] = files.pop(sec(3))
    write_tree(tmp_path, files)
    codes = {c for _, _, c in findings(tmp_path)}
    assert {"FM203", "FM701", "FM304"} <= codes
    assert fixable(tmp_path) == []
    before = tree_digest(tmp_path)
    fix(tmp_path)
    assert tree_digest(tmp_path) == before
