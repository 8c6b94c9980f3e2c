"""The real catalog built with a real MkDocs: pages, the models.json contract, and safe failure."""

from __future__ import annotations

import csv
import html
import json
import re
from pathlib import Path

import pytest

from generator.errors import CatalogError
from generator.site import Project, build

ROOT = Path(__file__).resolve().parent.parent
COMPONENTS = ["training_data", "finetuning_data", "weights", "training_code", "finetuning_code", "evaluation_code",
              "training_metrics", "license", "model_card", "paper", "datasheet", "architecture"]
LESSON_MODELS = [
    "meta-llama/Llama-2-7b-hf", "meta-llama/Llama-2-7b-chat-hf", "elyza/ELYZA-japanese-Llama-2-7b",
    "TencentARC/LLaMA-Pro-8B", "mistralai/Mistral-7B-v0.1", "mistralai/Mixtral-8x7B-v0.1", "BioMistral/BioMistral-7B",
    "nvidia/OpenMath-Mistral-7B-v0.1-hf", "tiiuae/falcon-7b", "tiiuae/falcon-40b",
    "OpenAssistant/falcon-40b-sft-top1-560", "nomic-ai/gpt4all-falcon", "allenai/OLMo-7B",
]
LESSON_FAMILIES = ["llama-2", "mistral", "falcon", "olmo", "pythia", "bloom", "phi", "gemma", "qwen", "llama-3",
                   "deepseek", "amber"]


@pytest.fixture(scope="module")
def models_json(built_site: Path) -> dict:
    return json.loads((built_site / "api" / "models.json").read_text())


def test_models_json_contract(models_json):
    assert models_json["schema_version"] == 1
    models = models_json["models"]
    assert len(models) >= 40
    for m in models:
        assert {"id", "family", "name", "base_model", "license", "components", "score", "verdicts"} <= set(m)
        assert set(m["license"]) == {"id", "osi_approved"} and isinstance(m["license"]["osi_approved"], bool)
        assert list(m["components"]) == COMPONENTS
        for key, comp in m["components"].items():
            assert set(comp) == {"level", "evidence", "note"}
            if comp["level"] not in ("unknown", "not_applicable"):
                assert comp["evidence"], f"{m['id']} {key} has no evidence"
            assert all(url.startswith(("https://", "http://")) for url in comp["evidence"])
        assert isinstance(m["verdicts"]["lesson_criteria"], bool)
        assert m["verdicts"]["osaid"] in ("likely", "unlikely", "unknown")
        assert m["verdicts"]["mof_class"] in ("I", "II", "III", None)
        assert m["score"] is None or 0 <= m["score"] <= 1


def test_catalog_covers_the_lesson(models_json):
    ids = {m["id"] for m in models_json["models"]}
    assert set(LESSON_MODELS) <= ids
    families = {m["family"] for m in models_json["models"]}
    assert set(LESSON_FAMILIES) <= families and len(families) >= 10
    olmo_later = [i for i in ids if i.startswith("allenai/OLMo-2")]
    assert olmo_later


def test_models_csv_matches_json(built_site, models_json):
    with (built_site / "api" / "models.csv").open() as f:
        header = next(csv.reader(f))
    # Issue 13: 'license' was both the licence id and the licence component's level.
    assert len(header) == len(set(header)), [h for h in header if header.count(h) > 1]
    rows = list(csv.DictReader((built_site / "api" / "models.csv").open()))
    assert [r["id"] for r in rows] == [m["id"] for m in models_json["models"]]
    for row, model in zip(rows, models_json["models"], strict=True):
        assert row["license"] == model["license"]["id"]
        assert all(row[key + "_level"] == model["components"][key]["level"] for key in COMPONENTS)


def test_data_format_page_lists_every_csv_column(built_site):
    with (built_site / "api" / "models.csv").open() as f:
        header = next(csv.reader(f))
    page = html.unescape((built_site / "reference" / "data-format" / "index.html").read_text())
    for column in header:
        assert f"<code>{column}</code>" in page, column


def test_pages_exist(built_site, models_json):
    for page in ("index.html", "lesson/index.html", "lesson/criteria.html", "methodology/index.html",
                 "families/index.html", "reference/criteria/index.html", "reference/data-format/index.html",
                 "schema/model.schema.json"):
        path = built_site / page
        if page.endswith(".html") and not path.exists():
            path = built_site / page.replace(".html", "/index.html")
        assert path.exists(), page
    for family in LESSON_FAMILIES:
        assert (built_site / "families" / family / "index.html").exists()
    for m in models_json["models"]:
        assert (built_site / "models" / m["id"].replace("/", "__") / "index.html").exists()


def openness_table(html: str) -> str:
    start = html.index("<table", html.index('id="openness-table"'))
    return html[start:html.index("</table>", start)]


def test_family_table_leads_to_each_levels_note_and_evidence(built_site):
    html = (built_site / "families" / "olmo" / "index.html").read_text()
    table = openness_table(html)
    assert table.count("<tr>") >= 3
    assert 'class="om-level om-open"' in table and "Open</span>" in table
    assert "OLMo 7B" in table
    # Each cell links to its component on the model page, which holds the note and the evidence; the
    # family page does not repeat them (at a thousand models that copy was a tenth of the site).
    assert 'href="../../models/allenai__OLMo-7B/#component-weights"' in table
    assert "om-notes-table" not in html and 'class="om-note"' not in html
    model = (built_site / "models" / "allenai__OLMo-7B" / "index.html").read_text()
    row = model[model.index('id="component-weights"'):]
    row = row[:row.index("</tr>")]
    assert re.search(r'<a class="om-evidence" href="https://[^"]+"', row)
    assert 'class="om-note"' in row


def test_fine_tunes_sit_under_their_base(built_site):
    html = (built_site / "families" / "falcon" / "index.html").read_text()
    table = openness_table(html)
    base = table.index("../../models/tiiuae__falcon-40b/")
    child = table.index("../../models/OpenAssistant__falcon-40b-sft-top1-560/")
    assert base < child
    assert "↳" in table[base:child + 200]


def test_invalid_catalog_leaves_previous_site(project):
    proj = Project(project)
    build(proj)
    index = (proj.site_dir / "index.html").read_bytes()
    target = proj.data_dir / "models" / "olmo" / "allenai__OLMo-7B.yml"
    target.write_text(target.read_text().replace("level: open", "level: wide-open", 1))
    with pytest.raises(CatalogError):
        build(proj)
    assert (proj.site_dir / "index.html").read_bytes() == index
    assert not list(project.glob(".site.*"))


def test_all_models_page_ranks_by_score(built_site, models_json):
    html = (built_site / "families" / "all-models" / "index.html").read_text()
    ranked = sorted(models_json["models"], key=lambda m: (-(m["score"] or 0), m["name"].lower()))
    positions = [html.index(f'href="../../models/{m["id"].replace("/", "__")}/"') for m in ranked]
    assert positions == sorted(positions)
    assert (built_site / "sv" / "families" / "all-models" / "index.html").exists()


def menu(html_text: str) -> str:
    """The primary menu of a built page (Material's sidebar navigation)."""
    return html_text.split('<nav class="md-nav md-nav--primary"', 1)[1].split('<div class="md-content"', 1)[0]


def test_menu_lists_the_families_only_on_family_pages(built_site):
    """Every family in every page's menu made a big catalog's site mostly menu (issue 16): outside the
    families pages the Families entry is one collapsed link, and inside them it lists every family."""
    families = sorted(p.name for p in (built_site / "families").iterdir() if (p / "index.html").exists())
    assert len(families) >= 12
    for lang in ("", "sv/"):
        home = menu((built_site / lang / "index.html").read_text(encoding="utf-8"))
        assert re.search(r'md-nav__item--pruned[^>]*>\s*<a href="families/"', home), lang
        assert not [f for f in families if f'href="families/{f}/"' in home], lang
        family_page = menu((built_site / lang / "families" / "olmo" / "index.html").read_text(encoding="utf-8"))
        listed = [f for f in families if re.search(rf'href="(\.\./)*{re.escape(f)}/"', family_page)]
        assert listed == [f for f in families if f != "olmo"], lang  # the page itself is linked as ./


def test_the_site_ships_only_the_theme_files_its_pages_load(built_site):
    """Material's source maps and the search languages no index is in stay out of the site (2.2 of
    its 2.5 MB of theme files); what the search worker imports for English and Swedish is there
    (test_browser searches in both)."""
    assert not list(built_site.rglob("*.map"))
    lunr = built_site / "assets" / "javascripts" / "lunr"
    assert sorted(p.relative_to(lunr).as_posix() for p in lunr.rglob("*") if p.is_file()) == [
        "min/lunr.multi.min.js", "min/lunr.stemmer.support.min.js", "min/lunr.sv.min.js"]
    assert list((built_site / "assets" / "javascripts" / "workers").glob("search.*.min.js"))


def test_a_model_pages_search_entries_leave_out_its_verdicts(built_site):
    """The verdicts table is numbers and labels every model page repeats; Explore filters on them."""
    for lang in ("", "sv/"):
        index = json.loads((built_site / lang / "search" / "search_index.json").read_text(encoding="utf-8"))
        page = f"{lang}models/allenai__OLMo-7B/"
        sections = {d["location"].removeprefix(page) for d in index["docs"] if d["location"].startswith(page)}
        assert {"", "#components"} <= sections or {"", "#komponenter"} <= sections, lang
        assert not [s for s in sections if "verdict" in s or "bedomningar" in s], (lang, sections)
