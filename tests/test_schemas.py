"""The JSON Schemas in schemas/ are generated from the Pydantic models and must be current."""

from __future__ import annotations

import json
from pathlib import Path

from fmlint.cli.schema import schemas
from tests.cli_helpers import run_fmlint

ROOT = Path(__file__).resolve().parent.parent


def test_schemas_folder_is_up_to_date():
    expected = schemas()
    on_disk = {p.name: p.read_text(encoding="utf-8") for p in (ROOT / "schemas").glob("*.schema.json")}
    assert on_disk == expected, "schemas/ is out of date: run `make schemas` (fmlint schema --write schemas/)"


def test_section_schema_requires_the_section_number():
    section = json.loads(schemas()["section.schema.json"])
    assert {"layout", "title", "description", "section"} <= set(section["required"])
    assert section["properties"]["section"]["minimum"] == 1


def test_schema_command_writes_files(tmp_path):
    r = run_fmlint("schema", "--write", str(tmp_path / "out"), cwd=tmp_path)
    assert r.returncode == 0
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == sorted(schemas())
    again = run_fmlint("schema", "--write", str(tmp_path / "out"), cwd=tmp_path)
    assert again.stdout == ""  # nothing rewritten when current
