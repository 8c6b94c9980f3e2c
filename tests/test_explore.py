"""Explore and Compare in a real headless Chromium: URL filters, sorting, the live count, ticking,
the comparison, narrow screens, accessibility, and that nothing is fetched from another host.

Expected rows are computed here, in Python, from the built site's api/models.json and the families
of the catalog, so the page's JavaScript is checked against an independent reading of the rules.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from browser import axe_violations
from conftest import ROOT

from generator.catalog import load_catalog, load_criteria

ROWS = "#om-explore-table tbody tr"
VISIBLE_IDS = f"""() => Array.from(document.querySelectorAll("{ROWS}"))
    .filter(row => getComputedStyle(row).display !== "none").map(row => row.dataset.modelId)"""
COUNT = {"en": "{shown} of {total} models", "sv": "{shown} av {total} modeller"}
PREFIX = {"en": "", "sv": "/sv"}
# Ranks of the verdict columns, as the page sorts them (most open first when descending).
OSAID_RANK = {"likely": 2, "unknown": 1, "unlikely": 0}


@pytest.fixture(scope="module")
def models(built_site: Path) -> list[dict]:
    return json.loads((built_site / "api" / "models.json").read_text(encoding="utf-8"))["models"]


@pytest.fixture(scope="module")
def families():
    return load_catalog(ROOT / "data").families


class Watched:
    """A page that records console errors, uncaught exceptions and requests to any other host."""

    def __init__(self, browser, site_url: str, **options):
        self.page = browser.new_page(**options)
        self.errors: list[str] = []
        self.outside: list[str] = []
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))

        def route(r):
            if r.request.url.startswith(site_url) or r.request.url.startswith("data:"):
                r.continue_()
            else:
                self.outside.append(r.request.url)
                r.abort()

        self.page.route("**/*", route)

    def _console(self, message) -> None:
        if message.type == "error":
            self.errors.append(f"{message.text} ({message.location.get('url')})")

    def check(self) -> None:
        assert not self.outside, f"requests left the machine: {self.outside}"
        assert not self.errors, f"console errors: {self.errors}"
        self.page.close()


@pytest.fixture
def watched(browser, site_url):
    pages: list[Watched] = []

    def open_page(**options) -> Watched:
        pages.append(Watched(browser, site_url, **options))
        return pages[-1]

    yield open_page
    for w in pages:
        w.check()


def expected_ids(models: list[dict], families, query: str) -> list[str]:
    """The models the filters of ``query`` keep, by the rules Explore states."""
    params = {k: v[0] for k, v in parse_qs(query).items()}
    kept = []
    for m in models:
        family = families[m["family"]]
        text = " ".join([m["name"], m["id"], m["family"], family.name, family.organisation]).lower()
        v = m["verdicts"]
        checks = [
            params.get("family", m["family"]) == m["family"],
            params.get("kind", m["kind"]) == m["kind"],
            params.get("license", m["license"]["id"]) == m["license"]["id"],
            params.get("osi") != "1" or m["license"]["osi_approved"],
            params.get("lesson", str(int(v["lesson_criteria"]))) == str(int(v["lesson_criteria"])),
            params.get("osaid", v["osaid"]) == v["osaid"],
            params.get("mof", v["mof_class"] or "none") == (v["mof_class"] or "none"),
            "min_score" not in params or (m["score"] is not None and m["score"] * 100 >= float(params["min_score"])),
            all(term in text for term in params.get("q", "").lower().split()),
            params.get("disagrees") != "1" or bool(disagreeing([m])),
        ]
        if all(checks):
            kept.append(m["id"])
    return kept


def disagreeing(models: list[dict]) -> list[str]:
    """The models on which some tracker disagrees with us, as api/models.json records it."""
    return [m["id"] for m in models if any(t["disagrees"] for t in m.get("trackers", {}).values())]


def rendered_order(page) -> list[str]:
    return page.eval_on_selector_all(ROWS, "rows => rows.map(r => r.dataset.modelId)")


FILTERS = ["family=olmo", "kind=chat", "license=Apache-2.0", "lesson=1", "osaid=likely", "mof=none", "min_score=50",
           "q=meta", "q=llama%20instruct", "disagrees=1", "osi=1&kind=base&min_score=40", "disagrees=1&kind=base",
           "family=llama-2&osaid=likely"]


@pytest.mark.parametrize("lang", ["en", "sv"])
def test_url_filters_show_exactly_the_expected_rows(watched, site_url, models, families, lang):
    w = watched()
    total = len(models)
    for query in FILTERS if lang == "en" else FILTERS[-3:]:
        # explore.js runs at the end of the body, so the rows are filtered once the DOM is ready.
        w.page.goto(f"{site_url}{PREFIX[lang]}/explore/?{query}", wait_until="domcontentloaded")
        expected = expected_ids(models, families, query)
        shown = w.page.evaluate(VISIBLE_IDS)
        assert sorted(shown) == sorted(expected), query
        assert w.page.locator(ROWS).count() == total  # hidden, not removed
        count = COUNT[lang].format(shown=len(expected), total=total)
        assert w.page.locator("#om-explore-count").inner_text() == count, query
    # The filter set is worth having only if it tells rows apart.
    assert all(0 < len(expected_ids(models, families, q)) < total for q in FILTERS[:-1])


def test_controls_show_the_url_state_and_reload_restores_it(watched, site_url, models, families):
    w = watched()
    w.page.goto(f"{site_url}/explore/?kind=base&osi=1")
    assert w.page.locator("select[name=kind]").input_value() == "base"
    assert w.page.locator("input[name=osi]").is_checked()
    # Typing updates rows, count and URL at once.
    w.page.get_by_role("searchbox", name="Search the models").fill("pythia")
    query = "kind=base&osi=1&q=pythia"
    expected = expected_ids(models, families, query)
    assert sorted(w.page.evaluate(VISIBLE_IDS)) == sorted(expected)
    assert w.page.locator("#om-explore-count").inner_text() == f"{len(expected)} of {len(models)} models"
    w.page.get_by_label("Minimum score (0–100)").fill("90")
    w.page.get_by_role("button", name="Score").click()
    assert parse_qs(urlsplit(w.page.url).query) == {"kind": ["base"], "osi": ["1"], "q": ["pythia"],
                                                    "min_score": ["90"], "sort": ["-score"]}
    before = w.page.evaluate(VISIBLE_IDS)
    w.page.reload()
    assert w.page.evaluate(VISIBLE_IDS) == before
    assert w.page.locator("input[name=q]").input_value() == "pythia"
    assert w.page.locator("input[name=min_score]").input_value() == "90"
    assert w.page.locator("th[data-key=score]").get_attribute("aria-sort") == "descending"
    # Values no control offers are dropped instead of hiding everything.
    w.page.goto(f"{site_url}/explore/?osaid=perhaps&family=nope&min_score=900&sort=colour")
    assert len(w.page.evaluate(VISIBLE_IDS)) == len(models)
    assert w.page.url == f"{site_url}/explore/"
    # Clearing the filters shows every model again.
    w.page.goto(f"{site_url}/explore/?family=olmo")
    w.page.get_by_role("button", name="Clear filters").click()
    w.page.wait_for_function("() => !location.search")
    assert len(w.page.evaluate(VISIBLE_IDS)) == len(models)


def test_disagrees_filter_from_the_keyboard_with_count_url_and_reset(watched, site_url, models, families):
    """The rows the filter keeps are exactly the models whose trackers.*.disagrees is non-empty."""
    w = watched()
    w.page.goto(f"{site_url}/explore/?family=granite")
    box = w.page.get_by_role("checkbox", name="Disagrees with a tracker")
    box.focus()
    w.page.keyboard.press("Space")
    assert box.is_checked()
    w.page.wait_for_function("() => new URLSearchParams(location.search).get('disagrees') === '1'")
    granite = expected_ids(models, families, "family=granite&disagrees=1")
    assert sorted(w.page.evaluate(VISIBLE_IDS)) == sorted(granite)
    w.page.get_by_role("combobox", name="Family").select_option("")
    wanted = disagreeing(models)
    assert 0 < len(wanted) < len(models)
    assert sorted(w.page.evaluate(VISIBLE_IDS)) == sorted(wanted)
    count = w.page.locator("#om-explore-count")
    assert count.get_attribute("aria-live") == "polite"
    assert count.inner_text() == f"{len(wanted)} of {len(models)} models"
    assert parse_qs(urlsplit(w.page.url).query) == {"disagrees": ["1"]}
    # The rows carry what the filter reads, rendered at build time.
    marked = w.page.eval_on_selector_all(ROWS, "rows => rows.filter(r => r.dataset.disagrees === '1')"
                                               ".map(r => r.dataset.modelId)")
    assert sorted(marked) == sorted(wanted)
    w.page.reload()
    assert w.page.get_by_role("checkbox", name="Disagrees with a tracker").is_checked()
    assert sorted(w.page.evaluate(VISIBLE_IDS)) == sorted(wanted)
    w.page.get_by_role("button", name="Clear filters").click()
    w.page.wait_for_function("() => !location.search")
    assert not w.page.get_by_role("checkbox", name="Disagrees with a tracker").is_checked()
    assert len(w.page.evaluate(VISIBLE_IDS)) == len(models)
    # In Swedish too.
    w.page.goto(f"{site_url}/sv/explore/?disagrees=1")
    assert w.page.get_by_role("checkbox", name="Oenig med en granskare").is_checked()
    assert sorted(w.page.evaluate(VISIBLE_IDS)) == sorted(wanted)


def stable_sort(ids: list[str], key, descending: bool) -> list[str]:
    """Missing values last in both directions; ties keep the page's own order."""
    present = [i for i in ids if key(i) is not None]
    missing = [i for i in ids if key(i) is None]
    return sorted(present, key=key, reverse=descending) + missing


def test_sorting_by_column_keys(watched, site_url, models):
    w = watched()
    w.page.goto(f"{site_url}/explore/", wait_until="domcontentloaded")
    order = rendered_order(w.page)
    by_id = {m["id"]: m for m in models}
    keys = {
        "score": lambda i: by_id[i]["score"],
        "parameters": lambda i: by_id[i]["parameters"],
        "lesson": lambda i: int(by_id[i]["verdicts"]["lesson_criteria"]),
        "osaid": lambda i: OSAID_RANK[by_id[i]["verdicts"]["osaid"]],
        "mof": lambda i: {"I": 3, "II": 2, "III": 1, None: 0}[by_id[i]["verdicts"]["mof_class"]],
    }
    for sort in ["-score", "score", "parameters", "-parameters", "lesson", "-osaid", "-mof"]:
        w.page.goto(f"{site_url}/explore/?sort={sort}", wait_until="domcontentloaded")
        expected = stable_sort(order, keys[sort.lstrip("-")], sort.startswith("-"))
        assert rendered_order(w.page) == expected, sort
        direction = "descending" if sort.startswith("-") else "ascending"
        assert w.page.locator(f"th[data-key={sort.lstrip('-')}]").get_attribute("aria-sort") == direction


def natural(text: str) -> list:
    """Text as readers order it: case aside, numbers by value (Pythia 12B after Pythia 6.9B)."""
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", text.casefold())]


def test_sorting_by_name_from_the_keyboard(watched, site_url, models):
    w = watched()
    w.page.goto(f"{site_url}/explore/?family=pythia")
    button = w.page.get_by_role("button", name="Model", exact=True)
    button.focus()
    w.page.keyboard.press("Enter")
    assert parse_qs(urlsplit(w.page.url).query)["sort"] == ["name"]
    shown = w.page.evaluate(VISIBLE_IDS)
    names = {m["id"]: m["name"] for m in models}
    pythia = [m for m in models if m["family"] == "pythia"]
    assert len(shown) == len(pythia) and shown == sorted(shown, key=lambda i: natural(names[i]))
    w.page.keyboard.press("Enter")
    assert parse_qs(urlsplit(w.page.url).query)["sort"] == ["-name"]
    assert w.page.evaluate(VISIBLE_IDS) == shown[::-1]


def test_every_model_is_listed_without_javascript(browser, site_url, models):
    page = browser.new_page(java_script_enabled=False)
    page.goto(f"{site_url}/sv/explore/?family=olmo")
    assert sorted(rendered_order(page)) == sorted(m["id"] for m in models)
    assert not page.locator("#om-explore-filters").is_visible()
    assert page.locator("noscript").count() == 1
    page.goto(f"{site_url}/compare/?models=allenai/OLMo-7B,EleutherAI/pythia-6.9b")
    assert "needs JavaScript" in page.locator("article").inner_text()
    page.close()


def differing_rows(models: list[dict], ids: list[str]) -> int:
    chosen = [next(m for m in models if m["id"] == i) for i in ids]
    keys = list(chosen[0]["components"])
    rows = [[m["components"][k]["level"] for m in chosen] for k in keys]
    rows += [[m["license"]["id"] for m in chosen], [m["parameters"] for m in chosen], [m["score"] for m in chosen]]
    rows += [[m["verdicts"][v] for m in chosen] for v in ("lesson_criteria", "osaid", "mof_class")]
    return [len(set(map(str, row))) > 1 for row in rows]


@pytest.mark.parametrize("lang", ["en", "sv"])
def test_ticking_models_opens_compare_with_differing_rows_marked(watched, site_url, models, lang):
    w = watched()
    picks = ["allenai/OLMo-7B", "meta-llama/Llama-2-7b-hf", "EleutherAI/pythia-6.9b"]
    w.page.goto(f"{site_url}{PREFIX[lang]}/explore/")
    link = w.page.locator("#om-compare-link")
    assert link.get_attribute("href") is None
    for model_id in picks:
        w.page.locator(f"tr[data-model-id='{model_id}'] input[type=checkbox]").check()
    assert parse_qs(urlsplit(w.page.url).query)["models"] == [",".join(picks)]
    w.page.reload()  # the ticks live in the URL too
    assert w.page.locator(".om-pick input:checked").count() == 3
    link.click()
    w.page.wait_for_url(f"{site_url}{PREFIX[lang]}/compare/?models={','.join(picks)}")
    table = w.page.locator("#om-compare-table")
    table.wait_for()
    heads = w.page.eval_on_selector_all("#om-compare-table thead th[data-model-id]",
                                        "ths => ths.map(t => t.dataset.modelId)")
    assert heads == picks
    marked = w.page.eval_on_selector_all("#om-compare-table tbody tr",
                                         "rows => rows.map(r => r.classList.contains('om-differs'))")
    expected = differing_rows(models, picks)
    assert marked == expected and len(marked) == 18
    word = {"en": "differs", "sv": "skiljer sig"}[lang]
    texts = w.page.eval_on_selector_all("#om-compare-table tbody th", "ths => ths.map(t => t.innerText)")
    assert [word in t for t in texts] == expected  # in text, not only in colour
    summary = {"en": f"{sum(expected)} of 18 rows differ.", "sv": f"{sum(expected)} av 18 rader skiljer sig."}[lang]
    assert w.page.locator("#om-compare-message").inner_text() == summary
    # Every level cell shows its icon and its word; evidence links point at the cited pages.
    first = next(m for m in models if m["id"] == picks[0])
    cell = w.page.locator("#om-compare-table tbody tr").first.locator("td").first
    evidence = first["components"]["training_data"]["evidence"]
    assert cell.locator("a.om-evidence").evaluate_all("as => as.map(a => a.href)") == evidence
    level = first["components"]["training_data"]["level"]
    icon = next(each.icon for each in load_criteria(ROOT / "data").levels if each.key == level)
    assert icon not in cell.locator(f".om-level.om-{level}").inner_text()  # drawn, not written
    assert cell.locator(".om-level").evaluate("e => getComputedStyle(e, '::before').content") == f'"{icon}" / ""'
    # Only the differing rows, on request.
    w.page.get_by_role("checkbox").check()
    assert w.page.locator("#om-compare-table tbody tr:visible").count() == sum(expected)


def test_compare_explains_what_it_cannot_show(watched, site_url):
    w = watched()
    w.page.goto(f"{site_url}/compare/")
    message = w.page.locator("#om-compare-message")
    assert message.inner_text().startswith("Choose two to four models")
    w.page.goto(f"{site_url}/sv/compare/?models=allenai/OLMo-7B")
    assert message.inner_text().startswith("Välj två till fyra modeller")
    w.page.goto(f"{site_url}/compare/?models=allenai/OLMo-7B,nobody/nothing")
    w.page.wait_for_function("() => document.getElementById('om-compare-message').textContent.includes('nobody')")
    assert "Not in the atlas: nobody/nothing." in message.inner_text()
    assert w.page.locator("#om-compare-table").count() == 0
    five = "allenai/OLMo-7B,EleutherAI/pythia-6.9b,LLM360/Amber,meta-llama/Llama-2-7b-hf,tiiuae/falcon-7b"
    w.page.goto(f"{site_url}/compare/?models={five}")
    w.page.locator("#om-compare-table").wait_for()
    assert "You asked for 5 models" in message.inner_text()
    assert w.page.locator("#om-compare-table thead th[data-model-id]").count() == 4


PAIR = "allenai/OLMo-7B,meta-llama/Llama-2-7b-hf"
PAGES = ["/explore/", "/sv/explore/", f"/compare/?models={PAIR}", f"/sv/compare/?models={PAIR}"]


def test_no_horizontal_overflow_on_a_phone(watched, site_url):
    w = watched(viewport={"width": 390, "height": 844})
    for path in PAGES:
        w.page.goto(site_url + path)
        if "compare" in path:
            w.page.locator("#om-compare-table").wait_for()
        width = w.page.evaluate("() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]")
        assert width[0] <= width[1], (path, width)


@pytest.mark.parametrize("scheme", ["default", "slate"])
def test_explore_and_compare_have_no_wcag_violations(watched, site_url, scheme):
    w = watched()
    found = {}
    # English Explore with ticks and a sort, to check those states too.
    for path in ["/explore/?models=allenai/OLMo-7B,LLM360/Amber&sort=-score", *PAGES[1:]]:
        w.page.goto(site_url + path)
        if "compare/?" in path:
            w.page.locator("#om-compare-table").wait_for()
        violations = axe_violations(w.page, scheme)
        if violations:
            found[path] = violations
    assert not found, found
