"""Writing output: only when content changes, atomically, and never half-done."""

from __future__ import annotations

import ctypes
import errno
import os
import shutil
import sys
import tempfile
from pathlib import Path


def write_if_changed(path: Path, content: str | bytes, durable: bool = True) -> bool:
    """Write ``content`` to ``path`` atomically unless it already holds exactly that; True if written.

    ``durable=False`` skips the flush to disk, for output that the next build makes again anyway."""
    data = content.encode("utf-8") if isinstance(content, str) else content
    try:
        if path.read_bytes() == data:
            return False
    except OSError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        # mkstemp makes the file private (0600); give it the mode any new file would get, so a web
        # server running as another user can read the site.
        os.fchmod(fd, 0o666 & ~_umask())
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            if durable:
                handle.flush()
                os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return True


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_tree(target: Path, files: dict[str, str | bytes], durable: bool = True) -> list[str]:
    """Write ``files`` (relative path -> content) under ``target`` where they differ; returns paths written.

    Unchanged files keep their modification times, so a watching server reloads only what changed.
    """
    return [rel for rel, content in sorted(files.items()) if write_if_changed(target / rel, content, durable)]


def prune_tree(target: Path, wanted: set[str]) -> None:
    """Remove every file under ``target`` whose relative path is not in ``wanted``, and emptied folders."""
    keep = {Path(rel) for rel in wanted}
    if target.exists():
        for path in sorted(target.rglob("*"), reverse=True):
            rel = path.relative_to(target)
            if path.is_file() and rel not in keep:
                path.unlink()
            elif path.is_dir() and not any(path.iterdir()):
                path.rmdir()


def read_tree(source: Path) -> dict[str, bytes]:
    """Every file under ``source`` by relative path (POSIX separators)."""
    return {p.relative_to(source).as_posix(): p.read_bytes() for p in sorted(source.rglob("*")) if p.is_file()}


def _exchange(a: Path, b: Path) -> bool:
    """Swap two folders in one atomic step (Linux ``renameat2(RENAME_EXCHANGE)``); False where unsupported."""
    if sys.platform != "linux":
        return False
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    at_fdcwd, rename_exchange = -100, 2
    if renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.EPERM, errno.ENOTSUP):
        return False
    raise OSError(code, os.strerror(code), str(b))


def swap_in(staged: Path, target: Path) -> None:
    """Replace the folder ``target`` with ``staged``; the old one survives until the new one is in place.

    On Linux the two trade places atomically, so ``target`` is whole at every instant; elsewhere the
    old folder is renamed aside first, and ``recover`` puts it back if the process dies in between.
    """
    if target.is_dir() and not target.is_symlink() and _exchange(staged, target):
        shutil.rmtree(staged, ignore_errors=True)
        return
    old = target.with_name(f".{target.name}.old")
    if old.exists():
        shutil.rmtree(old)
    if target.exists():
        os.rename(target, old)
    os.rename(staged, target)
    shutil.rmtree(old, ignore_errors=True)


def recover(target: Path) -> None:
    """Restore ``target`` if a previous swap was interrupted between its two renames, and remove the
    staging folders (``.<name>.new-<pid>``, and their ``.languages`` companions, see
    generator.language_builds) of builds that were killed."""
    old = target.with_name(f".{target.name}.old")
    if old.exists() and not target.exists():
        os.rename(old, target)
    for staged in target.parent.glob(f".{target.name}.new-*"):
        pid = staged.name.removesuffix(".languages").rsplit("-", 1)[-1]
        if pid.isdigit() and not _running(int(pid)):
            shutil.rmtree(staged, ignore_errors=True)


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True
