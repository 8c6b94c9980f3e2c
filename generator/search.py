"""One search index per language.

MkDocs' search plugin writes a single index for every language of the site. After the build it
is split here: the default language keeps ``search/search_index.json``, every other language gets
``<lang>/search/search_index.json`` (the theme override fetches it on that language's pages), and
each index tells the search worker its own language for stop words.
"""

from __future__ import annotations

import json
from pathlib import Path

from generator.files import write_if_changed


def split_search_index(site_dir: Path, default: str, others: list[str]) -> dict[str, int]:
    """Split the built site's search index by language; returns the number of entries per language."""
    path = site_dir / "search" / "search_index.json"
    if not path.is_file() or not others:
        return {}
    index = json.loads(path.read_text(encoding="utf-8"))
    by_locale: dict[str, list[dict]] = {locale: [] for locale in [default, *others]}
    for doc in index["docs"]:
        locale = next((loc for loc in others if doc["location"].startswith(f"{loc}/")), default)
        by_locale[locale].append(doc)
    for locale, docs in by_locale.items():
        config = {**index["config"], "lang": [locale]}
        target = path if locale == default else site_dir / locale / "search" / "search_index.json"
        write_if_changed(target, json.dumps({"config": config, "docs": docs}, ensure_ascii=False,
                                            separators=(",", ":")))
    return {locale: len(docs) for locale, docs in by_locale.items()}
