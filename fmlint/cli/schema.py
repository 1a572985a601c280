from __future__ import annotations

import json
from pathlib import Path

import click

from fmlint.models import SCHEMA_MODELS


def schemas() -> dict[str, str]:
    """File name -> JSON Schema text, for every model authors write."""
    return {f"{name}.schema.json": json.dumps(model.model_json_schema(), indent=2) + "\n"
            for name, model in SCHEMA_MODELS.items()}


@click.command()
@click.option("--write", "write_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Write one <model>.schema.json per model into this folder.")
def schema(write_dir: Path | None) -> int:
    """Print (or write) the JSON Schema of the front-matter, card and BibTeX entry models."""
    for name, text in schemas().items():
        if write_dir is None:
            click.echo(f"// {name}\n{text}", nl=False)
            continue
        write_dir.mkdir(parents=True, exist_ok=True)
        target = write_dir / name
        if not target.exists() or target.read_text(encoding="utf-8") != text:
            target.write_text(text, encoding="utf-8")
            click.echo(f"wrote {target}")
    return 0
