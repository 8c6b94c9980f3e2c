"""A real headless Chromium (Debian's), driven by Playwright, and a local server for built sites."""

from __future__ import annotations

import functools
import http.server
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

# axe-core as shipped inside the axe-playwright-python wheel (a test dependency): no Node or npm.
from axe_playwright_python.base import AXE_FILE_PATH as AXE

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# As root with no network: no sandbox, and no background calls to Google's services.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args) -> None:  # noqa: A002
        pass


@contextmanager
def serve_directory(root: Path) -> Iterator[str]:
    """Serve ``root`` on 127.0.0.1 at a free port; yields the base URL."""
    handler = functools.partial(_QuietHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def chromium() -> Iterator:
    """A headless Chromium browser."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()


def search(page, query: str, attempts: int = 15):
    """Type ``query`` into Material's search box; returns the locator of the result items.

    The search worker builds its index in the background after the page loads, and a query typed
    before it is ready goes unanswered, so the query is typed again until results appear.
    """
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    results = page.locator(".md-search-result__item")
    page.click("input.md-search__input")
    for _ in range(attempts):
        page.fill("input.md-search__input", "")
        page.type("input.md-search__input", query)
        try:
            results.first.wait_for(timeout=2000)
            break
        except PlaywrightTimeout:
            continue
    return results


def axe_violations(page, scheme: str) -> list[str]:
    """axe-core's WCAG 2.1 A and AA violations on the loaded page, in Material's ``scheme`` (default, slate)."""
    assert AXE.is_file(), f"{AXE} is missing: `make install` installs axe-playwright-python, which ships it"
    # Material keeps the reader's light/dark choice here; check both schemes.
    page.evaluate(f"document.body.setAttribute('data-md-color-scheme', '{scheme}')")
    page.wait_for_timeout(400)  # Material fades colours when the scheme changes
    # On a long page the fade can outlast that: wait until no transition is running.
    page.wait_for_function("document.getAnimations().every(a => a.playState !== 'running')")
    page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
    return page.evaluate("""async () => {
        const result = await axe.run(document, {runOnly: {type: "tag",
            values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}});
        return result.violations.map(v => `${v.id} (${v.impact}): ` +
            v.nodes.slice(0, 3).map(n => n.target.join(" ")).join(" | "));
    }""")
