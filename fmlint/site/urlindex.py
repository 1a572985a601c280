"""Every page file of the site by URL, read cheaply: for links to pages that were not loaded.

When fmlint checks only some files (pre-commit passes the changed ones; `load_site` then loads
their whole handbooks), a link to a page of another handbook in the same repository must not
look broken. The index walks the site once, reads only each page file's front matter (for
`permalink`) and maps URLs to files. It is built on the first lookup that the loaded pages
cannot answer, so a run whose links all resolve never walks the tree. A page is parsed (fully)
only when a link asks for one of its ids.
"""

from __future__ import annotations

import fnmatch
import os
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from fmlint.site.page import Page, build_page
from fmlint.site.source import read_source

if TYPE_CHECKING:
    from fmlint.site.site import Site

# Files Jekyll renders as pages when they start with front matter.
PAGE_FILE_SUFFIXES = (".md", ".markdown", ".html", ".htm")
_FRONT_MATTER_MAX_LINES = 200
# Jekyll 4's default `exclude` list (a site's own list is added to it).
_JEKYLL_DEFAULT_EXCLUDES = (".sass-cache", ".jekyll-cache", "gemfiles", "Gemfile", "Gemfile.lock",
                            "node_modules", "vendor/bundle", "vendor/cache", "vendor/gems", "vendor/ruby")


@dataclass(frozen=True)
class IndexedPage:
    path: Path
    url: str  # where Jekyll serves it (its permalink when it sets one)
    folder_url: str  # the URL its path would give without a permalink
    redirects: tuple[str, ...] = ()  # jekyll-redirect-from's `redirect_from`


class UrlIndex:
    def __init__(self, site: Site) -> None:
        self._site = site
        self._by_url: dict[str, IndexedPage] | None = None
        self._by_folder_url: dict[str, IndexedPage] = {}
        self._by_path: dict[Path, IndexedPage] = {}
        self._parsed: dict[Path, Page] = {}
        cfg = site.jekyll_config
        self._excludes = [str(e).strip("/") for e in (*_JEKYLL_DEFAULT_EXCLUDES, *as_list(cfg.get("exclude")))]
        self._includes = [str(e).strip("/") for e in as_list(cfg.get("include"))]

    # --- what Jekyll publishes --------------------------------------------------------------------
    def is_published_path(self, rel: str) -> bool:
        """Whether Jekyll copies the file at `rel` (site-root relative, '/'-separated) to the site.

        Jekyll skips `exclude`d paths, and names starting with `_` or `.` unless `include`d.
        """
        rel = rel.strip("/")
        if any(_matches(rel, pattern) for pattern in self._excludes):
            return False
        parts = rel.split("/")
        for k, part in enumerate(parts):
            if part[:1] in ("_", ".") and not any(_matches("/".join(parts[: k + 1]), p) for p in self._includes):
                return False
        return True

    # --- lookups ----------------------------------------------------------------------------------
    def page_at(self, url: str) -> IndexedPage | None:
        """The page file served at `url` (or redirecting from it), loaded or not."""
        return self._index().get(url)

    def permalinked_page_at_folder(self, url: str) -> IndexedPage | None:
        """A page whose folder URL is `url` but which is served elsewhere (it sets `permalink`)."""
        self._index()
        found = self._by_folder_url.get(url)
        return found if found is not None and found.url != url else None

    def page_file(self, path: Path) -> IndexedPage | None:
        self._index()
        return self._by_path.get(path)

    def parsed(self, entry: IndexedPage) -> Page:
        """The full model of a page that was not loaded (parsed on first use, then kept)."""
        page = self._parsed.get(entry.path)
        if page is None:
            page = build_page(read_source(entry.path, self._site.config.max_file_size), entry.url)
            self._parsed[entry.path] = page
        return page

    # --- building ---------------------------------------------------------------------------------
    def _index(self) -> dict[str, IndexedPage]:
        if self._by_url is not None:
            return self._by_url
        from fmlint.site.site import page_url  # noqa: PLC0415  (site imports this module)

        site = self._site
        pretty = site.jekyll_config.get("permalink") == "pretty"
        by_url: dict[str, IndexedPage] = {}
        for path in self._page_files():
            rel = path.relative_to(site.root)
            front = _front_matter(path)
            if front is None:
                continue  # no front matter: a static file, served at its path (an asset)
            folder_url = page_url(rel, None, pretty)
            url = page_url(rel, front.get("permalink"), pretty)
            redirects = tuple(str(r) for r in as_list(front.get("redirect_from")))
            entry = IndexedPage(path, url, folder_url, redirects)
            self._by_path[path] = entry
            by_url.setdefault(url, entry)
            self._by_folder_url.setdefault(folder_url, entry)
            for r in redirects:
                by_url.setdefault(r if r.startswith("/") else "/" + r, entry)
        self._by_url = by_url
        return by_url

    def _page_files(self) -> list[Path]:
        from fmlint.site.site import SKIP_DIRS  # noqa: PLC0415

        root = self._site.root
        found = []
        for folder, dirs, files in os.walk(root):
            rel_folder = PurePosixPath(Path(folder).relative_to(root).as_posix())
            dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS
                             and self.is_published_path((rel_folder / d).as_posix()))
            for name in sorted(files):
                if name.endswith(PAGE_FILE_SUFFIXES) and self.is_published_path((rel_folder / name).as_posix()):
                    found.append(Path(folder) / name)
        return found


def _matches(rel: str, pattern: str) -> bool:
    # Jekyll: fnmatch against the source-relative path, or the path starts with the pattern
    # (so `exclude: [drafts/]` and `exclude: [drafts]` both exclude the folder).
    folder = pattern.strip("/")
    return rel == folder or rel.startswith(folder + "/") or fnmatch.fnmatch(rel, pattern)


def as_list(value: object) -> list:
    if value is None:
        return []
    return list(value) if isinstance(value, list | tuple) else [value]


def _front_matter(path: Path) -> dict | None:
    """The front matter of a page file, reading no further than its closing `---`."""
    try:
        with path.open(encoding="utf-8-sig", errors="replace") as fh:
            first = fh.readline()
            if first.rstrip("\r\n") != "---":
                return None
            lines = []
            for _ in range(_FRONT_MATTER_MAX_LINES):
                line = fh.readline()
                if not line or line.rstrip("\r\n") in ("---", "..."):
                    break
                lines.append(line)
    except OSError:
        return None
    try:
        data = YAML(typ="safe").load("".join(lines))
    except YAMLError:
        return {}
    return data if isinstance(data, dict) else {}
