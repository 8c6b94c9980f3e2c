"""Build speed-ups keep the output right: no-op builds, and the benchmark itself (at a small N)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from conftest import ROOT, run_cli

from generator.digest import RECORD, Recorded
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
    assert isinstance(again, Recorded)
    assert (again.models, again.families) == (len(built.models), len(built.families))
    assert again.warnings == built.warnings

    # Any input counts: a hand-written page changes the digest, and so does the language selection.
    page = proj.pages_dir / "index.md"
    page.write_text(page.read_text() + "\nOne more sentence.\n")
    rebuilt = build(proj)
    assert not isinstance(rebuilt, Recorded)
    assert "One more sentence." in (proj.site_dir / "index.html").read_text()
    assert isinstance(build(proj), Recorded)
    assert not isinstance(build(proj, force=True), Recorded)


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
