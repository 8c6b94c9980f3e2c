"""The lesson's glossary: one file per language, ``data/glossary/<lang>.yml``, shown as tooltips.

Each entry has an id shared by every language, the word forms to mark in the text (``terms``)
and a one- or two-sentence ``definition``. At render time the lesson pages get Markdown
abbreviation lines (``*[term]: definition``), which Material shows as tooltips
(``content.tooltips``); nothing of the page's own text changes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from generator.errors import CatalogError, Problem
from generator.source import YamlProblem, read_yaml

GLOSSARY_DIR = "glossary"


@dataclass(frozen=True)
class Entry:
    id: str
    terms: tuple[str, ...]
    definition: str


def glossary_path(data_dir: Path, locale: str) -> Path:
    return data_dir / GLOSSARY_DIR / f"{locale}.yml"


def load_glossary(data_dir: Path, locale: str) -> dict[str, Entry]:
    """The entries of one language, by id ({} when the language has no glossary); raises CatalogError."""
    path = glossary_path(data_dir, locale)
    if not path.exists():
        return {}
    display = f"data/{GLOSSARY_DIR}/{locale}.yml"
    try:
        doc = read_yaml(path, display)
    except YamlProblem as exc:
        raise CatalogError([exc.problem]) from None
    problems, entries = [], {}
    if not isinstance(doc.data, dict):
        raise CatalogError([doc.problem((), "expected a mapping of term ids to entries",
                                        "see data/glossary/en.yml for the shape")])
    for key, value in doc.data.items():
        terms = value.get("terms") if isinstance(value, dict) else None
        definition = value.get("definition") if isinstance(value, dict) else None
        if not (isinstance(terms, list) and terms and all(isinstance(t, str) and _TERM.fullmatch(t) for t in terms)):
            problems.append(doc.problem((key, "terms"), "expected a list of words or short phrases",
                                        "letters, digits, spaces, hyphens and dots only, e.g. [LLM, LLMs]"))
            continue
        if not (isinstance(definition, str) and 0 < len(definition) <= 300 and "\n" not in definition.strip()):
            problems.append(doc.problem((key, "definition"), "expected one line of text, at most 300 characters",
                                        "tooltips are short; link to a page for more"))
            continue
        entries[str(key)] = Entry(str(key), tuple(terms), definition.strip())
    seen: dict[str, str] = {}
    for entry in entries.values():
        for term in entry.terms:
            if term in seen:
                problems.append(doc.problem((entry.id, "terms"), f"'{term}' is also a term of '{seen[term]}'",
                                            "a word can have one tooltip only"))
            seen[term] = entry.id
    if problems:
        raise CatalogError(problems)
    return entries


_TERM = re.compile(r"[\w][\w .:\-]{0,48}[\w.]|\w")


def missing_counterparts(data_dir: Path, default: str, locales: list[str]) -> list[Problem]:
    """Entries of one language that another language lacks (every language must explain the same terms)."""
    glossaries = {locale: load_glossary(data_dir, locale) for locale in [default, *locales]}
    problems = []
    for locale, entries in glossaries.items():
        for other, theirs in glossaries.items():
            for key in sorted(set(entries) - set(theirs)):
                problems.append(Problem(f"data/{GLOSSARY_DIR}/{other}.yml", 1, 1, key,
                                        f"no entry for '{key}', which {locale}.yml explains",
                                        f"translate the entry from data/{GLOSSARY_DIR}/{locale}.yml"))
    return problems


def abbreviations(entries: dict[str, Entry]) -> str:
    """Markdown abbreviation definitions for every term, longest first so phrases win over their words."""
    pairs = sorted(((term, e.definition) for e in entries.values() for term in e.terms),
                   key=lambda p: (-len(p[0]), p[0]))
    # The definition becomes an HTML attribute; Markdown escapes it, but a ']' would end the term early.
    return "\n".join(f"*[{term}]: {definition}" for term, definition in pairs)


def with_glossary(page_text: str, entries: dict[str, Entry]) -> str:
    """``page_text`` with the glossary appended as abbreviation lines (a page without entries is unchanged)."""
    if not entries:
        return page_text
    return page_text.rstrip("\n") + "\n\n" + abbreviations(entries) + "\n"
