"""The ``openmodels`` command. Each command is a few lines; errors become messages and exit codes here."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from generator.errors import BuildError, CatalogError, OpenModelsError, Problem, SelectionError

if TYPE_CHECKING:
    from generator.catalog import Catalog
    from generator.site import Project


def _project(root: str | None):
    from generator.site import Project

    return Project(Path(root).resolve()) if root else Project.find()


def _report(problems: list[Problem], fmt: str = "text") -> None:
    for problem in problems:
        if fmt == "github":
            kind = "error" if problem.severity == "error" else "warning"
            message = problem.message + (f" ({problem.hint})" if problem.hint else "")
            message = _data(message)
            where = f"file={_property(problem.path)},line={problem.line},col={problem.col}"
            click.echo(f"::{kind} {where},title={_property(problem.field or 'file')}::{message}")
        else:
            click.echo(str(problem), err=True)


def _data(value: str) -> str:
    """``value`` escaped for the message of a GitHub Actions annotation."""
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _property(value: str) -> str:
    """``value`` escaped for a GitHub Actions annotation property (file=, title=)."""
    return _data(value).replace(":", "%3A").replace(",", "%2C")


_options = {"debug": False}
"""Options of the whole command that main() needs after click has finished: --debug."""

root_option = click.option("--root", type=click.Path(file_okay=False, exists=True),
                           help="Project folder (default: the one containing the working directory).")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="openmodels")
@click.option("--debug", is_flag=True, help="Also print the traceback behind an 'Error:' line.")
def cli(debug: bool) -> None:
    """Build the Open Models site: a lesson and an atlas of how open each LLM is.

    \b
    Examples:
      openmodels new org/name --family f  draft an entry for a Hub model
      openmodels validate                 check every file under data/
      openmodels build                    build the site into site/
      openmodels serve                    preview with live reload
      openmodels refresh                  fetch Hub facts into data/hub/
      openmodels trackers import E M      import the EOSAI and MOT snapshots
      openmodels --debug build            show the traceback behind an error
    """
    _options["debug"] = debug


@cli.command()
@click.option("--site-dir", type=click.Path(file_okay=False), help="Where to write the site (default: site/).")
@click.option("--lang", help="Build only this language, at the site's root (quick check for translators).")
@click.option("--force", is_flag=True, help="Build even when nothing changed since the site was built.")
@root_option
def build(site_dir: str | None, lang: str | None, force: bool, root: str | None) -> None:
    """Validate the catalog, render every page and build the site.

    The previous site stays untouched unless the whole build succeeds. When no input changed since
    the site was built (data, templates, pages, mkdocs.yml, the generator), the site is left as it is.

    \b
    Examples:
      openmodels build
      openmodels build --site-dir build/preview
      openmodels build --lang sv --site-dir build/sv
      openmodels build --force
    """
    from generator.site import build as build_site

    project = _project(root)
    try:
        built = build_site(project, Path(site_dir) if site_dir else None, lang, force)
    except CatalogError as exc:
        _report(exc.problems)
        raise click.ClickException(f"{exc}; the site was not rebuilt") from None
    except BuildError as exc:
        raise click.ClickException(f"{exc}\nThe previous site was left as it was.") from None
    _report(built.warnings)
    target = Path(site_dir) if site_dir else project.site_dir
    if not built.fresh:
        click.echo(f"{target} is up to date ({built.models} models in {built.families} families): "
                   "nothing changed since it was built; --force builds anyway")
        return
    click.echo(f"Built {built.models} models in {built.families} families into {target}")


@cli.command()
@click.option("--dev-addr", default="127.0.0.1:8000", show_default=True, help="Address to serve on.")
@click.option("--lang", help="Serve only this language (faster rebuilds while translating).")
@root_option
def serve(dev_addr: str, lang: str | None, root: str | None) -> None:
    """Preview the site with live reload.

    Editing a file under data/, templates/ or site_src/ re-renders the pages and reloads the browser.

    \b
    Example:
      openmodels serve --dev-addr 127.0.0.1:8001
      openmodels serve --lang sv
    """
    from generator.site import serve as serve_site

    try:
        serve_site(_project(root), dev_addr, lang)
    except CatalogError as exc:
        _report(exc.problems)
        raise click.ClickException(str(exc)) from None
    except BuildError as exc:
        raise click.ClickException(str(exc)) from None


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
    from generator.errors import problems_under

    project = _project(root)
    try:
        catalog = load_catalog(project.data_dir)
        problems = catalog.warnings
    except CatalogError as exc:
        problems = exc.problems
    if paths:
        try:
            problems = problems_under(problems, project.root, paths)
        except SelectionError as exc:
            raise click.ClickException(str(exc)) from None
    _report(problems, fmt)
    errors = [p for p in problems if p.severity == "error" or strict]
    if errors:
        raise click.ClickException(f"{len(errors)} problem(s) found") from None
    click.echo("The catalog is valid." if not problems else f"Valid, with {len(problems)} warning(s).")


@cli.command()
@click.argument("hf_id")
@click.option("--family", required=True, help="The family id: a file in data/families/ without .yml.")
@root_option
def new(hf_id: str, family: str, root: str | None) -> None:
    """Draft data/models/FAMILY/ORG__NAME.yml for the Hub model HF_ID.

    Every component starts at level unknown; the licence, base model, creation date and parameter
    count come from the Hub snapshot in data/hub/ when there is one. An existing file is never
    overwritten.

    \b
    Example:
      openmodels new allenai/OLMo-7B --family olmo
    """
    from generator.scaffold import ScaffoldError, draft_model, write_draft

    project = _project(root)
    try:
        draft = draft_model(project.data_dir, hf_id, family)
        write_draft(draft)
    except CatalogError as exc:
        _report(exc.problems)
        raise click.ClickException(f"{exc}; fix data/criteria.yml first") from None
    except ScaffoldError as exc:
        raise click.ClickException(str(exc)) from None
    shown = _relative(draft.path, project.root)
    click.echo(f"Wrote {shown}")
    if draft.from_hub:
        click.echo(f"From the Hub snapshot: {', '.join(draft.from_hub)} (check them)")
    else:
        click.echo("No Hub snapshot for this model: fill in the licence, release date and parameters yourself.")
    click.echo("Next: set each component's level, evidence and note (see CONTRIBUTING.md), then run\n"
               f"  openmodels validate {shown}")


@cli.command("new-family")
@click.argument("family_id")
@root_option
def new_family(family_id: str, root: str | None) -> None:
    """Start a new family: draft data/families/FAMILY_ID.yml to fill in, then add its models with `new`.

    The draft is blank; a copy of another family's file would describe that family until rewritten.
    Write it in English only: translations live in data/locales/ (`make translations`).
    An existing file is never overwritten.

    \b
    Example:
      openmodels new-family smollm
      openmodels new HuggingFaceTB/SmolLM2-1.7B --family smollm
    """
    from generator.scaffold import ScaffoldError, draft_family, write_draft

    project = _project(root)
    try:
        draft = draft_family(project.data_dir, family_id)
        write_draft(draft)
    except ScaffoldError as exc:
        raise click.ClickException(str(exc)) from None
    shown = _relative(draft.path, project.root)
    click.echo(f"Wrote {shown}")
    click.echo("Next: fill in its name, organisation, summary, key facts and links, add a model with\n"
               f"  openmodels new ORG/NAME --family {family_id}\n"
               f"then run\n  openmodels validate {shown}")


def _relative(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root))
    except ValueError:
        return str(path)


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
    from generator.schema_export import update_schema_files

    project = _project(root)
    try:
        criteria = load_criteria(project.data_dir)
    except CatalogError as exc:
        _report(exc.problems)
        raise click.ClickException(str(exc)) from None
    changed = [str(p.relative_to(project.root))
               for p in update_schema_files(project.data_dir / "schema", criteria.keys, write)]
    if write:
        for path in changed:
            click.echo(f"wrote {path}")
    elif changed:
        raise click.ClickException("out of date: " + ", ".join(changed) + " (run: openmodels schema --write)") from None


def hub_options(command):
    """The options every command that asks the Hub shares: which models, where and how fast."""
    for option in reversed([
        click.argument("model_ids", nargs=-1),
        click.option("--family", "families", multiple=True, help="Only this family's models (repeatable)."),
        click.option("--endpoint", help="The Hub's address (default: $HF_ENDPOINT, else https://huggingface.co)."),
        click.option("--workers", type=click.IntRange(1, 32), default=8, show_default=True,
                     help="Requests in parallel."),
        click.option("--timeout", type=click.FloatRange(0.1, 600), default=10.0, show_default=True,
                     help="Seconds to wait for each answer."),
        root_option,
    ]):
        command = option(command)
    return command


@cli.command()
@hub_options
def refresh(model_ids: tuple[str, ...], families: tuple[str, ...], endpoint: str | None, workers: int,
            timeout: float, root: str | None) -> None:
    """Fetch facts about catalog models from the Hugging Face Hub into data/hub/.

    Snapshots (data/hub/<org>/<name>.yml) are machine-owned: a refresh never touches the curated
    files. A model that fails (gone, gated, renamed, a bad answer) keeps its previous snapshot and
    is named at the end; the exit status is then 1. HF_TOKEN, if set, raises the Hub's rate limit.

    \b
    Examples:
      openmodels refresh                                 every model in the catalog
      openmodels refresh --family llama-3
      openmodels refresh allenai/OLMo-7B --endpoint http://127.0.0.1:8080
    """
    from generator.snapshots import refresh_snapshots

    project, catalog, ids = _hub_selection(root, model_ids, families)
    with _hub_client(endpoint, workers, timeout) as client:
        with _progress(len(ids), "Refreshing from the Hub") as advance:
            done = refresh_snapshots(project.data_dir, ids, client, catalog.licenses.values(), advance)
    stats = client.stats
    click.echo(f"Refreshed {len(ids) - len(done.failed)} of {len(ids)} models: {len(done.written)} snapshot(s) "
               f"written, {len(done.unchanged)} unchanged ({stats.requests} requests, {stats.failed} of them "
               f"failed or timed out, {stats.rate_limited} of those rate-limited).")
    for failure in done.failed:
        click.echo(f"  failed: {failure}", err=True)
    if done.failed:
        raise click.ClickException(f"{len(done.failed)} model(s) could not be refreshed; "
                                   "their previous snapshots were left as they were")


@cli.command()
@hub_options
@click.option("--limit", type=click.IntRange(1, 1000), default=10, show_default=True,
              help="Fine-tunes to list per base model.")
@click.option("--report", type=click.Path(dir_okay=False), help="Also write the list to this Markdown file.")
def discover(model_ids: tuple[str, ...], families: tuple[str, ...], endpoint: str | None, workers: int,
             timeout: float, root: str | None, limit: int, report: str | None) -> None:
    """List the most-downloaded fine-tunes on the Hub of each base model in the catalog, for curators.

    Only a report: nothing is added to the catalog, which takes a person reading each model's card.

    \b
    Examples:
      openmodels discover --limit 5
      openmodels discover --family olmo --report build/discover.md
    """
    from generator.discover import bases_among, discover_finetunes, discovery_markdown
    from generator.files import write_if_changed

    _, catalog, ids = _hub_selection(root, model_ids, families)
    with _hub_client(endpoint, workers, timeout) as client:
        result = discover_finetunes(client, bases_among(catalog, ids), limit)
    text = discovery_markdown(result, set(catalog.models))
    click.echo(text)
    if report:
        write_if_changed(Path(report), text)
        click.echo(f"Wrote {report}", err=True)
    if result.failed:
        raise click.ClickException(f"{len(result.failed)} base model(s) could not be listed")


def _valid_catalog(project: Project, consequence: str) -> Catalog:
    """The project's catalog; on problems, reports them and exits saying ``consequence``."""
    from generator.catalog import load_catalog

    try:
        return load_catalog(project.data_dir)
    except CatalogError as exc:
        _report(exc.problems)
        raise click.ClickException(f"{exc}; {consequence}") from None


def _hub_selection(root: str | None, model_ids: tuple[str, ...], families: tuple[str, ...]):
    """The project, its catalog and the ids chosen on the command line; exits on an invalid catalog."""
    project = _project(root)
    catalog = _valid_catalog(project, "fix the catalog before asking the Hub")
    try:
        return project, catalog, catalog.select(model_ids, families)
    except SelectionError as exc:
        raise click.BadParameter(str(exc), param_hint=exc.option) from None


def _hub_client(endpoint: str | None, workers: int, timeout: float):
    from huggingface_hub.utils import logging as hub_logging

    from generator.hub import HubClient

    hub_logging.set_verbosity_error()  # retries are counted and reported, not logged one by one
    return HubClient(endpoint, workers=workers, timeout=timeout)


def _progress(total: int, label: str):
    """A context giving a function to call once per finished item: a progress bar on a terminal, else nothing."""
    import contextlib

    if not sys.stderr.isatty():
        return contextlib.nullcontext(lambda _outcome: None)

    @contextlib.contextmanager
    def bar():
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
        with Progress(*columns, console=Console(stderr=True), transient=True) as progress:
            task = progress.add_task(label, total=total)
            yield lambda _outcome: progress.advance(task)

    return bar()


@cli.group()
def trackers() -> None:
    """What other trackers say: import the EOSAI and MOT snapshots into data/trackers/.

    \b
    Example:
      openmodels trackers import ../main-database ../model_openness_tool
    """


@trackers.command("import")
@click.argument("eosai_dir", type=click.Path(file_okay=False, exists=True))
@click.argument("mot_dir", type=click.Path(file_okay=False, exists=True))
@click.option("--eosai-commit", help="The index's commit, when EOSAI_DIR is not a git checkout.")
@click.option("--mot-commit", help="The MOT's commit, when MOT_DIR is not a git checkout.")
@root_option
def trackers_import(eosai_dir: str, mot_dir: str, eosai_commit: str | None, mot_commit: str | None,
                    root: str | None) -> None:
    """Normalise checkouts of the two trackers into data/trackers/<source>/ and match them with the catalog.

    EOSAI_DIR is a checkout of the European Open Source AI Index's main-database, MOT_DIR one of
    the Model Openness Tool. The mapping onto our components is data/trackers/mapping.yml; matches
    the import cannot make itself go in data/trackers/matches.yml. Files are written only when
    they change; a tracker file that cannot be read is named and skipped, and its previous
    normalised file is kept. Re-run it after adding models so that new matches are found.

    \b
    Example:
      openmodels trackers import ../main-database ../model_openness_tool
      openmodels trackers import snapshots/osai-index snapshots/mot --eosai-commit 5a388e8 --mot-commit 8b5d30e
    """
    from generator.catalog import load_catalog
    from generator.tracker_import import import_trackers

    project = _project(root)
    try:
        catalog = load_catalog(project.data_dir)
        done = import_trackers(project.data_dir, Path(eosai_dir), Path(mot_dir), catalog, eosai_commit, mot_commit)
    except CatalogError as exc:
        _report(exc.problems)
        raise click.ClickException(f"{exc}; nothing was imported") from None
    for note in done.notes:
        click.echo(f"  note: {note}")
    for skipped in done.skipped:
        click.echo(f"  skipped {skipped}", err=True)
    click.echo(f"Imported {done.entries.get('eosai', 0)} EOSAI and {done.entries.get('mot', 0)} MOT entries; "
               f"matched {done.matched.get('eosai', 0)} and {done.matched.get('mot', 0)} catalog models; "
               f"{len(done.written)} file(s) written, {len(done.removed)} removed, {len(done.skipped)} skipped.")


@cli.group()
def i18n() -> None:
    """Translation tools: status, a new language, marking a translation current.

    \b
    Examples:
      openmodels i18n status
      openmodels i18n status --lang sv --json
      openmodels i18n extract
      openmodels i18n init de --name Deutsch
      openmodels i18n diff lesson/index.md --lang sv
      openmodels i18n mark-current lesson/index.md --lang sv
    """


@i18n.command("status")
@click.option("--lang", help="Only this language.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@root_option
def i18n_status(lang: str | None, as_json: bool, root: str | None) -> None:
    """Per language: pages translated, stale and missing, the share of template strings translated, and
    the data strings (notes, family texts, criteria) translated, fuzzy and missing.

    Fuzzy strings count as untranslated, because readers do not see them. Data strings are counted
    against the English in data/ now: one whose English changed since the last `make translations`
    is missing until the merge marks it fuzzy. Exits 0 either way.

    \b
    Examples:
      openmodels i18n status
      openmodels i18n status --lang sv --json
    """
    import json

    from generator.catalog import load_catalog
    from generator.i18n import languages, status

    project = _project(root)
    try:
        catalog = load_catalog(project.data_dir)
    except CatalogError:
        catalog = None  # the pages and template strings can still be counted
    report = [s for s in status(project.pages_dir, project.locales_dir, languages(project.config_file), catalog,
                                project.data_locales_dir) if lang in (None, s.locale)]
    if lang and not report:
        raise click.ClickException(f"'{lang}' is not a translated language of mkdocs.yml")
    if as_json:
        click.echo(json.dumps([s.as_dict() for s in report], indent=2))
        return
    for s in report:
        click.echo(f"{s.locale}: pages {s.count('translated')} translated, {s.count('stale')} stale, "
                   f"{s.count('missing')} missing; template strings {s.strings.share:.0%} translated "
                   f"({s.strings.translated}/{s.strings.total}, {s.strings.fuzzy} fuzzy); "
                   + (f"data strings {s.data.share:.0%} translated ({s.data.translated}/{s.data.total}, "
                      f"{s.data.fuzzy} fuzzy, {s.data.untranslated} missing)" if s.data else
                      "data strings not counted: the catalog does not validate (see openmodels validate)"))
        for page in s.pages:
            if page.state != "translated":
                click.echo(f"  {page.state:8} {page.page}" + (f"  (what changed: openmodels i18n diff {page.page} "
                                                                f"--lang {s.locale})" if page.state == "stale" else ""))


@i18n.command("extract")
@root_option
def i18n_extract(root: str | None) -> None:
    """Extract the catalog's prose from data/ and merge it into every language's data catalog.

    Notes, family names, summaries, key facts and link titles, licence names and the texts of
    data/criteria.yml go into data/locales/data.pot, one message per string with a msgctxt naming
    its file and field, and are merged into data/locales/LANG/LC_MESSAGES/data.po. A string whose
    English changed keeps its old translation marked fuzzy (readers see the English until a
    translator updates it and clears the flag). Files are written only when they change, and only
    when the whole catalog validates and every data.po could be read. `make translations` runs this.

    \b
    Example:
      openmodels i18n extract
      openmodels i18n status --lang sv
    """
    from generator.i18n import languages
    from generator.prose import extract

    project = _project(root)
    catalog = _valid_catalog(project, "no catalog was written")
    locales = [lang.locale for lang in languages(project.config_file) if not lang.default]
    total, merged = extract(catalog, project.data_locales_dir, locales)
    click.echo(f"{total} data strings in {_relative(project.data_locales_dir / 'data.pot', project.root)}")
    for m in merged:
        s = m.stats
        click.echo(f"{m.locale}: {s.translated} translated, {s.fuzzy} fuzzy, {s.untranslated} missing"
                   + (f"; wrote {_relative(m.path, project.root)}" if m.written else ""))
        for context, text in m.dropped:
            click.echo(f"  dropped the translation of {context} (its English is gone): {text[:60]}")


@i18n.command("init")
@click.argument("lang")
@click.option("--name", help="The language's name in itself, e.g. Deutsch (default: from Babel).")
@root_option
def i18n_init(lang: str, name: str | None, root: str | None) -> None:
    """Add a language: its template and data catalogs, its entry in mkdocs.yml and menu translations to fill in.

    The site builds with it at once; untranslated pages and strings show in English with a notice.

    \b
    Example:
      openmodels i18n init de --name Deutsch
    """
    from generator.i18n import init_language

    project = _project(root)
    for path in init_language(project.root, project.config_file, project.locales_dir, lang, name,
                              project.data_locales_dir):
        click.echo(f"wrote {path}")
    click.echo(f"Next: translate templates/locales/{lang}/LC_MESSAGES/messages.po and "
               f"data/locales/{lang}/LC_MESSAGES/data.po, and add site_src/*.{lang}.md pages.")


@i18n.command("diff")
@click.argument("page")
@click.option("--lang", required=True, help="The translation's language.")
@root_option
def i18n_diff(page: str, lang: str, root: str | None) -> None:
    """Show how PAGE's original changed since its translation was made (PAGE as under site_src/).

    The translation's source_hash names the version of the original it matches; git history holds
    that version's text. Changes of whitespace alone are not shown and do not make a page stale.
    After updating the translation, record it with `i18n mark-current`.

    \b
    Example:
      openmodels i18n diff lesson/benefits.md --lang sv
      openmodels i18n mark-current lesson/benefits.md --lang sv
    """
    from generator.i18n import page_diff

    project = _project(root)
    diff = page_diff(project.pages_dir, page, lang)
    click.echo(diff.rstrip("\n") if diff else f"{page} ({lang}) matches its original; nothing to update.")


@i18n.command("mark-current")
@click.argument("page")
@click.option("--lang", required=True, help="The translation's language.")
@root_option
def i18n_mark_current(page: str, lang: str, root: str | None) -> None:
    """Record that PAGE's translation matches the current original (PAGE as under site_src/).

    \b
    Example:
      openmodels i18n mark-current lesson/index.md --lang sv
    """
    from generator.i18n import mark_current

    project = _project(root)
    digest = mark_current(project.pages_dir, page, lang)
    click.echo(f"{page} ({lang}) now records source_hash {digest}")


def main(args: list[str] | None = None) -> None:
    """Entry point: run the CLI on ``args`` (default: the command line) and turn stray library errors
    into a one-line message (and, with --debug, the traceback behind it)."""
    try:
        code = cli.main(args, prog_name="openmodels", standalone_mode=False)
    except click.ClickException as exc:
        _traceback(exc.__context__)
        exc.show()
        sys.exit(exc.exit_code)
    except click.Abort:
        click.echo("Aborted!", err=True)
        sys.exit(1)
    except OpenModelsError as exc:
        _fail(exc, f"Error: {exc}")
    except UnicodeDecodeError as exc:
        _fail(exc, f"Error: a file is not valid UTF-8 ({exc.reason} at byte {exc.start}); save it as UTF-8")
    except OSError as exc:
        # The file system said no (permissions, a full disk, a busy mount): say so plainly.
        where = f" ({exc.filename})" if exc.filename else ""
        _fail(exc, f"Error: {exc.strerror or exc}{where}")
    sys.exit(code if isinstance(code, int) else 0)


def _fail(exc: BaseException, message: str) -> None:
    _traceback(exc)
    click.echo(message, err=True)
    sys.exit(1)


def _traceback(exc: BaseException | None) -> None:
    if exc is not None and _options["debug"]:
        import traceback

        traceback.print_exception(exc, file=sys.stderr)
