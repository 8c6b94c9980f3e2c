"""What other trackers say, as a reader sees it in a real headless Chromium."""

from __future__ import annotations

from pathlib import Path

import pytest
from browser import chromium, serve_directory

DOI = "https://doi.org/10.5281/zenodo.15386042"


@pytest.fixture(scope="module")
def page(built_site: Path):
    with serve_directory(built_site) as url, chromium() as browser:
        tab = browser.new_page()
        tab.base = url
        yield tab
        tab.close()


def visit(page, path: str):
    page.goto(page.base + path)
    return page


def test_model_page_flags_a_disagreement_with_icon_and_text(page):
    visit(page, "/models/tiiuae__falcon-40b/")
    section = page.locator("h2", has_text="What other trackers say")
    assert section.is_visible()
    row = page.locator("tr", has=page.locator("td", has_text="Weights")).filter(has_text="Model parameters")
    flag = row.locator(".om-disagree")
    assert flag.is_visible() and "Disagrees with us" in flag.inner_text()
    assert flag.locator(".om-icon").inner_text() == "⚠"
    # Each tracker cell links to the tracker's own record.
    assert row.locator("a[href*='lfai/model_openness_tool']").count() == 1
    assert page.locator(".admonition.warning", has_text="Disagreements").is_visible()
    assert page.get_by_text("Copyright 2024 The Model Openness Tool Authors").first.is_visible()


def test_eosai_levels_come_with_link_and_doi(page):
    visit(page, "/models/meta-llama__Meta-Llama-3-70B-Instruct/")
    assert page.locator("text=rank").first.is_visible()
    assert page.locator(f"a[href='{DOI}']").is_visible()
    assert page.locator("a[href='https://osai-index.eu/']").first.is_visible()


def test_family_page_shows_the_latest_release_only_as_such(page):
    visit(page, "/families/olmo/")
    heading = page.locator("h2", has_text="The trackers on the latest release")
    assert heading.is_visible()
    assert page.get_by_text("a newer release than the models above").is_visible()
    assert page.locator(f"a[href='{DOI}']").is_visible()


def test_trackers_page_lists_coverage_disagreements_and_missing_models(page):
    visit(page, "/trackers/")
    assert page.locator("h1").inner_text().startswith("What other trackers say")
    assert page.locator("h3", has_text="Falcon 40B").is_visible()
    assert page.locator("code", has_text="openmodels new").first.is_visible()
    assert page.get_by_text("Permission is hereby granted").is_visible()
    assert page.locator(f"a[href='{DOI}']").first.is_visible()
    # The menu leads here.
    assert page.locator("nav a[href$='trackers/']").first.count() == 1


def test_trackers_page_and_model_page_say_who_we_think_is_right(page):
    visit(page, "/trackers/")
    assert page.get_by_role("columnheader", name="Who we think is right").first.is_visible()
    # The example: the MOT records Falcon-40B's Apache-2.0 weights as unlicensed.
    reason = page.locator("td", has_text="records them as unlicensed, a data-entry error")
    assert reason.is_visible() and "We think our level is right" in reason.inner_text()
    assert reason.locator("a[href='https://huggingface.co/tiiuae/falcon-40b']").count() == 1
    assert page.get_by_text("not settled yet").first.is_visible()
    visit(page, "/models/tiiuae__falcon-40b/")
    warning = page.locator(".admonition.warning", has_text="Disagreements")
    assert "a data-entry error" in warning.inner_text()


def test_explore_credits_the_trackers_its_filter_reads(page):
    for path, label in (("/explore/", "Disagrees with a tracker"), ("/sv/explore/", "Oenig med en granskare")):
        visit(page, path)
        assert page.get_by_label(label).is_visible()
        assert page.locator(f"a[href='{DOI}']").is_visible()
        assert page.locator("a[href='https://osai-index.eu/']").first.is_visible()
        assert page.get_by_text("Copyright 2024 The Model Openness Tool Authors").first.is_visible()


def test_swedish_trackers_page(page):
    visit(page, "/sv/trackers/")
    assert page.locator("h1").inner_text().startswith("Vad andra granskare säger")
    assert page.locator("html").get_attribute("lang") == "sv"
    visit(page, "/sv/models/tiiuae__falcon-40b/")
    assert page.get_by_text("Oenig med oss").first.is_visible()


def test_models_json_gains_an_optional_trackers_object(built_site: Path):
    import json

    document = json.loads((built_site / "api" / "models.json").read_text(encoding="utf-8"))
    assert document["schema_version"] == 1
    models = {m["id"]: m for m in document["models"]}
    falcon = models["tiiuae/falcon-40b"]["trackers"]
    assert set(falcon) == {"mot"} and set(falcon["mot"]) == {"url", "levels", "disagrees"}
    assert falcon["mot"]["disagrees"] == ["weights", "license"]
    assert falcon["mot"]["levels"]["weights"] == "partial"
    llama = models["meta-llama/Meta-Llama-3-70B-Instruct"]["trackers"]
    assert llama["eosai"]["url"] == "https://osai-index.eu/model/llama-3-instruct"
    assert any("trackers" not in m for m in document["models"])
    # The levels travel with the credit the trackers' licences ask for.
    assert document["trackers"]["eosai"]["credit"] == "doi:10.5281/zenodo.15386042"
    assert document["trackers"]["mot"]["license"] == "MIT"
