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

from generator import language_builds, theme_internals
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
# we are serving lives in the environment of the process, and what one rebuild leaves the next in
# generator.preview.
SERVING = "OPENMODELS_SERVING"
DIRTY = "OPENMODELS_SERVING_DIRTY"
"""Set when the server rebuilds only the pages whose Markdown changed (``openmodels serve``)."""


def on_startup(command: str, dirty: bool) -> None:
    if command == "serve":
        os.environ[SERVING] = "1"
        if dirty:
            os.environ[DIRTY] = "1"
        else:
            os.environ.pop(DIRTY, None)


def _dirty_serving() -> bool:
    return bool(os.environ.get(SERVING) and os.environ.get(DIRTY))


def _other_language_build(config) -> bool:
    """Within one rebuild, the i18n plugin's (or our) build of a language after the default one."""
    return i18n_enabled(config) and not i18n_builder(config).is_default_language_build


def _language(config) -> str:
    return i18n_builder(config).current_language if i18n_enabled(config) else ""


def on_pre_build(config) -> None:
    if _dirty_serving():
        # Every language's build: Material's plugin would add the last build's entries to this one's.
        theme_internals.forget_previous_search_index(config)
    if not os.environ.get(SERVING) or _other_language_build(config):
        return
    from mkdocs import utils

    from generator import preview
    from generator.errors import CatalogError
    from generator.site import Project

    state = preview.state
    try:
        outcome = preview.render(Project(Path(config.config_file_path).parent), os.environ.get("DOCS_LANG") or None)
    except CatalogError as exc:
        # Keep serving the last good pages and show the contributor what to fix. This goes to
        # stderr, not to MkDocs' log: a logged error would abort the strict build and stall the
        # server. Said once per change.
        report = "\n".join(str(problem) for problem in exc.problems)
        if report != state.report:
            print(f"openmodels: the catalog has problems; serving the last good pages\n{report}",
                  file=sys.stderr, flush=True)
        _last_report["text"] = report
        _last_report["count"] = str(len(exc.problems))
        # Every page shows the banner, so every page is built again when it appears, changes or goes.
        full = report != state.report
        state.report = report
    else:
        _last_report["text"] = ""
        full = outcome.full or bool(state.report)
        state.report = ""
        if outcome.written:
            log.info("openmodels: re-rendered %d page(s)", len(outcome.written))
    if not _dirty_serving():
        return
    # A dirty build writes the pages whose Markdown is newer than their HTML; one that must write them
    # all starts, as a clean build does, from an empty folder.
    # So is a new server's first build, one after a build that failed half-way (its pages' search
    # entries were never merged), and any build without the i18n plugin, whose loop the merge needs.
    full = full or state.site_dir != config.site_dir or state.building or not i18n_enabled(config)
    if full:
        utils.clean_directory(config.site_dir)
    state.site_dir, state.full_build, state.built, state.building = config.site_dir, full, set(), True
    if i18n_enabled(config):
        # The other languages are built from on_post_build below, dirty too; the plugin's own loop
        # would build them whole.
        i18n_builder(config).building = True


@event_priority(-200)  # after the i18n plugin's on_post_build, which has taken this language's search entries
def on_post_build(config) -> None:
    """Under ``openmodels serve``, after the default language's dirty build: build the other languages
    the same way, and write a search index of every page, the rebuilt pages' entries merged into the
    last full index."""
    if not _dirty_serving() or _other_language_build(config):
        return
    from generator import preview
    from generator.search import split_search_index

    state = preview.state
    if not i18n_enabled(config):
        return
    plugin = i18n_builder(config)
    default = plugin.current_language
    language_builds.build_other_languages(config, plugin, dirty=True)
    entries = theme_internals.i18n_search_entries(plugin)
    fresh: dict[str, list[dict]] = {}
    for entry in entries:
        fresh.setdefault(entry["location"].partition("#")[0], []).append(entry)
    if state.full_build:
        state.search = fresh
    else:
        for url in state.built:
            state.search[url] = fresh.get(url, [])
    urls = [url for locale in plugin.build_languages for url in state.order.get(locale, [])]
    state.search = {url: state.search[url] for url in urls if url in state.search}
    entries[:] = [entry for url in urls for entry in state.search.get(url, ())]
    plugin.current_language = plugin.build_languages[-1]
    theme_internals.forget_previous_search_index(config)
    theme_internals.i18n_write_search_index(plugin, config)
    plugin.building = False
    others = [locale for locale in plugin.build_languages if locale != default]
    if others:
        split_search_index(Path(config.site_dir), default, others)
    state.building = False


def on_env(env, config, files):
    """Under ``openmodels serve``: give the pages a dirty build did not read the titles (and front matter)
    they had when last read, for the menus of the pages it does build; and note the order of the pages,
    which is that of their search entries."""
    if not _dirty_serving():
        return env
    from generator import preview

    state, language = preview.state, _language(config)
    # MkDocs makes the theme's environment anew for every build, and compiling Material's templates
    # took a third of a second of each; Jinja checks each template's source against what it compiled.
    if state.compiled is None:
        from generator.render import CompiledTemplates

        state.compiled = CompiledTemplates()
    if env.bytecode_cache is None:
        env.bytecode_cache = state.compiled
    pages = [file.page for file in files.documentation_pages() if file.page is not None]
    state.order[language] = [page.url for page in pages]
    # A dirty build removes nothing: the page and badge of a model deleted since the last build would
    # still be served.
    outputs = {file.dest_uri for file in files}
    for gone in state.outputs.get(language, set()) - outputs:
        _remove_output(Path(config.site_dir), gone)
    state.outputs[language] = outputs
    for page in pages:
        if page.markdown is None:
            known = state.titles.get((language, page.file.src_uri))
            if known is not None:
                page.title, page.meta = known[0], copy.deepcopy(known[1])
    return env


def _remove_output(site_dir: Path, dest_uri: str) -> None:
    target = site_dir / dest_uri
    target.unlink(missing_ok=True)
    try:
        target.parent.rmdir()
    except OSError:
        pass


def on_serve(server, config, builder):
    """The docs folder is written by the rebuild itself (on_pre_build): watching it as MkDocs does would
    start a second rebuild after every one. What it is made from (mkdocs.yml's watch) is watched."""
    try:
        server.unwatch(config.docs_dir)
    except KeyError:
        pass
    return server


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


@event_priority(-200)  # after the i18n plugin's on_files, on the files this language's build copies
def on_files(files, config):
    """Leave out the theme's files that no page loads (theme_internals.unused_theme_files): 2.2 MB
    of a site's 2.5 MB of theme files."""
    for file in theme_internals.unused_theme_files(files, search_languages(config)):
        files.remove(file)
    return files


def search_languages(config) -> set[str]:
    """Every language a search index of this site may be in: the search plugin's and, when the i18n
    plugin gives each language its own index, each of its languages."""
    languages = set(config.plugins["search"].config.lang or ()) if "search" in config.plugins else set()
    if i18n_enabled(config):
        languages |= set(i18n_builder(config).build_languages)
    return languages


@event_priority(-200)  # after the i18n plugin's own on_nav (-100) has set up the default language
def on_nav(nav, config, files):
    """A build begun by generator.language_builds forks here: the other languages in a child."""
    language_builds.fork_other_languages(config, files)
    return nav


@event_priority(-200)  # last: every plugin has read the Markdown by now
def on_page_content(html: str, page, config, files) -> str:
    """Let go of the page's Markdown once it is HTML: MkDocs keeps every page's source alive until the
    build ends, which at a thousand models is tens of megabytes nothing reads again. (Empty, not
    None: MkDocs takes None for a page not read yet, which has no title.)

    Under ``openmodels serve`` the page's title and front matter are remembered for the next rebuilds,
    which do not read the pages that have not changed (on_env)."""
    page.markdown = ""
    if _dirty_serving():
        from generator import preview

        preview.state.titles[(_language(config), page.file.src_uri)] = (page.title, copy.deepcopy(page.meta))
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
    if _dirty_serving():
        from generator import preview

        preview.state.built.add(page.url)
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
