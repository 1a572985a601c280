"""FM5xx: bibliographies are readable and complete; every citation resolves in its handbook's bibliography."""

from __future__ import annotations

from tests.helpers import HB, check_tree, codes_at, handbook, only, section_page

BIB = f"{HB}/references.bib"
S1, S2, S3 = (f"{HB}/section{n}/index.md" for n in (1, 2, 3))

CLEAN_BIB = """% The test handbook's bibliography.
@string{jmlr = {Journal of Machine Learning Research}}
@preamble{"\\newcommand{\\noop}[1]{}"}
@comment{Entries are grouped by section.}

@article{vaswani2017attention,
  author = {Vaswani, Ashish and Shazeer, Noam},
  title = {Attention Is All You Need},
  journal = jmlr,
  year = 2017,
  month = jun,
  doi = {10.48550/arXiv.1706.03762},
}

@inproceedings{devlin2019bert,
  author = {Devlin, Jacob},
  title = {{BERT}: Pre-training of Deep Bidirectional Transformers},
  crossref = {naacl2019},
  pages = {4171--4186},
}

@proceedings{naacl2019,
  title = {Proceedings of NAACL-HLT},
  year = {2019},
  publisher = {ACL},
}

@book{goodfellow2016deep,
  editor = {Goodfellow, Ian},
  title = {Deep Learning},
  publisher = {MIT Press},
  year = "2016",
}

@misc{openai2023gpt4,
  title = {{GPT-4} Technical Report},
  howpublished = {arXiv preprint},
  year = {2023},
  url = {https://arxiv.org/abs/2303.08774},
}

@techreport{kaplan2020scaling, author = {Kaplan, Jared}, title = {Scaling Laws}, institution = {OpenAI}, year = 2020}
@PhdThesis{graves2008thesis, author = {Graves, Alex}, title = {Supervised Sequence Labelling},
  school = {TUM}, year = 2008}
@incollection(bengio2007, author = {Bengio, Yoshua}, title = "Scaling Learning Algorithms towards {AI}",
  booktitle = {Large-Scale Kernel Machines}, publisher = {MIT Press}, year = {2007})
"""

BODY1 = """## 1.1 Attention

Transformers {% cite vaswani2017attention --locator 12 %} and BERT {% cite devlin2019bert -l 3 %}.

{% bibliography --cited %}
"""
BODY2 = """## 2.1 Books

See {% cite goodfellow2016deep openai2023gpt4 %} and {%- cite kaplan2020scaling -%}.

## References

{% bibliography --cited %}
"""
BODY3 = """## 3.1 Theses

{% nocite graves2008thesis %}

<div class="key-concept">
  Kernel machines {% cite bengio2007 %}.
</div>

{% bibliography --cited %}
"""


def site(bib: str = CLEAN_BIB, bodies: tuple[str, str, str] = (BODY1, BODY2, BODY3)) -> dict[str, str]:
    files = handbook(3, bib=bib)
    for n, body in enumerate(bodies, start=1):
        files[f"{HB}/section{n}/index.md"] = section_page(n, body=body)
    return files


def fm5(tmp_path, files, **config):
    return only(check_tree(tmp_path, files, **config), "FM5")


def line_of(text: str, needle: str, nth: int = 0) -> int:
    return [i + 1 for i, x in enumerate(text.split("\n")) if needle in x][nth]


def with_entry(extra: str, cite: str | None = None) -> dict[str, str]:
    """The clean site plus one entry at the end of the bibliography, cited on section 3 when `cite`."""
    body3 = BODY3 if cite is None else BODY3.replace("{% nocite graves2008thesis %}",
                                                     f"{{% nocite graves2008thesis {cite} %}}")
    return site(CLEAN_BIB + "\n" + extra, (BODY1, BODY2, body3))


# --- clean --------------------------------------------------------------------------------------

def test_clean_bibliography_reports_nothing(tmp_path):
    assert fm5(tmp_path, site()) == []


def test_clean_helper_handbook_reports_nothing(tmp_path):
    assert fm5(tmp_path, handbook(3)) == []


def test_crlf_and_bom_bibliography_is_clean(tmp_path):
    files = site()
    files[BIB] = b"\xef\xbb\xbf" + CLEAN_BIB.replace("\n", "\r\n").encode()
    assert fm5(tmp_path, files) == []


# --- the bibliography file ----------------------------------------------------------------------

def test_unclosed_brace_is_a_finding_and_the_rest_is_still_read(tmp_path):
    bib = CLEAN_BIB.replace("title = {Attention Is All You Need},", "title = {Attention Is All You Need,")
    bib = bib.replace("title = {Scaling Laws}, institution = {OpenAI}", "title = {Scaling Laws}")
    files = site(bib)
    files["content/handbooks/other/references.bib"] = "@article{x2020, title = {X}, year = 2020}\n"
    files["content/handbooks/other/index.md"] = "---\nlayout: default\ntitle: Other\ndescription: D.\n---\n"
    diags = fm5(tmp_path, files)
    assert codes_at(diags) == {
        (BIB, line_of(bib, "title = {Attention Is All You Need,"), "FM501"),
        # the entry after the broken one is still read and checked
        (BIB, line_of(bib, "@techreport{kaplan2020scaling"), "FM506"),
        # and so is another handbook's bibliography (its entries are never cited)
        ("content/handbooks/other/references.bib", 1, "FM506"),
        ("content/handbooks/other/references.bib", 1, "FM513"),
    }


def test_unclosed_entry_at_end_of_file(tmp_path):
    bib = CLEAN_BIB + "\n@misc{open2020,\n  title = {Open},\n"
    assert codes_at(fm5(tmp_path, site(bib))) == {(BIB, line_of(bib, "@misc{open2020"), "FM501")}


def test_unreadable_value_is_a_syntax_error(tmp_path):
    bib = CLEAN_BIB.replace("pages = {4171--4186},", "pages = 4171--4186,")
    assert codes_at(fm5(tmp_path, site(bib))) == {(BIB, line_of(bib, "pages = 4171"), "FM501")}


def test_duplicate_key(tmp_path):
    files = with_entry("@misc{kaplan2020scaling, title = {Other}, howpublished = {Web}, year = 2021}\n")
    bib = files[BIB]
    assert codes_at(fm5(tmp_path, files)) == {(BIB, line_of(bib, "@misc{kaplan2020scaling"), "FM502")}


def test_keys_differing_only_in_case(tmp_path):
    files = with_entry("@misc{Kaplan2020Scaling, title = {Other}, howpublished = {Web}, year = 2021}\n",
                       cite="Kaplan2020Scaling")
    bib = files[BIB]
    assert codes_at(fm5(tmp_path, files)) == {(BIB, line_of(bib, "@misc{Kaplan2020Scaling"), "FM503")}


def test_duplicate_field(tmp_path):
    bib = CLEAN_BIB.replace("  publisher = {MIT Press},\n  year = \"2016\",",
                            "  publisher = {MIT Press},\n  Publisher = {Other},\n  year = \"2016\",")
    diags = fm5(tmp_path, site(bib))
    assert codes_at(diags) == {(BIB, line_of(bib, "Publisher = {Other}"), "FM504")}
    assert diags[0].column == 3


def test_unknown_entry_type(tmp_path):
    files = with_entry("@artcle{lee2021,\n  author = {Lee}, title = {T}, journal = {J}, year = 2021}\n", cite="lee2021")
    diags = fm5(tmp_path, files)
    assert codes_at(diags) == {(BIB, line_of(files[BIB], "@artcle{lee2021"), "FM505")}
    assert "did you mean 'article'" in diags[0].message


def test_missing_required_field_at_the_entry(tmp_path):
    files = with_entry("@article{lee2021,\n  author = {Lee},\n  title = {T},\n  year = 2021,\n}\n", cite="lee2021")
    diags = fm5(tmp_path, files)
    assert codes_at(diags) == {(BIB, line_of(files[BIB], "@article{lee2021"), "FM506")}
    assert "journal" in diags[0].message


def test_empty_required_field_at_the_field(tmp_path):
    bib = CLEAN_BIB.replace("title = {Deep Learning},", "title = { {} },")
    assert codes_at(fm5(tmp_path, site(bib))) == {(BIB, line_of(bib, "title = { {} },"), "FM506")}


def test_book_needs_author_or_editor(tmp_path):
    bib = CLEAN_BIB.replace("  editor = {Goodfellow, Ian},\n", "")
    assert codes_at(fm5(tmp_path, site(bib))) == {(BIB, line_of(bib, "@book{goodfellow2016deep"), "FM506")}


def test_misc_needs_author_howpublished_or_url(tmp_path):
    bib = CLEAN_BIB.replace("  howpublished = {arXiv preprint},\n", "").replace(
        "  url = {https://arxiv.org/abs/2303.08774},\n", "")
    assert codes_at(fm5(tmp_path, site(bib))) == {(BIB, line_of(bib, "@misc{openai2023gpt4"), "FM506")}


def test_fields_inherited_through_crossref_count(tmp_path):
    # devlin2019bert has no booktitle and no year of its own: both come from naacl2019.
    assert fm5(tmp_path, site()) == []
    bib = CLEAN_BIB.replace("  year = {2019},\n  publisher = {ACL},\n", "  publisher = {ACL},\n")
    assert codes_at(fm5(tmp_path, site(bib))) == {(BIB, line_of(bib, "@inproceedings{devlin2019bert"), "FM506")}


def test_undefined_string_macro(tmp_path):
    bib = CLEAN_BIB.replace("journal = jmlr,", "journal = jmrl,")
    assert codes_at(fm5(tmp_path, site(bib))) == {(BIB, line_of(bib, "journal = jmrl,"), "FM507")}


def test_month_macros_and_concatenation_are_defined(tmp_path):
    bib = CLEAN_BIB.replace("journal = jmlr,", 'journal = jmlr # " (" # dec # ")",')
    assert fm5(tmp_path, site(bib)) == []


def test_unknown_crossref(tmp_path):
    bib = CLEAN_BIB.replace("crossref = {naacl2019},", "crossref = {naacl2091},")
    assert codes_at(fm5(tmp_path, site(bib))) == {
        (BIB, line_of(bib, "crossref = {naacl2091}"), "FM508"),
        (BIB, line_of(bib, "@proceedings{naacl2019"), "FM513"),  # nothing uses it any more
    }


def test_implausible_year(tmp_path):
    for year in ("{20}", "{2020a}", "{in press}", "3020", "{999}"):
        bib = CLEAN_BIB.replace("year = 2020}", f"year = {year}}}")
        line = line_of(bib, "@techreport{kaplan2020scaling")
        assert codes_at(fm5(tmp_path, site(bib))) == {(BIB, line, "FM509")}, year


def test_malformed_doi(tmp_path):
    for doi in ("https://doi.org/10.48550/arXiv.1706.03762", "arXiv.1706.03762", "10.48550/arXiv 1706"):
        bib = CLEAN_BIB.replace("doi = {10.48550/arXiv.1706.03762},", f"doi = {{{doi}}},")
        assert codes_at(fm5(tmp_path, site(bib))) == {(BIB, line_of(bib, "doi = {"), "FM510")}, doi


def test_malformed_url(tmp_path):
    for url in ("arxiv.org/abs/2303.08774", "https://arxiv.org/abs/2303 08774", "\\url{https://arxiv.org}"):
        bib = CLEAN_BIB.replace("url = {https://arxiv.org/abs/2303.08774},", f"url = {{{url}}},")
        assert codes_at(fm5(tmp_path, site(bib))) == {(BIB, line_of(bib, "url = {"), "FM511")}, url


def test_url_with_latex_escapes_is_fine(tmp_path):
    bib = CLEAN_BIB.replace("url = {https://arxiv.org/abs/2303.08774},", "url = {https://x.org/a\\_b\\%20c},")
    assert fm5(tmp_path, site(bib)) == []


def test_same_doi_under_two_keys(tmp_path):
    files = with_entry("@misc{vaswani2017arxiv,\n  title = {Attention (preprint)}, year = 2017,\n"
                       "  howpublished = {arXiv}, doi = {10.48550/ARXIV.1706.03762}}\n", cite="vaswani2017arxiv")
    assert codes_at(fm5(tmp_path, files)) == {(BIB, line_of(files[BIB], "@misc{vaswani2017arxiv"), "FM514")}


def test_same_title_and_year_under_two_keys(tmp_path):
    files = with_entry("@misc{vaswani2017blog,\n  title = {Attention is all you need!}, year = 2017,\n"
                       "  howpublished = {Blog}}\n", cite="vaswani2017blog")
    assert codes_at(fm5(tmp_path, files)) == {(BIB, line_of(files[BIB], "@misc{vaswani2017blog"), "FM514")}


def test_uncited_entry_is_a_warning(tmp_path):
    files = with_entry("@misc{unused2019, title = {Unused}, howpublished = {Web}, year = 2019}\n")
    diags = fm5(tmp_path, files)
    assert codes_at(diags) == {(BIB, line_of(files[BIB], "@misc{unused2019"), "FM513")}
    assert diags[0].severity.value == "warning"


# --- citations in pages -------------------------------------------------------------------------

def test_unknown_key_at_the_key_with_a_suggestion(tmp_path):
    body = BODY1.replace("{% cite devlin2019bert -l 3 %}", "{% cite devlin2019bert vaswani2017atention -l 3 %}")
    files = site(bodies=(body, BODY2, BODY3))
    diags = fm5(tmp_path, files)
    line = line_of(files[S1], "vaswani2017atention")
    assert codes_at(diags) == {(S1, line, "FM512")}
    assert diags[0].column == files[S1].split("\n")[line - 1].index("vaswani2017atention") + 1
    assert "did you mean 'vaswani2017attention'" in diags[0].message


def test_keys_match_exactly(tmp_path):
    body = BODY1.replace("{% cite devlin2019bert -l 3 %}", "{% cite devlin2019bert Devlin2019bert %}")
    files = site(bodies=(body, BODY2, BODY3))
    diags = fm5(tmp_path, files)
    assert codes_at(diags) == {(S1, line_of(files[S1], "Devlin2019bert"), "FM512")}
    assert "did you mean 'devlin2019bert'" in diags[0].message


def test_cites_in_code_comments_and_raw_are_not_citations(tmp_path):
    body = BODY1 + """
```liquid
{% raw %}{% cite nosuchkey1 %}{% endraw %}
```

<!-- {% cite nosuchkey2 %} -->

{% raw %}
Write {% cite nosuchkey3 %} to cite.
{% endraw %}

Inline `{% cite nosuchkey4 %}` code.

{% comment %}{% cite nosuchkey6 %}{% endcomment %}

    {% cite nosuchkey5 %}
"""
    files = site(bodies=(body, BODY2, BODY3))
    assert [d for d in fm5(tmp_path, files) if d.code == "FM512"] == []
    assert "nosuchkey6" in files[S1]


def test_entry_cited_only_inside_code_is_uncited(tmp_path):
    body2 = BODY2.replace("and {%- cite kaplan2020scaling -%}.", "and\n\n```text\n{% cite kaplan2020scaling %}\n```\n")
    files = site(bodies=(BODY1, body2, BODY3))
    diags = fm5(tmp_path, files)
    assert (BIB, line_of(CLEAN_BIB, "@techreport{kaplan2020scaling"), "FM513") in codes_at(diags)


def test_nocite_counts_as_a_citation(tmp_path):
    body3 = BODY3.replace("{% nocite graves2008thesis %}", "")
    diags = fm5(tmp_path, site(bodies=(BODY1, BODY2, body3)))
    assert codes_at(diags) == {(BIB, line_of(CLEAN_BIB, "@PhdThesis{graves2008thesis"), "FM513")}


def test_page_that_cites_without_a_bibliography_tag(tmp_path):
    body = BODY1.replace("{% bibliography --cited %}", "```liquid\n{% raw %}{% bibliography %}{% endraw %}\n```")
    files = site(bodies=(body, BODY2, BODY3))
    diags = fm5(tmp_path, files)
    assert codes_at(diags) == {(S1, line_of(files[S1], "<script>"), "FM515")}
    assert diags[0].severity.value == "warning"


def test_a_key_of_another_handbook_does_not_resolve(tmp_path):
    files = site()
    other = "content/handbooks/other"
    files[f"{other}/index.md"] = "---\nlayout: default\ntitle: Other\ndescription: D.\n---\n\n{% cite hinton2015 %}\n\n{% bibliography %}\n"
    files[f"{other}/references.bib"] = ("@misc{hinton2015, title = {Distilling}, howpublished = {arXiv}, year = 2015}\n")
    body = BODY1.replace("{% cite devlin2019bert -l 3 %}", "{% cite devlin2019bert hinton2015 %}")
    files[S1] = section_page(1, body=body)
    assert codes_at(fm5(tmp_path, files)) == {(S1, line_of(files[S1], "hinton2015"), "FM512")}


def test_handbook_without_bibliography(tmp_path):
    files = site()
    del files[BIB]
    diags = fm5(tmp_path, files)
    assert (S1, line_of(files[S1], "vaswani2017attention"), "FM512") in codes_at(diags)
    assert {d.code for d in diags} == {"FM512"}
    assert "references.bib does not exist" in diags[0].message


def test_configured_shared_bibliography(tmp_path):
    files = site()
    files["_bibliography/references.bib"] = files.pop(BIB)
    assert fm5(tmp_path, files, bibliography="_bibliography/references.bib") == []


def test_citation_with_another_file_is_not_resolved_here(tmp_path):
    body = BODY1.replace("{% cite devlin2019bert -l 3 %}", "{% cite devlin2019bert %} {% cite elsewhere2020 --file other %}")
    assert fm5(tmp_path, site(bodies=(body, BODY2, BODY3))) == []


def test_multiline_cite_tag_reports_the_key_line(tmp_path):
    body = BODY1.replace("{% cite devlin2019bert -l 3 %}", "{% cite devlin2019bert\n   nosuchkey2020 %}")
    files = site(bodies=(body, BODY2, BODY3))
    diags = fm5(tmp_path, files)
    line = line_of(files[S1], "nosuchkey2020")
    assert codes_at(diags) == {(S1, line, "FM512")}
    assert diags[0].column == 4


def test_lines_stay_right_after_a_latex_line_break(tmp_path):
    # bibtexparser's own line counter skips a newline that follows a backslash
    bib = CLEAN_BIB.replace("  month = jun,\n", "  abstract = {First line\\\\\n    second line},\n  month = jun,\n")
    bib = bib.replace("year = 2020}", "year = {20}}")
    assert codes_at(fm5(tmp_path, site(bib))) == {(BIB, line_of(bib, "@techreport{kaplan2020scaling"), "FM509")}


def test_a_large_bibliography_is_checked_quickly(tmp_path):
    import time

    from tests.test_bib_cli import realistic_bibliography

    files = site()
    files[f"{HB}/extra.bib"] = realistic_bibliography(3000, seed=11)
    start = time.perf_counter()
    fm5(tmp_path, files)
    assert time.perf_counter() - start < 5.0  # linear: about half a second


def test_a_string_may_be_defined_below_its_use(tmp_path):
    # jekyll-scholar (bibtex-ruby) substitutes @string values regardless of their place in the file
    bib = CLEAN_BIB.replace("@string{jmlr = {Journal of Machine Learning Research}}\n", "") + \
        "\n@string{jmlr = {Journal of Machine Learning Research}}\n"
    assert fm5(tmp_path, site(bib)) == []


def test_entry_commented_out_inside_a_comment_block_is_not_an_entry(tmp_path):
    # bibtex-ruby (jekyll-scholar) reads @comment{…} as one brace-balanced block
    commented = "@comment{\n@article{old2001, title = {Old}}\n}\n"
    assert fm5(tmp_path, with_entry(commented)) == []
    # an entry after the comment is still read, at its own line
    files = with_entry(commented + "\n@article{after2002, title = {After}, year = 2002}\n", cite="after2002")
    assert {(d.line, d.code) for d in fm5(tmp_path / "b", files)} == {
        (line_of(files[BIB], "after2002"), "FM506")}
