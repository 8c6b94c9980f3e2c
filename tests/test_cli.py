"""The command line as a contributor meets it: messages, exit codes, no tracebacks.

What only a real process shows (the exit status, stderr, no traceback printed, --debug's traceback) runs
``openmodels`` in a subprocess (run_cli); the other tests run the same entry point in-process
(run_in_process), which saves the third of a second a new interpreter takes to import the generator."""

from __future__ import annotations

import re

from conftest import run_cli, run_in_process


def test_help_has_examples(tmp_path):
    import click

    from generator.cli import cli

    def commands(group: click.Group, prefix: tuple[str, ...] = ()):
        for name, command in group.commands.items():
            yield (*prefix, name)
            if isinstance(command, click.Group):
                yield from commands(command, (*prefix, name))

    every = sorted(commands(cli))
    assert ("discover",) in every and ("i18n", "status") in every
    for command in every:
        result = run_in_process(*command, "--help", cwd=tmp_path)  # help needs no project
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
    other = run_in_process("validate", "data/families", cwd=project)
    assert other.returncode == 0
    same = run_in_process("validate", "data/models/olmo", cwd=project)
    assert same.returncode == 1


def test_github_annotations(project):
    model = project / "data" / "models" / "olmo" / "allenai__OLMo-7B.yml"
    model.write_text(model.read_text().replace("kind: base", "kind: bsae"))
    result = run_in_process("validate", "--format", "github", cwd=project)
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
    result = run_in_process("schema", cwd=project)
    assert result.returncode == 0, result.stderr
    stale = project / "data" / "schema" / "model.schema.json"
    stale.write_text("{}\n")
    result = run_in_process("schema", cwd=project)
    assert result.returncode == 1 and "out of date" in result.stderr


def test_build_refuses_a_site_dir_that_is_not_a_site(project):
    keep = project / "keep"
    keep.mkdir()
    (keep / "notes.txt").write_text("precious")
    for target in (".", "data", "site_src", str(keep)):
        result = run_cli("build", "--site-dir", target, cwd=project)
        assert result.returncode == 1 and "refusing to" in result.stderr, (target, result.stderr)
        assert "Traceback" not in result.stderr
    assert (keep / "notes.txt").read_text() == "precious"
    assert (project / "data" / "criteria.yml").exists() and (project / "mkdocs.yml").exists()
    # A folder built before (it carries the marker) may be replaced.
    out = project / "out"
    assert run_cli("build", "--site-dir", str(out), cwd=project).returncode == 0
    assert run_cli("build", "--site-dir", str(out), cwd=project).returncode == 0
    assert (out / ".openmodels-site").exists()


def test_impossible_dates_are_caught_by_validate(project):
    model = project / "data" / "models" / "olmo" / "allenai__OLMo-7B.yml"
    text = model.read_text()
    model.write_text(re.sub(r"^release_date: .*$", "release_date: 2024-02-30", text, count=1, flags=re.M))
    result = run_in_process("validate", cwd=project)
    assert result.returncode == 1
    assert "release_date: 2024-02-30: February 2024 has days 01 to 29, not 30" in result.stderr


def test_broken_translation_front_matter_is_a_clean_error(project):
    page = project / "site_src" / "lesson" / "benefits.sv.md"
    page.write_text("---\nsource_hash: [oops\n---\n# Titel\n")
    result = run_in_process("i18n", "status", cwd=project)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "benefits.sv.md: its front matter is not valid YAML" in result.stderr


def test_refresh_of_a_family_without_models_refreshes_nothing(project):
    (project / "data" / "families" / "empty.yml").write_text(
        "id: empty\nname: Empty\norganisation: Nobody\nsummary: A family with no models yet.\n")
    result = run_in_process("refresh", "--family", "empty", "--endpoint", "http://127.0.0.1:9", cwd=project)
    assert result.returncode == 2 and "no models" in result.stderr


def test_validate_of_a_path_that_does_not_exist(project):
    result = run_in_process("validate", "data/models/olmo/allenai__OLMo-8B.yml", cwd=project)
    assert result.returncode == 1 and "no such file or folder: data/models/olmo/allenai__OLMo-8B.yml" in result.stderr


def test_debug_shows_the_traceback_behind_an_error(project):
    plain = run_cli("validate", "data/nothing-here", cwd=project)
    debug = run_cli("--debug", "validate", "data/nothing-here", cwd=project)
    for result in (plain, debug):
        assert result.returncode == 1 and "Error: no such file or folder: data/nothing-here" in result.stderr
    assert "Traceback" not in plain.stderr
    assert "Traceback (most recent call last)" in debug.stderr and "problems_under" in debug.stderr


def test_refresh_no_longer_takes_discover_options(project):
    result = run_in_process("refresh", "--discover", cwd=project)
    assert result.returncode == 2 and "No such option" in result.stderr
