"""Validation of the catalog: every problem found at once, each pointing at its line."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.catalog import load_catalog
from generator.errors import CatalogError

BASE = "models/demo/demo-org__Base-1B.yml"
CHAT = "models/demo/demo-org__Chat-1B.yml"


def edit(root: Path, rel: str, old: str, new: str) -> None:
    path = root / rel
    text = path.read_text()
    assert old in text, f"{old!r} not in {rel}"
    path.write_text(text.replace(old, new, 1))


def problems_of(root: Path) -> list[str]:
    with pytest.raises(CatalogError) as info:
        load_catalog(root)
    return [str(p) for p in info.value.problems]


def test_fixture_catalog_is_valid(fixture_catalog):
    catalog = load_catalog(fixture_catalog)
    assert sorted(catalog.models) == ["demo-org/Base-1B", "demo-org/Chat-1B"]
    assert [m.id for m in catalog.family_models("demo")] == ["demo-org/Base-1B", "demo-org/Chat-1B"]
    assert catalog.depth(catalog.models["demo-org/Chat-1B"]) == 1


def test_every_problem_is_reported_at_once(fixture_catalog):
    edit(fixture_catalog, BASE, "kind: base", "kind: bsae")
    edit(fixture_catalog, CHAT, "license: LicenseRef-Llama-2", "license: Apache2")
    found = problems_of(fixture_catalog)
    assert len(found) == 2
    assert any("demo-org__Base-1B.yml:" in p and ": kind: 'bsae' is not allowed" in p and "base" in p for p in found)
    assert any(": license: unknown licence 'Apache2'" in p and "did you mean 'Apache-2.0'?" in p for p in found)


@pytest.mark.parametrize("rel, old, new, expected", [
    (BASE, "  weights:\n", "  wieghts:\n", "components.wieghts: unknown component 'wieghts'"),
    (BASE, "name: Demo Base 1B", "nmae: Demo Base 1B", "nmae: unknown key 'nmae'\n    hint: did you mean 'name'?"),
    (BASE, "    level: open\n", "    level: opne\n", "level: 'opne' is not allowed\n    hint: did you mean 'open'?"),
    (BASE, "family: demo", "family: dmeo", "family: unknown family 'dmeo'\n    hint: did you mean 'demo'?"),
    (CHAT, "base_model: demo-org/Base-1B", "base_model: demo-org/base-1b",
     "base model 'demo-org/base-1b' is not in the catalog\n"
     "    hint: did you mean 'demo-org/Base-1B'? (ids are case-sensitive)"),
    (BASE, "id: demo-org/Base-1B", "id: demo-org/Base-2B", "file name 'demo-org__Base-1B.yml' does not match id"),
    (BASE, "- https://example.org/base-1b/weights", "- javascript:alert(1)",
     "only http(s) links are allowed, not 'javascript:'"),
    (BASE, "release_date: 2024-02", "release_date: Feb 2024",
     "release_date: must be a date YYYY-MM-DD, YYYY-MM or YYYY"),
    (BASE, "parameters: 1000000000", "parameters: '1B'", "parameters: expected a whole number, found the text '1B'"),
])
def test_single_mistakes(fixture_catalog, rel, old, new, expected):
    edit(fixture_catalog, rel, old, new)
    found = problems_of(fixture_catalog)
    assert any(expected in p for p in found), found
    assert all(p.startswith("data/") for p in found)


def test_level_without_evidence(fixture_catalog):
    edit(fixture_catalog, BASE, "    - https://example.org/base-1b/weights\n", "")
    edit(fixture_catalog, BASE, "  weights:\n    level: open\n    evidence:\n",
         "  weights:\n    level: open\n    evidence: []\n")
    (found,) = problems_of(fixture_catalog)
    assert "components.weights.evidence: level 'open' needs at least one evidence link" in found


def test_missing_component_and_line_numbers(fixture_catalog):
    path = fixture_catalog / BASE
    lines = path.read_text().splitlines(keepends=True)
    start = next(i for i, line in enumerate(lines) if line == "  paper:\n")
    del lines[start:start + 5]
    path.write_text("".join(lines))
    (found,) = problems_of(fixture_catalog)
    assert found.startswith(f"data/{BASE}:")
    assert "component 'paper' is missing" in found


def test_lineage_cycle(fixture_catalog):
    edit(fixture_catalog, BASE, "base_model: null", "base_model: demo-org/Chat-1B")
    found = problems_of(fixture_catalog)
    assert any("lineage loops back" in p for p in found)


def test_duplicate_model_id(fixture_catalog):
    source = fixture_catalog / BASE
    (fixture_catalog / "models" / "demo" / "copy.yml").write_text(source.read_text())
    found = problems_of(fixture_catalog)
    assert any("duplicate model id 'demo-org/Base-1B'" in p for p in found)


def test_wrong_folder(fixture_catalog):
    (fixture_catalog / "models" / "other").mkdir()
    (fixture_catalog / BASE).rename(fixture_catalog / "models" / "other" / "demo-org__Base-1B.yml")
    found = problems_of(fixture_catalog)
    assert any("move it to data/models/demo/" in p for p in found)


def test_problem_position_is_line_and_column(fixture_catalog):
    edit(fixture_catalog, CHAT, "kind: chat", "kind: 42")
    (found,) = problems_of(fixture_catalog)
    text = (fixture_catalog / CHAT).read_text().splitlines()
    line_no = next(i for i, line in enumerate(text, 1) if line.startswith("kind:"))
    assert found.startswith(f"data/{CHAT}:{line_no}:7: kind:")


def test_a_broken_licence_entry_is_reported_once(fixture_catalog):
    licenses = fixture_catalog / "licenses.yml"
    licenses.write_text(licenses.read_text().replace("  osi_approved: true\n", "  osi_approved: maybe\n", 1))
    found = problems_of(fixture_catalog)
    assert len(found) == 1 and "licenses.yml" in found[0]


def test_hidden_files_in_models_are_ignored(fixture_catalog):
    (fixture_catalog / "models" / "demo" / ".DS_Store").write_bytes(b"\x00\x01")
    (fixture_catalog / "models" / "demo" / ".demo-org__Base-1B.yml.swp").write_bytes(b"\x00")
    assert len(load_catalog(fixture_catalog).models) == 2


def test_depth_stops_at_the_family_boundary(fixture_catalog):
    (fixture_catalog / "families" / "other.yml").write_text(
        "id: other\nname: Other\norganisation: Example Lab\nsummary: Synthetic family for tests.\n")
    (fixture_catalog / "models" / "other").mkdir()
    chat = fixture_catalog / CHAT
    moved = fixture_catalog / "models" / "other" / "demo-org__Chat-1B.yml"
    moved.write_text(chat.read_text().replace("family: demo", "family: other"))
    chat.unlink()
    catalog = load_catalog(fixture_catalog)
    assert catalog.depth(catalog.models["demo-org/Chat-1B"]) == 0


def test_misspelt_key_in_the_licence_registry_gets_its_own_hint(fixture_catalog):
    licenses = fixture_catalog / "licenses.yml"
    licenses.write_text(licenses.read_text().replace("  osi_approved: true\n", "  osi_aproved: true\n", 1))
    found = problems_of(fixture_catalog)
    assert any("unknown key 'osi_aproved'" in p and "did you mean 'osi_approved'?" in p for p in found), found


@pytest.mark.parametrize("written, kept", [("2023", "2023"), ("'2023'", "2023"), ("2023-06", "2023-06"),
                                           ("2023-06-05", "2023-06-05")])
def test_a_release_date_may_be_a_day_a_month_or_a_year(fixture_catalog, written, kept):
    """YAML reads a bare 2023 as a number; as a release date it is the year, kept as text like the others."""
    edit(fixture_catalog, BASE, "release_date: 2024-02", f"release_date: {written}")
    assert load_catalog(fixture_catalog).models["demo-org/Base-1B"].release_date == kept


@pytest.mark.parametrize("written, message", [
    ("2023-13", "release_date: 2023-13: there is no month 13; months run from 01 to 12"),
    ("23", "release_date: 23: a year has four digits, e.g. 2023"),
    ("'202'", "release_date: 202: a year has four digits, e.g. 2023"),
    ("'0000'", "release_date: 0000: there is no year 0000"),
    ("2023.5", "release_date: expected text, found the number '2023.5'"),
])
def test_a_release_date_that_is_no_day_month_or_year_is_refused_with_a_hint(fixture_catalog, written, message):
    edit(fixture_catalog, BASE, "release_date: 2024-02", f"release_date: {written}")
    (found,) = problems_of(fixture_catalog)
    assert found == f"data/{BASE}:7:15: {message}\n    hint: e.g. 2024-02-01, 2024-02 or 2024"


def test_releases_of_one_base_are_in_order_and_a_coarser_date_comes_first(fixture_catalog):
    """A date known only to the year or month is placed before the releases dated within it, never on a
    day it does not name."""
    chat = (fixture_catalog / CHAT).read_text()
    for stem, date in (("Chat-2B", "2024-01-15"), ("Chat-3B", "2023-12")):
        text = chat.replace("id: demo-org/Chat-1B", f"id: demo-org/{stem}").replace("release_date: 2024-02",
                                                                                   f"release_date: {date}")
        (fixture_catalog / "models" / "demo" / f"demo-org__{stem}.yml").write_text(text)
    edit(fixture_catalog, CHAT, "release_date: 2024-02", "release_date: 2024")
    catalog = load_catalog(fixture_catalog)
    assert [m.id for m in catalog.family_models("demo")] == \
        ["demo-org/Base-1B", "demo-org/Chat-3B", "demo-org/Chat-1B", "demo-org/Chat-2B"]
