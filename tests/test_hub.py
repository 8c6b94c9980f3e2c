"""Refreshing Hub facts against a fake Hub on 127.0.0.1: batching, faults, rate limits, snapshots, pages.

The environment is hermetic (tests/conftest.py sets it for the session before any test module is
imported): no telemetry, a temporary HF_HOME, no token, and HF_ENDPOINT on a closed local port.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from fakehub import RECORDED, FakeHub, serve_recordings, synthetic_model

from generator.catalog import load_catalog
from generator.hub import HubClient, HubFailure
from generator.schema import HubSnapshot, License
from generator.snapshots import (
    dump_snapshot,
    license_for,
    read_snapshot,
    refresh_snapshots,
    snapshot_path,
)

ROOT = Path(__file__).resolve().parent.parent
SLOW = pytest.mark.slow
"""For tests that wait out a real timeout or rate-limit window (a second each): `make test` only."""


@pytest.fixture
def fake():
    with FakeHub() as hub:
        yield hub


def client_for(hub: FakeHub, **options) -> HubClient:
    options = {"timeout": 0.5, "backoff": 0.01, "workers": 4, **options}
    return HubClient(hub.url, **options)


def fetch(hub: FakeHub, ids, **options) -> dict[str, HubSnapshot | HubFailure]:
    with client_for(hub, **options) as client:
        return {outcome.id: outcome for outcome in client.fetch(ids)}


# -- what a snapshot holds --------------------------------------------------------------------------

def test_recorded_body_gives_every_fact_dated_by_the_recording():
    with serve_recordings() as hub:
        snap = fetch(hub, ["HuggingFaceH4/zephyr-7b-beta"])["HuggingFaceH4/zephyr-7b-beta"]
    assert isinstance(snap, HubSnapshot)
    assert snap.fetched == "2025-03-21"  # the recorded Date header, not today
    assert (snap.downloads, snap.likes, snap.parameters) == (684157, 1667, 7241732096)
    assert (snap.hub_license, snap.gated, snap.pipeline_tag, snap.library) == ("mit", False, "text-generation",
                                                                               "transformers")
    assert snap.sha == "892b3d7a7b1cf10c7a701c60881cd93df615734c"
    assert (snap.created, snap.last_modified) == ("2023-10-26T11:25:49Z", "2024-10-16T11:48:13Z")
    assert snap.datasets == ["HuggingFaceH4/ultrachat_200k", "HuggingFaceH4/ultrafeedback_binarized"]
    assert snap.arxiv == ["2305.14233", "2305.18290", "2310.01377", "2310.16944"]
    assert [(b.id, b.relation) for b in snap.base_models] == [("mistralai/Mistral-7B-v0.1", "finetune")]


def test_base_model_tags_win_over_the_card():
    """The card of Llama 3.1 8B Instruct still names 'Meta-Llama-3.1-8B'; the Hub's tags use the current name."""
    with serve_recordings() as hub:
        snap = fetch(hub, ["meta-llama/Llama-3.1-8B-Instruct"])["meta-llama/Llama-3.1-8B-Instruct"]
    assert [(b.id, b.relation) for b in snap.base_models] == [("meta-llama/Llama-3.1-8B", "finetune")]
    assert snap.gated == "manual" and snap.hub_license == "llama3.1"


def test_card_base_model_is_used_only_without_tags(fake):
    fake.add(synthetic_model("org/a", cardData={"license": "mit", "base_model": "org/base",
                                                "base_model_relation": "adapter"}))
    assert [(b.id, b.relation) for b in fetch(fake, ["org/a"])["org/a"].base_models] == [("org/base", "adapter")]


def test_licence_maps_through_hub_ids():
    licenses = [License(id="LicenseRef-X", name="X", url="https://x.org", osi_approved=False, hub_ids=["x-1"]),
                License(id="LicenseRef-other", name="Other", url="https://o.org", osi_approved=False,
                        hub_ids=["other"])]
    assert license_for("X-1", None, licenses) == "LicenseRef-X"
    assert license_for("other", "x-1", licenses) == "LicenseRef-X"
    assert license_for("other", "unknown", licenses) == "LicenseRef-other"
    assert license_for("nope", None, licenses) is None


def test_new_and_refresh_map_every_hub_licence_of_the_registry_alike(tmp_path: Path):
    """`openmodels new` (reading a snapshot as plain YAML) and refresh use one mapping: every Hub id
    that data/licenses.yml lists, as the Hub's licence id or under 'other', gives the same licence."""
    from generator.scaffold import _hub_facts

    registry = load_catalog(ROOT / "data").licenses.values()
    (tmp_path / "licenses.yml").write_text((ROOT / "data" / "licenses.yml").read_text())
    cases = [(hub_id.upper(), None) for lic in registry for hub_id in lic.hub_ids]
    cases += [("other", hub_id) for lic in registry for hub_id in lic.hub_ids] + [("not-a-licence", None)]
    assert len(cases) > 10
    for hub_license, name in cases:
        write_snapshot = snapshot_path(tmp_path, "org/m")
        write_snapshot.parent.mkdir(parents=True, exist_ok=True)
        write_snapshot.write_text(f"id: org/m\nhub_license: {hub_license}\n"
                                  + (f"hub_license_name: {name}\n" if name else ""))
        expected = license_for(hub_license, name, registry)
        assert (expected is None) == (hub_license == "not-a-licence")
        assert _hub_facts(tmp_path, "org/m")[0].get("license") == expected, (hub_license, name)


# -- batching and pagination ------------------------------------------------------------------------

def test_models_of_one_author_come_from_one_listing(fake):
    for n in range(6):
        fake.add(synthetic_model(f"org/m{n}", downloads=n))
    fake.add(synthetic_model("solo/only"))
    outcomes = fetch(fake, [f"org/m{n}" for n in range(6)] + ["solo/only"])
    assert all(isinstance(o, HubSnapshot) for o in outcomes.values()) and len(outcomes) == 7
    assert outcomes["org/m3"].downloads == 3
    paths = [r.path for r in fake.requests()]
    assert len(paths) == 2
    assert sum(p.startswith("/api/models?") and "author=org" in p for p in paths) == 1
    assert "/api/models/solo/only" in paths


def test_pagination_follows_the_link_header_to_the_fake(fake):
    fake.page_size = 2
    for n in range(7):
        fake.add(synthetic_model(f"org/m{n}"))
    outcomes = fetch(fake, ["org/m1", "org/m4", "org/m5"])
    assert sorted(outcomes) == ["org/m1", "org/m4", "org/m5"]
    pages = [r.path for r in fake.requests("/api/models?")]
    # Pages 1-3 hold m0..m5; the listing stops once every wanted model is found.
    assert len(pages) == 3 and "cursor=2" in pages[1] and "cursor=4" in pages[2]
    assert not fake.requests("/api/models/")


def test_a_long_listing_costs_no_more_than_asking_one_by_one(fake):
    fake.page_size = 2
    for n in range(20):
        fake.add(synthetic_model(f"big/m{n:02d}"))
    outcomes = fetch(fake, ["big/m18", "big/m19"])
    assert all(isinstance(o, HubSnapshot) for o in outcomes.values()) and len(outcomes) == 2
    assert len(fake.requests("/api/models?")) == 3 and len(fake.requests("/api/models/")) == 2


def test_ids_missing_from_a_listing_fall_back_to_model_info(fake):
    fake.add(synthetic_model("org/here"))
    fake.rename("org/old-name", "org/here")
    outcomes = fetch(fake, ["org/here", "org/old-name"])
    assert isinstance(outcomes["org/here"], HubSnapshot)
    assert outcomes["org/old-name"].kind == "renamed" and outcomes["org/old-name"].new_id == "org/here"


def test_a_broken_listing_falls_back_to_model_info(fake):
    fake.add(synthetic_model("org/a"))
    fake.add(synthetic_model("org/b"))
    fake.fail("list:org", "malformed")
    outcomes = fetch(fake, ["org/a", "org/b"])
    assert all(isinstance(o, HubSnapshot) for o in outcomes.values())
    assert len(fake.requests("/api/models/")) == 2


# -- faults -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("fault, kind", [("missing", "missing"), ("gated", "gated"), ("malformed", "malformed"),
                                         (500, "error"), (503, "error"), pytest.param("timeout", "error", marks=SLOW)])
def test_a_failing_model_is_named_and_does_not_stop_the_others(fake, fault, kind):
    fake.timeout_delay = 1.0
    fake.add(synthetic_model("bad/model"))
    fake.add(synthetic_model("good/model"))
    fake.fail("bad/model", *[fault] * 4)
    outcomes = fetch(fake, ["bad/model", "good/model"], attempts=2)
    assert isinstance(outcomes["good/model"], HubSnapshot)
    assert isinstance(outcomes["bad/model"], HubFailure) and outcomes["bad/model"].kind == kind


@pytest.mark.parametrize("fault", [pytest.param(429, marks=SLOW), 500, 502, 503, pytest.param("timeout", marks=SLOW)])
def test_transient_faults_are_retried(fake, fault):
    fake.timeout_delay = 1.0
    fake.add(synthetic_model("org/flaky"))
    times = 1 if fault == 429 else 2  # a 429 asks for a second's pause (Retry-After: 1)
    fake.fail("org/flaky", *[fault] * times)
    with client_for(fake, attempts=3) as client:
        outcomes = list(client.fetch(["org/flaky"]))
    assert isinstance(outcomes[0], HubSnapshot)
    assert client.stats.retries == times


def test_a_renamed_repo_is_reported_with_its_new_name():
    with serve_recordings() as hub:
        outcome = fetch(hub, ["meta-llama/Meta-Llama-3.1-8B-Instruct"])["meta-llama/Meta-Llama-3.1-8B-Instruct"]
        assert [r.status for r in hub.requests()] == [307, 200]  # the recorded redirect, followed
    assert outcome.kind == "renamed" and outcome.new_id == "meta-llama/Llama-3.1-8B-Instruct"


def test_an_odd_value_makes_only_that_model_malformed(fake):
    fake.add(synthetic_model("org/a", downloads="many"))
    fake.add(synthetic_model("org/b"))
    outcomes = fetch(fake, ["org/a", "org/b"])
    assert outcomes["org/a"].kind == "malformed" and isinstance(outcomes["org/b"], HubSnapshot)


# -- concurrency and rate limits ------------------------------------------------------------------------

def test_requests_run_concurrently():
    with FakeHub(latency=0.3) as hub:
        for n in range(8):
            hub.add(synthetic_model(f"org{n}/m"))
        outcomes = fetch(hub, [f"org{n}/m" for n in range(8)], workers=8)
    # Overlap is counted by the server, not timed: speed belongs to the benchmark.
    assert len(outcomes) == 8 and hub.max_active >= 4


@SLOW
def test_the_quota_in_ratelimit_headers_is_obeyed():
    with FakeHub(quota=4, window=1.0) as hub:
        for n in range(8):
            hub.add(synthetic_model(f"org{n}/m"))
        start = time.monotonic()
        with client_for(hub, workers=6) as client:
            outcomes = list(client.fetch([f"org{n}/m" for n in range(8)]))
        elapsed = time.monotonic() - start
    assert all(isinstance(o, HubSnapshot) for o in outcomes) and len(outcomes) == 8
    assert hub.status_counts.get(429, 0) == 0 and client.stats.rate_limited == 0
    assert elapsed >= 1.0  # 8 requests need two windows of 4


@SLOW
def test_after_a_429_the_client_waits_for_the_reset():
    with FakeHub(quota=4, window=1.0, used=4, window_left=0.5) as hub:
        for n in range(4):
            hub.add(synthetic_model(f"org{n}/m"))
        with client_for(hub, workers=4) as client:
            outcomes = list(client.fetch([f"org{n}/m" for n in range(4)]))
    assert all(isinstance(o, HubSnapshot) for o in outcomes)
    assert hub.status_counts[429] == 1, "no 429 after the first"


# -- snapshots on disk ------------------------------------------------------------------------------

def test_unchanged_facts_do_not_rewrite_a_snapshot(tmp_path, fake):
    licenses = [License(id="MIT", name="MIT", url="https://mit.edu", osi_approved=True, hub_ids=["mit"])]
    fake.add(synthetic_model("org/a", cardData={"license": "mit"}))
    fake.date = "Mon, 01 Jul 2024 10:00:00 GMT"
    with client_for(fake) as client:
        first = refresh_snapshots(tmp_path, ["org/a"], client, licenses)
    path = snapshot_path(tmp_path, "org/a")
    text, mtime = path.read_text(), path.stat().st_mtime_ns
    assert first.written == ["org/a"] and "fetched: '2024-07-01'" in text and "license: MIT" in text

    fake.date = "Tue, 02 Jul 2024 10:00:00 GMT"
    with client_for(fake) as client:
        second = refresh_snapshots(tmp_path, ["org/a"], client, licenses)
    assert second.unchanged == ["org/a"] and path.read_text() == text and path.stat().st_mtime_ns == mtime

    fake.models["org/a"].data["downloads"] += 1
    with client_for(fake) as client:
        third = refresh_snapshots(tmp_path, ["org/a"], client, licenses)
    assert third.written == ["org/a"] and read_snapshot(path).fetched == "2024-07-02"


def test_a_failed_model_keeps_its_previous_snapshot(tmp_path, fake):
    old = HubSnapshot(id="org/a", downloads=1, fetched="2024-01-01")
    path = snapshot_path(tmp_path, "org/a")
    path.parent.mkdir(parents=True)
    path.write_text(dump_snapshot(old))
    fake.add(synthetic_model("org/b"))
    fake.fail("org/a", "gated")
    with client_for(fake) as client:
        report = refresh_snapshots(tmp_path, ["org/a", "org/b"], client, [])
    assert [f.id for f in report.failed] == ["org/a"] and report.written == ["org/b"]
    assert path.read_text() == dump_snapshot(old)


def test_snapshot_files_are_deterministic_and_sorted():
    snap = HubSnapshot(id="org/a", arxiv=["2", "1"], fetched="2024-01-01")
    assert dump_snapshot(snap) == dump_snapshot(HubSnapshot.model_validate(snap.model_dump()))
    keys = [line.split(":")[0] for line in dump_snapshot(snap).splitlines() if line[:1].isalpha()]
    assert keys == sorted(keys)


def test_committed_snapshots_come_from_recordings(tmp_path):
    """Each file in data/hub/ is what a refresh writes from the real recorded answer, one model per run."""
    committed = sorted((ROOT / "data" / "hub").glob("**/*.yml"))
    recorded = {p.stem.replace("__", "/") for p in RECORDED.glob("*.json") if not p.name.startswith("_")}
    catalog = load_catalog(ROOT / "data")
    assert {str(p.relative_to(ROOT / "data" / "hub").with_suffix("")) for p in committed} == recorded & set(
        catalog.models)
    with serve_recordings() as hub:
        for model_id in sorted(recorded & set(catalog.models)):
            with client_for(hub) as client:
                refresh_snapshots(tmp_path, [model_id], client, catalog.licenses.values())
            ours = snapshot_path(ROOT / "data", model_id).read_text()
            assert snapshot_path(tmp_path, model_id).read_text() == ours, model_id


def test_closing_a_client_puts_the_librarys_session_back(fake):
    from huggingface_hub.utils import get_session

    with client_for(fake) as client:
        assert list(client.fetch([])) == []
        ours = get_session()
    assert ours.is_closed
    assert get_session() is not ours and get_session().timeout.read is None  # the library's own default
