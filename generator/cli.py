"""The ``openmodels`` command. Each command is a few lines; errors become messages and exit codes here."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from generator.errors import BuildError, CatalogError, OpenModelsError, Problem


def _project(root: str | None):
    from generator.site import Project

    return Project(Path(root).resolve()) if root else Project.find()


def _report(problems: list[Problem], fmt: str = "text") -> None:
    for problem in problems:
        if fmt == "github":
            kind = "error" if problem.severity == "error" else "warning"
            message = problem.message + (f" ({problem.hint})" if problem.hint else "")
            message = message.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
            title = (problem.field or "file").replace(",", "%2C").replace(":", "%3A")
            click.echo(f"::{kind} file={problem.path},line={problem.line},col={problem.col},title={title}::{message}")
        else:
            click.echo(str(problem), err=problem.severity == "error")


root_option = click.option("--root", type=click.Path(file_okay=False, exists=True),
                           help="Project folder (default: the one containing the working directory).")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="openmodels")
def cli() -> None:
    """Build the Open Models site: a lesson and an atlas of how open each LLM is.

    \b
    Examples:
      openmodels validate                 check every file under data/
      openmodels build                    build the site into site/
      openmodels serve                    preview with live reload
    """


@cli.command()
@click.option("--site-dir", type=click.Path(file_okay=False), help="Where to write the site (default: site/).")
@root_option
def build(site_dir: str | None, root: str | None) -> None:
    """Validate the catalog, render every page and build the site.

    The previous site stays untouched unless the whole build succeeds.

    \b
    Examples:
      openmodels build
      openmodels build --site-dir /tmp/preview
    """
    from generator.site import build as build_site

    project = _project(root)
    try:
        catalog = build_site(project, Path(site_dir) if site_dir else None)
    except CatalogError as exc:
        _report(exc.problems)
        raise click.ClickException(f"{exc}; the site was not rebuilt") from None
    except BuildError as exc:
        raise click.ClickException(f"{exc}\nThe previous site was left as it was.") from None
    _report(catalog.warnings)
    target = Path(site_dir) if site_dir else project.site_dir
    click.echo(f"Built {len(catalog.models)} models in {len(catalog.families)} families into {target}")


@cli.command()
@click.option("--dev-addr", default="127.0.0.1:8000", show_default=True, help="Address to serve on.")
@root_option
def serve(dev_addr: str, root: str | None) -> None:
    """Preview the site with live reload.

    Editing a file under data/, templates/ or site_src/ re-renders the pages and reloads the browser.

    \b
    Example:
      openmodels serve --dev-addr 127.0.0.1:8001
    """
    import os

    from generator.site import render_docs

    project = _project(root)
    try:
        render_docs(project)
    except CatalogError as exc:
        _report(exc.problems)
        raise click.ClickException(str(exc)) from None
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    from mkdocs.commands.serve import serve as mkdocs_serve

    mkdocs_serve(config_file=str(project.config_file), dev_addr=dev_addr, livereload=True)


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--format", "fmt", type=click.Choice(["text", "github"]), default="text", show_default=True,
              help="'github' prints GitHub Actions annotations.")
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
@root_option
def validate(paths: tuple[str, ...], fmt: str, strict: bool, root: str | None) -> None:
    """Check the catalog and report every problem as path:line:col: field: message.

    With PATHs, only problems in those files or folders are shown (the whole catalog is still
    read, because checks such as base_model need it).

    \b
    Examples:
      openmodels validate
      openmodels validate data/models/olmo/allenai__OLMo-7B.yml
      openmodels validate --format github
    """
    from generator.catalog import load_catalog

    project = _project(root)
    try:
        catalog = load_catalog(project.data_dir)
        problems = catalog.warnings
    except CatalogError as exc:
        problems = exc.problems
    if paths:
        wanted = [Path(p).resolve() for p in paths]
        base = project.root

        def selected(problem: Problem) -> bool:
            where = (base / problem.path).resolve()
            return any(where == w or w in where.parents for w in wanted)

        problems = [p for p in problems if selected(p)]
    _report(problems, fmt)
    errors = [p for p in problems if p.severity == "error" or strict]
    if errors:
        raise click.ClickException(f"{len(errors)} problem(s) found") from None
    click.echo("The catalog is valid." if not problems else f"Valid, with {len(problems)} warning(s).")


@cli.command()
@click.option("--write", is_flag=True, help="Write the files instead of checking them.")
@root_option
def schema(write: bool, root: str | None) -> None:
    """Check (or with --write, regenerate) the JSON Schema files in data/schema/.

    They are derived from generator/schema.py and data/criteria.yml; editors use them to
    autocomplete and flag mistakes while a contributor types.

    \b
    Examples:
      openmodels schema            exit 1 if the committed files are out of date
      openmodels schema --write
    """
    from generator.catalog import load_criteria
    from generator.files import write_if_changed
    from generator.schema_export import schema_files

    project = _project(root)
    try:
        criteria = load_criteria(project.data_dir)
    except CatalogError as exc:
        _report(exc.problems)
        raise click.ClickException(str(exc)) from None
    stale = []
    for name, text in schema_files(criteria.keys).items():
        path = project.data_dir / "schema" / name
        if write:
            if write_if_changed(path, text):
                click.echo(f"wrote {path.relative_to(project.root)}")
        elif not path.is_file() or path.read_text(encoding="utf-8") != text:
            stale.append(str(path.relative_to(project.root)))
    if stale:
        raise click.ClickException("out of date: " + ", ".join(stale) + " (run: openmodels schema --write)") from None


def main() -> None:
    """Entry point: run the CLI and turn stray library errors into a one-line message."""
    try:
        cli(prog_name="openmodels")
    except OpenModelsError as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(1)
