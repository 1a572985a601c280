from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from fmlint import api
from fmlint import online as online_check
from fmlint.config import ConfigError
from fmlint.reporters import REPORTERS, Report


def _codes(value: str | None) -> list[str] | None:
    return [c.strip() for c in value.split(",") if c.strip()] if value else None


def common_options(fn):  # noqa: ANN001, ANN201
    options = [
        click.option("--config", "config_path", type=click.Path(dir_okay=False, path_type=Path),
                     help="Configuration file (default: .fmlint.toml or pyproject.toml found upward)."),
        click.option("--debug", is_flag=True, help="Show tracebacks of internal errors."),
    ]
    for option in reversed(options):
        fn = option(fn)
    return fn


@click.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(sorted(REPORTERS)), default=None,
              help="Output format (default: text, or github when GITHUB_ACTIONS is set).")
@click.option("--color/--no-color", default=None, help="Colour the text output (default: on a terminal).")
@click.option("--show-source/--no-show-source", default=None,
              help="Print the source line with a caret (default: on a terminal).")
@click.option("--select", help="Comma-separated codes or prefixes to check (replaces the configured list).")
@click.option("--extend-select", help="Comma-separated codes or prefixes to add to the selection.")
@click.option("--ignore", help="Comma-separated codes or prefixes to ignore (added to the configured list).")
@click.option("--fail-on", type=click.Choice(["error", "warning"]), default=None,
              help="Lowest severity that makes the exit code 1 (default: error).")
@click.option("--exec/--no-exec", "execute", default=None,
              help="Run Python snippets, or only compile them (--no-exec, fast for pre-commit).")
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None, help="Pages whose snippets run in parallel.")
@click.option("--no-cache", is_flag=True, help="Run every snippet, ignoring cached results.")
@click.option("--snippet-timeout", type=click.FloatRange(min=0, min_open=True), default=None,
              help="Seconds a page's snippets may run (default 10).")
@click.option("--online/--offline", default=None,
              help="Request external URLs with LinkChecker (default: the configuration's links.online, off).")
@click.option("--refresh-links", is_flag=True, help="Request every external URL again, ignoring cached results "
              "(implies --online).")
@click.option("--fix", "apply_fix", is_flag=True,
              help="Apply `fmlint fix` first (its changes are listed on stderr), then check.")
@common_options
def check(paths: tuple[Path, ...], fmt: str | None, color: bool | None, show_source: bool | None,
          select: str | None, extend_select: str | None, ignore: str | None, fail_on: str | None,
          execute: bool | None, jobs: int | None, no_cache: bool, snippet_timeout: float | None,
          online: bool | None, refresh_links: bool, apply_fix: bool, config_path: Path | None,
          debug: bool) -> int:
    """Check handbook pages and bibliographies under PATHS (default: the current directory).

    Exit codes: 0 no errors, 1 errors found (or warnings with --fail-on warning), 2 usage,
    configuration or internal error.
    """
    if config_path is not None and not config_path.is_file():
        raise ConfigError(f"{config_path}: configuration file not found")
    config, found_path = api.resolve_config(config_path)
    overrides: dict[str, object] = {
        "select": _codes(select),
        "fail_on": fail_on,
        "snippets.execute": execute,
        "snippets.jobs": jobs,
        "snippets.timeout": snippet_timeout,
        "snippets.cache": False if no_cache else None,
        "links.online": True if refresh_links else online,
        "links.ttl_days": 0 if refresh_links else None,
    }
    if extend_select:
        overrides["extend_select"] = [*config.extend_select, *_codes(extend_select)]
    if ignore:
        overrides["ignore"] = [*config.ignore, *_codes(ignore)]
    try:
        config, _ = api.resolve_config(found_path, overrides)
    except Exception as exc:  # pydantic ValidationError on a bad override
        raise ConfigError(f"invalid option: {str(exc).splitlines()[-2].strip() if str(exc) else exc}") from exc
    online_check.ensure_available(config)
    targets = list(paths) or [Path(".")]
    if apply_fix:
        from fmlint.cli.fix import run_fix  # noqa: PLC0415  (fmlint.cli.fix imports this module)

        run_fix(targets, config, found_path, write=True, echo=lambda line: click.echo(line, err=True))
    site, result = api.check(targets, config, found_path, debug=debug)
    if fmt is None:
        fmt = "github" if os.environ.get("GITHUB_ACTIONS") == "true" else "text"
    tty = sys.stdout.isatty()
    report = Report(
        diagnostics=result.diagnostics, files=result.files,
        color=(tty and not os.environ.get("NO_COLOR")) if color is None else color,
        show_source=tty if show_source is None else show_source,
        sources={**{b.source.display: b.source.lines for b in site.bibliographies if b.source.text},
                 **{p.path: p.lines for p in site.pages if p.source.text}},
    )
    click.echo(REPORTERS[fmt](report), nl=False, color=report.color)
    threshold = {"error": ("error",), "warning": ("error", "warning")}[config.fail_on]
    return 1 if any(d.severity.value in threshold for d in result.diagnostics) else 0
