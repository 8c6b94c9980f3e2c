"""Benchmark: a full build (render + MkDocs, English and Swedish) of a large synthetic catalog.

Not a test. Run: .venv/bin/python benchmarks/bench_build.py [MODELS]
It copies the project into a temporary folder, adds MODELS synthetic models (default 500, in
families of 10, every component filled, marked synthetic in their notes) and times the stages.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from conftest import copy_project  # noqa: E402

from generator.catalog import load_catalog  # noqa: E402
from generator.site import Project, build, render_docs  # noqa: E402


def add_synthetic(data: Path, count: int) -> None:
    keys = [c["key"] for c in yaml.safe_load((data / "criteria.yml").read_text())["components"]]
    levels = ["open", "partial", "closed", "unknown"]
    for i in range(count):
        family = f"synthetic-{i // 10:03d}"
        if i % 10 == 0:
            (data / "families" / f"{family}.yml").write_text(yaml.safe_dump({
                "id": family, "name": f"Synthetic {i // 10}", "organisation": "Benchmark",
                "summary": "A synthetic family for the build benchmark."}))
            (data / "models" / family).mkdir(parents=True, exist_ok=True)
        model_id = f"bench/model-{i:04d}"
        components = {}
        for j, key in enumerate(keys):
            level = levels[(i + j) % 4]
            components[key] = {"level": level,
                               "evidence": [] if level == "unknown" else ["https://example.org/benchmark"],
                               "note": "Synthetic entry for the benchmark."}
        entry = {"id": model_id, "name": f"Model {i}", "family": family, "kind": "base",
                 "license": "Apache-2.0", "components": components}
        if i % 10:
            entry.update(kind="fine-tune", base_model=f"bench/model-{i - i % 10:04d}")
        (data / "models" / family / "bench__model-{:04d}.yml".format(i)).write_text(yaml.safe_dump(entry))


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 500
    with tempfile.TemporaryDirectory() as tmp:
        root = copy_project(Path(tmp) / "project")
        add_synthetic(root / "data", count)
        project = Project(root)
        start = time.perf_counter()
        catalog = load_catalog(project.data_dir)
        loaded = time.perf_counter() - start
        start = time.perf_counter()
        render_docs(project)
        rendered = time.perf_counter() - start
        shutil.rmtree(project.docs_dir)
        start = time.perf_counter()
        build(project)
        total = time.perf_counter() - start
        start = time.perf_counter()
        render_docs(project)
        unchanged = time.perf_counter() - start
        pages = sum(1 for _ in project.site_dir.rglob("index.html"))
        size = sum(p.stat().st_size for p in project.site_dir.rglob("*") if p.is_file()) / 1e6
    print(f"models: {len(catalog.models)}  families: {len(catalog.families)}  html pages: {pages}  site: {size:.0f} MB")
    print(f"load+validate: {loaded:.2f} s  render (2 languages): {rendered:.2f} s  "
          f"re-render, nothing changed: {unchanged:.2f} s  full build: {total:.1f} s")


if __name__ == "__main__":
    main()
