"""`fmlint fmt`: format handbook pages and bibliographies, or show (--diff) or check (--check) what would change."""

from __future__ import annotations

from pathlib import Path

import click

from fmlint import api
from fmlint.authoring import io
from fmlint.authoring.fmt import collect_files, format_files
from fmlint.cli.check import common_options
from fmlint.config import ConfigError
from fmlint.site.site import find_site_root


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


@click.command("fmt")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--check", is_flag=True, help="Write nothing; list the files that would change and exit 1 if any.")
@click.option("--diff", "show_diff", is_flag=True,
              help="Write nothing; print a unified diff of the changes and exit 1 if there are any.")
@common_options
def fmt(paths: tuple[Path, ...], check: bool, show_diff: bool, config_path: Path | None, debug: bool) -> int:
    """Format the handbook pages and bibliographies under PATHS (default: the current directory).

    Pages go through mdformat with their front matter, Liquid, raw HTML (cards, navigation script),
    math and kramdown attributes kept exactly as written. A page is written only if it still renders
    to the same HTML; otherwise it is left alone and reported. Files outside the handbooks folder are
    never changed.

    Exit codes: 0 done (or nothing to change), 1 files would change (--check, --diff) or a file
    could not be formatted, 2 usage, configuration or write error.
    """
    del debug  # handled by fmlint.cli.main
    if config_path is not None and not config_path.is_file():
        raise ConfigError(f"{config_path}: configuration file not found")
    config, found_path = api.resolve_config(config_path)
    targets = list(paths) or [Path(".")]
    root = find_site_root(targets, found_path)
    files, outside = collect_files(targets, root, config)
    for path in outside:
        click.echo(f"fmlint fmt: {path}: not in a handbook folder ({config.handbooks_dir}/); left as it is", err=True)
    results = format_files(files)
    failed = [r for r in results if r.error]
    for r in failed:
        where = f"{r.display}:{r.line}" if r.line else r.display
        click.echo(f"fmlint fmt: {where}: {r.error}", err=True)
    changed = [r for r in results if r.changed]
    plan = io.plan_changes({r.path: r.new for r in changed if r.new is not None})
    planned = {c.path for c in plan}
    unchanged = len(results) - len(failed) - len(plan)
    if check or show_diff:
        if show_diff:
            click.echo(io.unified_diff(plan, Path.cwd()), nl=False)
        for r in changed:
            if r.path in planned and not show_diff:
                click.echo(f"would reformat {r.display}")
        click.echo(f"{_plural(len(plan), 'file')} would be reformatted, {unchanged} already formatted",
                   err=show_diff)
        return 1 if plan or failed else 0
    try:
        io.commit(plan)
    except (io.ChangedOnDiskError, io.CommitError) as exc:
        click.echo(f"fmlint fmt: {exc}", err=True)
        return 2
    for r in changed:
        if r.path in planned:
            click.echo(f"formatted {r.display}")
    click.echo(f"{_plural(len(plan), 'file')} formatted, {unchanged} left unchanged")
    return 1 if failed else 0
