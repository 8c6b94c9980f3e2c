"""A new contributor's path: `openmodels new`, fill the file, `validate`; and what may never happen on the way
(a file overwritten, a path outside data/, a link or symlink that escapes, a traceback)."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import copy_project

from generator.catalog import load_catalog, load_criteria
from generator.cli import cli
from generator.errors import CatalogError
from generator.render import describe_schema
from generator.scaffold import SCHEMA_LINE, draft_model
from generator.source import parse_yaml, read_yaml

ROOT = Path(__file__).resolve().parent.parent
NEW_ID = "EleutherAI/pythia-12b-deduped-v2"
NEW_FILE = Path("data/models/pythia/EleutherAI__pythia-12b-deduped-v2.yml")


def openmodels(project: Path, *args: str):
    """Run a command in-process, as `openmodels ... --root project`; never raises."""
    result = CliRunner().invoke(cli, [*args, "--root", str(project)])
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    return result


def report_lines(output: str) -> list[str]:
    return [line for line in output.splitlines() if re.match(r"^data/\S+:\d+:\d+: ", line)]


def test_new_drafts_every_component_as_unknown(project):
    result = openmodels(project, "new", NEW_ID, "--family", "pythia")
    assert result.exit_code == 0, result.output
    assert f"Wrote {NEW_FILE}" in result.output and "No Hub snapshot" in result.output
    text = (project / NEW_FILE).read_text(encoding="utf-8")
    assert text.startswith(SCHEMA_LINE)
    assert (project / "data" / "models" / "pythia" / SCHEMA_LINE.split("=")[1].strip()).resolve() == \
        (project / "data" / "schema" / "model.schema.json").resolve()
    data = read_yaml(project / NEW_FILE).data
    criteria = load_criteria(project / "data")
    assert list(data["components"]) == criteria.keys
    assert all(c == {"level": "unknown", "evidence": [], "note": ""} for c in data["components"].values())
    assert (data["id"], data["family"], data["kind"]) == (NEW_ID, "pythia", "base")
    # Without a snapshot only the licence is left to fill in, and validate says exactly that.
    checked = openmodels(project, "validate", str(project / NEW_FILE))
    assert checked.exit_code == 1
    line = next(i for i, text_line in enumerate(text.splitlines(), 1) if text_line.startswith("license:"))
    assert report_lines(checked.output) == [f"{NEW_FILE}:{line}:9: license: no value given"]
    assert "hint: write the value after the colon (an id from data/licenses.yml, e.g. Apache-2.0)" in checked.output


def test_new_never_overwrites(project):
    assert openmodels(project, "new", NEW_ID, "--family", "pythia").exit_code == 0
    path = project / NEW_FILE
    path.write_text(path.read_text().replace('name: "pythia 12b deduped v2"', "name: My work"))
    before = path.read_bytes()
    again = openmodels(project, "new", NEW_ID, "--family", "pythia")
    assert again.exit_code == 1 and "already in the catalog" in again.output and "edit that file" in again.output
    other_case = openmodels(project, "new", NEW_ID.lower(), "--family", "pythia")
    assert other_case.exit_code == 1 and "Hub ids ignore case" in other_case.output
    elsewhere = openmodels(project, "new", NEW_ID, "--family", "olmo")
    assert elsewhere.exit_code == 1 and "already in the catalog" in elsewhere.output
    assert path.read_bytes() == before
    assert not (project / "data" / "models" / "olmo" / NEW_FILE.name).exists()


def test_new_prefills_from_the_hub_snapshot(project):
    (project / "data" / "models" / "mistral" / "HuggingFaceH4__zephyr-7b-beta.yml").unlink()
    result = openmodels(project, "new", "HuggingFaceH4/zephyr-7b-beta", "--family", "mistral")
    assert result.exit_code == 0, result.output
    assert "From the Hub snapshot: base_model, license, parameters, release_date" in result.output
    data = read_yaml(project / "data" / "models" / "mistral" / "HuggingFaceH4__zephyr-7b-beta.yml").data
    assert (data["license"], data["base_model"], data["release_date"], data["parameters"], data["kind"]) == \
        ("MIT", "mistralai/Mistral-7B-v0.1", "2023-10-26", 7241732096, "fine-tune")
    # A draft pre-filled from a snapshot is valid as it stands: a contributor only adds levels.
    assert openmodels(project, "validate").exit_code == 0


@pytest.mark.parametrize("snapshot, expected", [
    ("id: demo-org/New-1B\nhub_license: other\nhub_license_name: llama2\nbase_models: [{id: demo-org/Base-1B}]\n",
     {"license": "LicenseRef-Llama-2", "base_model": "demo-org/Base-1B"}),
    ("id: demo-org/New-1B\nlicense: Apache-2.0\ncreated: '2024-05-06T07:08:09Z'\nparameters: 123\n",
     {"license": "Apache-2.0", "release_date": "2024-05-06", "parameters": 123}),
    ("id: demo-org/New-1B\nlicense: NotARegistryId\nbase_models: [{id: ../../etc}]\nparameters: -5\ncreated: x\n", {}),
    ("id: demo-org/Other-1B\nlicense: MIT\n", {}),  # a snapshot of another model
    ("- just\n- a list\n", {}),
    ("key: [unclosed\n", {}),
    ("a: &x 1\nb: *x\n", {}),
])
def test_snapshots_are_read_defensively(fixture_catalog, snapshot, expected):
    hub = fixture_catalog / "hub" / "demo-org"
    hub.mkdir(parents=True)
    (hub / "New-1B.yml").write_text(snapshot)
    draft = draft_model(fixture_catalog, "demo-org/New-1B", "demo")
    assert not draft.path.exists()  # drafting alone writes nothing
    data = parse_yaml(draft.text, "draft").data
    assert {k: data[k] for k in expected} == expected
    assert sorted(draft.from_hub) == sorted(expected)


@pytest.fixture(scope="module")
def refusing_project(tmp_path_factory):
    """One copy of the project for the refusals below: each checks that it wrote nothing."""
    return copy_project(tmp_path_factory.mktemp("refusals") / "project")


@pytest.mark.parametrize("model_id, family, message", [
    ("../../etc/passwd", "pythia", "is not a Hub repo id"),
    ("/etc/passwd", "pythia", "is not a Hub repo id"),
    ("org/name/extra", "pythia", "is not a Hub repo id"),
    ("org/..", "pythia", "is not a Hub repo id"),
    ("org/name", "../../site", "is not a family id"),
    ("org/name", "/tmp", "is not a family id"),
    ("org/name", "Pythia", "is not a family id"),
    ("org/name", "pythai", "unknown family 'pythai'; did you mean 'pythia'?"),
    ("org/name", "brand-new", "openmodels new-family brand-new"),
])
def test_new_refuses_bad_ids_and_families(refusing_project, model_id, family, message):
    project = refusing_project
    before = sorted(p for p in project.rglob("*") if "build" not in p.parts)
    result = openmodels(project, "new", model_id, "--family", family)
    assert result.exit_code == 1
    assert message in result.output and "Traceback" not in result.output
    assert sorted(p for p in project.rglob("*") if "build" not in p.parts) == before


def test_new_refuses_a_family_folder_linked_outside(project, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    folder = project / "data" / "models" / "pythia"
    for path in folder.iterdir():
        path.unlink()
    folder.rmdir()
    folder.symlink_to(outside, target_is_directory=True)
    result = openmodels(project, "new", NEW_ID, "--family", "pythia")
    assert result.exit_code == 1 and "refusing to write outside" in result.output
    assert list(outside.iterdir()) == []


def test_a_contributors_mistakes_get_pointed_messages(project):
    """As in CONTRIBUTING.md: draft, fill in with typical mistakes, read the messages, fix, validate."""
    assert openmodels(project, "new", NEW_ID, "--family", "pythia").exit_code == 0
    path = project / NEW_FILE
    draft = path.read_text()
    weights = draft.index("  weights:")
    filled = (draft[:weights] + draft[weights:].replace("level: unknown", "level: opne", 1)).replace(
        "license:  # an id", "license: apache-2.0  # an id")
    path.write_text(filled)
    result = openmodels(project, "validate", str(path))
    assert result.exit_code == 1
    lines = [line.removeprefix("data/models/pythia/EleutherAI__pythia-12b-deduped-v2.yml")
             for line in result.output.splitlines()[:4]]
    assert lines == [":12:10: license: unknown licence 'apache-2.0'",
                     "    hint: did you mean 'Apache-2.0'?",
                     ":25:12: components.weights.level: 'opne' is not allowed",
                     "    hint: did you mean 'open'? (one of: open, partial, closed, unknown, not_applicable)"]
    # The example in CONTRIBUTING.md is this very output, for its example model (a draft of the same shape).
    guide = (ROOT / "CONTRIBUTING.md").read_text()
    for line in lines:
        assert ("data/models/olmo/allenai__OLMo-2-1124-13B.yml" + line if line.startswith(":") else line) in guide
    # Fixed, but 'open' without a link: the message names the line and the way out.
    path.write_text(filled.replace("level: opne", "level: open").replace("license: apache-2.0", "license: Apache-2.0"))
    result = openmodels(project, "validate", str(path))
    assert report_lines(result.output) == [
        f"{NEW_FILE}:26:15: components.weights.evidence: level 'open' needs at least one evidence link"]
    assert "hint: add the URL that supports it, or set level: unknown" in result.output
    text = path.read_text()
    at = text.index("  weights:")
    path.write_text(text[:at] + text[at:].replace("evidence: []", "evidence: [https://huggingface.co/EleutherAI]", 1))
    result = openmodels(project, "validate", str(path))
    assert result.exit_code == 0 and "The catalog is valid." in result.output


def test_no_command_rewrites_curated_files(project):
    def curated() -> dict[str, tuple[bytes, int]]:
        data = project / "data"
        return {p.relative_to(data).as_posix(): (p.read_bytes(), p.stat().st_mtime_ns) for p in data.rglob("*")
                if p.is_file() and p.relative_to(data).parts[0] not in ("schema", "hub")}

    before = curated()
    for args in (["validate"], ["validate", "--format", "github"], ["schema", "--write"], ["schema"],
                 ["new", "allenai/OLMo-7B", "--family", "olmo"], ["new", NEW_ID, "--family", "pythia"]):
        openmodels(project, *args)
    after = curated()
    assert after.pop(NEW_FILE.relative_to("data").as_posix())
    assert after == before


# Files that are not what they claim to be.

def problems(data: Path) -> list[str]:
    with pytest.raises(CatalogError) as info:
        load_catalog(data)
    return [str(p).split("\n")[0] for p in info.value.problems]


def test_symlinks_in_the_catalog_are_refused(fixture_catalog, tmp_path):
    secret = tmp_path / "secret.yml"
    secret.write_text("id: leaked/Secret-1B\ntoken: hunter2\n")
    (fixture_catalog / "models" / "demo" / "demo-org__Link-1B.yml").symlink_to(secret)
    (fixture_catalog / "models" / "elsewhere").symlink_to(tmp_path, target_is_directory=True)
    (fixture_catalog / "families" / "linked.yml").symlink_to(secret)
    found = problems(fixture_catalog)
    assert found == [
        "data/families/linked.yml:1:1: (file): symbolic links are not allowed in the catalog",
        "data/models/demo/demo-org__Link-1B.yml:1:1: (file): symbolic links are not allowed in the catalog",
        "data/models/elsewhere:1:1: (file): symbolic links are not allowed in the catalog",
    ]
    assert not any("hunter2" in p or "leaked" in p for p in found)


def test_special_files_are_refused_without_a_traceback(fixture_catalog):
    (fixture_catalog / "families" / "folder.yml").mkdir()
    os.mkfifo(fixture_catalog / "models" / "demo" / "demo-org__Fifo-1B.yml")
    found = problems(fixture_catalog)
    assert found == ["data/families/folder.yml:1:1: (file): not a regular file",
                     "data/models/demo/demo-org__Fifo-1B.yml:1:1: (file): not a regular file"]


def test_github_annotations_escape_what_a_contributor_controls(fixture_catalog):
    (fixture_catalog.parent / "mkdocs.yml").write_text("site_name: t\n")
    (fixture_catalog / "models" / "demo" / "a,b:c.yml").write_text('id: x\n"k%\\n::error::x": 1\n')
    result = openmodels(fixture_catalog.parent, "validate", "--format", "github")
    assert result.exit_code == 1
    annotations = [line for line in result.output.splitlines() if line.startswith("::")]
    assert annotations and all(re.match(r"^::(error|warning) file=[^,:]+,line=\d+,col=\d+,title=[^,:]+::", a)
                               for a in annotations), annotations
    assert any("file=data/models/demo/a%2Cb%3Ac.yml" in a for a in annotations)
    assert not any(line.startswith("::error::x") for line in result.output.splitlines())


def test_every_documented_field_has_a_description_and_an_example():
    for item in describe_schema():
        assert item["doc"], item["name"]
        for field in item["fields"]:
            assert field["description"], f"{item['name']}.{field['name']} has no docstring"
            assert field["example"], f"{item['name']}.{field['name']} has no Field(examples=...) in generator/schema.py"
