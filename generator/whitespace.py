"""Whitespace the reader never sees, taken out of built pages.

Material's templates and Python-Markdown indent every nested element, and at a thousand models
that indentation was an eighth of the site. HTML collapses a run of whitespace to one space when it
lays out text, so a run that contains a line break can become a single line break without
changing what any reader sees. Preformatted elements (``pre``, ``textarea``) show their
whitespace, and ``script`` and ``style`` are code, so they are kept as they are.

A minifier (minify-html) would take 26 MB off a thousand-model site where this takes 20, but it
also reorders and unquotes attributes and drops optional tags, which makes the pages harder for
contributors to read and compare by hand; the whitespace is most of what it saves.
"""

from __future__ import annotations

import re

_KEPT = re.compile(r"(<(pre|textarea|script|style)\b.*?</\2\s*>)", re.S | re.I)
_RUN = re.compile(r"[ \t\r\f]*\n\s*")


def squeeze(html: str) -> str:
    """``html`` with each whitespace run that holds a line break made one line break, outside
    ``pre``, ``textarea``, ``script`` and ``style`` elements."""
    # split() with two groups yields text, kept element, its tag name, text, …
    parts = _KEPT.split(html)
    return "".join(_RUN.sub("\n", part) if i % 3 == 0 else part
                   for i, part in enumerate(parts) if i % 3 != 2)
