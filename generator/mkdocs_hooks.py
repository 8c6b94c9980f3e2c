"""MkDocs hooks: under ``mkdocs serve``, re-render the pages before each rebuild.

A plain ``openmodels build`` renders before MkDocs starts, so the hook does nothing there and
nothing writes into the docs folder while MkDocs reads it.
"""

from __future__ import annotations

import logging
from pathlib import Path

_command = {"name": ""}
log = logging.getLogger("mkdocs.plugins.openmodels")


def on_startup(command: str, dirty: bool) -> None:
    _command["name"] = command


def on_pre_build(config) -> None:
    if _command["name"] != "serve":
        return
    from generator.errors import CatalogError
    from generator.site import Project, render_docs

    try:
        _, written = render_docs(Project(Path(config.config_file_path).parent))
    except CatalogError as exc:
        # Keep serving the last good pages; show the contributor what to fix.
        for problem in exc.problems:
            log.error(str(problem))
        return
    if written:
        log.info("openmodels: re-rendered %d page(s)", len(written))


def on_config(config):
    """Expand the 'Families' menu entry into the index plus one entry per family page."""
    docs = Path(config.docs_dir)
    pages = sorted(p.relative_to(docs).as_posix() for p in (docs / "families").glob("*.md")
                   if p.name != "index.md" and "." not in p.stem)
    nav = config.nav or []
    for i, item in enumerate(nav):
        if isinstance(item, dict) and list(item.values()) == ["families/index.md"]:
            title = next(iter(item))
            nav[i] = {title: ["families/index.md", *pages]}
    return config
