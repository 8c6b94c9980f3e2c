"""The build: catalog -> checks -> scores -> Markdown -> MkDocs -> ``site/``.

``build`` reads as the list of its stages. Everything is gathered and rendered before anything
is written, and the finished site replaces the previous one only once MkDocs has succeeded.
"""

from __future__ import annotations

import logging
import os
import shutil
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from generator import language_builds
from generator.digest import Recorded, inputs_digest, record, recorded
from generator.errors import BuildError, OpenModelsError
from generator.fallback_text import resolve
from generator.files import prune_tree, read_tree, recover, swap_in, write_if_changed, write_tree
from generator.forks import each_apart, in_child, possible
from generator.i18n import Language, languages, load_translations, public_site_url, translated_name, translation_status
from generator.search import split_search_index
from generator.trackers import load_trackers

if TYPE_CHECKING:
    from generator.catalog import Catalog
    from generator.prose import Place
    from generator.render import Localizer


@dataclass(frozen=True)
class Project:
    """Where a project's parts live: data, templates, hand-written pages, config and output."""

    root: Path

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    @property
    def templates_dir(self) -> Path:
        return self.root / "templates"

    @property
    def pages_dir(self) -> Path:
        return self.root / "site_src"

    @property
    def locales_dir(self) -> Path:
        """Gettext catalogs of the template strings, one folder per language."""
        return self.templates_dir / "locales"

    @property
    def data_locales_dir(self) -> Path:
        """Gettext catalogs of the catalog's prose (generator.prose): data/locales/<lang>/LC_MESSAGES/data.po."""
        return self.data_dir / "locales"

    @property
    def docs_dir(self) -> Path:
        """Generated Markdown plus copies of the hand-written pages; git-ignored, MkDocs reads it."""
        return self.root / "build" / "docs"

    @property
    def config_file(self) -> Path:
        return self.root / "mkdocs.yml"

    @property
    def site_dir(self) -> Path:
        return self.root / "site"

    @classmethod
    def find(cls, start: Path | None = None) -> Project:
        """The project containing ``start`` (default: the working directory)."""
        here = (start or Path.cwd()).resolve()
        for folder in (here, *here.parents):
            if (folder / "mkdocs.yml").is_file() and (folder / "data").is_dir():
                return cls(folder)
        raise OpenModelsError(f"no Open Models project (mkdocs.yml beside data/) in {here} or above")


@dataclass(frozen=True)
class Subset:
    """Part of the generated pages, for ``serve`` after an edit (generator.preview): everything else in the
    docs folder is known to be what a full render would write there."""

    pages: frozenset[str]
    """The generated pages to render, by their path in the default language."""
    badges: frozenset[str]
    """The models whose badge to write."""
    removed: frozenset[str]
    """Generated pages (default-language paths) and badges of models that are gone, to delete."""
    table: bool = True
    """Whether api/models.csv may have changed (it holds no notes or evidence)."""


def render_docs(project: Project, only: str | None = None) -> tuple[Catalog, list[str]]:
    """Validate the catalog and bring the docs folder up to date; returns the catalog and files written.

    Every language of mkdocs.yml gets every page (or with ``only``, the default language and that
    one): generated pages are rendered in each language, hand-written ones are taken from their
    translation, marked when it is stale, or shown in English with a notice when there is none.
    """
    from generator.catalog import load_catalog
    from generator.openness import assess_catalog

    catalog = load_catalog(project.data_dir)
    assessments = assess_catalog(catalog)
    trackers = load_trackers(project.data_dir, catalog)
    return catalog, write_docs(project, only, catalog, assessments, trackers)


def write_docs(project: Project, only: str | None, catalog: Catalog, assessments: dict, trackers: Any,
               subset: Subset | None = None, encoded: dict | None = None) -> list[str]:
    """Render the pages of a loaded catalog into the docs folder (all of them, or ``subset``); returns
    the files written. ``encoded``: see generator.api.models_json."""
    # Imported here, not above: a build with nothing changed stops before rendering, and should not
    # pay half a second for importing the schema (pydantic) and the templates (Jinja).
    from generator.api import models_csv, models_json
    from generator.atlas import badges
    from generator.figures import expand_figures
    from generator.glossary import load_glossary, with_glossary
    from generator.prose import places
    from generator.render import LEVEL_STYLES, badge_file, iter_pages, level_styles, translate_page
    from generator.rule_text import expand_rules
    from generator.schema_export import schema_files

    every = languages(project.config_file)
    langs = [lang for lang in every if lang.default or only in (None, lang.locale)]
    default = langs[0].locale
    others = [lang.locale for lang in every if not lang.default]
    url = public_site_url(project.config_file)
    # The hand-written pages are read once: originals and assets are copied, translations are
    # compared with their originals and copied under their own names below.
    tree = read_tree(project.pages_dir)
    translations = tuple(f".{locale}.md" for locale in others)
    originals = sorted(rel for rel in tree if rel.endswith(".md") and not rel.endswith(translations))
    assets = {rel: content for rel, content in tree.items() if not rel.endswith(".md")}
    prose = places(catalog)
    catalog.forget_sources()

    def refuse_clashes(names: Iterable[str]) -> None:
        clashes = sorted(set(names) & set(tree))
        if clashes:
            raise BuildError(f"{project.pages_dir.name}/{clashes[0]}: the generator writes a page at this path; "
                             "rename or move the hand-written page" + (f" (and {len(clashes) - 1} more)"
                                                                       if len(clashes) > 1 else ""))

    def render_language(lang: Language) -> tuple[list[str], list[str]]:
        """Render one language's pages, generated and hand-written, and write them to the docs folder;
        returns the paths it wants there and those it wrote.

        Each page is written as soon as it is rendered and then let go: held together until the
        end, one language's pages were over 40 MB at a thousand models. The docs folder is an
        intermediate that every build rewrites: an fsync per page (thousands at a thousand models)
        buys no safety there. Files are still replaced atomically.
        """
        localizer = make_localizer(project, catalog, lang.locale, default, prose)
        names: list[str] = []
        written: list[str] = []

        def put(name: str, text: str) -> None:
            names.append(name)
            if write_if_changed(project.docs_dir / name, text, durable=False):
                written.append(name)

        generated_names: list[str] = []
        for name, text in iter_pages(catalog, assessments, project.templates_dir, localizer, trackers, url,
                                     None if subset is None else subset.pages):
            generated_names.append(name)
            if name not in tree:
                put(name, text)
        # Checked once every page is known, to name them all; a clashing page was not written.
        refuse_clashes(generated_names)
        glossary = load_glossary(project.data_dir, lang.locale)
        for page in originals:
            name = translated_name(page, lang.locale) if not lang.default else page
            original = tree[page].decode("utf-8")
            text = original
            if not lang.default:
                translation = tree[name].decode("utf-8") if name in tree else None
                state = translation_status(page, original, translation, Path(name).name, project.pages_dir / page)
                text = translate_page(original, translation, state.state == "stale", project.templates_dir, localizer)
            # Pictures are drawn from the data in the reader's language; lesson pages get the glossary.
            text = resolve(expand_figures(text, name, catalog, assessments, localizer), localizer.default)
            # Sentences that state a rule (methodology) are read from data/criteria.yml.
            text = expand_rules(text, name, catalog.criteria, project.templates_dir, localizer)
            put(name, with_glossary(text, glossary) if page.startswith("lesson/") else text)
        return sorted(names), sorted(written)

    generated: dict[str, str] = {"api/models.json": models_json(catalog, assessments, trackers, encoded)}
    if subset is None or subset.table:
        generated["api/models.csv"] = models_csv(catalog, assessments)
    if subset is None:
        generated.update(badges(catalog, assessments, badge_file))
        # The schema and the level icons follow from criteria.yml alone, which a subset never follows.
        for name, text in schema_files(catalog.criteria.keys).items():
            generated[f"schema/{name}"] = text
        generated[LEVEL_STYLES] = level_styles(catalog.criteria)
    else:
        generated.update(badges(catalog, assessments, badge_file, subset.badges))
    refuse_clashes(generated)
    # Each language renders and writes its own pages on a core of its own: the languages share
    # nothing they change and write different files, and no language's pages pass between processes.
    wanted, written = set(generated) | set(assets), []
    for names, wrote in each_apart([partial(render_language, lang) for lang in langs]):
        wanted.update(names)
        written.extend(wrote)
    written.extend(write_tree(project.docs_dir, {**assets, **generated}, durable=False))
    if subset is None:
        prune_tree(project.docs_dir, wanted)
    else:
        # Only what the subset names can have gone; walking the whole folder would cost more than the render.
        for gone in subset.removed:
            for lang in langs:
                (project.docs_dir / (gone if lang.default or gone.endswith(".svg")
                                     else translated_name(gone, lang.locale))).unlink(missing_ok=True)
    written.sort()
    return written


def make_localizer(project: Project, catalog: Catalog, locale: str, default: str,
                   found: list[Place] | None = None) -> Localizer:
    """The Localizer of ``locale``: its template strings and its data catalog's translations of ``catalog``'s
    prose (``found``: the catalog's translatable strings, when already listed)."""
    from generator.prose import ProseTranslations, load_strings, places
    from generator.render import Localizer

    translations, known = load_translations(project.locales_dir, locale)
    strings = load_strings(project.data_locales_dir, locale)
    return Localizer(locale, default, translations, known,
                     prose=ProseTranslations(places(catalog) if found is None else found, strings))


def build(project: Project, site_dir: Path | None = None, only: str | None = None,
          force: bool = False, languages_apart: bool = True) -> Recorded:
    """Build the whole site into ``site_dir`` (default ``site/``); returns what the build recorded.

    With ``only`` (a language code), just that language is built, at the site's root: a quick check
    for translators. Raises CatalogError for an invalid catalog and BuildError when MkDocs fails; in
    both cases the previous site is left exactly as it was.

    When the site was built from exactly the current inputs (see generator.digest), nothing is
    read or written and the previous build's record is returned; ``force`` builds anyway. A caller
    tells the two apart by the record's ``fresh`` flag.

    Each language is built by MkDocs in a process of its own (generator.language_builds); with
    ``languages_apart`` false they are built one after another, as the i18n plugin does, which makes
    the same site more slowly.
    """
    site_dir = Path(site_dir or project.site_dir).resolve()
    check_site_dir(project, site_dir)
    try:
        recover(site_dir)
    except OSError as exc:
        raise BuildError(f"cannot prepare {site_dir}: {exc.strerror}") from None
    langs = languages(project.config_file)
    if only is not None and only not in [lang.locale for lang in langs]:
        raise BuildError(f"'{only}' is not a language of mkdocs.yml; languages: "
                         + ", ".join(lang.locale for lang in langs))
    digest = inputs_digest([project.data_dir, project.templates_dir, project.pages_dir],
                           [project.config_file], only)
    previous = recorded(site_dir)
    if not force and previous is not None and previous.digest == digest and (site_dir / SITE_MARKER).exists():
        return previous
    summary = _render_apart(project, only)
    staged = site_dir.with_name(f".{site_dir.name}.new-{os.getpid()}")
    shutil.rmtree(staged, ignore_errors=True)
    try:
        run_mkdocs(project.config_file, staged, only, languages_apart=languages_apart)
        if only is None:
            split_search_index(staged, langs[0].locale, [lang.locale for lang in langs[1:]])
        (staged / SITE_MARKER).write_text("Built by openmodels; `openmodels build` may replace this folder.\n")
        built = Recorded(digest, *summary, fresh=True)
        record(staged, built)
        swap_in(staged, site_dir)
    except OSError as exc:
        raise BuildError(f"could not put the new site in place at {site_dir}: {exc.strerror}") from None
    finally:
        shutil.rmtree(staged, ignore_errors=True)
    return built


def _render_summary(project: Project, only: str | None) -> tuple[int, int, list]:
    catalog, _ = render_docs(project, only)
    return len(catalog.models), len(catalog.families), catalog.warnings


def _render_apart(project: Project, only: str | None) -> tuple[int, int, list]:
    """``render_docs`` in a child process; returns the models, families and warnings it reports.

    Rendering leaves a process holding the catalog, compiled templates and its allocator's high-water
    mark (about 100 MB at a thousand models), and MkDocs, which runs in this process next, would add
    its own peak on top. A child gives its memory back when it exits, so the build's peak is the
    larger of the two stages instead of their sum. Errors come back as they were raised; where this
    process cannot fork safely (generator.forks.possible), the rendering runs here.
    """
    # The child dies with this process (forks.die_with): rendering on after it, it would write pages
    # into the docs folder that the next build writes too.
    return in_child(partial(_render_summary, project, only), "the rendering process")


SITE_MARKER = ".openmodels-site"
"""A file in every built site: a folder is replaced by a build only when it is empty or holds one."""


def check_site_dir(project: Project, site_dir: Path) -> None:
    """Refuse a site folder whose replacement would destroy anything but a previous build.

    The build swaps the whole folder, so ``--site-dir .`` or ``--site-dir data`` would otherwise
    delete the project. Raises BuildError.
    """
    root = project.root.resolve()
    precious = [root, *(p.resolve() for p in (project.data_dir, project.templates_dir, project.pages_dir,
                                               project.docs_dir, project.root / "generator",
                                               project.root / "tests", project.root / ".git"))]
    for place in precious:
        if site_dir == place or site_dir in place.parents or place in site_dir.parents and place != root:
            raise BuildError(f"refusing to build into {site_dir}: it would replace part of the project "
                             f"({place}); choose a folder of its own, e.g. site/ or build/preview")
    if site_dir.is_dir() and any(site_dir.iterdir()) and not (site_dir / SITE_MARKER).exists() \
            and site_dir != project.site_dir.resolve():
        raise BuildError(f"refusing to replace {site_dir}: it is not empty and was not built by openmodels")


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def run_mkdocs(config_file: Path, site_dir: Path, only: str | None = None, languages_apart: bool = False) -> None:
    """Run a strict MkDocs build of ``config_file`` into ``site_dir``; raises BuildError on any warning.

    With ``only``, the i18n plugin builds just that language (its ``build_only_locale`` reads DOCS_LANG).
    With ``languages_apart``, the languages after the default one are built in a forked process
    while this one builds the default language, when this process can fork (generator.language_builds).
    This is the one place that knows which builder runs, so moving to a MkDocs fork is one change here.
    """
    from jinja2 import TemplateError
    from mkdocs.commands.build import build as mkdocs_build
    from mkdocs.config import load_config
    from mkdocs.exceptions import MkDocsException

    collector = _Collect()
    logger = logging.getLogger("mkdocs")
    logger.addHandler(collector)
    try:
        with _mkdocs_environment(only):
            config = load_config(str(config_file), site_dir=str(site_dir), strict=True)
            if languages_apart and only is None and possible():
                language_builds.begin(site_dir, collector.messages)
            mkdocs_build(config)
            language_builds.join(config)
    # A theme template that fails (templates/theme) is the project's input like any page: MkDocs has
    # logged the page it failed on, and the languages built apart report it the same way.
    except (MkDocsException, OSError, TemplateError) as exc:
        details = "\n".join(f"  {m}" for m in collector.messages)
        raise BuildError(f"MkDocs build failed: {exc}" + (f"\n{details}" if details else "")) from None
    finally:
        language_builds.end()
        logger.removeHandler(collector)


@contextmanager
def _mkdocs_environment(only: str | None) -> Iterator[None]:
    """MkDocs' environment for one run: no MkDocs 2 banner, and DOCS_LANG (the i18n plugin's
    ``build_only_locale`` in mkdocs.yml) set to ``only``; DOCS_LANG is restored afterwards."""
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    previous = os.environ.pop("DOCS_LANG", None)
    if only:
        os.environ["DOCS_LANG"] = only
    try:
        yield
    finally:
        os.environ.pop("DOCS_LANG", None)
        if previous is not None:
            os.environ["DOCS_LANG"] = previous


def serve(project: Project, dev_addr: str, only: str | None = None) -> None:
    """Render the pages, then run MkDocs' dev server on ``dev_addr`` until it is stopped.

    The server re-renders before each rebuild (generator/mkdocs_hooks.py): after an edit of model files,
    only the pages that show those models (generator.preview), and MkDocs rebuilds only the pages whose
    Markdown changed (its dirty build); any other edit renders and builds everything. With ``only``, just
    that language is served. Raises CatalogError when the catalog is invalid at the start, BuildError when
    the server cannot start (the address is taken, MkDocs rejects the config).
    """
    from generator import preview

    preview.forget()
    preview.render(project, only)
    from mkdocs.commands.serve import serve as mkdocs_serve
    from mkdocs.exceptions import MkDocsException

    # MkDocs' own command line sets up its log output; called as a library, we do.
    logging.basicConfig(level=logging.INFO, format="%(levelname)-7s -  %(message)s")
    # MkDocs warns that a dirty build's menus may be wrong, and the strict build stops at any warning;
    # the hooks give the pages a dirty build does not read their titles, and build everything when a
    # title may have changed.
    quiet = _DirtyWarning()
    builder_log = logging.getLogger("mkdocs.commands.build")
    builder_log.addFilter(quiet)
    try:
        with _mkdocs_environment(only):
            mkdocs_serve(config_file=str(project.config_file), dev_addr=dev_addr, livereload=True,
                         build_type="dirty")
    except (MkDocsException, OSError) as exc:
        raise BuildError(f"could not serve the site on {dev_addr}: {exc}") from None
    finally:
        builder_log.removeFilter(quiet)


class _DirtyWarning(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith("A 'dirty' build is being performed")
