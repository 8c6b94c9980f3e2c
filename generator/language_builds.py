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

import logging
import os
import shutil
import traceback
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from generator.errors import BuildError
from generator.forks import Child, possible


@dataclass
class _Apart:
    """One build whose other languages run in a forked child."""

    workdir: Path
    collected: list[str]
    """The list run_mkdocs collects MkDocs' warnings in; the child's are added to it."""
    child: Child[dict] | None = None

    @property
    def child_site(self) -> Path:
        return self.workdir / "site"


_begun: list[_Apart] = []
"""The build begun with ``begin`` and not yet ended (one at most): the hooks, which MkDocs calls,
find it here."""


def _current() -> _Apart | None:
    return _begun[-1] if _begun else None


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
    if apart is None or apart.child is not None or not theme_internals.i18n_enabled(config):
        return
    plugin = theme_internals.i18n_builder(config)
    # possible() again: a plugin may have started a thread since the build began.
    if plugin.building or not plugin.is_default_language_build or len(plugin.build_languages) < 2 \
            or not possible():
        return
    # The answer goes into a file: a child done first exits at once instead of waiting, with all
    # its pages in memory, for this process to finish English and read it.
    apart.child = Child(partial(_other_languages, config, plugin, apart), "the process building the other languages",
                        apart.workdir / "answer.pickle")
    # The plugin's on_post_build builds the other languages unless it believes it is inside that
    # loop already; they are the child's work.
    plugin.building = True


def _other_languages(config: Any, plugin: Any, apart: _Apart) -> dict:
    """In the child: build the other languages; their search entries and warnings, or what failed."""
    # What was collected before the fork is the parent's to report.
    del apart.collected[:]
    try:
        entries = _build_other_languages(config, plugin, apart.child_site)
    except BaseException as exc:  # noqa: BLE001 - everything must reach the parent, with the warnings
        return {"error": str(exc) or type(exc).__name__, "messages": list(apart.collected),
                "traceback": traceback.format_exc()}
    return {"entries": entries, "messages": list(apart.collected)}


def _build_other_languages(config: Any, plugin: Any, site_dir: Path) -> list[dict]:
    """The plugin's loop over the other languages (its on_post_build), run into ``site_dir``;
    returns their search entries."""
    from mkdocs import utils

    from generator import theme_internals

    config.site_dir = str(site_dir)
    # As the plugin does: later languages add to the site instead of emptying it first. (This process
    # is a child that ends with the build.)
    utils.clean_directory = lambda folder: folder
    build_other_languages(config, plugin)
    return theme_internals.i18n_search_entries(plugin)


def build_other_languages(config: Any, plugin: Any, dirty: bool = False) -> None:
    """After the default language's build: the plugin's loop over the other languages, here. ``dirty``
    builds only the pages whose Markdown is newer than their HTML (MkDocs' dirty build, which never
    empties the site folder)."""
    from mkdocs.commands.build import build

    plugin.building = True
    for locale in plugin.build_languages:
        if locale == plugin.current_language:
            continue
        plugin.current_language = locale
        build(config, dirty=dirty)


def join(config: Any) -> None:
    """After the default language's build: wait for the child, move its files into the site, and
    write the search index of every language. Raises MkDocs' Abort when the child failed, with its
    warnings added to the collected ones."""
    from mkdocs.exceptions import Abort

    from generator import theme_internals

    apart = _current()
    if apart is None or apart.child is None:
        return
    try:
        result = apart.child.result()
    except BuildError as exc:
        raise Abort(str(exc)) from None
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
    if apart.child is not None:
        apart.child.stop()
    shutil.rmtree(apart.workdir, ignore_errors=True)
