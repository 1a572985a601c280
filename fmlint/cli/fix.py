"""`fmlint fix [PATHS]`: apply every fix that can be derived without guessing."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import click

from fmlint import api
from fmlint.authoring import io
from fmlint.authoring.fix import FixReport, RunawayError, fix_workspace
from fmlint.authoring.workspace import OutsideHandbooksError, Plan, Workspace, plan_diff
from fmlint.cli.check import common_options
from fmlint.config import Config, ConfigError
from fmlint.site.source import display_path


def run_fix(targets: list[Path], config: Config, config_path: Path | None, *, write: bool,
            echo: Callable[[str], None], verb: str = "fixed") -> tuple[Plan, FixReport, Workspace]:
    """Fix the files under `targets` (in memory), print one line per changed file, write when `write`."""
    try:
        ws = Workspace.for_paths(targets, config, config_path)
        report = fix_workspace(ws, targets, config, config_path)
        plan = ws.plan()
        if write and not plan.empty:
            ws.commit(plan)  # before saying "fixed": a failed write changes nothing and says so
        for path in plan.paths:
            echo(f"{verb} {display_path(path)}: {report.summary(path) or 'changed'}")
    except (RunawayError, OutsideHandbooksError, io.ChangedOnDiskError, io.CommitError) as exc:
        raise click.ClickException(str(exc)) from exc
    return plan, report, ws


@click.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--diff", is_flag=True, help="Print a unified diff of the fixes and write nothing.")
@click.option("--check", "check_only", is_flag=True, help="Write nothing; exit 1 when a file would change (for CI).")
@click.option("--dry-run", is_flag=True, help="Say which files would change and how, and write nothing.")
@common_options
def fix(paths: tuple[Path, ...], diff: bool, check_only: bool, dry_run: bool, config_path: Path | None,
        debug: bool) -> int:
    """Fix under PATHS (default: the current directory) what fmlint can derive without guessing.

    Navigation variables are rewritten from the section order; index cards are created, reordered
    and synced from the sections' front matter; title numerals follow `section`; numbered
    subsection headings are renumbered, and links to the headings whose ids change follow them;
    `.md` links, missing slashes and Liquid in code fences are fixed. Only files inside the
    handbooks folder are changed, each completely or not at all. Findings marked `[*]` by
    `fmlint check` are the ones this fixes.

    Exit codes: 0 done (or nothing to fix), 1 with --check when a file would change, 2 error.
    """
    if config_path is not None and not config_path.is_file():
        raise ConfigError(f"{config_path}: configuration file not found")
    config, found = api.resolve_config(config_path)
    targets = list(paths) or [Path(".")]
    write = not (diff or check_only or dry_run)
    plan, _, ws = run_fix(targets, config, found, write=write, echo=click.echo,
                          verb="fixed" if write else "would fix")
    if diff:
        click.echo(plan_diff(plan, ws.root), nl=False)
    if plan.empty:
        click.echo("nothing to fix")
    elif not write:
        click.echo(f"{len(plan.paths)} file{'s' if len(plan.paths) != 1 else ''} would change; nothing was written")
    else:
        click.echo(f"{len(plan.paths)} file{'s' if len(plan.paths) != 1 else ''} fixed")
    return 1 if check_only and not plan.empty else 0
