"""Reading a file once: bytes to text, with the problems a reader would hit as findings."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class ReadProblem:
    """Why a file could not be turned into text (becomes an FM0xx finding)."""

    code: str  # FM001 unreadable, FM002 not UTF-8, FM005 too large
    message: str
    line: int = 1
    column: int = 1


@dataclass
class SourceFile:
    """A file as text: BOM removed, CRLF normalised to LF, so line numbers are those of the file."""

    path: Path
    display: str
    text: str = ""
    problem: ReadProblem | None = None
    had_bom: bool = False
    crlf: bool = False

    @property
    def lines(self) -> list[str]:
        return self.text.split("\n")


def display_path(path: Path, cwd: Path | None = None) -> str:
    cwd = cwd or Path.cwd()
    try:
        rel = os.path.relpath(path, cwd)
    except ValueError:  # another drive on Windows
        rel = str(path)
    return Path(rel).as_posix()


def read_source(path: Path, max_bytes: int) -> SourceFile:
    src = SourceFile(path=path, display=display_path(path))
    try:
        size = path.stat().st_size
        if size > max_bytes:
            src.problem = ReadProblem(
                "FM005",
                f"file is {size / 1e6:.1f} MB, over the {max_bytes / 1e6:.1f} MB limit "
                "(raise max-file-size in the configuration to check it)",
            )
            return src
        raw = path.read_bytes()
    except OSError as exc:
        src.problem = ReadProblem("FM001", f"cannot read file: {exc.strerror or exc}")
        return src
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
        src.had_bom = True
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        src.problem = ReadProblem(
            "FM002",
            f"file is not valid UTF-8 (byte 0x{raw[exc.start]:02x} at offset {exc.start}); "
            "save it as UTF-8",
            line,
            column,
        )
        return src
    if "\r\n" in text:
        src.crlf = True
        text = text.replace("\r\n", "\n")
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        src.problem = ReadProblem("FM002", "file contains NUL bytes: it is binary, not a text page", line)
        return src
    src.text = text
    return src
