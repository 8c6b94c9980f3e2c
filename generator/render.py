"""Render the catalog into Markdown pages with Jinja.

Templates own the markup; this module hands them plain data. Every value a template prints is
escaped for both HTML and Markdown unless the template marks it as markup on purpose, so text
from contributors (names, notes, summaries) always reaches readers as inert text.
"""

from __future__ import annotations

import datetime
import html
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2
from babel.dates import format_date, format_skeleton
from babel.numbers import format_compact_decimal, format_decimal, format_percent
from babel.support import NullTranslations
from markupsafe import Markup

from generator import schema
from generator.api import CSV_COLUMNS, LEVEL_SUFFIX
from generator.atlas import Atlas
from generator.catalog import Catalog
from generator.fallback_text import mark, resolve, strip
from generator.i18n import translated_name
from generator.openness import Assessment
from generator.prose import ProseTranslations
from generator.trackers import Trackers, tracker_pages

_MD_SPECIAL = re.compile(r"[\\`*_{}\[\]()#!|<>&\"'~=:$^@]")
# List markers and rules only matter where text starts a line.
_MD_LEADING = re.compile(r"^[ ]*([-+.0-9])")


def escape_text(value: Any) -> Markup:
    """``value`` as text that Markdown and HTML both show literally, character for character."""
    if isinstance(value, Markup):
        return value
    if value is None:
        return Markup("")
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return Markup(value)
    text = str(value)
    # Every line break Python-Markdown could honour (\r, \x0b, \u2028, ...) becomes a space, so text
    # stays inside its table cell or paragraph.
    text = _MD_SPECIAL.sub(lambda m: f"&#{ord(m.group())};", " ".join(text.splitlines()))
    return Markup(_MD_LEADING.sub(lambda m: m.group()[:-1] + f"&#{ord(m.group(1))};", text))


_KEY = re.compile(schema.COMPONENT_KEY)


def key_attr(key: str) -> Markup:
    """A key from data/criteria.yml (a level or a component) for a class or an id, as it is: the schema
    allows only lowercase letters and underscores, and Markdown leaves an ``_`` inside an HTML tag
    alone, so escaping it as text is (``&#95;``, 0.2 MB at a thousand models) buys nothing there."""
    if not _KEY.fullmatch(key):
        raise ValueError(f"not a key of data/criteria.yml: {key!r}")
    return Markup(key)


def url_attr(url: str) -> Markup:
    """A validated http(s) URL, ready for a double-quoted ``href``."""
    return Markup(html.escape(url, quote=True))


def model_page(model_id: str) -> str:
    """The path, under the docs folder, of a model's page."""
    return "models/" + schema.file_stem(model_id) + ".md"


def family_page(family_id: str) -> str:
    return f"families/{family_id}.md"


def badge_file(model_id: str) -> str:
    """The path, under the docs folder, of a model's badge."""
    return "badges/" + model_id.replace("/", "__") + ".svg"


LEVEL_STYLES = "assets/levels.css"
"""The stylesheet, under the docs folder, that draws each level's icon (see ``level_styles``)."""


def level_styles(criteria: schema.Criteria) -> str:
    """CSS that draws each level's icon from data/criteria.yml before its label.

    The icon is drawn by the stylesheet rather than written into every level on every page: at a
    thousand models that markup was 5 MB of the site, and its characters beyond Latin-1 made every
    page a two-byte string in MkDocs' memory. The empty alternative text keeps screen readers, which
    read the label, from also reading the symbol; a browser without it uses the first declaration.
    Icons are written as CSS escapes, so no icon can end the string or the rule.
    """
    lines = ["/* Written by openmodels build from data/criteria.yml; edit the icons there. */"]
    for level in criteria.levels:
        icon = "".join(f"\\{ord(char):x} " for char in level.icon).rstrip()
        lines.append(f'.om-level.om-{level.key}::before {{ content: "{icon}"; content: "{icon}" / ""; }}')
    return "\n".join(lines) + "\n"


def page_url(from_page: str, to_page: str) -> str:
    """A relative URL from one page to another as the built site serves them (directory URLs).

    For links in raw HTML (SVG pictures, HTML tables), which MkDocs and the i18n plugin leave
    alone: the same URL works from a page and from its translation, one folder down in /sv/.
    """
    def folder(page: str) -> str:
        stem, _, anchor = page.partition("#")
        if stem.endswith(".md"):
            stem = stem[:-3]
            stem = stem[: -len("index")] if stem == "index" or stem.endswith("/index") else stem + "/"
        return stem + ("#" + anchor if anchor else "")

    return relative(folder(from_page) + "x", folder(to_page)) or "./"


class CompiledTemplates(jinja2.BytecodeCache):
    """Templates compiled once per process: every environment of ``make_environment`` shares them (each
    language's, and each page's rule sentences), keyed as Jinja keys them, by template name and file.
    Jinja checks the source's checksum, so a template edited meanwhile (``openmodels serve``) is
    compiled again. Only the most recent ``LIMIT`` are kept."""

    LIMIT = 256

    def __init__(self) -> None:
        self._code: dict[str, bytes] = {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        code = self._code.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self._code.pop(bucket.key, None)
        self._code[bucket.key] = bucket.bytecode_to_string()
        while len(self._code) > self.LIMIT:
            del self._code[next(iter(self._code))]


_COMPILED = CompiledTemplates()


def make_environment(templates_dir: Path) -> jinja2.Environment:
    """A Jinja environment that fails on undefined names and escapes everything it prints."""
    env = jinja2.Environment(
        bytecode_cache=_COMPILED,
        loader=jinja2.FileSystemLoader(str(templates_dir)),
        undefined=jinja2.StrictUndefined,
        autoescape=True,
        finalize=escape_text,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        extensions=["jinja2.ext.i18n"],
    )
    env.install_null_translations(newstyle=True)
    env.filters.update(url=url_attr, key=key_attr)
    env.globals.update(model_page=model_page, family_page=family_page, badge_file=badge_file)
    return env


def relative(from_page: str, to_page: str) -> str:
    """A relative link from one docs page to another, as MkDocs resolves Markdown links."""
    from_parts = from_page.split("/")[:-1]
    to_parts = to_page.split("/")
    common = 0
    while common < min(len(from_parts), len(to_parts) - 1) and from_parts[common] == to_parts[common]:
        common += 1
    return "/".join([".."] * (len(from_parts) - common) + to_parts[common:])


class English(str):
    """A data string shown in the default language because it has no translation (``is english`` in
    templates). It carries the marks of ``fallback_text.mark``, as template strings that fell back do,
    so that once the page is whole ``fallback_text.resolve`` labels it with its language wherever it
    went: element content gets ``<span lang="en">``; attributes, SVG and code only lose the marks."""


@dataclass
class Localizer:
    """Everything language-dependent about rendering one language, and what it had to leave in English."""

    locale: str
    default: str
    translations: NullTranslations = field(default_factory=NullTranslations)
    known: frozenset[str] = frozenset()
    """The strings ``translations`` translates (a translation may equal its original, e.g. 'Organisation')."""
    missing: set[str] = field(default_factory=set)
    prose: ProseTranslations | None = None
    """The data catalog's translations (generator.prose); without it every data string is in English."""

    @property
    def is_default(self) -> bool:
        return self.locale == self.default

    def gettext(self, message: str) -> str:
        if not self.is_default and message not in self.known:
            self.missing.add(message)
        return self.translations.gettext(message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        if not self.is_default and singular not in self.known:
            self.missing.add(singular)
        return self.translations.ngettext(singular, plural, n)

    def marked_gettext(self, message: str) -> str:
        """``gettext`` for the generated pages: text left in the default language comes back marked,
        for ``fallback_text.resolve`` to label with its language."""
        text = self.gettext(message)
        return text if self.is_default or message in self.known else mark(text)

    def marked_ngettext(self, singular: str, plural: str, n: int) -> str:
        text = self.ngettext(singular, plural, n)
        return text if self.is_default or singular in self.known else mark(text)

    def text(self, obj: Any, name: str) -> Any:
        """``obj.name`` (a string, or a list of them) in this language, from the data catalog; each string
        without a translation stays in English, as :class:`English`, and counts as missing."""
        original = getattr(obj, name)
        if self.is_default or not original:
            return original
        if isinstance(original, list):
            return [self._prose(obj, name, item) for item in original]
        return self._prose(obj, name, original)

    def _prose(self, obj: Any, name: str, text: str) -> str:
        found = self.prose.get(obj, name, text) if self.prose is not None else None
        if found is None:
            self.missing.add(text)
            return English(mark(text))
        return found

    def english(self, text: str) -> Markup:
        """Text that exists only in English (schema docstrings): escaped, and on another language's
        page marked ``lang="en"`` and counted as untranslated so the page gets the notice."""
        if self.is_default:
            return escape_text(text)
        self.missing.add(text)
        return Markup('<span lang="en">') + escape_text(text) + Markup("</span>")

    def number(self, value: int | float) -> Markup:
        return Markup(format_decimal(value, locale=self.locale))

    def compact(self, value: int) -> Markup:
        """A large count the short way this language writes it: 7B in English, 7 md in Swedish."""
        return Markup(format_compact_decimal(value, format_type="short", fraction_digits=1, locale=self.locale))

    def percent(self, score: float | None) -> Markup:
        return Markup("–" if score is None else format_percent(round(score, 2), locale=self.locale))

    def date(self, value: str | None) -> str | None:
        """A YYYY-MM-DD, YYYY-MM or YYYY date written out the way the reader's language writes dates,
        to the precision it has: a year stays a year, never a first of January."""
        if not value:
            return None
        parts = [int(p) for p in value.split("-")]
        if len(parts) == 3:
            return format_date(datetime.date(*parts), format="long", locale=self.locale)
        if len(parts) == 2:
            return format_skeleton("yMMMM", datetime.date(parts[0], parts[1], 1), locale=self.locale)
        return format_skeleton("y", datetime.date(parts[0], 1, 1), locale=self.locale)

    def page_path(self, path: str) -> str:
        """Where the page for ``path`` lives in this language (suffix layout: page.sv.md)."""
        return path if self.is_default else translated_name(path, self.locale)


def render_pages(catalog: Catalog, assessments: dict[str, Assessment], templates_dir: Path,
                 localizer: Localizer | None = None, trackers: Trackers | None = None,
                 site_url: str | None = None, only: frozenset[str] | None = None) -> dict[str, str]:
    """Every generated page in one language, as a mapping of docs-relative path to Markdown text
    (``iter_pages`` all at once)."""
    return dict(iter_pages(catalog, assessments, templates_dir, localizer, trackers, site_url, only))


def iter_pages(catalog: Catalog, assessments: dict[str, Assessment], templates_dir: Path,
               localizer: Localizer | None = None, trackers: Trackers | None = None,
               site_url: str | None = None, only: frozenset[str] | None = None) -> Iterator[tuple[str, str]]:
    """Every generated page in one language, one (docs-relative path, Markdown text) at a time.

    One at a time so that a build can write each page and let it go: a language's pages held
    together were over 40 MB at a thousand models, in each language's process.
    ``trackers`` (from data/trackers/) adds what other trackers say; without it the pages say there is none.
    ``site_url`` (mkdocs.yml's) makes the badge snippets on model pages absolute. With ``only`` (paths in
    the default language), just those pages are rendered; each comes out as it would in a full render.
    """
    loc = localizer or Localizer("en", "en")
    env = make_environment(templates_dir)
    env.install_gettext_callables(loc.marked_gettext, loc.marked_ngettext, newstyle=True)
    env.filters.update(percent=loc.percent, number=loc.number, compact=loc.compact, date=loc.date)
    env.tests["english"] = lambda value: isinstance(value, English)
    criteria = catalog.criteria
    common: dict[str, Any] = {
        "catalog": catalog,
        "criteria": criteria,
        "levels": {level.key: level for level in criteria.levels},
        "assessments": assessments,
        "tr": loc.text,
        "short": lambda obj: loc.text(obj, "short") if getattr(obj, "short", None) else loc.text(obj, "label"),
        "english": loc.english,
        "locale": loc.locale,
        "is_default_locale": loc.is_default,
        "labels": lambda keys: ", ".join(loc.text(criteria.components[criteria.keys.index(k)], "label")
                                         for k in keys),
        "atlas": Atlas(catalog, assessments, loc.percent, model_page, lambda family: loc.text(family, "name")),
        "site_url": (site_url or "").rstrip("/"),
        "counts": lambda model: {level.key: sum(model.components[k].level == level.key for k in criteria.keys)
                                 for level in criteria.levels},
        "trackers": trackers if trackers is not None and trackers.mapping is not None else None,
    }
    def wanted(path: str) -> bool:
        return only is None or path in only

    def render(template: str, path: str, **context: Any) -> tuple[str, str]:
        def link(target: str) -> Markup:
            # Targets are built from validated ids, so the path needs no escaping. Links name the
            # original page; the i18n plugin points them at the reader's language.
            return Markup(relative(path, target))

        def href(target: str) -> Markup:
            # The same for raw HTML, which no plugin rewrites: a URL of the built site. Files only
            # the default language has (badges) sit one folder up from a translated page.
            up = "../" if target.endswith(".svg") and not loc.is_default else ""
            return Markup(up + page_url(path, target))

        loc.missing.clear()
        text = env.get_template(template).render(**common, **context, page_path=path, link=link, href=href)
        if loc.missing:
            text = _insert_after_title(text, env.get_template("partials/untranslated.md.j2").render(**common))
            if not loc.known:  # a language without a string catalog yet: the page is all in English
                text = _with_front_matter(strip(text), f"content_lang: {loc.default}\n")
        return loc.page_path(path), resolve(text, loc.default)

    families = sorted(catalog.families.values(), key=lambda f: f.name.lower())
    rows = []
    for family in families:
        members = [assessments[m.id] for m in catalog.family_models(family.id)]
        scores = [a.score for a in members if a.score is not None]
        rows.append({"family": family, "models": len(members), "best": max(scores) if scores else None,
                     "meeting": sum(a.lesson_criteria for a in members)})
    if wanted("families/index.md"):
        yield render("families.md.j2", "families/index.md", rows=rows)
    ranked = sorted(catalog.models.values(), key=lambda m: (-(assessments[m.id].score or 0), m.name.lower()))
    if wanted("families/all-models.md"):
        yield render("all-models.md.j2", "families/all-models.md", ranked=ranked)
    # Explore lists the families in the order of the families page, each base before its fine-tunes.
    if wanted("explore.md"):
        yield render("explore.md.j2", "explore.md", models=[m for f in families for m in catalog.family_models(f.id)])
    if wanted("compare.md"):
        yield render("compare.md.j2", "compare.md", criteria_labels=criteria_labels(criteria, loc))
    for family in families:
        models = catalog.family_models(family.id)
        if wanted(family_page(family.id)):
            yield render("family.md.j2", family_page(family.id), family=family, models=models)
    derived: dict[str, list[Any]] = {}  # one pass, not one per model: a thousand models made it quadratic
    for m in sorted(catalog.models.values(), key=lambda m: m.id):
        derived.setdefault(m.base_model or "", []).append(m)
    for model in catalog.models.values():
        if wanted(model_page(model.id)):
            yield render("model.md.j2", model_page(model.id), model=model, family=catalog.families[model.family],
                         license=catalog.license_of(model), assessment=assessments[model.id],
                         children=derived.get(model.id, []))
    if wanted("charts.md"):
        yield render("charts.md.j2", "charts.md", families=families)
    if wanted("trackers.md"):
        yield render("trackers.md.j2", "trackers.md", **tracker_pages(catalog, common["trackers"]))
    if wanted("reference/criteria.md"):
        yield render("criteria.md.j2", "reference/criteria.md")
    if wanted("reference/data-format.md"):
        yield render("data-format.md.j2", "reference/data-format.md", schema_docs=describe_schema(),
                     csv_columns=CSV_COLUMNS, level_suffix=LEVEL_SUFFIX)


def criteria_labels(criteria: schema.Criteria, loc: Localizer) -> dict[str, Any]:
    """The components, levels and verdicts in the reader's language, for pages drawn in the browser."""
    verdicts = criteria.verdicts
    return {
        "components": [{"key": c.key, "label": loc.text(c, "label")} for c in criteria.components],
        "levels": {level.key: {"label": loc.text(level, "label")} for level in criteria.levels},
        "verdicts": {"lesson_criteria": loc.text(verdicts.lesson_criteria, "label"),
                     "osaid": loc.text(verdicts.osaid, "label"), "mof_class": loc.text(verdicts.mof, "label")},
    }


def render_partial(templates_dir: Path, name: str, localizer: Localizer) -> str:
    """A small template (a notice) in one language: the reader's where its strings are translated,
    else the default language, and ``notice_lang`` in the template says which."""
    env = make_environment(templates_dir)
    env.install_gettext_callables(localizer.gettext, localizer.ngettext, newstyle=True)
    template = env.get_template(name)
    missing = set(localizer.missing)
    localizer.missing.clear()
    template.render(notice_lang=localizer.locale)
    lang = localizer.default if localizer.missing else localizer.locale
    localizer.missing.clear()
    localizer.missing.update(missing)
    return template.render(notice_lang=lang)


def translate_page(original: str, translation: str | None, stale: bool, templates_dir: Path,
                   localizer: Localizer) -> str:
    """A hand-written page as readers of ``localizer``'s language get it.

    A missing translation becomes the original with a notice and is kept out of that language's
    search; a stale one gets a notice that the original has changed since.
    """
    if translation is None:
        # content_lang: the theme marks the page's text as English (templates/theme/main.html).
        notice = render_partial(templates_dir, "partials/fallback.md.j2", localizer)
        return _insert_after_title(_with_front_matter(original, "search:\n  exclude: true\n"
                                                                f"content_lang: {localizer.default}\n"), notice)
    if stale:
        return _insert_after_title(translation, render_partial(templates_dir, "partials/stale.md.j2", localizer))
    return translation


def _with_front_matter(page: str, entry: str) -> str:
    if page.startswith("---\n") and "\n---\n" in page[4:]:
        return "---\n" + entry + page[4:]
    return f"---\n{entry}---\n\n{page}"


def _insert_after_title(page: str, notice: str) -> str:
    """Put ``notice`` right below the page's first heading; without one, right after the front matter.

    Front matter and fenced code blocks are skipped, so a '# comment' in them is not taken for a title.
    """
    lines = page.split("\n")
    start = 0
    if lines and lines[0] == "---":
        start = next((i + 1 for i in range(1, len(lines)) if lines[i] == "---"), 0)
    at, fence = start, ""
    for i in range(start, len(lines)):
        stripped = lines[i].lstrip()
        if fence:
            fence = "" if stripped.startswith(fence) else fence
        elif stripped.startswith(("```", "~~~")):
            fence = stripped[:3]
        elif lines[i].startswith("# "):
            at = i + 1
            break
    return "\n".join(lines[:at] + ["", notice.strip(), ""] + lines[at:])


def describe_schema() -> list[dict[str, Any]]:
    """The catalog's file formats, field by field, for the data format page."""
    described = []
    for cls, where in ((schema.Model, "data/models/<family>/<org>__<name>.yml"),
                       (schema.Component, "each entry under a model's components"),
                       (schema.Family, "data/families/<family>.yml"),
                       (schema.Link, "each entry under a family's links"),
                       (schema.License, "each entry of data/licenses.yml"),
                       (schema.TrackerEntry, "data/trackers/<source>/<entry>.yml (written by openmodels trackers "
                                             "import)"),
                       (schema.TrackerComponent, "each component of a tracker entry's views"),
                       (schema.TrackerMatch, "each entry under a tracker entry's matches"),
                       (schema.TrackerSource, "data/trackers/<source>/_source.yml")):
        fields = []
        for name, info in cls.model_fields.items():
            fields.append({
                "name": name,
                "required": info.is_required(),
                "translatable": schema.is_translatable(info.annotation, info.metadata),
                "description": info.description or "",
                "example": schema.show_example(info.examples[0]) if info.examples else "",
            })
        described.append({"name": cls.__name__, "where": where, "doc": (cls.__doc__ or "").strip(), "fields": fields})
    return described
