"""Build speed-ups keep the output right: no-op builds, and the benchmark itself (at a small N)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT, run_cli

from generator.digest import RECORD
from generator.site import Project, build


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
    assert abs(figures["ratio_build_to_mkdocs"] - figures["build_cold_s"] / figures["mkdocs_s"]) < 0.05
    assert figures["build_unchanged_files_written"] == 0
    assert figures["build_one_change_files_written"] > 0
    assert figures["html_pages"] > 50 and figures["site_mb"] > 0


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
])
def test_fast_yaml_path_agrees_on_edge_cases(text):
    fast, exact = _both_ways(text)
    assert fast == exact


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
    """The real catalog: a build that skipped work (here: nothing changed) leaves exactly the site a
    full build from scratch makes, file for file and byte for byte, apart from MkDocs' build dates."""
    root = built_site.parent
    assert not build(Project(root)).fresh
    fresh = tmp_path / "fresh-site"
    assert build(Project(root), fresh, force=True).fresh
    first, second = _site_bytes(built_site), _site_bytes(fresh)
    assert sorted(first) == sorted(second)
    different = [rel for rel in first if first[rel] != second[rel]]
    assert not different


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
