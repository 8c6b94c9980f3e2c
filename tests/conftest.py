"""Shared fixtures: real project trees copied to temporary folders, and a runner for the CLI."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"

os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")


def copy_project(target: Path, data: Path | None = None) -> Path:
    """A working copy of this project in ``target``: its own data, pages and config; code shared."""
    target.mkdir(parents=True, exist_ok=True)
    shutil.copytree(data or ROOT / "data", target / "data")
    shutil.copytree(ROOT / "site_src", target / "site_src")
    shutil.copytree(ROOT / "templates", target / "templates")
    shutil.copy(ROOT / "mkdocs.yml", target / "mkdocs.yml")
    # mkdocs.yml names its hook by a path relative to itself.
    (target / "generator").symlink_to(ROOT / "generator")
    return target


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of the real project, safe to break."""
    return copy_project(tmp_path / "project")


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
