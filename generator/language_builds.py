"""Each language's MkDocs build on a core of its own, joined into the site a sequential build makes.

mkdocs-static-i18n builds the default language, then, from that build's ``on_post_build``, every
other language one after another in the same process: on two cores, one sits idle for the whole
MkDocs stage, and both languages' pages stay alive together. Here the default language's build
forks as soon as its files and menu are known (``on_nav``, see generator/mkdocs_hooks.py):

- the child builds the other languages exactly as the plugin's loop would, into a folder of its own,
  and hands back their search entries;
- the parent builds the default language, with the plugin told that its loop has been taken care of;
- ``join`` then moves the child's files into the site. Where both wrote the same file (the sitemap,
  the 404 page, the theme's assets), the child's copy wins, as the last language's does in a
  sequential build; the two halves of the search index are joined, deduplicated and written by the
  plugin's own code.

The site is the same, byte for byte, as the plugin's sequential build (tests/test_build_speed.py
compares the two on the real catalog). The plugin's internals this needs are named in
generator/theme_internals.py.
"""

from __future__ import annotations

import ctypes
import gc
import logging
import os
import pickle
import shutil
import signal
import sys
import threading
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from generator.errors import BuildError

T = TypeVar("T")


@dataclass
class _Apart:
    """One build whose other languages run in a forked child."""

    workdir: Path
    collected: list[str]
    """The list run_mkdocs collects MkDocs' warnings in; the child's are added to it."""
    pid: int | None = None

    @property
    def child_site(self) -> Path:
        return self.workdir / "site"

    @property
    def result_file(self) -> Path:
        return self.workdir / "result.pickle"


_begun: list[_Apart] = []
"""The build begun with ``begin`` and not yet ended (one at most): the hooks, which MkDocs calls,
find it here."""


def _current() -> _Apart | None:
    return _begun[-1] if _begun else None


def possible() -> bool:
    """Whether this process can fork a build safely: a platform with fork, and no other thread (one
    holding a lock at the fork would hold it in the child forever)."""
    return hasattr(os, "fork") and threading.active_count() == 1


def each_apart(calls: list[Callable[[], T]]) -> list[T]:
    """The results of ``calls``, in order: the first runs in this process, each other one in a forked
    child at the same time, when this process can fork (else one after another, here).

    A child's result (or the exception it raised) comes back pickled through a pipe; a child that
    dies without a word raises BuildError. Used for the rendering, one language per call.
    """
    if len(calls) < 2 or not possible():
        return [call() for call in calls]
    # Each child's pid and the read end of its pipe (None once a file object owns it: closed by it,
    # whatever happens, and never closed twice).
    children: list[tuple[int, int | None]] = []
    # Objects made so far move out of the collector's sight, so that its passes do not write to
    # (and so copy) every page the children share with this process.
    gc.freeze()
    try:
        for call in calls[1:]:
            readable, writable = os.pipe()
            parent = os.getpid()
            pid = os.fork()
            if pid == 0:
                die_with(parent)
                os.close(readable)
                _answer(writable, call)
            os.close(writable)
            children.append((pid, readable))
        results = [calls[0]()]
        while children:
            pid, readable = children[0]
            children[0] = (pid, None)
            with os.fdopen(readable, "rb") as pipe:
                answer = pipe.read()
            status = _reap(pid)
            children.pop(0)
            results.append(_unpickled(answer, status))
        return results
    finally:
        gc.unfreeze()
        for pid, readable in children:
            if readable is not None:
                os.close(readable)
            _stop(pid)


def die_with(parent: int) -> None:
    """In a child just forked from ``parent`` (here, and generator.site's rendering worker): be killed
    when ``parent`` dies (Linux), and end now if it is gone already. An orphan would go on writing
    pages into the docs folder that the next build writes too, stale ones over fresh ones."""
    if sys.platform == "linux":
        try:
            ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
        except (OSError, AttributeError):
            pass
    if os.getppid() != parent:
        os._exit(1)


_PR_SET_PDEATHSIG = 1


def _unpickled(answer: bytes, status: int | None) -> Any:
    """The result a child of ``each_apart`` sent, or the exception it sent raised."""
    try:
        ok, value = pickle.loads(answer)
    except Exception:  # noqa: BLE001 - nothing, or part of an answer: the child died while answering
        ended = "" if status is None else f"{os.waitstatus_to_exitcode(status)}: "
        raise BuildError(f"a rendering process died before it finished ({ended}out of memory, or killed); "
                         "nothing was built") from None
    if not ok:
        raise value
    return value


def _reap(pid: int) -> int | None:
    """Wait for the child ``pid`` to end; its wait status, or None when the system reaped it already
    (a process started with SIGCHLD ignored, which its children inherit)."""
    try:
        return os.waitpid(pid, 0)[1]
    except ChildProcessError:
        return None


def _stop(pid: int) -> None:
    """Stop the child ``pid`` and reap it, if it is still there."""
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    _reap(pid)


def _answer(writable: int, call: Callable[[], Any]) -> None:
    """In a child of ``each_apart``: run ``call``, send back its result or exception, and exit."""
    code = 1
    try:
        try:
            answer = pickle.dumps((True, call()))
            code = 0
        except Exception as exc:  # noqa: BLE001 - the parent raises it
            try:
                answer = pickle.dumps((False, exc))
                # Some pickle but do not unpickle (an argument of __init__ they do not keep in args).
                pickle.loads(answer)
            except Exception:  # noqa: BLE001 - an exception that does not travel still gets its message through
                answer = pickle.dumps((False, BuildError(f"{type(exc).__name__}: {exc}")))
        with os.fdopen(writable, "wb") as pipe:
            pipe.write(answer)
    finally:
        os._exit(code)


def begin(site_dir: Path, collected: list[str]) -> None:
    """Ask the next MkDocs build into ``site_dir`` to build its other languages in a child;
    ``collected`` is the list the caller collects MkDocs' warnings in."""
    end()
    workdir = site_dir.with_name(f"{site_dir.name}{WORKDIR_SUFFIX}")
    shutil.rmtree(workdir, ignore_errors=True)
    workdir.mkdir(parents=True)
    _begun.append(_Apart(workdir, collected))


WORKDIR_SUFFIX = ".languages"
"""The child's folder is the site folder's name plus this, beside it (generator.files.recover
removes those of killed builds)."""


def fork_other_languages(config: Any, files: Any) -> None:
    """Called from the hooks' ``on_nav``: in the default language's build of a build begun with
    ``begin``, fork; the child builds the other languages and exits, the parent goes on with the
    default language alone."""
    from generator import theme_internals

    apart = _current()
    if apart is None or apart.pid is not None or not theme_internals.i18n_enabled(config):
        return
    plugin = theme_internals.i18n_builder(config)
    # possible() again: a plugin may have started a thread since the build began.
    if plugin.building or not plugin.is_default_language_build or len(plugin.build_languages) < 2 \
            or not possible():
        return
    parent = os.getpid()
    pid = os.fork()
    if pid:
        apart.pid = pid
        # The plugin's on_post_build builds the other languages unless it believes it is inside that
        # loop already; they are the child's work.
        plugin.building = True
        return
    die_with(parent)
    code = 1
    try:
        # What was collected before the fork is the parent's to report.
        del apart.collected[:]
        entries = _build_other_languages(config, plugin, apart.child_site)
        _send(apart, {"entries": entries, "messages": list(apart.collected)})
        code = 0
    except BaseException as exc:  # noqa: BLE001 - everything must reach the parent, then the child exits
        _send(apart, {"error": str(exc) or type(exc).__name__, "messages": list(apart.collected),
                      "traceback": traceback.format_exc()})
    finally:
        os._exit(code)


def _build_other_languages(config: Any, plugin: Any, site_dir: Path) -> list[dict]:
    """The plugin's loop over the other languages (its on_post_build), run into ``site_dir``;
    returns their search entries."""
    from mkdocs import utils
    from mkdocs.commands.build import build

    from generator import theme_internals

    config.site_dir = str(site_dir)
    plugin.building = True
    # As the plugin does: later languages add to the site instead of emptying it first.
    utils.clean_directory = lambda folder: folder
    for locale in plugin.build_languages:
        if locale == plugin.current_language:
            continue
        plugin.current_language = locale
        build(config)
    return theme_internals.i18n_search_entries(plugin)


def _send(apart: _Apart, result: dict) -> None:
    with open(apart.result_file, "wb") as handle:
        pickle.dump(result, handle)


def join(config: Any) -> None:
    """After the default language's build: wait for the child, move its files into the site, and
    write the search index of every language. Raises MkDocs' Abort when the child failed, with its
    warnings added to the collected ones."""
    from mkdocs.exceptions import Abort

    from generator import theme_internals

    apart = _current()
    if apart is None or apart.pid is None:
        return
    status = _reap(apart.pid)
    apart.pid = None
    try:
        with open(apart.result_file, "rb") as handle:
            result = pickle.load(handle)
    except (OSError, pickle.UnpicklingError, EOFError):
        ended = "" if status is None else f" ({os.waitstatus_to_exitcode(status)})"
        result = {"error": f"the process building the other languages ended{ended} "
                           "without a word (out of memory, or killed)", "messages": []}
    apart.collected.extend(result["messages"])
    if "error" in result:
        logging.getLogger("mkdocs.plugins.openmodels").debug("the other languages' build failed:\n%s",
                                                             result.get("traceback", ""))
        raise Abort(result["error"])
    site_dir = Path(config.site_dir)
    index = Path("search") / "search_index.json"
    for path in sorted(apart.child_site.rglob("*")):
        relative = path.relative_to(apart.child_site)
        if path.is_dir() or relative == index:
            continue
        target = site_dir / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(path, target)
    plugin = theme_internals.i18n_builder(config)
    theme_internals.i18n_search_entries(plugin).extend(result["entries"])
    plugin.current_language = plugin.build_languages[-1]
    theme_internals.i18n_write_search_index(plugin, config)
    plugin.building = False


def end() -> None:
    """Forget the build begun with ``begin``: stop a child still running, remove its folder."""
    if not _begun:
        return
    apart = _begun.pop()
    if apart.pid is not None:
        _stop(apart.pid)
    shutil.rmtree(apart.workdir, ignore_errors=True)
