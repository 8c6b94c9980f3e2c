"""What the built pages ask the network for, in a real Chromium, and the published addresses (site_url)."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from browser import chromium, serve_directory
from conftest import copy_project

PUBLISHED = "https://example.org/open-models/"
# One page of every kind, in both languages: what a page fetches by script comes from the theme and
# the page's kind. What every page fetches by markup is checked on all pages, without a browser.
KINDS = ["", "lesson/", "lesson/criteria/", "methodology/", "families/", "families/olmo/",
         "families/all-models/", "models/allenai__OLMo-7B/", "reference/criteria/", "reference/data-format/",
         "404.html", "sv/", "sv/lesson/", "sv/families/falcon/", "sv/models/tiiuae__falcon-40b/",
         "sv/reference/data-format/"]


def pages_of(site: Path) -> list[str]:
    """The address path of every HTML page of a built site, relative to its root."""
    return sorted(p.relative_to(site).as_posix().removesuffix("index.html") for p in site.rglob("*.html"))


def bad_requests(browser, base: str, paths: list[str], tabs: int = 4) -> dict[str, list[str]]:
    """Load every page and wait until its network is idle.

    Returns, per page, each request that answered with an error status, failed, or went anywhere
    but ``base`` (those are stopped before they leave the machine).
    """
    context = browser.new_context()
    context.route("**/*", lambda route: route.continue_() if route.request.url.startswith(base) else route.abort())
    found: dict[str, list[str]] = {}
    for start in range(0, len(paths), tabs):
        batch = []
        for path in paths[start:start + tabs]:
            page = context.new_page()
            note = found.setdefault(path, []).append
            page.on("response", lambda r, note=note: r.status >= 400 and note(f"{r.status} {r.url}"))
            page.on("requestfailed", lambda r, note=note: note(f"failed: {r.url} ({r.failure})"))
            page.goto(base + path, wait_until="commit")
            batch.append(page)
        for page in batch:  # the pages of a batch load side by side
            page.wait_for_load_state("networkidle")
            page.close()
    context.close()
    return {path: problems for path, problems in found.items() if problems}


class _Subresources(HTMLParser):
    """The addresses a page's markup makes the browser load: scripts, images, stylesheets, icons."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag in ("script", "img", "source", "iframe", "audio", "video", "embed") and a.get("src"):
            self.urls.append(a["src"])
        if tag == "link" and a.get("href") and set((a.get("rel") or "").split()) & {
                "stylesheet", "icon", "preload", "modulepreload", "manifest", "prefetch"}:
            self.urls.append(a["href"])


def test_every_page_loads_only_files_of_the_site(built_site: Path):
    missing = {}
    for path in pages_of(built_site):
        parser = _Subresources()
        parser.feed((built_site / (path if path.endswith(".html") else path + "index.html")).read_text("utf-8"))
        for url in parser.urls:
            target = urlsplit(urljoin("http://site/" + path, url))
            file = built_site / target.path.lstrip("/")
            if target.netloc != "site" or not (file / "index.html" if file.is_dir() else file).is_file():
                missing.setdefault(path, []).append(url)
    assert not missing, missing


def test_no_page_requests_anything_missing_or_remote(built_site: Path):
    assert set(KINDS) <= set(pages_of(built_site))
    with serve_directory(built_site) as url, chromium() as browser:
        problems = bad_requests(browser, url + "/", KINDS)
    assert not problems, problems


@pytest.fixture(scope="module")
def published_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The project built for publishing below a path, as the Pages workflow builds it."""
    from generator.site import Project, build

    root = copy_project(tmp_path_factory.mktemp("published") / "project")
    with pytest.MonkeyPatch.context() as env:
        env.setenv("SITE_URL", PUBLISHED)
        build(Project(root))
    return root / "site"


def test_published_sitemap_and_canonical_links_are_absolute(published_site: Path):
    sitemap = (published_site / "sitemap.xml").read_text(encoding="utf-8")
    locs = re.findall(r"<loc>([^<]*)</loc>", sitemap)
    assert f"<loc>{PUBLISHED}families/olmo/</loc>" in sitemap
    assert f'hreflang="sv" href="{PUBLISHED}sv/families/olmo/"' in sitemap
    assert locs and all(loc.startswith(PUBLISHED) for loc in locs), [x for x in locs if not x.startswith(PUBLISHED)]
    page = (published_site / "sv" / "families" / "olmo" / "index.html").read_text(encoding="utf-8")
    assert f'<link rel="canonical" href="{PUBLISHED}sv/families/olmo/">' in page
    # Translations are named in the sitemap; in the head they made Material fetch <page>/sitemap.xml.
    assert not re.search(r'<link rel="alternate"[^>]*hreflang', page)


def test_published_site_works_below_its_path(published_site: Path, tmp_path: Path):
    """Served at /open-models/ as on GitHub Pages: the language menu stays on the site, and on the page."""
    (tmp_path / "open-models").symlink_to(published_site, target_is_directory=True)
    with serve_directory(tmp_path) as url, chromium() as browser:
        base = url + "/open-models/"
        page = browser.new_page()
        for start, other, language in [("", "sv/", "Svenska"), ("sv/", "", "English"),
                                       ("families/olmo/", "sv/families/olmo/", "Svenska")]:
            page.goto(base + start)
            page.hover(".md-select")
            page.locator(".md-select__link", has_text=language).click()
            page.wait_for_url(base + other)
        problems = bad_requests(browser, base, ["", "sv/", "families/olmo/", "sv/models/tiiuae__falcon-40b/"])
    assert not problems, problems
