"""The site model: every checked file read and parsed once, grouped into handbooks, indexed by URL."""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from fmlint.config import Config, ConfigError
from fmlint.site.page import Page, build_page
from fmlint.site.source import SourceFile, display_path, read_source
from fmlint.site.urlindex import UrlIndex

PAGE_SUFFIXES = (".md", ".markdown")
BIB_SUFFIX = ".bib"
SKIP_DIRS = {".git", ".venv", "venv", "node_modules", "_site", ".jekyll-cache", ".sass-cache",
             "vendor", "__pycache__", ".fmlint_cache", ".pytest_cache", ".mypy_cache", ".tox"}
_SECTION_DIR = re.compile(r"^section(\d+)$")


@dataclass
class Handbook:
    slug: str
    folder: Path
    url: str
    index: Page | None = None
    sections: dict[int, Page] = field(default_factory=dict)  # by folder number
    pages: list[Page] = field(default_factory=list)  # every page in the handbook folder
    bib_path: Path | None = None
    bibliography: object | None = None  # fmlint.site.bibtex.Bibliography

    @property
    def ordered_sections(self) -> list[tuple[int, Page]]:
        return sorted(self.sections.items())

    def section_url(self, number: int) -> str:
        page = self.sections.get(number)
        return page.url if page else f"{self.url}section{number}/"


@dataclass
class Site:
    root: Path
    config: Config
    jekyll_config: dict = field(default_factory=dict)
    pages: list[Page] = field(default_factory=list)
    handbooks: list[Handbook] = field(default_factory=list)
    bibliographies: list[object] = field(default_factory=list)  # every parsed .bib, once
    by_url: dict[str, Page] = field(default_factory=dict)
    _asset_cache: dict[str, bool] = field(default_factory=dict)
    _url_index: UrlIndex | None = None

    def page_at(self, url: str) -> Page | None:
        return self.by_url.get(url)

    @property
    def url_index(self) -> UrlIndex:
        """Every page file of the site by URL, loaded or not (built lazily, once; see urlindex)."""
        if self._url_index is None:
            self._url_index = UrlIndex(self)
        return self._url_index

    def is_declared_external(self, url: str) -> bool:
        for pattern in self.config.external_pages:
            if pattern.endswith("*"):
                if url.startswith(pattern[:-1]):
                    return True
            elif url == pattern or url.rstrip("/") == pattern.rstrip("/"):
                return True
        return False

    def asset_exists(self, site_path: str) -> bool:
        """Whether `/a/b.css` is a file under the site root (the file system is asked once per path)."""
        if site_path not in self._asset_cache:
            rel = site_path.lstrip("/")
            target = (self.root / rel).resolve()
            ok = target.is_file() and (target == self.root or self.root.resolve() in target.parents)
            self._asset_cache[site_path] = ok
        return self._asset_cache[site_path]

    def renders(self, page: Page) -> bool:
        """Whether Jekyll renders the page, so its links are links of the site.

        A handbook page always counts (a missing front matter is FM101's finding); another file
        counts when it has front matter and is not excluded (a README.md links for GitHub, not for
        the site).
        """
        if page.handbook is not None:
            return True
        try:
            rel = page.source.path.resolve().relative_to(self.root).as_posix()
        except ValueError:
            return False
        return page.has_front_matter and self.url_index.is_published_path(rel)



def find_site_root(paths: list[Path], config_path: Path | None) -> Path:
    for start in paths:
        start = start.resolve()
        folder = start if start.is_dir() else start.parent
        for candidate in [folder, *folder.parents]:
            if (candidate / "_config.yml").is_file():
                return candidate
    if config_path is not None:
        return config_path.resolve().parent
    return Path.cwd().resolve()


def page_url(rel: Path, front_matter_permalink: object, pretty: bool) -> str:
    if isinstance(front_matter_permalink, str) and front_matter_permalink.strip():
        link = front_matter_permalink.strip()
        return link if link.startswith("/") else "/" + link
    parts = rel.as_posix()
    stem, _, _ = parts.rpartition(".")
    if stem == "index" or stem.endswith("/index"):
        return "/" + stem[: -len("index")]
    return "/" + stem + ("/" if pretty else ".html")


def _walk(folder: Path) -> list[Path]:
    found = []
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder).parts
        if any(part in SKIP_DIRS or (part.startswith(".") and part not in (".", "..")) for part in rel[:-1]):
            continue
        if path.suffix in (*PAGE_SUFFIXES, BIB_SUFFIX) and (path.is_file() or path.is_symlink()):
            found.append(path)
    return found


def collect_files(paths: list[Path], root: Path, config: Config,
                  overlay: Mapping[Path, str | None] | None = None) -> list[Path]:
    """The files to check. A file inside a handbook brings its whole handbook (cross-file rules).

    `overlay` (see `load_site`) adds the files it creates under those paths and drops those it removes.
    """
    hb_dir = (root / config.handbooks_dir).resolve()
    files: dict[Path, None] = {}
    wanted: list[Path] = []  # folders whose files (existing or created by the overlay) are checked
    for path in paths:
        if not path.exists() and not (overlay and overlay.get(path.resolve()) is not None):
            raise ConfigError(f"{path}: no such file or directory")
        path = path.resolve()
        if path.is_dir():
            wanted.append(path)
            for f in _walk(path):
                files[f] = None
            continue
        files[path] = None
        if hb_dir in path.parents:
            slug = path.relative_to(hb_dir).parts[0]
            wanted.append(hb_dir / slug)
            if (hb_dir / slug).is_dir():
                for f in _walk(hb_dir / slug):
                    files[f] = None
    for path, text in (overlay or {}).items():
        if text is None:
            files.pop(path, None)
        elif path.suffix in (*PAGE_SUFFIXES, BIB_SUFFIX) and any(w == path or w in path.parents for w in wanted):
            files[path] = None
    return sorted(files)


def _read_jekyll_config(root: Path) -> dict:
    path = root / "_config.yml"
    if not path.is_file():
        return {}
    try:
        data = YAML(typ="safe").load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, YAMLError):
        return {}
    return data if isinstance(data, dict) else {}


def load_site(paths: list[Path], config: Config, config_path: Path | None = None, *,
              overlay: Mapping[Path, str | None] | None = None) -> Site:
    """Read and parse the files under `paths` into the site model.

    `overlay` ({resolved path: text, or None for a removed file}) replaces files on disk with texts
    not written yet, so `fmlint fix` and `fmlint new/move/remove` can re-read the site they are
    about to write.
    """
    overlay = overlay or {}
    root = find_site_root(paths, config_path)
    site = Site(root=root.resolve(), config=config, jekyll_config=_read_jekyll_config(root))
    pretty = site.jekyll_config.get("permalink") == "pretty"
    hb_dir = (site.root / config.handbooks_dir).resolve()
    handbooks: dict[str, Handbook] = {}

    def handbook_for(path: Path) -> tuple[Handbook | None, tuple[str, ...]]:
        if hb_dir not in path.parents:
            return None, ()
        rel = path.relative_to(hb_dir).parts
        if len(rel) < 2:
            return None, ()
        slug = rel[0]
        if slug not in handbooks:
            url_rel = (hb_dir / slug).relative_to(site.root).as_posix() if site.root in hb_dir.parents or hb_dir == site.root else slug
            handbooks[slug] = Handbook(slug, hb_dir / slug, "/" + url_rel.strip("/") + "/")
        return handbooks[slug], rel[1:]

    from fmlint.site import bibtex  # noqa: PLC0415  (optional family module, kept out of import time)

    for path in collect_files(paths, site.root, config, overlay):
        text = overlay.get(path)
        source = read_source(path, config.max_file_size) if text is None else \
            SourceFile(path=path, display=display_path(path), text=text)
        handbook, rel = handbook_for(path)
        if path.suffix == BIB_SUFFIX:
            bib = bibtex.parse_bibliography(source)
            site.bibliographies.append(bib)
            if handbook is not None and rel == ("references.bib",):
                handbook.bib_path = path
                handbook.bibliography = bib
            continue
        try:
            rel_root = path.relative_to(site.root)
        except ValueError:
            rel_root = Path(path.name)
        page = build_page(source, "")
        permalink = page.front_matter.get("permalink") if page.front_matter else None
        page.url = page_url(rel_root, permalink, pretty)
        site.pages.append(page)
        if page.url not in site.by_url:
            site.by_url[page.url] = page
        if handbook is None:
            continue
        page.handbook = handbook
        handbook.pages.append(page)
        if rel == ("index.md",):
            page.role = "index"
            handbook.index = page
        elif len(rel) == 2 and rel[1] == "index.md" and (m := _SECTION_DIR.match(rel[0])):
            page.role = "section"
            page.folder_number = int(m.group(1))
            handbook.sections[page.folder_number] = page
    if config.bibliography:
        shared = next((b for b in site.bibliographies
                       if getattr(b, "path", None) == (site.root / config.bibliography).resolve()), None)
        if shared is None:
            shared_path = (site.root / config.bibliography).resolve()
            if shared_path.is_file():
                shared = bibtex.parse_bibliography(read_source(shared_path, config.max_file_size))
                site.bibliographies.append(shared)
        for hb in handbooks.values():
            hb.bibliography = shared
            hb.bib_path = getattr(shared, "path", None)
    site.handbooks = [handbooks[k] for k in sorted(handbooks)]
    return site


def matches_glob(path: str, pattern: str) -> bool:
    return fnmatch.fnmatch(path, pattern) or fnmatch.fnmatch(path, f"*/{pattern}")
