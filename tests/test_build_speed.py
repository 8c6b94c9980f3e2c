"""Build speed-ups keep the output right: no-op builds, and the benchmark itself (at a small N)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT, run_cli

from generator.digest import RECORD
from generator.errors import BuildError, CatalogError
from generator.site import Project, _render_summary, build


def _state(folder: Path) -> dict[str, tuple[int, int]]:
    return {p.relative_to(folder).as_posix(): (p.stat().st_ino, p.stat().st_mtime_ns)
            for p in folder.rglob("*") if p.is_file()}


def test_build_with_nothing_changed_writes_nothing(project):
    proj = Project(project)
    built = build(proj)
    before = _state(proj.site_dir)
    assert RECORD in before

    result = run_cli("build", cwd=project)
    assert result.returncode == 0, result.stderr
    assert "is up to date (" in result.stdout
    assert _state(proj.site_dir) == before
    again = build(proj)
    assert built.fresh and not again.fresh
    assert (again.models, again.families) == (built.models, built.families)
    assert again.warnings == built.warnings

    # Any input counts: a hand-written page changes the digest, and so does the language selection.
    page = proj.pages_dir / "index.md"
    page.write_text(page.read_text() + "\nOne more sentence.\n")
    rebuilt = build(proj)
    assert rebuilt.fresh
    assert "One more sentence." in (proj.site_dir / "index.html").read_text()
    assert not build(proj).fresh
    assert build(proj, force=True).fresh


def test_benchmark_runs_at_small_n(tmp_path):
    """The benchmark of issue 16 at a tiny size: every figure is there and plausible (no timing asserted)."""
    result = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "bench_build.py"), "--models", "10",
                             "--langs", "en", "--json"], capture_output=True, text=True, timeout=600, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    figures = json.loads(result.stdout)
    assert figures["models"] == 10 and figures["langs"] == ["en"]
    for key in ("validate_s", "render_s", "build_cold_s", "mkdocs_s", "build_unchanged_s", "build_one_change_s"):
        assert figures[key] > 0, key
    assert figures["build_cold_peak_mb"] > 20 and figures["mkdocs_peak_mb"] > 20
    assert 20 < figures["build_cold_peak_pss_mb"] <= figures["build_cold_peak_mb"] * 1.05
    assert 20 < figures["mkdocs_peak_pss_mb"] <= figures["mkdocs_peak_mb"] * 1.05
    assert abs(figures["ratio_build_to_mkdocs"] - figures["build_cold_s"] / figures["mkdocs_s"]) < 0.05
    assert figures["build_unchanged_files_written"] == 0
    assert figures["build_one_change_files_written"] > 0
    assert figures["html_pages"] > 50 and figures["site_mb"] > 0
    assert figures["serve_first_build_s"] > 0
    assert 0 < figures["serve_one_change_en_s"] == figures["serve_one_change_s"]


def _every_yaml_file() -> list[Path]:
    folders = [ROOT / "data", ROOT / "tests" / "bad_entries", ROOT / "tests" / "fixtures"]
    return sorted(p for folder in folders for p in folder.rglob("*") if p.suffix in (".yml", ".yaml"))


def _both_ways(text: str) -> tuple[object, object]:
    """The outcome of parsing ``text`` with libyaml on the fast path, and with the exact parser only."""
    from unittest import mock

    from generator import source

    def outcome() -> object:
        try:
            doc = source.parse_yaml(text, "x.yml")
            return doc.data, doc.positions
        except source.YamlProblem as exc:
            return exc.problem

    fast = outcome()
    with mock.patch.object(source, "_FastLoader", None):
        exact = outcome()
    return fast, exact


@pytest.mark.slow  # every YAML file of the project through the pure-Python parser as well
def test_fast_yaml_path_gives_the_exact_parsers_data_and_positions():
    """Every catalog file, bad entry and fixture: libyaml's fast path agrees with the exact parser on
    the data, the position of every key, and every problem reported."""
    from generator import source

    files = _every_yaml_file()
    assert len(files) > 120
    fast_used = 0
    for path in files:
        text = path.read_bytes().decode("utf-8", errors="replace").removeprefix("\ufeff")
        fast, exact = _both_ways(text)
        assert fast == exact, path
        fast_used += source._fast_compose(text) is not source._UNSURE
    assert fast_used > 60


@pytest.mark.parametrize("text", [
    "a: 1\r\nb: [x, y]\r\n",
    "name: Åsa – ünïcode 😀\nnote: 'it''s'\nx: {k: v}\n",
    "a:\n  - b: 1\n    c: \"x\\ty\"\n  - 2\n",
    "a: &x 1\nb: *x\n",
    "a: 1\na: 2\n",
    "a: [1, 2\n",
    "--- \na: 1\n---\nb: 2\n",
    "a: !!python/object:os.system x\n",
    "<<: {a: 1}\n",
    "a: b: c\n",
    "\x85a: 1\n",
    "a: 2024-02-01\nb: 0x1F\nc: .inf\nd: ~\ne: yes\n",
    # A second in the pure-Python parser; test_source checks the refusal of deep nesting quickly.
    pytest.param("[" * 1500 + "]" * 1500, marks=pytest.mark.slow),
    "- " * 1500 + "x",
    "",
    "# only a comment\n",
    # What the plain path hands to the builder: keys that are not text or a whole number, a number
    # too long for int(), nesting past the limit, a tag on a collection, a repeated key deep down.
    "yes: 1\n~: 2\n1.5: x\n[a]: b\n",
    "a: " + "9" * 5000 + "\n",
    "a: " + "[" * 25 + "]" * 25 + "\n",
    "a: !!set {x: null}\n",
    "a:\n  b:\n    - {c: 1, c: 2}\n",
])
def test_fast_yaml_path_agrees_on_edge_cases(text):
    fast, exact = _both_ways(text)
    assert fast == exact


def test_plain_files_work_out_their_positions_only_when_asked():
    """A catalog file's values are built without positions; the first question about a position works
    them all out from the file's text, which is then let go."""
    from generator import source

    text = (ROOT / "data" / "models" / "amber" / "LLM360__AmberChat.yml").read_text(encoding="utf-8")
    doc = source.parse_yaml(text, "x.yml")
    assert doc._positions is None and doc._text == text
    assert doc.where(("components", "weights", "level"))[0] > 1
    assert doc._text is None and len(doc.positions) > 30


def _site_bytes(site: Path) -> dict[str, bytes]:
    """Every file of a built site, less what MkDocs itself varies from build to build: the build date in
    sitemap.xml and the time in sitemap.xml.gz's gzip header (both fixed by SOURCE_DATE_EPOCH)."""
    import gzip
    import re

    files = {}
    for path in sorted(site.rglob("*")):
        if not path.is_file():
            continue
        data = path.read_bytes()
        if path.name == "sitemap.xml.gz":
            data = gzip.decompress(data)
        if path.name.startswith("sitemap.xml"):
            data = re.sub(rb"<lastmod>[^<]*</lastmod>", b"<lastmod/>", data)
        files[path.relative_to(site).as_posix()] = data
    return files


def test_build_output_equals_a_full_sequential_build(built_site, tmp_path):
    """The real catalog: the build as it runs (a no-op when nothing changed; each language in a
    process of its own) leaves exactly the site that a full build from scratch makes with the i18n
    plugin building the languages one after another, file for file and byte for byte, apart from
    MkDocs' build dates. Its search index, sitemap and 404 page join what both processes wrote."""
    root = built_site.parent
    assert not build(Project(root)).fresh
    fresh = tmp_path / "fresh-site"
    assert build(Project(root), fresh, force=True, languages_apart=False).fresh
    first, second = _site_bytes(built_site), _site_bytes(fresh)
    assert sorted(first) == sorted(second)
    different = [rel for rel in first if first[rel] != second[rel]]
    assert not different
    assert {"search/search_index.json", "sv/search/search_index.json", "sitemap.xml", "404.html"} <= set(first)


def _counting_forks(monkeypatch) -> list[int]:
    """Count the forks of this process (each is still a real fork)."""
    import os

    forks: list[int] = []
    real = os.fork

    def fork() -> int:
        pid = real()
        if pid:
            forks.append(pid)
        return pid

    monkeypatch.setattr(os, "fork", fork)
    return forks


def test_each_language_is_built_by_a_process_of_its_own(project, monkeypatch):
    """Swedish is rendered, then built by MkDocs, in a forked child each time while this process does
    English; the children are gone afterwards, and so is the MkDocs child's folder."""
    import os

    from generator import language_builds

    forks = _counting_forks(monkeypatch)
    monkeypatch.setattr("generator.site._render_apart", _render_summary)  # no fork for the render
    proj = Project(project)
    build(proj)
    assert len(forks) == 2
    for pid in forks:
        with pytest.raises(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)
    assert (proj.site_dir / "sv" / "index.html").is_file() and (proj.site_dir / "index.html").is_file()
    assert not list(project.glob(f"*{language_builds.WORKDIR_SUFFIX}")) and not list(project.glob(".site*"))


def test_a_failure_in_the_other_languages_build_fails_the_build_and_keeps_the_site(project, monkeypatch):
    """A broken link on a Swedish page only: the child's strict MkDocs build fails, the build says
    which page, and the previous site stays as it was."""
    proj = Project(project)
    build(proj)
    before = _site_bytes(proj.site_dir)
    forks = _counting_forks(monkeypatch)
    monkeypatch.setattr("generator.site._render_apart", _render_summary)
    page = proj.pages_dir / "methodology.sv.md"
    page.write_text(page.read_text(encoding="utf-8") + "\n[trasig](no-such-page.md)\n", encoding="utf-8")
    with pytest.raises(BuildError) as caught:
        build(proj)
    assert len(forks) == 2  # the Swedish render, which succeeds, and the Swedish MkDocs build
    assert "no-such-page.md" in str(caught.value) and "methodology" in str(caught.value)
    assert _site_bytes(proj.site_dir) == before
    assert not [p for p in project.iterdir() if p.name.startswith(".site")]


@pytest.mark.parametrize("url", ["methodology/", "sv/methodology/"])
def test_a_theme_template_that_fails_on_one_page_is_a_build_error(project, url):
    """A template error on one page of the theme, English (built here) or Swedish (built in the child):
    the same message naming the page, never a traceback, and no folder left behind."""
    theme = project / "templates" / "theme" / "main.html"
    broken = '{% if page.url == "' + url + '" %}{{ nothing.at.all }}{% endif %}'
    theme.write_text(theme.read_text().replace("{% block content %}\n", "{% block content %}" + broken + "\n", 1))
    with pytest.raises(BuildError) as caught:
        build(Project(project))
    assert "'nothing' is undefined" in str(caught.value)
    assert "Error building page 'methodology" in str(caught.value)
    assert not [p for p in project.iterdir() if p.name.startswith(".site")]


def _dies() -> None:
    import os

    os._exit(3)


def _fails() -> None:
    raise CatalogError(problems=[])


def test_work_done_apart_comes_back_in_order_with_its_errors():
    """each_apart: the first call here, the others in forked children; results, exceptions and a
    child that dies all come back to the caller."""
    import os

    from generator.forks import each_apart, possible

    # Here, unlike in a build, not forking would be a failure: _dies would end the test process.
    assert possible(), "this test needs a process that can fork (no other thread)"
    here = os.getpid()
    first, second, big = each_apart([os.getpid, os.getpid, lambda: "x" * 200_000])
    assert first == here and second != here and big == "x" * 200_000  # more than a pipe holds
    with pytest.raises(CatalogError):
        each_apart([os.getpid, _fails])
    with pytest.raises(BuildError, match="died before it finished"):
        each_apart([os.getpid, _dies])
    with pytest.raises(CatalogError):
        each_apart([_fails, os.getpid])  # the children of a failed first call are stopped and reaped
    with pytest.raises(ChildProcessError):
        os.waitpid(-1, os.WNOHANG)


def _selection_error() -> None:
    from generator.errors import SelectionError

    raise SelectionError("no such model: x/y", "MODEL")  # pickles, but does not unpickle (option)


def _child_pipes(pid: int) -> set[str]:
    import os

    links = (os.readlink(f"/proc/{pid}/fd/{fd}") for fd in os.listdir(f"/proc/{pid}/fd"))
    return {link for link in links if link.startswith("pipe:")}


def _kill_the_child_mid_answer() -> str:
    """each_apart's first call: wait until its child has filled the pipe with the first part of its
    answer (it cannot write the rest before this process reads), then kill the child."""
    import fcntl
    import os
    import signal
    import struct
    import termios
    import time

    me = os.getpid()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        for child in map(int, Path(f"/proc/{me}/task/{me}/children").read_text().split()):
            theirs = _child_pipes(child)
            for fd in map(int, os.listdir("/proc/self/fd")):
                try:
                    shared = os.readlink(f"/proc/self/fd/{fd}") in theirs
                    waiting = shared and struct.unpack("i", fcntl.ioctl(fd, termios.FIONREAD, b"\0" * 4))[0]
                except OSError:
                    continue
                if waiting >= 4096:
                    os.kill(child, signal.SIGKILL)
                    return "killed"
        time.sleep(0.01)
    raise AssertionError("the child never started its answer")


def test_an_answer_that_cannot_come_back_whole_is_a_build_error_not_a_traceback():
    """each_apart: an exception that pickles but does not unpickle comes back as a BuildError with its
    message; a child killed halfway through sending its answer is a child that died."""
    import os

    from generator.forks import each_apart

    with pytest.raises(BuildError, match="SelectionError: no such model: x/y"):
        each_apart([os.getpid, _selection_error])
    with pytest.raises(BuildError, match="died before it finished"):
        each_apart([_kill_the_child_mid_answer, lambda: "x" * 5_000_000])  # more than any pipe holds
    with pytest.raises(ChildProcessError):
        os.waitpid(-1, os.WNOHANG)


def test_a_build_started_with_sigchld_ignored_still_builds(project):
    """A process started with SIGCHLD ignored (inherited from whatever started it) has its children
    reaped by the system, so waiting for one fails: the answers, which come by pipe and file, still
    count, and nothing is closed twice (which once ended the build with 'Bad file descriptor')."""
    import signal

    from generator.forks import each_apart

    previous = signal.signal(signal.SIGCHLD, signal.SIG_IGN)
    try:
        assert each_apart([lambda: "here", lambda: "there"]) == ["here", "there"]
        built = build(Project(project))
    finally:
        signal.signal(signal.SIGCHLD, previous)
    assert built.fresh
    assert (project / "site" / "sv" / "index.html").is_file()
    assert "sv/" in (project / "site" / "sitemap.xml").read_text()


_KILLED_WHILE_APART = """
import os, sys, threading
from pathlib import Path
from generator.forks import each_apart

def die_with_child_running():
    me = os.getpid()
    while not Path(f"/proc/{me}/task/{me}/children").read_text().split():
        pass
    print(Path(f"/proc/{me}/task/{me}/children").read_text().split()[0], flush=True)
    os.kill(me, 9)

each_apart([die_with_child_running, threading.Event().wait])
"""


def test_a_child_working_apart_ends_with_the_process_that_forked_it():
    """A render child whose parent is killed (out of memory) would go on writing pages into the docs
    folder, over the next build's: it is killed with its parent."""
    import os
    import time

    process = subprocess.Popen([sys.executable, "-c", _KILLED_WHILE_APART], stdout=subprocess.PIPE, text=True,
                               cwd=ROOT)
    pid = int(process.stdout.readline())
    try:
        assert process.wait(timeout=60) == -9
        child = Path(f"/proc/{pid}/stat")
        deadline = time.monotonic() + 30
        while child.exists() and child.read_text().split()[2] != "Z" and time.monotonic() < deadline:
            time.sleep(0.01)
        assert not child.exists() or child.read_text().split()[2] == "Z"  # gone, or dead and not yet reaped
    finally:
        process.stdout.close()
        try:
            os.kill(pid, 9)
        except ProcessLookupError:
            pass


def test_the_rendering_worker_ends_with_the_build(project):
    """The build killed while its worker renders: the worker, and the child it renders Swedish in,
    end too, instead of writing pages into the docs folder after it."""
    import os
    import time

    code = ("import sys; from pathlib import Path; from generator.site import Project, build; "
            "build(Project(Path(sys.argv[1])))")
    process = subprocess.Popen([sys.executable, "-c", code, str(project)], cwd=ROOT)
    children = Path(f"/proc/{process.pid}/task/{process.pid}/children")
    deadline = time.monotonic() + 60
    workers: list[str] = []
    while not workers and process.poll() is None and time.monotonic() < deadline:
        workers = children.read_text().split()
    (worker,) = workers
    process.kill()
    process.wait()
    stat = Path(f"/proc/{worker}/stat")
    try:
        while stat.exists() and stat.read_text().split()[2] != "Z" and time.monotonic() < deadline:
            time.sleep(0.01)
        assert not stat.exists() or stat.read_text().split()[2] == "Z"  # gone, or dead and not yet reaped
    finally:
        try:
            os.kill(int(worker), 9)
        except ProcessLookupError:
            pass


def test_rendering_runs_apart_from_mkdocs(project):
    """The build renders in a child process, so MkDocs' memory does not come on top of the render's:
    the building process itself never loads the templates or the catalog."""
    code = ("import sys; from pathlib import Path; from generator.site import Project, build; "
            "built = build(Project(Path(sys.argv[1]))); "
            "print(built.fresh, built.models, 'generator.render' in sys.modules, 'generator.catalog' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", code, str(project)], capture_output=True, text=True,
                            timeout=600, check=False, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    fresh, models, render_loaded, catalog_loaded = result.stdout.split()
    assert (fresh, render_loaded, catalog_loaded) == ("True", "False", "False")
    assert int(models) == len(list((project / "data" / "models").rglob("*.yml")))
