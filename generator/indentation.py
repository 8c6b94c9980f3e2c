"""Find where the indentation of a block-style YAML file went wrong, and say it in plain words.

PyYAML notices a misplaced key only when the structure it expects breaks, and says so in its own
terms ("expected <block end>, but found '<block mapping start>'"). Catalog files are simple block
YAML (keys, lists, short flow lists), so reading them line by line finds the line whose indentation
matches none of the blocks it could belong to, and the keys around it. Called only after the parser
has failed; when the file is not simple enough to read this way, it answers None.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_KEY = re.compile(r"^(?P<key>[A-Za-z0-9_.-]+)[ ]*:(?:[ ]+(?P<value>.*))?$")
_BLOCK_SCALAR = re.compile(r"^[|>][0-9+-]*(\s+#.*)?$")


@dataclass(frozen=True)
class IndentationProblem:
    line: int
    """1-based line of the misplaced entry."""
    column: int
    path: tuple[str, ...]
    """The keys enclosing the block where the entry was meant to be."""
    message: str
    hint: str


@dataclass
class _Block:
    indent: int
    owner: str | None
    """The key whose value this block is (None at the top of the file)."""
    first: str
    """How the block's first entry reads, e.g. '`level:`' or 'list item'."""
    compact: bool = False
    """A list written at its key's own column ('key:' then '- item'); the next key there ends it."""


def _describe(stripped: str) -> str:
    key = _KEY.match(stripped)
    if key:
        return f"`{key.group('key')}:`"
    return "list item" if stripped.startswith("-") else f"`{stripped[:20]}`"


def _balanced(text: str) -> bool:
    """Whether a line's flow brackets and quotes close on the same line (else give up: not simple)."""
    depth, quote = 0, ""
    for char in text:
        if quote:
            quote = "" if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char in "[{":
            depth += 1
        elif char in "]}":
            depth -= 1
        elif char == "#" and depth == 0:
            break
    return depth == 0 and not quote


def find_indentation_problem(text: str) -> IndentationProblem | None:
    """The first line whose indentation fits no enclosing block, or a key indented under a value.

    A key moved left onto an outer block's column is still valid YAML, so the parser only fails a
    few lines later, where the next key keeps the old column; that earlier line is the one reported.
    """
    stack = [_Block(0, None, "")]
    pending: tuple[int, str] | None = None  # (indent, key) of a 'key:' line with nothing after the colon
    scalar_indent: int | None = None  # inside a block scalar (| or >) opened by a key at this indent
    dedent: tuple[int, str, _Block, tuple[str, ...]] | None = None  # the last line that closed a block
    previous = ""
    for number, raw in enumerate(text.split("\n"), 1):
        stripped = raw.strip(" ")
        if not stripped or stripped.startswith("#"):
            continue
        indent = len(raw) - len(raw.lstrip(" "))
        if scalar_indent is not None:
            if indent > scalar_indent:
                continue
            scalar_indent = None
        if not _balanced(stripped):
            return None
        described = _describe(stripped)
        if pending is not None and (indent > pending[0] or (indent == pending[0] and stripped.startswith("- "))):
            stack.append(_Block(indent, pending[1], described, compact=indent == pending[0]))
            pending = None
        elif indent > stack[-1].indent:
            if not _KEY.match(stripped):
                continue  # the continuation of a long value
            spaces = stack[-1].indent
            return IndentationProblem(
                number, indent + 1, _path(stack),
                f"{_subject(described)} is indented deeper than the {previous} above it ({_spaces(indent)}, "
                f"not {spaces}), so it reads as part of that value",
                f"indent it by {_spaces(spaces)} like {_like(stack[-1].first)}" if spaces else
                "remove the spaces before it")
        else:
            pending = None
            if stack[-1].compact and indent == stack[-1].indent and not stripped.startswith("-"):
                stack.pop()
            if indent < stack[-1].indent:
                inner = stack[-1]
                while stack[-1].indent > indent:
                    inner = stack.pop()
                if stack[-1].indent != indent:
                    if dedent and dedent[2].indent == indent:
                        return _less(dedent[0], _column(text, dedent[0]), *dedent[1:])
                    return _less(number, indent + 1, described, inner, _path(stack + [inner]))
                dedent = (number, described, inner, _path(stack + [inner]))
            elif stack[-1].first == "list item" and not stripped.startswith("-"):
                if dedent and dedent[2].indent > indent:
                    return _less(dedent[0], _column(text, dedent[0]), *dedent[1:])
        if not stack[-1].first:
            stack[-1].first = described
        entry, offset = stripped, indent
        if entry.startswith("- "):
            # A list item holding a mapping ('- key: value') opens a block at the key's column.
            rest = entry[2:].lstrip(" ")
            offset += len(entry) - len(rest)
            if _KEY.match(rest):
                stack.append(_Block(offset, None, _describe(rest)))
            entry = rest
        key = _KEY.match(entry)
        if key:
            value = (key.group("value") or "").strip()
            if not value or value.startswith("#"):
                pending = (offset, key.group("key"))
            elif _BLOCK_SCALAR.match(value):
                scalar_indent = offset
        previous = _describe(entry) if key else described
    return None


def _column(text: str, number: int) -> int:
    line = text.split("\n")[number - 1]
    return len(line) - len(line.lstrip(" ")) + 1


def _less(number: int, column: int, described: str, inner: _Block, path: tuple[str, ...]) -> IndentationProblem:
    """``described`` on line ``number`` sits left of the entries of ``inner``, the block above it."""
    indent = column - 1
    owner = f"`{inner.owner}:`" if inner.owner else ""
    return IndentationProblem(
        number, column, path,
        f"{_subject(described)} is indented less than the {inner.first} above it ({_spaces(indent)}, not "
        f"{inner.indent})" + (f" inside {owner}" if owner else ""),
        f"indent it by {_spaces(inner.indent)} like {_like(inner.first)}"
        + (f", unless it does not belong under {owner}" if owner else ""))


def _subject(description: str) -> str:
    return "this list item" if description == "list item" else description


def _like(description: str) -> str:
    return "the list item above" if description == "list item" else description


def _spaces(n: int) -> str:
    return "1 space" if n == 1 else f"{n} spaces"


def _path(stack: list[_Block]) -> tuple[str, ...]:
    return tuple(block.owner for block in stack if block.owner)
