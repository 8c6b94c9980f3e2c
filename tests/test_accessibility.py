"""Accessibility of the built pages, checked by axe-core in a real Chromium (WCAG 2.1 A and AA)."""

from __future__ import annotations

from pathlib import Path

import pytest
from browser import axe_violations, chromium, serve_directory

LESSON = ["/lesson/", "/lesson/criteria/", "/lesson/benefits/", "/lesson/exploring/", "/lesson/choosing/",
          "/lesson/next-steps/"]
PAGES = ["/", *LESSON, *(f"/sv{page}" for page in LESSON), "/methodology/", "/families/", "/families/olmo/",
         "/families/llama-2/", "/models/allenai__OLMo-7B/", "/models/meta-llama__Llama-3.1-8B-Instruct/",
         "/reference/criteria/", "/reference/data-format/", "/trackers/", "/sv/", "/sv/families/falcon/",
         "/sv/trackers/",
         "/sv/models/tiiuae__falcon-40b/",
         # The atlas's pictures and compact tables (issue 8), in both languages.
         "/charts/", "/sv/charts/", "/families/mistral/", "/sv/families/mistral/",
         "/models/HuggingFaceH4__zephyr-7b-beta/", "/sv/models/HuggingFaceH4__zephyr-7b-beta/"]


@pytest.mark.parametrize("scheme", ["default", "slate"])
def test_pages_have_no_wcag_violations(built_site: Path, scheme: str):
    found = {}
    with serve_directory(built_site) as url, chromium() as browser:
        page = browser.new_page()
        for path in PAGES:
            page.goto(url + path)
            violations = axe_violations(page, scheme)
            if violations:
                found[path] = violations
    assert not found, found
