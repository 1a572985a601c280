"""`fmlint bib fmt` keeps every entry and field of a real-looking bibliography and is stable;
`fmlint bib list` shows where each key is cited."""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

import bibtexparser
import pytest

from fmlint.authoring.bibfmt import BibFormatError, format_bibtex
from fmlint.site.bibtex import parse_bibliography
from fmlint.site.source import read_source
from tests.cli_helpers import run_fmlint
from tests.helpers import HB, handbook, section_page, write_tree

SURNAMES = ["Vaswani", "M{\\\"u}ller", "Devlin", "O'Neil", "García", "van der Berg", "Zhang", "Kaplan",
            "Schmidhuber", "{\\'E}rd{\\H{o}}s", "Ng", "LeCun", "Bengio", "Hochreiter", "Sutskever"]
GIVEN = ["Ashish", "Jacob", "Yann", "Li", "Ilya", "Sepp", "Ana María", "J{\\\"u}rgen", "Paul", "Noam"]
WORDS = ["attention", "transformers", "scaling", "laws", "neural", "language", "models", "learning",
         "representations", "{BERT}", "{GPT}-3", "diffusion", "$O(n^2)$", "sparse", "mixture", "experts",
         "via", "for", "robust", "efficient", "pre-training", "{ImageNet}", "zero-shot", "in-context"]
VENUES = ["Advances in Neural Information Processing Systems", "Proceedings of {ICML}",
          "International Conference on Learning Representations", "Proceedings of {NAACL-HLT}"]
JOURNALS = ["Journal of Machine Learning Research", "Nature", "Neural Computation", "{IEEE} Transactions"]
TYPES = ["article", "inproceedings", "book", "misc", "techreport", "phdthesis", "mastersthesis", "incollection"]


def _bare(word: str) -> str:
    return re.sub(r"[{}$\\^()\"']", "", word).replace(" ", "")


def _delimit(rng: random.Random, text: str) -> str:
    if '"' not in text and rng.random() < 0.3:
        return f'"{text}"'
    return "{" + text + "}"


def _entry(rng: random.Random, i: int, keys: list[str]) -> str:
    kind = rng.choice(TYPES)
    authors = " and ".join(f"{rng.choice(SURNAMES)}, {rng.choice(GIVEN)}" for _ in range(rng.randint(1, 5)))
    title = " ".join(rng.choice(WORDS) for _ in range(rng.randint(2, 9))).capitalize()
    year = rng.randint(1950, 2024)
    key = f"{_bare(rng.choice(SURNAMES)).lower()[:6]}{year}{_bare(rng.choice(WORDS))[:5]}{i}"
    key = "".join(c for c in key if c.isascii() and c.isalnum())
    keys.append(key)
    fields: list[tuple[str, str]] = [("author", _delimit(rng, authors)), ("title", _delimit(rng, title))]
    if kind == "article":
        fields.append(("journal", rng.choice(["jmlr", "nature", _delimit(rng, rng.choice(JOURNALS))])))
        fields += [("volume", str(rng.randint(1, 40))), ("number", _delimit(rng, str(rng.randint(1, 12))))]
    elif kind in ("inproceedings", "incollection"):
        fields.append(("booktitle", _delimit(rng, rng.choice(VENUES))))
        if kind == "incollection":
            fields.append(("publisher", "{Springer}"))
    elif kind == "book":
        fields += [("publisher", "{MIT Press}"), ("address", "{Cambridge, MA}")]
    elif kind == "techreport":
        fields.append(("institution", "{OpenAI}"))
    elif kind.endswith("thesis"):
        fields.append(("school", "{Technische Universit{\\\"a}t M{\\\"u}nchen}"))
    else:
        fields.append(("howpublished", "{arXiv preprint arXiv:" + f"{rng.randint(1000, 2400)}.{rng.randint(10000, 99999)}" + "}"))
    fields.append(("year", str(year) if rng.random() < 0.5 else _delimit(rng, str(year))))
    if rng.random() < 0.5:
        fields.append(("month", rng.choice(["jan", "FEB", "mar", "{April}", "oct", "dec"])))
    if rng.random() < 0.5:
        fields.append(("pages", "{" + f"{rng.randint(1, 500)}--{rng.randint(501, 999)}" + "}"))
    if rng.random() < 0.4:
        fields.append(("doi", "{10." + f"{rng.randint(1000, 99999)}/{_bare(rng.choice(WORDS))}.{i}" + "}"))
    if rng.random() < 0.3:
        fields.append(("url", "{https://example.org/papers/" + f"{i}?q=a%20b&x=y_z" + "}"))
    if rng.random() < 0.2:
        fields.append(("note", 'jmlr # " (extended version, " # dec # ")"'))
    if rng.random() < 0.2:
        fields.append(("abstract", "{We study " + title.lower() + ".\n    It works {well}, mostly;\n"
                                    "    see Section~3, Eq.~(2) and 100\\% of cases.}"))
    if rng.random() < 0.2:
        fields.append(("keywords", "{" + ", ".join(rng.sample([_bare(w) for w in WORDS], 3)) + "}"))
    if rng.random() < 0.1 and len(keys) > 1:
        fields.append(("crossref", "{" + keys[0] + "}"))
    if rng.random() < 0.15:
        fields.append(("x-custom", "{custom value " + str(i) + "}"))
    rng.shuffle(fields)
    written_type = kind if rng.random() < 0.7 else kind.capitalize()
    names = [name.upper() if rng.random() < 0.05 else name for name, _ in fields]
    open_, close = ("(", ")") if rng.random() < 0.05 else ("{", "}")
    sep = rng.choice(["\n  ", "\n\t", "\n    ", " "])
    body = ",".join(f"{sep}{n}{rng.choice(['=', ' = ', '  =  '])}{v}" for n, (_, v) in zip(names, fields))
    trailing = "," if rng.random() < 0.5 else ""
    return f"@{written_type}{open_}{key},{body}{trailing}\n{close}"


def realistic_bibliography(n: int = 200, seed: int = 7) -> str:
    rng = random.Random(seed)
    keys: list[str] = []
    parts = ["% Generated bibliography: " + str(n) + " entries.",
             "@string{jmlr = {Journal of Machine Learning Research}}",
             '@STRING(nature = "Nature")',
             '@preamble{"\\providecommand{\\noopsort}[1]{}"}',
             "@comment{jabref-meta: databaseType:bibtex;}"]
    for i in range(n):
        if rng.random() < 0.1:
            parts.append(f"% Section {i // 20 + 1}")
        parts.append(_entry(rng, i, keys))
    return "\n".join(p + rng.choice(["\n", "\n\n", "\n\n\n", "  \n"]) for p in parts)


def _model(text: str, tmp_path: Path) -> dict[str, tuple[str, dict[str, str]]]:
    path = tmp_path / "model.bib"
    path.write_text(text, encoding="utf-8")
    bib = parse_bibliography(read_source(path, 10**8))
    assert not bib.problems
    return {e.key: (e.entry_type, {n: f.value for n, f in e.fields.items()}) for e in bib.entries}


def _bibtexparser_view(text: str) -> dict[str, tuple[str, dict[str, str]]]:
    """bibtexparser's own default parse (strings resolved, delimiters removed): an independent view."""
    library = bibtexparser.parse_string(text)
    assert not library.failed_blocks
    def value(f) -> str:  # month macros are case-insensitive (the formatter writes them in lower case)
        return str(f.value).lower() if f.key.lower() == "month" else str(f.value)

    return {e.key: (e.entry_type.lower(), {f.key.lower(): value(f) for f in e.fields if "#" not in str(f.value)})
            for e in library.entries}


def test_fmt_round_trip_keeps_every_entry_and_field_and_is_stable(tmp_path):
    original = realistic_bibliography()
    bib = tmp_path / "references.bib"
    bib.write_text(original, encoding="utf-8")
    first = run_fmlint("bib", "fmt", str(bib), cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    formatted = bib.read_text(encoding="utf-8")
    assert formatted != original

    before, after = _model(original, tmp_path), _model(formatted, tmp_path)
    assert len(before) == 200
    assert after == before  # every entry, type, field and resolved value
    assert _bibtexparser_view(formatted) == _bibtexparser_view(original)
    assert formatted.count("@comment{") == 1 and formatted.count("@preamble{") == 1
    assert formatted.count("% Section") == original.count("% Section")

    second = run_fmlint("bib", "fmt", "--check", str(bib), cwd=tmp_path)
    assert second.returncode == 0, second.stderr
    assert format_bibtex(formatted) == formatted
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.bib", "references.bib"]  # no temp file left


def test_fmt_layout():
    text = ('@Article{lee2021, Year = 2021, title = "A {BERT} Study", JOURNAL = jmlr # " (" # Dec # ")",\n'
            "  author = {Lee, Ann}}\n% about the next one\n@misc(x, title={X})\n")
    assert format_bibtex(text) == (
        "@article{lee2021,\n"
        "  author = {Lee, Ann},\n"
        "  title = {A {BERT} Study},\n"
        "  journal = jmlr # { (} # dec # {)},\n"
        "  year = {2021},\n"
        "}\n\n"
        "% about the next one\n"
        "@misc{x,\n"
        "  title = {X},\n"
        "}\n")


def test_fmt_keeps_an_entry_commented_out_inside_a_comment():
    # jekyll-scholar (bibtex-ruby) reads @comment{…} as one balanced block, and so does fmlint check
    comment = "@comment{ Disabled for now:\n@article{old, title={Old}}\n}"
    text = f"{comment}\n\n@misc{{a, year = 2020, title = {{A}}}}\n"
    out = format_bibtex(text)
    assert out == f"{comment}\n\n@misc{{a,\n  title = {{A}},\n  year = {{2020}},\n}}\n"
    assert format_bibtex(out) == out


def test_fmt_check_and_diff_write_nothing(tmp_path):
    bib = tmp_path / "refs.bib"
    bib.write_text("@misc{a, year = 2020, title = {A}}\n", encoding="utf-8")
    check = run_fmlint("bib", "fmt", "--check", str(tmp_path), cwd=tmp_path)
    assert check.returncode == 1
    assert "would reformat" in check.stderr
    diff = run_fmlint("bib", "fmt", "--diff", cwd=tmp_path)
    assert diff.returncode == 0
    assert "+  title = {A}," in diff.stdout and "-@misc{a, year = 2020, title = {A}}" in diff.stdout
    assert bib.read_text(encoding="utf-8") == "@misc{a, year = 2020, title = {A}}\n"


def test_fmt_keeps_crlf_bom_and_permissions(tmp_path):
    bib = tmp_path / "refs.bib"
    bib.write_bytes(b"\xef\xbb\xbf@misc{a,\r\n  year = 2020, title = {A}}\r\n")
    bib.chmod(0o640)
    assert run_fmlint("bib", "fmt", str(bib), cwd=tmp_path).returncode == 0
    assert bib.read_bytes() == b"\xef\xbb\xbf@misc{a,\r\n  title = {A},\r\n  year = {2020},\r\n}\r\n"
    assert bib.stat().st_mode & 0o777 == 0o640
    assert run_fmlint("bib", "fmt", "--check", str(bib), cwd=tmp_path).returncode == 0


def test_fmt_leaves_a_file_with_a_syntax_error_alone(tmp_path):
    broken = "@misc{a,\n  title = {Unclosed,\n  year = 2020\n}\n\n@misc{b, title = {B}}\n"
    (tmp_path / "broken.bib").write_text(broken, encoding="utf-8")
    (tmp_path / "good.bib").write_text("@misc{c, title = {C}}\n", encoding="utf-8")
    r = run_fmlint("bib", "fmt", str(tmp_path), cwd=tmp_path)
    assert r.returncode == 1
    assert "cannot format broken.bib:1" in r.stderr
    assert (tmp_path / "broken.bib").read_text(encoding="utf-8") == broken
    assert (tmp_path / "good.bib").read_text(encoding="utf-8") == "@misc{c,\n  title = {C},\n}\n"


def test_fmt_keeps_repeated_keys_and_fields(tmp_path):
    text = "@misc{a, title = {One}, title = {Two}}\n\n@misc{a, title = {Three}}\n"
    out = format_bibtex(text)
    assert out.count("title = {") == 3 and out.count("@misc{a,") == 2


def test_bib_list_shows_keys_and_where_they_are_cited(tmp_path):
    files = handbook(2, bib="@misc{used2020, title = {U}, howpublished = {Web}, year = 2020}\n\n"
                            "@misc{unused2019, title = {N}, howpublished = {Web}, year = 2019}\n")
    files[f"{HB}/section2/index.md"] = section_page(2, total=2, body=(
        "## 2.1 A\n\nText {% cite used2020 missing2021 --locator 4 %}.\n\n{% bibliography --cited %}\n"))
    write_tree(tmp_path, files)
    (tmp_path / "_config.yml").write_text("markdown: kramdown\n", encoding="utf-8")
    r = run_fmlint("bib", "list", "hb", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert any("used2020" in x and f"{HB}/section2/index.md:12" in x for x in lines)
    assert any("unused2019" in x and "(not cited)" in x for x in lines)
    assert any("missing2021" in x for x in lines[lines.index("cited but not in the bibliography:"):])
    data = json.loads(run_fmlint("bib", "list", f"{HB}/references.bib", "--format", "json", cwd=tmp_path).stdout)
    assert [e["key"] for e in data["entries"]] == ["used2020", "unused2019"]
    assert data["entries"][0]["cited_at"] == [{"path": f"{HB}/section2/index.md", "line": 12, "column": 14}]
    assert data["unknown"][0]["key"] == "missing2021"
    assert run_fmlint("bib", "list", "nosuchbook", cwd=tmp_path).returncode == 2


def test_fmt_refuses_a_value_bibtex_cannot_read():
    with pytest.raises(BibFormatError) as err:
        format_bibtex("@misc{a,\n  title = {A},\n  pages = 12-15,\n}\n")
    assert err.value.line == 3
