"""`fmlint fmt`: what it keeps byte for byte, what it changes, and that it never changes a rendering."""

from __future__ import annotations

import hashlib
import re
import shutil
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fmlint.authoring import fmt
from fmlint.authoring.fmt import FormatRefused, format_page
from fmlint.authoring.bibfmt import format_bibtex
from fmlint.site import liquid
from fmlint.site.page import markdown_parser
from tests.cli_helpers import run_fmlint
from tests.helpers import HB, card, handbook, index_page, section_page, write_tree

REPO = Path(__file__).resolve().parent.parent
LINK = "[Section VI]({{ '/content/handbooks/hb/section6/' | relative_url }})"
ANCHOR = '<a href="{{ "/content/handbooks/hb/section2/" | relative_url }}">the next section</a>'
NAV = ('<script>\n  window.previousSection = "/content/handbooks/hb/section1/";\n'
       '  window.nextSection = "/content/handbooks/hb/section3/";\n</script>\n\n'
       "<script src=\"{{ '/assets/js/section-academic.js' | relative_url }}\"></script>\n")
FRONT = '---\nlayout:   default   # kept as written\ntitle: "Section II: Topic"\nsection: 2\n---\n'


def html_of(text: str) -> str:
    """The rendered page as the site model sees it (Liquid substituted), whitespace-normalised."""
    body = text.split("\n---\n", 1)[1] if text.startswith("---\n") else text
    html = markdown_parser().render(liquid.substitute(body, liquid.scan(body)).text)
    return " ".join(html.split()).replace("<p> ", "<p>").replace(" </p>", "</p>")


def liquid_sources(text: str) -> list[str]:
    return [text[n.start : n.end] for n in liquid.scan(text).nodes]


def words(text: str) -> Counter[str]:
    # case-insensitive: mdformat writes reference labels in lower case ([text][Label] -> [text][label]);
    # a line break in a heading becomes `<br />`
    return Counter(re.findall(r"[a-z0-9]+", text.lower().replace("<br />", " ")))


def code_blocks(text: str) -> list[tuple[str, str]]:
    """Every fenced and indented code block: info string and code as the reader sees it."""
    body = text.split("\n---\n", 1)[1] if text.startswith("---\n") else text
    sub = liquid.substitute(body, liquid.scan(body))
    return [(t.info.strip(), sub.restore(t.content)) for t in markdown_parser().parse(sub.text)
            if t.type in ("fence", "code_block")]


# --- what mdformat would damage is kept byte for byte --------------------------------------------

def test_liquid_link_is_not_escaped():
    page = f"{FRONT}\nSee {LINK} and {{% cite vaswani2017attention %}}.\n"
    assert format_page(page) == page


def test_html_with_nested_liquid_quotes_is_kept():
    page = f"{FRONT}\nRead {ANCHOR} first.\n\n{ANCHOR}\n"
    assert format_page(page) == page


def test_card_grid_with_space_only_separator_lines_is_kept():
    page = index_page(3)
    assert "\n  \n  <!-- Section II -->" in page  # the separator line holds only spaces
    assert format_page(page) == page


def test_front_matter_is_copied_not_redumped():
    page = FRONT + "\n\n\n* a\n* b\n"
    out = format_page(page)
    assert out.startswith(FRONT + "\n- a\n")
    assert out == FRONT + "\n- a\n- b\n"


def test_navigation_script_and_html_blocks_are_kept():
    body = ('<div class="key-concept">\n  <strong>Key:</strong>   spaced   text\n</div>\n\n'
            "<!-- fmlint: skip -->\n\n```python\nx = 1\n```\n\n" + NAV)
    page = section_page(2, body=body)
    assert format_page(page) == page
    # mdformat separates blocks by one blank line (the skip marker still applies across it)
    assert format_page(page.replace("skip -->\n\n", "skip -->\n")) == page


def test_math_raw_and_ials_are_kept():
    body = (
        "## 2.1 Attention {#attn_1}\n\n"
        "Each $$x_i$$ is projected: $$q_i = x_i W_Q$$ and $$a * b$$ with \\*stars\\*.\n\n"
        "$$\n\\operatorname{softmax}\\!\\left(\\frac{QK^\\top}{\\sqrt{d_k}}\\right) V ,\\quad x_{t-1}\n$$\n\n"
        "Text with _emphasis_{: .note} and &nbsp; and &lt;tag&gt;.\n\n"
        "## 2.2 Listing\n{: #listing}\n\n"
        "{% raw %}\n```liquid\n{{ page.title }} {% if x %}\n```\n{% endraw %}\n\n"
        "Inline {% raw %}{{ not_rendered }}{% endraw %} text.\n"
    )
    page = section_page(2, body=body)
    out = format_page(page)
    assert out == page
    for construct in ("$$x_i$$", "$$a * b$$", "\\operatorname{softmax}\\!\\left(", "{#attn_1}", "{: .note}",
                      "## 2.2 Listing\n{: #listing}", "&nbsp;", "&lt;tag&gt;", "{% raw %}\n```liquid"):
        assert construct in out


def test_highlight_blocks_are_kept():
    page = "{% highlight python %}\ndef f(*args, **kw):\n    return a_b  # [x]\n\n\nx = 1\n{% endhighlight %}\n"
    assert format_page(page) == page


def test_hard_break_spaces_are_kept():
    # kramdown (Jekyll) breaks a line on two trailing spaces, not on mdformat's backslash.
    page = "One line  \n_two_  \nthree\n"
    assert format_page(page) == page


def test_link_destinations_are_not_percent_encoded():
    # kramdown writes a destination into the href as it is; mdformat would percent-encode it
    page = ("## 1.3 Café — Bellman!\n\nSee [the café](#13-café--bellman), ![grid](/assets/ü.png) and "
            "<https://example.org/ö>.\n\n* [a](<a b>)\n")
    assert format_page(page) == page.replace("* [a]", "- [a]")


def test_link_definitions_stay_where_they_are():
    page = "[the index][Idx] and [x][]\n\n[Idx]: {{ '/content/handbooks/hb/' | relative_url }}\n[x]: /y/\n\n" + NAV
    out = format_page(page)
    assert out.index("[Idx]: {{") < out.index("<script>")
    assert "[x]: /y/" in out


def test_kramdown_definitions_are_kept():
    page = "Text[^1] about HTML.\n\n[^1]: The *note* [x].\n\n*[HTML]: Hyper Text Markup Language\n"
    assert format_page(page) == page


def test_markdown_inside_an_open_html_element_is_kept():
    # kramdown keeps everything up to the closing tag as raw HTML: mdformat must not touch it.
    page = '<div class="key-concept">\n\n* raw   *text*\n\n    <p>indented</p>\n\n</div>\n\n* formatted\n'
    assert format_page(page) == page.replace("* formatted", "- formatted")


# --- what fmt changes ----------------------------------------------------------------------------

MESSY = f"""{FRONT}


Setext heading
==============
## 2.1 Part
* one
* two

1. first
1. second

Some *emphasis*   with   spaces and {LINK}.

***
```python   
print("kept   as is")
```
"""


def test_formats_markdown_and_keeps_rendering():
    out = format_page(MESSY)
    assert out == f"""{FRONT}
# Setext heading

## 2.1 Part

- one
- two

1. first
2. second

Some *emphasis* with spaces and {LINK}.

______________________________________________________________________

```python
print("kept   as is")
```
"""
    assert html_of(out) == html_of(MESSY)
    assert format_page(out) == out


@pytest.mark.parametrize("page", [
    "1) first\n2) second\n\n10. ten\n11. eleven\n",  # `1)` is a paragraph for kramdown
    "* one\n+ two\n* three\n",  # one tight list for kramdown; mdformat would split it with blank lines
    "1. Install:\n\n   ```bash\n   pip install x\n   ```\n2. Run it.\n3. Done.\n",  # kramdown: items 2, 3 without <p>
    "- a\n  - b\n\n    more\n  - c\n- d\n",  # the same, nested
])
def test_lists_that_kramdown_reads_otherwise_are_kept(page):
    # CommonMark renders mdformat's version the same, kramdown (Jekyll) does not
    text = f"Intro  with  spaces.\n\n{page}\n* * *\n"
    assert format_page(text) == "Intro with spaces.\n\n" + page + "\n" + "_" * 70 + "\n"


@pytest.mark.parametrize("glued", [
    "## Results\n| a | b |\n|---|---|\n| 1 | 2 |\n",  # kramdown: a table needs a blank line above it
    "Text\n$$\nx+1\n$$\n",  # kramdown: so does a $$ block (else inline math in the paragraph)
    "```text\nx\n```\nTitle\n=====\n",  # and a setext heading
    "Some text\nTitle\n=====\n",  # a paragraph and a line of = for kramdown
    "- item\n## Head\n",  # kramdown continues the list item
    "> quote\n```text\nx\n```\n",  # and the quote
    "Text\n<!-- note -->\nmore\n",  # a comment glued under a paragraph is in the paragraph
    "Text\n***\n",  # so is a *** line
    "<div>\nhi\n</div>\n- item\n\n  more\n",  # CommonMark: the item is HTML; kramdown: a list
])
def test_blocks_glued_together_that_kramdown_reads_otherwise_are_kept(glued):
    text = f"Intro  with  spaces.\n\n{glued}\n* * *\n"
    assert format_page(text) == "Intro with spaces.\n\n" + glued + "\n" + "_" * 70 + "\n"


def test_glued_blocks_kramdown_reads_alike_are_still_spaced():
    assert format_page("## Head\nText\n- item\n") == "## Head\n\nText\n\n- item\n"


def test_a_loose_list_spaced_throughout_is_still_formatted():
    page = "* one\n\n* two\n\n  more\n\n* three\n"
    assert format_page(page) == page.replace("* ", "- ")


def test_refuses_a_page_whose_rendering_would_change():
    # The table lines continue the list item's paragraph (lazily); indented into the item by
    # mdformat they would become a table.
    page = "1. item\n| a | b |\n|---|---|\n| 1 | 2 |\n"
    with pytest.raises(FormatRefused, match="render"):
        format_page(page)


def test_any_rendering_change_is_refused(monkeypatch):
    monkeypatch.setattr(fmt, "_html", lambda body, scan: body)  # any change counts as a rendering change
    with pytest.raises(FormatRefused, match="render"):
        format_page(MESSY)
    assert format_page(index_page(2)) == index_page(2)  # nothing to change: nothing refused


def test_refuses_liquid_syntax_errors_and_unclosed_front_matter():
    with pytest.raises(FormatRefused) as exc:
        format_page("---\ntitle: x\n---\n\ntext\n\nbad {{ output\n")
    assert exc.value.line == 7
    with pytest.raises(FormatRefused, match="front matter"):
        format_page("---\ntitle: x\n\ntext\n")


def test_clean_handbook_is_already_formatted():
    for path, text in handbook(3).items():
        if path.endswith(".md"):
            assert format_page(text) == text, path


def test_content_pages_format_safely(tmp_path):
    source = REPO / "content" / "handbooks"
    pages = sorted(source.rglob("*.md")) if source.is_dir() else []
    if not pages:
        pytest.skip("no content/ in this checkout")
    shutil.copytree(source, tmp_path / "handbooks")
    for page in sorted((tmp_path / "handbooks").rglob("*.md")):
        text = page.read_text(encoding="utf-8")
        out = format_page(text)
        assert format_page(out) == out, page
        assert html_of(out) == html_of(text), page
        assert liquid_sources(out) == liquid_sources(text), page
        assert code_blocks(out) == code_blocks(text), page


# --- property: idempotent, every word and code block survives -------------------------------------

WORD = st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=8)
INLINE = st.one_of(
    WORD, WORD.map(lambda w: f"*{w}*"), WORD.map(lambda w: f"_{w}_"), WORD.map(lambda w: f"**{w}**"),
    WORD.map(lambda w: f"`{w}  x`"), WORD.map(lambda w: f"$${w}_i * 2$$"),
    st.integers(1, 22).map(lambda n: f"[Section {n}]({{{{ '/content/handbooks/hb/section{n}/' | relative_url }}}})"),
    WORD.map(lambda w: f"{{% cite {w}2020 %}}"), WORD.map(lambda w: f'<a href="{{{{ "/{w}/" | relative_url }}}}">{w}</a>'),
    WORD.map(lambda w: f"{w}&nbsp;{w}"), WORD.map(lambda w: f"_{w}_{{: .cls}}"), st.just("a < b"), st.just("x [y] z"),
)
SENTENCE = st.lists(INLINE, min_size=1, max_size=8).map(" ".join)
PARAGRAPH = st.lists(SENTENCE, min_size=1, max_size=3).map(lambda lines: "\n".join(
    ("   " if i and i % 2 else "") + line + ("  " if i == 0 and len(lines) > 1 else "") for i, line in enumerate(lines)))
HEADING = st.tuples(st.integers(2, 3), st.integers(1, 9), SENTENCE).map(lambda t: f"{'#' * t[0]} 2.{t[1]} {t[2]}")
SETEXT = SENTENCE.map(lambda s: f"{s}\n{'=' * 5}")
BULLETS = st.tuples(st.sampled_from("*-+"), st.lists(SENTENCE, min_size=1, max_size=4)).map(
    lambda t: "\n".join(f"{t[0]} {item}" for item in t[1]))
NUMBERED = st.lists(SENTENCE, min_size=1, max_size=12).map(
    lambda items: "\n".join(f"{i}. {item}" for i, item in enumerate(items, 1)))
FENCE = st.tuples(st.sampled_from(["python", "text", "bash"]), st.lists(WORD, min_size=1, max_size=4)).map(
    lambda t: f"```{t[0]}\n" + "\n".join(f"{w}  =  {{{{ {w} }}}}  *{w}*" for w in t[1]) + "\n```")
HTML = SENTENCE.map(lambda s: f'<div class="key-concept">\n  <strong>Key:</strong>  {s}\n</div>')
CARDS = st.integers(1, 4).map(lambda n: '<div class="sections-grid">\n' + "  \n".join(card(i) for i in range(1, n + 1)) + "</div>")
MATH = WORD.map(lambda w: f"$$\n\\frac{{{w}_1}}{{2}} * \\sqrt{{x}}\\!\n$$")
RAW = WORD.map(lambda w: f"{{% raw %}}\n```liquid\n{{{{ {w} }}}}\n```\n{{% endraw %}}")
# (a table glued under a list item is a lazy paragraph line that mdformat would indent into a table:
# fmt refuses such a page, see test_refuses_a_page_whose_rendering_would_change)
TABLE = st.tuples(WORD, WORD).map(lambda t: f"\n| {t[0]} | {t[1]} |\n|---|---|\n| `a|b` | $$x$$ |")
QUOTE = st.lists(SENTENCE, min_size=1, max_size=3).map(lambda lines: "\n".join("> " + line for line in lines))
NESTED = st.tuples(SENTENCE, SENTENCE, FENCE).map(
    lambda t: f"1. {t[0]}\n\n   - {t[1]}\n\n   " + t[2].replace("\n", "\n   "))
WITH_IAL = st.tuples(st.one_of(HEADING, PARAGRAPH, FENCE, BULLETS), st.sampled_from(["{: .cls}", "{: #anchor}"])).map(
    lambda t: f"{t[0]}\n{t[1]}")
MULTILINE_LIQUID = st.tuples(SENTENCE, WORD).map(
    lambda t: f'{t[0]} {{% include note.html text="{t[1]}"\n   level=2 %}} after')
COMMENT = SENTENCE.map(lambda s: f"{{% comment %}}\n* {s}\n\n# draft\n{{% endcomment %}}")
REFERENCE = WORD.map(lambda w: f"See [{w}][{w.upper()} 1].\n\n[{w.upper()} 1]: {{{{ '/content/handbooks/hb/' | relative_url }}}}")
BLOCK = st.one_of(PARAGRAPH, PARAGRAPH, HEADING, SETEXT, BULLETS, NUMBERED, FENCE, HTML, CARDS, MATH, RAW, TABLE,
                  QUOTE, NESTED, WITH_IAL, MULTILINE_LIQUID, COMMENT, REFERENCE,
                  st.just("***"), st.just("<!-- fmlint: skip -->"))
GAP = st.sampled_from(["\n\n", "\n\n\n", "\n  \n", "\n"])


@st.composite
def pages(draw: st.DrawFn) -> str:
    blocks = draw(st.lists(BLOCK, min_size=1, max_size=8))
    body = blocks[0]
    for block in blocks[1:]:
        body += draw(GAP) + block
    return FRONT + draw(st.sampled_from(["", "\n", "\n\n"])) + body + "\n\n" + NAV


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pages())
def test_fmt_is_idempotent_and_keeps_every_word_and_code_block(page):
    out = format_page(page)
    assert format_page(out) == out
    assert out.startswith(FRONT)
    assert html_of(out) == html_of(page)
    assert liquid_sources(out) == liquid_sources(page)
    assert code_blocks(out) == code_blocks(page)
    # list numbers are the only words fmt may rewrite (it numbers 1, 2, 3)
    strip_numbers = re.compile(r"^\s*\d+[.)] ", re.MULTILINE)
    assert words(strip_numbers.sub("", out)) == words(strip_numbers.sub("", page))
    assert NAV in out


# --- bibliographies --------------------------------------------------------------------------------

def test_bib_files_are_formatted_by_bib_fmt():
    messy = "@ARTICLE{vaswani2017,\n  Title = \"Attention\",\nauthor={A. Vaswani},year=2017, journal={NeurIPS}}\n"
    out = fmt.format_text(Path("references.bib"), messy)
    assert out == format_bibtex(messy) != messy
    assert fmt.format_text(Path("references.bib"), out) == out
    with pytest.raises(FormatRefused):
        fmt.format_text(Path("references.bib"), "@article{x, title={unclosed}\n")


# --- the command ---------------------------------------------------------------------------------

def _checksums(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture
def site(tmp_path):
    files = handbook(2)
    files[f"{HB}/section2/index.md"] = section_page(2, total=2, body="Intro\n=====\n* a\n* b\n")
    write_tree(tmp_path, {**files, "_config.yml": "markdown: kramdown\n", "README.md": "* not a page\n"})
    return tmp_path


def test_check_lists_files_and_exits_1_then_0_after_fmt(site):
    before = _checksums(site)
    r = run_fmlint("fmt", "--check", cwd=site)
    assert r.returncode == 1, r.stderr
    assert r.stdout.splitlines()[0] == f"would reformat {HB}/section2/index.md"
    assert _checksums(site) == before
    r = run_fmlint("fmt", cwd=site)
    assert r.returncode == 0, r.stderr
    assert f"formatted {HB}/section2/index.md" in r.stdout
    assert "- a\n- b\n" in (site / HB / "section2/index.md").read_text()
    assert (site / "README.md").read_text() == "* not a page\n"  # outside the handbooks: never touched
    r = run_fmlint("fmt", "--check", "content", cwd=site)
    assert (r.returncode, r.stderr) == (0, ""), r.stdout


def test_diff_prints_a_unified_diff_and_writes_nothing(site):
    before = _checksums(site)
    r = run_fmlint("fmt", "--diff", f"{HB}/section2/index.md", cwd=site)
    assert r.returncode == 1
    assert r.stdout.startswith(f"--- a/{HB}/section2/index.md\n+++ b/{HB}/section2/index.md\n")
    assert "\n-* a\n" in r.stdout and "\n+- a\n" in r.stdout
    assert _checksums(site) == before
    run_fmlint("fmt", cwd=site)
    r = run_fmlint("fmt", "--diff", cwd=site)
    assert (r.returncode, r.stdout) == (0, "")


def test_crlf_and_bom_are_kept(site):
    page = site / HB / "section2/index.md"
    text = page.read_text()
    page.write_bytes(b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode())
    page.chmod(0o640)
    r = run_fmlint("fmt", str(page.relative_to(site)), cwd=site)
    assert r.returncode == 0, r.stderr
    raw = page.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf---\r\nlayout: default\r\n")
    assert raw.count(b"\n") == raw.count(b"\r\n")
    assert b"- a\r\n- b\r\n" in raw
    assert page.stat().st_mode & 0o777 == 0o640


def test_a_page_fmt_cannot_format_is_reported_and_left_alone(site):
    page = site / HB / "section2/index.md"
    page.write_text(page.read_text() + "\n* item {{ unclosed\n")
    before = page.read_bytes()
    r = run_fmlint("fmt", cwd=site)
    assert r.returncode == 1
    assert f"{HB}/section2/index.md:" in r.stderr and "Liquid syntax error" in r.stderr
    assert page.read_bytes() == before


def test_named_file_outside_a_handbook_is_left_alone(site):
    r = run_fmlint("fmt", "README.md", cwd=site)
    assert r.returncode == 0
    assert "README.md: not in a handbook folder" in r.stderr
    assert (site / "README.md").read_text() == "* not a page\n"
