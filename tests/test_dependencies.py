"""Every third-party package the generator imports is declared in pyproject.toml."""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def imported_packages() -> set[str]:
    """Top-level names of every module imported anywhere in generator/, at any depth."""
    names = set()
    for path in (ROOT / "generator").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.add(node.module.split(".")[0])
    return names - set(sys.stdlib_module_names) - {"generator", "__future__"}


def normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def test_every_imported_package_is_declared():
    declared = {normalise(re.split(r"[<>=!~;\[ ]", spec, maxsplit=1)[0])
                for spec in tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]}
    providers = packages_distributions()
    missing = {}
    for package in sorted(imported_packages()):
        distributions = {normalise(d) for d in providers.get(package, [package])}
        if not distributions & declared:
            missing[package] = sorted(distributions)
    assert not missing, f"imported but not declared in pyproject.toml: {missing}"
