"""Every internal of Material for MkDocs and mkdocs-static-i18n that the site relies on, in one place.

Neither project documents these as an interface, so an upgrade may change them without notice. Each
is read here, and only here, through a function that stops the build with a message naming what
went missing (never a quiet fallback), and each has a test of the behaviour it exists for on a real
build (tests/test_theme_internals.py unless named otherwise):

============================================  ===========  ============================================
What we rely on                               Whose        What it is for
============================================  ===========  ============================================
``i18n_page_locale``, ``i18n_config`` in the  i18n         which language's search index a page loads
page context (``page_language``)                           (test_i18n: each language loads its own)
``File.alternates``: a page's translations    i18n         the language menu of the home pages links
(``page_translations``)                                    relative to the page (works below a path)
``config.extra.alternate``, a list of         i18n +       the language menu's entries, which the
``{lang, link, ...}`` (``language_menu``)     Material     templates read and the hooks rewrite
the plugin's ``extra_alternate``: each        i18n         the 404 page's language menu leads to each
language's home (``language_homes``)                       language's home
``<link rel="alternate" href hreflang>`` in   Material     removed: Material fetched <page>/sitemap.xml
the head (``without_alternate_links``)                     beside each one, a 404 on every page
``<article class="md-content__inner           Material     where ``serve`` puts the problems banner
md-typeset">`` (``CONTENT_START``)                         (test_serve)
``base.html``'s ``content`` and ``extrahead`` Material     templates/theme/main.html: the lang of an
blocks                                                     untranslated page (test_newcomers), the
                                                           per-language search index (test_i18n)
the bundle loads ``search/search_index.json`` Material     main.html points that request at the
by XMLHttpRequest or fetch                                 language's own index (test_browser)
the search index's ``{"config", "docs":       Material's   generator/search.py splits it by language
[{"location", ...}]}``                        search       (test_i18n: search index per language)
the plugin's languages loop: ``building``,    i18n         generator/language_builds.py builds the
``current_language``, ``build_languages``,                 other languages in a process of their own
``is_default_language_build``,                             and joins them (test_build_speed: the same
``search_entries``,                                        bytes as the plugin's sequential build)
``reconfigure_search_index(config)``,
``reconfigure_search_duplicates``
(``i18n_builder``, ``i18n_search_entries``,
``i18n_write_search_index``)
the search plugin's ``search_index_prev``,    Material's   ``serve`` rebuilds only changed pages and
which it merges a dirty build's entries into  search       merges their entries itself (test_serve:
(``forget_previous_search_index``)                         the index stays whole)
the search worker's ``importScripts`` of      Material     the theme's files no page loads are left
``lunr/min/lunr.<lang>.min.js`` and the rest               out of the site (test_site: Swedish search
(``unused_theme_files``)                                   still works in test_browser)
============================================  ===========  ============================================
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from mkdocs.exceptions import PluginError

CONTENT_START = '<article class="md-content__inner md-typeset">'
"""Where Material's page template opens the page's content."""

_ALTERNATE_LINK = re.compile(r'\n?[ \t]*<link rel="alternate" href="[^"]*" hreflang="[^"]*">')
# Any alternate link with an hreflang, whatever the order of its attributes: what must be gone.
_ANY_ALTERNATE_LINK = re.compile(r'<link\b[^>]*\brel="alternate"[^>]*\bhreflang=|<link\b[^>]*\bhreflang=[^>]*'
                                 r'\brel="alternate"')


def _gone(what: str, use: str) -> PluginError:
    return PluginError(f"{what} is no longer there after an upgrade of the theme or the i18n plugin; "
                       f"generator/theme_internals.py relies on it for {use} and needs updating")


def i18n_enabled(config: Any) -> bool:
    return "i18n" in config.plugins


def page_language(context: dict, config: Any) -> tuple[str, str]:
    """The language of the page being rendered and the site's default language."""
    try:
        locale, languages = context["i18n_page_locale"], context["i18n_config"].languages
        default = next(lang.locale for lang in languages if lang.default)
    except (KeyError, AttributeError, StopIteration):
        raise _gone("mkdocs-static-i18n's i18n_page_locale and i18n_config in the page context",
                    "each language's own search index (mkdocs_hooks.search_locale)") from None
    return locale, default


def page_translations(page: Any) -> dict[str, Any]:
    """The page's translations by language (the i18n plugin's ``File.alternates``)."""
    alternates = getattr(page.file, "alternates", None)
    if not isinstance(alternates, dict):
        raise _gone("mkdocs-static-i18n's File.alternates", "the language menu of the home pages")
    return alternates


def language_menu(config: Any) -> list[dict]:
    """The language menu's entries, ``{lang, link, ...}`` each (``config.extra.alternate``); none when
    only one language is built."""
    if not language_homes(config):
        return []
    entries = getattr(config.extra, "alternate", None)
    if not isinstance(entries, list) or not all(isinstance(e, dict) and "lang" in e and "link" in e
                                                for e in entries):
        raise _gone("config.extra.alternate as a list of {lang, link}", "the language menu")
    return entries


def language_homes(config: Any) -> list[dict]:
    """The language menu pointing at each language's home (the i18n plugin's ``extra_alternate``);
    empty when only one language is built (``openmodels build --lang``), which has no menu."""
    plugin = config.plugins.get("i18n")
    if not hasattr(plugin, "extra_alternate"):
        raise _gone("mkdocs-static-i18n's extra_alternate", "the 404 page's language menu")
    homes = plugin.extra_alternate
    if not homes:
        return []
    if not isinstance(homes, list):
        raise _gone("mkdocs-static-i18n's extra_alternate as a list", "the 404 page's language menu")
    return homes


_BUILDER = ("building", "current_language", "build_languages", "is_default_language_build", "search_entries",
            "reconfigure_search_index", "reconfigure_search_duplicates")


def i18n_builder(config: Any) -> Any:
    """The i18n plugin, with the state of its loop over the languages (its ``on_post_build``)."""
    plugin = config.plugins.get("i18n")
    missing = [name for name in _BUILDER if not hasattr(plugin, name)]
    if missing:
        raise _gone(f"mkdocs-static-i18n's {', '.join(missing)}", "building each language in a process of its own")
    return plugin


def i18n_search_entries(plugin: Any) -> list[dict]:
    """The search entries the plugin gathers from each language's build, to write them as one index."""
    entries = plugin.search_entries
    if not isinstance(entries, list):
        raise _gone("mkdocs-static-i18n's search_entries as a list", "joining the languages' search entries")
    return entries


def i18n_write_search_index(plugin: Any, config: Any) -> None:
    """Write the search index of every language from the gathered entries, deduplicated, as the plugin
    does at the end of its loop, but with ``deduplicate`` in place of the plugin's own pass."""
    own = plugin.reconfigure_search_duplicates
    plugin.reconfigure_search_duplicates = lambda entries: deduplicate(entries, plugin.build_languages, own)
    try:
        plugin.reconfigure_search_index(config)
    finally:
        del plugin.reconfigure_search_duplicates


def deduplicate(entries: list[dict], languages: list[str], own: Any) -> None:
    """Drop, in place, each entry of another language that repeats one of the default language (same
    title and text, at the same place below the language's folder), exactly as the i18n plugin's
    ``reconfigure_search_duplicates`` (``own``) does, quirks included.

    The plugin compares every entry of the default language with every other entry: six seconds
    at a thousand models, in the one process left once both languages are built. A lookup by title
    and text finds the few default entries that have a repeat at all; the plugin's own comparison
    runs for those alone, on the full lists, so what it drops (and in which order) is unchanged.
    Where default and other entries are interleaved, its removals would move its own iteration, and
    the plugin's pass runs whole instead. (tests/test_theme_internals.py compares the two.)"""
    prefixes = tuple(f"{lang}/" for lang in languages)
    kinds = [entry["location"].startswith(prefixes) for entry in entries]
    if kinds != sorted(kinds):
        own(entries)
        return
    others = [entry for entry, other in zip(entries, kinds, strict=True) if other]
    places: dict[tuple[str, str], list[str]] = {}
    for entry in others:
        places.setdefault((entry["title"], entry["text"]), []).append(entry["location"])
    for entry in entries[:len(entries) - len(others)]:
        if not any(place.endswith(entry["location"]) for place in places.get((entry["title"], entry["text"]), ())):
            continue
        # The plugin's own loop for this entry: a lazy filter over a list it removes from.
        for repeat in filter(lambda x, e=entry: x["title"] == e["title"] and x["location"].endswith(e["location"])
                             and x["text"] == e["text"], others):
            entries.remove(repeat)
            others.remove(repeat)


def forget_previous_search_index(config: Any) -> None:
    """Stop Material's search plugin from merging the next index it writes into the one it wrote last.

    In a dirty build (``openmodels serve``) the plugin keeps its last index (``search_index_prev``) and
    merges the new entries into it assuming they are those of one page; the preview merges the entries of
    every page it rebuilt itself (generator.mkdocs_hooks) and hands the plugin the whole index."""
    for name in ("search", "material/search"):
        plugin = config.plugins.get(name)
        if plugin is None:
            continue
        if not hasattr(plugin, "search_index_prev"):
            raise _gone("Material's search plugin's search_index_prev", "the preview's search index after a rebuild "
                        "of some pages")
        plugin.search_index_prev = None


def without_alternate_links(html: str) -> str:
    """``html`` without the head's ``<link rel="alternate" hreflang>`` tags."""
    html = _ALTERNATE_LINK.sub("", html)
    head = html.split("</head>", 1)[0]
    if _ANY_ALTERNATE_LINK.search(head):
        raise _gone('Material\'s <link rel="alternate" href="..." hreflang="..."> form', "removing the head's "
                    "alternate links, beside each of which Material fetches a missing sitemap.xml")
    return html


_LUNR = "assets/javascripts/lunr/"
# What Material's search worker imports, from its own code: lunr.stemmer.support for any language
# besides English, lunr.<lang> for each, lunr.multi for more than one, and a word splitter for
# Japanese (tinyseg) and for Hindi and Thai (wordcut).
_WORKER_IMPORTS = ("/min/lunr.stemmer.support.min.js", "/min/lunr.${n}.min.js", "/min/lunr.multi.min.js",
                   "/tinyseg.js", "/wordcut.js")


def unused_theme_files(files: Any, languages: set[str]) -> list[Any]:
    """Material's files that no page of a site searched in these languages loads: the search languages
    it does not use (2 of the 2.5 MB of theme files; wordcut.js alone is 0.7 MB) and the source maps
    (for debugging Material itself; a browser asks for them only while its developer tools are open).

    The search worker decides which language files it imports; its rule is copied here and checked
    against the worker in the theme, so that an upgrade that changes it stops the build."""
    worker = next((f for f in files if f.src_uri.startswith("assets/javascripts/workers/search.")
                   and f.src_uri.endswith(".min.js")), None)
    code = Path(worker.abs_src_path).read_text(encoding="utf-8") if worker and worker.abs_src_path else ""
    if not all(each in code for each in _WORKER_IMPORTS):
        raise _gone("Material's search worker's imports of its language files",
                    "leaving out the search languages the site does not use")
    needed = {"min/lunr.stemmer.support.min.js", "min/lunr.multi.min.js"}
    needed |= {f"min/lunr.{lang}.min.js" for lang in languages - {"en"}}
    if "ja" in languages:
        needed.add("tinyseg.js")
    if languages & {"hi", "th"}:
        needed.add("wordcut.js")
    theme = [f for f in files if not f.is_documentation_page() and f.abs_src_path
             and f.src_uri.startswith("assets/") and _in_theme(f)]
    return [f for f in theme if f.src_uri.endswith(".map")
            or f.src_uri.startswith(_LUNR) and f.src_uri.removeprefix(_LUNR) not in needed]


def _in_theme(file: Any) -> bool:
    import material

    return Path(file.abs_src_path).resolve().is_relative_to(Path(material.__file__).resolve().parent)
