"""Every external URL of the site with every place it is written, keyed by the URL to request.

Pages give their Markdown and HTML links, images and `src`s (`fmlint.site.targets.external_urls`,
limited to pages Jekyll renders, as the offline link rules are); bibliographies give their `url`
fields and their `doi` fields (a DOI is requested as https://doi.org/<doi>). Two spellings of one
URL (an IRI and its percent-encoded form, an upper-case host) are requested once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import quote, urlsplit, urlunsplit

from fmlint.site.site import Site
from fmlint.site.targets import external_urls, url_problem

# Replaced by the tests with a local server; the resolver every DOI link goes through.
DOI_RESOLVER = "https://doi.org/"
DOI_HOSTS = ("doi.org", "dx.doi.org")

# Reserved for examples and local use (RFC 2606, RFC 6761): never a real resource to request.
_RESERVED_HOSTS = ("localhost", "example.com", "example.net", "example.org", "0.0.0.0")
_RESERVED_SUFFIXES = (".localhost", ".example", ".invalid", ".test", ".local", ".example.com",
                      ".example.net", ".example.org")
_DOI_PREFIX = re.compile(r"^\s*(?:https?://(?:dx\.)?doi\.org/|doi:\s*)", re.I)
_LATEX_ESCAPE = re.compile(r"\\([_%&#$~])")
_URL_MACRO = re.compile(r"^\\(?:url|href)\s*\{(.*)\}\s*$", re.S)
# Fragments a page's JavaScript reads, not ids: routes (#/a, #!a), states (#page=2, #scrollTo=x),
# text fragments (#:~:text=), line anchors of code hosts (#L10, #L10-L20).
_SCRIPT_FRAGMENT = re.compile(r"^(?:[/!]|.*[=]|:~:|L\d+(?:C\d+)?(?:-L\d+(?:C\d+)?)?$)")


@dataclass(frozen=True)
class UrlUse:
    """One place a URL is written."""

    path: str  # display path of the page or bibliography
    line: int
    column: int
    written: str  # the URL as written (a bare DOI for `doi` fields)
    fragment: str | None  # the #fragment to find on the page, when it is an id to check
    source: str  # "page", "bib-url" or "bib-doi"
    entry: str = ""  # the bibliography entry key
    exact: bool = False  # `written` stands literally at (line, column), so a fix can rewrite it

    @property
    def is_doi(self) -> bool:
        return self.source == "bib-doi"


def request_url(url: str) -> str:
    """The URL as a client sends it: scheme and host lower-case, other non-ASCII and spaces encoded.

    The fragment is kept only when it names an id to check on the page (see `checked_fragment`).
    """
    parts = urlsplit(url.strip())
    host = parts.hostname or ""
    try:
        ascii_host = host.encode("idna").decode("ascii") if not host.isascii() else host
    except UnicodeError:
        ascii_host = host
    netloc = parts.netloc
    if "@" in netloc:
        netloc = netloc.rsplit("@", 1)[1]  # credentials are never sent by a link check
    port = netloc.rsplit(":", 1)[1] if ":" in netloc and not netloc.endswith("]") else ""
    if ":" in host:
        ascii_host = f"[{host}]"  # an IPv6 literal
    netloc = ascii_host + (f":{port}" if port else "")
    safe = "!#$%&'()*+,/:;=?@[]~"
    path = quote(parts.path or "/", safe=safe)
    query = quote(parts.query, safe=safe)
    fragment = checked_fragment(parts.fragment) if "#" in url else None
    return urlunsplit((parts.scheme.lower(), netloc, path, query, quote(fragment, safe=safe) if fragment else ""))


def checked_fragment(fragment: str) -> str | None:
    """The fragment when it names an id a page must have; None for script state and `#top`."""
    if not fragment or fragment.lower() == "top" or _SCRIPT_FRAGMENT.match(fragment):
        return None
    return fragment


def never_requested(url: str) -> bool:
    host = (urlsplit(url).hostname or "").rstrip(".").lower()
    return host in _RESERVED_HOSTS or host.endswith(_RESERVED_SUFFIXES)


def doi_url(doi: str) -> str:
    return DOI_RESOLVER + quote(doi, safe="/:;()._-~!$&'*+,=@")


def is_doi_url(url: str) -> bool:
    resolver = urlsplit(DOI_RESOLVER)
    parts = urlsplit(url)
    return (parts.hostname or "").lower() in (*DOI_HOSTS, resolver.hostname) and (
        parts.hostname != resolver.hostname or parts.path.startswith(resolver.path))


def collect_urls(site: Site, exclude: list[re.Pattern[str]] | None = None) -> dict[str, list[UrlUse]]:
    """Request URL -> every place it is written, in file order; excluded URLs are left out."""
    # The pages Jekyll renders are the link sources, as for the offline link rules.
    found: dict[str, list[UrlUse]] = {}
    exclude = exclude or []

    def add(url: str, use: UrlUse) -> None:
        if never_requested(url) or any(p.search(url) or p.search(use.written) for p in exclude):
            return
        found.setdefault(request_url(url), []).append(use)

    rendered: dict[int, bool] = {}
    for ext in external_urls(site):
        page = ext.page
        if id(page) not in rendered:
            rendered[id(page)] = page.source.problem is None and site.renders(page)
        if not rendered[id(page)]:
            continue
        written = ext.url
        text = page.line_text(ext.line)
        if written not in text and written.startswith("https://") and written[6:] in text:
            written = written[6:]  # a protocol-relative link
        at = text.find(written, max(ext.column - 1, 0))
        at = at if at >= 0 else text.find(written)
        fragment = checked_fragment(ext.url.partition("#")[2]) if "#" in ext.url else None
        add(ext.url, UrlUse(page.path, ext.line, at + 1 if at >= 0 else ext.column, written, fragment, "page",
                            exact=at >= 0))
    for bib in site.bibliographies:
        for url, use in _bib_uses(bib):
            add(url, use)
    return found


def _bib_uses(bib: object) -> list[tuple[str, UrlUse]]:
    source = getattr(bib, "source", None)
    if source is None or source.problem is not None:
        return []
    lines = source.lines
    out: list[tuple[str, UrlUse]] = []
    for entry in getattr(bib, "entries", ()):
        for name in ("url", "doi"):
            f = entry.fields.get(name)
            if f is None or f.problem or f.undefined:
                continue
            value = _LATEX_ESCAPE.sub(r"\1", f.value.strip())
            m = _URL_MACRO.match(value)
            value = (m.group(1) if m else value).strip()
            text = lines[f.line - 1] if 0 < f.line <= len(lines) else ""
            if name == "url":
                if not value.lower().startswith(("http://", "https://")) or url_problem(value) is not None:
                    continue  # not a web address, or malformed: nothing to request
                column, exact = _field_column(text, value, f.raw)
                fragment = checked_fragment(value.partition("#")[2]) if "#" in value else None
                out.append((value, UrlUse(bib.display, f.line, column, value, fragment, "bib-url", entry.key,
                                          exact=exact)))
            else:
                doi = _DOI_PREFIX.sub("", value).strip()
                if not doi.startswith("10.") or "/" not in doi or any(ch.isspace() for ch in doi):
                    continue  # not a DOI fmlint can resolve (the citation rules judge its form)
                column, _ = _field_column(text, doi, f.raw)
                out.append((doi_url(doi), UrlUse(bib.display, f.line, column, doi, None, "bib-doi", entry.key)))
    return out


def _field_column(text: str, value: str, raw: str) -> tuple[int, bool]:
    """Column of `value` on its line, and whether it is written there literally (else: the field's value)."""
    at = text.find(value)
    if at >= 0:
        return at + 1, True
    at = text.find(raw.strip())
    return (at + 2 if at >= 0 and raw.strip()[:1] in "{\"" else at + 1 if at >= 0 else 1), False
