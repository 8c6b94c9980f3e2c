"""What generator/theme_internals.py relies on in Material and mkdocs-static-i18n still does its job.

Each build test checks the behaviour an internal exists for, on the real site, so an upgrade that
changes the internal fails here; the others check that a missing internal stops the build with a
message instead of a quiet fallback. The table in generator/theme_internals.py names the tests
elsewhere (search per language, the serve banner, untranslated pages).
"""

from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace

import pytest
from mkdocs.exceptions import PluginError

from generator import theme_internals

MENU = re.compile(r'<a href="([^"]*)" hreflang="([^"]*)" class="md-select__link">')


def menu(page: Path) -> dict[str, str]:
    """The language menu of a built page: language -> link."""
    return {lang: href for href, lang in MENU.findall(page.read_text(encoding="utf-8"))}


def test_no_page_has_alternate_links_in_its_head(built_site: Path):
    """Material fetched <page>/sitemap.xml beside each of them: a 404 on every page."""
    pages = sorted(built_site.rglob("*.html"))
    assert len(pages) > 100 and built_site / "404.html" in pages
    for page in pages:
        head = page.read_text(encoding="utf-8").split("</head>", 1)[0]
        assert "hreflang" not in head, page.relative_to(built_site)


def test_home_pages_link_to_their_translations_relative_to_the_page(built_site: Path):
    """Links from the site's root ('/sv/') would leave the site when it is served below a path."""
    assert menu(built_site / "index.html") == {"en": "./", "sv": "sv/"}
    assert menu(built_site / "sv" / "index.html") == {"en": "../", "sv": "./"}
    assert menu(built_site / "families" / "olmo" / "index.html") == {"en": "./", "sv": "../../sv/families/olmo/"}


def test_the_404_page_leads_to_each_languages_home(built_site: Path):
    """Without the hook it kept the language menu of whichever page was rendered last."""
    assert menu(built_site / "404.html") == {"en": "/", "sv": "/sv/"}


def test_the_404_page_is_in_the_default_language(built_site: Path):
    """Each language's build wrote the one 404 page, and the last (Swedish) one won."""
    page = (built_site / "404.html").read_text(encoding="utf-8")
    assert '<html lang="en"' in page and "<title>Open Models</title>" in page
    assert not (built_site / "sv" / "404.html").exists()


def test_the_theme_still_loads_the_search_index_main_html_redirects(built_site: Path):
    """templates/theme/main.html rewrites requests for search/search_index.json (test_browser checks
    the results); if the bundle asks for another file, nothing would be rewritten."""
    bundles = list((built_site / "assets" / "javascripts").glob("bundle.*.min.js"))
    assert bundles and any("search/search_index.json" in b.read_text(encoding="utf-8") for b in bundles)


def i18n_config(plugin=None, alternate=None):
    plugins = {"i18n": plugin if plugin is not None else SimpleNamespace()}
    return SimpleNamespace(plugins=plugins, extra=SimpleNamespace(**({"alternate": alternate} if alternate else {})))


@pytest.mark.parametrize("reach, arguments, named", [
    (theme_internals.page_language, ({"page": None}, i18n_config()), "i18n_page_locale"),
    (theme_internals.page_translations, (SimpleNamespace(file=SimpleNamespace()),), "File.alternates"),
    (theme_internals.language_homes, (i18n_config(),), "extra_alternate"),
    (theme_internals.language_menu, (i18n_config(SimpleNamespace(extra_alternate=[{"lang": "en", "link": "/"}]),
                                                 alternate=[{"language": "en"}]),), "config.extra.alternate"),
    (theme_internals.i18n_builder, (i18n_config(SimpleNamespace(building=False, current_language="en")),),
     "build_languages"),
    (theme_internals.i18n_search_entries, (SimpleNamespace(search_entries=None),), "search_entries"),
    (theme_internals.without_alternate_links,
     ('<head><link hreflang="sv" rel="alternate" href="/sv/"></head>',), "hreflang"),
])
def test_a_missing_internal_stops_the_build_and_says_which(reach, arguments, named):
    with pytest.raises(PluginError, match=re.escape(named)):
        reach(*arguments)


def test_a_build_of_one_language_has_no_menu_to_fix():
    one = i18n_config(SimpleNamespace(extra_alternate={}))
    assert theme_internals.language_homes(one) == [] and theme_internals.language_menu(one) == []



def _entries(rng, count: int, interleaved: bool) -> list[dict]:
    pages = ["", "models/a/", "models/b/", "a/"]
    made = []
    for _ in range(count):
        made.append({"location": rng.choice(pages) + rng.choice(["", "#x"]), "title": rng.choice("AB"),
                     "text": rng.choice(["same", "other"])})
    others = [{**e, "location": "sv/" + e["location"]} if rng.random() < 0.7 else
              {"location": "sv/" + rng.choice(pages), "title": rng.choice("AB"), "text": rng.choice(["same", "x"])}
              for e in made]
    entries = made + others
    if interleaved:
        rng.shuffle(entries)
    return entries


def test_deduplication_drops_exactly_what_the_plugins_own_pass_drops():
    """Random indexes full of repeats, consecutive ones and identical entries, in order (English first,
    as every build joins them) and shuffled: the same entries, in the same order, as the plugin's pass."""
    import random

    from mkdocs_static_i18n.reconfigure import ExtendedPlugin

    rng = random.Random(16)
    # The plugin's pass reads nothing of the plugin but its languages.
    plugin = SimpleNamespace(build_languages=["en", "sv"])
    plugin.reconfigure_search_duplicates = lambda entries: ExtendedPlugin.reconfigure_search_duplicates(plugin, entries)
    for case in range(300):
        entries = _entries(rng, rng.randint(0, 12), interleaved=case % 3 == 0)
        expected, ours = [dict(e) for e in entries], [dict(e) for e in entries]
        plugin.reconfigure_search_duplicates(expected)
        theme_internals.deduplicate(ours, plugin.build_languages, plugin.reconfigure_search_duplicates)
        assert ours == expected, entries

