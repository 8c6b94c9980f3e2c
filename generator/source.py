"""Read one YAML file safely and remember where every value came from.

PyYAML's safe loader is used only to compose the node tree; values are built here so that
each one keeps its line and column, duplicate keys and aliases can be refused, and nothing
in a contributor's file can make the loader do more than parse plain data.
"""

from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from generator.errors import Problem
from generator.indentation import find_indentation_problem

MAX_BYTES = 256 * 1024
"""Catalog files are a few kilobytes; anything near this size is a mistake or an attack."""

MAX_DEPTH = 20
"""No catalog file needs deeper nesting than this."""

_PLAIN_TAGS = {f"tag:yaml.org,2002:{name}" for name in ("null", "bool", "int", "float", "str")}
_STR = "tag:yaml.org,2002:str"
_COLLECTION_TAGS = {"tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"}

# Characters that change how text is displayed without being seen (Trojan Source, CVE-2021-42574):
# bidirectional controls, and zero-width characters that make look-alike names.
_INVISIBLE = re.compile("[\u061c\u200b\u200e\u200f\u202a-\u202e\u2060\u2066-\u2069\ufeff]")

Location = tuple[int, int]
KeyPath = tuple[Any, ...]


@dataclass
class Document:
    """A parsed YAML file: its data and the 1-based (line, column) of every key path."""

    path: Path
    display: str
    data: Any
    _positions: dict[KeyPath, Location] | None = field(default=None, repr=False)
    _text: str | None = field(default=None, repr=False)
    """The file's text while its positions have not been worked out (see ``parse_yaml``)."""

    @property
    def positions(self) -> dict[KeyPath, Location]:
        """Every key path's position, worked out from the file's text the first time it is asked for."""
        if self._positions is None:
            self._positions = _Builder(self.display).positions_of(_fast_compose(self._text)) if self._text else {}
            self._text = None
        return self._positions

    def where(self, keys: KeyPath) -> Location:
        """The position of ``keys``, or of its nearest parent that has one."""
        keys = tuple(keys)
        while keys not in self.positions and keys:
            keys = keys[:-1]
        return self.positions.get(keys, (1, 1))

    def problem(self, keys: KeyPath, message: str, hint: str = "", severity: str = "error") -> Problem:
        line, col = self.where(keys)
        field = ".".join(str(k) for k in keys)
        return Problem(self.display, line, col, field, message, hint, severity)  # type: ignore[arg-type]


class YamlProblem(Exception):
    """The file could not be read as catalog YAML; ``problem`` says where and why."""

    def __init__(self, problem: Problem):
        super().__init__(str(problem))
        self.problem = problem


class _Builder:
    def __init__(self, display: str):
        self.display = display
        self.positions: dict[KeyPath, Location] = {}
        self.seen: set[int] = set()
        self.scalars = yaml.constructor.SafeConstructor()

    def positions_of(self, node: Any) -> dict[KeyPath, Location]:
        if node is not None and node is not _UNSURE:
            self.build(node)
        return self.positions

    def fail(self, node: yaml.Node, keys: KeyPath, message: str, hint: str = "") -> None:
        field = ".".join(str(k) for k in keys)
        mark = node.start_mark
        raise YamlProblem(Problem(self.display, mark.line + 1, mark.column + 1, field, message, hint))

    def build(self, node: yaml.Node, keys: KeyPath = ()) -> Any:
        if id(node) in self.seen:
            self.fail(node, keys, "anchors and aliases (&name / *name) are not allowed",
                      "write the value out in full")
        self.seen.add(id(node))
        if len(keys) > MAX_DEPTH:
            self.fail(node, keys, f"nesting deeper than {MAX_DEPTH} levels")
        self.positions.setdefault(keys, (node.start_mark.line + 1, node.start_mark.column + 1))
        if isinstance(node, yaml.CollectionNode) and node.tag not in _COLLECTION_TAGS:
            self.fail(node, keys, f"YAML tag {_tag(node.tag)} is not allowed", "catalog files hold plain data only")
        if isinstance(node, yaml.MappingNode):
            result: dict[Any, Any] = {}
            for key_node, value_node in node.value:
                if not isinstance(key_node, yaml.ScalarNode):
                    self.fail(key_node, keys, "keys must be plain words")
                key = self.scalar(key_node, keys)
                if key == "<<":
                    self.fail(key_node, keys, "merge keys (<<) are not allowed", "write the keys out in full")
                if not isinstance(key, (str, int)):
                    key = str(key)
                if key in result:
                    self.fail(key_node, keys + (key,), f"duplicate key '{key}'",
                              "each key may appear once; delete or merge the repeated one")
                self.positions[keys + (key,)] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
                result[key] = self.build(value_node, keys + (key,))
                # The value's own position is more useful than the key's for scalar errors.
                self.positions[keys + (key,)] = (value_node.start_mark.line + 1, value_node.start_mark.column + 1)
            return result
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, keys + (i,)) for i, item in enumerate(node.value)]
        return self.scalar(node, keys)

    def scalar(self, node: yaml.ScalarNode, keys: KeyPath) -> Any:
        try:
            return _scalar(self.scalars, node)
        except _Unusual:
            pass
        if node.tag == "tag:yaml.org,2002:merge":
            self.fail(node, keys, "merge keys (<<) are not allowed", "write the keys out in full")
        if node.tag not in _PLAIN_TAGS:
            self.fail(node, keys, f"YAML tag {_tag(node.tag)} is not allowed", "catalog files hold plain data only")
        # int() refuses numbers of more than 4300 digits; no catalog number comes close.
        self.fail(node, keys, "number too large", "write it in digits, e.g. 7000000000")


class _Unusual(Exception):
    """The node tree holds something for ``_Builder`` to decide on and word."""


def _scalar(constructor: yaml.constructor.SafeConstructor, node: yaml.ScalarNode) -> Any:
    """A plain scalar's value; raises _Unusual for any other tag and for a number int() refuses."""
    if node.tag == _STR:
        return node.value  # what the constructor would return, without its per-node bookkeeping
    if node.tag == "tag:yaml.org,2002:timestamp":
        # Dates stay text so that '2024-02' and '2024-02-01' are handled alike by the schema.
        return node.value
    if node.tag not in _PLAIN_TAGS:
        raise _Unusual
    try:
        return constructor.construct_object(node)
    except ValueError:
        raise _Unusual from None


def _position(text: str, index: int) -> Location:
    return text.count("\n", 0, index) + 1, index - (text.rfind("\n", 0, index) + 1) + 1


class _AnchorFound(Exception):
    def __init__(self, mark: yaml.Mark):
        super().__init__()
        self.mark = mark


class _Loader(yaml.SafeLoader):
    """Composes the node tree and stops at the first anchor or alias, before any node is built from
    it, so that an alias bomb costs no more than reading its text."""

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node:
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            raise _AnchorFound(event.start_mark)
        return super().compose_node(parent, index)


def _syntax_hint(exc: yaml.MarkedYAMLError) -> str:
    """What usually causes the parser's complaint, in a contributor's terms."""
    problem, context, start = exc.problem or "", exc.context or "", exc.context_mark
    if "mapping values are not allowed" in problem:
        return "this line is indented deeper than the keys around it, or the text before it contains ': ' " \
               "and needs quotes"
    if context.startswith("while parsing a flow") and start:
        bracket = "[" if "sequence" in context else "{"
        return f"the '{bracket}' opened at line {start.line + 1}, column {start.column + 1} is not closed"
    if "single document" in context + problem:
        return "one entry per file: remove the '---' line and what follows it"
    return "check indentation and that text with ':' or '#' is quoted"


# The parser's names for what it expected or found, in a contributor's words.
_TOKENS = {"<block end>": "the end of the indented block", "<block mapping start>": "a key indented differently",
           "<block sequence start>": "a list item indented differently",
           "<block collection start>": "an indented block",
           "<stream end>": "the end of the file", "<document start>": "'---'", "<document end>": "'...'",
           "<scalar>": "a value", "<flow mapping end>": "'}'", "<flow sequence end>": "']'"}


def _plain(text: str) -> str:
    for token, words in _TOKENS.items():
        text = text.replace(f"'{token}'", words).replace(token, words)
    return text.replace("while parsing a block mapping", "in this block of keys:") \
        .replace("while parsing a block collection", "in this list:")


def _about_structure(exc: yaml.MarkedYAMLError) -> bool:
    """Whether the parser's complaint is about how blocks are nested (what indentation decides)."""
    words = f"{exc.context or ''} {exc.problem or ''}"
    return "block" in words or "mapping values are not allowed" in words or "simple key" in words


def _tab_advice(line: str, at: int) -> tuple[str, str]:
    """What a tab at index ``at`` of ``line`` is doing there, and what to write instead.

    YAML forbids tabs only in indentation; elsewhere they are legal but invisible, so the catalog
    refuses them everywhere, with advice that fits where this one is."""
    before, after = line[:at], line[at:].lstrip(" \t")
    if not before.strip(" "):
        return "tab character in the indentation", "indent with spaces; YAML does not allow tabs for indentation"
    quote = ""
    for char in before:
        if quote and char == quote:
            quote = ""
        elif not quote and char in "'\"":
            quote = char
    if quote:
        return "tab character inside a quoted value", "replace it with a space; a tab does not show in most editors"
    if after.startswith("#"):
        return "tab character before a comment", "separate the comment from the value with spaces"
    if "#" in before:
        return "tab character in a comment", "replace it with a space"
    return "tab character in a value", "replace it with a space; a tab does not show in most editors"


def _tag(tag: str) -> str:
    return tag.replace("tag:yaml.org,2002:", "!!")


def parse_yaml(text: str, display: str) -> Document:
    """Parse ``text`` (the contents of the file shown as ``display``); raises YamlProblem."""
    if "\t" in text:
        line, col = _position(text, text.index("\t"))
        message, hint = _tab_advice(text.splitlines()[line - 1], col - 1)
        raise YamlProblem(Problem(display, line, col, "", message, hint))
    invisible = _INVISIBLE.search(text)
    if invisible:
        line, col = _position(text, invisible.start())
        raise YamlProblem(Problem(display, line, col, "",
                                  f"invisible control character U+{ord(invisible.group()):04X} in the file",
                                  "delete it: it can make text display differently from what it says"))
    node = _fast_compose(text)
    if node is _UNSURE:
        node = _exact_compose(text, display)
    elif node is not None:
        # Plain data, the usual case, is built without positions, which a file needs only when it has a
        # problem to report: they were two thirds of the time spent building values (``Document``
        # works them out later from the text). Anything the builder would refuse or treat specially
        # goes to the builder, for its message.
        try:
            return Document(Path(display), display, _Plain().build(node, 0), None, text)
        except _Unusual:
            pass
    builder = _Builder(display)
    data = builder.build(node) if node is not None else None
    return Document(Path(display), display, data, builder.positions)


class _Plain:
    """Builds what ``_Builder`` builds from a tree of plain data (from libyaml, so without aliases),
    without positions; raises _Unusual wherever ``_Builder`` would fail or convert."""

    def __init__(self) -> None:
        self.scalars = yaml.constructor.SafeConstructor()

    def build(self, node: Any, depth: int) -> Any:
        if depth > MAX_DEPTH:
            raise _Unusual
        kind = type(node)
        if kind is yaml.ScalarNode:
            return _scalar(self.scalars, node)
        if node.tag not in _COLLECTION_TAGS:
            raise _Unusual
        if kind is yaml.SequenceNode:
            return [self.build(item, depth + 1) for item in node.value]
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            if type(key_node) is not yaml.ScalarNode:
                raise _Unusual
            key = _scalar(self.scalars, key_node)
            if type(key) not in (str, int) or key == "<<" or key in result:
                raise _Unusual
            result[key] = self.build(value_node, depth + 1)
        return result


_UNSURE = object()
_FastLoader = getattr(yaml, "CSafeLoader", None)


def _fast_compose(text: str) -> Any:
    """The node tree composed by libyaml's C parser, or _UNSURE when the exact parser must decide.

    libyaml is about ten times faster than PyYAML's Python parser and gives the same node tree and
    the same (line, column) marks for plain catalog data. Everything it might treat differently
    goes to the exact parser, which also words every error: a file with an anchor or alias (the C
    composer cannot stop at the first one, and ``&`` or ``*`` anywhere is enough to be careful), and
    any file libyaml refuses (it caps nesting at 1000 levels, so no input can exhaust its stack).
    """
    if _FastLoader is None or "&" in text or "*" in text:
        return _UNSURE
    try:
        loader = _FastLoader(text)
        try:
            return loader.get_single_node()
        finally:
            loader.dispose()
    except (yaml.YAMLError, RecursionError, ValueError):
        return _UNSURE


def _exact_compose(text: str, display: str) -> yaml.Node | None:
    """Compose with PyYAML's Python parser; raises YamlProblem with its exact position and a hint."""
    try:
        loader = _Loader(text)
        try:
            return loader.get_single_node()
        finally:
            loader.dispose()
    except _AnchorFound as found:
        raise YamlProblem(Problem(display, found.mark.line + 1, found.mark.column + 1, "",
                                  "anchors and aliases (&name / *name) are not allowed",
                                  "write the value out in full")) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        misplaced = find_indentation_problem(text) if _about_structure(exc) else None
        if misplaced and misplaced.line <= line:
            raise YamlProblem(Problem(display, misplaced.line, misplaced.column, ".".join(misplaced.path),
                                      misplaced.message, misplaced.hint)) from None
        message = " ".join(_plain(str(part)) for part in (exc.context, exc.problem) if part)
        raise YamlProblem(Problem(display, line, col, "", f"YAML syntax: {message}", _syntax_hint(exc))) from None
    except yaml.reader.ReaderError as exc:
        line, col = _position(text, exc.position)
        raise YamlProblem(Problem(display, line, col, "", f"character U+{exc.character:04X} is not allowed"
                                  if isinstance(exc.character, int) else f"YAML syntax: {exc.reason}",
                                  "delete it; catalog files hold printable text only")) from None
    except yaml.YAMLError as exc:
        raise YamlProblem(Problem(display, 1, 1, "", f"YAML syntax: {exc}")) from None
    except RecursionError:
        raise YamlProblem(Problem(display, 1, 1, "", "nesting too deep to be catalog data")) from None


def read_yaml(path: Path, display: str | None = None) -> Document:
    """Read and parse the catalog file at ``path``; raises YamlProblem for any bad file."""
    display = display or str(path)
    try:
        info = path.lstat()
        if stat.S_ISLNK(info.st_mode):
            raise YamlProblem(Problem(display, 1, 1, "", "symbolic links are not allowed in the catalog",
                                      "commit the file itself, not a link to it"))
        if not stat.S_ISREG(info.st_mode):
            raise YamlProblem(Problem(display, 1, 1, "", "not a regular file"))
        if info.st_size > MAX_BYTES:
            raise YamlProblem(Problem(display, 1, 1, "", f"file is {info.st_size} bytes; the limit is {MAX_BYTES}",
                                      "catalog entries are small; split the file or remove pasted content"))
        # O_NOFOLLOW: the file cannot be swapped for a link between the check and the read.
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
        with os.fdopen(fd, "rb") as handle:
            raw = handle.read(MAX_BYTES + 1)
    except OSError as exc:
        raise YamlProblem(Problem(display, 1, 1, "", f"cannot read file: {exc.strerror}")) from None
    if len(raw) > MAX_BYTES:
        raise YamlProblem(Problem(display, 1, 1, "", f"file is over {MAX_BYTES} bytes",
                                  "catalog entries are small; split the file or remove pasted content"))
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        col = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise YamlProblem(Problem(display, line, col, "", "file is not valid UTF-8",
                                  "save the file with UTF-8 encoding")) from None
    text = text.removeprefix("\ufeff")
    key = (str(path), display)
    if parsed is not None and key in parsed and parsed[key][0] == raw:
        return parsed[key][1]
    doc = parse_yaml(text, display)
    doc.path = path
    if parsed is not None:
        parsed[key] = (raw, doc)
    return doc


parsed: dict[tuple[str, str], tuple[bytes, Document]] | None = None
"""Where ``read_yaml`` keeps what it parsed, by file, for a process that reads the same catalog again and
again (``openmodels serve``, generator.preview); None (the default) parses every time. A file parses to
the same Document for the same bytes, and nothing changes a Document once it is made."""
