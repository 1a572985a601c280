"""`fmlint new section|handbook`, `move section`, `remove section`: structure changes that leave a clean site."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from pathlib import Path

import pytest

from fmlint.authoring import sections
from fmlint.authoring.sections import SectionError
from fmlint.authoring.workspace import Workspace
from fmlint.config import Config
from fmlint.site.numerals import to_roman
from tests.cli_helpers import run_fmlint
from tests.helpers import HB, chdir, check_tree, handbook, index_page, section_page, write_tree

REPO = Path(__file__).resolve().parents[1]
FM = "content/handbooks/foundation-models"
LINK = re.compile(r"\[([^\]]*)\]\(\{\{ '/content/handbooks/foundation-models/section(\d+)/(#[^']*)?' \| relative_url \}\}\)")


def sec(n: int, hb: str = HB) -> str:
    return f"{hb}/section{n}/index.md"


def url(n: int | None = None) -> str:
    return f"/content/handbooks/hb/section{n}/" if n else "/content/handbooks/hb/"


def config() -> Config:
    return Config.model_validate({"snippets": {"cache": False, "exec": False}})


def run(root: Path, command, *args, **kwargs) -> sections.Outcome:  # noqa: ANN001
    with chdir(root):
        cfg = config()
        ws = Workspace.for_paths([Path(".")], cfg)
        outcome = command(ws, cfg, None, *args, **kwargs)
        ws.commit()
    return outcome


def codes(root: Path) -> list[tuple[str, int, str]]:
    return sorted((d.path, d.line, d.code) for d in check_tree(root, config=config()))


def digest(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def read(root: Path, rel: str) -> str:
    return (root / rel).read_text(encoding="utf-8")


# --- a small handbook -----------------------------------------------------------------------------

@pytest.fixture
def small(tmp_path):
    files = handbook(4)
    files[sec(1)] = section_page(1, total=4, body=(
        f"## 1.1 First part\n\nSee [Section III]({{{{ '{url(3)}#31-first-part' | relative_url }}}}), "
        f"[relative](../section4/), [Section II]({url(2)}) and ![fig](../section3/fig.png).\n"))
    files[sec(3)] = section_page(3, total=4, body="## 3.1 First part\n\nSee [below](#32-more) and ![a plot](fig.png).\n\n"
                                                  "## 3.2 More\n\nText.\n")
    files[f"{HB}/section3/fig.png"] = b"\x89PNG\r\n\x1a\n\x00binary"
    files["_config.yml"] = "markdown: kramdown\n"
    write_tree(tmp_path, files)
    assert not codes(tmp_path)
    return tmp_path


def test_new_section_at_the_end(small):
    outcome = run(small, sections.new_section, "hb", "Outlook", "Say what comes next.")
    assert not codes(small)
    page = read(small, sec(5))
    assert 'title: "Section V: Outlook"\ndescription: "Say what comes next."\nsection: 5\n' in page
    assert "## 5.1 Overview" in page and "{% bibliography --cited %}" in page and "nextSection" not in page
    assert f'window.previousSection = "{url(4)}";' in page
    assert f'window.nextSection = "{url(5)}";' in read(small, sec(4))
    assert '<h3 id="s5">' in read(small, f"{HB}/index.md")
    assert any(note.startswith("created") for note in outcome.notes)


def test_new_section_in_the_middle_moves_later_sections_and_links(small):
    run(small, sections.new_section, "hb", "Section II: Interlude", "Pause between topics.", 2)
    assert not codes(small)
    assert 'title: "Section II: Interlude"' in read(small, sec(2))
    for old in (2, 3, 4):
        page = read(small, sec(old + 1))
        assert f"section: {old + 1}\n" in page and f"Section {to_roman(old + 1)}: Topic {old}" in page
    first = read(small, sec(1))
    assert f"[Section IV]({{{{ '{url(4)}#41-first-part' | relative_url }}}})" in first
    assert "[relative](../section5/)" in first and f"[Section III]({url(3)})" in first
    assert "![fig](../section4/fig.png)" in first
    moved = read(small, sec(4))
    assert "## 4.1 First part" in moved and "[below](#42-more)" in moved and "![a plot](fig.png)" in moved
    assert (small / HB / "section4/fig.png").read_bytes() == b"\x89PNG\r\n\x1a\n\x00binary"
    assert not (small / HB / "section5/fig.png").exists()


def test_move_section_forward_and_back(small):
    run(small, sections.move_section, "hb", 1, 3)
    assert not codes(small)
    assert "Topic 1" in read(small, sec(3)) and "Topic 2" in read(small, sec(1))
    assert "[relative](../section4/)" in read(small, sec(3))  # section4 did not move
    run(small, sections.move_section, "hb", 3, 1)
    assert not codes(small)
    assert "Topic 1" in read(small, sec(1)) and "Section III" in read(small, sec(3))


def test_remove_refuses_while_linked_and_names_the_pages(small):
    before = digest(small)
    with pytest.raises(SectionError, match=r"section1/index\.md:\d+"):
        run(small, sections.remove_section, "hb", 3)
    assert digest(small) == before


def test_remove_with_force_unlinks_and_shifts(small):
    outcome = run(small, sections.remove_section, "hb", 3, force=True)
    first = read(small, sec(1))
    assert "See Section III, [relative](../section3/)" in first  # section4 is now section3
    assert not (small / HB / "section4").exists()
    assert "Topic 4" in read(small, sec(3))
    assert any("unlinked" in n for n in outcome.notes)
    remaining = codes(small)
    assert all(code == "FM402" for _, _, code in remaining), remaining  # the image of the removed section


def test_remove_drops_references_only_the_section_cited(tmp_path):
    files = handbook(2, bib="@misc{a, title={A}, year={2020}, howpublished={x}}\n\n"
                            "@misc{b, title={B}, year={2020}, howpublished={x}}\n")
    files[sec(1)] = section_page(1, total=2, body="## 1.1 A\n\n{% cite a %}\n\n{% bibliography --cited %}\n")
    files[sec(2)] = section_page(2, total=2, body="## 2.1 B\n\n{% cite b %}\n\n{% bibliography --cited %}\n")
    write_tree(tmp_path, {**files, "_config.yml": "markdown: kramdown\n"})
    assert not codes(tmp_path)
    run(tmp_path, sections.remove_section, "hb", 1)
    assert not codes(tmp_path)
    assert read(tmp_path, f"{HB}/references.bib") == "@misc{b, title={B}, year={2020}, howpublished={x}}\n"


def test_new_handbook_then_its_first_section(tmp_path):
    write_tree(tmp_path, {**handbook(1), "_config.yml": "markdown: kramdown\n"})
    run(tmp_path, sections.new_handbook, "deep-rl", "Deep RL Handbook", "Learn deep reinforcement learning.")
    index = read(tmp_path, "content/handbooks/deep-rl/index.md")
    assert 'title: "Deep RL Handbook"' in index and '<div class="sections-grid">\n</div>' in index
    assert "previousSection" not in index
    assert read(tmp_path, "content/handbooks/deep-rl/references.bib") == ""
    assert not codes(tmp_path)
    run(tmp_path, sections.new_section, "deep-rl", "Basics", "Introduce the basics.")
    assert not codes(tmp_path)
    index = read(tmp_path, "content/handbooks/deep-rl/index.md")
    assert index.count("<script>") == 1 and 'window.nextSection = "/content/handbooks/deep-rl/section1/";' in index


@pytest.mark.parametrize("command, args, message", [
    (sections.new_section, ("hb", "X", "Y.", 9), "--at 9"),
    (sections.new_section, ("nope", "X", "Y."), "no handbook 'nope'"),
    (sections.new_section, ("hb", "Section V:", "Y."), "title is empty"),
    (sections.move_section, ("hb", 1, 7), "--to 7"),
    (sections.remove_section, ("hb", 5), "section 5"),
    (sections.new_handbook, ("hb", "Again"), "already exists"),
    (sections.new_handbook, ("Bad Slug", "X"), "not a handbook slug"),
])
def test_bad_requests_change_nothing(small, command, args, message):
    before = digest(small)
    with pytest.raises(SectionError, match=re.escape(message)):
        run(small, command, *args)
    assert digest(small) == before


def test_a_gap_in_the_sections_is_refused(small):
    shutil.rmtree(small / HB / "section2")
    with pytest.raises(SectionError, match="not 1..3"):
        run(small, sections.new_section, "hb", "X", "Y.")


@pytest.mark.parametrize("damage, message", [
    (lambda text: text.encode() + "café".encode("latin-1"), r"section3/index\.md:\d+: file is not valid UTF-8"),
    (lambda text: text.replace('description: "', "description: Explain: [", 1).encode(),
     r"section3/index\.md:4: front matter is not valid YAML"),
])
def test_an_unreadable_page_is_refused_by_name(small, damage, message):
    path = small / sec(3)
    path.write_bytes(damage(read(small, sec(3))))
    before = digest(small)
    for command, args in ((sections.move_section, ("hb", 3, 1)), (sections.remove_section, ("hb", 4)),
                          (sections.new_section, ("hb", "X", "Y.", 2))):
        with pytest.raises(SectionError, match=message + r".*: fix it first"):
            run(small, command, *args)
    assert digest(small) == before


def test_links_from_outside_the_handbooks_are_reported_not_changed(small):
    about = "---\nlayout: default\ntitle: About\n---\n\n[three](/content/handbooks/hb/section3/)\n"
    (small / "about.md").write_text(about)
    outcome = run(small, sections.new_section, "hb", "X", "Y.", 1)
    assert read(small, "about.md") == about
    assert any("about.md:6" in w and "update it by hand" in w for w in outcome.warnings)


# --- the 22-section Foundation Models Handbook ----------------------------------------------------------

@pytest.fixture
def fm(tmp_path):
    shutil.copytree(REPO / FM, tmp_path / FM)
    shutil.copytree(REPO / "assets", tmp_path / "assets")
    shutil.copy(REPO / "_config.yml", tmp_path / "_config.yml")
    return tmp_path


def links_by_page(root: Path) -> dict[str, list[tuple[str, int, str]]]:
    """Each section page (by its description, which moves with it): its links to sections, in order."""
    out = {}
    for page in sorted((root / FM).glob("section*/index.md")):
        text = page.read_text(encoding="utf-8")
        key = re.search(r"^description: (.*)$", text, re.M).group(1)
        out[key] = [(m.group(1), int(m.group(2)), m.group(3) or "") for m in LINK.finditer(text)]
    return out


def test_new_section_at_3_in_the_foundation_models_handbook(fm):
    before_codes = {(p, c) for p, _, c in codes(fm)}
    before = links_by_page(fm)
    assert sum(1 for links in before.values() for _, n, _ in links if n >= 3) > 50
    run(fm, sections.new_section, "foundation-models", "Tokenization", "Explain how text becomes tokens.", 3)
    assert len(list((fm / FM).glob("section*/index.md"))) == 23
    assert {(p, c) for p, _, c in codes(fm)} <= before_codes
    after = links_by_page(fm)
    for key, links in before.items():
        moved = [(f"Section {to_roman(n + 1)}" if text == f"Section {to_roman(n)}" else text,
                  n + 1 if n >= 3 else n,
                  f"#{n + 1}{frag[1 + len(str(n)):]}" if n >= 3 and frag.startswith(f"#{n}") else frag)
                 for text, n, frag in links]
        assert after[key] == moved, key
    assert "Section III: Tokenization" in read(fm, f"{FM}/index.md")


def test_move_section_in_the_foundation_models_handbook(fm):
    before_codes = {(p, c) for p, _, c in codes(fm)}
    before = links_by_page(fm)
    run(fm, sections.move_section, "foundation-models", 5, 2)
    assert {(p, c) for p, _, c in codes(fm)} <= before_codes
    new_of = {5: 2, 2: 3, 3: 4, 4: 5}
    after = links_by_page(fm)
    for key, links in before.items():
        assert [n for _, n, _ in after[key]] == [new_of.get(n, n) for _, n, _ in links], key


def test_remove_section_in_the_foundation_models_handbook(fm):
    before_codes = {(p, c) for p, _, c in codes(fm)}
    before = links_by_page(fm)
    linked = {n for links in before.values() for _, n, _ in links}
    target = next(n for n in range(21, 1, -1) if n not in linked)
    run(fm, sections.remove_section, "foundation-models", target)
    assert len(list((fm / FM).glob("section*/index.md"))) == 21
    assert {(p, c) for p, _, c in codes(fm)} <= before_codes
    after = links_by_page(fm)
    for key, links in before.items():
        if key in after:
            assert [n for _, n, _ in after[key]] == [n - 1 if n > target else n for _, n, _ in links], key


@pytest.mark.parametrize("args", [
    ("new", "section", "foundation-models", "--title", "Tokenization", "--goal", "Explain tokens.", "--at", "3"),
    ("move", "section", "foundation-models", "5", "--to", "2"),
    ("remove", "section", "foundation-models", "5", "--force"),
    ("new", "handbook", "nlp", "--title", "NLP Handbook"),
])
def test_dry_run_writes_nothing(fm, args):
    before = digest(fm)
    r = run_fmlint(*args, "--dry-run", cwd=fm)
    assert r.returncode == 0, r.stderr
    assert "dry run" in r.stdout and ("moved" in r.stdout or "created" in r.stdout)
    assert digest(fm) == before


def test_diff_writes_nothing(fm):
    before = digest(fm)
    r = run_fmlint("move", "section", "foundation-models", "2", "--to", "3", "--diff", cwd=fm)
    assert r.returncode == 0, r.stderr
    assert f"+++ b/{FM}/section3/index.md" in r.stdout and '+title: "Section III: NLP and Computer Vision"' in r.stdout
    assert digest(fm) == before


def test_cli_new_section_writes_and_reports(fm):
    before = run_fmlint("check", "--no-exec", "--format", "json", "content", cwd=fm)
    r = run_fmlint("new", "section", "foundation-models", "--title", "Tokenization", "--goal",
                   "Explain tokens.", "--at", "3", cwd=fm)
    assert r.returncode == 0, r.stderr
    assert f"created {FM}/section3/index.md (Section III: Tokenization)" in r.stdout
    assert f"moved {FM}/section22/ -> {FM}/section23/ (section 22 -> 23)" in r.stdout
    assert "1 file(s) created" in r.stdout
    assert "would report more findings" not in r.stderr
    after = run_fmlint("check", "--no-exec", "--format", "json", "content", cwd=fm)
    found = [{k: d[k] for k in ("code", "message")} for d in json.loads(after.stdout)["diagnostics"]]
    assert found == [{k: d[k] for k in ("code", "message")} for d in json.loads(before.stdout)["diagnostics"]]
    r = run_fmlint("remove", "section", "foundation-models", "4", cwd=fm)
    assert r.returncode == 2 and "is linked from other pages" in r.stderr and "nothing was changed" in r.stderr


def test_index_and_clean_handbook_from_helpers_stay_clean(tmp_path):
    write_tree(tmp_path, {**handbook(1), "_config.yml": "markdown: kramdown\n"})
    run(tmp_path, sections.new_section, "hb", "Second", "Do the second thing.", 1)
    assert not codes(tmp_path)
    assert read(tmp_path, f"{HB}/index.md") != index_page(2)  # the new card is section 1's
    assert "Section I: Second" in read(tmp_path, f"{HB}/index.md")


def test_links_from_another_handbook_follow_and_crlf_moves_with_the_page(small):
    other = handbook(1, hb="other")
    other["content/handbooks/other/section1/index.md"] = section_page(
        1, hb="other", total=1,
        body=f"## 1.1 Intro\n\nSee [Section III]({{{{ '{url(3)}#32-more' | relative_url }}}}).\n")
    write_tree(small, {k: v for k, v in other.items() if k.startswith("content/")})
    crlf = read(small, sec(3)).replace("\n", "\r\n").encode()
    (small / sec(3)).write_bytes(crlf)
    assert not codes(small)
    run(small, sections.new_section, "hb", "First", "Come first.", 1)
    assert not codes(small)
    assert f"[Section IV]({{{{ '{url(4)}#42-more' | relative_url }}}})" in read(
        small, "content/handbooks/other/section1/index.md")
    moved = (small / sec(4)).read_bytes()
    assert b"\r\n## 4.2 More\r\n" in moved and b"\n" not in moved.replace(b"\r\n", b"")


def test_site_baseurl_links_follow_moves_and_are_unlinked_on_remove(small):
    # `{{ site.baseurl }}/x/` is a link to /x/ like `{{ '/x/' | relative_url }}`; a comment with
    # another `](` nearby must not hide it
    page = section_page(2, total=4, body=(
        f"## 2.1 First part\n\nSee [more]({{{{ site.baseurl }}}}{url(3)}#32-more).\n\n"
        "<!-- an old [link](/nowhere/) -->\n"))
    (small / sec(2)).write_text(page, encoding="utf-8")
    assert not codes(small)
    run(small, sections.move_section, "hb", 3, 1)
    assert not codes(small)
    assert f"[more]({{{{ site.baseurl }}}}{url(1)}#12-more)" in read(small, sec(3))  # section 2 -> 3
    run(small, sections.remove_section, "hb", 1, force=True)
    assert "See more.\n" in read(small, sec(2))
    assert all(code == "FM402" for _, _, code in codes(small))  # the removed section's image


def test_cli_failed_write_is_one_line_and_claims_nothing(small, monkeypatch, capsys):
    from fmlint.authoring import io
    from fmlint.cli import main

    def refused(target: Path, data: bytes) -> str:
        raise PermissionError(13, "Permission denied", str(target.parent / ".x.fmlint-tmp"))

    monkeypatch.setattr(io, "_stage", refused)
    before = digest(small)
    with chdir(small), pytest.raises(SystemExit) as exc:
        main(["new", "section", "hb", "--title", "First", "--goal", "Come first.", "--at", "1"])
    out, err = capsys.readouterr()
    assert exc.value.code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1 and "cannot write: Permission denied; no file was changed" in err
    assert digest(small) == before
