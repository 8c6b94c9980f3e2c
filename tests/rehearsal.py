"""Rehearse the GitHub workflows on this machine, before GitHub runs them.

For every job of a workflow: copy the project as it would be committed into a fresh git repository,
then run the job's ``run:`` steps in order, with the variables GitHub sets and with a PATH holding
only the programs the job's machine provides (``tests/ci_images.yml``), so that a step calling a
program the container image lacks (``npm`` in ``python:3.11-bookworm``) fails here as it would there.

Actions cannot run here. The rehearsal knows what the ones we use do to a job (setup-python adds a
Python, configure-pages names the Pages address, create-pull-request commits what changed) and
checks what it can of them; an action it does not know is a failure, not a silent skip.

Quick mode (the default, and what ``make test`` runs) does not run ``make`` targets: it asks
``make --dry-run`` for the commands a target would run and checks that each program they call is
provided. Everything else runs for real, with the project's own ``.venv`` standing in for the one
``make install`` would have made. ``--full`` (``make ci-rehearsal``) runs every step for real,
including ``make install`` into a new virtualenv and the whole ``make test``: minutes, not seconds.

    python tests/rehearsal.py                        every workflow, quick
    python tests/rehearsal.py --full pull-request    one workflow, for real
"""

from __future__ import annotations

import argparse
import fnmatch
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))  # fakehub, when run as a script
ROOT = Path(__file__).resolve().parent.parent
IMAGES = Path(__file__).resolve().parent / "ci_images.yml"
# Stand-ins for what only GitHub knows.
REPOSITORY = "open-models/open-models"
PAGES_URL = "https://open-models.github.io/open-models"
# The machine's own access to the package registries (pip's index settings, proxies, certificates).
PASSED_THROUGH = re.compile(r"PIP_.*|UV_.*|(HTTPS?|NO|ALL)_PROXY|(https?|no|all)_proxy|SSL_CERT_.*|REQUESTS_CA_BUNDLE")
SHELL_WORDS = {"if", "then", "else", "elif", "fi", "for", "while", "until", "do", "done", "case", "esac", "in",
               "!", "{", "}", "(", ")", "[[", "]]", "function", "select", "time"}
BUILTINS = {"cd", "echo", "printf", "test", "[", "true", "false", "exit", "export", "set", "unset", "read", "local",
            "return", "shift", "source", ".", ":", "eval", "exec", "trap", "wait", "command", "type", "alias",
            "pwd", "umask", "ulimit", "let", "declare", "readonly", "break", "continue", "getopts", "hash"}


@dataclass
class Step:
    name: str
    outcome: str  # success, failure, skipped, or "checked" for an action the rehearsal checked
    note: str = ""
    seconds: float = 0.0


@dataclass
class Job:
    workflow: str
    name: str
    image: str
    steps: list[Step] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def load_images(path: Path = IMAGES) -> dict:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))

    def names(value) -> set[str]:
        return set(value.split()) if isinstance(value, str) else set(value or [])

    images = {}
    for image, spec in data["images"].items():
        programs = names(spec.get("programs"))
        for included in spec.get("include", []):
            programs |= names(data["sets"][included])
        images[image] = {"root": bool(spec.get("root")), "programs": programs}
    actions = {name: names(spec.get("programs")) for name, spec in data.get("actions", {}).items()}
    return {"images": images, "actions": actions}


def simple_commands(script: str) -> list[list[str]]:
    """The simple commands of a shell script, as words; an approximation good for recipes and run steps."""
    script = re.sub(r"\\\n", " ", script)
    found = []
    for line in script.splitlines():
        try:
            lexer = shlex.shlex(line, posix=True, punctuation_chars=";&|(){}")
            lexer.whitespace_split = True
            lexer.commenters = "#"
            tokens = list(lexer)
        except ValueError:
            tokens = line.split()
        words: list[str] = []
        for token in [*tokens, ";"]:
            if token and set(token) <= set(";&|(){}"):
                if words:
                    found.append(words)
                words = []
            else:
                words.append(token)
    return found


def programs_called(script: str) -> list[str]:
    """The programs a script calls by name (not by path), skipping shell syntax and builtins.

    A first word that is a variable (``$SUDO apt-get``) may be empty, so the next word is taken too.
    """
    called = []
    for inner in re.findall(r"\$\(([^()]*)\)|`([^`]*)`", script):  # command substitutions
        called += programs_called(inner[0] or inner[1])
    for command in simple_commands(script):
        words = [w for w in command if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*=.*", w)]  # VAR=value
        while words and (words[0] in SHELL_WORDS or words[0].startswith("$")):
            words = words[1:]
        if words and words[0] not in BUILTINS and "/" not in words[0] and not words[0].startswith("-"):
            called.append(words[0])
    return called


def clean_copy(root: Path, target: Path) -> str:
    """The project as it would be committed (tracked and new files, minus ignored ones) in a new repository."""
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=root,
                            capture_output=True, check=True).stdout.decode().split("\0")
    for name in filter(None, listed):
        source = root / name
        if source.is_file() or source.is_symlink():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name, follow_symlinks=False)
    git = ["git", "-c", "user.name=rehearsal", "-c", "user.email=rehearsal@localhost", "-c", "commit.gpgsign=false"]
    subprocess.run([*git, "init", "-q", "-b", "main"], cwd=target, check=True)
    subprocess.run([*git, "add", "-A"], cwd=target, check=True)
    subprocess.run([*git, "commit", "-qm", "rehearsal"], cwd=target, check=True)
    return subprocess.run(["git", "rev-parse", "HEAD"], cwd=target, capture_output=True, text=True,
                          check=True).stdout.strip()


class Rehearsal:
    """One job of one workflow, rehearsed in ``work``."""

    def __init__(self, root: Path, workflow: Path, job_name: str, job: dict, work: Path, *, full: bool,
                 images: dict, timeout: float, hub_url: str):
        self.hub_url = hub_url
        self.root, self.workflow, self.job_spec, self.full, self.timeout = root, workflow, job, full, timeout
        container = job.get("container")
        image = container.get("image") if isinstance(container, dict) else container or job.get("runs-on", "")
        self.result = Job(workflow.name, job_name, image)
        self.images = images
        self.workspace, self.farm, self.home = work / "workspace", work / "bin", work / "home"
        for folder in (self.workspace, self.farm, self.home, work / "runner"):
            folder.mkdir(parents=True)
        self.work = work
        self.outputs: dict[str, dict[str, str]] = {}
        self.outcomes: dict[str, str] = {}
        self.failed = False
        self.extra_path: list[str] = []
        self.env: dict[str, str] = {}

    # --- the machine -------------------------------------------------------------------------
    def provide(self, programs: set[str]) -> None:
        """Put each program of the job's machine that this machine also has on the job's PATH."""
        for name in programs:
            found = shutil.which(name)
            if found and not (self.farm / name).exists():
                (self.farm / name).symlink_to(found)
        self.provided = getattr(self, "provided", set()) | programs

    def make_shim(self) -> None:
        """Quick mode: `make` answers with a dry run and checks the programs the recipes would call."""
        real = shutil.which("make")
        shim = self.farm / "make"
        if shim.exists() or shim.is_symlink():
            shim.unlink()
        shim.write_text(f"#!{sys.executable}\nimport sys\nsys.path.insert(0, {str(Path(__file__).parent)!r})\n"
                        f"from rehearsal import dry_make\nsys.exit(dry_make({real!r}, sys.argv[1:]))\n")
        shim.chmod(0o755)

    # --- expressions -------------------------------------------------------------------------
    def expand(self, text: str) -> str:
        def value(match: re.Match) -> str:
            expr = match.group(1).strip()
            if m := re.fullmatch(r"steps\.([\w-]+)\.outputs\.([\w-]+)", expr):
                return self.outputs.get(m.group(1), {}).get(m.group(2), "")
            if m := re.fullmatch(r"steps\.([\w-]+)\.outcome", expr):
                return self.outcomes.get(m.group(1), "")
            known = {"github.run_id": "1", "github.repository": REPOSITORY, "runner.os": "Linux",
                     "github.event.pull_request.number": "1", "github.token": "rehearsal-token"}
            if expr in known:
                return known[expr]
            if expr.startswith("hashFiles("):
                return "rehearsal"
            raise ValueError(f"the rehearsal cannot evaluate ${{{{ {expr} }}}}")

        return re.sub(r"\$\{\{(.*?)\}\}", value, text)

    def should_run(self, condition) -> bool:
        if condition is None:
            return not self.failed
        expr = str(condition).strip()
        expr = expr[3:-2].strip() if expr.startswith("${{") else expr
        table = {"success()": not self.failed, "failure()": self.failed, "always()": True,
                 "!cancelled()": True, "cancelled()": False}
        if expr not in table:
            raise ValueError(f"the rehearsal cannot evaluate if: {condition}")
        return table[expr]

    # --- steps ------------------------------------------------------------------------------
    def base_env(self, event: str, sha: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if PASSED_THROUGH.fullmatch(k)}
        env.update({
            "PATH": str(self.farm), "HOME": str(self.home), "LANG": "C.UTF-8", "CI": "true",
            "GITHUB_ACTIONS": "true", "GITHUB_WORKSPACE": str(self.workspace), "GITHUB_REPOSITORY": REPOSITORY,
            "GITHUB_EVENT_NAME": event, "GITHUB_SHA": sha, "GITHUB_REF": "refs/heads/main", "GITHUB_RUN_ID": "1",
            "GITHUB_SERVER_URL": "https://github.com", "GITHUB_JOB": self.result.name, "RUNNER_OS": "Linux",
            "RUNNER_TEMP": str(self.work / "runner"),
            # The Hub cannot be reached from here: the fake one serves the recorded answers.
            "HF_ENDPOINT": self.hub_url, "HF_HUB_DISABLE_TELEMETRY": "1",
        })
        if self.job_spec.get("env"):
            env.update({k: self.expand(str(v)) for k, v in self.job_spec["env"].items()})
        return env

    def run_step(self, step: dict, index: int) -> Step:
        name = step.get("name") or step.get("uses") or step["run"].splitlines()[0]
        files = {key: self.work / "runner" / f"{key.lower()}-{index}" for key in
                 ("GITHUB_OUTPUT", "GITHUB_ENV", "GITHUB_PATH", "GITHUB_STEP_SUMMARY")}
        for file in files.values():
            file.touch()
        env = {**self.env, **{k: str(v) for k, v in files.items()}}
        env["PATH"] = os.pathsep.join([*self.extra_path, str(self.farm)])
        env.update({k: self.expand(str(v)) for k, v in (step.get("env") or {}).items()})
        script = self.expand(step["run"])
        started = time.monotonic()
        # A session of its own, so that a step that runs out of time is stopped with all it started.
        with subprocess.Popen(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script],
                              cwd=self.workspace, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              text=True, start_new_session=True) as process:
            try:
                output, _ = process.communicate(timeout=self.timeout)
                code = process.returncode
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, 9)
                output, _ = process.communicate()
                code, output = -1, f"{output}\ntimed out after {self.timeout:.0f} s (the job's timeout-minutes)"
        seconds = time.monotonic() - started
        outputs = dict(line.split("=", 1) for line in files["GITHUB_OUTPUT"].read_text().splitlines() if "=" in line)
        self.env.update(dict(line.split("=", 1) for line in files["GITHUB_ENV"].read_text().splitlines()
                             if "=" in line))
        self.extra_path[:0] = [p for p in files["GITHUB_PATH"].read_text().splitlines() if p]
        self.record(step, outputs)
        if code == 0:
            return Step(name, "success", seconds=seconds)
        return Step(name, "failure", self.explain(script, output, code), seconds)

    def explain(self, script: str, output: str, code: int) -> str:
        """Say which program was missing, when one was; else the end of the step's output."""
        missing = sorted(set(re.findall(r"(?:^|\n)(?:bash: )?(?:line \d+: )?([\w.+-]+): command not found", output))
                         | set(re.findall(r"make: ([\w.+-]+): No such file or directory", output))
                         | set(re.findall(r"sh: \d+: ([\w.+-]+): not found", output))  # dash, make's shell
                         | set(re.findall(r"rehearsal: .*?runs `([^`]+)`", output)))
        if missing:
            why = []
            for program in missing:
                if program in self.provided:
                    why.append(f"`{program}` is on {self.result.image} but not on this machine: cannot rehearse it")
                else:
                    why.append(f"calls `{program}`, which {self.result.image} and the job's setup steps do not provide")
            return "; ".join(why)
        tail = "\n".join(output.strip().splitlines()[-15:])
        return f"exit status {code}:\n{tail}"

    def record(self, step: dict, outputs: dict[str, str]) -> None:
        if step.get("id"):
            self.outputs[step["id"]] = outputs

    def action(self, step: dict) -> Step:
        """What the rehearsal knows of an action: its effect on the job, and what can be checked."""
        uses = step["uses"]
        action = uses.split("@")[0]
        inputs = {k: self.expand(str(v)) for k, v in (step.get("with") or {}).items()}
        name = step.get("name") or action
        if action == "actions/checkout":
            return Step(name, "checked", "the clean copy stands in for the checkout")
        if action == "actions/setup-python":
            self.provide(self.images["actions"].get(action, set()) | {f"python{inputs.get('python-version', '3')}"})
            return Step(name, "checked", f"Python {inputs.get('python-version')} from this machine "
                                         f"({sys.version.split()[0]})")
        if action == "actions/cache":
            return Step(name, "checked", "nothing cached here")
        if action == "actions/configure-pages":
            self.record(step, {"base_url": PAGES_URL, "base_path": "/open-models",
                               "origin": PAGES_URL.rsplit("/", 1)[0]})
            return Step(name, "checked", f"base_url={PAGES_URL} (a stand-in)")
        if action == "actions/upload-pages-artifact":
            folder = self.workspace / inputs.get("path", "_site")
            if not self.full:
                return Step(name, "checked", "not checked in quick mode (the site is not built)")
            if not (folder / "index.html").is_file():
                return Step(name, "failure", f"{inputs.get('path')}/index.html does not exist after the build")
            return Step(name, "checked", f"{inputs.get('path')}/ holds the built site")
        if action == "actions/deploy-pages":
            self.record(step, {"page_url": PAGES_URL + "/"})
            return Step(name, "checked", "nothing deployed here")
        if action == "peter-evans/create-pull-request":
            return self.pull_request(name, inputs)
        return Step(name, "failure", f"the rehearsal does not know what {action} does: teach tests/rehearsal.py")

    def pull_request(self, name: str, inputs: dict[str, str]) -> Step:
        status = subprocess.run(["git", "status", "--porcelain", "--untracked-files=all"], cwd=self.workspace,
                                capture_output=True, text=True, check=True).stdout
        changed = [line[3:] for line in status.splitlines()]
        allowed = [p.strip() for p in re.split(r"[,\n]", inputs.get("add-paths", "")) if p.strip()]
        if not allowed:
            return Step(name, "failure", "no add-paths: every changed file would be proposed")
        proposed = [path for path in changed if any(fnmatch.fnmatch(path, pattern) or path.startswith(
            pattern.rstrip("*").rstrip("/") + "/") for pattern in allowed)]
        return Step(name, "checked", f"would propose {len(proposed)} changed file(s) under {', '.join(allowed)}; "
                                     f"{len(changed) - len(proposed)} other change(s) left out")

    def run(self) -> Job:
        spec = self.images["images"].get(self.result.image)
        if spec is None:
            self.result.problems.append(f"{self.result.image}: unknown machine; describe it in {IMAGES.name}")
            return self.result
        self.provide(spec["programs"] | {"bash"})  # GitHub's shell for run steps is bash when the image has it
        sha = clean_copy(self.root, self.workspace)
        if not self.full:
            self.make_shim()
            venv = self.root / ".venv"
            if venv.is_dir():
                (self.workspace / ".venv").symlink_to(venv, target_is_directory=True)
                with (self.workspace / ".git" / "info" / "exclude").open("a") as exclude:
                    exclude.write("/.venv\n")  # .gitignore's /.venv/ matches a folder, not this link
        event = next(iter(triggers(yaml.safe_load(self.workflow.read_text(encoding="utf-8")))), "push")
        try:
            self.env = self.base_env(event, sha)
            for index, step in enumerate(self.job_spec.get("steps", [])):
                if not self.should_run(step.get("if")):
                    self.result.steps.append(Step(step.get("name") or step.get("uses") or step["run"], "skipped"))
                    continue
                done = self.action(step) if "uses" in step else self.run_step(step, index)
                self.result.steps.append(done)
                if step.get("id"):
                    self.outcomes[step["id"]] = "failure" if done.outcome == "failure" else "success"
                if done.outcome == "failure" and not step.get("continue-on-error"):
                    self.failed = True
                    self.result.problems.append(f"{done.name}: {done.note}")
        except ValueError as exc:
            self.result.problems.append(str(exc))
        return self.result


def dry_make(real_make: str, args: list[str]) -> int:
    """`make ARGS`, quick: print what would run, and fail on programs the job's machine does not provide."""
    # --always-make: every recipe of the target and what it needs, whatever the files' dates.
    done = subprocess.run([real_make, "--dry-run", "--always-make", *args], capture_output=True, text=True,
                          check=False)
    print(done.stdout, end="")
    if done.returncode:
        print(done.stderr, end="", file=sys.stderr)
        return done.returncode
    recipes = "\n".join(line for line in done.stdout.splitlines() if not re.match(r"make(\[\d+\])?: ", line))
    missing = sorted({p for p in programs_called(recipes) if shutil.which(p) is None})
    for program in missing:
        print(f"rehearsal: make --dry-run {' '.join(args)} runs `{program}`", file=sys.stderr)
    return 127 if missing else 0


def triggers(workflow: dict) -> dict:
    on = workflow.get("on", workflow.get(True)) or {}
    return {on: None} if isinstance(on, str) else dict.fromkeys(on) if isinstance(on, list) else on


def rehearse(workflow: Path, root: Path = ROOT, *, full: bool = False, timeout: float | None = None) -> list[Job]:
    """Rehearse every job of ``workflow`` (in the order of its ``needs``) in clean copies of ``root``."""
    spec = yaml.safe_load(workflow.read_text(encoding="utf-8"))
    from fakehub import serve_recordings

    images = load_images()
    jobs = []
    with tempfile.TemporaryDirectory(prefix="rehearsal-", ignore_cleanup_errors=True) as tmp, \
            serve_recordings() as hub:
        for name, job in spec["jobs"].items():
            minutes = job.get("timeout-minutes", 360)
            jobs.append(Rehearsal(root, workflow, name, job, Path(tmp) / name, full=full, images=images,
                                  timeout=timeout or minutes * 60, hub_url=hub.url).run())
    return jobs


def report(jobs: list[Job]) -> str:
    lines = []
    for job in jobs:
        lines.append(f"{job.workflow} / {job.name} on {job.image}: {'ok' if job.ok else 'FAILED'}")
        for step in job.steps:
            note = step.note.splitlines()[0] if step.note and step.outcome != "failure" else step.note
            lines.append(f"  {step.outcome:8} {step.name}" + (f" ({step.seconds:.1f} s)" if step.seconds else "")
                         + (f"\n           {note}" if note else ""))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     epilog="Examples:\n  python tests/rehearsal.py\n"
                                            "  python tests/rehearsal.py --full pull-request",
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("workflows", nargs="*", help="workflow names (pull-request, pages, refresh); default: all")
    parser.add_argument("--full", action="store_true", help="run make targets for real (minutes)")
    args = parser.parse_args(argv)
    folder = ROOT / ".github" / "workflows"
    paths = [folder / f"{w.removesuffix('.yml')}.yml" for w in args.workflows] or sorted(folder.glob("*.yml"))
    ok = True
    for path in paths:
        started = time.monotonic()
        jobs = rehearse(path, full=args.full)
        print(report(jobs) + f"\n  ({time.monotonic() - started:.0f} s)\n", flush=True)
        ok &= all(job.ok for job in jobs)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
