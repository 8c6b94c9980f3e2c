"""Benchmark: refresh 1,000 models spread over 50 authors against the fake Hub.

The fake answers every request after 100 ms and enforces the anonymous quota, 500 calls per
5-minute window, with RateLimit headers and 429s. Reported per scenario: requests per model
(target <= 0.1), 429 answers received after the first (target 0) and wall time. Not a test:
run it by hand with ``.venv/bin/python benchmarks/bench_refresh.py`` (about a minute).

Scenarios (each author has 50 repos, 20 of them wanted, unless said otherwise):
  fresh quota     the whole quota is available;
  quota spent     another client used all 500 calls of the current window, which ends in 15 s,
                  so the very first answer is a 429 and the refresh must wait for the reset;
  big authors     each author has 300 repos (3 pages of 100), to show what pagination costs.
All bodies are synthetic (tests/fixtures/hub-synthetic/model.json).
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

os.environ["HF_HUB_DISABLE_TELEMETRY"] = "1"
os.environ["HF_ENDPOINT"] = "http://127.0.0.1:9"  # only the fake's address is ever used
os.environ["HF_HOME"] = tempfile.mkdtemp(prefix="bench-hf-home-")
os.environ.pop("HF_TOKEN", None)

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from fakehub import FakeHub, synthetic_model  # noqa: E402
from huggingface_hub.utils import logging as hub_logging  # noqa: E402

from generator.hub import HubClient  # noqa: E402
from generator.snapshots import refresh_snapshots  # noqa: E402

AUTHORS, WANTED_PER_AUTHOR, REPOS_PER_AUTHOR = 50, 20, 50
LATENCY, QUOTA, WINDOW, PAGE_SIZE = 0.1, 500, 300.0, 100


def populate(hub: FakeHub, repos: int) -> list[str]:
    wanted = []
    step = repos // WANTED_PER_AUTHOR
    for a in range(AUTHORS):
        for m in range(repos):
            model_id = f"author-{a:02d}/model-{m:03d}"
            hub.add(synthetic_model(model_id, downloads=a * 1000 + m))
            if m % step == 0 and len(wanted) < (a + 1) * WANTED_PER_AUTHOR:  # spread over the whole listing
                wanted.append(model_id)
    return wanted


def run(name: str, repos: int = REPOS_PER_AUTHOR, **quota_state: float) -> dict[str, object]:
    with FakeHub(latency=LATENCY, quota=QUOTA, window=WINDOW, page_size=PAGE_SIZE, **quota_state) as hub:
        wanted = populate(hub, repos)
        assert len(wanted) == AUTHORS * WANTED_PER_AUTHOR
        with tempfile.TemporaryDirectory() as data, HubClient(hub.url, timeout=10.0) as client:
            start = time.monotonic()
            report = refresh_snapshots(Path(data), wanted, client, [])
            wall = time.monotonic() - start
        statuses = [entry.status for entry in hub.log]
    too_many = statuses.count(429)
    first_429 = statuses.index(429) if too_many else None
    return {
        "scenario": name,
        "models": len(wanted),
        "refreshed": len(report.written) + len(report.unchanged),
        "failed": len(report.failed),
        "requests": len(statuses),
        "requests per model": round(len(statuses) / len(wanted), 3),
        "429 answers": too_many,
        "429 after the first": sum(s == 429 for s in statuses[first_429 + 1:]) if first_429 is not None else 0,
        "wall time (s)": round(wall, 2),
    }


def main() -> None:
    hub_logging.set_verbosity_error()
    print(f"{AUTHORS * WANTED_PER_AUTHOR} models over {AUTHORS} authors, {LATENCY * 1000:.0f} ms per request, "
          f"quota {QUOTA} per {WINDOW:.0f} s, page size {PAGE_SIZE}, {os.cpu_count()} CPU(s)")
    rows = [run("fresh quota"), run("quota spent", used=QUOTA, window_left=15.0), run("big authors", repos=300)]
    keys = list(rows[0])
    print("| " + " | ".join(keys) + " |")
    print("|" + "---|" * len(keys))
    for row in rows:
        print("| " + " | ".join(str(row[k]) for k in keys) + " |")


if __name__ == "__main__":
    main()
