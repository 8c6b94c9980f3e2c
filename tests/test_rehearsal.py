"""The GitHub workflows, rehearsed here (tests/rehearsal.py): every job's steps run in a clean copy
with only the programs its machine provides; and the rehearsal itself catches what it is for."""

from __future__ import annotations

import subprocess
import textwrap
import time
from pathlib import Path

import pytest
from rehearsal import load_images, programs_called, rehearse, report

ROOT = Path(__file__).resolve().parent.parent
WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))


@pytest.mark.slow  # a clean copy and every step of each job, per workflow
@pytest.mark.parametrize("workflow", WORKFLOWS, ids=lambda p: p.stem)
def test_workflow_passes_its_rehearsal(workflow: Path):
    jobs = rehearse(workflow)
    assert jobs and all(job.ok for job in jobs), report(jobs)
    ran = {step.name: step.outcome for job in jobs for step in job.steps}
    assert "failure" not in {o for n, o in ran.items() if n != "Refresh"}, report(jobs)


def test_the_python_image_has_no_npm_and_the_runner_has_no_surprises():
    images = load_images()["images"]
    python = images["python:3.11-bookworm"]["programs"]
    assert {"make", "git", "apt-get", "python3", "pip", "bash", "sh", "awk", "tar"} <= python
    assert not {"npm", "node", "sudo", "chromium"} & python
    assert {"sudo", "npm", "make", "git"} <= images["ubuntu-latest"]["programs"]


def project(tmp_path: Path, workflow: str, makefile: str = "") -> Path:
    """A tiny project with one workflow, in a git repository."""
    root = tmp_path / "project"
    (root / ".github" / "workflows").mkdir(parents=True)
    (root / ".github" / "workflows" / "w.yml").write_text(textwrap.dedent(workflow))
    (root / "Makefile").write_text(textwrap.dedent(makefile))
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)
    return root


NPM_IN_MAKE = """\
    test:
    \tmkdir -p build/node
    \tnpm install --prefix build/node axe-core
    """
# make runs a recipe line with shell syntax through /bin/sh, which words its complaint differently.
NPM_IN_MAKE_SHELL = """\
    test:
    \ttest -d build/node/node_modules || npm ci --prefix build/node
    """


@pytest.mark.parametrize("makefile", [NPM_IN_MAKE, NPM_IN_MAKE_SHELL], ids=["exec", "shell"])
@pytest.mark.parametrize("full", [False, True], ids=["quick", "full"])
def test_npm_in_the_python_container_fails(tmp_path: Path, full: bool, makefile: str):
    root = project(tmp_path, """\
        on: pull_request
        jobs:
          check:
            runs-on: ubuntu-latest
            container: python:3.11-bookworm
            steps:
              - run: make test
        """, makefile)
    (job,) = rehearse(root / ".github" / "workflows" / "w.yml", root, full=full, timeout=60)
    assert not job.ok
    assert "calls `npm`, which python:3.11-bookworm and the job's setup steps do not provide" in job.problems[0]


def test_the_same_step_passes_where_the_machine_has_the_program(tmp_path: Path):
    root = project(tmp_path, """\
        on: push
        jobs:
          build:
            runs-on: ubuntu-latest
            steps:
              - run: make test
        """, NPM_IN_MAKE)
    (job,) = rehearse(root / ".github" / "workflows" / "w.yml", root, timeout=60)
    assert job.ok, report([job])


def test_steps_run_in_order_with_githubs_variables_and_conditions(tmp_path: Path):
    root = project(tmp_path, """\
        on: pull_request
        jobs:
          check:
            runs-on: ubuntu-latest
            env:
              WHERE: ${{ runner.os }}
            steps:
              - id: first
                run: |
                  test "$GITHUB_ACTIONS" = true && test "$CI" = true && test "$GITHUB_EVENT_NAME" = pull_request
                  test "$PWD" = "$GITHUB_WORKSPACE" && test -f Makefile
                  git log -1 --format=%H | grep -q "$GITHUB_SHA"
                  echo "answer=42" >> "$GITHUB_OUTPUT"
              - run: test "${{ steps.first.outputs.answer }}" = 42 && test "$WHERE" = Linux && exit 3
                continue-on-error: true
              - run: definitely-not-a-program
              - name: skipped after a failure
                run: "true"
              - name: runs anyway
                if: ${{ !cancelled() }}
                run: "true"
        """)
    (job,) = rehearse(root / ".github" / "workflows" / "w.yml", root, timeout=60)
    outcomes = [step.outcome for step in job.steps]
    assert outcomes == ["success", "failure", "failure", "skipped", "success"], report([job])
    assert len(job.problems) == 1 and "calls `definitely-not-a-program`" in job.problems[0]


def test_what_the_rehearsal_cannot_do_is_a_failure_not_a_pass(tmp_path: Path):
    root = project(tmp_path, """\
        on: push
        jobs:
          a:
            runs-on: ubuntu-latest
            steps:
              - uses: someone/unknown-action@0123456789012345678901234567890123456789 # v1.0.0
          b:
            runs-on: windows-latest
            steps:
              - run: "true"
          c:
            runs-on: ubuntu-latest
            steps:
              - run: echo ${{ secrets.TOKEN }}
        """)
    a, b, c = rehearse(root / ".github" / "workflows" / "w.yml", root, timeout=60)
    assert "does not know what someone/unknown-action does" in a.problems[0]
    assert "windows-latest: unknown machine" in b.problems[0]
    assert "cannot evaluate ${{ secrets.TOKEN }}" in c.problems[0]


def test_programs_called_by_a_recipe():
    recipe = """test -x /usr/bin/chromium || { \\
      echo "Installing"; \\
      if [ "$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \\
      $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y chromium >/dev/null; }
    .venv/bin/python -m pytest -q | tee log.txt
    """
    assert programs_called(recipe) == ["id", "apt-get", "apt-get", "tee"]


@pytest.mark.slow  # waits out the step's timeout, then kills what it started
def test_a_step_out_of_time_is_stopped_with_all_it_started(tmp_path: Path):
    root = project(tmp_path, """\
        on: push
        jobs:
          slow:
            runs-on: ubuntu-latest
            steps:
              - run: (sleep 25; touch late.txt) & sleep 25
        """)
    started = time.monotonic()
    (job,) = rehearse(root / ".github" / "workflows" / "w.yml", root, timeout=2)
    # Had the background sleep survived, its open output would have kept the rehearsal waiting.
    assert time.monotonic() - started < 20
    assert "timed out after 2 s" in job.problems[0]
