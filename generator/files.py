"""Writing output: only when content changes, atomically, and never half-done."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path


def write_if_changed(path: Path, content: str | bytes) -> bool:
    """Write ``content`` to ``path`` atomically unless it already holds exactly that; True if written."""
    data = content.encode("utf-8") if isinstance(content, str) else content
    try:
        if path.read_bytes() == data:
            return False
    except OSError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return True


def sync_tree(target: Path, files: dict[str, str | bytes]) -> list[str]:
    """Make ``target`` hold exactly ``files`` (relative path -> content); returns paths written.

    Unchanged files keep their modification times, so a watching server reloads only what changed.
    """
    written = [rel for rel, content in sorted(files.items()) if write_if_changed(target / rel, content)]
    wanted = {Path(rel) for rel in files}
    if target.exists():
        for path in sorted(target.rglob("*"), reverse=True):
            rel = path.relative_to(target)
            if path.is_file() and rel not in wanted:
                path.unlink()
            elif path.is_dir() and not any(path.iterdir()):
                path.rmdir()
    return written


def read_tree(source: Path) -> dict[str, bytes]:
    """Every file under ``source`` by relative path (POSIX separators)."""
    return {p.relative_to(source).as_posix(): p.read_bytes() for p in sorted(source.rglob("*")) if p.is_file()}


def swap_in(staged: Path, target: Path) -> None:
    """Replace the folder ``target`` with ``staged``; the old one survives until the new one is in place."""
    old = target.with_name(f".{target.name}.old")
    if old.exists():
        shutil.rmtree(old)
    if target.exists():
        os.rename(target, old)
    os.rename(staged, target)
    shutil.rmtree(old, ignore_errors=True)


def recover(target: Path) -> None:
    """Restore ``target`` if a previous swap was interrupted between its two renames."""
    old = target.with_name(f".{target.name}.old")
    if old.exists() and not target.exists():
        os.rename(old, target)
