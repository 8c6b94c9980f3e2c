"""The catalog's curated prose as gettext messages: extraction from ``data/``, the data catalogs it is
merged into, and the look-up the pages make.

Every non-empty string of a field the schema marks :data:`schema.TRANSLATABLE` (model notes, family
names, summaries, key facts and link titles, licence names, the texts of data/criteria.yml, the
reasons of data/trackers/verdicts.yml) is one message. Its msgctxt names the file and the field, e.g.
``data/models/olmo/allenai__OLMo-7B.yml:components.training_data.note``, so the same English in two
places can be translated differently. Items of a list are named by their ``key`` or ``id`` where
they have one (``levels.open.label``); others share their list's name (``key_facts``,
``links.title``) and are told apart by their English.

``data/locales/data.pot`` holds the extracted messages and ``data/locales/<lang>/LC_MESSAGES/data.po``
each language's translations. Merging (Babel's ``Catalog.update``) keeps the translation of an
unchanged string, and gives a changed one the old translation marked fuzzy for a translator to
review. Pages use a translation only when its context and English match exactly and it is not
fuzzy; everything else is shown in English, carrying ``fallback_text``'s marks, which become
``lang="en"`` where the page allows.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from babel.messages.catalog import Catalog as MessageCatalog
from babel.messages.pofile import write_po
from pydantic import BaseModel

from generator import schema
from generator.files import write_if_changed
from generator.i18n import StringStats, catalog_path, read_catalog

if TYPE_CHECKING:
    from generator.catalog import Catalog

DOMAIN = "data"
WIDTH = 100
Key = tuple[str, str]
"""(msgctxt, msgid): a message's identity."""

_TEMPLATE_HEADER = """\
# The catalog's curated prose, extracted from data/ by `make translations` (openmodels i18n extract).
# Generated: do not edit. Each msgctxt names the file and field the English text comes from.
msgid ""
msgstr ""
"Content-Type: text/plain; charset=utf-8\\n"
"Content-Transfer-Encoding: 8bit\\n"

"""

_CATALOG_HEADER = """\
# {name} translations of the catalog's prose in data/ (model notes, family texts, criteria).
# `make translations` merges new and changed English strings in. A changed string keeps its old
# translation marked fuzzy: readers see the English until a translator updates it and clears the flag.
msgid ""
msgstr ""
"Language: {locale}\\n"
"Content-Type: text/plain; charset=utf-8\\n"
"Content-Transfer-Encoding: 8bit\\n"

"""


@dataclass(frozen=True)
class Place:
    """One translatable string of the data: where it is and which object's field holds it."""

    context: str
    text: str
    owner: BaseModel
    field: str

    @property
    def key(self) -> Key:
        return self.context, self.text


def _item_name(item: BaseModel) -> str | None:
    for name in ("key", "id"):
        value = getattr(item, name, None)
        if isinstance(value, str):
            return value
    return None


def walk(obj: BaseModel, prefix: str = "") -> Iterator[tuple[str, BaseModel, str, str]]:
    """(field path, owner, field name, text) of every translatable string in ``obj``, in field order."""
    for name, info in type(obj).model_fields.items():
        value = getattr(obj, name)
        path = prefix + name
        if schema.is_translatable(info.annotation, info.metadata):
            for text in value if isinstance(value, list) else [value]:
                if isinstance(text, str) and text:
                    yield path, obj, name, text
        elif isinstance(value, BaseModel):
            yield from walk(value, path + ".")
        elif isinstance(value, dict):
            for key, item in value.items():
                if isinstance(item, BaseModel):
                    yield from walk(item, f"{path}.{key}.")
        elif isinstance(value, list):
            for item in value:
                if isinstance(item, BaseModel):
                    item_name = _item_name(item)
                    yield from walk(item, f"{path}.{item_name}." if item_name else f"{path}.")


def places(catalog: Catalog) -> list[Place]:
    """Every translatable string of ``catalog``, file by file, the reasons of its tracker verdicts too."""
    from generator.trackers import VERDICTS_FILE, trackers_dir

    def file_name(path: Path) -> str:
        return "data/" + Path(path).relative_to(catalog.root).as_posix()

    found: list[Place] = []

    def add(file: str, obj: BaseModel, prefix: str = "") -> None:
        found.extend(Place(f"{file}:{path}", text, owner, name) for path, owner, name, text in walk(obj, prefix))

    add("data/criteria.yml", catalog.criteria)
    for lic in catalog.licenses.values():
        add("data/licenses.yml", lic, f"{lic.id}.")
    for family_id, family in catalog.families.items():
        add(file_name(catalog.documents["family:" + family_id].path), family)
    for model_id, model in catalog.models.items():
        file = file_name(catalog.documents[model_id].path)
        known = walked.get(file) if walked is not None else None
        if known is not None and known[0] is model:
            found.extend(known[1])
            continue
        start = len(found)
        add(file, model)
        if walked is not None:
            walked[file] = (model, found[start:])
    for verdict in catalog.verdicts:
        add(file_name(trackers_dir(catalog.root) / VERDICTS_FILE), verdict, "verdicts.")
    return found


walked: dict[str, tuple[BaseModel, list[Place]]] | None = None
"""Per model file, the model last walked and its places, in a process that loads the same catalog again and
again (``openmodels serve``, where generator.messages hands back the same frozen model for an unchanged
file); None (the default) walks every model every time."""


def template(found: list[Place]) -> MessageCatalog:
    """The template catalog of ``found``: one message per (context, English), sorted."""
    result = MessageCatalog(domain=DOMAIN, fuzzy=False)
    for context, text in sorted({p.key for p in found}):
        result.add(text, context=context)
    return result


def po_text(catalog: MessageCatalog, header: str) -> str:
    """``catalog`` as PO text under a fixed ``header``: no dates or tool versions, so output changes only
    when a message does."""
    buffer = io.BytesIO()
    # No previous msgids (#|): Babel does not read them back, so a second merge would drop them again.
    write_po(buffer, catalog, width=WIDTH, omit_header=True, ignore_obsolete=True)
    return header + buffer.getvalue().decode("utf-8")


def template_path(locales_dir: Path) -> Path:
    return locales_dir / f"{DOMAIN}.pot"


def data_catalog_path(locales_dir: Path, locale: str) -> Path:
    return catalog_path(locales_dir, locale, DOMAIN)


def catalog_header(locale: str) -> str:
    from babel import Locale

    try:
        name = Locale.parse(locale).get_display_name("en")
    except (ValueError, LookupError):
        name = locale
    return _CATALOG_HEADER.format(name=name, locale=locale)


@dataclass
class Merged:
    """What merging the template into one language's catalog did."""

    locale: str
    path: Path
    written: bool
    stats: StringStats
    dropped: list[Key] = field(default_factory=list)
    """Translations whose English is no longer anywhere in the data (nor close to anything that is)."""


_MODELS_CONTEXT = "data/models/"


def _reuse_exact_translations(catalog: MessageCatalog) -> None:
    """Give a model file's untranslated or fuzzy message the translation its exact English already has
    in another model file.

    Contexts name the file, so a new model whose note repeats a stock sentence ("The weights are on the
    Hub without a gate.") is a new message, which Babel's fuzzy matching would hold back from readers
    until a translator confirms it. An identical English sentence translated in another model file is
    taken as it is, like a translation memory's exact match; where it was translated differently in
    different files, the most frequent translation is used (ties: the first in sort order). A translator
    can still override it for one context. Family, licence and criteria texts are each their own and
    are not shared this way: a family file copied to start another family carries none of its Swedish.
    """
    def of_a_model(m) -> bool:
        return bool(m.id) and isinstance(m.id, str) and (m.context or "").startswith(_MODELS_CONTEXT)

    found: dict[str, dict[str, int]] = {}
    for m in catalog:
        if of_a_model(m) and isinstance(m.string, str) and m.string and not m.fuzzy:
            counts = found.setdefault(m.id, {})
            counts[m.string] = counts.get(m.string, 0) + 1
    for m in catalog:
        if of_a_model(m) and (m.fuzzy or not m.string) and m.id in found:
            counts = found[m.id]
            m.string = min(counts, key=lambda text: (-counts[text], text))
            m.flags.discard("fuzzy")


def _read_or_empty(path: Path, locale: str) -> MessageCatalog:
    """``locale``'s data catalog at ``path``, or an empty one when the language has none yet."""
    return read_catalog(path, locale) if path.is_file() else MessageCatalog(locale=locale, domain=DOMAIN)


def merge(template_catalog: MessageCatalog, locales_dir: Path, locale: str) -> tuple[Merged, str]:
    """``locale``'s catalog updated to ``template_catalog``, as (report, PO text); writes nothing."""
    path = data_catalog_path(locales_dir, locale)
    catalog = _read_or_empty(path, locale)
    catalog.update(template_catalog, update_creation_date=False)
    _reuse_exact_translations(catalog)
    dropped = sorted((m.context or "", m.id) for m in catalog.obsolete.values() if m.id and m.string)
    return Merged(locale, path, False, stats(catalog), dropped), po_text(catalog, catalog_header(locale))


def stats(catalog: MessageCatalog, keys: set[Key] | None = None) -> StringStats:
    """Translated, fuzzy and missing messages of ``catalog``; with ``keys`` (the data's messages), counted
    against those, so a message the catalog lacks or holds under its old English counts as missing."""
    result = StringStats()
    entries = {(m.context or "", m.id): m for m in catalog if m.id}
    for key in sorted(keys) if keys is not None else sorted(entries):
        message = entries.get(key)
        if message is not None and message.fuzzy:
            result.fuzzy += 1
        elif message is not None and message.string:
            result.translated += 1
        else:
            result.untranslated += 1
    return result


def extract(catalog: Catalog, locales_dir: Path, locales: list[str]) -> tuple[int, list[Merged]]:
    """Extract the prose of ``catalog`` into the template and merge it into each of ``locales``' catalogs.

    Every catalog is read and merged in memory first, and files are written (each only when it
    changed) only when all of them succeeded: a catalog that cannot be read stops the whole merge
    before anything is written, so no translation is lost to a half-done run.
    Returns the number of messages and what happened to each language.
    """
    template_catalog = template(places(catalog))
    outputs = [(template_path(locales_dir), po_text(template_catalog, _TEMPLATE_HEADER))]
    reports = []
    for locale in locales:
        report, text = merge(template_catalog, locales_dir, locale)
        reports.append(report)
        outputs.append((report.path, text))
    written = {path for path, text in outputs if write_if_changed(path, text)}
    for report in reports:
        report.written = report.path in written
    return len(template_catalog), reports


def new_catalog(locales_dir: Path, locale: str) -> Path:
    """Start ``locale``'s data catalog with every message of the template untranslated (an existing catalog
    is kept; without a template it starts empty, and `make translations` fills it)."""
    path = data_catalog_path(locales_dir, locale)
    if not path.exists():
        source = template_path(locales_dir)
        empty = read_catalog(source) if source.is_file() else MessageCatalog(domain=DOMAIN)
        empty.locale = locale
        write_if_changed(path, po_text(empty, catalog_header(locale)))
    return path


def load_strings(locales_dir: Path, locale: str) -> dict[Key, str]:
    """The translations pages may use: not fuzzy, not empty, by (context, English)."""
    path = data_catalog_path(locales_dir, locale)
    if not path.is_file():
        return {}
    return {(m.context or "", m.id): m.string for m in read_catalog(path, locale)
            if m.id and isinstance(m.string, str) and m.string and not m.fuzzy}


class ProseTranslations:
    """The translations of one language, looked up by the object and field that hold the English."""

    def __init__(self, found: list[Place], strings: dict[Key, str]) -> None:
        self._contexts: dict[tuple[int, str], str] = {(id(p.owner), p.field): p.context for p in found}
        self._owners = [p.owner for p in found]  # keeps the ids above from being reused
        self._strings = strings

    def get(self, owner: Any, name: str, text: str) -> str | None:
        context = self._contexts.get((id(owner), name))
        return None if context is None else self._strings.get((context, text))


def data_stats(catalog: Catalog, locales_dir: Path, locale: str) -> StringStats:
    """How many of the data's messages ``locale`` translates, holds as fuzzy, or lacks."""
    keys = {p.key for p in places(catalog)}
    path = data_catalog_path(locales_dir, locale)
    existing = _read_or_empty(path, locale)
    return stats(existing, keys)
