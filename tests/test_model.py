"""The site model sees what Jekyll sees: Liquid first, then Markdown; code and comments are not content."""

from __future__ import annotations

from pathlib import Path

from fmlint.site.liquid import scan, substitute
from fmlint.site.page import build_page
from fmlint.site.source import SourceFile


def page(text: str):
    return build_page(SourceFile(Path("p.md"), "p.md", text=text), "/p/")


def test_liquid_link_is_a_link():
    p = page("---\ntitle: t\n---\n\nSee [the next part]({{ '/a/b/' | relative_url }}#frag) now.\n")
    (link,) = p.links
    assert (link.kind, link.target, link.line, link.liquid, link.text) == (
        "markdown", "/a/b/#frag", 5, True, "the next part")
    assert link.column == p.lines[4].index("{{") + 1


def test_same_path_written_plainly_and_with_liquid_on_one_line():
    # each link is read where it is written: the plain one is not taken for the Liquid one
    line = "[a]({{ '/a/' | relative_url }}) [a](/a/) [a]({{ \"/a/\" | relative_url }}) ![a](/a/)"
    p = page(line + "\n")
    assert [(lk.target, lk.liquid) for lk in p.links] == [("/a/", True), ("/a/", False), ("/a/", True), ("/a/", False)]
    assert [lk.column for lk in p.links] == [line.index("{{") + 1, line.index("](/a/)") + 3,
                                            line.index('{{ "') + 1, line.rindex("](/a/)") + 3]


def test_liquid_in_html_attribute_with_nested_quotes():
    p = page('<a href="{{ "/a/" | relative_url }}">x</a>\n')
    (link,) = p.links
    assert (link.kind, link.target, link.line, link.liquid) == ("html", "/a/", 1, True)


def test_liquid_contexts():
    text = (
        "Prose {% cite a %}.\n\n"
        "```python\nx = '{% cite b %}'\n```\n\n"
        "<!-- {% cite c %} -->\n\n"
        "Inline `{% cite d %}` code.\n\n"
        '<div data-x="{% cite e %}">text</div>\n\n'
        "{% raw %}{% cite f %}{% endraw %}\n"
    )
    p = page(text)
    ctx = {n.markup.split()[1]: n.context for n in p.liquid_nodes if n.name == "cite"}
    assert ctx == {"a": "content", "b": "code", "c": "comment", "d": "code", "e": "html"}


def test_code_block_keeps_liquid_text_and_drops_raw_tags():
    p = page("{% raw %}\n```liquid\n{{ page.title }}\n```\n{% endraw %}\n\n```python\nprint('{{ x }}')\n```\n")
    first, second = p.code_blocks
    assert first.code == "{{ page.title }}\n" and first.liquid == []
    assert second.code == "print('{{ x }}')\n" and len(second.liquid) == 1


def test_heading_ids_like_kramdown_gfm():
    p = page("## 5.1 Scaled dot-product attention\n\n## Using `np.einsum` *fast*\n\n"
             "## Notes\n\n## Notes\n\n## Custom {#mine}\n\n## Café & Crème\n")
    assert [h.id for h in p.headings] == [
        "51-scaled-dot-product-attention", "using-npeinsum-fast", "notes", "notes-1", "mine", "café--crème"]


def test_nav_block():
    p = page('<script>\n  // no previous\n  window.nextSection = "/x/section1/";\n'
             "  window.previousSection = '{{ x }}';\n</script>\n")
    (block,) = p.nav_blocks
    assert block.line == 1
    nxt, prev = block.assignments
    assert (nxt.name, nxt.value, nxt.line) == ("nextSection", "/x/section1/", 3)
    assert (prev.name, prev.value, prev.line) == ("previousSection", None, 4)


def test_nav_in_js_comment_is_not_an_assignment():
    p = page('<script>\n  // window.previousSection = "/a/";\n  window.nextSection = "/b/";\n</script>\n')
    assert [a.name for a in p.nav_blocks[0].assignments] == ["nextSection"]


def test_snippet_markers():
    p = page("<!-- fmlint: skip -->\n\n```python\nx\n```\n\n- item\n\n  <!-- fmlint: output -->\n  ```text\n  1\n  ```\n")
    assert [c.marker for c in p.code_blocks] == ["skip", "output"]


def test_indented_html_inside_open_div_is_html_not_code():
    text = '<div class="grid">\n  <div class="card">\n\n    <h3 id="s1">T</h3>\n  </div>\n</div>\n'
    p = page(text)
    assert p.code_blocks == [] and "s1" in p.id_set and p.unclosed_elements == []


def test_substitution_column_map():
    body = "a {{ '/x/' | relative_url }} b {% cite k %} c\n"
    sub = substitute(body, scan(body))
    new_c = sub.text.rindex(" c") + 2
    assert sub.orig_column(1, new_c) == body.rindex(" c") + 2
    assert sub.orig_column(1, sub.text.index("/x/") + 1) == body.index("{{") + 1


def test_indented_html_after_a_blank_line_keeps_the_file_columns():
    # markdown-it makes the indented lines a code block; kramdown keeps them as HTML of the open div
    p = page('<div class="grid">\n\n    <div class="card">\n      <h3 id="s1">x</h3>\n    </div>\n</div>\n')
    assert [(d.id, d.line, d.column) for d in p.ids] == [("s1", 4, 7)]
    assert [(e.tag, e.line, e.column) for e in p.elements] == [("div", 1, 1), ("div", 3, 5), ("h3", 4, 7)]
    assert [(e.tag, e.line, e.column) for e in p.end_tags] == [("h3", 4, 20), ("div", 5, 5), ("div", 6, 1)]


def test_markdown_inside_a_markdown_1_div_is_markdown():
    # kramdown parses the content of <div markdown="1"> as Markdown; markdown-it sees one HTML block
    text = ('<div class="key-concept" markdown="1">\n### 1.9 Inside\nSee [a](/a/) {% cite k %}.\n</div>\n\n'
            '<div class="plain">\n## Not a heading\n[b](/b/)\n</div>\n')
    p = page(text)
    assert [(h.line, h.column, h.id) for h in p.headings] == [(2, 5, "19-inside")]
    assert [(lk.target, lk.line, lk.column) for lk in p.links] == [("/a/", 3, 9)]
    assert [n.context for n in p.liquid_nodes] == ["content"]
    assert (p.unclosed_elements, p.stray_end_tags) == ([], [])


def test_highlight_block_is_code_not_markdown():
    text = ("## Top\n\n{% highlight python linenos %}\n# a comment\nx = '<div id=\"a\">'\n"
            "{% endhighlight %}\n\nAfter [x](/y/).\n")
    p = page(text)
    (block,) = p.code_blocks
    assert (block.lang, block.line, block.content_line, block.end_line) == ("python", 3, 4, 6)
    assert block.code == "# a comment\nx = '<div id=\"a\">'\n"
    assert [h.text for h in p.headings] == ["Top"] and p.unclosed_elements == [] and p.id_set == {"top"}
    assert [link.target for link in p.links] == ["/y/"]


def test_inline_highlight_tag_stays_liquid():
    p = page("Text {% highlight ruby %}x{% endhighlight %} inline.\n")
    assert p.code_blocks == []


def test_kramdown_comment_extension_is_not_content():
    p = page("Before.\n\n{::comment}\nA [link](/gone/) and {% cite k %} and <div>\n{:/comment}\n\nAfter [x](/y/).\n")
    assert [link.target for link in p.links] == ["/y/"]
    assert [n.context for n in p.liquid_nodes if n.name == "cite"] == ["comment"]
    assert p.unclosed_elements == []
