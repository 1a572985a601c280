"""The files a command is about to change, kept in memory over the files on disk until it writes.

`fmlint fix`, `new`, `move` and `remove` change a copy: texts of edited and created files, moved
files, removed files. The site model re-reads that copy (`load_site(..., overlay=...)`) between
rounds, the user sees a diff of it, and `commit` writes it in one step through
`fmlint.authoring.io`: new and changed files first (staged, then renamed into place), then the
removed files are deleted. Only files inside the handbooks folder may be changed.
"""

from __future__ import annotations

import difflib
import os
from dataclasses import dataclass, field
from pathlib import Path

from fmlint.authoring import io
from fmlint.config import Config
from fmlint.site.site import Site, find_site_root, load_site


TEXT_SUFFIXES = (".md", ".markdown", ".bib")


class OutsideHandbooksError(Exception):
    """A command tried to change a file outside the handbooks folder."""


@dataclass
class Plan:
    """What `commit` will do: files written (created or changed) and files removed."""

    changes: list[io.FileChange]
    removals: list[tuple[Path, bytes]]  # (path, the bytes it had when planned)

    @property
    def empty(self) -> bool:
        return not self.changes and not self.removals

    @property
    def paths(self) -> list[Path]:
        return sorted({c.path for c in self.changes} | {p for p, _ in self.removals})


@dataclass
class Workspace:
    root: Path  # the site root
    handbooks: Path  # the folder that holds one folder per handbook (resolved)
    texts: dict[Path, str] = field(default_factory=dict)  # edited or created text files ("\n" endings)
    data: dict[Path, bytes] = field(default_factory=dict)  # moved files that are not text pages
    origin: dict[Path, Path] = field(default_factory=dict)  # new path -> the file it was moved from
    removed: set[Path] = field(default_factory=set)

    @classmethod
    def for_paths(cls, paths: list[Path], config: Config, config_path: Path | None = None) -> Workspace:
        root = find_site_root(paths, config_path).resolve()
        return cls(root, (root / config.handbooks_dir).resolve())

    # --- reading and changing -----------------------------------------------------------------
    def writable(self, path: Path) -> bool:
        return self.handbooks in Path(path).parents

    def _check(self, path: Path) -> Path:
        if not self.writable(path):
            raise OutsideHandbooksError(f"{path}: fmlint changes only files inside {self.handbooks}")
        return Path(path)

    def exists(self, path: Path) -> bool:
        if path in self.texts or path in self.data:
            return True
        return path not in self.removed and path.exists()

    def read(self, path: Path) -> str:
        """The file's text as the command sees it now ("\\n" endings, no BOM)."""
        if path in self.texts:
            return self.texts[path]
        if path in self.removed or path in self.data:
            raise FileNotFoundError(path)
        return io.read_text(path).text

    def read_bytes(self, path: Path) -> bytes:
        if path in self.data:
            return self.data[path]
        if path in self.texts:
            return io.encode_text(self.texts[path])
        if path in self.removed:
            raise FileNotFoundError(path)
        return path.read_bytes()

    def write(self, path: Path, text: str) -> None:
        path = self._check(path)
        self.texts[path] = text
        self.data.pop(path, None)
        self.removed.discard(path)

    def remove(self, path: Path) -> None:
        path = self._check(path)
        self.texts.pop(path, None)
        self.data.pop(path, None)
        self.origin.pop(path, None)
        self.removed.add(path)

    def move_many(self, pairs: list[tuple[Path, Path]], texts: dict[Path, str] | None = None) -> None:
        """Move files at once (a file may move where another moves away); `texts` gives new text by old path.

        Pages and bibliographies move as text (keeping their BOM and line endings), other files as bytes.
        """
        texts = texts or {}
        taken: list[tuple[Path, Path, str | None, bytes | None, Path]] = []
        for old, new in pairs:
            self._check(old)
            self._check(new)
            source = self.origin.get(old, old)
            if old in texts or old in self.texts:
                taken.append((old, new, texts.get(old, self.texts.get(old)), None, source))
                continue
            raw = self.read_bytes(old)
            text = None
            if old.suffix in TEXT_SUFFIXES:
                try:
                    text = io.decode_bytes(old, raw).text
                except UnicodeDecodeError:
                    text = None
            taken.append((old, new, text, None if text is not None else raw, source))
        for old, *_ in taken:
            self.remove(old)
        for _, new, text, raw, source in taken:
            if text is not None:
                self.write(new, text)
            else:
                self.data[new] = raw  # type: ignore[assignment]
                self.removed.discard(new)
                self.texts.pop(new, None)
            self.origin[new] = source

    def files_under(self, folder: Path) -> list[Path]:
        """Every file under `folder` as the command sees it (on disk, created, not removed)."""
        found = set()
        if folder.is_dir():
            for p in folder.rglob("*"):
                if p.is_file() and not p.name.endswith(io.TEMP_SUFFIX):
                    found.add(p)
        found |= {p for p in (*self.texts, *self.data) if folder in p.parents}
        return sorted(p for p in found if self.exists(p))

    @property
    def changed(self) -> bool:
        return bool(self.texts or self.data or self.removed)

    def overlay(self) -> dict[Path, str | None]:
        out: dict[Path, str | None] = {p: None for p in self.removed}
        out.update({p: None for p in self.data})
        out.update(self.texts)
        return out

    def load(self, paths: list[Path], config: Config, config_path: Path | None = None) -> Site:
        return load_site(paths, config, config_path, overlay=self.overlay())

    # --- writing ------------------------------------------------------------------------------
    def plan(self) -> Plan:
        changes: list[io.FileChange] = []
        for path, text in sorted(self.texts.items()):
            source = self.origin.get(path, path)
            old = _bytes_or_none(path)
            try:
                like = io.decode_bytes(source, source.read_bytes()) if source.exists() else None
            except UnicodeDecodeError:
                like = None
            new = like.encode(text) if like is not None else io.encode_text(text)
            if new != old:
                changes.append(io.FileChange(path, old, new))
        for path, raw in sorted(self.data.items()):
            old = _bytes_or_none(path)
            if raw != old:
                changes.append(io.FileChange(path, old, raw))
        written = {c.path for c in changes} | set(self.texts) | set(self.data)
        removals = []
        for path in sorted(self.removed - written):
            old = _bytes_or_none(path)
            if old is not None:
                removals.append((path, old))
        return Plan(changes, removals)

    def commit(self, plan: Plan | None = None) -> Plan:
        """Write the plan: new and changed files atomically, then remove the old files and empty folders."""
        plan = plan or self.plan()
        for path, old in plan.removals:
            if _bytes_or_none(path) != old:
                raise io.ChangedOnDiskError(
                    f"{path}: changed on disk since it was read; nothing was written, run the command again")
        io.commit(plan.changes)
        for path, _ in plan.removals:
            try:
                path.unlink()
            except FileNotFoundError:
                pass
        for folder in sorted({p.parent for p, _ in plan.removals}, key=lambda p: len(p.parts), reverse=True):
            while self.handbooks in folder.parents and folder.is_dir() and not any(folder.iterdir()):
                folder.rmdir()
                folder = folder.parent
        return plan


def _bytes_or_none(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None


def plan_diff(plan: Plan, root: Path | None = None) -> str:
    """A unified diff of the plan (removed files as deletions)."""
    text_changes, out = [], []
    for change in plan.changes:
        try:
            for raw in (change.old, change.new):
                if raw is not None:
                    io.decode_bytes(change.path, raw)
        except UnicodeDecodeError:
            name = Path(os.path.relpath(change.path, root)).as_posix() if root else change.path.as_posix()
            out.append(f"Binary file b/{name} {'created' if change.created else 'changed'}\n")
            continue
        text_changes.append(change)
    out.insert(0, io.unified_diff(text_changes, root))
    for path, old in plan.removals:
        name = Path(os.path.relpath(path, root)).as_posix() if root else path.as_posix()
        try:
            text = io.decode_bytes(path, old).text
        except UnicodeDecodeError:
            out.append(f"Binary file a/{name} deleted\n")
            continue
        for line in difflib.unified_diff(text.splitlines(keepends=True), [], f"a/{name}", "/dev/null"):
            out.append(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n")
    return "".join(out)
