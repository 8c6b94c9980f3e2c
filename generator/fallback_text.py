"""Template strings shown in the default language on another language's page, marked with their language.

While a page is rendered, every template string its language's catalog lacks comes back from
gettext between two private-use characters (``mark``). Once the page is whole, ``resolve`` turns
each such passage into ``<span lang="en">…</span>`` (the default language's code) where it is
element content, so screen readers pronounce it as English and translation tools know what it
is. Where a span cannot go, the marks are only removed, and the page's "partly in English" notice
(which every page with a fallback gets) covers the passage:

- attribute values (``title``, ``aria-label``, ``alt``): markup is not allowed there;
- inside ``<script>``, ``<style>``, ``<svg>``, ``<title>``, ``<textarea>``, ``<option>``, ``<code>``,
  ``<pre>``: text only, or (SVG) no HTML elements;
- front matter, fenced and inline code, a link's address and an image's alt text, where Markdown
  would show the tag or break the syntax;
- a passage over several lines, which a span would cut across paragraphs.
"""

from __future__ import annotations

import re

START, END = "\ue000", "\ue001"
"""Private-use characters: no text of ours contains them, and nothing reaches readers with them."""

_PAIR = re.compile(f"{START}([^{START}{END}]*){END}")
_TAG = re.compile(r"<[A-Za-z/!?][^<>]*>")
_TEXT_ONLY = ("script", "style", "svg", "title", "textarea", "option", "code", "pre")
_ELEMENT = re.compile(r"<(/?)(" + "|".join(_TEXT_ONLY) + r")\b[^<>]*?(/?)>", re.I)
_FENCE = re.compile(r"^\s*(```|~~~)")


def mark(text: str) -> str:
    return START + text + END


def strip(text: str) -> str:
    """``text`` without marks: for a page marked as English as a whole."""
    return text.replace(START, "").replace(END, "")


def resolve(page: str, lang: str) -> str:
    """``page`` with every marked passage in a span of language ``lang`` (the default language, the
    one fallback text is in) where it is element content, and unmarked elsewhere."""
    if START not in page and "\\ue000" not in page:
        return page
    # JSON that a template printed with tojson carries the marks as escapes; data, never markup.
    page = page.replace("\\ue000", "").replace("\\ue001", "")
    body_at = 0
    if page.startswith("---\n") and "\n---\n" in page[4:]:
        body_at = page.index("\n---\n", 4) + 5
    head, body = strip(page[:body_at]), page[body_at:]
    body = _TAG.sub(lambda m: strip(m.group()), body)
    body = _strip_inside_text_only_elements(body)
    lines, fence = [], False
    for line in body.split("\n"):
        if _FENCE.match(line):
            fence = not fence
        if fence or _FENCE.match(line):
            lines.append(strip(line))
        else:
            lines.append(_PAIR.sub(lambda m, line=line: _span(line, m, lang), line))
    return head + strip("\n".join(lines))


def _span(line: str, found: re.Match, lang: str) -> str:
    before = strip(line[:found.start()])
    in_code = before.count("`") % 2 == 1
    in_address = before.rfind("](") > before.rfind(")")
    in_alt = before.rfind("![") > before.rfind("]")
    if in_code or in_address or in_alt or not found[1].strip():
        return found[1]
    return f'<span lang="{lang}">{found[1]}</span>'


def _strip_inside_text_only_elements(body: str) -> str:
    out, depth, at = [], 0, 0
    for element in _ELEMENT.finditer(body):
        piece = body[at:element.start()]
        out.append(strip(piece) if depth else piece)
        out.append(element.group())
        if not element[3]:  # a self-closing tag opens nothing
            depth = max(0, depth - 1) if element[1] else depth + 1
        at = element.end()
    rest = body[at:]
    out.append(strip(rest) if depth else rest)
    return "".join(out)
