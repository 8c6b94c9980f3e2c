"""What a reader clicks, in a real headless Chromium: search per language and the language switcher."""

from __future__ import annotations

from browser import search


def result_links(page, query: str) -> list[str]:
    search(page, query)
    return page.eval_on_selector_all(".md-search-result__item > a", "els => els.map(e => e.href)")


def test_swedish_search_finds_swedish_pages_only(browser, site_url):
    page = browser.new_page()
    page.goto(f"{site_url}/sv/lesson/")
    links = result_links(page, "träningsdata")
    assert links, "no results"
    assert all(link.startswith(f"{site_url}/sv/") for link in links), links
    # A word that appears on English and Swedish pages alike: only Swedish ones may come back.
    links = result_links(page, "OLMo")
    assert links and all(link.startswith(f"{site_url}/sv/") for link in links), links
    page.close()


def test_english_search_finds_english_pages_only(browser, site_url):
    page = browser.new_page()
    page.goto(f"{site_url}/lesson/")
    links = result_links(page, "OLMo")
    assert links and not any(link.startswith(f"{site_url}/sv/") for link in links), links
    page.close()


def test_language_switcher_stays_on_the_same_page(browser, site_url):
    page = browser.new_page()
    page.goto(f"{site_url}/families/olmo/")
    page.hover(".md-select")  # Material's language menu opens on hover or focus
    page.locator(".md-select__link", has_text="Svenska").click()
    page.wait_for_url(f"{site_url}/sv/families/olmo/")
    assert page.locator("html").get_attribute("lang") == "sv"
    assert page.locator("h2#oppenhetstabell, h2:has-text('Öppenhetstabell')").count() == 1
    page.hover(".md-select")
    page.locator(".md-select__link", has_text="English").click()
    page.wait_for_url(f"{site_url}/families/olmo/")
    page.close()
