"""What a first-time reader, contributor and translator tripped over (issue 13), each pinned down."""

from __future__ import annotations

import re
import shutil
import tomllib
from pathlib import Path

import yaml

from generator.catalog import load_catalog
from generator.errors import CatalogError
from generator.i18n import FRONT_MATTER, languages

ROOT = Path(__file__).resolve().parent.parent


# Point 4: a model in another family's folder may have the wrong folder or the wrong family: key.

def test_wrong_family_folder_names_both_mistakes(fixture_catalog):
    shutil.copy(fixture_catalog / "families" / "demo.yml", fixture_catalog / "families" / "other.yml")
    family = fixture_catalog / "families" / "other.yml"
    family.write_text(re.sub(r"^id: demo$", "id: other", family.read_text(), flags=re.M))
    model = next((fixture_catalog / "models" / "demo").glob("*.yml"))
    (fixture_catalog / "models" / "other").mkdir()
    model.rename(fixture_catalog / "models" / "other" / model.name)
    try:
        load_catalog(fixture_catalog)
    except CatalogError as exc:
        problem = next(p for p in exc.problems if p.field == "family")
    else:
        raise AssertionError("a model in another family's folder was accepted")
    assert problem.hint == "move it to data/models/demo/, or, if family: is the mistake, change it to other"


# Point 9: small inconsistencies.

def test_home_page_says_rows_are_models():
    for page in ("index.md", "index.sv.md"):
        text = (ROOT / "site_src" / page).read_text(encoding="utf-8")
        row = next(line for line in text.splitlines() if re.search(r"\b(row|rad)\b", line))
        assert re.search(r"\b(is one model|är en modell)\b", row), row


def test_home_page_heading_is_the_site_name_in_every_language():
    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8").replace("!ENV", ""))
    plugin = next(p["i18n"] for p in config["plugins"] if isinstance(p, dict) and "i18n" in p)
    for lang in languages(ROOT / "mkdocs.yml"):
        entry = next(e for e in plugin["languages"] if e["locale"] == lang.locale)
        name = entry.get("site_name", config["site_name"])
        page = ROOT / "site_src" / ("index.md" if lang.default else f"index.{lang.locale}.md")
        text = FRONT_MATTER.sub("", page.read_text(encoding="utf-8")).lstrip()
        assert text.splitlines()[0] == f"# {name}", (lang.locale, text.splitlines()[0])


def test_contributing_and_readme_give_the_same_test_time():
    def minutes(text: str) -> str:
        found = re.search(r"`make test`[^\n]*?(about [\d.,–]+ minutes?)", re.sub(r"\s+", " ", text))
        assert found, "no time for make test"
        return found.group(1)

    readme = minutes((ROOT / "README.md").read_text(encoding="utf-8"))
    contributing = minutes((ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8"))
    assert readme == contributing


def test_licence_is_an_spdx_string_for_a_setuptools_that_reads_it():
    # A TOML table for project.license is deprecated since setuptools 77, which reads the SPDX string.
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert project["project"]["license"] == "MIT"
    (minimum,) = [re.fullmatch(r"setuptools>=(\d+)", r) for r in project["build-system"]["requires"]]
    assert minimum and int(minimum.group(1)) >= 77
