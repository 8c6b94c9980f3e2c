"""`openmodels serve`: a real MkDocs dev server that re-renders when data or templates change."""

from __future__ import annotations

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
