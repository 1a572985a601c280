"""FM4xx: links and assets, on small trees of files."""

from __future__ import annotations

from pathlib import Path

from fmlint import api
from fmlint.config import Config
from fmlint.site.targets import external_urls
from tests.helpers import HB, chdir, check_tree, codes_at, handbook, index_page, only, section_page, write_tree

S1, S2, S3 = (f"{HB}/section{n}/index.md" for n in (1, 2, 3))
URL = "/content/handbooks/hb"


def line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.split("\n"), 1) if needle in line)


def fm4(tmp_path: Path, files: dict[str, str], **kw: object) -> set[tuple[str, int, str]]:
    return codes_at(only(check_tree(tmp_path, files, **kw), "FM4"))


def with_body(n: int, body: str, total: int = 3, **kw: object) -> str:
    return section_page(n, total=total, body=body, **kw)


SECTION2_BODY = (
    "## 2.1 Scaled dot-product attention\n\nText.\n\n"
    "## 2.2 Masking {#masks}\n\nText.\n\n"
    '<div id="key-idea">Idea</div>\n'
)


def tree(section1_body: str, **extra: str) -> dict[str, str]:
    files = handbook(3)
    files[S1] = with_body(1, section1_body)
    files[S2] = with_body(2, SECTION2_BODY)
    files.update(extra)
    return files


# --- the clean shapes ---------------------------------------------------------------------------------

def test_clean_handbook_has_no_link_findings(tmp_path):
    assert fm4(tmp_path, handbook(3)) == set()


def test_one_section_and_22_section_handbooks_are_clean(tmp_path):
    files = {**handbook(1, hb="one"), **handbook(22, hb="big")}
    assert fm4(tmp_path, files) == set()


def test_handbooks_linking_to_each_other(tmp_path):
    files = {**handbook(2, hb="a"), **handbook(2, hb="b")}
    files["content/handbooks/a/section1/index.md"] = with_body(
        1, "See [b's attention](/content/handbooks/b/section2/#21-attention) and "
           "[b]({{ '/content/handbooks/b/' | relative_url }}).\n", total=2, hb="a")
    files["content/handbooks/b/section2/index.md"] = with_body(
        2, "## 2.1 Attention\n\nBack to [a]({{ '/content/handbooks/a/section2/' | relative_url }}#21-first-part).\n",
        total=2, hb="b")
    assert fm4(tmp_path, files) == set()


# --- FM401 broken links ----------------------------------------------------------------------------

def test_broken_page_links_in_markdown_html_and_relative_form(tmp_path):
    body = ("See [gone]({{ '/content/handbooks/hb/section9/' | relative_url }}).\n\n"
            '<p><a href="/content/handbooks/hb/sectoin2/">typo</a></p>\n\n'
            "Next: [two](../section2/) and [wrong](section2/).\n")
    files = tree(body)
    found = fm4(tmp_path, files)
    assert found == {(S1, line_of(files[S1], "section9"), "FM401"),
                     (S1, line_of(files[S1], "sectoin2"), "FM401"),
                     (S1, line_of(files[S1], "[wrong]"), "FM401")}


def test_undeclared_outside_page_is_an_error_and_declared_one_is_not(tmp_path):
    body = "Also read [NLP]({{ '/content/handbooks/nlp/' | relative_url }}).\n"
    files = tree(body)
    assert fm4(tmp_path, files) == {(S1, line_of(files[S1], "NLP"), "FM401")}
    assert fm4(tmp_path / "x", files, **{"external-pages": ["/content/handbooks/nlp/"]}) == set()
    assert fm4(tmp_path / "y", files, **{"external-pages": ["/content/handbooks/nlp/*"]}) == set()


def test_permalink_page_is_known_only_by_its_permalink(tmp_path):
    files = tree("[by folder]({{ '/content/handbooks/hb/section2/' | relative_url }})\n\n"
                 "[by permalink]({{ '/hb/two/' | relative_url }}#masks)\n")
    files[S2] = with_body(2, SECTION2_BODY, extra_front_matter="permalink: /hb/two/\n")
    diags = only(check_tree(tmp_path, files), "FM4")
    assert codes_at(diags) == {(S1, line_of(files[S1], "by folder"), "FM401")}
    assert "/hb/two/" in diags[0].message


def test_links_in_code_and_comments_are_not_links(tmp_path):
    body = "```markdown\n[x](/nowhere/)\n```\n\n<!-- [y](/nowhere/) -->\n\nInline `[z](/nowhere/)`.\n"
    assert fm4(tmp_path, tree(body)) == set()


def test_link_tag_and_site_baseurl_forms(tmp_path):
    body = ("[a]({% link content/handbooks/hb/section2/index.md %}#masks)\n\n"
            '<a href="{{ site.baseurl }}/content/handbooks/hb/section2/">b</a>\n\n'
            "[c]({{ '/content/handbooks/hb/section2/' | prepend: site.baseurl }})\n\n"
            "[d]({% link content/handbooks/hb/section7/index.md %})\n\n"
            "[e]({{ page.some_url }})\n\n"
            "[f]({% link assets/css/section-academic.css %})\n\n"
            "[g]({{ site.baseurl }}{% link content/handbooks/hb/section2/index.md %}#masks)\n")
    files = tree(body)
    assert fm4(tmp_path, files) == {(S1, line_of(files[S1], "[d]"), "FM401")}


def test_card_links_are_left_to_the_card_rules(tmp_path):
    files = handbook(2)
    files[f"{HB}/index.md"] = index_page(3)  # a card for section 3, which does not exist
    files[S2] = section_page(2, total=2)
    assert fm4(tmp_path, files) == set()


# --- FM402 assets --------------------------------------------------------------------------------

def test_missing_and_unpublished_assets(tmp_path):
    body = ('<img src="{{ \'/assets/img/plot.png\' | relative_url }}" alt="a plot">\n\n'
            '<img src="{{ \'/assets/img/none.png\' | relative_url }}" alt="nothing">\n\n'
            "[data](/_data/table.csv)\n\n"
            "[notes](/notes/todo.txt)\n")
    files = tree(body, **{"assets/img/plot.png": "png", "_data/table.csv": "a,b\n", "notes/todo.txt": "x"})
    files["_config.yml"] = "markdown: kramdown\nexclude:\n  - notes\n"
    found = fm4(tmp_path, files)
    assert found == {(S1, line_of(files[S1], "none.png"), "FM402"),
                     (S1, line_of(files[S1], "[data]"), "FM402"),
                     (S1, line_of(files[S1], "[notes]"), "FM402")}


def test_assets_provided_elsewhere_can_be_declared(tmp_path):
    files = handbook(2)
    del files["assets/css/section-academic.css"]
    assert {c for _, _, c in fm4(tmp_path, files)} == {"FM402"}
    assert fm4(tmp_path / "x", files, **{"external-pages": ["/assets/*"]}) == set()


# --- FM403 fragments ------------------------------------------------------------------------------

def test_fragments_inside_and_after_the_liquid_string(tmp_path):
    body = ("[ok1]({{ '/content/handbooks/hb/section2/#21-scaled-dot-product-attention' | relative_url }})\n\n"
            "[ok2]({{ '/content/handbooks/hb/section2/' | relative_url }}#masks)\n\n"
            '<a href="{{ \'/content/handbooks/hb/section2/\' | relative_url }}#key-idea">ok3</a>\n\n'
            "[bad1]({{ '/content/handbooks/hb/section2/#2-1-scaled' | relative_url }})\n\n"
            "[bad2]({{ '/content/handbooks/hb/section2/' | relative_url }}#22-masking)\n\n"
            '<a href="{{ \'/content/handbooks/hb/section2/\' | relative_url }}#keyidea">bad3</a>\n')
    files = tree(body)
    found = fm4(tmp_path, files)
    assert found == {(S1, line_of(files[S1], "bad1"), "FM403"), (S1, line_of(files[S1], "bad2"), "FM403"),
                     (S1, line_of(files[S1], "bad3"), "FM403")}


def test_fragment_only_links_check_the_same_page(tmp_path):
    body = ("## 1.1 First part\n\nSee [below](#11-first-part), [top](#top), [nowhere](#missing) and "
            '<a href="#para">the paragraph</a>.\n\nA paragraph.\n{: #para}\n\n'
            '<a name="old-anchor"></a>\n\n[old](#old-anchor)\n')
    files = tree(body)
    assert fm4(tmp_path, files) == {(S1, line_of(files[S1], "[nowhere]"), "FM403")}


def test_fragment_message_suggests_the_close_id(tmp_path):
    files = tree("[x]({{ '/content/handbooks/hb/section2/' | relative_url }}#21-scaled-dot-product-atention)\n")
    (diag,) = only(check_tree(tmp_path, files), "FM4")
    assert "#21-scaled-dot-product-attention" in diag.message


def test_ids_from_liquid_or_includes_are_not_guessed(tmp_path):
    files = tree("[x]({{ '/content/handbooks/hb/section2/' | relative_url }}#generated)\n")
    files[S2] = with_body(2, SECTION2_BODY + "\n{% include toc.html %}\n")
    assert fm4(tmp_path, files) == set()


def test_an_include_that_makes_no_ids_leaves_the_page_ids_known(tmp_path):
    link = "[x]({{ '/content/handbooks/hb/section2/' | relative_url }}#nope)\n"
    files = tree(link, **{"_includes/note.html": "<div class='note'>{{ include.text }}</div>\n",
                          "_includes/anchors.html": '<span id="{{ include.id }}"></span>\n',
                          f"{HB}/section2/extra.md": "## Nope\n"})
    files[S2] = with_body(2, SECTION2_BODY + '\n{% include note.html text="hi" %}\n')
    assert fm4(tmp_path, files) == {(S1, line_of(files[S1], "#nope"), "FM403")}
    # an include that can make ids (an id attribute, a heading), read from _includes or beside the page
    files[S2] = with_body(2, SECTION2_BODY + '\n{% include anchors.html id="x" %}\n')
    assert fm4(tmp_path / "b", files) == set()
    files[S2] = with_body(2, SECTION2_BODY + "\n{% include_relative extra.md %}\n")
    assert fm4(tmp_path / "c", files) == set()


def test_kramdown_toc_ids(tmp_path):
    toc = "* TOC\n{:toc}\n\n"
    body = ("[toc](#markdown-toc) [entry](#markdown-toc-11-first)\n\n## 1.1 First\n\n")
    assert fm4(tmp_path, tree(toc + body)) == set()
    # without the {:toc} list (or with it only inside a code fence) those ids do not exist
    files = tree("```text\n" + toc + "```\n\n" + body)
    line = line_of(files[S1], "[toc]")
    assert fm4(tmp_path / "b", files) == {(S1, line, "FM403")}


def test_link_to_a_page_jekyll_does_not_render_is_broken(tmp_path):
    # checking the whole tree loads drafts and excluded pages too; they are still not on the site
    body = "[draft](/_drafts/idea.html)\n\n[excluded](/notes/todo.html)\n\n[fine](/extra.html)\n"
    files = tree(body, **{"_drafts/idea.md": "---\ntitle: Idea\n---\nx\n",
                          "notes/todo.md": "---\ntitle: Todo\n---\nx\n",
                          "extra.md": "---\ntitle: Extra\n---\nx\n"})
    files["_config.yml"] = "markdown: kramdown\nexclude: [notes]\n"
    found = codes_at(only(check_tree(tmp_path, files, paths=["."]), "FM4"))
    assert found == {(S1, line_of(files[S1], "[draft]"), "FM401"), (S1, line_of(files[S1], "[excluded]"), "FM401")}


# --- FM404 .md links, FM405 trailing slash ------------------------------------------------------------

def test_links_to_markdown_files(tmp_path):
    body = "[two](../section2/index.md)\n\n[abs]({{ '/content/handbooks/hb/section3/index.md' | relative_url }})\n"
    files = tree(body)
    diags = only(check_tree(tmp_path, files), "FM4")
    assert codes_at(diags) == {(S1, line_of(files[S1], "[two]"), "FM404"), (S1, line_of(files[S1], "[abs]"), "FM404")}
    assert all(d.fixable for d in diags)
    assert any(f"{URL}/section2/" in d.message for d in diags)


def test_page_link_without_trailing_slash(tmp_path):
    body = ("[two]({{ '/content/handbooks/hb/section2' | relative_url }}#masks)\n\n"
            "[index](/content/handbooks/hb/index.html)\n\n"
            "[nlp](/content/handbooks/nlp)\n")
    files = tree(body)
    found = fm4(tmp_path, files, **{"external-pages": ["/content/handbooks/nlp/"]})
    assert found == {(S1, line_of(files[S1], "[two]"), "FM405"), (S1, line_of(files[S1], "[nlp]"), "FM405")}


# --- FM406 alt text --------------------------------------------------------------------------------

def test_images_need_alt_text(tmp_path):
    body = ("![](/assets/img/a.png)\n\n![A plot](/assets/img/a.png)\n\n"
            '<img src="/assets/img/a.png">\n\n<img src="/assets/img/a.png" alt="">\n')
    files = tree(body, **{"assets/img/a.png": "png"})
    found = fm4(tmp_path, files)
    assert found == {(S1, line_of(files[S1], "![]"), "FM406"),
                     (S1, line_of(files[S1], '<img src="/assets/img/a.png">'), "FM406")}


# --- FM407 external URLs -----------------------------------------------------------------------------

def test_external_urls_are_checked_for_syntax_only(tmp_path):
    body = ("[ok](https://arxiv.org/abs/1706.03762) [ok2](http://localhost:4000/) "
            "[mail](mailto:a@example.com) [tel](tel:+123)\n\n"
            "[slash](https:/arxiv.org/abs/1)\n\n"
            "[scheme](htps://arxiv.org/)\n\n"
            '<a href="https://exa mple.com/">space</a>\n\n'
            "[colon](https//arxiv.org/)\n\n"
            "[dots](https://arxiv..org/)\n")
    files = tree(body)
    found = fm4(tmp_path, files)
    assert found == {(S1, line_of(files[S1], needle), "FM407")
                     for needle in ("[slash]", "[scheme]", "space</a>", "[colon]", "[dots]")}


def test_external_urls_are_listed_for_the_online_check(tmp_path):
    body = "[paper](https://arxiv.org/abs/1706.03762)\n\n<a href=\"//cdn.example.com/x.js\">cdn</a>\n\n[bad](https:/x)\n"
    files = tree(body)
    write_tree(tmp_path, files)
    (tmp_path / "_config.yml").write_text("markdown: kramdown\n", encoding="utf-8")
    with chdir(tmp_path):
        site, _ = api.check([Path("content")], Config.model_validate({"select": ["FM4"]}))
    found = [(u.url, u.page.path, u.line) for u in external_urls(site)]
    assert found == [("https://arxiv.org/abs/1706.03762", S1, line_of(files[S1], "[paper]")),
                     ("https://cdn.example.com/x.js", S1, line_of(files[S1], "cdn"))]


# --- FM408 baseurl -----------------------------------------------------------------------------------

def test_plain_site_paths_break_under_a_baseurl(tmp_path):
    body = ("[plain](/content/handbooks/hb/section2/)\n\n"
            "[liquid]({{ '/content/handbooks/hb/section2/' | relative_url }})\n\n"
            "[by hand](/handbooks-site/content/handbooks/hb/section2/)\n\n"
            "[relative](../section2/)\n")
    files = tree(body)
    # no baseurl: a plain path is fine, and one with the baseurl written out is broken
    assert fm4(tmp_path, files) == {(S1, line_of(files[S1], "[by hand]"), "FM401")}
    files["_config.yml"] = "markdown: kramdown\nbaseurl: /handbooks-site\n"
    found = fm4(tmp_path / "b", files)
    assert found == {(S1, line_of(files[S1], "[plain]"), "FM408")}


def test_percent_encoded_path_in_relative_url_counts_as_relative_url(tmp_path):
    # markdown-it decodes the href; the Liquid path '%20' must still be seen as written with relative_url
    body = ("[plot]({{ '/assets/img/plot%20one.png' | relative_url }})\n\n"
            "[plain](/assets/img/plot%20one.png)\n")
    files = tree(body, **{"assets/img/plot one.png": "png"})
    files["_config.yml"] = "markdown: kramdown\nbaseurl: /site\n"
    assert fm4(tmp_path, files) == {(S1, line_of(files[S1], "[plain]"), "FM408")}


# --- pre-commit: only some files are given ------------------------------------------------------------

def _two_handbooks(tmp_path: Path, link: str) -> None:
    files = {**handbook(2, hb="a"), **handbook(2, hb="b")}
    files["content/handbooks/a/section1/index.md"] = with_body(1, f"See {link}.\n", total=2, hb="a")
    files["content/handbooks/b/section2/index.md"] = with_body(
        2, "## 2.1 Attention\n\nText.\n", total=2, hb="b", extra_front_matter="")
    files["content/handbooks/b/extra.md"] = "---\ntitle: Extra\npermalink: /b-extra/\n---\n\n# Extra\n"
    write_tree(tmp_path, files)


def test_precommit_links_to_handbooks_that_were_not_loaded(tmp_path):
    a1 = "content/handbooks/a/section1/index.md"
    good = ("[b](/content/handbooks/b/section2/#21-attention), [extra](/b-extra/#extra), "
            "[b index]({{ '/content/handbooks/b/' | relative_url }})")
    _two_handbooks(tmp_path, good)
    assert fm4(tmp_path, {}, paths=[a1]) == set()

    bad = tmp_path / "bad"
    _two_handbooks(bad, "[b](/content/handbooks/b/section2/#22-gone) and [folder](/content/handbooks/b/extra/)")
    assert fm4(bad, {}, paths=[a1]) == {(a1, 10, "FM403"), (a1, 10, "FM401")}


def test_url_index_is_not_built_when_every_link_resolves(tmp_path):
    write_tree(tmp_path, handbook(3))
    (tmp_path / "_config.yml").write_text("markdown: kramdown\n", encoding="utf-8")
    with chdir(tmp_path):
        site, result = api.check([Path("content")], Config.model_validate({"select": ["FM4"]}))
    assert result.diagnostics == []
    assert site._url_index is None or site._url_index._by_url is None


def test_crlf_pages_report_the_same_lines(tmp_path):
    files = tree("[gone](/content/handbooks/hb/section9/)\n")
    expected = {(S1, line_of(files[S1], "[gone]"), "FM401")}
    files[S1] = files[S1].replace("\n", "\r\n")
    assert fm4(tmp_path, files) == expected


def test_generated_files_count_as_assets(tmp_path):
    body = ('<link rel="stylesheet" href="{{ \'/assets/css/main.css\' | relative_url }}">\n\n'
            "[feed]({{ '/feed.xml' | relative_url }}) [map]({{ '/sitemap.xml' | relative_url }})\n")
    files = tree(body, **{"assets/css/main.scss": "---\n---\nbody {}\n"})
    files["_config.yml"] = "markdown: kramdown\nplugins:\n  - jekyll-feed\n  - jekyll-sitemap\n"
    assert fm4(tmp_path, files) == set()


def test_files_jekyll_does_not_render_are_not_checked(tmp_path):
    files = handbook(2)
    files["README.md"] = "# Repo\n\nSee [the handbook](content/handbooks/hb/index.md).\n"
    files["content/about.md"] = "---\ntitle: About\n---\n\n[gone](/nowhere/)\n"
    assert fm4(tmp_path, files, paths=["."]) == {("content/about.md", 5, "FM401")}


def test_one_defect_per_rule_and_nothing_else(tmp_path):
    body = ("## 1.1 First part\n\n"
            "[gone]({{ '/content/handbooks/hb/section9/' | relative_url }})\n\n"
            '<img src="{{ \'/assets/img/none.png\' | relative_url }}" alt="none">\n\n'
            "[frag]({{ '/content/handbooks/hb/section2/' | relative_url }}#no-such-id)\n\n"
            "[md](../section2/index.md)\n\n"
            "[slash]({{ '/content/handbooks/hb/section2' | relative_url }})\n\n"
            "![]({{ '/assets/img/plot.png' | relative_url }})\n\n"
            "[paper](https:/arxiv.org/abs/1706.03762)\n\n"
            "[plain](/content/handbooks/hb/section3/)\n")
    files = tree(body, **{"assets/img/plot.png": "png"})
    files["_config.yml"] = "markdown: kramdown\nbaseurl: /site\n"
    diags = check_tree(tmp_path, files)
    expected = {(S1, line_of(files[S1], needle), code) for needle, code in [
        ("[gone]", "FM401"), ("none.png", "FM402"), ("[frag]", "FM403"), ("[md]", "FM404"),
        ("[slash]", "FM405"), ("![]", "FM406"), ("[paper]", "FM407"), ("[plain]", "FM408")]}
    assert codes_at(diags) == expected


def test_redirect_from_urls_exist(tmp_path):
    files = tree("[old](/content/handbooks/hb/old-two/)\n")
    files[S2] = with_body(2, SECTION2_BODY, extra_front_matter="redirect_from:\n  - /content/handbooks/hb/old-two/\n")
    assert fm4(tmp_path, files) == set()


def test_kramdown_footnotes_are_not_link_definitions_or_code(tmp_path):
    # `[^2]: Short.` is a footnote (kramdown), not a link definition to an asset called "Short.";
    # a footnote's second paragraph indented by four spaces is not an indented code block.
    body = ("## 1.1 A\n\nClaim[^2] and another[^n].\n\n[^2]: Short.\n\n"
            "[^n]: First paragraph.\n\n    Second paragraph with a [bad link](/nowhere/).\n")
    files = handbook(1)
    text = section_page(1, total=1, body=body)
    files[f"{HB}/section1/index.md"] = text
    line = text.split("\n").index("    Second paragraph with a [bad link](/nowhere/).") + 1
    assert codes_at(check_tree(tmp_path, files)) == {(f"{HB}/section1/index.md", line, "FM401")}
