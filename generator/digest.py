"""Know, without building, that a built site is current: a digest of every input, kept with the site.

A build records the digest of what it was built from (the catalog, templates, hand-written pages,
mkdocs.yml, the generator's own code and the versions of MkDocs and its plugins, and the language
selection) in the site folder, together with what the build reported. The next build computes the
digest again (reading files, not parsing them) and, when nothing changed, leaves the site alone.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import asdict, dataclass, field
from importlib import metadata
from pathlib import Path

from generator.errors import Problem

RECORD = ".openmodels-inputs.json"
"""The file in a built site that holds the digest of its inputs and the build's report."""

_PACKAGES = ("openmodels", "mkdocs", "mkdocs-material", "mkdocs-static-i18n", "jinja2", "markdown",
             "pymdown-extensions", "pyyaml", "pydantic", "babel")
_CODE = Path(__file__).resolve().parent


@dataclass
class Recorded:
    """What a build reported: kept in its site, and read back instead of building again."""

    digest: str
    models: int
    families: int
    warnings: list[Problem] = field(default_factory=list)
    fresh: bool = field(default=False, compare=False)
    """True for the build that just ran; False when read back from a site (not stored)."""


def _versions() -> list[str]:
    found = []
    for name in _PACKAGES:
        try:
            found.append(f"{name}=={metadata.version(name)}")
        except metadata.PackageNotFoundError:
            found.append(f"{name} missing")
    return found


def _walk(folder: Path) -> list[Path]:
    files = []
    for top, dirs, names in os.walk(folder):
        dirs.sort()
        files.extend(Path(top) / name for name in sorted(names))
    return files


def inputs_digest(roots: list[Path], files: list[Path], only: str | None) -> str:
    """SHA-256 of every file under ``roots`` plus ``files`` (names and bytes), the generator's code,
    the versions of the packages that shape the output, and the language selection ``only``."""
    sha = hashlib.sha256()
    sha.update(json.dumps([only, _versions()]).encode())
    for base in [*roots, _CODE]:
        for path in _walk(base):
            if "__pycache__" in path.parts:
                continue
            sha.update(f"\0{path.relative_to(base).as_posix()}\0".encode())
            try:
                sha.update(path.read_bytes())
            except OSError as exc:  # a dangling link or an unreadable file: the build will say what is wrong
                sha.update(f"unreadable {exc.errno}".encode())
    for path in files:
        sha.update(f"\0{path.name}\0".encode())
        sha.update(path.read_bytes() if path.is_file() else b"missing")
    return sha.hexdigest()


def record(site_dir: Path, recorded: Recorded) -> None:
    data = asdict(recorded)
    del data["fresh"]
    (site_dir / RECORD).write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def recorded(site_dir: Path) -> Recorded | None:
    """What the build of ``site_dir`` recorded, or None when it recorded nothing readable."""
    try:
        data = json.loads((site_dir / RECORD).read_text(encoding="utf-8"))
        return Recorded(data["digest"], data["models"], data["families"],
                        [Problem(**problem) for problem in data["warnings"]])
    except (OSError, ValueError, KeyError, TypeError):
        return None
