"""MkDocs hooks: under ``mkdocs serve``, re-render the pages before each rebuild.

A plain ``openmodels build`` renders before MkDocs starts, so the hook does nothing there and
nothing writes into the docs folder while MkDocs reads it.
"""

from __future__ import annotations

import copy
import html
import logging
import os
import sys
from pathlib import Path

from mkdocs.plugins import event_priority

from generator import language_builds
from generator.theme_internals import (
    CONTENT_START,
    i18n_builder,
    i18n_enabled,
    language_homes,
    language_menu,
    page_language,
    page_translations,
    without_alternate_links,
)
from generator.whitespace import squeeze

_last_report: dict[str, str] = {}

log = logging.getLogger("mkdocs.plugins.openmodels")
# MkDocs reloads this module on every rebuild but calls on_startup only once, so the fact that
# we are serving lives in the environment of the process.
SERVING = "OPENMODELS_SERVING"


def on_startup(command: str, dirty: bool) -> None:
    if command == "serve":
        os.environ[SERVING] = "1"


def on_pre_build(config) -> None:
    if not os.environ.get(SERVING):
        return
    from generator.errors import CatalogError
    from generator.site import Project, render_docs

    try:
        _, written = render_docs(Project(Path(config.config_file_path).parent), os.environ.get("DOCS_LANG") or None)
    except CatalogError as exc:
        # Keep serving the last good pages and show the contributor what to fix. This goes to
        # stderr, not to MkDocs' log: a logged error would abort the strict build and stall the
        # server. The i18n plugin builds once per language, so say it once per change.
        report = "\n".join(str(problem) for problem in exc.problems)
        if report != _last_report.get("text"):
            print(f"openmodels: the catalog has problems; serving the last good pages\n{report}",
                  file=sys.stderr, flush=True)
        _last_report["text"] = report
        _last_report["count"] = str(len(exc.problems))
        return
    _last_report["text"] = ""
    if written:
        log.info("openmodels: re-rendered %d page(s)", len(written))


MAX_SHOWN = 40
"""Problems listed in the preview's banner; the terminal has them all."""


def problems_banner(report: str, count: int) -> str:
    """The preview's banner for a catalog with problems; every character of ``report`` is escaped."""
    lines = report.split("\n")
    shown = "\n".join(lines[:MAX_SHOWN]) + ("\n… and more: see the terminal" if len(lines) > MAX_SHOWN else "")
    return ('<div class="admonition failure om-serve-problems" role="alert" lang="en">'
            f'<p class="admonition-title">Preview of the last good pages: the catalog has {count} problem(s)</p>'
            "<p>Fix these and the pages update by themselves:</p>"
            f"<pre><code>{html.escape(shown)}</code></pre></div>")


def with_problems_banner(output: str) -> str:
    """Under ``serve``, while the catalog has problems, show them on every page above its content."""
    report = _last_report.get("text")
    if not (os.environ.get(SERVING) and report):
        return output
    at = output.find(CONTENT_START)
    if at < 0:
        return output
    at += len(CONTENT_START)
    return output[:at] + problems_banner(report, int(_last_report.get("count", "0"))) + output[at:]


def on_config(config):
    """Expand the 'Families' menu entry into the index plus one entry per family page."""
    docs = Path(config.docs_dir)
    pages = sorted(p.relative_to(docs).as_posix() for p in (docs / "families").glob("*.md")
                   if p.name != "index.md" and "." not in p.stem)
    _expand_families(config.nav or [], pages)
    return config


def _expand_families(nav: list, pages: list[str]) -> None:
    """Replace the entry that names families/index.md, at any depth of the menu, by a section."""
    for i, item in enumerate(nav):
        if not isinstance(item, dict):
            continue
        (title, value), = item.items()
        if value == "families/index.md":
            nav[i] = {title: ["families/index.md", *pages]}
        elif isinstance(value, list):
            _expand_families(value, pages)


# Material's language integration fetches `sitemap.xml` beside every <link rel="alternate" hreflang>
# in a page's head, expecting each to be a language's home page. mkdocs-static-i18n points them at
# the page's own translations, so every page asked for <page>/sitemap.xml and got a 404. The
# sitemap already names each page's translations (xhtml:link hreflang, absolute URLs), which search
# engines accept in place of the head tags, and the language menu links straight to the translated
# page, so the head tags go and nothing is lost.


@event_priority(-200)  # after the i18n plugin's own on_nav (-100) has set up the default language
def on_nav(nav, config, files):
    """A build begun by generator.language_builds forks here: the other languages in a child."""
    language_builds.fork_other_languages(config, files)
    return nav


@event_priority(-200)  # last: every plugin has read the Markdown by now
def on_page_content(html: str, page, config, files) -> str:
    """Let go of the page's Markdown once it is HTML: MkDocs keeps every page's source alive until the
    build ends, which at a thousand models is tens of megabytes nothing reads again. (Empty, not
    None: MkDocs takes None for a page not read yet, which has no title.)"""
    page.markdown = ""
    return html


@event_priority(-200)  # last: the search plugin took its text from the page's HTML before this
def on_post_page(output: str, page, config) -> str:
    """Without the head's alternate links (above) and the indentation nobody sees
    (generator.whitespace) and, under ``serve``, with the problems banner.

    The page's HTML body is let go once the page is written, for the same reason as its Markdown."""
    page.content = None
    return with_problems_banner(squeeze(without_alternate_links(output)))


def on_post_template(output_content: str, template_name: str, config) -> str:
    """The same for pages made from a template alone (404.html).

    Every language's build writes the site's one 404 page at its root, and the last language's
    used to win: the page GitHub Pages shows for any missing address, English ones included, was in
    Swedish. Only the default language's build writes it now (MkDocs writes no file for an empty
    template); its language menu leads to every language's home."""
    if template_name == "404.html" and i18n_enabled(config) and not i18n_builder(config).is_default_language_build:
        return ""
    return squeeze(without_alternate_links(output_content)) if template_name.endswith(".html") else output_content


def on_page_context(context, page, config, nav):
    """Point the language menu at this page's translations on home pages too.

    mkdocs-static-i18n does so on every page but the home pages, where it keeps links from the
    site's root ("/sv/"), which lead off the site when it is served below a path (GitHub Pages) or
    opened from disk. Material writes these links relative to the page, so they work anywhere.
    Runs after the plugin's own on_page_context, which resets the list for every page.
    """
    if i18n_enabled(config):
        translations = page_translations(page)
        for alternate in language_menu(config):
            translation = translations.get(alternate["lang"])
            if translation is not None:
                alternate["link"] = translation.url
    context["om_search_locale"] = search_locale(context, config)
    return context


def search_locale(context: dict, config) -> str | None:
    """The language whose own search index this page loads (templates/theme/main.html), or None for
    the default language's.

    If an upgrade of the i18n plugin drops the page language, the build fails (theme_internals)
    rather than quietly giving Swedish readers English search results.
    """
    if not i18n_enabled(config):
        return None
    locale, default = page_language(context, config)
    return locale if locale and locale != default else None


def on_template_context(context, template_name, config):
    """The 404 page answers for any missing address: its language menu leads to each language's home.

    Without this it kept the links of whichever page was rendered last.
    """
    homes = language_homes(config) if template_name == "404.html" and i18n_enabled(config) else None
    if homes:
        config.extra.alternate = copy.deepcopy(homes)
    return context
