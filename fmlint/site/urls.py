"""Where a link on the built site goes: hrefs and navigation values as site paths, and their pages."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING
from urllib.parse import urljoin, urlsplit

if TYPE_CHECKING:
    from fmlint.site.page import Page
    from fmlint.site.site import Site

# `{{ site.baseurl }}/x/` renders as the site path `/x/` under the site's base URL.
_BASEURL = re.compile(r"^\{\{-?\s*site\.(?:url\s*-?\}\}\{\{-?\s*site\.)?baseurl\s*-?\}\}")


def site_path(target: str, base_url: str, *, liquid: bool = False) -> str | None:
    """The site path (no fragment or query) a link goes to, or None when it leaves the site or is
    Liquid whose value cannot be known. `relative_url` makes a path relative to the site root, not
    to the page, so a Liquid link's relative path is taken from `/`."""
    target = _BASEURL.sub("", target.strip())
    if "{{" in target or "{%" in target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    path = parts.path
    if not path:
        return base_url if not liquid else "/"
    if not path.startswith("/"):
        path = "/" + path if liquid else urljoin(base_url, path)
    return path


def page_at(site: Site, path: str) -> Page | None:
    """The page served at `path`, as a server would find it: `/x/index.html` and `/x` are `/x/`."""
    page = site.by_url.get(path)
    if page is not None:
        return page
    if path.endswith("/index.html"):
        return site.by_url.get(path[: -len("index.html")])
    if not path.endswith("/"):
        return site.by_url.get(path + "/")
    return None
