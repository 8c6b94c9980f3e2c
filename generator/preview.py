"""``openmodels serve`` after an edit: re-render only the pages that show what changed, and tell MkDocs
whether its dirty rebuild can be trusted.

MkDocs reloads generator/mkdocs_hooks.py before every rebuild, so what one rebuild must remember for the
next (the catalog last rendered, the pages' titles, the search entries) lives here, in a module that is
imported once per process.

What a page shows, and so when it must be rendered again:

- a model's page shows the model, its family's name, its base (name, score, levels) and the models
  derived from it (names); so do the family pages of all of these (a family page names the base of each
  of its models, which may be in another family);
- the pages over the whole catalog (families index, all models, explore, compare, charts, trackers, the
  API files) show every model; the hand-written pages' figures are drawn from the catalog too;
- a model's badge shows its name and score.

Anything else that changed (templates, criteria, licences, translations, hand-written pages, mkdocs.yml,
Hub snapshots, trackers, a family file) makes a full render, as before, and a full MkDocs build: a family's
name is a title in the menu, which every page of the atlas shows.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from generator.catalog import Catalog
    from generator.site import Project

AGGREGATE_PAGES = ("families/index.md", "families/all-models.md", "explore.md", "compare.md", "charts.md",
                   "trackers.md")
"""The generated pages over the whole catalog (generator.render.render_pages)."""

DETAIL_PAGES = ("trackers.md",)
"""The pages over the whole catalog that print components' notes or evidence."""

DETAILS = ("note", "evidence")
"""The fields of a component that only the model's page, its family's page and DETAIL_PAGES print."""

INCREMENTAL = ("data/models/", "data/families/")
"""The only inputs whose changes are attributed to pages; a change anywhere else renders everything."""


@dataclass
class _Rendered:
    """What the docs folder was last rendered from."""

    only: str | None
    inputs: dict[str, bytes]
    catalog: Catalog
    assessments: dict[str, Any]
    views: dict[str, Any]
    """The trackers' views, by model id."""


@dataclass
class Outcome:
    written: list[str]
    full: bool
    """Every page was rendered (or may show something else than before): MkDocs must build them all."""


@dataclass
class _State:
    rendered: _Rendered | None = None
    report: str = ""
    """The catalog's problems the pages last showed in their banner ('' for none)."""
    titles: dict[tuple[str, str], tuple[Any, dict]] = field(default_factory=dict)
    """Per (language, page source), the title and front matter MkDocs last read (generator.mkdocs_hooks)."""
    search: dict[str, list[dict]] = field(default_factory=dict)
    """Per page URL, that page's entries of the search index, as its last build made them."""
    order: dict[str, list[str]] = field(default_factory=dict)
    """Per language, its pages' URLs in the order MkDocs builds them."""
    outputs: dict[str, set[str]] = field(default_factory=dict)
    """Per language, the files its build writes into the site, by path in the site."""
    built: set[str] = field(default_factory=set)
    """URLs of the pages the current MkDocs build wrote."""
    full_build: bool = True
    """The current MkDocs build writes every page."""
    encoded: dict = field(default_factory=dict)
    """api/models.json's entries as last encoded (generator.api.models_json)."""
    compiled: Any = None
    """The theme's templates, compiled once for every rebuild (generator.mkdocs_hooks.on_env)."""
    building: bool = False
    """A MkDocs build has begun and not finished."""
    site_dir: str | None = None
    """Where the server's builds go; a new server's first build is a full one."""


state = _State()
"""This process's memory across rebuilds (one server per process)."""


def forget() -> None:
    """Start over: the next render is a full one (tests, a server started again in the same process)."""
    global state  # noqa: PLW0603 - one state per process, replaced whole
    state = _State()


def inputs(project: Project) -> dict[str, bytes]:
    """A digest of every input file of the pages, by path relative to the project.

    Contents, not modification times: the kernel stamps files to the jiffy, so two saves of the same size
    within a few milliseconds, one just after this was read, would look alike. At a thousand models reading
    everything takes a few tens of milliseconds."""
    found = {}
    for root in (project.data_dir, project.templates_dir, project.pages_dir):
        for folder, _, names in os.walk(root):
            for name in names:
                path = os.path.join(folder, name)
                try:
                    with open(path, "rb") as handle:
                        digest = hashlib.blake2b(handle.read(), digest_size=16).digest()
                except OSError:
                    continue
                found[Path(path).relative_to(project.root).as_posix()] = digest
    found["mkdocs.yml"] = hashlib.blake2b(project.config_file.read_bytes(), digest_size=16).digest()
    return found


def render(project: Project, only: str | None = None) -> Outcome:
    """Bring the docs folder up to date with as little rendering as the change allows.

    Raises CatalogError for an invalid catalog, leaving the docs folder and what this module remembers
    as they were, so that the fix is compared with the last good catalog."""
    from generator import messages, prose, source
    from generator.catalog import load_catalog
    from generator.openness import assess_catalog
    from generator.site import write_docs
    from generator.trackers import load_trackers

    # An unchanged file is not parsed, validated or walked for its prose again.
    if source.parsed is None:
        source.parsed, messages.validated, prose.walked = {}, {}, {}

    # Read before the files themselves: a file saved during the render is seen as changed next time.
    now = inputs(project)
    last = state.rendered
    changed = None if last is None or last.only != only else _changed_inputs(last.inputs, now)
    if changed is not None and not changed:
        return Outcome([], full=False)
    catalog = load_catalog(project.data_dir)
    assessments = assess_catalog(catalog)
    trackers = load_trackers(project.data_dir, catalog)
    views = dict(trackers.by_model)
    subset = None
    if changed is not None and all(path.startswith(INCREMENTAL) for path in changed):
        subset = affected(last.catalog, last.assessments, last.views, catalog, assessments, views)
    written = write_docs(project, only, catalog, assessments, trackers, subset, state.encoded)
    state.rendered = _Rendered(only, now, catalog, assessments, views)
    return Outcome(written, full=subset is None)


def _changed_inputs(before: dict[str, bytes], after: dict[str, bytes]) -> set[str]:
    return {path for path in before.keys() | after.keys() if before.get(path) != after.get(path)}


def affected(old: Catalog, old_assessments: dict, old_views: dict, new: Catalog, new_assessments: dict,
             new_views: dict) -> Any:
    """The pages to render again after the catalog went from ``old`` to ``new`` (``generator.site.Subset``),
    or None when the change is one that only a full render shows right."""
    from generator.render import badge_file, family_page, model_page
    from generator.site import Subset

    if old.families != new.families or old.licenses != new.licenses or old.hub != new.hub \
            or old.verdicts != new.verdicts or old.criteria != new.criteria:
        return None
    ids = old.models.keys() | new.models.keys()
    # A model's file moved keeps the model, but its prose is translated by where it is (generator.prose).
    changed = {i for i in ids if old.models.get(i) != new.models.get(i)
               or old_assessments.get(i) != new_assessments.get(i) or old_views.get(i) != new_views.get(i)
               or _where(old, i) != _where(new, i)}
    if not changed:
        return Subset(frozenset(), frozenset(), frozenset())
    shown: set[str] = set(changed)
    for catalog in (old, new):
        for model in catalog.models.values():
            if model.id in changed and model.base_model:
                shown.add(model.base_model)
            if model.base_model in changed:
                shown.add(model.id)
    # A change to notes and evidence alone shows on fewer pages: the model's, its family's and the
    # trackers page (which quotes ours beside theirs); none of the others prints them.
    details = all(i in old.models and i in new.models and old_assessments[i] == new_assessments[i]
                  and _without_details(old.models[i]) == _without_details(new.models[i]) for i in changed)
    if details:
        shown = set(changed)
    pages = set(DETAIL_PAGES if details else AGGREGATE_PAGES)
    families = set()
    for catalog in (old, new):
        for model_id in shown:
            model = catalog.models.get(model_id)
            if model is not None:
                families.add(model.family)
    pages.update(model_page(i) for i in shown if i in new.models)
    pages.update(family_page(f) for f in families if f in new.families)
    removed = {model_page(i) for i in old.models.keys() - new.models.keys()}
    removed.update(badge_file(i) for i in old.models.keys() - new.models.keys())
    return Subset(frozenset(pages), frozenset(changed & new.models.keys()), frozenset(removed), table=not details)


def _where(catalog: Catalog, model_id: str) -> Path | None:
    document = catalog.documents.get(model_id)
    return None if document is None else document.path


def _without_details(model: Any) -> dict:
    data = model.model_dump()
    for component in data["components"].values():
        for name in DETAILS:
            component.pop(name, None)
    return data
