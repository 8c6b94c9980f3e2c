"""Hostile entries that pass validation, built into the real site and opened in a real browser; and
builds killed at several moments, which must leave the previous site whole.

The hostile family and models in tests/fixtures/hostile/ put markup, script, Markdown and template
syntax into every text field. The site is built once for this module.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from browser import CHROMIUM, chromium, search, serve_directory
from conftest import ROOT, copy_project, translate_data

from generator.catalog import load_catalog
from generator.files import read_tree
from generator.site import Project, build

HOSTILE = Path(__file__).resolve().parent / "fixtures" / "hostile"

# Text that must appear on the page exactly as typed, by page.
LITERALS = {
    "families/hostile/": [
        '<script>alert("family name")</script>',
        '<img src=x onerror=alert("organisation")>',
        "<iframe src=\"javascript:alert('iframe')\"></iframe> and [a link](javascript:alert('md link'))",
        "{{ 7*7 }} {% raw %} and <!-- an unclosed comment and {: onclick=\"alert('attr_list')\" }",
        '<svg onload=alert("key fact")></svg>',
        '</a><script>alert("link title")</script>',
        '<script>alert("model name")</script>',
        "\" onmouseover=\"alert('name attr')\" x=\" | <b>bold</b>",
    ],
    "models/hostile-org__Script-1B/": [
        '<script>alert("model name")</script>',
        '<img src=x onerror=alert("note")>',
        '<a href="javascript:alert(1)">click me</a>',
        "[click](javascript:alert('md'))",
        "{{ 7*7 }} {% if true %}x{% endif %}",
        "| broken | table | cells |",
        "<style>body { display: none }</style>",
        "&lt;script&gt; stays &amp;lt; as typed",
        "# not a heading *not emphasis* `not code`",
        "{: onclick=\"alert('attr')\" }",
        "</td></tr></table><script>alert('table')</script>",
        "'\"><svg onload=alert('quote')>",
    ],
    "models/hostile-org__Onerror-1B-chat/": [
        "\" onmouseover=\"alert('name attr')\" x=\" | <b>bold</b>",
        "<script>alert('chat note')</script>",
    ],
    "families/": ['<script>alert("family name")</script>', '<img src=x onerror=alert("organisation")>'],
    "sv/families/hostile/": [
        '<script>alert("family name")</script>',
        "<script>alert(\"sv summary\")</script> {{ 7*7 }} [länk](javascript:alert('sv'))",
        '<img src=x onerror=alert("sv key fact")>',
        "![bild](x\" onerror=\"alert('sv image'))",
    ],
    # A note is shown on its model's page (the family page links to it), here in Swedish.
    "sv/models/hostile-org__Script-1B/": ["<img src=x onerror=alert(\"note\")>"],
}

# Anything a payload could have injected; the theme itself uses none of these.
INJECTED = """() => {
  const handlers = [...document.querySelectorAll('*')].filter(el =>
      [...el.attributes].some(a => a.name.startsWith('on')));
  const links = [...document.querySelectorAll('a[href], iframe[src]')].filter(el =>
      /^\\s*(javascript|data|vbscript):/i.test(el.getAttribute('href') || el.getAttribute('src') || ''));
  const scripts = [...document.scripts].filter(s => s.textContent.includes('alert('));
  const tags = document.querySelectorAll('article iframe, article svg[onload], article img[src="x"], article style');
  return handlers.length + links.length + scripts.length + tags.length;
}"""


@pytest.fixture(scope="module")
def hostile_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real project plus the hostile family and models, built once."""
    root = copy_project(tmp_path_factory.mktemp("hostile") / "project")
    shutil.copytree(HOSTILE, root / "data", dirs_exist_ok=True)
    # Translations are data too: hostile Swedish text in the data catalog must stay as inert as the English.
    family = "data/families/hostile.yml:"
    translate_data(root, "sv", {
        (family + "summary", None): "<script>alert(\"sv summary\")</script> {{ 7*7 }} [länk](javascript:alert('sv'))",
        (family + "key_facts", '<svg onload=alert("key fact")></svg>'): '<img src=x onerror=alert("sv key fact")>',
        (family + "key_facts", "![image](x\" onerror=\"alert('image'))"): "![bild](x\" onerror=\"alert('sv image'))",
    })
    build(Project(root))
    return root


def test_hostile_entries_pass_validation(hostile_project):
    catalog = load_catalog(hostile_project / "data")
    assert {"hostile-org/Script-1B", "hostile-org/Onerror-1B-chat"} <= set(catalog.models)
    assert not [p for p in catalog.warnings if "hostile" in p.path]


@pytest.fixture(scope="module")
def served(hostile_project: Path) -> Iterator[str]:
    """The built site on a local HTTP server; yields its base URL, ending in '/'."""
    with serve_directory(hostile_project / "site") as url:
        yield url + "/"


def test_hostile_text_is_inert_in_a_browser(served):
    assert os.access(CHROMIUM, os.X_OK), f"no Chromium at {CHROMIUM}; run `make browser`"
    dialogs: list[str] = []
    with chromium() as browser:
        page = browser.new_page()
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        # Only the local site: nothing a payload names elsewhere may load.
        page.route("**/*", lambda route: route.continue_() if route.request.url.startswith(served)
                   else route.abort())
        for path, literals in LITERALS.items():
            page.goto(served + path, wait_until="load")
            # Text in collapsed <details> counts too: open them as a reader would.
            page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")
            # innerText is the text as rendered: what a reader sees, not what the source says.
            assert page.evaluate("(texts) => texts.filter(t => !document.body.innerText.includes(t))",
                                 literals) == [], path
            assert page.evaluate(INJECTED) == 0, path
        page.goto(served + "families/hostile/")
        assert page.title().startswith('<script>alert("family name")</script>')
        # The search index holds the same text; its results must show it just as literally.
        results = search(page, "onerror")
        assert '<img src=x onerror=alert("organisation")>' in results.first.inner_text()
        assert page.evaluate(INJECTED) == 0
    assert dialogs == []


# Killing a build.

def _wait_for(condition: Callable[[], bool], process: subprocess.Popen, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if process.poll() is not None or time.monotonic() > deadline:
            return
        time.sleep(0.005)


def _curated(data: Path) -> dict[str, tuple[bytes, int]]:
    """Every hand-written file under data/: content and modification time."""
    return {p.relative_to(data).as_posix(): (p.read_bytes(), p.stat().st_mtime_ns) for p in sorted(data.rglob("*"))
            if p.is_file() and p.relative_to(data).parts[0] not in ("schema", "hub")}


def test_killed_build_leaves_a_whole_site(hostile_project, tmp_path):
    root = tmp_path / "project"
    shutil.copytree(hostile_project, root, symlinks=True)
    site = root / "site"
    old = read_tree(site)
    family = root / "data" / "families" / "hostile.yml"
    family.write_text(family.read_text().replace("Summary with", "Changed summary with"))
    curated = _curated(root / "data")

    moments: dict[str, str | None] = {
        "while starting": None,  # killed as soon as it runs
        "while MkDocs writes pages": "families/hostile/index.html",
        "as MkDocs finishes": "sitemap.xml",
    }
    seen = {}
    for moment, condition in moments.items():
        process = subprocess.Popen([sys.executable, "-m", "generator", "build"], cwd=root,
                                   env={**os.environ, "PYTHONPATH": str(ROOT)},
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        staged = root / f".site.new-{process.pid}"
        if condition is not None:
            _wait_for((staged / condition).exists, process)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
        seen[moment] = read_tree(site)
        assert seen[moment] == old or b"Changed summary" in seen[moment]["families/hostile/index.html"], moment

    build(Project(root))
    new = read_tree(site)
    assert new != old
    for moment, tree in seen.items():
        assert tree in (old, new), f"site/ was not whole after a kill {moment}"
    assert seen["while starting"] == old
    assert not list(root.glob(".site.*")), "the next build cleans up after killed ones"
    assert _curated(root / "data") == curated, "no build rewrites a curated file"
