"""Read one YAML file safely and remember where every value came from.

PyYAML's safe loader is used only to compose the node tree; values are built here so that
each one keeps its line and column, duplicate keys and aliases can be refused, and nothing
in a contributor's file can make the loader do more than parse plain data.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from generator.errors import Problem

MAX_BYTES = 256 * 1024
"""Catalog files are a few kilobytes; anything near this size is a mistake or an attack."""

MAX_DEPTH = 20
"""No catalog file needs deeper nesting than this."""

_PLAIN_TAGS = {f"tag:yaml.org,2002:{name}" for name in ("null", "bool", "int", "float", "str")}

Location = tuple[int, int]
KeyPath = tuple[Any, ...]


@dataclass
class Document:
    """A parsed YAML file: its data and the 1-based (line, column) of every key path."""

    path: Path
    display: str
    data: Any
    positions: dict[KeyPath, Location]

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
        if node.tag == "tag:yaml.org,2002:timestamp":
            # Dates stay text so that '2024-02' and '2024-02-01' are handled alike by the schema.
            return node.value
        if node.tag == "tag:yaml.org,2002:merge":
            self.fail(node, keys, "merge keys (<<) are not allowed", "write the keys out in full")
        if node.tag not in _PLAIN_TAGS:
            self.fail(node, keys, f"YAML tag {node.tag} is not allowed", "catalog files hold plain data only")
        return self.scalars.construct_object(node)


def parse_yaml(text: str, display: str) -> Document:
    """Parse ``text`` (the contents of the file shown as ``display``); raises YamlProblem."""
    if "\t" in text:
        index = text.index("\t")
        line = text.count("\n", 0, index) + 1
        col = index - (text.rfind("\n", 0, index) + 1) + 1
        raise YamlProblem(Problem(display, line, col, "", "tab character in the file",
                                  "indent with spaces; YAML does not allow tabs for indentation"))
    try:
        # Aliases are refused from the event stream, before any node is built, so that
        # an alias bomb costs no more than reading its text.
        for event in yaml.parse(text, Loader=yaml.SafeLoader):
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
                mark = event.start_mark
                raise YamlProblem(Problem(display, mark.line + 1, mark.column + 1, "",
                                          "anchors and aliases (&name / *name) are not allowed",
                                          "write the value out in full"))
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        message = " ".join(str(part) for part in (exc.context, exc.problem) if part)
        raise YamlProblem(Problem(display, line, col, "", f"YAML syntax: {message}",
                                  "check indentation and that text with ':' or '#' is quoted")) from None
    except yaml.YAMLError as exc:
        raise YamlProblem(Problem(display, 1, 1, "", f"YAML syntax: {exc}")) from None
    except RecursionError:
        raise YamlProblem(Problem(display, 1, 1, "", "nesting too deep to be catalog data")) from None
    builder = _Builder(display)
    data = builder.build(node) if node is not None else None
    return Document(Path(display), display, data, builder.positions)


def read_yaml(path: Path, display: str | None = None) -> Document:
    """Read and parse the catalog file at ``path``; raises YamlProblem for any bad file."""
    display = display or str(path)
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise YamlProblem(Problem(display, 1, 1, "", f"cannot read file: {exc.strerror}")) from None
    if size > MAX_BYTES:
        raise YamlProblem(Problem(display, 1, 1, "", f"file is {size} bytes; the limit is {MAX_BYTES}",
                                  "catalog entries are small; split the file or remove pasted content"))
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        col = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise YamlProblem(Problem(display, line, col, "", "file is not valid UTF-8",
                                  "save the file with UTF-8 encoding")) from None
    text = text.removeprefix("\ufeff")
    doc = parse_yaml(text, display)
    doc.path = path
    return doc
