"""Properties of `fmlint fix` (and of moving sections) over generated, randomly broken handbooks.

- fix is idempotent: a second run changes nothing;
- after fix, check reports no finding marked fixable;
- every word of prose and every code block of every page is still there, token by token
  (markdown-it's tokens; heading numbers are the one thing fix may change in prose).
"""

from __future__ import annotations

import re
import tempfile
from collections import Counter
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fmlint.authoring import sections
from fmlint.authoring.fix import fix_workspace
from fmlint.authoring.workspace import Workspace
from fmlint.config import Config
from fmlint.site.liquid import MARKER_RE
from fmlint.site.page import build_page
from fmlint.site.source import SourceFile
from tests.helpers import HB, ROMAN, card, chdir, check_tree, index_page, section_page, write_tree

SETTINGS = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
WORDS = ["attention", "token", "layer", "gradient", "model", "data", "scale", "loss", "head", "norm", "vector"]
NUMBER = re.compile(r"^\d+(?:\.\d+)+[.:]?$")
INDEX = f"{HB}/index.md"
CRLF: set[str] = set()  # pages the current example writes with CRLF line endings


def sec(n: int) -> str:
    return f"{HB}/section{n}/index.md"


def url(n: int | None = None) -> str:
    return f"/content/handbooks/hb/section{n}/" if n else "/content/handbooks/hb/"


def config() -> Config:
    return Config.model_validate({"snippets": {"cache": False, "exec": False}})


# --- generated handbooks -------------------------------------------------------------------------------

words = st.lists(st.sampled_from(WORDS), min_size=1, max_size=8).map(" ".join)


@st.composite
def body(draw, n: int) -> str:
    out = []
    for k in range(1, draw(st.integers(1, 3)) + 1):
        out.append(f"## {n}.{k} {draw(words).capitalize()}\n\n{draw(words)}.\n")
        for j in range(1, draw(st.integers(0, 2)) + 1):
            out.append(f"### {n}.{k}.{j} {draw(words).capitalize()}\n\n{draw(words)}.\n")
        if draw(st.booleans()):
            lang = draw(st.sampled_from(["python", "text"]))
            code = f"x = {draw(st.integers(0, 99))}\nprint(x)" if lang == "python" else draw(words)
            out.append(f"```{lang}\n{code}\n```\n")
    out.append("## Summary\n\n" + draw(words) + ".\n")
    return "\n".join(out)


def _swap_cards(text: str, a: int, b: int) -> str:
    ca, cb = card(a), card(b)
    if ca not in text or cb not in text:
        return text
    return text.replace(ca, "\0A").replace(cb, ca).replace("\0A", cb)


BREAKAGES = ["nav-drop", "nav-wrong", "nav-liquid", "nav-script", "card-drop", "card-swap", "card-id",
             "card-href", "card-title", "card-goal", "card-comment", "title", "sub-prefix", "sub-seq", "sub-sep",
             "link-slash", "link-md", "liquid-code", "crlf"]


def breakage(files: dict[str, str], kind: str, k: int, other: int, total: int) -> None:
    page = sec(k)
    if kind == "nav-drop":
        target = page if k % 2 else INDEX
        files[target] = re.sub(r"  window\.(previous|next)Section = [^\n]*\n", "", files[target], count=1)
    elif kind == "nav-wrong":
        files[page] = re.sub(r'(previousSection = ")[^"]*"', rf'\g<1>{url(other)}"', files[page])
    elif kind == "nav-liquid":
        files[page] = re.sub(r'(nextSection|previousSection) = "([^"]*)"',
                             r"""\1 = "{{ '\2' | relative_url }}\"""", files[page], count=1)
    elif kind == "nav-script":
        files[page] = re.sub(r"<script>\n.*?</script>\n\n", "", files[page], count=1, flags=re.S)
    elif kind == "card-drop":
        files[INDEX] = files[INDEX].replace(card(k), "")
    elif kind == "card-swap":
        files[INDEX] = _swap_cards(files[INDEX], k, other)
    elif kind == "card-id":
        files[INDEX] = files[INDEX].replace(f'<h3 id="s{k}">', f'<h3 id="s{other}">', 1)
    elif kind == "card-href":
        files[INDEX] = files[INDEX].replace(f"{url(k)}' | relative_url }}}}\" class", f"{url(other)}' | relative_url }}}}\" class")
    elif kind == "card-title":
        files[INDEX] = files[INDEX].replace(f">Section {ROMAN[k]}: Topic {k}</a>", f">Section {ROMAN[k]}: Old {k}</a>")
    elif kind == "card-goal":
        files[INDEX] = files[INDEX].replace(f"Explain topic {k}.</p>", f"Explain old topic {k}.</p>")
    elif kind == "card-comment":
        files[INDEX] = files[INDEX].replace(f"<!-- Section {ROMAN[k]} -->", f"<!-- Section {ROMAN[other]} -->")
    elif kind == "title":
        wrong = "IIII" if other == k else ROMAN[other]
        files[page] = files[page].replace(f'title: "Section {ROMAN[k]}:', f'title: "Section {wrong}:')
    elif kind == "sub-prefix":
        files[page] = files[page].replace(f"## {k}.1 ", f"## {k + 1}.1 ").replace(f"## {k}.1.", f"## {k + 1}.1.")
    elif kind == "sub-seq":
        files[page] = files[page].replace(f"## {k}.2 ", f"## {k}.5 ").replace(f"### {k}.1.1 ", f"### {k}.1.3 ")
    elif kind == "sub-sep":
        files[page] = re.sub(rf"^(##+ {k}\.\d+(?:\.\d+)?) ", r"\1. ", files[page], count=1, flags=re.M)
    elif kind == "link-slash":
        files[page] = files[page].replace("## Summary\n\n", f"## Summary\n\nAlso [this]({url(other)[:-1]}).\n\n", 1)
    elif kind == "link-md":
        files[page] = files[page].replace("## Summary\n\n", f"## Summary\n\nRead [that](../section{other}/index.md).\n\n", 1)
    elif kind == "liquid-code":
        files[page] = files[page].replace("## Summary\n\n", "## Summary\n\n```html\n<p>{{ page.title }}</p>\n```\n\n", 1)
    elif kind == "crlf":
        CRLF.add(page)


def _links_to_headings(files: dict[str, str], draw, total: int) -> None:
    """Links from one section to another's headings, written against the ids the headings have now."""
    from fmlint.site.slug import SlugCounter, heading_raw_text  # noqa: PLC0415

    for _ in range(draw(st.integers(0, 3))):
        src, dst = draw(st.integers(1, total)), draw(st.integers(1, total))
        headings = re.findall(r"^#{2,3} (.+)$", files[sec(dst)], flags=re.M)
        if not headings:
            continue
        slugs = SlugCounter()
        ids = [slugs(heading_raw_text(h)) for h in headings]
        target = ids[draw(st.integers(0, len(ids) - 1))]
        link = f"#{target}" if src == dst else f"{{{{ '{url(dst)}#{target}' | relative_url }}}}"
        files[sec(src)] = files[sec(src)].replace("## Summary\n\n", f"## Summary\n\nSee [it]({link}).\n\n", 1)


@st.composite
def broken_handbook(draw) -> dict[str, str]:
    total = draw(st.integers(1, 5))
    CRLF.clear()
    files = {INDEX: index_page(total)}
    for n in range(1, total + 1):
        files[sec(n)] = section_page(n, total=total, body=draw(body(n)))
    numbers = st.integers(1, total)
    for kind in draw(st.lists(st.sampled_from(BREAKAGES), max_size=5)):
        breakage(files, kind, draw(numbers), draw(numbers), total)
    _links_to_headings(files, draw, total)
    files["assets/css/section-academic.css"] = "body {}\n"
    files["assets/js/section-academic.js"] = "// nav\n"
    files[f"{HB}/references.bib"] = ""
    return files


# --- what must survive ---------------------------------------------------------------------------------

def tokens(text: str) -> tuple[Counter, Counter, Counter]:
    """(prose words, heading words without their number, code blocks) of a page, from markdown-it's
    tokens as fmlint's model parses the page (after Jekyll's Liquid: `{{ '/x/' | relative_url }}` is a
    link destination there, not words)."""
    prose: Counter = Counter()
    heads: Counter = Counter()
    code: Counter = Counter()
    in_heading = False
    page = build_page(SourceFile(Path("page.md"), "page.md", text), "/page/")

    def restore(s: str) -> str:  # Liquid as written (marker numbers change when Liquid is added)
        return MARKER_RE.sub(lambda m: page.liquid_nodes[int(m.group(1))].source, s)

    code.update((cb.info, cb.code) for cb in page.code_blocks)
    for tok in page.tokens:
        if tok.type == "heading_open":
            in_heading = True
        elif tok.type == "heading_close":
            in_heading = False
        elif tok.type == "inline":
            found = [w for c in tok.children or [] if c.type in ("text", "code_inline")
                     for w in restore(c.content).split()]
            if in_heading:
                if found and NUMBER.match(found[0]):
                    found = found[1:]
                heads.update(found)
            else:
                prose.update(found)
    return prose, heads, code


def run_fix(root: Path) -> Workspace:
    with chdir(root):
        cfg = config()
        ws = Workspace.for_paths([Path("content")], cfg)
        fix_workspace(ws, [Path("content")], cfg)
        ws.commit()
    return ws


@SETTINGS
@given(broken_handbook())
def test_fix_is_idempotent_complete_and_keeps_every_word(files):
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        write_tree(root, {**files, "_config.yml": "markdown: kramdown\n",
                          **{rel: files[rel].replace("\n", "\r\n").encode() for rel in CRLF}})
        before = {rel: tokens(text) for rel, text in files.items() if rel.endswith(".md")}
        run_fix(root)
        left = [d for d in check_tree(root, config=config()) if d.fixable]
        assert not left, [(d.path, d.line, d.code, d.message) for d in left]
        for rel, (prose, heads, code) in before.items():
            raw = (root / rel).read_bytes()
            assert (b"\r\n" in raw) == (rel in CRLF) and (rel not in CRLF or b"\n" not in raw.replace(b"\r\n", b""))
            after = tokens(raw.decode("utf-8").replace("\r\n", "\n"))
            assert not prose - after[0], rel
            assert not heads - after[1], rel
            assert not code - after[2], rel
        second = run_fix(root)
        assert not second.changed, sorted(second.texts)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(2, 5).flatmap(lambda total: st.tuples(
    st.just(total), st.integers(1, total), st.integers(1, total),
    st.lists(st.tuples(st.integers(1, total), st.integers(1, total)), max_size=3))))
def test_move_section_keeps_the_handbook_clean(args):
    total, number, to, links = args
    files = {INDEX: index_page(total), f"{HB}/references.bib": "",
             "assets/css/section-academic.css": "body {}\n", "assets/js/section-academic.js": "// nav\n",
             "_config.yml": "markdown: kramdown\n"}
    for n in range(1, total + 1):
        extra = "".join(f"See [Section {ROMAN[dst]}]({{{{ '{url(dst)}#{dst}1-first-part' | relative_url }}}}).\n\n"
                        for src, dst in links if src == n)
        files[sec(n)] = section_page(n, total=total, body=f"## {n}.1 First part\n\n{extra}Text {n}.\n")
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        write_tree(root, files)
        with chdir(root):
            cfg = config()
            ws = Workspace.for_paths([Path(".")], cfg)
            sections.move_section(ws, cfg, None, "hb", number, to)
            ws.commit()
        assert not check_tree(root, config=config())
        order = [n for n in range(1, total + 1) if n != number]
        order.insert(to - 1, number)
        for new, old in enumerate(order, start=1):
            text = (root / sec(new)).read_text(encoding="utf-8")
            assert f"Text {old}." in text and f"section: {new}\n" in text
