"""The command line as a contributor meets it: messages, exit codes, no tracebacks."""

from __future__ import annotations

import re

from conftest import run_cli


def test_help_has_examples(project):
    for command in ("build", "serve", "validate", "schema"):
        result = run_cli(command, "--help", cwd=project)
        assert result.returncode == 0
        assert "Example" in result.stdout, command


def test_validate_clean_catalog(project):
    result = run_cli("validate", cwd=project)
    assert result.returncode == 0, result.stderr
    assert "valid" in result.stdout.lower()


def test_validate_reports_every_problem_and_exits_1(project):
    model = project / "data" / "models" / "olmo" / "allenai__OLMo-7B.yml"
    model.write_text(model.read_text().replace("kind: base", "kind: bsae").replace("license: Apache-2.0",
                                                                                  "license: apache"))
    family = project / "data" / "families" / "olmo.yml"
    family.write_text(family.read_text() + "colour: blue\n")
    result = run_cli("validate", cwd=project)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if re.match(r"^data/\S+:\d+:\d+: ", line)]
    assert len(lines) == 3, result.stderr
    assert any(": kind: 'bsae' is not allowed" in line for line in lines)
    assert any(": license: unknown licence 'apache'" in line for line in lines)
    assert any("olmo.yml:" in line and ": colour: unknown key 'colour'" in line for line in lines)
    assert "hint: did you mean 'base'?" in result.stderr
    assert "Error: 3 problem(s) found" in result.stderr


def test_validate_limited_to_paths(project):
    model = project / "data" / "models" / "olmo" / "allenai__OLMo-7B.yml"
    model.write_text(model.read_text().replace("kind: base", "kind: bsae"))
    other = run_cli("validate", "data/families", cwd=project)
    assert other.returncode == 0
    same = run_cli("validate", "data/models/olmo", cwd=project)
    assert same.returncode == 1


def test_github_annotations(project):
    model = project / "data" / "models" / "olmo" / "allenai__OLMo-7B.yml"
    model.write_text(model.read_text().replace("kind: base", "kind: bsae"))
    result = run_cli("validate", "--format", "github", cwd=project)
    assert result.returncode == 1
    assert re.search(r"^::error file=data/models/olmo/allenai__OLMo-7B\.yml,line=\d+,col=7,title=kind::'bsae'",
                     result.stdout, re.MULTILINE)


def test_build_refuses_invalid_catalog(project):
    (project / "data" / "families" / "olmo.yml").write_text("id: [unclosed\n")
    result = run_cli("build", "--site-dir", str(project / "out"), cwd=project)
    assert result.returncode == 1
    assert "data/families/olmo.yml:2:1: (file): YAML syntax" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (project / "out").exists()


def test_schema_files_are_current(project):
    result = run_cli("schema", cwd=project)
    assert result.returncode == 0, result.stderr
    stale = project / "data" / "schema" / "model.schema.json"
    stale.write_text("{}\n")
    result = run_cli("schema", cwd=project)
    assert result.returncode == 1 and "out of date" in result.stderr
