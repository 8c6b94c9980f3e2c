"""`openmodels serve`: a real MkDocs dev server that re-renders when data or templates change."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

from conftest import ROOT


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fetch(url: str) -> str:
    with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - loopback only
        return response.read().decode("utf-8")


def wait_for(predicate, timeout: float = 600.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if predicate():
                return True
        except OSError:
            pass
        time.sleep(0.5)
    return False


def test_serve_rerenders_on_data_and_template_changes(project: Path):
    port = free_port()
    url = f"http://127.0.0.1:{port}/families/olmo/"
    process = subprocess.Popen(
        [sys.executable, "-m", "generator", "serve", "--dev-addr", f"127.0.0.1:{port}"],
        cwd=project, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)}, start_new_session=True)
    err: list[str] = []
    reader = threading.Thread(target=lambda: err.extend(process.stderr), daemon=True)
    reader.start()
    try:
        # Each build renders the whole catalog; on a loaded 2-core machine that can take minutes.
        assert wait_for(lambda: "OLMo" in fetch(url)), "server did not come up"
        family = project / "data" / "families" / "olmo.yml"
        text = family.read_text()
        renamed = re.sub(r"^name: .*$", "name: OLMo Renamed", text, count=1, flags=re.M)
        assert renamed != text
        family.write_text(renamed)
        assert wait_for(lambda: "OLMo Renamed" in fetch(url)), "data change was not re-rendered"
        template = project / "templates" / "family.md.j2"
        text = template.read_text()
        heading = '# {{ tr(family, "name") }}'
        assert heading in text
        template.write_text(text.replace(heading, heading + " (edited)"))
        assert wait_for(lambda: "(edited)" in fetch(url)), "template change was not re-rendered"
        # A broken edit keeps the last good pages and says what is wrong, in the terminal and, for
        # the reader of the preview, in a banner above every page (issue 13).
        family.write_text("id: [broken\n")
        assert wait_for(lambda: "om-serve-problems" in fetch(url)), "no banner for a broken catalog"
        page = fetch(url)
        assert "OLMo Renamed" in page and "olmo.yml:2:1: (file): YAML syntax" in page
        assert "om-serve-problems" in fetch(f"http://127.0.0.1:{port}/sv/lesson/")
        # What a contributor wrote reaches the banner as text, never as markup.
        family.write_text(renamed + "<script>alert(1)</script>: 1\n")
        assert wait_for(lambda: "&lt;script&gt;alert(1)&lt;/script&gt;" in fetch(url)), "banner not updated"
        assert "<script>alert(1)" not in fetch(url)
        family.write_text(renamed)
        assert wait_for(lambda: "om-serve-problems" not in fetch(url)), "banner stayed after the fix"
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
        reader.join(timeout=30)
    assert any("olmo.yml:2:1: (file): YAML syntax" in line for line in err), "the terminal was not told"


def _locations(index: Path) -> list[str]:
    """The places the search index finds, each once (a full build's index holds no place twice)."""
    places = [doc["location"] for doc in json.loads(index.read_text(encoding="utf-8"))["docs"]]
    assert len(places) == len(set(places)), "a place is in the search index twice"
    return sorted(places)


def test_serve_after_a_model_edit_rebuilds_the_pages_that_show_it_and_no_other(project: Path, tmp_path: Path):
    """The edited model's page in both languages and its family's page show the edit; another model's
    page is left as it was; the search index still holds every page of both languages (issue 16)."""
    port = free_port()
    base = f"http://127.0.0.1:{port}/"
    # MkDocs' dev server builds into a new folder under the temporary directory: this test's own.
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    process = subprocess.Popen(
        [sys.executable, "-m", "generator", "serve", "--dev-addr", f"127.0.0.1:{port}"],
        cwd=project, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        env={**os.environ, "PYTHONPATH": str(ROOT), "TMPDIR": str(tmp)}, start_new_session=True)
    try:
        assert wait_for(lambda: "OLMo" in fetch(base + "families/olmo/")), "server did not come up"
        site, = tmp.glob("mkdocs_*")
        other = site / "models" / "EleutherAI__pythia-1.4b" / "index.html"
        other_sv = site / "sv" / "models" / "EleutherAI__pythia-1.4b" / "index.html"
        untouched = {path: (path.stat().st_mtime_ns, path.read_bytes()) for path in (other, other_sv)}
        en_index, sv_index = site / "search" / "search_index.json", site / "sv" / "search" / "search_index.json"
        assert wait_for(lambda: en_index.is_file() and sv_index.is_file()), "no search index per language"
        locations = _locations(en_index), _locations(sv_index)
        assert "models/allenai__OLMo-7B/" in locations[0] and "models/EleutherAI__pythia-1.4b/" in locations[0]
        assert "sv/models/allenai__OLMo-7B/" in locations[1]

        model = project / "data" / "models" / "olmo" / "allenai__OLMo-7B.yml"
        text = model.read_text(encoding="utf-8")
        marker = "Edited while serving, for the test."
        edited = re.sub(r"^    note: .*$", f"    note: {marker}", text, count=1, flags=re.M)
        assert edited != text
        model.write_text(edited, encoding="utf-8")
        for page in ("models/allenai__OLMo-7B/", "sv/models/allenai__OLMo-7B/"):  # (family pages show no notes)
            assert wait_for(lambda page=page: marker in fetch(base + page)), f"{page} does not show the edit"
        assert {path: (path.stat().st_mtime_ns, path.read_bytes()) for path in untouched} == untouched
        assert (_locations(en_index), _locations(sv_index)) == locations
        docs = json.loads(en_index.read_text(encoding="utf-8"))["docs"]
        assert any(marker in doc["text"] for doc in docs if doc["location"].startswith("models/allenai__OLMo-7B/"))
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)


def test_serve_on_a_taken_address_is_a_message_not_a_traceback(project: Path):
    from conftest import run_cli

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run_cli("serve", "--lang", "sv", "--dev-addr", f"127.0.0.1:{port}", cwd=project)
    assert result.returncode == 1, result.stderr
    assert f"Error: could not serve the site on 127.0.0.1:{port}" in result.stderr
    assert "Traceback" not in result.stderr
