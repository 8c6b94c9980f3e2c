"""What other trackers say: mapping, matching, the disagreement rule, bad tracker files, the import.

The tracker files are real excerpts of the two snapshots (tests/fixtures/trackers/, see its README).
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from conftest import FIXTURES, ROOT, copy_project, run_in_process

from generator.catalog import load_catalog
from generator.source import read_yaml
from generator.tracker_import import hub_repo, import_trackers, read_eosai, read_eosai_entry, read_mot, read_mot_entry
from generator.trackers import disagrees, load_config, load_trackers

TRACKERS = FIXTURES / "trackers"
MOT_COMMIT = "8b5d30e90a7c62d7d6ece48b91e69ff495920a4d"


@pytest.fixture(scope="module")
def config():
    return load_config(ROOT / "data")


@pytest.fixture(scope="module")
def catalog():
    return load_catalog(ROOT / "data")


def eosai(name: str, config) -> object:
    path = TRACKERS / "osai-index" / f"{name}.yaml"
    return read_eosai_entry(read_yaml(path).data, name, config[0].eosai)[0]


def mot(name: str, config) -> object:
    path = TRACKERS / "mot" / "models" / f"{name}.yml"
    return read_mot_entry(read_yaml(path).data, name, config[0].mot, MOT_COMMIT)


# ---- mapping ---------------------------------------------------------------------------------

def test_eosai_classes_map_onto_our_components(config):
    entry = eosai("OLMo", config)
    end = entry.views["end"]
    assert entry.url == "https://osai-index.eu/model/OLMo"
    assert entry.hub_id == "allenai/Olmo-3.1-32B-Think"
    # preprint open and paper partial: the more open of the two counts for our paper component.
    assert end["paper"].level == "open" and end["paper"].tracker == "preprint: open; paper: partial"
    # The index's training code covers tuning too, so it feeds both code components.
    assert end["training_code"].level == end["finetuning_code"].level == "open"
    assert "https://github.com/allenai/OLMo-core" in end["training_code"].links
    # Dimensions without a counterpart are not compared; ours without one are absent.
    assert "evaluation_code" not in end and "architecture" not in end
    assert set(entry.views["base"]) == {"training_data", "weights"}


def test_eosai_empty_class_is_not_applicable_and_bad_links_are_dropped(config):
    data = {"system": {"name": "Synthetic", "link": "https://huggingface.co/org/model"},
            "datasources_endmodel": {"class": None, "link": None},
            "weights_endmodel": {"class": "open", "link": ["javascript:alert(1)", "https://example.org/w"]}}
    entry, _, _ = read_eosai_entry(data, "Synthetic", config[0].eosai)
    assert entry.views["end"]["finetuning_data"].level == "not_applicable"
    assert entry.views["end"]["weights"].links == ["https://example.org/w"]


def test_eosai_rank_follows_the_index_score(config):
    entries, skipped = read_eosai(TRACKERS / "osai-index", config[0].eosai)
    assert not skipped
    ranks = {e.id: (e.rank, e.ranked) for e in entries}
    # All eight are text systems; OLMo opens the most dimensions, Llama 3 the fewest, and
    # Falcon and Mistral NeMo share a score and so a rank.
    assert ranks["OLMo"] == (1, 8)
    assert ranks["llama-3-instruct"] == (8, 8)
    assert ranks["Falcon"] == ranks["mistral-nemo"] == (6, 8)


def test_mot_licences_map_onto_levels_falcon_40b(config):
    """The MOT records Falcon-40B's weights as unlicensed, although the model is Apache-2.0 today."""
    view = mot("Falcon-40B", config).views["release"]
    assert (view["weights"].level, view["weights"].tracker) == ("partial", "Model parameters (Final): unlicensed")
    assert view["license"].level == "closed"
    # 'Apache 2.0' is read as Apache-2.0, an open licence.
    assert (view["architecture"].level, view["architecture"].tracker) == ("open", "Model architecture: Apache-2.0")
    assert view["training_code"].level == "closed" and view["training_code"].tracker.endswith("not included")


def test_mot_class_follows_the_mot_rules(config):
    # OLMo-7B lists every required component under Apache-2.0 (a research paper stands in for the
    # technical report): Class I. Falcon-40B's unlicensed weights reach no class.
    assert mot("OLMo-7B", config).mof_class == "I"
    assert mot("Falcon-40B", config).mof_class is None
    assert mot("OLMo-7B", config).views["release"]["license"].level == "open"


def test_hub_repo_reads_only_model_repositories():
    assert hub_repo("https://huggingface.co/tiiuae/falcon-40b") == "tiiuae/falcon-40b"
    assert hub_repo("mistralai/Mistral-7B-v0.1") == "mistralai/Mistral-7B-v0.1"
    assert hub_repo("https://huggingface.co/microsoft/phi-1/blob/main/README.md") == "microsoft/phi-1"
    assert hub_repo("https://huggingface.co/collections/meta-llama/meta-llama-3-66214712577ca38149ebb2b6") is None
    assert hub_repo("https://ai.meta.com/resources/models-and-libraries/llama/") is None
    assert hub_repo(None) is None


# ---- matching --------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def imported(tmp_path_factory, catalog):
    root = copy_project(tmp_path_factory.mktemp("trackers") / "project")
    shutil.rmtree(root / "data" / "trackers" / "eosai")
    shutil.rmtree(root / "data" / "trackers" / "mot")
    report = import_trackers(root / "data", TRACKERS / "osai-index", TRACKERS / "mot", catalog, "5a388e8", MOT_COMMIT)
    return root, report, load_trackers(root / "data", catalog)


def test_mot_matches_by_hub_repository_and_curated_file(imported):
    _, report, trackers = imported
    assert trackers.by_model["tiiuae/falcon-40b"]["mot"].entry.id == "Falcon-40B"
    assert trackers.by_model["allenai/OLMo-7B"]["mot"].entry.id == "OLMo-7B"
    # The MOT's Llama-2-7B listing names no repository; data/trackers/matches.yml matches it.
    assert trackers.by_model["meta-llama/Llama-2-7b-hf"]["mot"].entry.id == "Llama-2-7B"
    # Two listings name deepseek-ai/DeepSeek-V3; matches.yml prefers the real one over the test copy.
    assert trackers.by_model["deepseek-ai/DeepSeek-V3"]["mot"].entry.id == "DeepSeek-V3"
    assert any("DeepSeek-V3-test" in note for note in report.notes)


def test_eosai_entry_for_a_newer_release_never_matches_an_older_model(imported):
    _, _, trackers = imported
    # The index's deepseek-R1 entry is named DeepSeek-R1 but links to the newer DeepSeek-R1-0528.
    assert "eosai" not in trackers.by_model.get("deepseek-ai/DeepSeek-R1", {})
    # Its OLMo entry now describes Olmo 3.1; it must not judge OLMo 7B.
    assert "eosai" not in trackers.by_model.get("allenai/OLMo-7B", {})
    # Both are shown on their family page as the view of the family's latest release.
    assert [e.id for e in trackers.family_latest["deepseek"]] == ["deepseek-R1"]
    assert [e.id for e in trackers.family_latest["olmo"]] == ["OLMo"]


def test_eosai_matches_end_and_base_names(imported):
    _, _, trackers = imported
    end = trackers.by_model["meta-llama/Meta-Llama-3-70B-Instruct"]["eosai"]
    base = trackers.by_model["meta-llama/Meta-Llama-3-70B"]["eosai"]
    assert (end.entry.id, end.part, base.entry.id, base.part) == ("llama-3-instruct", "end", "llama-3-instruct", "base")
    assert set(base.components) == {"training_data", "weights"}
    # LLM360 released both Amber and the entry's AmberSafe: Amber is read as its base model.
    assert trackers.by_model["LLM360/Amber"]["eosai"].part == "base"
    # Claire is OpenLLM-France's fine-tune of Falcon-7B: a third party's entry says nothing about Falcon-7B.
    assert "eosai" not in trackers.by_model.get("tiiuae/falcon-7b", {})


def test_eosai_link_to_the_base_model_reads_only_the_base(imported):
    _, _, trackers = imported
    # The index's Phi entry links to microsoft/phi-4 but describes Phi-4-reasoning, built on it:
    # phi-4 gets the base model's dimensions only, and the family page shows Phi-4-reasoning.
    view = trackers.by_model["microsoft/phi-4"]["eosai"]
    assert (view.entry.id, view.part) == ("Phi", "base")
    assert set(view.components) == {"training_data", "weights"}
    assert [e.id for e in trackers.family_latest["phi"]] == ["Phi"]


def test_curated_match_names_both_sides_of_an_entry(imported):
    _, report, trackers = imported
    # Mistral NeMo's entry names no Hub repository and calls the models Mistral-NeMo-12B-*.
    end = trackers.by_model["mistralai/Mistral-Nemo-Instruct-2407"]["eosai"]
    base = trackers.by_model["mistralai/Mistral-Nemo-Base-2407"]["eosai"]
    assert (end.entry.id, end.part, base.entry.id, base.part) == ("mistral-nemo", "end", "mistral-nemo", "base")
    assert not [n for n in report.notes if "mistral-nemo" in n]


def test_family_latest_line_for_an_entry_we_have_is_ignored_and_named(tmp_path, project, catalog):
    eosai_dir, mot_dir = copy_trackers(tmp_path)
    matches = project / "data" / "trackers" / "matches.yml"
    matches.write_text(matches.read_text(encoding="utf-8").replace(
        "family_latest:\n", "family_latest:\n  - {entry: llama-3-instruct, family: llama-3}\n"), encoding="utf-8")
    report = import_trackers(project / "data", eosai_dir, mot_dir, catalog, "5a388e8", MOT_COMMIT)
    trackers = load_trackers(project / "data", catalog)
    # Its end model is one of ours, so it judges that model and is not "a newer release".
    assert "llama-3" not in trackers.family_latest
    assert any("family_latest names llama-3-instruct" in note for note in report.notes)


# ---- the disagreement rule, with worked examples from the real snapshots ---------------------

def test_disagreement_rule(config, catalog):
    rule, criteria = config[0].disagreement, catalog.criteria
    # Falcon-40B (MOT): weights unlicensed -> partial, ours open; weights is one of the lesson's five.
    assert disagrees("open", "partial", "weights", rule, criteria)
    # Falcon-40B (MOT): licence closed (unlicensed) against our open: two steps apart.
    assert disagrees("open", "closed", "license", rule, criteria)
    # Falcon-40B (MOT): research paper unlicensed -> partial, ours open: one step, not a lesson criterion.
    assert not disagrees("open", "partial", "paper", rule, criteria)
    # Llama 3 70B Instruct (EOSAI): licences closed against our partial: one step.
    assert not disagrees("partial", "closed", "license", rule, criteria)
    # Unknown and not applicable are never compared.
    assert not disagrees("unknown", "open", "training_data", rule, criteria)
    assert not disagrees("not_applicable", "closed", "finetuning_data", rule, criteria)


def test_disagreements_of_falcon_40b(imported):
    _, _, trackers = imported
    assert trackers.by_model["tiiuae/falcon-40b"]["mot"].disagrees == ("weights", "license")
    assert "tiiuae/falcon-40b" in trackers.disagreeing()


# ---- who we think is right (data/trackers/verdicts.yml) ----------------------------------------

def test_verdicts_settle_disagreements_on_the_pages(catalog, rendered_docs):
    trackers = load_trackers(ROOT / "data", catalog)
    assert trackers.stale == []  # every committed verdict speaks of a current disagreement
    # The example: the MOT records Falcon-40B's Apache-2.0 weights as unlicensed.
    verdict = trackers.by_model["tiiuae/falcon-40b"]["mot"].verdicts["weights"]
    assert verdict.right == "ours" and "https://huggingface.co/tiiuae/falcon-40b" in verdict.evidence
    pages = {name: (rendered_docs / name).read_text(encoding="utf-8")
             for name in ("trackers.md", "models/tiiuae__falcon-40b.md")}
    shown = "We think our level is right:</strong> " + verdict.reason.replace("'", "&#39;")
    for page in ("trackers.md", "models/tiiuae__falcon-40b.md"):
        assert shown in pages[page], page
    # A disagreement without a verdict says so on /trackers/.
    assert "not settled yet" in pages["trackers.md"]


def test_a_verdict_whose_disagreement_is_gone_is_named_by_the_import(imported):
    root, report, trackers = imported
    # The fixtures hold a few entries only: Falcon-40B's disagreements remain, Qwen1.5-7B's are gone.
    assert "weights" in trackers.by_model["tiiuae/falcon-40b"]["mot"].verdicts
    assert "Qwen/Qwen1.5-7B" not in trackers.by_model
    gone = [n for n in report.notes if "Qwen/Qwen1.5-7B" in n]
    assert len(gone) == 1 and gone[0].startswith("data/trackers/verdicts.yml:") and "delete the verdict" in gone[0]


def test_a_bad_verdict_is_reported_with_its_place(project):
    """verdicts.yml is read and checked once, with the catalog, which every command loads first."""
    from generator.errors import CatalogError

    (project / "data" / "trackers" / "verdicts.yml").write_text(
        "verdicts:\n"
        "  - {model: tiiuae/falcon-40b, source: mot, component: wieghts, right: ours, reason: x,\n"
        "     evidence: [https://huggingface.co/tiiuae/falcon-40b]}\n"
        "  - model: tiiuae/falcon-40b\n"
        "    source: mot\n"
        "    component: weights\n"
        "    right: maybe\n"
        "    reason: x\n"
        "    evidence: [javascript:alert(1)]\n", encoding="utf-8")
    with pytest.raises(CatalogError) as caught:
        load_catalog(project / "data")
    found = {(p.path, p.line, p.field): p.message for p in caught.value.problems}
    assert ("data/trackers/verdicts.yml", 7, "verdicts.1.right") in found
    assert any(key[2] == "verdicts.1.evidence.0" and key[1] == 9 for key in found)
    component = [p for p in caught.value.problems if p.field == "verdicts.0.component"]
    assert component and "'wieghts' is not a component" in component[0].message


# ---- bad tracker files, and writing only what changed -----------------------------------------

def copy_trackers(tmp_path: Path) -> tuple[Path, Path]:
    shutil.copytree(TRACKERS, tmp_path / "src")
    return tmp_path / "src" / "osai-index", tmp_path / "src" / "mot"


def test_malformed_tracker_files_are_named_and_skipped(tmp_path, project, catalog):
    eosai_dir, mot_dir = copy_trackers(tmp_path)
    data = project / "data"
    import_trackers(data, eosai_dir, mot_dir, catalog, "5a388e8", MOT_COMMIT)
    before = (data / "trackers" / "mot" / "BLOOM.yml").read_bytes()
    (mot_dir / "models" / "BLOOM.yml").write_text("release: [unclosed\n", encoding="utf-8")
    text = (eosai_dir / "amber.yaml").read_text(encoding="utf-8").replace("class: open", "class: maybe", 1)
    (eosai_dir / "amber.yaml").write_text(text, encoding="utf-8")
    report = import_trackers(data, eosai_dir, mot_dir, catalog, "5a388e8", MOT_COMMIT)
    skipped = {s.file: s.reason for s in report.skipped}
    assert set(skipped) == {"mot/models/BLOOM.yml", "osai-index/amber.yaml"}
    assert "YAML syntax" in skipped["mot/models/BLOOM.yml"]
    assert "'maybe'" in skipped["osai-index/amber.yaml"]
    # The last good normalised file is kept, whole; the others are still up to date.
    assert (data / "trackers" / "mot" / "BLOOM.yml").read_bytes() == before
    assert (data / "trackers" / "eosai" / "amber.yml").is_file()
    assert not list((data / "trackers").rglob("*.tmp"))
    assert "mot/models/BLOOM.yml" in (data / "trackers" / "mot" / "_source.yml").read_text(encoding="utf-8")


def test_reimport_with_nothing_changed_writes_nothing(tmp_path, project, catalog):
    eosai_dir, mot_dir = copy_trackers(tmp_path)
    data = project / "data"
    first = import_trackers(data, eosai_dir, mot_dir, catalog, "5a388e8", MOT_COMMIT)
    assert first.written
    stamps = {p: p.stat().st_mtime_ns for p in (data / "trackers").rglob("*.yml")}
    again = import_trackers(data, eosai_dir, mot_dir, catalog, "5a388e8", MOT_COMMIT)
    assert again.written == [] and again.removed == []
    assert {p: p.stat().st_mtime_ns for p in (data / "trackers").rglob("*.yml")} == stamps


def test_an_entry_gone_from_the_tracker_is_removed(tmp_path, project, catalog):
    eosai_dir, mot_dir = copy_trackers(tmp_path)
    data = project / "data"
    import_trackers(data, eosai_dir, mot_dir, catalog, "5a388e8", MOT_COMMIT)
    (mot_dir / "models" / "Llama-2-7B.yml").unlink()
    report = import_trackers(data, eosai_dir, mot_dir, catalog, "5a388e8", MOT_COMMIT)
    assert report.removed == ["mot/Llama-2-7B.yml"]


def test_committed_layer_matches_a_fresh_import(imported):
    """The committed files came from the snapshots through today's code (entries whose content does
    not depend on the rest of the tracker)."""
    root, _, _ = imported
    for name in ("mot/Falcon-40B.yml", "mot/OLMo-7B.yml", "mot/Llama-2-7B.yml"):
        fresh = (root / "data" / "trackers" / name).read_text(encoding="utf-8")
        assert fresh == (ROOT / "data" / "trackers" / name).read_text(encoding="utf-8"), name


def test_committed_layer_loads(catalog):
    trackers = load_trackers(ROOT / "data", catalog)
    assert trackers.sources["eosai"].commit == "5a388e8"
    assert trackers.sources["mot"].commit == MOT_COMMIT
    assert "Permission is hereby granted" in trackers.sources["mot"].notice
    assert trackers.covered("mot") >= 20 and trackers.covered("eosai") >= 5


# ---- the command -----------------------------------------------------------------------------

def test_cli_imports_and_reports(tmp_path, project):
    eosai_dir, mot_dir = copy_trackers(tmp_path)
    result = run_in_process("trackers", "import", str(eosai_dir), str(mot_dir), "--eosai-commit", "5a388e8",
                     "--mot-commit", MOT_COMMIT, cwd=project)
    assert result.returncode == 0, result.stderr
    assert "Imported 8 EOSAI and 6 MOT entries" in result.stdout
    again = run_in_process("trackers", "import", str(eosai_dir), str(mot_dir), "--eosai-commit", "5a388e8",
                    "--mot-commit", MOT_COMMIT, cwd=project)
    assert "0 file(s) written" in again.stdout


def test_cli_refuses_a_folder_that_is_not_a_checkout(tmp_path, project):
    eosai_dir, mot_dir = copy_trackers(tmp_path)
    result = run_in_process("trackers", "import", str(eosai_dir), str(mot_dir), cwd=project)
    assert result.returncode == 1
    assert "not a git checkout" in result.stderr and "Traceback" not in result.stderr
    result = run_in_process("trackers", "import", str(mot_dir), str(eosai_dir), "--eosai-commit", "5a388e8",
                     "--mot-commit", "5a388e8", cwd=project)
    assert result.returncode == 1 and "_parameters.yml" in result.stderr


def test_read_mot_names_no_models_folder(tmp_path, config):
    from generator.tracker_import import TrackerImportError

    with pytest.raises(TrackerImportError, match="no models/ folder"):
        read_mot(tmp_path, config[0].mot, MOT_COMMIT)


# ---- hostile or broken files in the layer ------------------------------------------------------

def test_hostile_text_in_the_layer_reaches_readers_as_text(imported, catalog):
    from generator.openness import assess_catalog
    from generator.render import render_pages

    root, _, _ = imported
    path = root / "data" / "trackers" / "mot" / "Falcon-40B.yml"
    original = path.read_text(encoding="utf-8")
    path.write_text(original.replace("name: Falcon-40B", "name: <script>alert(1)</script>"), encoding="utf-8")
    try:
        trackers = load_trackers(root / "data", catalog)
        pages = render_pages(catalog, assess_catalog(catalog), ROOT / "templates", trackers=trackers)
    finally:
        path.write_text(original, encoding="utf-8")
    assert "<script>" not in pages["models/tiiuae__falcon-40b.md"] + pages["trackers.md"]
    assert "&#60;script&#62;" in pages["trackers.md"]


def test_a_bad_link_in_the_layer_is_reported_with_its_place(imported, catalog):
    from generator.errors import CatalogError

    root, _, _ = imported
    path = root / "data" / "trackers" / "eosai" / "OLMo.yml"
    original = path.read_text(encoding="utf-8")
    path.write_text(original.replace("- https://huggingface.co/datasets/allenai/dolma3_mix-5.5T-1125",
                                     "- javascript:alert(1)", 1), encoding="utf-8")
    try:
        with pytest.raises(CatalogError) as caught:
            load_trackers(root / "data", catalog)
    finally:
        path.write_text(original, encoding="utf-8")
    problem = caught.value.problems[0]
    assert problem.path == "data/trackers/eosai/OLMo.yml" and "javascript" in problem.message


def test_a_bad_verdict_is_reported_by_every_command_that_reads_the_catalog(project):
    """verdicts.yml is curated like a model file: validate and i18n extract name its problems with their
    places (a review found validate passing it and extract failing without a place); status goes on."""
    verdicts = project / "data" / "trackers" / "verdicts.yml"
    verdicts.write_text(verdicts.read_text(encoding="utf-8").replace("component: weights", "component: wieghts", 1),
                        encoding="utf-8")
    for command in (["validate"], ["i18n", "extract"]):
        result = run_in_process(*command, cwd=project)
        assert result.returncode == 1, command
        where = r"^data/trackers/verdicts\.yml:\d+:\d+: verdicts\.\d+\.component: "
        assert re.search(where + "'wieghts' is not a component$", result.stderr + result.stdout, re.M), command
        assert "Traceback" not in result.stderr
    status = run_in_process("i18n", "status", cwd=project)
    assert status.returncode == 0 and "data strings not counted" in status.stdout
