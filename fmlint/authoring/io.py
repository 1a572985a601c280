"""Writing files safely, for every command that changes files (`fmt`, `fix`, `new`, `bib fmt`, ...).

Plan first, then write:

    plan = io.plan_changes({path: new_text, ...})  # reads each file; keeps its BOM and line endings
    print(io.unified_diff(plan))                   # what --diff shows
    io.commit(plan)                                # writes, or raises with nothing half-written

or both at once: `io.apply_changes({path: new_text})`. Texts are given and returned with "\\n" line
endings and without a BOM; a file that had CRLF endings or a BOM gets them back.

`commit` writes every new file to a temporary file beside its target first (same folder, so the
rename never crosses file systems), and only when all of them are on disk renames each one over
its target with `os.replace`, which is atomic. A failure while staging leaves every file as it was;
a failure while renaming (rare: the data is already written) leaves each file either old or new,
never truncated, and the error says which files were written.
"""

from __future__ import annotations

import difflib
import os
import stat
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "BOM", "ChangedOnDiskError", "CommitError", "FileChange", "TextFile", "apply_changes", "commit",
    "plan_changes", "read_text", "unified_diff", "write_atomic",
]

BOM = b"\xef\xbb\xbf"
TEMP_SUFFIX = ".fmlint-tmp"


@dataclass(frozen=True)
class TextFile:
    """A file's text as an editor shows it, and how to write it back the way it was."""

    path: Path
    text: str  # BOM removed, every CRLF turned into "\n"
    bom: bool = False
    newline: str = "\n"  # "\r\n" when the file mostly uses CRLF

    def encode(self, text: str) -> bytes:
        """`text` (with "\\n" line endings) as bytes in this file's conventions."""
        return encode_text(text, bom=self.bom, newline=self.newline)


def encode_text(text: str, *, bom: bool = False, newline: str = "\n") -> bytes:
    if newline != "\n":
        text = text.replace("\r\n", "\n").replace("\n", newline)
    return (BOM if bom else b"") + text.encode("utf-8")


def decode_bytes(path: Path, raw: bytes) -> TextFile:
    """Raises UnicodeDecodeError when `raw` is not UTF-8."""
    bom = raw.startswith(BOM)
    if bom:
        raw = raw[len(BOM):]
    text = raw.decode("utf-8")
    crlf = text.count("\r\n")
    newline = "\r\n" if crlf and crlf >= text.count("\n") - crlf else "\n"
    return TextFile(path, text.replace("\r\n", "\n") if crlf else text, bom, newline)


def read_text(path: Path) -> TextFile:
    """Read a UTF-8 file (raises OSError, or UnicodeDecodeError when it is not UTF-8)."""
    return decode_bytes(path, Path(path).read_bytes())


@dataclass(frozen=True)
class FileChange:
    """One file's planned change: the bytes it has now (None: it does not exist yet) and will have."""

    path: Path
    old: bytes | None
    new: bytes

    @property
    def created(self) -> bool:
        return self.old is None


def plan_changes(changes: Mapping[Path, str]) -> list[FileChange]:
    """Read each file and encode its new text like the file; files whose bytes would not change are left out.

    A path that does not exist becomes a new file (UTF-8, "\\n" endings, no BOM).
    """
    plan = []
    for path, text in changes.items():
        path = Path(path)
        try:
            old = path.read_bytes()
        except FileNotFoundError:
            plan.append(FileChange(path, None, encode_text(text)))
            continue
        new = decode_bytes(path, old).encode(text)
        if new != old:
            plan.append(FileChange(path, old, new))
    return plan


class ChangedOnDiskError(Exception):
    """A file changed between planning and writing; nothing was written."""


class CommitError(Exception):
    """Writing failed; `written` lists the files that already have their new content."""

    def __init__(self, message: str, written: list[Path]) -> None:
        super().__init__(message)
        self.written = written


def commit(plan: Iterable[FileChange]) -> None:
    """Write every planned change: all or nothing while staging, each file old-or-new while renaming."""
    plan = list(plan)
    for change in plan:
        current = _current_bytes(_target(change.path))
        if current != change.old:
            raise ChangedOnDiskError(
                f"{change.path}: changed on disk since it was read; nothing was written, run the command again")
    staged: list[tuple[FileChange, Path, str]] = []
    change = None
    try:
        for change in plan:
            target = _target(change.path)
            staged.append((change, target, _stage(target, change.new)))
    except BaseException as exc:
        for _, _, tmp in staged:
            _remove(tmp)
        if isinstance(exc, OSError):
            # name the file the user knows, not the temporary file beside it
            name = _display(change.path, Path.cwd()) if change is not None else exc.filename or ""
            raise CommitError(f"{name}: cannot write: {exc.strerror or exc}; "
                              "no file was changed", []) from exc
        raise
    written: list[Path] = []
    for i, (change, target, tmp) in enumerate(staged):
        try:
            os.replace(tmp, target)
        except BaseException as exc:
            for _, _, rest in staged[i:]:
                _remove(rest)
            done = ", ".join(str(p) for p in written) or "none"
            raise CommitError(f"{change.path}: cannot replace the file ({exc}); files already written: {done}; "
                              "every other file is unchanged", written) from exc
        written.append(change.path)
    for folder in {target.parent for _, target, _ in staged}:
        _fsync_dir(folder)


def apply_changes(changes: Mapping[Path, str]) -> list[Path]:
    """Plan and commit `changes` ({path: new text}); returns the paths whose content changed."""
    plan = plan_changes(changes)
    commit(plan)
    return [c.path for c in plan]


def write_atomic(path: Path, data: bytes) -> None:
    """Replace (or create) one file atomically, keeping its permission bits."""
    target = _target(Path(path))
    tmp = _stage(target, data)
    try:
        os.replace(tmp, target)
    except BaseException:
        _remove(tmp)
        raise
    _fsync_dir(target.parent)


def unified_diff(plan: Iterable[FileChange], root: Path | None = None) -> str:
    """A unified diff (a/ and b/ paths relative to `root`) of the planned changes, as text."""
    out = []
    for change in plan:
        name = _display(change.path, root)
        old = decode_bytes(change.path, change.old).text if change.old is not None else ""
        new = decode_bytes(change.path, change.new).text
        for line in difflib.unified_diff(
                old.splitlines(keepends=True), new.splitlines(keepends=True),
                "/dev/null" if change.old is None else f"a/{name}", f"b/{name}"):
            out.append(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n")
    return "".join(out)


# --- helpers ------------------------------------------------------------------------------------

def _target(path: Path) -> Path:
    # Write through a symlink to the file it names, so the link stays a link.
    return Path(os.path.realpath(path)) if path.is_symlink() else path


def _current_bytes(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None


def _stage(target: Path, data: bytes) -> str:
    """Write `data` to a new temporary file beside `target`, synced, with target's mode; returns its name."""
    try:
        mode = stat.S_IMODE(target.stat().st_mode)
    except FileNotFoundError:
        mode = 0o666 & ~_umask()
        target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=TEMP_SUFFIX)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
    except BaseException:
        _remove(tmp)
        raise
    return tmp


def _remove(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass


def _fsync_dir(folder: Path) -> None:
    # Make the renames durable; not possible (nor needed) everywhere, e.g. on Windows.
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _display(path: Path, root: Path | None) -> str:
    if root is not None:
        try:
            return Path(os.path.relpath(path, root)).as_posix()
        except ValueError:
            pass
    return Path(path).as_posix()
