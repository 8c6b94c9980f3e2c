"""Translations: Swedish pages, staleness, fallbacks, a third language, per-language search."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import run_in_process

from generator.i18n import languages, status
from generator.site import Project, build


def test_swedish_pages_carry_swedish_labels(built_site: Path):
    html = (built_site / "sv" / "families" / "olmo" / "index.html").read_text()
    assert '<html lang="sv"' in html
    for text in ("Öppenhetstabell", "Träningsdata", "Poäng och bedömningar", "Öppen</span>"):
        assert text in html, text
    # Every note is translated (data/locales/sv/LC_MESSAGES/data.po): none is marked English, no notice.
    model = (built_site / "sv" / "models" / "allenai__OLMo-7B" / "index.html").read_text()
    # (The trackers' own words further down are theirs, in English, and marked so.)
    components = model[model.index('id="komponenter"'):]
    components = components[:components.index("<h2")]
    assert "Förtränad på Dolma" in components
    assert 'class="om-note" lang="en"' not in components and "Delvis på engelska" not in model
    english = (built_site / "families" / "olmo" / "index.html").read_text()
    assert '<html lang="en"' in english and "Openness table" in english and "Öppenhetstabell" not in english


def test_swedish_numbers_and_dates(built_site: Path):
    html = (built_site / "sv" / "models" / "allenai__OLMo-7B" / "index.html").read_text()
    assert "februari 2024" in html
    assert "7\u00a0000\u00a0000\u00a0000" in html or "7 000 000 000" in html


def test_every_page_exists_in_both_languages(built_site: Path):
    pages = [p.relative_to(built_site) for p in built_site.rglob("index.html")]
    english = [p for p in pages if p.parts[0] != "sv"]
    assert len(english) > 60
    for page in english:
        assert (built_site / "sv" / page).exists(), page


def test_changed_original_makes_translation_stale(project: Path):
    proj = Project(project)
    langs = languages(proj.config_file)
    (sv,) = status(proj.pages_dir, proj.locales_dir, langs)
    assert sv.count("stale") == 0 and sv.count("missing") == 0
    page = proj.pages_dir / "lesson" / "benefits.md"
    page.write_text(page.read_text() + "\nA new paragraph.\n")
    result = run_in_process("i18n", "status", "--json", cwd=project)
    (report,) = json.loads(result.stdout)
    assert report["pages"]["stale"] == ["lesson/benefits.md"]
    build(proj)
    html = (proj.site_dir / "sv" / "lesson" / "benefits" / "index.html").read_text()
    assert "Originalet har ändrats" in html
    other = (proj.site_dir / "sv" / "lesson" / "choosing" / "index.html").read_text()
    assert "Originalet har ändrats" not in other
    assert run_in_process("i18n", "mark-current", "lesson/benefits.md", "--lang", "sv", cwd=project).returncode == 0
    (sv,) = status(proj.pages_dir, proj.locales_dir, langs)
    assert sv.count("stale") == 0


def test_missing_translation_falls_back_with_notice(project: Path):
    proj = Project(project)
    (proj.pages_dir / "lesson" / "choosing.sv.md").unlink()
    build(proj)
    html = (proj.site_dir / "sv" / "lesson" / "choosing" / "index.html").read_text()
    assert "Inte översatt än" in html and '<html lang="sv"' in html
    index = json.loads((proj.site_dir / "sv" / "search" / "search_index.json").read_text())
    assert not any(doc["location"].startswith("sv/lesson/choosing/") for doc in index["docs"])


def test_fuzzy_strings_count_as_untranslated(project: Path):
    proj = Project(project)
    po = proj.locales_dir / "sv" / "LC_MESSAGES" / "messages.po"
    before = status(proj.pages_dir, proj.locales_dir, languages(proj.config_file))[0].strings
    text = po.read_text()
    po.write_text(text.replace('msgid "Openness table"', '#, fuzzy\nmsgid "Openness table"', 1))
    after = status(proj.pages_dir, proj.locales_dir, languages(proj.config_file))[0].strings
    assert after.translated == before.translated - 1 and after.fuzzy == before.fuzzy + 1
    build(proj)
    html = (proj.site_dir / "sv" / "families" / "olmo" / "index.html").read_text()
    # A fuzzy string is not shown: the reader gets English and a notice saying so.
    assert "Openness table" in html and "Delvis på engelska" in html


def test_init_a_third_language(project: Path):
    result = run_in_process("i18n", "init", "de", "--name", "Deutsch", cwd=project)
    assert result.returncode == 0, result.stderr
    assert (project / "templates" / "locales" / "de" / "LC_MESSAGES" / "messages.po").exists()
    assert (project / "data" / "locales" / "de" / "LC_MESSAGES" / "data.po").exists()
    config = (project / "mkdocs.yml").read_text()
    assert "locale: de" in config and "!ENV [DOCS_LANG, null]" in config
    proj = Project(project)
    build(proj)
    page = (proj.site_dir / "de" / "lesson" / "index.html").read_text()
    assert '<html lang="de"' in page and "This page has not been translated" in page
    assert (proj.site_dir / "de" / "families" / "olmo" / "index.html").exists()
    report = json.loads(run_in_process("i18n", "status", "--lang", "de", "--json", cwd=project).stdout)[0]
    assert report["strings"]["share"] == 0 and len(report["pages"]["missing"]) == 8
    again = run_in_process("i18n", "init", "de", cwd=project)
    assert again.returncode == 1 and "already a language" in again.stderr


def test_build_one_language(project: Path):
    proj = Project(project)
    build(proj, proj.root / "only-sv", only="sv")
    html = (proj.root / "only-sv" / "families" / "olmo" / "index.html").read_text()
    assert '<html lang="sv"' in html and "Öppenhetstabell" in html
    assert not (proj.root / "only-sv" / "sv").exists()


def test_search_index_per_language(built_site: Path):
    english = json.loads((built_site / "search" / "search_index.json").read_text())
    swedish = json.loads((built_site / "sv" / "search" / "search_index.json").read_text())
    assert english["config"]["lang"] == ["en"] and swedish["config"]["lang"] == ["sv"]
    assert english["docs"] and swedish["docs"]
    assert not any(d["location"].startswith("sv/") for d in english["docs"])
    assert all(d["location"].startswith("sv/") for d in swedish["docs"])


def test_a_translation_equal_to_its_original_is_not_flagged(built_site: Path):
    # "Organisation" is also Swedish: the families index is fully translated.
    html = (built_site / "sv" / "families" / "index.html").read_text()
    assert "Organisation" in html and "Delvis på engelska" not in html


def test_a_translation_with_wrong_placeholders_falls_back(project: Path):
    proj = Project(project)
    po = proj.locales_dir / "sv" / "LC_MESSAGES" / "messages.po"
    text = po.read_text()
    assert "de %(count)d komponenterna" in text  # in the Swedish msgstr only
    po.write_text(text.replace("de %(count)d komponenterna", "de %(antal)d komponenterna"))
    build(proj)
    html = (proj.site_dir / "sv" / "families" / "olmo" / "index.html").read_text()
    assert "Each bar shows how many of the 12 components" in html and "Delvis på engelska" in html


def test_each_language_loads_its_own_search_index(built_site: Path):
    swedish = (built_site / "sv" / "lesson" / "index.html").read_text()
    english = (built_site / "lesson" / "index.html").read_text()
    assert 'id="om-search-locale" data-locale="sv"' in swedish
    assert "om-search-locale" not in english


def test_a_plugin_upgrade_that_drops_the_page_language_fails_the_build():
    from mkdocs.exceptions import PluginError

    from generator.mkdocs_hooks import search_locale

    class Config:
        plugins = {"i18n": object()}

    with pytest.raises(PluginError, match="i18n_page_locale"):
        search_locale({"page": None}, Config())


def test_fallback_strings_carry_their_language_in_a_third_language_and_in_swedish(project: Path):
    """Issue 13: each English string on a translated page is marked lang="en", not only the page told."""
    import re

    from test_fallback_text import without

    assert run_in_process("i18n", "init", "de", "--name", "Deutsch", cwd=project).returncode == 0
    proj = Project(project)
    de = proj.locales_dir / "de" / "LC_MESSAGES" / "messages.po"
    de.write_text(de.read_text().replace('msgid "Openness table"\nmsgstr ""', 'msgid "Openness table"\n'
                                         'msgstr "Offenheitstabelle"'))
    without(proj.locales_dir / "sv" / "LC_MESSAGES" / "messages.po", drop={"Openness table"})
    build(proj)
    german = (proj.site_dir / "de" / "families" / "olmo" / "index.html").read_text()
    assert '<html lang="de"' in german and 'id="offenheitstabelle">Offenheitstabelle<' in german
    assert re.search(r'<h2 id="[^"]*"><span lang="en">Key facts</span>', german)
    assert '<div lang="en">' not in german, "the page is not English as a whole"
    swedish = (proj.site_dir / "sv" / "families" / "olmo" / "index.html").read_text()
    assert re.search(r'<h2 id="[^"]*"><span lang="en">Openness table</span>', swedish)
    assert "Delvis på engelska" in swedish and "Viktiga fakta" in swedish
    for page in proj.site_dir.rglob("*.html"):
        text = page.read_text()
        assert "\ue000" not in text and "\ue001" not in text and "\\ue000" not in text, page
