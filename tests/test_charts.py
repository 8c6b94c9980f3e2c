"""SVG drawing (generator/charts.py), the atlas's comparisons and badges, and links from raw HTML."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from generator import charts
from generator.atlas import Atlas, badges, parameters_short
from generator.catalog import load_catalog
from generator.i18n import public_site_url, site_url
from generator.openness import assess_catalog
from generator.render import Localizer, badge_file, model_page, page_url

SVG = "{http://www.w3.org/2000/svg}"
HOSTILE = '<script>alert(1)</script> & "quoted" \'x\''


def parse(markup: str) -> ET.Element:
    """The SVG as XML: it must be well formed."""
    return ET.fromstring(str(markup))


def test_svg_is_accessible_and_well_formed():
    svg = charts.Svg(100, 50, "t1", title="A title", desc="A description")
    svg.rect(0, 0, 10, 10, cls="c", title="tip")
    svg.text(5, 5, "label", anchor="middle")
    root = parse(svg.render())
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "t1-title t1-desc"
    assert root.find(f"{SVG}title").get("id") == "t1-title" and root.find(f"{SVG}title").text == "A title"
    assert root.find(f"{SVG}desc").text == "A description"
    assert root.get("viewBox") == "0 0 100 50"
    assert "\n" not in svg.render()  # one line: safe inside Markdown


def test_text_is_escaped_everywhere():
    svg = charts.Svg(100, 50, "t2", title=HOSTILE, desc=HOSTILE)
    svg.text(0, 0, HOSTILE)
    svg.rect(0, 0, 1, 1, title=HOSTILE)
    svg.link("../x/", lambda: svg.text(0, 0, "in a link"))
    svg.arrow(0, 0, 50, 50, label=HOSTILE)
    out = str(svg.render())
    assert "<script" not in out
    root = parse(out)
    assert root.find(f"{SVG}title").text == HOSTILE
    assert [t.text for t in root.iter(f"{SVG}text")].count(HOSTILE) == 2


def test_markup_is_not_escaped_twice():
    from markupsafe import Markup

    assert charts.esc(Markup("fine&#45;tune")) == "fine-tune"
    assert charts.esc("a < b") == "a &lt; b"


def test_numbers_are_short_and_stable():
    assert [charts.num(v) for v in (0, -0.01, 1.25, 3.0, 2.449, 100.06)] == ["0", "0", "1.2", "3", "2.4", "100.1"]


def test_scales():
    lin = charts.LinearScale(0, 1, 10, 110)
    assert lin(0) == 10 and lin(0.5) == 60 and lin(1) == 110
    log = charts.LogScale(1e8, 1e12, 0, 400)
    assert log(1e8) == 0 and log(1e10) == pytest.approx(200) and log(1e12) == pytest.approx(400)
    assert log.decades() == [1e8, 1e9, 1e10, 1e11, 1e12]


def test_patterns_are_not_hidden_by_colour_classes():
    svg = charts.Svg(10, 10, "p", "T", "D")
    cls, fill = charts.level_fill(svg, "partial")
    # CSS would override the fill attribute of an element carrying the colour class.
    assert fill == "url(#p-hatch-om-fill-partial)" and cls == "om-patterned"
    assert charts.level_fill(svg, "open") == ("om-fill-open", "")
    assert 'id="p-hatch-om-fill-partial"' in str(svg.render())


def test_tree_puts_parents_left_of_children_and_labels_edges():
    nodes = [charts.Node("a", "Base", "Score 50%", "a/", None),
             charts.Node("b", "Chat", "Score 40%", "b/", "a", "chat model"),
             charts.Node("c", "Tuned", "Score 60%", "c/", "a", "fine-tune"),
             charts.Node("d", "Other", "Score 10%", "d/", None)]
    root = parse(charts.tree("tr", nodes, "T", "D"))
    # Links inside a role="img" would be hidden from assistive technology: a linked drawing is a group.
    assert root.get("role") == "group" and root.get("aria-labelledby") == "tr-title tr-desc"
    links = root.findall(f"{SVG}a")
    assert [a.get("href") for a in links] == ["a/", "b/", "c/", "d/"]
    x = {a.get("href"): float(a.find(f"{SVG}rect").get("x")) for a in links}
    y = {a.get("href"): float(a.find(f"{SVG}rect").get("y")) for a in links}
    assert x["a/"] < x["b/"] == x["c/"] and x["d/"] == x["a/"]
    assert y["a/"] == pytest.approx((y["b/"] + y["c/"]) / 2)  # a parent sits between its children
    assert y["d/"] > y["c/"]
    labels = [t.text for t in root.iter(f"{SVG}text") if t.get("class") == "om-edge-label"]
    assert labels == ["chat model", "fine-tune"]
    assert len([p for p in root.iter(f"{SVG}path") if p.get("class") == "om-edge"]) == 2


def test_drawings_are_deterministic():
    bars = [charts.Bar("m1", 0.5, "m1/", "F"), charts.Bar("m2", None, "", "F"), charts.Bar("m3", 1.0, "", "G")]
    one = charts.score_bars("s", bars, "T", "D", lambda v: "–" if v is None else f"{v:.0%}")
    assert one == charts.score_bars("s", bars, "T", "D", lambda v: "–" if v is None else f"{v:.0%}")
    root = parse(one)
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert "F" in texts and "G" in texts and "50%" in texts and "–" in texts


def test_stacked_shares_label_wide_segments():
    root = parse(charts.stacked_shares("sh", [("Weights", {"open": 3, "closed": 1})],
                                       [("open", "Open"), ("closed", "Closed")], "T", "D", lambda v: f"{v:.0%}"))
    values = [t.text for t in root.iter(f"{SVG}text") if t.get("class") == "om-value"]
    assert values == ["75%", "25%"]
    titles = [t.text for t in root.iter(f"{SVG}title")]
    assert "Weights, Open: 75%" in titles and "Weights, Closed: 25%" in titles


def test_badge_is_a_standalone_svg_with_a_title():
    root = parse(charts.badge("open models", "62% · OSAID likely", "OLMo on Open Models"))
    assert root.get("role") == "img" and root.get("aria-label") == "OLMo on Open Models"
    assert root.find(f"{SVG}title").text == "OLMo on Open Models"
    assert float(root.get("width")) > 100


def test_parameters_are_written_short():
    assert [parameters_short(n) for n in (160e6, 1.4e9, 7e9, 46.7e9, 176e9, 1e12)] == \
        ["160M", "1.4B", "7B", "47B", "176B", "1T"]


def test_page_urls_for_raw_html_links():
    assert page_url("charts.md", "models/a__b.md") == "../models/a__b/"
    assert page_url("families/olmo.md", "models/a__b.md#component-weights") == "../../models/a__b/#component-weights"
    assert page_url("index.md", "charts.md") == "charts/"
    assert page_url("models/a__b.md", "models/a__b.md") == "./"
    assert page_url("models/a__b.md", "badges/a__b.svg") == "../../badges/a__b.svg"


@pytest.fixture
def atlas(fixture_catalog: Path):
    catalog = load_catalog(fixture_catalog)
    assessments = assess_catalog(catalog)
    return catalog, assessments, Atlas(catalog, assessments, Localizer("en", "en").percent, model_page)


def test_differences_list_only_changed_components(atlas):
    catalog, _, a = atlas
    chat = catalog.models["demo-org/Chat-1B"]
    base = catalog.models[chat.base_model]
    diffs = a.differences(chat)
    assert diffs and all(before != after for _, before, after in diffs)
    assert {c.key for c, _, _ in diffs} == {k for k in catalog.criteria.keys
                                           if chat.components[k].level != base.components[k].level}
    assert a.differences(base) == []


def test_every_model_gets_a_badge(atlas):
    catalog, assessments, _ = atlas
    files = badges(catalog, assessments, badge_file)
    assert set(files) == {f"badges/{m.replace('/', '__')}.svg" for m in catalog.models}
    for model_id, text in files.items():
        assert parse(text).find(f"{SVG}title").text.startswith(catalog.models[model_id[7:-4].replace("__", "/")].name)


def test_site_url_from_mkdocs_yml(tmp_path: Path, monkeypatch):
    config = tmp_path / "mkdocs.yml"
    config.write_text("site_name: x\n")
    assert site_url(config) is None
    config.write_text("site_name: x\nsite_url: https://example.org/atlas/\n")
    assert site_url(config) == "https://example.org/atlas/"
    config.write_text("site_name: x\nsite_url: !ENV [OM_TEST_SITE_URL, 'https://fallback.example/']\n")
    monkeypatch.delenv("OM_TEST_SITE_URL", raising=False)
    assert site_url(config) == "https://fallback.example/"
    monkeypatch.setenv("OM_TEST_SITE_URL", "https://env.example/")
    assert site_url(config) == "https://env.example/"
    # The local preview's address is no address for a model card.
    config.write_text("site_name: x\nsite_url: !ENV [OM_TEST_SITE_URL, 'http://127.0.0.1:8000/']\n")
    monkeypatch.delenv("OM_TEST_SITE_URL")
    assert site_url(config) == "http://127.0.0.1:8000/" and public_site_url(config) is None
    monkeypatch.setenv("OM_TEST_SITE_URL", "https://env.example/")
    assert public_site_url(config) == "https://env.example/"


def test_badge_snippets_use_the_published_address(fixture_catalog: Path):
    from generator.render import render_pages

    catalog = load_catalog(fixture_catalog)
    root = Path(__file__).resolve().parent.parent
    page = render_pages(catalog, assess_catalog(catalog), root / "templates",
                        site_url="https://example.org/om/")["models/demo-org__Chat-1B.md"]
    assert "(https&#58;//example.org/om/badges/demo-org&#95;&#95;Chat-1B.svg)" in page
    assert "(https&#58;//example.org/om/models/demo-org&#95;&#95;Chat-1B/)" in page
    assert "put the address where the atlas is published" not in page


def test_lineage_places_a_year_only_release_before_those_dated_within_its_year(fixture_catalog: Path):
    """No chart has a time axis: dates only order siblings, so a bare year is drawn above the releases
    dated within it and the drawing names no day it does not know."""
    chat = (fixture_catalog / "models" / "demo" / "demo-org__Chat-1B.yml").read_text()
    for stem, date in (("Chat-2B", "2024-01-15"), ("Chat-3B", "2023-12")):
        (fixture_catalog / "models" / "demo" / f"demo-org__{stem}.yml").write_text(
            chat.replace("demo-org/Chat-1B", f"demo-org/{stem}").replace("Demo Chat 1B", f"Demo {stem}")
            .replace("release_date: 2024-02", f"release_date: {date}"))
    year_only = fixture_catalog / "models" / "demo" / "demo-org__Chat-1B.yml"
    year_only.write_text(chat.replace("release_date: 2024-02", "release_date: 2024"))
    catalog = load_catalog(fixture_catalog)
    a = Atlas(catalog, assess_catalog(catalog), Localizer("en", "en").percent, model_page)
    root = parse(a.lineage("demo", lambda p: p, str, "Score", "T", "D"))
    rows = sorted((float(link.find(f"{SVG}rect").get("y")), link.get("href")) for link in root.findall(f"{SVG}a"))
    children = [href for _, href in rows if "Chat" in href]
    assert children == [model_page(m) for m in ("demo-org/Chat-3B", "demo-org/Chat-1B", "demo-org/Chat-2B")]
    assert not any(word in "".join(root.itertext()) for word in ("2024", "January", "15"))
