"""A template string left in English on another language's page is marked lang="en" where it is
element content, and nowhere does a mark or a span break an attribute, a script, a picture or code."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po, write_po

from generator.fallback_text import END, START, mark, resolve
from generator.site import Project, render_docs


@pytest.mark.parametrize("page, expected", [
    (f"## {mark('Openness table')}\n", '## <span lang="en">Openness table</span>\n'),
    (f"| {mark('Model')} | x |\n", '| <span lang="en">Model</span> | x |\n'),
    (f'!!! info "{mark("Partly in English")}"\n', '!!! info "<span lang="en">Partly in English</span>"\n'),
    (f'<p title="{mark("Score")}">{mark("Score")}</p>', '<p title="Score"><span lang="en">Score</span></p>'),
    (f'<svg role="img"><title>{mark("Bars")}</title><text>{mark("x")}</text></svg> {mark("y")}',
     '<svg role="img"><title>Bars</title><text>x</text></svg> <span lang="en">y</span>'),
    (f'<script type="application/json">{{"a": "{mark("b")}"}}</script>', '<script type="application/json">'
                                                                          '{"a": "b"}</script>'),
    ('<script type="application/json">{"a": "\\ue000b\\ue001"}</script>', '<script type="application/json">'
                                                                             '{"a": "b"}</script>'),
    (f"`{mark('code')}` and [{mark('link')}](../{mark('x')}.md)", '`code` and [<span lang="en">link</span>](../x.md)'),
    (f"![{mark('alt')}](a.svg)", "![alt](a.svg)"),
    (f"```\n{mark('fenced')}\n```\n{mark('after')}", '```\nfenced\n```\n<span lang="en">after</span>'),
    (f"---\ntitle: {mark('T')}\n---\n\n{mark('T')}", '---\ntitle: T\n---\n\n<span lang="en">T</span>'),
    (f"{START}two\n\nparagraphs{END}", "two\n\nparagraphs"),
])
def test_marks_become_spans_only_where_elements_may_go(page, expected):
    assert resolve(page, "en") == expected


def without(po: Path, keep: set[str] | None = None, drop: set[str] | None = None) -> None:
    """Empty the msgstr of every entry not in ``keep`` (or of every entry in ``drop``)."""
    catalog = read_po(po.open("rb"))
    for message in catalog:
        key = message.id if isinstance(message.id, str) else message.id[0]
        if key and ((keep is not None and key not in keep) or (drop is not None and key in drop)):
            message.string = "" if isinstance(message.id, str) else ("",) * len(message.string)
    with po.open("wb") as handle:
        write_po(handle, catalog)


def test_a_removed_swedish_string_is_marked_english_where_it_shows(small_project: Path):
    proj = Project(small_project)
    render_docs(proj)
    page = proj.docs_dir / "families" / "demo.sv.md"
    # The small project's own data prose has no Swedish catalog, so some of it is marked already.
    before = page.read_text(encoding="utf-8").count('<span lang="en">')
    without(proj.locales_dir / "sv" / "LC_MESSAGES" / "messages.po", drop={"Openness table"})
    render_docs(proj)
    text = page.read_text(encoding="utf-8")
    assert '## <span lang="en">Openness table</span>' in text and "Delvis på engelska" in text
    assert text.count('<span lang="en">') == before + 1, "only the removed string is marked anew"
    assert '<span lang="en">' not in (proj.docs_dir / "families" / "demo.md").read_text(encoding="utf-8")


def test_a_catalog_with_almost_nothing_translated_leaves_no_mark_and_breaks_no_tag(small_project: Path):
    proj = Project(small_project)
    without(proj.locales_dir / "sv" / "LC_MESSAGES" / "messages.po", keep={"Openness table"})
    render_docs(proj)
    pages = {p.name: p.read_text(encoding="utf-8") for p in proj.docs_dir.rglob("*.sv.md")}
    assert len(pages) > 8
    for name, text in pages.items():
        assert START not in text and END not in text and "\\ue000" not in text, name
        assert not re.search(r"<[A-Za-z][^<>]*<span", text), f"a span inside a tag on {name}"
        assert not re.search(r"<(script|svg|title)\b[^>]*>(?:(?!</\1>).)*<span lang=\"en\">", text, re.S), name
    assert "## Öppenhetstabell" in pages["demo.sv.md"] and '<span lang="en">Key facts</span>' in pages["demo.sv.md"]
