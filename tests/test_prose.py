"""The catalog's prose in gettext catalogs (issue 14): extraction, merging, fallback, status, compiling."""

from __future__ import annotations

import io
import json
import re
import shutil
import typing
from pathlib import Path

import pytest
import yaml
from babel.messages.mofile import write_mo
from conftest import ROOT, run_in_process, translate_data
from pydantic import BaseModel

from generator import schema
from generator.catalog import load_catalog
from generator.digest import inputs_digest
from generator.i18n import languages, status
from generator.prose import data_catalog_path, data_stats, load_strings, places, read_catalog, template_path
from generator.site import Project, render_docs
from generator.trackers import Verdicts

OLMO = "data/models/olmo/allenai__OLMo-7B.yml"
NOTE = f"{OLMO}:components.training_data.note"
SMALL = "data/models/demo/demo-org__Base-1B.yml"  # in the small synthetic catalog (small_project)
SMALL_NOTE = f"{SMALL}:components.training_data.note"


def _model_of(annotation: object) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        found = _model_of(arg)
        if found:
            return found
    return None


def schema_paths(cls: type[BaseModel], prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Every translatable field reachable from ``cls``, read off the schema's TRANSLATABLE markers: a path of
    field names, '*' for a key of a mapping or a keyed list item, '[]' for the items of an unkeyed list."""
    found = []
    for name, info in cls.model_fields.items():
        path = prefix + (name,)
        if schema.is_translatable(info.annotation, info.metadata):
            found.append(path)
            continue
        inner = _model_of(info.annotation)
        if inner is None:
            continue
        origin = typing.get_origin(info.annotation)
        if origin is dict:
            found += schema_paths(inner, path + ("*",))
        elif origin is list:
            keyed = "key" in inner.model_fields or "id" in inner.model_fields
            found += schema_paths(inner, path + ("*" if keyed else "[]",))
        else:
            found += schema_paths(inner, path)
    return found


def raw_strings(data: object, pattern: tuple[str, ...], named: tuple[str, ...] = ()) -> list[tuple[str, str]]:
    """(context path, text) of every string at ``pattern`` in a YAML document as parsed, without the schema."""
    if not pattern:
        items = data if isinstance(data, list) else [data]
        return [(".".join(named), text) for text in items if isinstance(text, str) and text]
    step, rest = pattern[0], pattern[1:]
    if step == "*" and isinstance(data, dict):
        return [s for key, value in data.items() for s in raw_strings(value, rest, named + (str(key),))]
    if step == "*" and isinstance(data, list):
        return [s for item in data for s in raw_strings(item, rest, named + (str(item.get("key", item.get("id"))),))]
    if step == "[]" and isinstance(data, list):
        return [s for item in data for s in raw_strings(item, rest, named)]
    if isinstance(data, dict) and step in data:
        return raw_strings(data[step], rest, named + (step,))
    return []


def test_the_schema_marks_the_curated_prose():
    marked = {cls.__name__: {".".join(p) for p in schema_paths(cls)}
              for cls in (schema.Model, schema.Family, schema.License, schema.Criteria)}
    assert marked["Model"] == {"components.*.note"}  # model names stay as they are
    assert marked["Family"] == {"name", "summary", "key_facts", "links.[].title"}
    assert marked["License"] == {"name"}
    assert {"levels.*.label", "levels.*.short", "groups.*.label", "components.*.description", "rules.*.text",
            "rules.*.title", "verdicts.mof.classes.*.label", "verdicts.osaid.label"} <= marked["Criteria"]


def test_extraction_takes_every_prose_field_the_schema_marks():
    """Read independently of the extractor: the raw YAML at every path the schema marks must be in data.pot."""
    data = ROOT / "data"
    files = {"data/criteria.yml": schema.Criteria, "data/licenses.yml": schema.License}
    files |= {f"data/families/{p.name}": schema.Family for p in (data / "families").glob("*.yml")}
    files |= {f"data/{p.relative_to(data).as_posix()}": schema.Model for p in (data / "models").rglob("*.yml")}
    files |= {"data/trackers/verdicts.yml": Verdicts}
    expected = set()
    for name, cls in files.items():
        document = yaml.safe_load((ROOT / name).read_text(encoding="utf-8"))
        lead = ("*",) if cls is schema.License else ()  # a list of licences, each named by its id
        for pattern in schema_paths(cls):
            expected |= {(f"{name}:{path}", text) for path, text in raw_strings(document, lead + pattern)}
    extracted = {(m.context, m.id) for m in read_catalog(template_path(data / "locales")) if m.id}
    assert extracted == expected
    assert (NOTE, load_catalog(data).models["allenai/OLMo-7B"].components["training_data"].note) in extracted
    assert len(extracted) > 1500


def test_extraction_is_deterministic_and_writes_only_changes(project: Path):
    first = run_in_process("i18n", "extract", cwd=project)
    assert first.returncode == 0, first.stderr
    locales = project / "data" / "locales"
    files = sorted(locales.rglob("*.po*"))
    before = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in files}
    # The committed catalogs are what extraction makes: nothing to write.
    assert "wrote" not in first.stdout and all(p.read_bytes() == (ROOT / p.relative_to(project)).read_bytes()
                                               for p in files)
    again = run_in_process("i18n", "extract", cwd=project)
    assert again.returncode == 0 and {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in files} == before
    text = (locales / "data.pot").read_text(encoding="utf-8")
    assert "Creation-Date" not in text and "Generated-By" not in text
    assert text.count("\nmsgctxt ") == len({p.key for p in places(load_catalog(project / "data"))})


def test_a_changed_english_note_falls_back_to_english_and_becomes_fuzzy(small_project: Path):
    """On the small synthetic catalog, which renders in a fraction of the real one's time."""
    project = small_project
    proj = Project(project)
    translate_data(project, "sv", {(SMALL_NOTE, None): "Hela korpusen för förträningen finns på Hub."})
    page = proj.docs_dir / "models" / "demo-org__Base-1B.sv.md"
    render_docs(proj, "sv")
    assert '<small class="om-note">Hela korpusen för förträningen finns på Hub.</small>' in page.read_text()

    model = project / SMALL
    old = load_catalog(proj.data_dir).models["demo-org/Base-1B"].components["training_data"].note
    new = old.rstrip(".") + ", and we checked it again."
    model.write_text(model.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")
    assert load_catalog(proj.data_dir).models["demo-org/Base-1B"].components["training_data"].note == new

    def swedish_counts():
        (sv,) = status(proj.pages_dir, proj.locales_dir, languages(proj.config_file), load_catalog(proj.data_dir),
                       proj.data_locales_dir)
        return sv.data

    before_merge = swedish_counts()
    render_docs(proj, "sv")
    shown = page.read_text()
    assert "Hela korpusen" not in shown
    assert re.search(r'<small class="om-note" lang="en">(<span lang="en">)?[^<]*we checked it again', shown)
    assert 'Delvis på engelska' in shown  # the page's notice: part of it is in English

    merged = run_in_process("i18n", "extract", cwd=project)
    assert merged.returncode == 0, merged.stderr
    po = read_catalog(data_catalog_path(proj.data_locales_dir, "sv"), "sv")
    entry = po.get(new, context=SMALL_NOTE)
    assert entry.fuzzy and entry.string == "Hela korpusen för förträningen finns på Hub."
    again = run_in_process("i18n", "extract", cwd=project)
    assert again.returncode == 0 and "wrote" not in again.stdout  # the merge is stable with fuzzy entries too
    after_merge = swedish_counts()
    assert after_merge.fuzzy == before_merge.fuzzy + 1 and after_merge.untranslated == before_merge.untranslated - 1
    # Fuzzy is not used: readers still get the English.
    render_docs(proj, "sv")
    shown = page.read_text()
    assert "Hela korpusen" not in shown
    assert re.search(r'<small class="om-note" lang="en">(<span lang="en">)?[^<]*we checked it again', shown)
    report = json.loads(run_in_process("i18n", "status", "--lang", "sv", "--json", cwd=project).stdout)[0]
    assert report["data_strings"]["fuzzy"] == after_merge.fuzzy


def test_a_failed_extraction_writes_no_catalog(project: Path):
    locales = project / "data" / "locales"
    before = {p: p.read_bytes() for p in sorted(locales.rglob("*.po*"))}
    model = project / OLMO
    model.write_text(model.read_text(encoding="utf-8").replace("kind: base", "kind: [", 1), encoding="utf-8")
    broken = run_in_process("i18n", "extract", cwd=project)
    assert broken.returncode == 1 and "no catalog was written" in broken.stderr and "Traceback" not in broken.stderr
    assert {p: p.read_bytes() for p in sorted(locales.rglob("*.po*"))} == before
    # A damaged catalog stops the merge before anything, the template included, is written.
    shutil.copy(ROOT / OLMO, model)
    model.write_text(model.read_text(encoding="utf-8").replace("Pre-trained on Dolma", "Trained on Dolma", 1),
                     encoding="utf-8")
    po = data_catalog_path(locales, "sv")
    po.write_text(po.read_text(encoding="utf-8") + '\nmsgid "unterminated\n', encoding="utf-8")
    damaged = run_in_process("i18n", "extract", cwd=project)
    assert damaged.returncode == 1 and "data.po" in damaged.stderr and "Traceback" not in damaged.stderr
    assert (locales / "data.pot").read_bytes() == before[locales / "data.pot"]


def test_init_creates_the_data_catalog(small_project: Path):
    """On the small synthetic catalog, whose data.pot the first extraction writes."""
    project = small_project
    assert run_in_process("i18n", "extract", cwd=project).returncode == 0
    messages = [m for m in read_catalog(project / "data" / "locales" / "data.pot") if m.id]
    assert len(messages) > 50
    assert run_in_process("i18n", "init", "de", "--name", "Deutsch", cwd=project).returncode == 0
    po = data_catalog_path(project / "data" / "locales", "de")
    catalog = read_catalog(po, "de")
    assert len([m for m in catalog if m.id]) == len(messages)
    assert not any(m.string for m in catalog if m.id)
    report = json.loads(run_in_process("i18n", "status", "--lang", "de", "--json", cwd=project).stdout)[0]
    assert report["data_strings"]["translated"] == 0 and report["data_strings"]["missing"] == len(messages)
    merged = run_in_process("i18n", "extract", cwd=project)
    assert merged.returncode == 0 and "de: 0 translated" in merged.stdout


def test_every_data_catalog_compiles():
    for po in sorted((ROOT / "data" / "locales").glob("*/LC_MESSAGES/*.po")):
        catalog = read_catalog(po, po.parts[-3])
        assert [(m.id, errors) for m, errors in catalog.check() if errors] == [], po
        buffer = io.BytesIO()
        write_mo(buffer, catalog)
        assert buffer.getvalue()


def test_a_changed_translation_changes_the_build_digest(project: Path):
    proj = Project(project)

    def digest() -> str:
        return inputs_digest([proj.data_dir, proj.templates_dir, proj.pages_dir], [proj.config_file], None)

    before = digest()
    po = data_catalog_path(proj.data_locales_dir, "sv")
    po.write_text(po.read_text(encoding="utf-8").replace('msgstr "Öppen"', 'msgstr "Öppet"', 1), encoding="utf-8")
    assert digest() != before
def test_swedish_translates_every_data_string():
    catalog = load_catalog(ROOT / "data")
    counts = data_stats(catalog, ROOT / "data" / "locales", "sv")
    assert (counts.fuzzy, counts.untranslated) == (0, 0), counts
    assert load_strings(ROOT / "data" / "locales", "sv")[("data/families/mistral.yml:name", "Mistral and Mixtral")] \
        == "Mistral och Mixtral"


def test_no_swedish_page_shows_a_family_name_that_has_a_swedish_translation(rendered_docs: Path):
    """Family names go through the data catalog on every page that prints them (tables, charts, the ranking),
    not only on the family's own page; Explore's search text keeps the English name beside the Swedish."""
    pages = sorted(rendered_docs.rglob("*.sv.md"))
    assert len(pages) > 100
    shown = [p.name for p in pages if "Mistral and Mixtral" in re.sub(r'data-text="[^"]*"', "", p.read_text("utf-8"))]
    assert shown == []
    assert "mistral and mixtral" in (rendered_docs / "explore.sv.md").read_text("utf-8")


def test_no_fallback_mark_reaches_a_page_of_the_real_catalog(rendered_docs: Path):
    pages = sorted(rendered_docs.rglob("*.md"))
    assert len(pages) > 200
    assert [p.name for p in pages if "\ue000" in p.read_text("utf-8") or "\ue001" in p.read_text("utf-8")] == []


@pytest.mark.parametrize("family", ["mistral", "olmo"])
def test_a_swedish_family_page_has_no_english_in_its_tables(browser, site_url, family):
    page = browser.new_page()
    page.goto(f"{site_url}/sv/families/{family}/")
    english = page.evaluate("""() => [...document.querySelectorAll('.om-matrix td')]
        .filter(cell => cell.matches(':lang(en)') || cell.querySelector(':lang(en)'))
        .map(cell => cell.innerText)""")
    assert english == []
    assert page.locator(".om-matrix td").count() > 12
    name = "Mistral och Mixtral" if family == "mistral" else "OLMo"
    assert page.locator("h1").inner_text().rstrip("¶") == name
    # The menu takes each family page's title: translated there too.
    other = "olmo" if family == "mistral" else "mistral"
    menu = page.locator(f"a.md-nav__link[href='../{other}/']").first.text_content().strip()
    assert menu == ("OLMo" if family == "mistral" else "Mistral och Mixtral")
    # The notes the cells lead to, on a model's page, are Swedish too.
    page.locator(".om-matrix td a").first.click()
    page.wait_for_url("**/sv/models/**")
    # (Only the components' notes: what other trackers say is quoted in their English, marked so.)
    notes = page.evaluate("""() => [...document.querySelectorAll('tr:has(.om-anchor) .om-note')]
        .map(note => [note.innerText, note.matches(':lang(en)') || !!note.querySelector(':lang(en)')])""")
    assert notes and [text for text, english in notes if english] == []
    page.close()


def test_a_new_model_repeating_a_translated_sentence_is_translated_at_once(small_project: Path):
    """A new file's stock sentence is a new message (its context names the file); the merge gives it the
    translation the same English has elsewhere, not a fuzzy suggestion readers would not see."""
    project = small_project
    proj = Project(project)
    translate_data(project, "sv", {(SMALL_NOTE, None): "Syntetisk anteckning om träningsdata."})
    source = project / SMALL
    copy = source.with_name("demo-org__Base-1B-Copy.yml")
    copy.write_text(source.read_text(encoding="utf-8").replace("id: demo-org/Base-1B\n", "id: demo-org/Base-1B-Copy\n"),
                    encoding="utf-8")
    note = load_catalog(proj.data_dir).models["demo-org/Base-1B"].components["training_data"].note
    assert run_in_process("i18n", "extract", cwd=project).returncode == 0
    po = read_catalog(data_catalog_path(proj.data_locales_dir, "sv"), "sv")
    original = po.get(note, context=SMALL_NOTE)
    entry = po.get(note, context=SMALL_NOTE.replace("demo-org__Base-1B.yml", "demo-org__Base-1B-Copy.yml"))
    assert original.string == "Syntetisk anteckning om träningsdata." and not original.fuzzy
    assert entry is not None and not entry.fuzzy and entry.string == original.string
    # A sentence of the copy that is untranslated in the original too gets no translation readers see.
    other = po.get(load_catalog(proj.data_dir).models["demo-org/Base-1B"].components["weights"].note,
                   context=SMALL_NOTE.replace("demo-org__Base-1B.yml", "demo-org__Base-1B-Copy.yml")
                   .replace("training_data", "weights"))
    assert other is not None and (other.fuzzy or not other.string)


def test_an_untranslated_label_is_marked_english_wherever_it_shows(small_project: Path):
    """Not only notes: a criteria label without Swedish (here the level 'Partial') is marked lang="en" in
    every table cell and heading it reaches, and no fallback mark reaches a page. On the small synthetic
    catalog, which shows the level on the same kinds of page; the real catalog's pages are checked for
    marks in test_no_fallback_mark_reaches_a_page_of_the_real_catalog."""
    proj = Project(small_project)
    label = ("data/criteria.yml:levels.partial.label", "Partial")

    def pages_with(text: str) -> set[str]:
        render_docs(proj, "sv")
        return {p.relative_to(proj.docs_dir).as_posix() for p in proj.docs_dir.rglob("*.sv.md")
                if re.search(text, p.read_text(encoding="utf-8"))}

    translate_data(small_project, "sv", {label: "Delvis"})
    tables = {"families/demo.sv.md", "families/all-models.sv.md", "models/demo-org__Chat-1B.sv.md"}
    swedish = pages_with(r"Delvis(?! på engelska)")
    assert tables <= swedish
    translate_data(small_project, "sv", {label: ""})
    # Every page that showed the Swedish label shows the English one; marked except in a script's data.
    assert tables <= pages_with('<span lang="en">Partial</span>') <= swedish == pages_with("Partial")
    assert pages_with(r"Delvis(?! på engelska)") == set()
    family = (proj.docs_dir / "families" / "demo.sv.md").read_text(encoding="utf-8")
    assert '<span class="om-level om-partial"><span lang="en">Partial</span></span>' in family
    assert "Delvis på engelska" in family
    for page in proj.docs_dir.rglob("*.md"):
        text = page.read_text(encoding="utf-8")
        assert "\ue000" not in text and "\ue001" not in text, page.name
