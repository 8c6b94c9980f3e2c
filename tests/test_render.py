"""Rendering: golden pages for the synthetic catalog, escaping, and write-only-on-change."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from generator.catalog import load_catalog
from generator.i18n import load_translations
from generator.openness import assess_catalog
from generator.render import LEVEL_STYLES, Localizer, escape_text, level_styles, relative, render_pages
from generator.site import Project, render_docs

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = Path(__file__).resolve().parent / "golden"


def render_fixture(data: Path) -> dict[str, str]:
    catalog = load_catalog(data)
    return render_pages(catalog, assess_catalog(catalog), ROOT / "templates")


def test_pages_match_golden_files(fixture_catalog):
    """Set UPDATE_GOLDEN=1 to rewrite the golden files after an intended change; review the diff."""
    pages = render_fixture(fixture_catalog)
    if os.environ.get("UPDATE_GOLDEN"):
        for rel, text in pages.items():
            (GOLDEN / rel).parent.mkdir(parents=True, exist_ok=True)
            (GOLDEN / rel).write_text(text, encoding="utf-8")
    expected = {p.relative_to(GOLDEN).as_posix() for p in GOLDEN.rglob("*.md")}
    assert set(pages) == expected
    for rel, text in pages.items():
        assert text == (GOLDEN / rel).read_text(encoding="utf-8"), rel


@pytest.mark.parametrize("locale, shown", [
    ("en", {"2024-02-09": "February 9, 2024", "2024-02": "February 2024", "2024": "2024"}),
    ("sv", {"2024-02-09": "9 februari 2024", "2024-02": "februari 2024", "2024": "2024"}),
])
def test_a_release_date_is_shown_to_the_precision_it_has(fixture_catalog, locale, shown):
    """A year stays a year in every language: never a first of January, never a month."""
    loc = Localizer(locale, "en", *load_translations(ROOT / "templates" / "locales", locale))
    assert {value: loc.date(value) for value in shown} == shown
    path = fixture_catalog / "models" / "demo" / "demo-org__Base-1B.yml"
    path.write_text(path.read_text().replace("release_date: 2024-02", "release_date: 2024"))
    catalog = load_catalog(fixture_catalog)
    pages = render_pages(catalog, assess_catalog(catalog), ROOT / "templates", loc)
    page = pages[loc.page_path("models/demo-org__Base-1B.md")]
    released = {"en": "Released", "sv": "Släppt"}[locale]
    assert f"| {released} | {escape_text('2024')} |" in page  # a leading digit is escaped
    assert not re.search(r"(January|januari|1 jan)", page)


def test_rendering_is_deterministic(fixture_catalog):
    assert render_fixture(fixture_catalog) == render_fixture(fixture_catalog)


@pytest.mark.parametrize("text", [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    "[click](javascript:alert(1))",
    "{{ 7*7 }} {% raw %}",
    "| cell | break |",
    "**bold** _em_ `code`",
])
def test_contributor_text_is_inert(text):
    escaped = str(escape_text(text))
    for char in "<>[]()|`*_":
        assert char not in escaped


def test_template_syntax_in_data_is_not_evaluated(fixture_catalog):
    path = fixture_catalog / "families" / "demo.yml"
    path.write_text(path.read_text().replace("used by the tests", "{{ 7*7 }} {% if true %}x{% endif %}"))
    page = render_fixture(fixture_catalog)["families/demo.md"]
    assert "49" not in page and "&#123;&#123; 7&#42;7 &#125;&#125; &#123;% if true %&#125;x" in page


def test_relative_links():
    assert relative("families/demo.md", "models/a__b.md") == "../models/a__b.md"
    assert relative("families/index.md", "families/demo.md") == "demo.md"
    assert relative("models/a.md", "methodology.md") == "../methodology.md"


def test_level_icons_are_drawn_by_a_stylesheet_written_from_the_criteria(fixture_catalog, small_project):
    criteria = load_catalog(fixture_catalog).criteria
    # A hostile icon cannot end the CSS string or rule: every character is written as an escape.
    hostile = criteria.model_copy(update={"levels": [criteria.levels[0].model_copy(update={"icon": '"}*{x'})]})
    assert level_styles(hostile).splitlines()[1] == (
        '.om-level.om-open::before { content: "\\22 \\7d \\2a \\7b \\78"; content: "\\22 \\7d \\2a \\7b \\78" / ""; }')
    css = level_styles(criteria)
    for level in criteria.levels:
        escaped = "".join(f"\\{ord(c):x} " for c in level.icon).rstrip()
        assert f'.om-level.om-{level.key}::before {{ content: "{escaped}";' in css
    proj = Project(small_project)
    render_docs(proj)
    assert (proj.docs_dir / LEVEL_STYLES).read_text() == css
    assert LEVEL_STYLES in (small_project / "mkdocs.yml").read_text()
    # Pages name the level and leave the icon to the stylesheet.
    page = (proj.docs_dir / "families" / "demo.md").read_text()
    assert 'class="om-level om-open">' in page and criteria.levels[0].icon not in page


def test_docs_are_written_only_when_changed(small_project):
    proj = Project(small_project)
    _, first = render_docs(proj)
    assert "families/demo.md" in first and "index.md" in first
    stamp = (proj.docs_dir / "families" / "demo.md").stat().st_mtime_ns
    _, second = render_docs(proj)
    assert second == []
    assert (proj.docs_dir / "families" / "demo.md").stat().st_mtime_ns == stamp
    (proj.pages_dir / "methodology.md").write_text("# Changed\n")
    _, third = render_docs(proj)
    # The Swedish page changes too: it now says that its original has changed.
    assert third == ["methodology.md", "methodology.sv.md"]


def test_a_template_edited_between_renders_is_compiled_again(small_project):
    """Compiled templates are kept for the process (render.make_environment); an edit, as under
    `openmodels serve`, must still reach the next render, and each language's page."""
    proj = Project(small_project)
    render_docs(proj)
    family = proj.templates_dir / "family.md.j2"
    family.write_text(family.read_text(encoding="utf-8").replace("\n", "\nEdited since the last render.\n", 1),
                      encoding="utf-8")
    render_docs(proj)
    for page in ("demo.md", "demo.sv.md"):
        assert "Edited since the last render." in (proj.docs_dir / "families" / page).read_text(encoding="utf-8")


def test_removed_pages_disappear_from_docs(small_project):
    proj = Project(small_project)
    render_docs(proj)
    (proj.data_dir / "models" / "demo" / "demo-org__Chat-1B.yml").unlink()
    render_docs(proj)
    assert not (proj.docs_dir / "models" / "demo-org__Chat-1B.md").exists()


def test_every_kind_of_line_break_is_flattened():
    for brk in ("\r", "\r\n", "\x0b", "\x0c", "\x1c", "\x85", "\u2028", "\u2029"):
        assert str(escape_text(f"one{brk}| two")) == "one &#124; two"


def test_notice_goes_below_the_title_not_into_front_matter_or_code():
    from generator.render import _insert_after_title

    page = "---\nsearch: x\n---\n\n```\n# not a title\n```\n# Title\ntext"
    assert _insert_after_title(page, "NOTICE") == page.replace("# Title\n", "# Title\n\nNOTICE\n\n")
    assert _insert_after_title("---\na: 1\n---\ntext", "N") == "---\na: 1\n---\n\nN\n\ntext"


def test_written_files_are_readable_by_others(small_project):
    render_docs(Project(small_project))
    mode = (Project(small_project).docs_dir / "families" / "demo.md").stat().st_mode & 0o777
    umask = os.umask(0)
    os.umask(umask)
    assert mode == 0o666 & ~umask


def test_a_hand_written_page_where_a_page_is_generated_is_an_error(small_project):
    from generator.errors import BuildError

    (small_project / "site_src" / "families").mkdir()
    (small_project / "site_src" / "families" / "demo.md").write_text("# My own demo page\n")
    with pytest.raises(BuildError, match=r"site_src/families/demo\.md: the generator writes a page at this path"):
        render_docs(Project(small_project))
    assert not (Project(small_project).docs_dir / "families" / "demo.md").exists(), "nothing is written"


def test_one_rule_names_a_models_files():
    from generator.checks import model_filename
    from generator.render import model_page
    from generator.schema import file_stem, model_id_of

    assert file_stem("allenai/OLMo-7B") == "allenai__OLMo-7B"
    assert model_id_of(file_stem("org/name__with__underscores")) == "org/name__with__underscores"
    assert model_filename("allenai/OLMo-7B") == "allenai__OLMo-7B.yml"
    assert model_page("allenai/OLMo-7B") == "models/allenai__OLMo-7B.md"
