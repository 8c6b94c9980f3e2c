"""What a first-time reader, contributor and translator tripped over (issue 13), each pinned down."""

from __future__ import annotations

import difflib
import html
import json
import re
import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest
import yaml
from conftest import run_in_process, translate_data

from generator.catalog import load_catalog
from generator.errors import CatalogError
from generator.i18n import FRONT_MATTER, languages, nav_titles
from generator.indentation import find_indentation_problem
from generator.prose import load_strings, read_catalog
from generator.site import Project, build
from generator.source import YamlProblem, parse_yaml

ROOT = Path(__file__).resolve().parent.parent


# Point 2: starting a family.

def test_new_for_a_family_that_does_not_exist_says_how_to_start_it(project):
    result = run_in_process("new", "RWKV/rwkv-4-169m-pile", "--family", "rwkv", cwd=project)
    assert result.returncode == 1
    assert "unknown family 'rwkv'" in result.stderr and "olmo" not in result.stderr
    assert "openmodels new-family rwkv" in result.stderr


def test_new_family_then_new_model_validates_once_filled_in(project):
    result = run_in_process("new-family", "rwkv", cwd=project)
    assert result.returncode == 0, result.stderr
    path = project / "data" / "families" / "rwkv.yml"
    text = path.read_text(encoding="utf-8")
    assert "translations" not in yaml.safe_load(text) and "id: rwkv" in text
    # As drafted, validate asks for the blanks to be filled in, on their lines.
    blank = run_in_process("validate", cwd=project)
    assert blank.returncode == 1 and "data/families/rwkv.yml:6:7: name: must not be empty" in blank.stderr
    path.write_text(text.replace('name: ""', 'name: "RWKV"').replace('organisation: ""', 'organisation: "HF"')
                    .replace('summary: ""', 'summary: "Small models."'), encoding="utf-8")
    assert run_in_process("new", "RWKV/rwkv-4-169m-pile", "--family", "rwkv", cwd=project).returncode == 0
    assert (project / "data" / "models" / "rwkv" / "RWKV__rwkv-4-169m-pile.yml").exists()
    again = run_in_process("new-family", "rwkv", cwd=project)
    assert again.returncode == 1 and "already exists" in again.stderr
    assert path.read_text(encoding="utf-8").count("RWKV") == 1


def test_a_copied_family_file_does_not_carry_its_translations(small_project):
    """Translations belong to a file and field (their msgctxt): a copy of a family file gets none of the
    original's Swedish; after the merge its strings hold those translations only as fuzzy suggestions.
    On the small synthetic catalog, where the merge's fuzzy matching takes a fraction of the time."""
    project = small_project
    families = project / "data" / "families"
    summary = load_catalog(project / "data").families["demo"].summary
    translate_data(project, "sv", {("data/families/demo.yml:summary", None): "En påhittad familj för testerna."})
    (families / "rwkv.yml").write_text((families / "demo.yml").read_text(encoding="utf-8")
                                       .replace("id: demo", "id: rwkv", 1), encoding="utf-8")
    assert run_in_process("validate", cwd=project).returncode == 0
    merged = run_in_process("i18n", "extract", cwd=project)
    assert merged.returncode == 0, merged.stderr
    strings = load_strings(project / "data" / "locales", "sv")
    assert strings[("data/families/demo.yml:summary", summary)] == "En påhittad familj för testerna."
    assert ("data/families/rwkv.yml:summary", summary) not in strings
    po = read_catalog(project / "data" / "locales" / "sv" / "LC_MESSAGES" / "data.po")
    copied = po.get(summary, context="data/families/rwkv.yml:summary")
    assert copied.fuzzy and copied.string == "En påhittad familj för testerna."


def test_contributing_explains_how_to_start_a_family():
    text = (ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8")
    assert "openmodels new-family" in text and "copy an existing one" not in text


# Point 3: a YAML indentation mistake is reported on its own line, in plain words, with the enclosing key.

def test_a_dedented_key_is_reported_on_its_line():
    path = ROOT / "data" / "models" / "olmo" / "allenai__OLMo-7B.yml"
    lines = path.read_text(encoding="utf-8").split("\n")
    at = next(i for i, line in enumerate(lines) if line == "    evidence:" and lines[i - 2] == "  weights:")
    lines[at] = "  evidence:"  # onto the components' column: valid YAML until the note: two lines on
    with pytest.raises(YamlProblem) as caught:
        parse_yaml("\n".join(lines), "x.yml")
    problem = caught.value.problem
    assert (problem.line, problem.col, problem.field) == (at + 1, 3, "components.weights")
    assert problem.message == "`evidence:` is indented less than the `level:` above it (2 spaces, not 4) inside " \
                              "`weights:`"
    assert "<block" not in str(problem) and "parsing" not in str(problem)


def test_no_committed_file_looks_misindented():
    for path in sorted((ROOT / "data").rglob("*.yml")):
        assert find_indentation_problem(path.read_text(encoding="utf-8")) is None, path


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


# Point 6: translators see what changed, and whitespace alone changes nothing.

def git(project: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.org", *args], cwd=project, check=True,
                   capture_output=True)


def test_i18n_diff_shows_what_changed_since_the_translation(project):
    git(project, "init", "-q")
    git(project, "add", "site_src")
    git(project, "commit", "-qm", "pages")
    page = project / "site_src" / "lesson" / "benefits.md"
    text = page.read_text(encoding="utf-8")
    # Whitespace alone: an added blank line and a re-indented line leave the translation current.
    page.write_text(text.replace("\n\n", "\n\n\n", 1) + "\n", encoding="utf-8")
    assert json.loads(run_in_process("i18n", "status", "--json", cwd=project).stdout)[0]["pages"]["stale"] == []
    git(project, "commit", "-qam", "blank line")
    first = next(line for line in text.splitlines() if len(line) > 40 and not line.startswith(("#", "-")))
    page.write_text(page.read_text(encoding="utf-8").replace(first, first + " A sentence added later.")
                    + "\nA new paragraph.\n", encoding="utf-8")
    status = run_in_process("i18n", "status", cwd=project)
    assert "stale    lesson/benefits.md  (what changed: openmodels i18n diff lesson/benefits.md --lang sv)" \
        in status.stdout
    diff = run_in_process("i18n", "diff", "lesson/benefits.md", "--lang", "sv", cwd=project)
    assert diff.returncode == 0, diff.stderr
    lines = diff.stdout.splitlines()
    assert lines[0].startswith("--- site_src/lesson/benefits.md (translated, commit ")
    assert f"-{' '.join(first.split())}" in lines and f"+{' '.join(first.split())} A sentence added later." in lines
    assert "+A new paragraph." in lines and not any(line in ("+", "-") for line in lines)
    # Marked current, the page is up to date, and a later blank line still changes nothing.
    assert run_in_process("i18n", "mark-current", "lesson/benefits.md", "--lang", "sv", cwd=project).returncode == 0
    page.write_text(page.read_text(encoding="utf-8") + "\n\n", encoding="utf-8")
    same = run_in_process("i18n", "diff", "lesson/benefits.md", "--lang", "sv", cwd=project)
    assert same.returncode == 0 and "matches its original" in same.stdout


def test_i18n_diff_without_the_version_in_history_says_so(project):
    page = project / "site_src" / "lesson" / "benefits.md"
    page.write_text(page.read_text(encoding="utf-8") + "\nA new paragraph.\n", encoding="utf-8")
    result = run_in_process("i18n", "diff", "lesson/benefits.md", "--lang", "sv", cwd=project)
    assert result.returncode == 1 and "not in this checkout's git history" in result.stderr
    assert "Traceback" not in result.stderr


# Point 7: `i18n init` changes only what it adds to mkdocs.yml.

def test_i18n_init_changes_only_what_it_adds(project):
    before = (project / "mkdocs.yml").read_text(encoding="utf-8").splitlines()
    nav = yaml.safe_load("\n".join(before).replace("!ENV", ""))["nav"]
    titles = nav_titles(nav)
    assert "Atlas" in titles and "Families" in titles and "Other trackers" in titles  # nested ones too
    assert run_in_process("i18n", "init", "de", "--name", "Deutsch", cwd=project).returncode == 0
    after = (project / "mkdocs.yml").read_text(encoding="utf-8").splitlines()
    diff = [line for line in difflib.unified_diff(before, after, lineterm="", n=0)
            if line[:1] in "+-" and not line.startswith(("+++", "---"))]
    removed = [line for line in diff if line.startswith("-")]
    added = [line[1:] for line in diff if line.startswith("+")]
    assert removed == ["-      lang: [en, sv]"], diff
    assert added[0] == "      lang: [en, sv, de]"
    assert added[1:] == ["        - locale: de", "          name: Deutsch", "          build: true",
                         "          site_name: Open Models", "          nav_translations:",
                         *(f"            {t}: {t}" for t in titles)]
    assert [lang.locale for lang in languages(project / "mkdocs.yml")] == ["en", "sv", "de"]


# Point 8: fallback content says its real language; the notice is in the reader's where translated.

def article(html_text: str) -> str:
    return html_text.split('<article class="md-content__inner md-typeset">', 1)[1].split("</article>", 1)[0]


def test_fallback_content_is_marked_with_its_language(project):
    assert run_in_process("i18n", "init", "de", "--name", "Deutsch", cwd=project).returncode == 0
    (project / "site_src" / "lesson" / "choosing.sv.md").unlink()
    proj = Project(project)
    build(proj)
    site = proj.site_dir
    # A Swedish reader on an untranslated page: English text marked lang="en", a Swedish notice.
    body = article((site / "sv" / "lesson" / "choosing" / "index.html").read_text())
    assert body.lstrip().startswith('<div lang="en">')
    notice = re.search(r'<div class="admonition info" lang="(\w+)">\s*<p class="admonition-title">([^<]+)</p>', body)
    assert notice and notice.groups() == ("sv", "Inte översatt än")
    # A German reader: no German catalog yet, so the notice is English too, and marked so.
    body = article((site / "de" / "lesson" / "choosing" / "index.html").read_text())
    assert body.lstrip().startswith('<div lang="en">')
    assert re.search(r'<div class="admonition info" lang="en">\s*<p class="admonition-title">Not translated yet',
                     body)
    # Generated German pages are English throughout, and say so.
    assert article((site / "de" / "families" / "olmo" / "index.html").read_text()).lstrip() \
        .startswith('<div lang="en">')
    # Translated Swedish pages are not marked English.
    assert not article((site / "sv" / "lesson" / "benefits" / "index.html").read_text()).lstrip() \
        .startswith('<div lang="en">')
    # The Swedish data format page: the schema's English field descriptions are marked and noticed.
    page = (site / "sv" / "reference" / "data-format" / "index.html").read_text()
    assert '<span lang="en">The family id' in html.unescape(page) and "Delvis på engelska" in page


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
