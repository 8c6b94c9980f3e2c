"""The atlas's pictures and compact tables, in a real headless Chromium: widths, links, text alternatives.

Every page opened here is watched: a request to any host but the local server, a console error or
an uncaught exception fails the test.
"""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from browser import chromium, serve_directory
from conftest import ROOT

from generator.catalog import load_criteria

LANGS = ["", "/sv"]


@pytest.fixture(scope="module")
def catalog(built_site: Path) -> dict:
    models = json.loads((built_site / "api" / "models.json").read_text())["models"]
    return {m["id"]: m for m in models}


@pytest.fixture(scope="module")
def families(catalog) -> dict[str, list[str]]:
    by_family: dict[str, list[str]] = {}
    for model_id, m in sorted(catalog.items()):
        by_family.setdefault(m["family"], []).append(model_id)
    return by_family


@pytest.fixture(scope="module")
def site(built_site: Path):
    with serve_directory(built_site) as url, chromium() as browser:
        yield url, browser


class Watched:
    """A page that records requests leaving the machine, console errors and uncaught exceptions."""

    def __init__(self, browser, base: str, width: int):
        self.base = base
        self.page = browser.new_page(viewport={"width": width, "height": 900})
        self.problems: list[str] = []
        local = urlsplit(base).netloc
        self.page.on("request", lambda r: urlsplit(r.url).scheme in ("http", "https")
                     and urlsplit(r.url).netloc != local and self.problems.append(f"request to {r.url}"))
        self.page.on("console", lambda m: m.type == "error" and self.problems.append(f"console: {m.text}"))
        self.page.on("pageerror", lambda e: self.problems.append(f"exception: {e}"))
        self.page.on("response", lambda r: r.status >= 400 and self.problems.append(f"{r.status}: {r.url}"))

    def open(self, path: str):
        self.page.goto(self.base + path, wait_until="load")
        return self.page

    def close(self) -> None:
        self.page.close()
        assert not self.problems, self.problems


def model_path(model_id: str) -> str:
    return "/models/" + model_id.replace("/", "__") + "/"


def overflow(page) -> dict:
    return page.evaluate("""() => {
        const box = document.querySelector('.om-matrix-box');
        return {page: document.documentElement.scrollWidth - window.innerWidth,
                box: box ? box.scrollWidth - box.clientWidth : null};
    }""")


def test_widest_family_table_fits_1280_pixels(site, families):
    url, browser = site
    watched = Watched(browser, url, 1280)
    widths = {}
    for family in families:
        for lang in LANGS:
            page = watched.open(f"{lang}/families/{family}/")
            widths[lang + family] = page.evaluate("document.querySelector('.om-matrix').scrollWidth")
            assert overflow(page) == {"page": 0, "box": 0}, f"{lang}/families/{family}/ scrolls sideways"
            # All 12 components are columns, one row per model; every cell links to its component.
            assert page.locator(".om-matrix thead th").count() == 13
            assert page.locator(".om-matrix tbody tr").count() == len(families[family])
            hrefs = page.eval_on_selector_all(".om-matrix td a", "els => els.map(e => e.getAttribute('href'))")
            assert len(hrefs) == 12 * len(families[family])
            assert all("#component-" in h for h in hrefs)
    # The family whose table is widest (longest names) was among those checked.
    assert max(widths.values()) > 0
    watched.close()


def test_matrix_cell_leads_to_the_component_on_the_model_page(site, catalog):
    url, browser = site
    watched = Watched(browser, url, 1280)
    page = watched.open("/families/mistral/")
    cell = page.locator(".om-matrix tbody tr", has_text="Zephyr").locator("td a").nth(2)
    cell.click()
    page.wait_for_url("**/models/HuggingFaceH4__zephyr-7b-beta/#component-weights")
    level = catalog["HuggingFaceH4/zephyr-7b-beta"]["components"]["weights"]["level"]
    row = page.locator("tr", has=page.locator("#component-weights"))
    assert row.locator(f".om-level.om-{level}").count() == 1
    # The stylesheet written from criteria.yml draws the level's icon, on this page and in the matrix.
    icon = next(each.icon for each in load_criteria(ROOT / "data").levels if each.key == level)
    drawn = "e => getComputedStyle(e, '::before').content"
    assert row.locator(".om-level").first.evaluate(drawn) == f'"{icon}" / ""'
    # The row the reader lands on holds the level's note and evidence, in view.
    evidence = catalog["HuggingFaceH4/zephyr-7b-beta"]["components"]["weights"]["evidence"]
    assert evidence and row.locator("a.om-evidence").count() == len(evidence)
    assert row.locator(".om-note").is_visible() and row.locator("a.om-evidence").first.is_visible()
    page.go_back()
    assert cell.locator(".om-level").evaluate(drawn).startswith(f'"{icon}"')
    watched.close()


@pytest.mark.parametrize("lang", LANGS)
def test_no_page_overflows_on_a_phone(site, families, catalog, lang):
    url, browser = site
    watched = Watched(browser, url, 390)
    derived = [m for m in catalog if catalog[m]["base_model"]]
    paths = [f"{lang}/charts/", *(f"{lang}/families/{f}/" for f in families),
             *(lang + model_path(m) for m in derived[:6])]
    for path in paths:
        page = watched.open(path)
        assert overflow(page)["page"] <= 0, f"{path} overflows at 390 px"
    # The matrix scrolls inside its own box instead.
    page = watched.open(f"{lang}/families/mistral/")
    assert overflow(page)["box"] > 0
    watched.close()


def svg_facts(page, selector: str) -> dict:
    return page.eval_on_selector(selector, """svg => ({
        role: svg.getAttribute('role'),
        title: svg.querySelector(':scope > title')?.textContent || '',
        desc: svg.querySelector(':scope > desc')?.textContent || '',
        labelledby: (svg.getAttribute('aria-labelledby') || '').split(' ').every(id => document.getElementById(id)),
        links: [...svg.querySelectorAll('a')].map(a => new URL(a.getAttribute('href'), location.href).href),
        width: svg.getBoundingClientRect().width,
    })""")


@pytest.mark.parametrize("lang", LANGS)
def test_lineage_links_every_model_and_has_a_text_alternative(site, families, catalog, lang):
    url, browser = site
    watched = Watched(browser, url, 1280)
    for family, members in families.items():
        page = watched.open(f"{lang}/families/{family}/")
        has_derived = any(catalog[m]["base_model"] for m in members)
        assert page.locator(".om-lineage svg").count() == (1 if has_derived else 0), family
        if not has_derived:
            continue
        facts = svg_facts(page, ".om-lineage svg")
        assert facts["role"] == "group" and facts["title"] and facts["desc"] and facts["labelledby"]
        expected = {url + lang + model_path(m) for m in members}
        assert set(facts["links"]) == expected and facts["width"] > 0
        # One edge per base_model link, labelled; the list beside it names the same models.
        edges = sum(1 for m in members if catalog[m]["base_model"] in members)
        assert page.locator(".om-lineage svg .om-edge").count() == edges
        assert page.locator(".om-lineage svg .om-edge-label").count() == edges
        listed = page.eval_on_selector_all(".om-lineage-list a", "els => els.map(e => e.href)")
        assert sorted(listed) == sorted(expected)
    page = watched.open(f"{lang}/families/mistral/")
    page.locator(".om-lineage svg a", has_text="Zephyr 7B beta").click()
    page.wait_for_url(f"{url}{lang}/models/HuggingFaceH4__zephyr-7b-beta/")
    watched.close()


@pytest.mark.parametrize("lang", LANGS)
def test_charts_render_with_links_and_tables(site, catalog, lang):
    url, browser = site
    watched = Watched(browser, url, 1280)
    page = watched.open(f"{lang}/charts/")
    figures = page.locator("figure.om-figure svg")
    assert figures.count() == 3
    for i in range(3):
        facts = page.evaluate("""i => {
            const svg = document.querySelectorAll('figure.om-figure svg')[i];
            const next = svg.closest('figure').nextElementSibling;
            return {role: svg.getAttribute('role'), title: svg.querySelector(':scope > title').textContent,
                    desc: svg.querySelector(':scope > desc').textContent,
                    table: next.tagName === 'TABLE' || !!next.querySelector('table'),
                    height: svg.getBoundingClientRect().height}; }""", i)
        # Linked charts are labelled groups (an image would hide its links); the rest images.
        assert facts["role"] in ("img", "group") and facts["title"] and facts["desc"] and facts["height"] > 50, facts
        assert facts["table"], f"chart {i} has no table beside it"
    scores = svg_facts(page, "#om-chart-scores-title >> xpath=..")
    assert {u.removeprefix(url + lang) for u in scores["links"]} == {model_path(m) for m in catalog}
    sized = [m for m in catalog.values() if m["parameters"] and m["score"] is not None]
    size = svg_facts(page, "#om-chart-size-title >> xpath=..")
    assert len(size["links"]) == len(sized) > 0
    # The shares chart: one bar per component; the tables hold every model's score.
    assert page.locator("#om-chart-shares-title >> xpath=.. >> text.om-value").count() >= 12
    tables = page.locator("article table")
    assert tables.count() == 3
    assert tables.nth(0).locator("tbody tr").count() == len(catalog)
    watched.close()


@pytest.mark.parametrize("lang", LANGS)
def test_derived_model_is_compared_with_its_base(site, catalog, lang):
    url, browser = site
    watched = Watched(browser, url, 1280)
    for model_id, model in sorted(catalog.items()):
        if not model["base_model"]:
            continue
        base = catalog[model["base_model"]]
        differing = [k for k in model["components"]
                     if model["components"][k]["level"] != base["components"][k]["level"]]
        page = watched.open(lang + model_path(model_id))
        # The section's table: what follows the heading, up to the next heading.
        rows = page.evaluate("""() => {
            const h2 = document.querySelector('h2#compared-with-its-base, h2#jamfort-med-basmodellen');
            if (!h2) return null;
            const rows = [];
            for (let el = h2.nextElementSibling; el && el.tagName !== 'H2'; el = el.nextElementSibling)
                for (const tr of el.querySelectorAll('tbody tr'))
                    rows.push([...tr.querySelectorAll('td')].map(td => td.querySelector('.om-level')?.className || ''));
            return rows;
        }""")
        assert rows is not None, f"{model_id}: no 'Compared with its base'"
        assert len(rows) == len(differing), model_id
        for (_, before, after), key in zip(rows, differing, strict=True):
            assert f"om-{base['components'][key]['level']}" in before.split()
            assert f"om-{model['components'][key]['level']}" in after.split()
    watched.close()


def test_badge_loads_and_its_snippet_links_back(site, catalog, built_site):
    url, browser = site
    watched = Watched(browser, url, 1280)
    for lang in LANGS:
        page = watched.open(lang + "/models/allenai__OLMo-7B/")
        img = page.locator("img.om-badge")
        img.wait_for()
        assert page.evaluate("document.querySelector('img.om-badge').naturalWidth") > 0
        assert "OLMo 7B" in img.get_attribute("alt")
        snippets = page.locator("pre.om-snippet code").all_inner_texts()
        assert len(snippets) == 2
        assert snippets[0].startswith("[![") and "badges/allenai__OLMo-7B.svg" in snippets[0]
        assert "models/allenai__OLMo-7B/" in snippets[0] and '<a href="' in snippets[1]
    for model_id in catalog:
        assert (built_site / "badges" / (model_id.replace("/", "__") + ".svg")).is_file()
    watched.close()
