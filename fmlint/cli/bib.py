"""`fmlint bib …`: authoring helpers for bibliographies (to be written)."""

from __future__ import annotations

import click


@click.group()
def bib() -> None:
    """Work with a handbook's BibTeX bibliography."""
