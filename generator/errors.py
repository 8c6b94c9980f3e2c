"""Errors that library code raises; only the CLI turns them into messages and exit codes."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with one place in one file, reported as ``path:line:col: field: message``."""

    path: str
    line: int
    col: int
    field: str
    message: str
    hint: str = ""
    severity: Literal["error", "warning"] = "error"

    def __post_init__(self) -> None:
        # Messages quote what a contributor wrote; keep it to one printable line, so that a value cannot
        # forge further report lines, CI commands or terminal escapes.
        for name in ("path", "field", "message", "hint"):
            object.__setattr__(self, name, printable(getattr(self, name)))

    def __str__(self) -> str:
        text = f"{self.path}:{self.line}:{self.col}: {self.field or '(file)'}: {self.message}"
        if self.severity == "warning":
            text = f"{self.path}:{self.line}:{self.col}: {self.field or '(file)'}: warning: {self.message}"
        if self.hint:
            text += f"\n    hint: {self.hint}"
        return text


class OpenModelsError(Exception):
    """Base class of every error the generator raises on purpose."""


@dataclass
class CatalogError(OpenModelsError):
    """The catalog under ``data/`` has problems; ``problems`` lists every one of them."""

    problems: list[Problem] = field(default_factory=list)

    def __str__(self) -> str:
        errors = [p for p in self.problems if p.severity == "error"]
        return f"{len(errors)} problem(s) in the catalog"


class BuildError(OpenModelsError):
    """MkDocs refused to build the rendered pages."""


class SelectionError(OpenModelsError):
    """A command named a model, family or path that is not there; ``option`` is what named it."""

    def __init__(self, message: str, option: str):
        super().__init__(message)
        self.option = option


def problems_under(problems: list[Problem], root: Path, paths: Iterable[str]) -> list[Problem]:
    """The problems in the files or folders ``paths`` (relative to the working directory); problem
    paths are relative to ``root``. Raises SelectionError for a path that does not exist."""
    paths = list(paths)
    wanted = [Path(p).resolve() for p in paths]
    missing = [p for p, w in zip(paths, wanted, strict=True) if not w.exists()]
    if missing:
        raise SelectionError("no such file or folder: " + ", ".join(missing), "PATHS")

    def selected(problem: Problem) -> bool:
        where = (root / problem.path).resolve()
        return any(where == w or w in where.parents for w in wanted)

    return [p for p in problems if selected(p)]


def printable(text: str) -> str:
    """``text`` with every control or invisible character written as an escape such as ``\\n``."""
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() else ascii(ch)[1:-1] for ch in text)


def shown(value: object, limit: int = 60) -> str:
    """``value`` quoted for a message, shortened to about ``limit`` characters."""
    text = printable(str(value))
    return f"'{text[:limit]}…'" if len(text) > limit else f"'{text}'"


def did_you_mean(word: str, choices: Iterable[str], cutoff: float = 0.6) -> str:
    """A 'did you mean ...?' hint for a misspelt ``word``, or '' when nothing is close."""
    close = difflib.get_close_matches(str(word), sorted(choices), n=1, cutoff=cutoff)
    return f"did you mean '{close[0]}'?" if close else ""
