"""`fmlint new section|handbook`, `fmlint move section`, `fmlint remove section`: a handbook's structure."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import click

from fmlint import api
from fmlint.authoring import io
from fmlint.authoring.fix import RunawayError
from fmlint.authoring.sections import (Outcome, SectionError, move_section, new_findings, new_handbook,
                                       new_section, remove_section)
from fmlint.authoring.workspace import OutsideHandbooksError, Workspace, plan_diff
from fmlint.cli.check import common_options
from fmlint.config import Config, ConfigError
from fmlint.site.source import display_path


def _writing_options(fn):  # noqa: ANN001, ANN201
    fn = click.option("--diff", is_flag=True, help="Print a unified diff of the changes and write nothing.")(fn)
    fn = click.option("--dry-run", is_flag=True, help="Say what would change and write nothing.")(fn)
    return common_options(fn)


def _run(config_path: Path | None, dry_run: bool, diff: bool,
         command: Callable[[Workspace, Config, Path | None], Outcome]) -> int:
    if config_path is not None and not config_path.is_file():
        raise ConfigError(f"{config_path}: configuration file not found")
    config, found = api.resolve_config(config_path)
    ws = Workspace.for_paths([Path.cwd()], config, found)
    try:
        outcome = command(ws, config, found)
        plan = ws.plan()
    except (SectionError, RunawayError, OutsideHandbooksError) as exc:
        raise click.ClickException(f"{exc}; nothing was changed") from exc
    write = not (dry_run or diff)
    more = new_findings(Workspace(ws.root, ws.handbooks), ws, config, found) if ws.changed else []
    if write and not plan.empty:
        try:  # before saying what changed: a failed write changes nothing and says so
            ws.commit(plan)
        except (io.ChangedOnDiskError, io.CommitError) as exc:
            raise click.ClickException(str(exc)) from exc
    if not write:
        click.echo("dry run: nothing is written; the command would make these changes:")
    for note in outcome.notes:
        click.echo(note)
    report = outcome.fix_report
    if report is not None:
        for path in sorted(report.applied):
            if path in ws.texts and report.summary(path):
                click.echo(f"{'fixed' if write else 'would fix'} {display_path(path)}: {report.summary(path)}")
    for warning in outcome.warnings:
        click.echo(f"warning: {warning}", err=True)
    if more:
        click.echo("warning: `fmlint check --no-exec` would report more findings afterwards: "
                   + ", ".join(more), err=True)
    if diff:
        click.echo(plan_diff(plan, ws.root), nl=False)
    created = sum(1 for c in plan.changes if c.created)
    summary = (f"{created} file(s) created, {len(plan.changes) - created} changed, "
               f"{len(plan.removals)} removed")
    click.echo(summary if write else f"would have: {summary}")
    return 0


@click.group()
def new() -> None:
    """Create a section of a handbook, or a new handbook."""


@new.command("section")
@click.argument("handbook")
@click.option("--title", required=True, help="The section's name (\"Scaling Laws\"; the \"Section N:\" prefix is added).")
@click.option("--goal", required=True, help="One sentence: what the section does (its description and card goal).")
@click.option("--at", type=click.IntRange(min=1), default=None,
              help="Its number; later sections move up by one (default: after the last section).")
@click.option("--subsection", default="Overview", show_default=True, help="Text of its first `## N.1` heading.")
@_writing_options
def new_section_cmd(handbook: str, title: str, goal: str, at: int | None, subsection: str, dry_run: bool,
                    diff: bool, config_path: Path | None, debug: bool) -> int:
    """Add a section to HANDBOOK (its slug): the page from a template, its card and navigation.

    With --at N the sections from N on move up by one: their folders, numbers, titles, subsection
    numbers, cards, navigation, and every link to them on the site.
    """
    return _run(config_path, dry_run, diff,
                lambda ws, cfg, found: new_section(ws, cfg, found, handbook, title, goal, at, subsection=subsection))


@new.command("handbook")
@click.argument("slug")
@click.option("--title", required=True, help="The handbook's title (\"Reinforcement Learning Handbook\").")
@click.option("--description", default=None, help="One or two sentences for its index (default: from the title).")
@_writing_options
def new_handbook_cmd(slug: str, title: str, description: str | None, dry_run: bool, diff: bool,
                     config_path: Path | None, debug: bool) -> int:
    """Create the handbook SLUG: its index (with an empty card grid) and an empty references.bib."""
    return _run(config_path, dry_run, diff,
                lambda ws, cfg, found: new_handbook(ws, cfg, found, slug, title, description))


@click.group()
def move() -> None:
    """Move a section to another place in its handbook."""


@move.command("section")
@click.argument("handbook")
@click.argument("number", type=click.IntRange(min=1))
@click.option("--to", "to", type=click.IntRange(min=1), required=True, help="Its new number.")
@_writing_options
def move_section_cmd(handbook: str, number: int, to: int, dry_run: bool, diff: bool, config_path: Path | None,
                     debug: bool) -> int:
    """Make section NUMBER of HANDBOOK section --to, renumbering the sections in between."""
    return _run(config_path, dry_run, diff,
                lambda ws, cfg, found: move_section(ws, cfg, found, handbook, number, to))


@click.group()
def remove() -> None:
    """Remove a section from its handbook."""


@remove.command("section")
@click.argument("handbook")
@click.argument("number", type=click.IntRange(min=1))
@click.option("--force", is_flag=True,
              help="Remove it even though other pages link to it (those links become plain text).")
@click.option("--keep-references", is_flag=True,
              help="Keep the bibliography entries that only this section cited.")
@_writing_options
def remove_section_cmd(handbook: str, number: int, force: bool, keep_references: bool, dry_run: bool, diff: bool,
                       config_path: Path | None, debug: bool) -> int:
    """Remove section NUMBER of HANDBOOK; the sections after it move down by one.

    Refuses while other pages link to the section (and names them), unless --force.
    """
    return _run(config_path, dry_run, diff,
                lambda ws, cfg, found: remove_section(ws, cfg, found, handbook, number, force=force,
                                                      keep_references=keep_references))
