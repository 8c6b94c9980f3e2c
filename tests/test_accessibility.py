"""Accessibility of the built pages, checked by axe-core in a real Chromium (WCAG 2.1 A and AA)."""

from __future__ import annotations

from pathlib import Path

import pytest

# axe-core as shipped inside the axe-playwright-python wheel (a test dependency): no Node or npm.
from axe_playwright_python.base import AXE_FILE_PATH as AXE
from browser import chromium, serve_directory

LESSON = ["/lesson/", "/lesson/criteria/", "/lesson/benefits/", "/lesson/exploring/", "/lesson/choosing/",
          "/lesson/next-steps/"]
PAGES = ["/", *LESSON, *(f"/sv{page}" for page in LESSON), "/methodology/", "/families/", "/families/olmo/",
         "/families/llama-2/", "/models/allenai__OLMo-7B/", "/models/meta-llama__Llama-3.1-8B-Instruct/",
         "/reference/criteria/", "/reference/data-format/", "/trackers/", "/sv/", "/sv/families/falcon/",
         "/sv/trackers/",
         "/sv/models/tiiuae__falcon-40b/"]


@pytest.fixture(scope="module")
def axe_source() -> str:
    assert AXE.is_file(), f"{AXE} is missing: `make install` installs axe-playwright-python, which ships it"
    return AXE.read_text(encoding="utf-8")


@pytest.mark.parametrize("scheme", ["default", "slate"])
def test_pages_have_no_wcag_violations(built_site: Path, axe_source: str, scheme: str):
    found = {}
    with serve_directory(built_site) as url, chromium() as browser:
        page = browser.new_page()
        for path in PAGES:
            page.goto(url + path)
            # Material keeps the reader's light/dark choice here; check both schemes.
            page.evaluate(f"document.body.setAttribute('data-md-color-scheme', '{scheme}')")
            page.wait_for_timeout(400)  # Material fades colours when the scheme changes
            # On a long page the fade can outlast that: wait until no transition is running.
            page.wait_for_function("document.getAnimations().every(a => a.playState !== 'running')")
            page.add_script_tag(content=axe_source)
            violations = page.evaluate("""async () => {
                const result = await axe.run(document, {runOnly: {type: "tag",
                    values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}});
                return result.violations.map(v => `${v.id} (${v.impact}): ` +
                    v.nodes.slice(0, 3).map(n => n.target.join(" ")).join(" | "));
            }""")
            if violations:
                found[path] = violations
    assert not found, found
