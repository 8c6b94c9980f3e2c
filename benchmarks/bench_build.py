"""Benchmark: `openmodels build` beside a plain `mkdocs build` of the same Markdown, in one run.

Not a timed test (`make test` runs it at a small N only to see that it works). Run:

    .venv/bin/python benchmarks/bench_build.py --models 1000 [--langs en,sv] [--json]

It copies the project into a temporary folder, adds N synthetic models (families of 10, every
component filled, each family a base with a chain of fine-tunes, marked synthetic in their notes)
and measures, each command in its own process as a user would run it:

- ``openmodels validate``;
- rendering the Markdown (load, validate, score, render every language);
- a cold ``openmodels build`` (no site, no rendered Markdown): seconds and peak memory;
- a plain ``mkdocs build`` of the Markdown that build rendered, with the same mkdocs.yml: seconds
  and peak memory, and the ratio of the two;
- ``openmodels build`` again with nothing changed, and after changing one model file: seconds and
  the number of files written under ``site/``;
- the built site's size and number of HTML pages;
- ``openmodels serve`` on a free port: seconds until the first page is served, then from saving one
  model file (its note changed) until an HTTP fetch of that model's page shows the change, in each
  language (``serve_one_change_<lang>_s``; ``serve_one_change_s`` is the slower), polled every 50 ms.

Every command's CPU time (user + system, its child processes included) is reported beside its wall
time: on a shared machine the wall times grow with everyone else's load, the CPU times much less.

Peak memory is the largest sum of the resident memory of the command and all its child processes,
sampled every 20 ms (and never less than the kernel's peak for the command itself). A forked child
shares its parent's pages until either writes to them, and that sum counts a shared page once per
process; the proportional figure (PSS, which splits each shared page between the processes that share
it) is the memory the machine really gives the command, and is reported beside it.
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT))

from conftest import copy_project  # noqa: E402

from generator.i18n import languages  # noqa: E402

ENV = {**os.environ, "PYTHONPATH": str(ROOT), "NO_MKDOCS_2_WARNING": "1", "HF_HUB_DISABLE_TELEMETRY": "1"}


def add_synthetic(data: Path, count: int) -> list[Path]:
    """Add ``count`` synthetic models to the catalog in ``data``; returns their files."""
    keys = [c["key"] for c in yaml.safe_load((data / "criteria.yml").read_text())["components"]]
    levels = ["open", "partial", "closed", "unknown"]
    files = []
    for i in range(count):
        family = f"synthetic-{i // 10:03d}"
        if i % 10 == 0:
            (data / "families" / f"{family}.yml").write_text(yaml.safe_dump({
                "id": family, "name": f"Synthetic {i // 10}", "organisation": "Benchmark",
                "summary": "A synthetic family for the build benchmark."}))
            (data / "models" / family).mkdir(parents=True, exist_ok=True)
        model_id = f"bench/model-{i:04d}"
        components = {}
        # Evidence that satisfies the judgement rules of criteria.yml: a link of this model's own, a
        # paper and code links; a base model has no fine-tuning stage.
        evidence = [f"https://example.org/benchmark/{i}", "https://arxiv.org/abs/0000.00000",
                    "https://github.com/example/benchmark"]
        for j, key in enumerate(keys):
            level = levels[(i + j) % 4]
            if i % 10 == 0 and key.startswith("finetuning_"):
                level = "not_applicable"
            components[key] = {"level": level,
                               "evidence": [] if level in ("unknown", "not_applicable") else list(evidence),
                               "note": "Synthetic entry for the benchmark."}
        entry = {"id": model_id, "name": f"Model {i}", "family": family, "kind": "base",
                 "license": "Apache-2.0", "components": components}
        if i % 10:
            # A chain: each fine-tune derives from the one before it, down from the family's base.
            entry.update(kind="fine-tune", base_model=f"bench/model-{i - 1:04d}")
        path = data / "models" / family / f"bench__model-{i:04d}.yml"
        path.write_text(yaml.safe_dump(entry))
        files.append(path)
    return files


def _children(pid: int) -> list[int]:
    found = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as handle:
                found.extend(int(c) for c in handle.read().split())
    except OSError:
        pass
    return found


def _rss(pid: int) -> int:
    """Resident memory of ``pid`` in bytes (0 once it has gone)."""
    try:
        with open(f"/proc/{pid}/statm") as handle:
            return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, IndexError, ValueError):
        return 0


def _pss(pid: int) -> int:
    """Proportional resident memory of ``pid`` in bytes (0 once it has gone)."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as handle:
            for line in handle:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) * 1024
    except (OSError, IndexError, ValueError):
        pass
    return 0


def _tree(pid: int) -> list[int]:
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo.extend(_children(current))
    return found


def run(args: list[str], cwd: Path, env: dict[str, str] | None = None) -> tuple[float, int, float, int]:
    """Run a command; returns its wall seconds, peak memory in bytes, CPU seconds (user + system, its
    child processes included) and peak proportional memory in bytes. Raises if it fails."""
    start = time.perf_counter()
    proc = subprocess.Popen(args, cwd=cwd, env=env or ENV, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    peak = [0, 0]
    done = threading.Event()

    def sample() -> None:
        # Resident memory every 20 ms (statm is cheap), PSS every 200 ms: reading smaps_rollup walks
        # every page of the process, and on two cores that both build, sampling it as often took
        # measurable time from the build (plain MkDocs, one process, leaves a core free for it).
        ticks = 0
        while not done.wait(0.02):
            tree = _tree(proc.pid)
            peak[0] = max(peak[0], sum(map(_rss, tree)))
            if ticks % 10 == 0:
                peak[1] = max(peak[1], sum(map(_pss, tree)))
            ticks += 1

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    output = proc.stdout.read() if proc.stdout else b""
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    elapsed = time.perf_counter() - start
    done.set()
    sampler.join()
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed ({proc.returncode}):\n{output.decode(errors='replace')}")
    return elapsed, max(peak[0], usage.ru_maxrss * 1024), usage.ru_utime + usage.ru_stime, peak[1]


def snapshot(folder: Path) -> dict[str, tuple[int, int, int]]:
    """Every file under ``folder`` with its inode, size and modification time."""
    result = {}
    for path in folder.rglob("*"):
        if path.is_file():
            info = path.stat()
            result[path.relative_to(folder).as_posix()] = (info.st_ino, info.st_size, info.st_mtime_ns)
    return result


def written_since(before: dict[str, tuple[int, int, int]], folder: Path) -> int:
    """How many files under ``folder`` are new or were rewritten since ``before`` was taken."""
    after = snapshot(folder)
    return sum(1 for rel, state in after.items() if before.get(rel) != state)


def measure(models: int, langs: list[str], workdir: Path) -> dict:
    root = copy_project(workdir / "project")
    # The generator's code is copied, not linked, so that editing the working tree while a long run
    # goes on cannot change what is measured (every command runs in ``root``, which Python searches first).
    (root / "generator").unlink()
    shutil.copytree(ROOT / "generator", root / "generator", ignore=shutil.ignore_patterns("__pycache__"))
    # Compiled first, as after any earlier run: otherwise the first command measured (validate) also
    # pays for compiling the generator's modules, about 0.2 s that no later run pays.
    compileall.compile_dir(root / "generator", quiet=1)
    added = add_synthetic(root / "data", models)
    every = [lang.locale for lang in languages(root / "mkdocs.yml")]
    unknown = sorted(set(langs) - set(every))
    if unknown:
        raise SystemExit(f"--langs: {', '.join(unknown)} not in mkdocs.yml ({', '.join(every)})")
    if len(langs) == len(every):
        only: list[str] = []
        lang_env = {}
    elif len(langs) == 1:
        # One language: the build's --lang, and for MkDocs the i18n plugin's build_only_locale.
        only = ["--lang", langs[0]]
        lang_env = {"DOCS_LANG": langs[0]}
    else:
        raise SystemExit("--langs: give one language or all of them")
    om = [sys.executable, "-m", "generator"]
    site, docs = root / "site", root / "build" / "docs"
    figures: dict = {"models": models, "langs": langs, "cpus": os.cpu_count()}

    # Validate is short enough for a stray process to double it: the median of three runs.
    runs = sorted((run([*om, "validate"], root) for _ in range(3)), key=lambda measured: measured[0])
    figures["validate_s"], _, figures["validate_cpu_s"], _ = runs[1]
    figures["validate_runs_s"] = [round(measured[0], 2) for measured in runs]
    render = [sys.executable, "-c", "import sys; from generator.site import Project, render_docs; "
              "render_docs(Project(__import__('pathlib').Path('.').resolve()), sys.argv[1] or None)",
              langs[0] if only else ""]
    figures["render_s"], _, figures["render_cpu_s"], _ = run(render, root)
    shutil.rmtree(root / "build")
    (figures["build_cold_s"], figures["build_cold_peak_mb"], figures["build_cold_cpu_s"],
     figures["build_cold_peak_pss_mb"]) = _mb(run([*om, "build", *only], root))
    figures["mkdocs_s"], figures["mkdocs_peak_mb"], figures["mkdocs_cpu_s"], figures["mkdocs_peak_pss_mb"] = _mb(run(
        [sys.executable, "-m", "mkdocs", "build", "--quiet", "--site-dir", str(root / "build" / "plain-site")],
        root, {**ENV, **lang_env}))
    figures["ratio_build_to_mkdocs"] = round(figures["build_cold_s"] / figures["mkdocs_s"], 3)
    figures["ratio_build_to_mkdocs_cpu"] = round(figures["build_cold_cpu_s"] / figures["mkdocs_cpu_s"], 3)
    shutil.rmtree(root / "build" / "plain-site")
    assert docs.is_dir()

    before = snapshot(site)
    figures["build_unchanged_s"], _, figures["build_unchanged_cpu_s"], _ = run([*om, "build", *only], root)
    figures["build_unchanged_files_written"] = written_since(before, site)

    changed = added[len(added) // 2]
    changed.write_text(changed.read_text().replace("Synthetic entry for the benchmark.",
                                                   "Synthetic entry for the benchmark, changed.", 1))
    before = snapshot(site)
    figures["build_one_change_s"], _, figures["build_one_change_cpu_s"], _ = run([*om, "build", *only], root)
    figures["build_one_change_files_written"] = written_since(before, site)

    files = [p for p in site.rglob("*") if p.is_file()]
    figures["site_mb"] = round(sum(p.stat().st_size for p in files) / 1e6, 1)
    figures["site_files"] = len(files)
    figures["html_pages"] = sum(1 for p in files if p.suffix == ".html")

    figures.update(measure_serve(root, added[len(added) // 3], only, langs))
    return figures


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _page(url: str) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=120) as response:  # noqa: S310 - loopback only
            return response.read().decode("utf-8")
    except OSError:
        return None


def measure_serve(root: Path, model_file: Path, only: list[str], langs: list[str]) -> dict:
    """``openmodels serve``: seconds to the first build, then from saving one model file (its note
    changed) until the model's page shows the change, in each language (polled every 50 ms)."""
    port = _free_port()
    base = f"http://127.0.0.1:{port}/"
    model_id = yaml.safe_load(model_file.read_text())["id"]
    page = "models/" + model_id.replace("/", "__") + "/"
    default = languages(root / "mkdocs.yml")[0].locale
    urls = {lang: base + ("" if lang == default or only else f"{lang}/") + page for lang in langs}
    start = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-m", "generator", "serve", "--dev-addr", f"127.0.0.1:{port}", *only],
                               cwd=root, env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                               start_new_session=True)
    log: list[bytes] = []
    reader = threading.Thread(target=lambda: log.extend(process.stderr), daemon=True)
    reader.start()
    figures: dict = {}
    try:
        while _page(urls[langs[0]]) is None:
            if process.poll() is not None:
                raise SystemExit("openmodels serve ended:\n" + b"".join(log).decode(errors="replace"))
            time.sleep(0.05)
        figures["serve_first_build_s"] = time.perf_counter() - start
        marker = f"Saved while serving, {time.time():.0f}."
        text = model_file.read_text()
        changed = text.replace("Synthetic entry for the benchmark.", marker, 1)
        assert changed != text
        written = time.perf_counter()
        model_file.write_text(changed)
        waiting = dict(urls)
        while waiting:
            for lang, url in list(waiting.items()):
                shown = _page(url)
                if shown is not None and marker in shown:
                    figures[f"serve_one_change_{lang}_s"] = time.perf_counter() - written
                    del waiting[lang]
            if time.perf_counter() - written > 600:
                raise SystemExit(f"openmodels serve did not show the change in {', '.join(waiting)} in 10 minutes")
            time.sleep(0.05)
        figures["serve_one_change_s"] = max(figures[f"serve_one_change_{lang}_s"] for lang in langs)
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=60)
        reader.join(timeout=60)
    return figures


def _mb(measured: tuple[float, int, float, int]) -> tuple[float, float, float, float]:
    return measured[0], round(measured[1] / 1e6, 1), measured[2], round(measured[3] / 1e6, 1)


LABELS = [
    ("validate_s", "openmodels validate (median of three runs)", "s"),
    ("validate_cpu_s", "  CPU time", "s"),
    ("render_s", "render Markdown (load, validate, score, render)", "s"),
    ("render_cpu_s", "  CPU time", "s"),
    ("build_cold_s", "openmodels build, cold", "s"),
    ("build_cold_cpu_s", "  CPU time", "s"),
    ("build_cold_peak_mb", "  peak memory", "MB"),
    ("build_cold_peak_pss_mb", "  peak memory, shared pages counted once (PSS)", "MB"),
    ("mkdocs_s", "plain mkdocs build of the same Markdown", "s"),
    ("mkdocs_cpu_s", "  CPU time", "s"),
    ("mkdocs_peak_mb", "  peak memory", "MB"),
    ("mkdocs_peak_pss_mb", "  peak memory, shared pages counted once (PSS)", "MB"),
    ("ratio_build_to_mkdocs", "ratio: openmodels build / mkdocs build", "x"),
    ("ratio_build_to_mkdocs_cpu", "  the same in CPU time", "x"),
    ("build_unchanged_s", "openmodels build again, nothing changed", "s"),
    ("build_unchanged_cpu_s", "  CPU time", "s"),
    ("build_unchanged_files_written", "  files written under site/", ""),
    ("build_one_change_s", "openmodels build after changing one model file", "s"),
    ("build_one_change_cpu_s", "  CPU time", "s"),
    ("build_one_change_files_written", "  files written under site/", ""),
    ("site_mb", "site size", "MB"),
    ("site_files", "site files", ""),
    ("html_pages", "HTML pages", ""),
    ("serve_first_build_s", "openmodels serve: until the first page is served", "s"),
    ("serve_one_change_s", "  one model file saved: until every language shows it", "s"),
]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     epilog="example: benchmarks/bench_build.py --models 1000 --langs en,sv --json")
    parser.add_argument("--models", type=int, default=1000, help="synthetic models to add (default 1000)")
    parser.add_argument("--langs", default=None, help="comma-separated languages (default: all of mkdocs.yml)")
    parser.add_argument("--json", action="store_true", help="print the figures as one JSON object")
    options = parser.parse_args(argv)
    langs = options.langs.split(",") if options.langs else [lang.locale for lang in languages(ROOT / "mkdocs.yml")]
    with tempfile.TemporaryDirectory(prefix="bench-build-") as tmp:
        figures = measure(options.models, langs, Path(tmp))
    for key, value in figures.items():
        if isinstance(value, float) and key.endswith("_s"):
            figures[key] = round(value, 2)
    if options.json:
        print(json.dumps(figures, indent=2))
        return
    print(f"{figures['models']} synthetic models added, languages {','.join(langs)}, {figures['cpus']} CPUs")
    for key, label, unit in LABELS:
        print(f"{label:<50} {figures[key]:>10} {unit}")
    for lang in langs:
        print(f"{'    the page in ' + lang:<50} {figures[f'serve_one_change_{lang}_s']:>10} s")


if __name__ == "__main__":
    main()
