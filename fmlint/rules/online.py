"""FM4xx, online: external URLs requested over the network, reported at every line that uses them.

These rules run only with `fmlint check --online` (or `links.online = true`); the offline FM4
rules already check the URLs' syntax. Each unique URL is requested once, with LinkChecker run as
a separate program (`fmlint.online`), and its answer is cached for `links.ttl-days`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from fmlint.diagnostics import Diagnostic
from fmlint.online import check_urls, collect_urls, exclude_patterns
from fmlint.online.collect import UrlUse, is_doi_url
from fmlint.online.fixes import moved_to, safe_rewrite
from fmlint.online.results import BROKEN, FRAGMENT_NO_IDS, OK, UNAVAILABLE, UNREACHABLE, LinkResult
from fmlint.rules.base import ERROR, INFO, WARNING, Context, Family, Rule
from fmlint.site.site import Site

DEAD_LINK = Rule("FM409", "dead-external-link", ERROR, "external URL answers 404 Not Found or 410 Gone", """
What it does:
With `--online`, reports an external URL (a link, an image, a bibliography's `url`) whose server
answers 404 Not Found or 410 Gone, after following redirects, and a bibliography `doi` that
https://doi.org does not know. Every line that uses the URL is reported.

Why:
Links rot: papers move, repositories are renamed, a DOI gets a typo. The reader meets the dead
end, not the author; Jekyll builds the site without a word.

Bad:
    [the dataset](https://example.org/datasets/old-name)

Good:
    [the dataset](https://example.org/datasets/new-name)
""")

UNREACHABLE_LINK = Rule("FM410", "unreachable-external-link", ERROR, "external URL cannot be reached", """
What it does:
With `--online`, reports an external URL whose host does not answer at all: the host name does
not resolve, the connection is refused, the TLS handshake or certificate fails, or the redirects
loop. If no URL of a run can be reached (no network), the results are not cached.

Why:
A host that does not exist or refuses every connection is as dead as a 404, often because the
domain lapsed or the name is misspelt.

Bad:
    [the project page](https://pytorch.orgg/docs/)

Good:
    [the project page](https://pytorch.org/docs/)
""")

UNAVAILABLE_LINK = Rule("FM411", "unavailable-external-link", WARNING,
                        "external URL answers 429, another 4xx, a 5xx, or too slowly", """
What it does:
With `--online`, reports an external URL that answers 429 Too Many Requests, a server error
(5xx), another client error (401, 403, …), or nothing within `links.timeout` seconds. These
often pass on the next try, or are a site refusing automated checks, so they are warnings, and
their results are cached for a day at most.

Why:
A page that keeps failing is likely to be gone for readers too; one that fails once is not.
Checking again later tells the two apart.

Bad:
    [a server that keeps failing](https://flaky.example.org/paper.pdf)

Good:
    [the same paper on arXiv](https://arxiv.org/abs/1706.03762)

Options:
`links.timeout` (seconds per request) and `links.exclude` (regular expressions of URLs that are
never requested, e.g. sites that refuse automated checks).
""")

REDIRECTED_LINK = Rule("FM412", "permanently-redirected-link", INFO, "external URL redirects permanently", """
What it does:
With `--online`, reports an external URL that answers with a permanent redirect (301 or 308), and
gives the URL it moved to (the end of the leading run of permanent redirects; a temporary 302,
303 or 307 is not reported, and DOIs are meant to redirect).

Why:
A permanent redirect says the old address is retired: it may stop working, and every visit costs
an extra round trip. Linking the new URL keeps the handbook current.

Bad:
    [the paper](http://arxiv.org/abs/1706.03762)

Good:
    [the paper](https://arxiv.org/abs/1706.03762)

Fix:
Rewrites the URL to the one it moved to, keeping the #fragment, when the move stays on the same
host (`www.` aside), does not downgrade https to http and adds no query string; other moves are
reported for a person to judge. The fix uses the cached result of an `--online` run.
""", fixable=True)

UNKNOWN_EXTERNAL_FRAGMENT = Rule("FM413", "unknown-external-fragment", WARNING,
                                 "the #fragment names no id on the external page", """
What it does:
With `--online`, reports a `#fragment` of an external link that is not an `id` (or `<a name>`) on
the HTML page it points at. GitHub's `user-content-` heading ids count, and fragments a page's
script reads rather than an id (`#/route`, `#!x`, `#L10-L20`, `#page=2`, `#:~:text=`, `#top`)
are not checked.

Why:
A fragment that names no id drops the reader at the top of a long page instead of the place
meant; it happens when the other site renames a heading.

Bad:
    [the Trainer class](https://huggingface.co/docs/transformers/main_classes/trainer#trainerr)

Good:
    [the Trainer class](https://huggingface.co/docs/transformers/main_classes/trainer#trainer)
""")

RULES = (DEAD_LINK, UNREACHABLE_LINK, UNAVAILABLE_LINK, REDIRECTED_LINK, UNKNOWN_EXTERNAL_FRAGMENT)
CODES = tuple(r.code for r in RULES)


def check_site(site: Site, ctx: Context) -> Iterator[Diagnostic]:
    if not ctx.config.links.online:
        return  # offline: nothing here may touch the network
    uses = collect_urls(site, exclude_patterns(ctx.config))
    if not uses:
        return
    results = check_urls(list(uses), site.root, ctx.config)
    for url, url_uses in uses.items():
        result = results.get(url)
        if result is None:
            continue  # LinkChecker gave no answer for it: nothing to say
        for use in url_uses:
            yield from findings(use, url, result, ctx.config.links.timeout)


def findings(use: UrlUse, url: str, result: LinkResult, timeout: float) -> Iterator[Diagnostic]:
    """What `result` (for the request URL `url`) means at one place that writes the URL."""
    where = (use.path, use.line, use.column)
    subject = f"DOI {use.written} ({url})" if use.is_doi else use.written
    doi = is_doi_url(url)
    if doi and _doi_resolved(result):
        # doi.org knows the DOI; the publisher's page behind it is not the author's to fix
        if not use.is_doi:
            yield from _redirect(use, result, where)
        return
    after = f" (after redirects, at {result.final_url})" if result.redirects and result.final_url else ""
    if result.status == BROKEN:
        if doi:
            yield DEAD_LINK(*where, f"{subject} is not a registered DOI: doi.org answers {result.detail}; "
                                    "check the DOI against the publisher's page")
        else:
            yield DEAD_LINK(*where, f"{subject} answers {result.detail}{after}: link to where the page moved, "
                                    f"or to an archived copy (https://web.archive.org/web/*/{use.written})")
    elif result.status == UNREACHABLE:
        yield UNREACHABLE_LINK(*where, f"{subject} cannot be reached ({_reason(result.detail)}): check the "
                                       "host name, or link to where the page lives now")
    elif result.status == UNAVAILABLE:
        yield UNAVAILABLE_LINK(*where, f"{subject} {_unavailable(result, timeout)}{after}")
    elif result.status == OK:
        yield from _redirect(use, result, where)
        if use.fragment is not None and result.fragment:
            yield _fragment(use, result, where)


def _doi_resolved(result: LinkResult) -> bool:
    return any(not is_doi_url(new) for new, _ in result.redirects)


def _redirect(use: UrlUse, result: LinkResult, where: tuple[str, int, int]) -> Iterator[Diagnostic]:
    new = moved_to(use, result)
    if new is None:
        return
    code = next(c for _, c in result.redirects)
    fixable = safe_rewrite(use, result) is not None
    how = "" if fixable else " (check the new page first: it is on another host, or adds a query)"
    yield REDIRECTED_LINK(*where, f"{use.written} redirects permanently ({code}) to {new}: link to the new URL{how}",
                          fixable=fixable)


def _fragment(use: UrlUse, result: LinkResult, where: tuple[str, int, int]) -> Diagnostic:
    page = use.written.partition("#")[0]
    if result.fragment == FRAGMENT_NO_IDS:
        hint = ("the page has no ids at all; if its content is built by JavaScript, add the URL to "
                "links.exclude, else drop the fragment")
    elif result.suggestion:
        hint = f"did you mean #{result.suggestion}?"
    else:
        hint = "link to an existing id on that page, or drop the fragment"
    return UNKNOWN_EXTERNAL_FRAGMENT(*where, f"#{use.fragment} is not an id on {page}: {hint}")


def _unavailable(result: LinkResult, timeout: float) -> str:
    if result.timeout:
        return (f"did not answer within {timeout:g} s: check it in a browser; if it is only slow, raise "
                "links.timeout")
    if result.code == 429:
        return "answers 429 Too Many Requests (rate-limited): check again later"
    if result.code is not None and result.code >= 500:
        return f"answers {result.detail} (a server error, often passing): check again later"
    return (f"answers {result.detail}: the site may refuse automated checks; if the page opens in a "
            "browser, add the URL to links.exclude")


_REASONS = (
    (re.compile(r"NameResolution|Failed to resolve|Hostname not found|Name or service not known|getaddrinfo", re.I),
     "its host name does not resolve"),
    (re.compile(r"SSLError|certificate", re.I), "the TLS connection fails"),
    (re.compile(r"Connection refused|NewConnectionError", re.I), "no connection can be made: refused, or no route"),
    (re.compile(r"RemoteDisconnected|Connection aborted|Connection reset", re.I), "the server drops the connection"),
    (re.compile(r"TooManyRedirects", re.I), "its redirects never end"),
)


def _reason(detail: str) -> str:
    """A short reason from LinkChecker's error text (an exception and a message cut at 240 characters)."""
    for pattern, reason in _REASONS:
        if pattern.search(detail):
            return reason
    return detail if len(detail) <= 120 else detail[:119] + "…"


FAMILY = Family("external links (online)", "FM4", RULES, check_site=check_site)
