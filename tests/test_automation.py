"""The contributor-facing automation (GitHub workflows, templates, pre-commit) parses, and every command it
runs exists: make targets in the Makefile, openmodels subcommands and their options."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from generator.cli import cli

ROOT = Path(__file__).resolve().parent.parent
GITHUB = ROOT / ".github"
WORKFLOWS = sorted((GITHUB / "workflows").glob("*.yml"))


def load(path: Path) -> dict:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict), path
    return data


def triggers(workflow: dict) -> dict:
    # YAML 1.1 reads the key `on` as true.
    return workflow.get("on", workflow.get(True)) or {}


def steps(workflow: dict) -> list[dict]:
    return [step for job in workflow["jobs"].values() for step in job.get("steps", [])]


def commands(text: str) -> list[list[str]]:
    """The simple commands of a shell snippet, split into words."""
    found = []
    for line in text.splitlines():
        for part in re.split(r"&&|\|\||;|\|", line.split(" #")[0]):
            words = shlex.split(part)
            if words:
                found.append(words)
    return found


def make_targets() -> set[str]:
    return {m.group(1) for m in re.finditer(r"^([A-Za-z0-9_.-]+):(?!=)", (ROOT / "Makefile").read_text(), re.M)}


def check_command(words: list[str]) -> None:
    """``words`` names a make target or an openmodels subcommand (with its options) that exists."""
    program = Path(words[0]).name
    if program == "make":
        for target in (w for w in words[1:] if not w.startswith("-") and "=" not in w):
            assert target in make_targets(), f"make {target}: no such target in the Makefile"
    elif program == "openmodels":
        path = [w for w in words[1:] if not w.startswith("-")][:2]
        result = CliRunner().invoke(cli, [*path[:1], "--help"])
        assert result.exit_code == 0, f"openmodels {path[0]}: {result.output}"
        group = result.output
        if "Commands:" in group and len(path) > 1:
            result = CliRunner().invoke(cli, [*path, "--help"])
            assert result.exit_code == 0, f"openmodels {' '.join(path)}: {result.output}"
        for option in (w.split("=")[0] for w in words[1:] if w.startswith("--")):
            assert option in result.output, f"openmodels {path[0]} has no option {option}"
        if "--format" in words:
            value = words[words.index("--format") + 1]
            assert value in result.output, f"openmodels {path[0]} --format {value}"


def check_pinned(path: Path, uses: str) -> None:
    """A third-party action is pinned to a full commit SHA, with the release it is in a comment."""
    assert re.fullmatch(r"[\w.-]+/[\w.-]+(/[\w./-]+)?@[0-9a-f]{40}", uses), f"{path.name}: {uses} is not pinned"
    assert re.search(rf"uses: {re.escape(uses)} # v\d+\.\d+\.\d+$", path.read_text(), re.M), \
        f"{path.name}: {uses} needs its tag in a comment"


def test_workflows_parse_and_run_commands_that_exist():
    assert {p.name for p in WORKFLOWS} >= {"pull-request.yml", "pages.yml", "refresh.yml"}
    for path in WORKFLOWS:
        workflow = load(path)
        assert workflow.get("name") and triggers(workflow) and workflow.get("jobs"), path.name
        for step in steps(workflow):
            assert "uses" in step or "run" in step, (path.name, step)
            if "uses" in step:
                check_pinned(path, step["uses"])
            for words in commands(step.get("run", "")):
                check_command(words)


def run_lines(workflow: dict) -> str:
    return "\n".join(step.get("run", "") for step in steps(workflow))


def test_pull_requests_run_the_tests_and_annotate_problems():
    workflow = load(GITHUB / "workflows" / "pull-request.yml")
    assert "pull_request" in triggers(workflow)
    assert workflow["permissions"] == {} and workflow["jobs"]["check"]["permissions"] == {"contents": "read"}
    runs = run_lines(workflow)
    assert "make test" in runs and "openmodels validate --format github" in runs


def test_main_is_deployed_to_pages():
    workflow = load(GITHUB / "workflows" / "pages.yml")
    assert triggers(workflow)["push"]["branches"] == ["main"]
    assert workflow["permissions"] == {}
    assert workflow["jobs"]["build"]["permissions"] == {"contents": "read"}
    assert workflow["jobs"]["deploy"]["permissions"] == {"pages": "write", "id-token": "write"}
    build = next(s for s in steps(workflow) if s.get("run") == "make site")
    assert build["env"]["SITE_URL"] == "${{ steps.pages.outputs.base_url }}/", "site_url comes from Pages"
    uses = [step.get("uses", "") for step in steps(workflow)]
    assert any(u.startswith("actions/upload-pages-artifact@") for u in uses)
    assert any(u.startswith("actions/deploy-pages@") for u in uses)
    upload = next(s for s in steps(workflow) if s.get("uses", "").startswith("actions/upload-pages-artifact@"))
    assert upload["with"]["path"] == "site"
    assert "make site" in run_lines(workflow)


def test_weekly_refresh_opens_a_pull_request():
    workflow = load(GITHUB / "workflows" / "refresh.yml")
    (schedule,) = triggers(workflow)["schedule"]
    assert len(schedule["cron"].split()) == 5 and schedule["cron"].split()[4] != "*"
    assert "openmodels refresh" in run_lines(workflow)
    pr = next(s for s in steps(workflow) if s.get("uses", "").startswith("peter-evans/create-pull-request@"))
    assert pr["with"]["add-paths"] == "data/hub/**", "only machine-owned files may be proposed"
    assert "':(exclude)data/hub'" in run_lines(workflow), "a change outside data/hub/ stops the run"
    assert workflow["permissions"] == {}
    assert workflow["jobs"]["refresh"]["permissions"] == {"contents": "write", "pull-requests": "write"}


def test_checkouts_keep_no_token_and_pip_downloads_are_cached():
    for path in WORKFLOWS:
        workflow = load(path)
        for step in steps(workflow):
            if step.get("uses", "").startswith("actions/checkout@"):
                assert step["with"]["persist-credentials"] is False, path.name
            if step.get("uses", "").startswith("actions/setup-python@"):
                assert step["with"]["cache"] == "pip", path.name
        container_jobs = [job for job in workflow["jobs"].values() if "container" in job]
        for job in container_jobs:  # setup-python is not used in a container: its pip cache by hand
            assert any("cache" in s.get("uses", "") and s["with"]["path"] == "~/.cache/pip" for s in job["steps"])


def test_pre_commit_runs_validate_and_ruff():
    config = load(ROOT / ".pre-commit-config.yaml")
    hooks = {hook["id"]: hook for repo in config["repos"] for hook in repo["hooks"]}
    assert {"validate", "ruff"} <= set(hooks)
    assert hooks["validate"]["pass_filenames"] is False and re.match(hooks["validate"]["files"], "data/models/x.yml")
    for hook in hooks.values():
        assert hook["language"] == "system"
        (words,) = commands(hook["entry"])
        if Path(words[0]).name == "ruff":
            assert (ROOT / ".venv" / "bin" / "ruff").exists() or words[0] == "ruff"
        else:
            check_command(words)


def test_issue_and_pull_request_templates():
    form = load(GITHUB / "ISSUE_TEMPLATE" / "add-model.yml")
    assert form["name"] and form["description"] and isinstance(form["body"], list)
    fields = {item["id"]: item for item in form["body"] if "id" in item}
    for required in ("hf_id", "family", "evidence"):
        assert fields[required]["validations"]["required"] is True
    assert all(item["type"] in {"markdown", "input", "textarea", "dropdown", "checkboxes"} for item in form["body"])
    template = (GITHUB / "pull_request_template.md").read_text()
    assert "openmodels validate" in template and "evidence" in template.lower() and "- [ ]" in template


@pytest.mark.parametrize("doc", ["CONTRIBUTING.md", "README.md", ".github/pull_request_template.md",
                                 ".github/ISSUE_TEMPLATE/add-model.yml"])
def test_commands_named_in_the_docs_exist(doc):
    text = (ROOT / doc).read_text(encoding="utf-8")
    named = set(re.findall(r"`(openmodels [a-z][^`]*?)`", text) + re.findall(r"`(make [a-z][\w-]*)`", text))
    named |= {m.group(1).strip() for m in re.finditer(r"^\s*((?:\.venv/bin/)?openmodels [a-z][^#\n]*|make [a-z][\w-]*)",
                                                      text, re.M)}
    for command in sorted(named):
        words = [w for w in shlex.split(command.replace("…", "")) if not re.fullmatch(r"\[.*\]?|.*\]|[A-Z_/]+", w)]
        check_command(words)


def test_every_command_has_an_example_in_its_help():
    for name in cli.commands:
        result = CliRunner().invoke(cli, [name, "--help"])
        assert result.exit_code == 0 and "Example" in result.output, name
    assert "new" in cli.commands
