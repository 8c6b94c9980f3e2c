"""``openmodels refresh`` end to end, in subprocesses against a fake Hub; and the snapshots in the catalog and pages.

Each refresh runs as a user would run it: a separate process whose environment (HF_ENDPOINT, a
temporary HF_HOME, no telemetry, no token) is set before huggingface_hub is imported.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import run_in_process
from fakehub import FakeHub, synthetic_model

from generator.catalog import load_catalog
from generator.errors import CatalogError
from generator.openness import assess_catalog
from generator.render import render_pages
from generator.schema import HubBaseModel, HubSnapshot
from generator.snapshots import dump_snapshot, read_snapshot, snapshot_path

ROOT = Path(__file__).resolve().parent.parent


def hub_env(fake: FakeHub, tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "HF_TOKEN"}
    env.update(HF_ENDPOINT=fake.url, HF_HOME=str(tmp_path / "hf-home"), HF_HUB_DISABLE_TELEMETRY="1",
               PYTHONPATH=str(ROOT))
    return env


def refresh(project: Path, fake: FakeHub, tmp_path: Path, *args: str,
            command: str = "refresh") -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "generator", command, "--timeout", "2", *args], cwd=project,
                          env=hub_env(fake, tmp_path), capture_output=True, text=True, timeout=60, check=False)


def serve_catalog(fake: FakeHub, data: Path, skip: tuple[str, ...] = ()) -> None:
    """Synthetic bodies for every catalog model, agreeing with the curated licence and lineage."""
    catalog = load_catalog(data)
    for model in catalog.models.values():
        if model.id in skip:
            continue
        hub_license = (catalog.license_of(model).hub_ids or ["other"])[0]
        tags = ["transformers", f"license:{hub_license}"]
        if model.base_model:
            tags += [f"base_model:{model.base_model}", f"base_model:finetune:{model.base_model}"]
        fake.add(synthetic_model(model.id, tags=tags, cardData={"license": hub_license}))


def tree_digest(folder: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            digest.update(str(path.relative_to(folder)).encode() + path.read_bytes())
    return digest.hexdigest()


@pytest.fixture
def bare_project(project: Path) -> Path:
    """The real project without its committed snapshots."""
    shutil.rmtree(project / "data" / "hub", ignore_errors=True)
    return project


def test_refresh_writes_snapshots_and_leaves_curated_files_alone(bare_project, tmp_path):
    curated = {name: tree_digest(bare_project / "data" / name) for name in ("models", "families")}
    with FakeHub(date="Mon, 01 Jul 2024 10:00:00 GMT") as fake:
        serve_catalog(fake, bare_project / "data")
        result = refresh(bare_project, fake, tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""  # no progress bar when not on a terminal
    catalog = load_catalog(bare_project / "data")
    assert set(catalog.hub) == set(catalog.models) and not catalog.warnings
    assert {s.fetched for s in catalog.hub.values()} == {"2024-07-01"}
    assert {name: tree_digest(bare_project / "data" / name) for name in curated} == curated
    authors = {model_id.split("/")[0] for model_id in catalog.models}
    assert len(fake.log) == len(authors)  # one listing per author (or one model_info for a lone model)
    assert all(entry.path.startswith("/api/models") for entry in fake.log)  # no telemetry or other calls


def test_refresh_names_every_failure_and_exits_1(bare_project, tmp_path):
    kept = HubSnapshot(id="BioMistral/BioMistral-7B", downloads=7, fetched="2024-01-01")
    path = snapshot_path(bare_project / "data", kept.id)
    path.parent.mkdir(parents=True)
    path.write_text(dump_snapshot(kept))
    with FakeHub() as fake:
        serve_catalog(fake, bare_project / "data", skip=("mistralai/Mixtral-8x7B-v0.1",))
        fake.fail("BioMistral/BioMistral-7B", "gated")
        fake.fail("nvidia/OpenMath-Mistral-7B-v0.1-hf", "malformed")
        fake.rename("HuggingFaceH4/zephyr-7b-beta", "HuggingFaceH4/zephyr-7b-gamma")
        fake.add(synthetic_model("HuggingFaceH4/zephyr-7b-gamma"))
        result = refresh(bare_project, fake, tmp_path, "--family", "mistral", "--endpoint", fake.url)
    assert result.returncode == 1
    for expected in ("BioMistral/BioMistral-7B: gated", "nvidia/OpenMath-Mistral-7B-v0.1-hf: malformed",
                     "HuggingFaceH4/zephyr-7b-beta: renamed on the Hub to HuggingFaceH4/zephyr-7b-gamma",
                     "mistralai/Mixtral-8x7B-v0.1: gone from the Hub (404)"):
        assert expected in result.stderr
    family_size = len(list((bare_project / "data" / "models" / "mistral").glob("*.yml")))
    assert f"Refreshed {family_size - 4} of {family_size} models" in result.stdout  # four failed above
    assert path.read_text() == dump_snapshot(kept)
    assert snapshot_path(bare_project / "data", "mistralai/Mistral-7B-v0.1").is_file()


def test_refresh_rejects_ids_outside_the_catalog(bare_project, tmp_path):
    with FakeHub() as fake:
        result = refresh(bare_project, fake, tmp_path, "allenai/OLMo-7C")
    assert result.returncode == 2 and "did you mean 'allenai/OLMo-7B'?" in result.stderr and not fake.log


def test_offline_mode_stops_every_request(bare_project, tmp_path):
    with FakeHub() as fake:
        serve_catalog(fake, bare_project / "data")
        env = {**hub_env(fake, tmp_path), "HF_HUB_OFFLINE": "1"}
        result = subprocess.run([sys.executable, "-m", "generator", "refresh", "allenai/OLMo-7B", "--timeout", "2"],
                                cwd=bare_project, env=env, capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 1 and "offline mode" in result.stdout + result.stderr
    assert fake.log == [], "a request left the process in offline mode"


@pytest.mark.slow
def test_kill_9_during_a_refresh_leaves_no_half_written_file(bare_project, tmp_path):
    data = bare_project / "data"
    catalog = load_catalog(data)
    old = {}
    for model_id in catalog.models:
        old[model_id] = dump_snapshot(HubSnapshot(id=model_id, downloads=1, fetched="2024-01-01"))
        snapshot_path(data, model_id).parent.mkdir(parents=True, exist_ok=True)
        snapshot_path(data, model_id).write_text(old[model_id])
    with FakeHub(latency=0.15) as fake:
        serve_catalog(fake, data)
        process = subprocess.Popen([sys.executable, "-m", "generator", "refresh", "--workers", "2"],
                                   cwd=bare_project, env=hub_env(fake, tmp_path),
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and all(
                snapshot_path(data, i).read_text() == text for i, text in old.items()):
            time.sleep(0.005)
        process.send_signal(signal.SIGKILL)
        process.wait()
    changed = 0
    for model_id in catalog.models:
        text = snapshot_path(data, model_id).read_text()
        snap = read_snapshot(snapshot_path(data, model_id))
        assert snap is not None and snap.id == model_id, "every snapshot is whole: its old or its new version"
        changed += text != old[model_id]
    assert 0 < changed < len(catalog.models), "the refresh was killed part-way"
    assert set(load_catalog(data).hub) == set(catalog.models)  # leftover temp files are ignored


# -- snapshots in the catalog and on pages ----------------------------------------------------------

def write_snapshot(data: Path, snapshot: HubSnapshot) -> Path:
    path = snapshot_path(data, snapshot.id)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(dump_snapshot(snapshot))
    return path


def test_validate_warns_about_licence_drift_and_lineage(bare_project):
    data = bare_project / "data"
    write_snapshot(data, HubSnapshot(id="meta-llama/Llama-2-7b-chat-hf", hub_license="apache-2.0",
                                     base_models=[HubBaseModel(id="meta-llama/Llama-2-13b-hf", relation="finetune")],
                                     fetched="2024-07-01"))
    warnings = load_catalog(data).warnings
    assert [w.severity for w in warnings] == ["warning", "warning"]
    assert {w.field for w in warnings} == {"license", "base_model"}
    assert all(w.path == "data/models/llama-2/meta-llama__Llama-2-7b-chat-hf.yml" for w in warnings)
    assert "licence drift: the Hub says 'apache-2.0'" in str(warnings) and "Apache-2.0" in str(warnings)
    assert "meta-llama/Llama-2-13b-hf (finetune)" in str(warnings)
    result = run_in_process("validate", cwd=bare_project)
    assert result.returncode == 0 and "Valid, with 2 warning(s)." in result.stdout
    assert "licence drift" in result.stderr and "licence drift" not in result.stdout, "warnings go to stderr"


def test_a_broken_snapshot_is_reported_like_any_catalog_file(bare_project):
    data = bare_project / "data"
    path = write_snapshot(data, HubSnapshot(id="allenai/OLMo-7B", fetched="2024-07-01"))
    path.write_text(path.read_text() + "downlods: 3\n")
    with pytest.raises(CatalogError) as caught:
        load_catalog(data)
    [problem] = caught.value.problems
    assert problem.path == "data/hub/allenai/OLMo-7B.yml" and problem.line > 1
    assert "did you mean 'downloads'?" in problem.hint


def test_stray_snapshots_warn_and_temp_files_are_ignored(bare_project):
    data = bare_project / "data"
    write_snapshot(data, HubSnapshot(id="someone/elsewhere", fetched="2024-07-01"))
    (data / "hub" / "someone" / ".elsewhere.yml.abc.tmp").write_text("half a fi")
    catalog = load_catalog(data)
    assert [w.message for w in catalog.warnings] == ["snapshot of 'someone/elsewhere', which is not in the catalog"]


def test_pages_show_hub_facts_with_their_date(fixture_catalog):
    write_snapshot(fixture_catalog, HubSnapshot(id="demo-org/Base-1B", downloads=1234, likes=5, gated="manual",
                                                hub_license="apache-2.0", fetched="2024-07-01"))
    catalog = load_catalog(fixture_catalog)
    pages = render_pages(catalog, assess_catalog(catalog), ROOT / "templates")
    base, chat, family = pages["models/demo-org__Base-1B.md"], pages["models/demo-org__Chat-1B.md"], \
        pages["families/demo.md"]
    assert "| Downloads, last 30 days | 1,234 |" in base and "As of July 1, 2024" in base
    assert "gated: the authors approve each request" in base
    assert "Not fetched yet." in chat and "As of" not in chat
    assert "| 1,234 | 5 |" in family and "| July 1, 2024 |" in family and "not fetched yet" in family


def test_the_built_site_shows_committed_snapshots(built_site):
    page = (built_site / "models" / "meta-llama__Llama-3.1-8B-Instruct" / "index.html").read_text()
    assert "On the Hugging Face Hub" in page and "As of March 21, 2025" in page and "5,795,728" in page
    olmo = (built_site / "models" / "allenai__OLMo-7B" / "index.html").read_text()
    assert "Not fetched yet." in olmo


# -- discovering fine-tunes -------------------------------------------------------------------------

def test_discover_reports_top_finetunes_and_writes_no_catalog_entry(bare_project, tmp_path):
    before = tree_digest(bare_project / "data")
    with FakeHub() as fake:
        for n, downloads in enumerate([50, 900, 300, 10]):
            fake.add(synthetic_model(f"fans/olmo-tune-{n}", downloads=downloads,
                                     tags=["transformers", "base_model:finetune:allenai/OLMo-7B"]))
        fake.add(synthetic_model("allenai/OLMo-7B-Instruct", downloads=500,
                                 tags=["base_model:finetune:allenai/OLMo-7B"]))
        report = tmp_path / "discover.md"
        result = refresh(bare_project, fake, tmp_path, "--family", "olmo", "--limit", "3",
                         "--report", str(report), command="discover")
    assert result.returncode == 0, result.stderr
    text = report.read_text()
    assert text in result.stdout
    section = text.split("## allenai/OLMo-7B\n")[1].split("##")[0]
    rows = [line for line in section.splitlines() if line.startswith("| [")]
    assert [r.split("]")[0][3:] for r in rows] == ["fans/olmo-tune-1", "allenai/OLMo-7B-Instruct",
                                                   "fans/olmo-tune-2"]
    assert "| yes |" in rows[1] and "| no |" in rows[0]
    assert "## allenai/OLMo-2-1124-7B" in text  # every base model of the family gets a section
    assert tree_digest(bare_project / "data") == before
