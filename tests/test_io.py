"""fmlint.authoring.io: BOM and line endings kept, atomic writes, all-or-nothing staging."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from fmlint.authoring import io


def _temps(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.name.endswith(io.TEMP_SUFFIX)]


def test_read_text_normalises_and_remembers_bom_and_crlf(tmp_path):
    path = tmp_path / "a.md"
    path.write_bytes(io.BOM + b"one\r\ntwo\r\n")
    f = io.read_text(path)
    assert (f.text, f.bom, f.newline) == ("one\ntwo\n", True, "\r\n")
    assert f.encode("one\nthree\n") == io.BOM + b"one\r\nthree\r\n"
    path.write_bytes(b"lf\nonly\n")
    assert io.read_text(path).newline == "\n"
    path.write_bytes(b"mostly\nlf\nwith one\r\n")  # a mixed file is written back with its main style
    assert io.read_text(path).newline == "\n"
    path.write_bytes(b"\xff\xfe")
    with pytest.raises(UnicodeDecodeError):
        io.read_text(path)


def test_apply_changes_keeps_bom_crlf_and_mode(tmp_path):
    crlf, plain = tmp_path / "crlf.md", tmp_path / "plain.md"
    crlf.write_bytes(io.BOM + b"a\r\nb\r\n")
    plain.write_bytes(b"a\n")
    crlf.chmod(0o640)
    written = io.apply_changes({crlf: "a\nc\n", plain: "a\n"})
    assert written == [crlf]  # plain.md's bytes would not change: not written at all
    assert crlf.read_bytes() == io.BOM + b"a\r\nc\r\n"
    assert crlf.stat().st_mode & 0o777 == 0o640
    assert _temps(tmp_path) == []


def test_new_files_are_created_with_folders_and_default_mode(tmp_path):
    target = tmp_path / "section9" / "index.md"
    assert io.apply_changes({target: "# New\n"}) == [target]
    assert target.read_bytes() == b"# New\n"
    umask = os.umask(0)
    os.umask(umask)
    assert target.stat().st_mode & 0o777 == 0o666 & ~umask


def test_writing_through_a_symlink_keeps_the_link(tmp_path):
    real = tmp_path / "real.md"
    real.write_text("old\n")
    link = tmp_path / "link.md"
    link.symlink_to(real)
    io.apply_changes({link: "new\n"})
    assert link.is_symlink()
    assert real.read_text() == "new\n"


def test_plan_and_diff_write_nothing(tmp_path):
    page = tmp_path / "p.md"
    page.write_text("* a\n* b\n")
    plan = io.plan_changes({page: "- a\n- b\n", tmp_path / "new.md": "x\n"})
    diff = io.unified_diff(plan, tmp_path)
    assert diff.startswith("--- a/p.md\n+++ b/p.md\n@@ -1,2 +1,2 @@\n-* a\n-* b\n+- a\n+- b\n")
    assert "--- /dev/null\n+++ b/new.md\n@@ -0,0 +1 @@\n+x\n" in diff
    assert page.read_text() == "* a\n* b\n" and not (tmp_path / "new.md").exists()
    assert [c.created for c in plan] == [False, True]


def test_diff_marks_a_missing_final_newline(tmp_path):
    page = tmp_path / "p.md"
    page.write_text("a")
    assert io.unified_diff(io.plan_changes({page: "b"})).endswith("+b\n\\ No newline at end of file\n")


def test_failure_while_staging_changes_no_file(tmp_path, monkeypatch):
    files = {tmp_path / f"f{i}.md": f"old {i}\n" for i in range(3)}
    for path, text in files.items():
        path.write_text(text)
    real_fsync, calls = os.fsync, []

    def failing_fsync(fd: int) -> None:
        calls.append(fd)
        if len(calls) == 2:  # the second file's data: as if the disk were full
            raise OSError(28, "No space left on device")
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", failing_fsync)
    with pytest.raises(io.CommitError) as exc:
        io.apply_changes({path: f"new {i}\n" for i, path in enumerate(files)})
    assert exc.value.written == []
    assert "no file was changed" in str(exc.value)
    assert "f1.md: cannot write: No space left on device;" in str(exc.value)  # not the temporary file
    for path, text in files.items():
        assert path.read_text() == text
    assert _temps(tmp_path) == []


def test_failure_midway_through_renames_leaves_each_file_old_or_new(tmp_path, monkeypatch):
    paths = [tmp_path / f"f{i}.md" for i in range(3)]
    for i, path in enumerate(paths):
        path.write_text(f"old {i}\n" * 1000)
    real_replace, calls = os.replace, []

    def failing_replace(src: str, dst: str) -> None:
        calls.append(dst)
        if len(calls) == 2:
            raise OSError(5, "Input/output error")
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", failing_replace)
    with pytest.raises(io.CommitError) as exc:
        io.apply_changes({path: f"new {i}\n" * 500 for i, path in enumerate(paths)})
    assert exc.value.written == [paths[0]]
    assert paths[0].read_text() == "new 0\n" * 500
    assert paths[1].read_text() == "old 1\n" * 1000  # never truncated: the old file or the new one
    assert paths[2].read_text() == "old 2\n" * 1000
    assert _temps(tmp_path) == []


def test_interrupted_write_leaves_the_old_file(tmp_path, monkeypatch):
    path = tmp_path / "p.md"
    path.write_text("old\n")

    def interrupted(*args: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        io.write_atomic(path, b"new\n")
    assert path.read_text() == "old\n"
    assert _temps(tmp_path) == []


def test_a_file_changed_after_planning_is_not_overwritten(tmp_path):
    a, b = tmp_path / "a.md", tmp_path / "b.md"
    a.write_text("a\n")
    b.write_text("b\n")
    plan = io.plan_changes({a: "A\n", b: "B\n"})
    b.write_text("edited by someone\n")
    with pytest.raises(io.ChangedOnDiskError):
        io.commit(plan)
    assert (a.read_text(), b.read_text()) == ("a\n", "edited by someone\n")
