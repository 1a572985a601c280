"""Heading ids as Jekyll's kramdown-parser-gfm generates them (generate_gfm_header_id on update_raw_text)."""

from __future__ import annotations

from pathlib import Path

import pytest

from fmlint.site.page import build_page
from fmlint.site.slug import SlugCounter, gfm_slug, heading_raw_text, split_explicit_id
from fmlint.site.source import SourceFile


def ids_of(markdown: str) -> list[str]:
    page = build_page(SourceFile(Path("p.md"), "p.md", text=markdown), "/p/")
    return [h.id for h in page.headings]


def slugs(*headings: str) -> list[str]:
    counter = SlugCounter()
    return [counter(heading_raw_text(h)) for h in headings]


def test_kramdown_parser_gfm_own_test_case():
    # kramdown-parser-gfm's test/testcases/header_ids.text and .html (the explicit {#myid} aside)
    assert slugs(
        "variable_name", "abc def öúß", "192 abc 192", ";.;;", "variable_name", "variable_name", ";;",
        "before \tafter tab", "with `code`", "with &nbsp;&auml;&nbsp;space", 'With "smart" quotes',
        "with --- << typographic >> ... symbols", "with $$m=5$$",
    ) == [
        "variable_name", "abc-def-öúß", "192-abc-192", "", "variable_name-1", "variable_name-2", "-1",
        "before--after-tab", "with-code", "with-äspace", "with-smart-quotes",
        "with--typographic--symbols", "with-m5",
    ]


@pytest.mark.parametrize(("heading", "expected"), [
    # numbers: dots go, digits stay
    ("5.1 Scaled dot-product attention", "51-scaled-dot-product-attention"),
    ("5.1.2 Masking", "512-masking"),
    ("Section V: Self-Attention and Transformers", "section-v-self-attention-and-transformers"),
    # punctuation: deleted, the spaces around it stay (two hyphens)
    ("Q & A", "q--a"),
    ("What's new?", "whats-new"),
    ("Pre-training (and fine-tuning)", "pre-training-and-fine-tuning"),
    ("Cost: O(n^2)", "cost-on2"),
    ("A -- B", "a--b"),  # `--` is an en dash for kramdown: deleted, not kept as two hyphens
    ("A --- B", "a--b"),
    ("a-b", "a-b"),
    ("x \\-\\- y", "x----y"),  # escaped hyphens are text, not a typographic dash
    # inline code: its text counts, the backticks do not
    ("Using `np.einsum`", "using-npeinsum"),
    ("The `__init__` method", "the-__init__-method"),
    # emphasis and links: only their text counts
    ("Using *fast* and **bold** and _under_", "using-fast-and-bold-and-under"),
    ("See [the docs](https://example.com/a_b)", "see-the-docs"),
    ("Logo ![alt text](logo.png) here", "logo--here"),
    ("Raw <span class=\"x\">HTML</span> text", "raw-html-text"),
    ("~~old~~ new", "old-new"),
    # underscores are word characters
    ("snake_case_name", "snake_case_name"),
    ("The _private field", "the-_private-field"),
    ("An _emphasised_ word", "an-emphasised-word"),  # ... unless they make emphasis
    # entities become characters
    ("Tom &amp; Jerry", "tom--jerry"),
    ("&eacute;t&eacute;", "été"),
    # non-ASCII: letters and marks stay (lower-cased), symbols and other numbers go
    ("Café & Crème", "café--crème"),
    ("Über Größe", "über-größe"),
    ("注意力机制", "注意力机制"),
    ("Внимание", "внимание"),
    ("ΟΔΟΣ", "οδοσ"),  # Ruby lower-cases each character on its own: no final sigma
    ("x² and ½", "x-and-"),  # ² and ½ are Other_Number, not \p{Word}
    ("Chapter Ⅻ", "chapter-ⅻ"),  # a letter number is Alphabetic
    ("Emoji 🚀 launch", "emoji--launch"),
    ("नमस्ते", "नमस्ते"),  # combining marks are word characters
    # a footnote marker is a footnote element, which adds no raw text; escaped or in code it is text
    ("Results[^1]", "results"),
    ("Note[^long-name] end", "note-end"),
    ("Esc \\[^1]", "esc-1"),
    ("Code `[^1]`", "code-1"),
])
def test_heading_id(heading, expected):
    assert slugs(heading) == [expected]


def test_repeats_count_per_base_id():
    assert slugs("Notes", "Notes", "Notes-1", "Notes") == ["notes", "notes-1", "notes-1", "notes-2"]


def test_gfm_slug_keeps_tabs_and_spaces_as_hyphens():
    assert gfm_slug("a\tb  c") == "a-b--c"


@pytest.mark.parametrize(("text", "expected"), [
    ("Title {#my-id}", ("Title", "my-id")),
    ("Title {#ns:part_2}", ("Title", "ns:part_2")),
    ("Title {#1abc}", ("Title {#1abc}", None)),  # an id must start with a letter
    ("Title{#x}", ("Title{#x}", None)),  # needs a space before
    ("Title {: #x}", ("Title {: #x}", None)),  # a span IAL after text is ignored by kramdown
])
def test_explicit_id(text, expected):
    assert split_explicit_id(text) == expected


def test_explicit_ids_on_the_page():
    md = ("## Intro {#start}\n\n"
          "## Setup\n{: #setup-id .wide}\n\n"
          "Setext\n------\n{: #setext-id}\n\n"
          "## Inline IAL {: #nope}\n\n"
          "## Intro\n\n"
          "## Intro\n")
    # explicit ids do not advance the counter of the generated ones
    assert ids_of(md) == ["start", "setup-id", "setext-id", "inline-ial--nope", "intro", "intro-1"]


def test_ial_on_a_paragraph_is_an_id_and_empty_heading_ids_are_not():
    md = "Some paragraph.\n{: #para-id}\n\n## ;.;\n\n```\n{: #in-code}\n```\n"
    page = build_page(SourceFile(Path("p.md"), "p.md", text=md), "/p/")
    assert page.id_set == {"para-id"}
    assert [h.id for h in page.headings] == [""]


def test_heading_with_liquid_link_uses_the_link_text():
    assert ids_of("## See [part 2]({{ '/a/b/' | relative_url }}) now\n") == ["see-part-2-now"]


def test_heading_with_unclosed_or_multiline_math_does_not_hang():
    from fmlint.site.slug import heading_raw_text

    assert heading_raw_text("$$\nx\n$$ a").endswith(" a")
    assert heading_raw_text("cost $$ a") == "cost $$ a"
