"""Shared fixtures: real project trees copied to temporary folders, and a runner for the CLI."""

from __future__ import annotations

import functools
import inspect
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"

# The environment every test runs in, set for the session and restored after it (see pytest_configure):
# no MkDocs 2 banner, no telemetry, no token, and an HF_ENDPOINT on a closed local port, so that nothing
# can reach the real Hub; each Hub test points its client at a fake Hub on 127.0.0.1.
HERMETIC = {"NO_MKDOCS_2_WARNING": "1", "HF_HUB_DISABLE_TELEMETRY": "1", "HF_ENDPOINT": "http://127.0.0.1:9",
            "HF_TOKEN": None}


def copy_project(target: Path, data: Path | None = None, pages: bool = True) -> Path:
    """A working copy of this project in ``target``: its own data, pages and config; code shared.

    Files are copied without their times and modes (shutil.copyfile), which halves the cost of the
    many small files (nothing here reads a copied file's mtime; tests compare mtimes within a copy)."""
    target.mkdir(parents=True, exist_ok=True)
    shutil.copytree(data or ROOT / "data", target / "data", copy_function=shutil.copyfile)
    if pages:
        shutil.copytree(ROOT / "site_src", target / "site_src", copy_function=shutil.copyfile)
    shutil.copytree(ROOT / "templates", target / "templates", copy_function=shutil.copyfile)
    shutil.copy(ROOT / "mkdocs.yml", target / "mkdocs.yml")
    # mkdocs.yml names its hook by a path relative to itself.
    (target / "generator").symlink_to(ROOT / "generator")
    return target


def translate_data(root: Path, locale: str, entries: dict[tuple[str, str | None], str]) -> Path:
    """Merge the data catalogs of the project at ``root`` (as `make translations` does) and give ``locale``'s
    the translations ``entries``: (msgctxt, English) -> text, with English None for a context's only
    message. Returns the catalog's path."""
    from generator.catalog import load_catalog
    from generator.prose import catalog_header, data_catalog_path, extract, po_text, read_catalog

    extract(load_catalog(root / "data"), root / "data" / "locales", [locale])
    path = data_catalog_path(root / "data" / "locales", locale)
    catalog = read_catalog(path, locale)
    for (context, english), text in entries.items():
        found = [m for m in catalog if m.context == context and english in (None, m.id)]
        assert len(found) == 1, (context, english, len(found))
        found[0].string = text
        found[0].flags.discard("fuzzy")
    path.write_text(po_text(catalog, catalog_header(locale)), encoding="utf-8")
    return path


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of the real project, safe to break."""
    return copy_project(tmp_path / "project")


@pytest.fixture
def small_project(tmp_path: Path) -> Path:
    """The project's templates and config around the small synthetic catalog and two hand-written pages
    (one with its Swedish translation): for tests of how pages are rendered and written, which need
    no real data and so render in a fraction of the time the whole catalog takes."""
    root = copy_project(tmp_path / "project", data=FIXTURES / "catalog", pages=False)
    pages = root / "site_src"
    pages.mkdir()
    (pages / "index.md").write_text("# Home\n\nA page written by hand.\n")
    from generator.i18n import source_hash

    original = "# Methodology\n\nHow levels are chosen.\n"
    (pages / "methodology.md").write_text(original)
    (pages / "methodology.sv.md").write_text(f"---\nsource_hash: {source_hash(original)}\n---\n\n"
                                             "# Metod\n\nHur nivåerna väljs.\n")
    return root


@pytest.fixture
def fixture_catalog(tmp_path: Path) -> Path:
    """A copy of the small synthetic catalog in tests/fixtures/catalog."""
    target = tmp_path / "data"
    shutil.copytree(FIXTURES / "catalog", target)
    return target


def run_cli(*args: str, cwd: Path, timeout: int = 300) -> subprocess.CompletedProcess[str]:
    """Run ``openmodels`` as a user would, in a separate process."""
    return subprocess.run([sys.executable, "-m", "generator", *args], cwd=cwd, capture_output=True, text=True,
                          check=False, timeout=timeout, env={**os.environ, "PYTHONPATH": str(ROOT)})


def run_in_process(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run ``openmodels`` in this process, from ``cwd``, through the same entry point as the command
    (generator.cli.main: its messages, its exit codes); returns what ``run_cli`` returns.

    For tests of what a command does; it saves the third of a second a new interpreter takes to import
    the generator. ``run_cli`` stays for what only a separate process shows (tests/test_cli.py). An
    exception that main() lets through is raised here, where a process would print its traceback."""
    from click.testing import CliRunner

    from generator.cli import main

    code: int | str | None = 0
    previous = Path.cwd()
    with CliRunner().isolation() as (stdout, stderr, _):
        os.chdir(cwd)
        try:
            main(list(args))
        except SystemExit as exc:
            code = exc.code
        finally:
            os.chdir(previous)
            sys.stdout.flush()
            sys.stderr.flush()
        out, err = stdout.getvalue().decode(), stderr.getvalue().decode()
    if isinstance(code, str):  # sys.exit("message"): a process prints it and exits 1
        err, code = err + code + "\n", 1
    returncode = 0 if code is None else code
    return subprocess.CompletedProcess(["openmodels", *args], returncode, out, err)


@pytest.fixture(scope="session")
def rendered_docs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The docs folder of the real project, every page rendered in every language once (about two
    seconds), for tests that only read the pages. Tests that change an input render their own copy."""
    from generator.site import Project, render_docs

    project = Project(copy_project(tmp_path_factory.mktemp("rendered") / "project"))
    render_docs(project)
    return project.docs_dir


@pytest.fixture(scope="session")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real project built once with MkDocs, for tests that read the output."""
    from generator.site import Project, build

    root = copy_project(tmp_path_factory.mktemp("built") / "project")
    build(Project(root))
    return root / "site"


@pytest.fixture(scope="module")
def site_url(built_site: Path):
    """The built site, served on 127.0.0.1 for the browser tests."""
    from browser import serve_directory

    with serve_directory(built_site) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    """A headless Chromium for the browser tests."""
    from browser import chromium

    with chromium() as b:
        yield b


# -- test tiers -------------------------------------------------------------------------------------
# `make test-fast` deselects the markers below. A test is put in its tier by what it (or any fixture it
# uses) calls, so a new test cannot land in the fast tier by forgetting a decorator; `slow` is the only
# marker written by hand.
TIERS = {
    "browser": re.compile(r"\bchromium\(\)"),
    "build": re.compile(r"\bbuild\(|\brun_mkdocs\(|\bbuilt_site\b|\b(run_cli|run_in_process)\(\s*\"(build|serve)\"|"
                        r"\"-m\",\s*\"generator\",\s*\"(build|serve)\"|\[\s*\"(build|serve)\"|\bbench_build\b"),
}


def pytest_configure(config: pytest.Config) -> None:
    # Set before any test module imports huggingface_hub, which reads its environment once, at import.
    config.stash[_saved_env] = {name: os.environ.get(name) for name in [*HERMETIC, "HF_HOME"]}
    _set_environment({**HERMETIC, "HF_HOME": tempfile.mkdtemp(prefix="openmodels-hf-home-")})
    config.addinivalue_line("markers", "browser: drives a real headless Chromium (found automatically)")
    config.addinivalue_line("markers", "build: runs MkDocs, directly or through openmodels (found automatically)")
    config.addinivalue_line("markers", "slow: takes seconds of its own (fuzzing, killing processes, benchmarks, "
                                       "waiting out real timeouts, rehearsing the CI workflows)")


def pytest_unconfigure(config: pytest.Config) -> None:
    saved = config.stash.get(_saved_env, {})
    if saved.get("HF_HOME") != os.environ.get("HF_HOME"):
        shutil.rmtree(os.environ["HF_HOME"], ignore_errors=True)
    _set_environment(saved)


def _set_environment(values: dict[str, str | None]) -> None:
    for name, value in values.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


_saved_env = pytest.StashKey[dict]()


def _sources(item: pytest.Item) -> str:
    """The source of a test function and of every fixture it uses, directly or through other fixtures."""
    functions = [getattr(item, "function", None)]
    for name in getattr(item, "fixturenames", ()):
        for definition in item._fixtureinfo.name2fixturedefs.get(name, ()):
            functions.append(definition.func)
    return "\n".join(_source_of(function) for function in functions)


@functools.cache
def _source_of(function: object) -> str:
    """A function's source, read once however many tests use it (fixtures are shared by hundreds)."""
    try:
        return inspect.getsource(function)
    except (OSError, TypeError):
        return ""


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        source = _sources(item)
        for marker, pattern in TIERS.items():
            if pattern.search(source):
                item.add_marker(marker)
