"""What a link points at, as the built site sees it: a site path, a fragment, an external URL.

`classify` turns a page's `Link` into a `LinkTarget` (Liquid URL forms evaluated, relative links
resolved against the page's URL, fragment and query split off). `resolve` finds what a site path
names: a loaded page, a page file that was not loaded, an asset, a declared external page, or
nothing. `external_urls` lists every external URL of the site, for the online link check.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote, urljoin, urlsplit

from fmlint.site import liquid
from fmlint.site.page import Link, Page
from fmlint.site.urlindex import PAGE_FILE_SUFFIXES, as_list

if TYPE_CHECKING:
    from fmlint.site.site import Site
    from fmlint.site.urlindex import IndexedPage

_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):")


def _liquid_output(inner: str) -> re.Pattern[str]:
    return re.compile(r"\{\{-?\s*" + inner + r"\s*-?\}\}")


_SITE_URL = _liquid_output(r"site\.url")
_SITE_BASEURL = _liquid_output(r"site\.baseurl")
_PREPEND_BASEURL = _liquid_output(r"""(['"])(?P<path>[^'"]*)\1\s*\|\s*prepend:\s*site\.baseurl""")
_LINK_TAG = re.compile(r"\{%-?\s*link\s+(?P<path>[^\s%]+)\s*-?%\}")
PAGE_SOURCE_SUFFIXES = (".md", ".markdown")


@dataclass(frozen=True)
class LinkTarget:
    kind: str  # "empty" | "fragment" | "site" | "external" | "scheme" | "unknown"
    written: str  # the target as written (Liquid shown as written)
    url: str  # Liquid URL forms evaluated: the site path (+query, fragment), or the external URL
    path: str = ""  # "site": the site path, percent-decoded, without query and fragment
    fragment: str | None = None  # percent-decoded; None when the link has no '#'
    relative: bool = False  # written relative to the page
    with_baseurl: bool = False  # relative_url, absolute_url, site.baseurl or {% link %}
    scheme: str = ""
    source_path: str | None = None  # `{% link path %}`: the source file it names

    @property
    def has_extension(self) -> bool:
        last = self.path.rstrip("/").rsplit("/", 1)[-1]
        return not self.path.endswith("/") and "." in last


def _restore(page: Page, text: str) -> str:
    nodes = page.liquid_nodes
    return liquid.MARKER_RE.sub(lambda m: nodes[int(m.group(1))].source if int(m.group(1)) < len(nodes)
                                else m.group(0), text)


def classify(page: Page, link: Link, baseurl: str = "") -> LinkTarget:
    """What `link` on `page` points at. `baseurl` is `_config.yml`'s (normalised, '' when unset)."""
    written = _restore(page, link.target).strip()
    url = written
    with_baseurl = link.liquid
    source_path = None
    if "{{" in url or "{%" in url:
        m = _SITE_URL.match(url)
        if m:
            url = url[m.end():]
        m = _SITE_BASEURL.match(url)
        if m:
            url, with_baseurl = url[m.end():], True
            url = url if url.startswith("{%") else url or "/"
        if (m := _PREPEND_BASEURL.match(url)) is not None:
            url, with_baseurl = m.group("path") + url[m.end():], True
        elif (m := _LINK_TAG.match(url)) is not None:
            source_path, with_baseurl = m.group("path"), True
            url = url[m.end():]
        if "{{" in url or "{%" in url:
            return LinkTarget("unknown", written, url)
    if source_path is not None:
        fragment = url[1:] if url.startswith("#") else None
        return LinkTarget("site", written, written, "", fragment and unquote(fragment), False, True,
                          source_path=source_path)
    if not url:
        return LinkTarget("empty", written, url)
    m = _SCHEME.match(url)
    if m:
        scheme = m.group(1).lower()
        kind = "external" if scheme in ("http", "https") else "scheme"
        return LinkTarget(kind, written, url, scheme=scheme)
    if url.startswith("//"):
        return LinkTarget("external", written, "https:" + url, scheme="https")
    if url.startswith("#"):
        return LinkTarget("fragment", written, url, page.url, unquote(url[1:]))
    relative = not url.startswith("/")
    if relative and link.liquid:
        url = "/" + url  # relative_url adds the leading slash
        relative = False
    elif relative:
        base = page.url if page.url.startswith("/") else "/" + page.url
        url = urljoin("http://site" + base, url)[len("http://site"):]
    elif baseurl and not with_baseurl and (url == baseurl or url.startswith(baseurl + "/")):
        url, with_baseurl = url[len(baseurl):] or "/", True  # the baseurl written out by hand
    before, hash_, frag = url.partition("#")
    path = unquote(before.split("?", 1)[0])
    return LinkTarget("site", written, url, path or "/", unquote(frag) if hash_ else None, relative,
                      with_baseurl)


# --- resolving site paths ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Resolution:
    kind: str  # "page" | "asset" | "declared" | "missing"
    page: Page | None = None  # a loaded page
    outside: IndexedPage | None = None  # a page file of the site that was not loaded
    url: str = ""  # the URL that matched (path, or path + '/' when `needs_slash`)
    needs_slash: bool = False  # found only with a '/' added
    reason: str = ""  # for "missing": why, and what to do

    def target_page(self, site: Site) -> Page | None:
        """The model of the page reached (a page that was not loaded is parsed on first use)."""
        if self.page is not None:
            return self.page
        if self.outside is not None:
            return site.url_index.parsed(self.outside)
        return None


def _page_candidates(path: str) -> list[str]:
    found = [path]
    if path.endswith("/index.html"):
        found.append(path[: -len("index.html")])
    elif not path.endswith("/") and "." not in path.rsplit("/", 1)[-1]:
        found.append(path + ".html")  # extensionless URLs of `.html` pages (GitHub Pages, jekyll serve)
    return found


def _loaded_page(site: Site, path: str, url: str) -> Resolution | None:
    for candidate in _page_candidates(path):
        page = site.by_url.get(candidate)
        if page is not None and site.renders(page):  # not a draft, an excluded file or a plain README
            return Resolution("page", page=page, url=url)
    return None


def _indexed_page(site: Site, path: str, url: str) -> Resolution | None:
    for candidate in _page_candidates(path):
        entry = site.url_index.page_at(candidate)
        if entry is not None:
            loaded = next((p for p in site.pages if p.source.path == entry.path), None)
            return Resolution("page", page=loaded, outside=None if loaded else entry, url=url)
    return None


def _asset(site: Site, path: str) -> Resolution | None:
    rel = path.lstrip("/")
    if not rel:
        return None
    if not site.asset_exists(path):
        generated = _generated_file(site, rel)
        return Resolution("asset", url=path) if generated else None
    index = site.url_index
    # a page file (with front matter) is rendered to its URL, not copied to its path
    entry = index.page_file((site.root / rel).resolve()) if rel.endswith(PAGE_FILE_SUFFIXES) else None
    if entry is not None and entry.url != path:
        return Resolution("missing", reason=f"{rel} is a page Jekyll serves at {entry.url}: link to that URL")
    if not index.is_published_path(rel):
        return Resolution("missing", reason=f"{rel} exists, but Jekyll does not publish it (excluded in "
                                            "_config.yml, or in a folder starting with '_' or '.')")
    return Resolution("asset", url=path)


def _generated_file(site: Site, rel: str) -> bool:
    """Files Jekyll writes without a source of that name: Sass to CSS, and common plugins' outputs."""
    if rel.endswith(".css"):
        stem = rel[: -len(".css")]
        if any(site.asset_exists(f"/{stem}{ext}") for ext in (".scss", ".sass")):
            return True
    cfg = site.jekyll_config
    plugins = {str(p) for p in (*as_list(cfg.get("plugins")), *as_list(cfg.get("gems")))}
    if "jekyll-feed" in plugins:
        feed = cfg.get("feed") if isinstance(cfg.get("feed"), dict) else {}
        if rel == str(feed.get("path") or "feed.xml").lstrip("/"):
            return True
    return "jekyll-sitemap" in plugins and rel in ("sitemap.xml", "robots.txt")


def resolve(site: Site, path: str) -> Resolution:
    """What the site path `path` (decoded, no query or fragment) names on the built site.

    The loaded pages, the file system and the configuration answer most links; the URL index
    (which walks the site once) is asked only for what they cannot answer.
    """
    found = _loaded_page(site, path, path) or _asset(site, path)
    if found is not None:
        return found
    extensionless = not path.endswith("/") and "." not in path.rsplit("/", 1)[-1]
    slashed = path + "/"
    if extensionless:
        found = _loaded_page(site, slashed, slashed)
        if found is not None:
            return Resolution(found.kind, found.page, found.outside, slashed, needs_slash=True)
        if path not in site.config.external_pages and site.is_declared_external(slashed):
            return Resolution("declared", url=slashed, needs_slash=True)
    if site.is_declared_external(path):
        return Resolution("declared", url=path)
    found = _indexed_page(site, path, path)
    if found is not None:
        return found
    if extensionless:
        found = _indexed_page(site, slashed, slashed)
        if found is not None:
            return Resolution(found.kind, found.page, found.outside, slashed, needs_slash=True)
    return Resolution("missing", reason=_missing_reason(site, path))


def _missing_reason(site: Site, path: str) -> str:
    index = site.url_index
    bare = path.rstrip("/")
    moved = index.permalinked_page_at_folder(bare + "/") or index.permalinked_page_at_folder(bare + ".html")
    if moved is not None:
        rel = moved.path.relative_to(site.root).as_posix()
        return f"{rel} sets permalink {moved.url}, so it is served only there: link to {moved.url}"
    lowered = path.lower()
    for url in site.by_url:
        if url.lower() == lowered:
            return f"URLs are case-sensitive: the page is {url}"
    return ""


def page_for_source(site: Site, from_page: Page, source: str) -> tuple[Path, Page | IndexedPage | None]:
    """The page (loaded or not) whose source file a `.md` link or `{% link %}` names.

    A path starting with '/' is from the site root ({% link %} paths are from the root even
    without it); a relative one is from the linking file's folder, where its author wrote it.
    """
    clean = unquote(source.split("#", 1)[0].split("?", 1)[0])
    if clean.startswith("/"):
        target = (site.root / clean.lstrip("/")).resolve()
    else:
        target = (from_page.source.path.parent / clean).resolve()
    loaded = next((p for p in site.pages if p.source.path.resolve() == target), None)
    if loaded is not None:
        return target, loaded
    return target, site.url_index.page_file(target)


# --- external URLs, for the online check ----------------------------------------------------------------

@dataclass(frozen=True)
class ExternalUrl:
    url: str  # as a client requests it (protocol-relative URLs get https:)
    page: Page
    line: int
    column: int
    kind: str  # the link's kind: "markdown", "image", "html"


def site_baseurl(site: Site) -> str:
    raw = site.jekyll_config.get("baseurl")
    if not isinstance(raw, str) or not raw.strip("/ "):
        return ""
    return "/" + raw.strip().strip("/")


def external_urls(site: Site) -> list[ExternalUrl]:
    """Every http(s) URL that a checked page links to (in prose and HTML, not in code or comments).

    Malformed URLs (see `url_problem`) are left out: they are reported offline, and there is
    nothing to request.
    """
    found = []
    baseurl = site_baseurl(site)
    for page in site.pages:
        for link in page.links:
            target = classify(page, link, baseurl)
            if target.kind == "external" and url_problem(target.url, link.kind == "html") is None:
                found.append(ExternalUrl(target.url, page, link.line, link.column, link.kind))
    return found


def url_problem(url: str, check_spaces: bool = True) -> str | None:
    """Why an http(s) URL is malformed (what a browser or a link checker would trip on), or None.

    `check_spaces` is off for Markdown destinations, where `<a b>` is valid and gets encoded.
    """
    scheme = url.split(":", 1)[0].lower()
    if check_spaces and any(ch.isspace() for ch in url):
        return "contains whitespace: encode a space as %20"
    if "\\" in url.split("?", 1)[0].split("#", 1)[0]:
        return "contains a backslash: use '/'"
    if not url[len(scheme) + 1 :].startswith("//"):
        return f"needs '//' after '{scheme}:' (write {scheme}://host/…)"
    try:
        parts = urlsplit(url)
        host = parts.hostname
        parts.port  # noqa: B018  (raises on a bad port)
    except ValueError as exc:
        return f"cannot be parsed: {exc}"
    if not host:
        return "has no host name after '//'"
    if host.startswith("[") or ":" in host:
        return None  # an IPv6 literal, validated by urlsplit
    labels = host[:-1].split(".") if host.endswith(".") else host.split(".")
    if any(not label for label in labels):
        return f"host name '{host}' has an empty part (two dots in a row, or a leading dot)"
    bad = sorted({ch for ch in host if ch.isascii() and not (ch.isalnum() or ch in "-_.")})
    if bad:
        return f"host name '{host}' contains {''.join(bad)!r}, which host names cannot hold"
    return None


def scheme_typo(scheme: str) -> bool:
    """`htp`, `htps`, `htttps`, `hhtp`: one edit away from http or https (and not a real scheme)."""
    return scheme not in ("http", "https") and any(_one_edit(scheme, s) for s in ("http", "https"))


def _one_edit(a: str, b: str) -> bool:
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        return len(diff) == 1 or (len(diff) == 2 and diff[1] == diff[0] + 1
                                  and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]])
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    return any(long_[:i] + long_[i + 1 :] == short for i in range(len(long_)))
