"""Rule sentences of the hand-written pages (`<!-- rule: NAME -->`) are rendered from data/criteria.yml,
in every language, and the prose that still names a rule agrees with criteria.yml."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from generator.catalog import load_criteria
from generator.errors import BuildError
from generator.i18n import load_translations
from generator.prose import Place, ProseTranslations, load_strings, walk
from generator.render import Localizer
from generator.rule_text import RULES, expand_rules

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = ROOT / "templates"


def localizer(locale: str, criteria=None) -> Localizer:
    """The site's strings of ``locale``, and the data catalog's translations of ``criteria``'s texts."""
    found = [Place(f"data/criteria.yml:{path}", text, owner, name)
             for path, owner, name, text in walk(criteria, "")] if criteria is not None else []
    return Localizer(locale, "en", *load_translations(TEMPLATES / "locales", locale),
                     prose=ProseTranslations(found, load_strings(ROOT / "data" / "locales", locale)))


def rule(name: str, criteria, locale: str = "en") -> str:
    loc = localizer(locale, criteria)
    text = expand_rules(f"<!-- rule: {name} -->", "methodology.md", criteria, TEMPLATES, loc)
    assert not loc.missing, f"untranslated rule strings in {locale}: {loc.missing}"
    return text


@pytest.fixture
def criteria():
    return load_criteria(ROOT / "data")


def changed(criteria, key: str, **values):
    levels = [level.model_copy(update=values) if level.key == key else level for level in criteria.levels]
    return criteria.model_copy(update={"levels": levels})


def test_score_and_worked_example_follow_the_points(criteria):
    assert "- each **partial** component counts 0.5;" in rule("score", criteria)
    assert "(6 + 2 × 0.5) / 10 = **0.7**" in rule("worked-example", criteria)
    assert "(6 + 2 × 0,5) / 10 = **0,7**" in rule("worked-example", criteria, "sv")
    quarter = changed(criteria, "partial", score=0.25)
    assert "- each **partial** component counts 0.25;" in rule("score", quarter)
    assert "- varje komponent med nivån **delvis** ger 0,25;" in rule("score", quarter, "sv")
    assert "(6 + 2 × 0.25) / 10 = **0.65**" in rule("worked-example", quarter)
    assert "(6 + 2 × 0,25) / 10 = **0,65**" in rule("worked-example", quarter, "sv")
    # Not applicable counted like any other level: all twelve components count.
    counted = changed(criteria, "not_applicable", score=0)
    assert "**not applicable** components are left out" not in rule("score", counted)
    assert "/ 12 = " in rule("worked-example", counted) and "marked not applicable" not in rule("worked-example",
                                                                                               counted)


def test_evidence_rule_follows_needs_evidence(criteria):
    assert rule("evidence", criteria) == "- **Every level needs a source**, except unknown and not applicable."
    assert rule("evidence", criteria, "sv") == "- **Varje nivå behöver en källa**, utom okänd och ej tillämplig."
    strict = changed(criteria, "unknown", needs_evidence=True)
    assert rule("evidence", strict) == "- **Every level needs a source**, except not applicable."
    assert rule("evidence", changed(strict, "not_applicable", needs_evidence=True)) == \
        "- **Every level needs a source.**"


def test_methodology_pages_take_their_rules_from_the_markers():
    for page in ("methodology.md", "methodology.sv.md"):
        text = (ROOT / "site_src" / page).read_text(encoding="utf-8")
        assert set(re.findall(r"<!-- rule: (\S+) -->", text)) == set(RULES), page
        # No hand-written point value or worked sum left beside them.
        assert not re.search(r"counts \d|ger \d|\d+ × \d|= \*\*\d", text), page


def test_an_unknown_rule_names_the_page_and_line(criteria):
    with pytest.raises(BuildError, match=r"site_src/methodology\.md:2: unknown rule 'scores'; known rules: "):
        expand_rules("# M\n<!-- rule: scores -->\n", "methodology.md", criteria, TEMPLATES, localizer("en"))


def test_prose_that_names_the_evidence_rule_agrees_with_criteria_yml(criteria):
    exempt = {level.key for level in criteria.levels if not level.needs_evidence}
    contributing = (ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8")
    sentence = re.search(r"Every level other than (.*?) needs at least one link", contributing, re.S)
    assert sentence, "CONTRIBUTING no longer states which levels need no evidence; update this test"
    assert set(re.findall(r"`(\w+)`", sentence[1])) == exempt
    from generator.scaffold import _evidence_comment

    assert _evidence_comment(criteria) == "  # Every level but unknown and not_applicable needs evidence: " \
                                          "links to the pages that show it.\n"
    assert "unknown" not in _evidence_comment(changed(criteria, "unknown", needs_evidence=True))
