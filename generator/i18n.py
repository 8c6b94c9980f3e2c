"""Languages, translation catalogs and translation status.

The languages are those of the i18n plugin in ``mkdocs.yml``. Template strings are translated
with gettext catalogs under ``templates/locales/`` (Babel). Hand-written pages are translated as
``page.<lang>.md`` beside ``page.md`` and record, in their front matter, the hash of the original
they translate (``source_hash``), so a changed original shows up as stale, and git history gives
the text of that version for ``openmodels i18n diff``.
"""

from __future__ import annotations

import difflib
import hashlib
import io
import json
import os
import re
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import yaml
from babel.messages.catalog import Catalog as MessageCatalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po
from babel.support import NullTranslations, Translations

from generator.errors import OpenModelsError

if TYPE_CHECKING:
    from generator.catalog import Catalog

DOMAIN = "messages"
FRONT_MATTER = re.compile(r"\A---\n(.*?\n)---\n", re.S)


class I18nError(OpenModelsError):
    """A translation command could not do what was asked."""


@dataclass(frozen=True)
class Language:
    locale: str
    name: str
    default: bool = False


class _ConfigLoader(yaml.SafeLoader):
    """Reads mkdocs.yml, whose !ENV tags only matter to MkDocs itself."""


# Any other tag (!ENV, !relative, !!python/name: for Material's emoji) reads as null here.
_ConfigLoader.add_multi_constructor("", lambda loader, suffix, node: None)
_ConfigLoader.add_multi_constructor("tag:yaml.org,2002:python/", lambda loader, suffix, node: None)


def languages(config_file: Path) -> list[Language]:
    """The site's languages, default first, as configured for the i18n plugin."""
    config = yaml.load(config_file.read_text(encoding="utf-8"), Loader=_ConfigLoader)  # noqa: S506
    for plugin in config.get("plugins", []):
        if isinstance(plugin, dict) and "i18n" in plugin:
            langs = [Language(entry["locale"], entry.get("name", entry["locale"]), bool(entry.get("default")))
                     for entry in plugin["i18n"]["languages"]]
            return sorted(langs, key=lambda lang: not lang.default)
    return [Language("en", "English", True)]


def site_url(config_file: Path) -> str | None:
    """mkdocs.yml's ``site_url``; for ``!ENV [NAME, default]``, the variable's value or the default."""
    text = config_file.read_text(encoding="utf-8")
    loader = type("_SiteUrlLoader", (_ConfigLoader,), {})

    def env(loader: yaml.SafeLoader, node: yaml.Node) -> str | None:
        if isinstance(node, yaml.SequenceNode):
            names = loader.construct_sequence(node)
        else:
            names = [loader.construct_scalar(node)]
        for name in names[:-1] if len(names) > 1 else names:
            if os.environ.get(str(name)):
                return os.environ[str(name)]
        return names[-1] if len(names) > 1 else None

    loader.add_constructor("!ENV", env)
    value = (yaml.load(text, Loader=loader) or {}).get("site_url")  # noqa: S506
    return str(value) if value else None


def public_site_url(config_file: Path) -> str | None:
    """``site_url`` when it names a public address; None for none or a local preview's (127.0.0.1)."""
    from urllib.parse import urlsplit

    url = site_url(config_file)
    host = urlsplit(url).hostname if url else None
    return None if not host or host in ("localhost", "127.0.0.1", "::1") else url


def catalog_path(locales_dir: Path, locale: str, domain: str = DOMAIN) -> Path:
    return locales_dir / locale / "LC_MESSAGES" / f"{domain}.po"


def read_catalog(path: Path, locale: str | None = None) -> MessageCatalog:
    """A PO or POT file, template strings' or data's; raises I18nError naming the file when it cannot be
    read, so that a damaged catalog is an Error: line, not a traceback."""
    try:
        with path.open("rb") as handle:
            return read_po(handle, locale=locale, abort_invalid=True)
    except Exception as exc:  # Babel raises PoFileError, ValueError, UnicodeDecodeError ...
        raise I18nError(f"{path}: cannot read this catalog ({exc}); fix it or restore it from git") from None


def load_translations(locales_dir: Path, locale: str) -> tuple[NullTranslations, frozenset[str]]:
    """Compiled translations for ``locale`` and the ids of the strings they translate.

    Fuzzy entries are left out, as gettext would. A translation whose placeholders differ from the
    original ("%(datum)s" for "%(date)s") would crash the build; it is left out too, so readers get
    the English string and the page says so.
    """
    path = catalog_path(locales_dir, locale)
    if not path.is_file():
        return NullTranslations(), frozenset()
    catalog = read_catalog(path)
    for message, errors in list(catalog.check()):
        if errors:
            del catalog[message.id]
    # A plural entry's id is (singular, plural); Localizer.ngettext looks it up by the singular.
    known = frozenset(m.id[0] if isinstance(m.id, tuple) else m.id for m in catalog
                      if m.id and (all(m.string) if isinstance(m.string, tuple) else m.string) and not m.fuzzy)
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    buffer.seek(0)
    return Translations(fp=buffer, domain=DOMAIN), known


@dataclass
class StringStats:
    translated: int = 0
    fuzzy: int = 0
    untranslated: int = 0

    @property
    def total(self) -> int:
        return self.translated + self.fuzzy + self.untranslated

    @property
    def share(self) -> float:
        """Translated share; fuzzy strings count as untranslated because readers do not see them."""
        return self.translated / self.total if self.total else 1.0


def string_stats(locales_dir: Path, locale: str) -> StringStats:
    stats = StringStats()
    path = catalog_path(locales_dir, locale)
    template = locales_dir / f"{DOMAIN}.pot"
    if not path.is_file():
        if template.is_file():
            stats.untranslated = sum(1 for m in read_catalog(template) if m.id)
        return stats
    for message in read_catalog(path):
        if not message.id:
            continue
        if message.fuzzy:
            stats.fuzzy += 1
        elif message.string and (all(message.string) if isinstance(message.string, tuple) else True):
            stats.translated += 1
        else:
            stats.untranslated += 1
    return stats


def source_hash(text: str) -> str:
    """The version stamp of an original page: the start of the SHA-256 of its words.

    Whitespace is collapsed first, so an added blank line or a re-wrapped paragraph does not make
    a translation stale; a changed word does."""
    return hashlib.sha256(" ".join(text.split()).encode("utf-8")).hexdigest()[:16]


def _exact_hash(text: str) -> str:
    """The stamp recorded before whitespace was ignored (hash of the exact text); still honoured."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def stamps(text: str) -> tuple[str, str]:
    """Every stamp that says a translation matches ``text``."""
    return source_hash(text), _exact_hash(text)


def original_versions(path: Path) -> Iterator[tuple[str, str]]:
    """(commit, text) of each committed version of the page at ``path``, newest first.

    The stamp in a translation names the version of the original it matches; git keeps the text
    of every version, so the change since can be shown. Outside a git checkout there are none.
    """
    def git(*args: str) -> subprocess.CompletedProcess[str] | None:
        try:
            return subprocess.run(["git", *args], cwd=path.parent, capture_output=True, text=True, timeout=60,
                                  check=False)
        except (OSError, subprocess.SubprocessError):
            return None

    log = git("log", "--format=%H", "--", path.name)
    if log is None or log.returncode:
        return
    for commit in log.stdout.split():
        shown = git("show", f"{commit}:./{path.name}")
        if shown is not None and shown.returncode == 0:
            yield commit, shown.stdout


def matching_version(path: Path, recorded: str) -> tuple[str, str] | None:
    """The committed version of the original at ``path`` whose stamp is ``recorded``, if any."""
    return next(((commit, text) for commit, text in original_versions(path) if recorded in stamps(text)), None)


def front_matter(text: str, page: str = "") -> dict:
    """The page's front matter; raises I18nError when it is not valid YAML."""
    match = FRONT_MATTER.match(text)
    if not match:
        return {}
    try:
        data = yaml.safe_load(match.group(1))
    except yaml.YAMLError as exc:
        raise I18nError(f"{page or 'a page'}: its front matter is not valid YAML ({exc.problem or exc})") from None
    return data if isinstance(data, dict) else {}


def translated_name(page: str, locale: str) -> str:
    """``lesson/index.md`` -> ``lesson/index.sv.md``."""
    return page[:-3] + f".{locale}.md"


@dataclass
class PageStatus:
    page: str
    state: str  # "translated", "stale" or "missing"
    recorded: str | None = None
    current: str | None = None


@dataclass
class LanguageStatus:
    locale: str
    pages: list[PageStatus] = field(default_factory=list)
    strings: StringStats = field(default_factory=StringStats)
    data: StringStats | None = None
    """The data catalog's strings (generator.prose), counted against the data; None when not counted."""

    def count(self, state: str) -> int:
        return sum(1 for p in self.pages if p.state == state)

    def as_dict(self) -> dict:
        """The report as ``openmodels i18n status --json`` prints it."""
        return {
            "lang": self.locale,
            "pages": {state: [p.page for p in self.pages if p.state == state]
                      for state in ("translated", "stale", "missing")},
            "strings": {"translated": self.strings.translated, "fuzzy": self.strings.fuzzy,
                        "untranslated": self.strings.untranslated, "share": round(self.strings.share, 4)},
            "data_strings": None if self.data is None else {
                "translated": self.data.translated, "fuzzy": self.data.fuzzy, "missing": self.data.untranslated,
                "total": self.data.total, "share": round(self.data.share, 4)},
        }


def original_pages(pages_dir: Path, locales: list[str]) -> list[str]:
    """Hand-written original pages (no language suffix), relative to ``pages_dir``."""
    suffixes = tuple(f".{loc}.md" for loc in locales)
    return sorted(p.relative_to(pages_dir).as_posix() for p in pages_dir.rglob("*.md")
                  if not p.name.endswith(suffixes))


def translation_status(page: str, original: str, translation: str | None, name: str = "",
                       original_path: Path | None = None) -> PageStatus:
    """Whether ``translation`` (None: there is none) matches the current text of its ``original``.

    A stamp of the exact text (recorded before whitespace was ignored) that no longer matches is
    looked up in git history (``original_path``): if that version differs only in whitespace, the
    translation is still current.
    """
    current = source_hash(original)
    if translation is None:
        return PageStatus(page, "missing", current=current)
    recorded = front_matter(translation, name).get("source_hash")
    if recorded in stamps(original):
        return PageStatus(page, "translated", recorded, current)
    if original_path is not None and isinstance(recorded, str):
        found = matching_version(original_path, recorded)
        if found and source_hash(found[1]) == current:
            return PageStatus(page, "translated", recorded, current)
    return PageStatus(page, "stale", recorded, current)


def page_status(pages_dir: Path, page: str, locale: str) -> PageStatus:
    translation = pages_dir / translated_name(page, locale)
    return translation_status(page, (pages_dir / page).read_text(encoding="utf-8"),
                              translation.read_text(encoding="utf-8") if translation.is_file() else None,
                              translation.name, pages_dir / page)


def page_diff(pages_dir: Path, page: str, locale: str) -> str:
    """What changed in ``page``'s original since its ``locale`` translation was made, as a unified diff
    (lines compared with their whitespace collapsed); '' when the translation is current."""
    page = page.removeprefix("site_src/")
    original = pages_dir / page
    if not original.is_file():
        raise I18nError(f"no original page {page} under {pages_dir.name}/")
    state = page_status(pages_dir, page, locale)
    if state.state == "missing":
        raise I18nError(f"{page} has no {locale} translation yet; the whole page is to translate")
    if state.state == "translated":
        return ""
    if not isinstance(state.recorded, str):
        raise I18nError(f"{translated_name(page, locale)} records no source_hash, so which version it translates "
                        f"is unknown; compare it with {page} by hand, then run: openmodels i18n mark-current "
                        f"{page} --lang {locale}")
    found = matching_version(original, state.recorded)
    if found is None:
        raise I18nError(f"the version of {page} that {translated_name(page, locale)} translates (source_hash "
                        f"{state.recorded}) is not in this checkout's git history; see git log -p site_src/{page}")
    commit, before = found

    def lines(text: str) -> list[str]:
        return [" ".join(line.split()) for line in text.splitlines() if line.strip()]

    return "".join(line + "\n" for line in difflib.unified_diff(
        lines(before), lines(original.read_text(encoding="utf-8")), lineterm="",
        fromfile=f"{pages_dir.name}/{page} (translated, commit {commit[:10]})",
        tofile=f"{pages_dir.name}/{page} (now)"))


def status(pages_dir: Path, locales_dir: Path, langs: list[Language], catalog: Catalog | None = None,
           data_locales_dir: Path | None = None) -> list[LanguageStatus]:
    """Translation status of every non-default language; with ``catalog`` and ``data_locales_dir``, also
    of the data strings (translated, fuzzy, missing), counted against the catalog's current English."""
    from generator.prose import data_stats

    others = [lang.locale for lang in langs if not lang.default]
    result = []
    for locale in others:
        pages = [page_status(pages_dir, page, locale) for page in original_pages(pages_dir, others)]
        data = data_stats(catalog, data_locales_dir, locale) if catalog and data_locales_dir else None
        result.append(LanguageStatus(locale, pages, string_stats(locales_dir, locale), data))
    return result


def mark_current(pages_dir: Path, page: str, locale: str) -> str:
    """Record in ``page``'s translation that it matches the current original; returns the hash."""
    page = page.removeprefix("site_src/")
    original = pages_dir / page
    translation = pages_dir / translated_name(page, locale)
    if not original.is_file():
        raise I18nError(f"no original page {page} under {pages_dir.name}/")
    if not translation.is_file():
        raise I18nError(f"{translation.relative_to(pages_dir.parent)} does not exist yet; translate it first")
    digest = source_hash(original.read_text(encoding="utf-8"))
    text = translation.read_text(encoding="utf-8")
    match = FRONT_MATTER.match(text)
    if match:
        block = match.group(1)
        if re.search(r"^source_hash:.*$", block, re.M):
            block = re.sub(r"^source_hash:.*$", f"source_hash: {digest}", block, flags=re.M)
        else:
            block += f"source_hash: {digest}\n"
        text = f"---\n{block}---\n" + text[match.end():]
    else:
        text = f"---\nsource_hash: {digest}\n---\n\n" + text
    translation.write_text(text, encoding="utf-8")
    return digest


def new_catalog(locales_dir: Path, locale: str) -> Path:
    """Start ``locale``'s catalog from the template of extracted strings."""
    path = catalog_path(locales_dir, locale)
    if path.exists():
        return path
    template = read_catalog(locales_dir / f"{DOMAIN}.pot")
    catalog = MessageCatalog(locale=locale, domain=DOMAIN, project="Open Models", version="1", fuzzy=False)
    for message in template:
        if message.id:
            catalog.add(message.id, locations=message.locations, flags=message.flags)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as handle:
        write_po(handle, catalog, width=100, sort_output=True)
    return path


def nav_titles(nav: list) -> list[str]:
    """Every title of the menu, sections and their entries alike, in menu order, each once."""
    titles: list[str] = []
    for item in nav:
        if isinstance(item, dict):
            for title, value in item.items():
                if title not in titles:
                    titles.append(title)
                if isinstance(value, list):
                    titles.extend(t for t in nav_titles(value) if t not in titles)
    return titles


def init_language(root: Path, config_file: Path, locales_dir: Path, locale: str, name: str | None,
                  data_locales_dir: Path | None = None) -> list[Path]:
    """Scaffold ``locale``: a string catalog, a data catalog (in ``data_locales_dir``) and an mkdocs.yml entry;
    returns the files written."""
    from babel import Locale, UnknownLocaleError
    from ruamel.yaml import YAML

    from generator import prose

    try:
        babel_locale = Locale.parse(locale)
    except (UnknownLocaleError, ValueError):
        raise I18nError(f"'{locale}' is not a language code Babel knows (try e.g. de, fr, fi)") from None
    if any(lang.locale == locale for lang in languages(config_file)):
        raise I18nError(f"'{locale}' is already a language of {config_file.name}")
    name = name or babel_locale.get_display_name(locale).capitalize()

    text = config_file.read_text(encoding="utf-8")
    config = YAML().load(text)
    titles = nav_titles(config.get("nav", []))
    entry = {"locale": locale, "name": name, "build": True, "site_name": config["site_name"],
             # Menu titles to translate; until then they read as in English.
             "nav_translations": {title: title for title in titles}}
    lines = text.split("\n")
    # Lines are inserted from the bottom up, so the positions read from the file stay right.
    edits: list[tuple[int, int, list[str]]] = []  # (line index, lines replaced, new lines)
    for plugin in config["plugins"]:
        if isinstance(plugin, dict) and "i18n" in plugin:
            langs = plugin["i18n"]["languages"]
            line, col = langs.lc.item(len(langs) - 1)
            end = _block_end(lines, line, col)
            edits.append((end, 0, _entry_lines(entry, col - 2)))
        if isinstance(plugin, dict) and isinstance(plugin.get("search"), dict) and _search_supports(locale):
            edits.append(_search_lang_edit(lines, plugin["search"], locale))
    written = [new_catalog(locales_dir, locale)]
    if data_locales_dir is not None:
        written.append(prose.new_catalog(data_locales_dir, locale))
    for at, replaced, new in sorted((e for e in edits if e), reverse=True):
        lines[at:at + replaced] = new
    config_file.write_text("\n".join(lines), encoding="utf-8")
    written.append(config_file)
    return [p.relative_to(root) for p in written]


def _block_end(lines: list[str], start: int, col: int) -> int:
    """The index after the last non-blank line of the block whose first line is ``start`` and whose
    content starts at column ``col``: later lines indented less end it."""
    end = start + 1
    for i in range(start + 1, len(lines)):
        stripped = lines[i].strip()
        if not stripped:
            continue
        if len(lines[i]) - len(lines[i].lstrip(" ")) < col:
            break
        end = i + 1
    return end


def _yaml_scalar(value: object) -> str:
    """``value`` written so that YAML reads it back unchanged."""
    if isinstance(value, bool):
        return "true" if value else "false"
    text = str(value)
    plain = (text and text == text.strip() and text[0] not in "-?:,[]{}#&*!|>'\"%@`" and ": " not in text
             and " #" not in text and not text.endswith(":"))
    if plain and yaml.safe_load(text) == text:
        return text
    return json.dumps(text, ensure_ascii=False)


def _entry_lines(entry: dict, dash: int) -> list[str]:
    """A language entry as block YAML with its dash at column ``dash``, in the file's own layout."""
    pad = " " * dash
    out = []
    for i, (key, value) in enumerate(entry.items()):
        lead = pad + ("- " if i == 0 else "  ")
        if isinstance(value, dict):
            out.append(f"{lead}{key}:")
            out += [f"{pad}    {_yaml_scalar(k)}: {_yaml_scalar(v)}" for k, v in value.items()]
        else:
            out.append(f"{lead}{key}: {_yaml_scalar(value)}")
    return out


def _search_lang_edit(lines: list[str], search: dict, locale: str) -> tuple[int, int, list[str]] | None:
    """Add ``locale`` to the search plugin's ``lang``, changing that one line (or adding one)."""
    langs = search.get("lang")
    if langs is None and not search:
        return None  # '- search: {}': Material's default languages
    if langs is None:
        line, col = search.lc.key(next(iter(search)))
        return line, 0, [" " * col + f"lang: [en, {locale}]"]
    if isinstance(langs, str):
        langs = [langs]
        line, _ = search.lc.value("lang")
        key_line = lines[line]
        return line, 1, [key_line[:key_line.index("lang:")] + f"lang: [{', '.join(langs + [locale])}]"]
    if locale in langs:
        return None
    if langs.fa.flow_style():
        line, _ = search.lc.value("lang")
        flow = re.match(r"^(.*lang:\s*\[)([^\]]*)\](.*)$", lines[line])
        if flow:
            items = [item.strip() for item in flow.group(2).split(",") if item.strip()]
            return line, 1, [f"{flow.group(1)}{', '.join(items + [locale])}]{flow.group(3)}"]
        raise I18nError("search's lang list spans several lines; add the language to it by hand")
    line, col = langs.lc.item(len(langs) - 1)
    return line + 1, 0, [" " * (col - 2) + f"- {locale}"]


def _search_supports(locale: str) -> bool:
    """Whether Material's search ships stop words and a stemmer for ``locale``."""
    import material

    lunr = Path(material.__file__).parent / "templates" / "assets" / "javascripts" / "lunr" / "min"
    return (lunr / f"lunr.{locale}.min.js").is_file()
