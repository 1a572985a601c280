"""FM4xx: links and assets: every internal link reaches a page, an asset or an id that exists.

Links are read from the model (Markdown links and images, HTML href/src, written plainly or with
Liquid's relative_url); `fmlint.site.targets` says what each points at on the built site. A page
that was not loaded (another handbook, in pre-commit mode) is found through the site's URL index;
one outside the repository counts only when `external-pages` declares it. External http(s) URLs
are only checked for syntax here; `fmlint.site.targets.external_urls` lists them for the online
check.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator

from fmlint.diagnostics import Diagnostic
from fmlint.rules.base import ERROR, WARNING, Context, Family, Rule
from fmlint.site import liquid
from fmlint.site.page import Link, Page
from fmlint.site.site import Site
from fmlint.site.targets import (PAGE_SOURCE_SUFFIXES, LinkTarget, Resolution, classify, page_for_source,
                                 resolve, scheme_typo, site_baseurl, url_problem)

BROKEN_LINK = Rule("FM401", "broken-link", ERROR, "link to a page that does not exist", """
What it does:
Reports a link to a site page that does not exist: no checked page, no other page file of the
site and no declared external page has that URL. Links written with `relative_url`, plain
Markdown links, HTML `href`s and relative links (resolved against the page's URL) all count. A
page with `permalink:` is known only by its permalink. A page kept outside the repository (another
handbook's site) must be declared in the configuration's `external-pages`. The two links of an
index card are left to the card rules (FM7xx).

Why:
A broken link is a dead end for the reader, and Jekyll builds the site without a word.

Bad:
    See [Section XII]({{ '/content/handbooks/foundation-models/section12/' | relative_url }}),
    which was never written.

Good:
    See [Section XI]({{ '/content/handbooks/foundation-models/section11/' | relative_url }}).
""")

MISSING_ASSET = Rule("FM402", "missing-asset", ERROR, "link to an asset file that does not exist", """
What it does:
Reports a link to a file under the site root (a stylesheet, a script, an image, a PDF) that does
not exist, or that Jekyll does not publish (excluded in `_config.yml`, or in a folder whose name
starts with `_` or `.`). A URL declared in `external-pages` (e.g. `/assets/*` when a theme
provides the assets) is not reported.

Why:
A missing stylesheet or script silently breaks the page's layout and its navigation; a missing
image shows as a broken icon.

Bad:
    <link rel="stylesheet" href="{{ '/assets/css/section-academic.cs' | relative_url }}">

Good:
    <link rel="stylesheet" href="{{ '/assets/css/section-academic.css' | relative_url }}">
""")

UNKNOWN_FRAGMENT = Rule("FM403", "unknown-fragment", ERROR, "the #fragment names no id on the target page", """
What it does:
Reports a `#fragment` that is not an id on the page it points at (the same page for `#x`). The
ids of a page are its HTML `id` attributes, its explicit kramdown ids (`{#id}` after a heading,
`{: #id}` on the line after a block) and the ids kramdown-parser-gfm generates for its headings:
lower-case, every character that is not a letter, digit, `_`, `-`, space or tab removed, spaces
to `-`, and `-1`, `-2`, … for repeats (`## 5.1 Scaled dot-product attention` has
`51-scaled-dot-product-attention`). The fragment may sit inside the Liquid string or after it.

Why:
A fragment that names no id drops the reader at the top of the page instead of the place meant;
it typically happens when a heading is renamed or renumbered.

Bad:
    [attention]({{ '/content/handbooks/foundation-models/section5/' | relative_url }}#5-1-attention)

Good:
    [attention]({{ '/content/handbooks/foundation-models/section5/' | relative_url }}#51-attention)
""")

MARKDOWN_FILE_LINK = Rule("FM404", "markdown-file-link", ERROR, "link to a .md source file", """
What it does:
Reports a link to a Markdown source file (`section3/index.md`, `../intro.md`). `{% link %}` tags,
which Jekyll resolves to the page's URL, are not reported (only checked to name an existing page).

Why:
The built site has no `.md` files: Jekyll renders them to HTML at the page's URL, so the link is a
404 on the site even though it works when browsing the repository.

Bad:
    [Section III](../section3/index.md)

Good:
    [Section III]({{ '/content/handbooks/foundation-models/section3/' | relative_url }})

Fix:
Replaces the file path with the URL of the page it is the source of, written with `relative_url`
(only when that page exists).
""", fixable=True)

MISSING_TRAILING_SLASH = Rule("FM405", "missing-trailing-slash", WARNING, "page link without the trailing /", """
What it does:
Reports a link to a page URL written without its trailing `/` (`/content/handbooks/x/section3`
for the page `/content/handbooks/x/section3/`).

Why:
The page lives at the URL with the slash; without it the server answers with a redirect at best,
a 404 on some hosts, and relative links on the page resolve differently.

Bad:
    [Section III]({{ '/content/handbooks/foundation-models/section3' | relative_url }})

Good:
    [Section III]({{ '/content/handbooks/foundation-models/section3/' | relative_url }})

Fix:
Adds the `/` at the end of the path (before any `#fragment` or `?query`).
""", fixable=True)

MISSING_ALT = Rule("FM406", "missing-alt-text", WARNING, "image without alt text", """
What it does:
Reports a Markdown image with empty alt text (`![](plot.png)`) and an HTML `<img>` without an
`alt` attribute. An explicit `alt=""` marks a decorative image and is accepted.

Why:
Screen readers announce an image without alt text by its file name, and readers whose images do
not load see nothing at all.

Bad:
    ![](/assets/img/attention.png)

Good:
    ![Attention weights of one head over a sentence](/assets/img/attention.png)
""")

MALFORMED_URL = Rule("FM407", "malformed-url", ERROR, "external URL is malformed", """
What it does:
Reports an external link that is not a well-formed http(s) URL: a missing `//` (`https:/x.org`),
no host, an empty host part (`example..com`), a bad port, whitespace or a backslash in an HTML
`href`, a misspelt scheme (`htps://`), or a scheme without its colon (`https//x.org`). External
URLs are checked for syntax only; whether they answer is the online check's job. `mailto:`,
`tel:` and other schemes are not checked.

Why:
A malformed URL never reaches its site; browsers turn some of them into links to a page of this
site instead.

Bad:
    [the paper](https:/arxiv.org/abs/1706.03762)

Good:
    [the paper](https://arxiv.org/abs/1706.03762)
""")

LINK_IGNORES_BASEURL = Rule("FM408", "link-ignores-baseurl", ERROR, "site path written without relative_url while baseurl is set", """
What it does:
When `_config.yml` sets a `baseurl` (a project site served under `/<repository>/`), reports a link
to a site path (starting with `/`) written plainly instead of through `relative_url` (or
`site.baseurl`).

Why:
With a baseurl the site is served under it: a plain `/content/...` link points outside the site
and is a 404 on the published site, though it works in a local preview without the baseurl.

Bad:
    [Section III](/content/handbooks/foundation-models/section3/)

Good:
    [Section III]({{ '/content/handbooks/foundation-models/section3/' | relative_url }})

Fix:
Wraps the path in `{{ '…' | relative_url }}`.
""", fixable=True)

RULES = (BROKEN_LINK, MISSING_ASSET, UNKNOWN_FRAGMENT, MARKDOWN_FILE_LINK, MISSING_TRAILING_SLASH,
         MISSING_ALT, MALFORMED_URL, LINK_IGNORES_BASEURL)


def check_page(page: Page, ctx: Context) -> Iterator[Diagnostic]:
    site = ctx.site
    if page.source.problem is not None or not site.renders(page):
        return
    baseurl = site_baseurl(site)
    for link in page.links:
        target = classify(page, link, baseurl)
        yield from _check_link(site, page, link, target, baseurl)
    yield from _check_alt(page)


def _check_link(site: Site, page: Page, link: Link, target: LinkTarget, baseurl: str) -> Iterator[Diagnostic]:
    line, col = link.line, _column(page, link)
    shown = target.written
    if target.kind == "external":
        problem = url_problem(target.url, check_spaces=link.kind == "html")
        if problem:
            yield MALFORMED_URL(page.path, line, col, f"URL '{shown}' {problem}")
        return
    if target.kind == "scheme":
        if scheme_typo(target.scheme):
            yield MALFORMED_URL(page.path, line, col,
                                f"URL '{shown}' has the scheme '{target.scheme}:': did you mean http: or https:?")
        return
    if target.kind == "fragment":
        yield from _check_fragment(site, page, page, target.fragment or "", line, col)
        return
    if target.kind != "site":
        return  # empty, or Liquid fmlint cannot evaluate
    if target.relative and _looks_external(target.written):
        yield MALFORMED_URL(page.path, line, col,
                            f"'{shown}' looks like an external URL but has no scheme: write https://…")
        return
    if _in_index_card(page, link):
        return  # card links are checked against their section by FM7xx
    if target.source_path is not None:  # {% link path %}
        yield from _check_link_tag(site, page, target, line, col)
        return
    if target.path.endswith(PAGE_SOURCE_SUFFIXES):
        yield _markdown_link(site, page, target, line, col)
        return
    res = resolve(site, target.path)
    where = _where(target)
    if res.kind == "missing":
        if target.has_extension and not target.path.endswith((".html", ".htm")):
            theme = any(site.jekyll_config.get(k) for k in ("theme", "remote_theme"))
            yield MISSING_ASSET(page.path, line, col, f"{where}: {res.reason}" if res.reason else
                                f"{where}: there is no file {target.path.lstrip('/')} under the site root; "
                                "add it or fix the path" + (" (if the theme provides it, declare it in the "
                                                             "configuration's external-pages)" if theme else ""))
        else:
            yield BROKEN_LINK(page.path, line, col, f"no page has the URL {where}: {res.reason}" if res.reason else
                              f"no page has the URL {where}: fix the link, or declare the URL in the "
                              "configuration's external-pages if the page lives outside this repository")
        return
    if baseurl and not target.with_baseurl and not target.relative:
        yield LINK_IGNORES_BASEURL(page.path, line, col,
                                   f"'{shown}' is written without relative_url, but _config.yml sets baseurl "
                                   f"'{baseurl}', so on the site it points outside the site: write "
                                   f"{{{{ '{target.url}' | relative_url }}}}")
    if res.needs_slash:
        yield MISSING_TRAILING_SLASH(page.path, line, col,
                                     f"link to {where} lacks the trailing '/': the page's URL is {res.url}")
    if target.fragment is not None and res.kind == "page":
        target_page = res.target_page(site)
        if target_page is not None:
            yield from _check_fragment(site, page, target_page, target.fragment, line, col)


def _check_link_tag(site: Site, page: Page, target: LinkTarget, line: int, col: int) -> Iterator[Diagnostic]:
    # Jekyll fails the build on a {% link %} to a missing file; fmlint says so before the build.
    path, found = page_for_source(site, page, "/" + (target.source_path or "").lstrip("/"))
    if found is None:
        if not path.is_file():
            yield BROKEN_LINK(page.path, line, col,
                              f"{{% link {target.source_path} %}} names no file of the site (the path is "
                              "from the site root): Jekyll stops the build on it")
        return  # a static file: {% link %} serves it at its path
    if target.fragment is not None:
        target_page = found if isinstance(found, Page) else site.url_index.parsed(found)
        yield from _check_fragment(site, page, target_page, target.fragment, line, col)


def _markdown_link(site: Site, page: Page, target: LinkTarget, line: int, col: int) -> Diagnostic:
    source = target.written if target.relative else target.path
    _, found = page_for_source(site, page, source)
    name = target.written.split("#", 1)[0]
    if found is None:
        return MARKDOWN_FILE_LINK(page.path, line, col,
                                  f"link to the source file {name}, which is not on the built site (and no "
                                  "such page exists): link to the page's URL instead", fixable=False)
    frag = f"#{target.fragment}" if target.fragment is not None else ""
    return MARKDOWN_FILE_LINK(page.path, line, col,
                              f"link to the source file {name}, which is not on the built site: link to "
                              f"the page's URL {{{{ '{found.url}{frag}' | relative_url }}}}")


def _check_fragment(site: Site, page: Page, target_page: Page, fragment: str, line: int,
                    col: int) -> Iterator[Diagnostic]:
    known = page_ids(target_page, site)
    if known is None or fragment in known or fragment == "" or fragment.lower() == "top":
        return  # '#' and '#top' scroll to the top of any page (HTML's rule)
    where = "this page" if target_page is page else target_page.url
    close = difflib.get_close_matches(fragment, sorted(known), n=1, cutoff=0.6)
    hint = f": did you mean #{close[0]}?" if close else ": link to an existing heading or id, or add the id"
    yield UNKNOWN_FRAGMENT(page.path, line, col, f"#{fragment} is not an id on {where}{hint}")


def page_ids(page: Page, site: Site | None = None) -> set[str] | None:
    """Every id a fragment can name on `page`, or None when fmlint cannot know them all."""
    if not page.parsed:
        return None
    if any(liquid.MARK_OPEN in h.raw for h in page.headings):
        return None  # a heading built by Liquid: its generated id is unknown
    if any(liquid.MARK_OPEN in el.attrs.get("id", "") for el in page.elements):
        return None
    if any(n.name in ("include", "include_relative") and n.context in ("content", "html")
           and _include_may_add_ids(site, page, n) for n in page.liquid_nodes):
        return None  # an included file may bring its own ids
    ids = set(page.id_set)
    ids.update(el.attrs["name"] for el in page.elements if el.tag == "a" and el.attrs.get("name"))
    if any(n.name == "bibliography" and n.context in ("content", "html") for n in page.liquid_nodes):
        ids.update(_bibliography_ids(page))
    if _has_toc(page):  # kramdown's table of contents: <ul id="markdown-toc">, <a id="markdown-toc-<id>">
        ids.add("markdown-toc")
        ids.update(f"markdown-toc-{h.id}" for h in page.headings if h.id)
    return ids


# What in an included file can give the page an id: an id/name attribute, a kramdown id, a Markdown
# heading (ATX or setext), or a further include.
_ID_SOURCES = re.compile(r"\b(?:id|name)\s*=|\{:?\s*#|^ {0,3}#|^ {0,3}(?:=+|-+)\s*$|\{%-?\s*include",
                         re.MULTILINE)


_TOC_IAL = re.compile(r"^\s*\{:\s*toc\s*\}\s*$")


def _has_toc(page: Page) -> bool:
    if "toc" not in page.source.text:
        return False
    in_code = {n for cb in page.code_blocks for n in range(cb.line, cb.end_line + 1)}
    return any(_TOC_IAL.match(text) and n not in in_code for n, text in enumerate(page.lines, 1))


def _include_may_add_ids(site: Site | None, page: Page, node: liquid.LiquidNode) -> bool:
    """Whether `{% include file %}` may bring ids of its own: only a file fmlint can read and that
    holds nothing that makes an id is known not to."""
    name = node.markup.split(None, 1)[1].split()[0] if len(node.markup.split()) > 1 else ""
    if site is None or not name or "{" in name:
        return True
    if node.name == "include_relative":
        base = page.source.path.parent
    else:
        base = site.root / str(site.jekyll_config.get("includes_dir") or "_includes").strip("/")
    try:
        text = (base / name).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return True
    return _ID_SOURCES.search(text) is not None


def _bibliography_ids(page: Page) -> set[str]:
    # jekyll-scholar gives each reference its key as id; `cite` links to `#key`.
    keys: set[str] = set()
    bib = getattr(page.handbook, "bibliography", None)
    for entry in getattr(bib, "entries", None) or ():
        key = getattr(entry, "key", None)
        if isinstance(key, str):
            keys.add(key)
    for node in page.liquid_nodes:
        if node.name in ("cite", "nocite", "citation"):
            for tok in node.markup.split()[1:]:
                if tok.startswith("-"):
                    break
                keys.add(tok)
    return keys


def _check_alt(page: Page) -> Iterator[Diagnostic]:
    for link in page.links:
        if link.kind == "image" and not link.text.strip():
            written = page.line_text(link.line)
            if "![{{" in written or "![{%" in written:
                continue  # alt text written with Liquid
            yield MISSING_ALT(page.path, link.line, written.rfind("![", 0, max(link.column - 1, 0)) + 1 or 1,
                              "image has no alt text: describe it between the brackets, ![what it shows](…)")
    for el in page.elements:
        if el.tag == "img" and "alt" not in el.attrs:
            yield MISSING_ALT(page.path, el.line, el.column,
                              '<img> has no alt attribute: add alt="what it shows" (alt="" if purely decorative)')


def _in_index_card(page: Page, link: Link) -> bool:
    if page.role != "index" or link.element is None:
        return False
    el = link.element.parent
    while el is not None:
        if el.tag == "div" and "section-card" in el.attrs.get("class", "").split():
            return True
        el = el.parent
    return False


def _looks_external(written: str) -> bool:
    w = written.lower()
    if w.startswith(("http//", "https//")):
        return True
    return w.startswith("www.") and w.split("/", 1)[0].count(".") >= 2


def _where(target: LinkTarget) -> str:
    if target.relative:
        return f"'{target.written}' (resolves to {target.path})"
    return target.path if target.written.split("#", 1)[0].split("?", 1)[0] == target.path else \
        f"{target.path} ('{target.written}')"


def _column(page: Page, link: Link) -> int:
    """Markdown links: their destination; HTML links: the attribute holding the URL."""
    if link.element is None:
        return link.column
    text = page.line_text(link.line)
    i = text.find(f"{link.attr}=", max(link.column - 1, 0))
    return i + 1 if i >= 0 else link.column


def resolution_of(site: Site, page: Page, link: Link) -> tuple[LinkTarget, Resolution | None]:
    """A link's target and, for site paths, what it resolves to (for other modules, e.g. fixes)."""
    target = classify(page, link, site_baseurl(site))
    if target.kind != "site" or target.source_path is not None:
        return target, None
    return target, resolve(site, target.path)


FAMILY = Family("links and assets", "FM4", RULES, check_page=check_page)
