"""Rule sentences of the hand-written pages (`<!-- rule: NAME -->`) are rendered from data/criteria.yml,
in every language, and the prose that still names a rule agrees with criteria.yml."""

from __future__ import annotations

import functools
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
HOME_PAGE_RULES = {"levels-table", "unknown-tip"}
TEMPLATES = ROOT / "templates"


@functools.cache
def translations(locale: str):
    """The committed catalogs of ``locale``, read once: the template strings' and the data's (read-only)."""
    return load_translations(TEMPLATES / "locales", locale), load_strings(ROOT / "data" / "locales", locale)


def localizer(locale: str, criteria=None) -> Localizer:
    """The site's strings of ``locale``, and the data catalog's translations of ``criteria``'s texts."""
    found = [Place(f"data/criteria.yml:{path}", text, owner, name)
             for path, owner, name, text in walk(criteria, "")] if criteria is not None else []
    templates, strings = translations(locale)
    return Localizer(locale, "en", *templates, prose=ProseTranslations(found, strings))


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


def with_verdict(criteria, name: str, **values):
    """``criteria`` with verdict ``name`` changed."""
    verdict = getattr(criteria.verdicts, name).model_copy(update=values)
    return criteria.model_copy(update={"verdicts": criteria.verdicts.model_copy(update={name: verdict})})


def moved(criteria, component: str, to: str):
    """``criteria`` with ``component`` required by MOF class ``to`` instead of its own class."""
    classes = [cls.model_copy(update={"require_open": [k for k in cls.require_open if k != component]
                                      + ([component] if cls.key == to else [])})
               for cls in criteria.verdicts.mof.classes]
    return with_verdict(criteria, "mof", classes=classes)


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


def test_lesson_criteria_follow_their_requirements_and_the_levels_that_meet_them(criteria):
    assert rule("lesson-criteria", criteria) == ("Met only when all of these components are **open**: training data, "
                                                 "weights, evaluation code, fine-tuning code and training metrics.")
    assert rule("lesson-criteria", criteria, "sv") == (
        "Uppfyllda bara när alla dessa komponenter har nivån **öppen**: träningsdata, vikter, utvärderingskod, "
        "finjusteringskod och träningsmått.")
    four = with_verdict(criteria, "lesson_criteria", require_open=["training_data", "weights", "evaluation_code",
                                                                   "training_metrics"])
    assert rule("lesson-criteria", four).endswith(": training data, weights, evaluation code and training metrics.")
    assert rule("lesson-criteria", four, "sv").endswith(": träningsdata, vikter, utvärderingskod och träningsmått.")
    lenient = changed(criteria, "partial", meets_requirements=True)
    assert "components are **open or partial**:" in rule("lesson-criteria", lenient)
    assert "har nivån **öppen eller delvis**:" in rule("lesson-criteria", lenient, "sv")
    assert "| Are all of the lesson's components open or partial? |" in rule("verdicts", lenient)
    assert "| Har alla lektionens komponenter nivån öppen eller delvis? |" in rule("verdicts", lenient, "sv")
    # Not applicable keeps a base model from the criteria only while a fine-tuning component is required.
    assert "a base model, which has no fine-tuning code at all, does not meet" in rule("not-applicable", criteria)
    assert "en basmodell, som helt saknar finjusteringskod, uppfyller inte" in rule("not-applicable", criteria, "sv")
    assert rule("not-applicable", four) == ("A component marked not applicable does not count as open here, "
                                            "nor in the other two verdicts.")
    assert "och inte heller i de två andra" in rule("not-applicable", four, "sv")
    assert rule("not-applicable", changed(criteria, "not_applicable", meets_requirements=True)) == ""


def test_osaid_requirements_follow_criteria_yml(criteria):
    text = rule("osaid", criteria)
    assert text.split("\n") == [
        "1. the **weights** component is open;",
        "1. the **training code** component is open;",
        "1. the licence of the weights is on the OSI-approved list;",
        "1. the **training data** component is open, *or* it is partial and backed by a **datasheet** component "
        "that is open — our stand-in for the definition's requirement of detailed data information."]
    assert "1. komponenten **träningskod** är öppen;" in rule("osaid", criteria, "sv")
    fewer = with_verdict(criteria, "osaid", require_open=["weights"], require_osi_license=False,
                         data_documented_levels=[])
    for locale, gone in (("en", "training code"), ("sv", "träningskod")):
        assert gone not in rule("osaid", fewer, locale)
        assert "OSI" not in rule("osaid", fewer, locale)
    assert rule("osaid", fewer).split("\n") == ["1. the **weights** component is open;",
                                                 "1. the **training data** component is open."]
    assert rule("osaid", fewer, "sv").endswith("\n1. komponenten **träningsdata** är öppen.")
    card = with_verdict(criteria, "osaid", data_documentation="model_card")
    assert "backed by a **model card** component" in rule("osaid", card)
    assert "backas upp av komponenten **modellkort**" in rule("osaid", card, "sv")


def test_mof_classes_follow_their_requirements(criteria):
    assert "| Class I — Open science | training data, paper and training metrics |" in rule("mof-classes", criteria)
    assert "| Klass I – Öppen vetenskap | träningsdata, artikel och träningsmått |" in rule("mof-classes", criteria,
                                                                                      "sv")
    paper = moved(criteria, "paper", "III")
    for locale, iii, i in (("en", "| Class III — Open model | architecture, weights, model card, datasheet, licence "
                                  "and paper |", "| Class I — Open science | training data and training metrics |"),
                           ("sv", "| Klass III – Öppen modell | arkitektur, vikter, modellkort, datablad, licens och "
                                  "artikel |", "| Klass I – Öppen vetenskap | träningsdata och träningsmått |")):
        text = rule("mof-classes", paper, locale)
        assert iii in text and i in text, text
    assert "Class III, II, I or none" in rule("verdicts", criteria)
    two = with_verdict(criteria, "mof", classes=criteria.verdicts.mof.classes[:2])
    assert "| Class II, III or none |" not in rule("verdicts", two) and "| Class III, II or none |" in rule("verdicts",
                                                                                                          two)
    assert "Class I " not in rule("mof-classes", two)
    assert rule("mof-classes", two).endswith("cannot reach Class II without meeting Class III. "
                                             "A release that misses Class III gets no class.")


def test_the_framework_differences_follow_the_requirements(criteria):
    assert "reads only the training data, weights, training code and datasheet, so" in rule("osaid-fine-tuning",
                                                                                             criteria)
    assert "läser bara komponenterna träningsdata, vikter, träningskod och datablad, så" in rule(
        "osaid-fine-tuning", criteria, "sv")
    # Reading the fine-tuning data would close the gap the bullet describes: it goes.
    tuned = with_verdict(criteria, "osaid", require_open=["weights", "training_code", "finetuning_data"])
    assert rule("osaid-fine-tuning", tuned) == rule("osaid-fine-tuning", tuned, "sv") == ""
    untrained = with_verdict(criteria, "osaid", require_open=["weights"])
    assert rule("osaid-code-licences", untrained) == rule("osaid-code-licences", untrained, "sv") == ""
    assert "reads only the training data, weights and datasheet, so" in rule("osaid-fine-tuning", untrained)
    assert "(training code *open*), not under which licence." in rule("osaid-code-licences", criteria)
    unlicensed = with_verdict(criteria, "osaid", require_osi_license=False)
    assert "We check no licence;" in rule("osaid-code-licences", unlicensed)
    assert "Vi kontrollerar ingen licens;" in rule("osaid-code-licences", unlicensed, "sv")

    assert "we count the paper only at class I, so our class III" in rule("mof-paper", criteria)
    assert "räknar komponenten artikel först i klass I, så vår klass III" in rule("mof-paper", criteria, "sv")
    assert "only at class II, so" in rule("mof-paper", moved(criteria, "paper", "II"))
    assert rule("mof-paper", moved(criteria, "paper", "III")).endswith(
        "We have no component for evaluation results, so our class III can be reached without them.")
    assert rule("mof-paper", moved(criteria, "paper", "III"), "sv").endswith("så vår klass III kan nås utan dem.")
    assert "can reach our class I." in rule("mof-metrics", criteria)
    assert "can reach our class II." in rule("mof-metrics", moved(criteria, "training_metrics", "II"))
    assert "kan nå vår klass II." in rule("mof-metrics", moved(criteria, "training_metrics", "II"), "sv")


def test_osaid_outcomes_and_gates_follow_the_levels(criteria):
    assert "components marked unknown, the verdict is **unknown**" in rule("osaid-outcomes", criteria)
    assert "komponenter med nivån okänd blir bedömningen **okänt**" in rule("osaid-outcomes", criteria, "sv")
    unflagged = changed(criteria, "unknown", flagged=False)
    assert rule("osaid-outcomes", unflagged) == "If a requirement clearly fails, the verdict is **unlikely**."
    assert "which makes the OSAID estimate *unlikely*" in rule("osaid-gates", criteria)
    assert "vilket gör OSAID-uppskattningen *osannolik*" in rule("osaid-gates", criteria, "sv")
    # Partial weights that meet the requirements no longer cost the estimate anything.
    lenient = changed(criteria, "partial", meets_requirements=True)
    assert "unlikely" not in rule("osaid-gates", lenient)
    assert "osannolik" not in rule("osaid-gates", lenient, "sv")
    assert rule("osaid-gates", lenient).endswith("as *partial* weights, unless the developer also publishes an "
                                                 "ungated copy.")


def test_components_and_levels_are_listed_from_criteria_yml(criteria):
    assert rule("components", criteria).startswith("training data, fine-tuning data, weights, ")
    assert "datasheet and architecture. Each component receives one level — open, partial, closed, unknown or " \
           "not applicable — " in rule("components", criteria)
    assert "datablad och arkitektur. Varje komponent får en nivå – öppen, delvis, stängd, okänd eller ej " \
           "tillämplig – " in rule("components", criteria, "sv")
    fewer = criteria.model_copy(update={"components": criteria.components[:-1],
                                        "levels": [lv for lv in criteria.levels if lv.key != "unknown"]})
    assert "paper and datasheet. Each component receives one level — open, partial, closed or not applicable — " \
           in rule("components", fewer)
    assert "artikel och datablad. Varje komponent får en nivå – öppen, delvis, stängd eller ej tillämplig – " \
           in rule("components", fewer, "sv")


def test_unknown_as_closed_follows_its_points_and_flag(criteria):
    assert rule("unknown-as-closed", criteria).startswith("Why count unknown as closed? Because openness")
    assert rule("unknown-as-closed", criteria, "sv").startswith("Varför räknas okänd som stängd?")
    quarter = changed(criteria, "unknown", score=0.25)
    assert rule("unknown-as-closed", quarter).startswith("The flag lets you tell")
    assert rule("unknown-as-closed", quarter, "sv").startswith("Flaggan gör att")
    assert rule("unknown-as-closed", changed(quarter, "unknown", flagged=False)) == ""
    assert rule("unknown-as-closed", changed(criteria, "unknown", flagged=False)).endswith("nothing to build on.")


def test_judgement_rules_are_the_rules_of_criteria_yml(criteria):
    from html import unescape

    english, swedish = (unescape(rule("judgement-rules", criteria, locale)).split("\n") for locale in ("en", "sv"))
    assert len(english) == len(swedish) == len(criteria.rules)
    first = criteria.rules[0]
    assert english[0] == f"- **{first.title}.** {first.text} *openmodels validate checks this rule on every entry.*"
    assert swedish[0].startswith("- **En basmodell har inget finjusteringssteg.** ")
    assert swedish[0].endswith(" *openmodels validate kontrollerar regeln på varje post.*")
    # A rule added, or one without a check, shows as it is in criteria.yml; a removed rule is gone.
    unchecked = first.model_copy(update={"check": None})
    text = unescape(rule("judgement-rules", criteria.model_copy(update={"rules": [unchecked]})))
    assert text == f"- **{first.title}.** {first.text}"


def test_the_home_page_levels_follow_their_points_and_flags(criteria):
    table = rule("levels-table", criteria).split("\n")
    assert table[2:] == [
        "| ● | Open | Publicly available with no strings attached that would limit use. |",
        "| ◐ | Partial | Something is published, but it is incomplete, gated or restricted. |",
        "| ○ | Closed | Not published, or not usable in practice. |",
        "| ? | Unknown | We could not find reliable evidence either way. Counted as closed and flagged. |",
        "| – | Not applicable | The component does not exist for this release. It is left out of the score. |"]
    assert "| ? | Okänd | Vi har inte hittat tillförlitliga belägg åt något håll. Räknas som stängd och flaggas. |" in \
        rule("levels-table", criteria, "sv")
    quarter = changed(changed(criteria, "unknown", score=0.25), "not_applicable", score=0)
    assert "either way. Counts 0.25 and flagged. |" in rule("levels-table", quarter)
    assert "åt något håll. Ger 0,25 och flaggas. |" in rule("levels-table", quarter, "sv")
    assert "for this release. Counted as closed. |" in rule("levels-table", quarter)
    assert "is scored like a closed one" in rule("unknown-tip", criteria)
    assert "En komponent med nivån okänd räknas som stängd" in rule("unknown-tip", criteria, "sv")
    assert "is flagged so that the gap stays visible" in rule("unknown-tip", quarter)
    assert "flaggas, så att luckan syns" in rule("unknown-tip", quarter, "sv")
    for page in ("index.md", "index.sv.md"):
        text = (ROOT / "site_src" / page).read_text(encoding="utf-8")
        assert HOME_PAGE_RULES <= set(re.findall(r"<!-- rule: (\S+) -->", text)), page
        assert not re.search(r"Counted as closed|Räknas som stängd|scored like|räknas som stängd", text), page


def test_every_marker_on_the_hand_written_pages_is_known_and_expanded(criteria):
    """A comment on a hand-written page is a figure or rule marker the build knows; after the rule markers are
    expanded none is left, so a misspelt marker never reaches readers as an empty space or a stale sentence."""
    from generator.figures import FIGURES

    known = {"figure": set(FIGURES), "rule": set(RULES)}
    for page in sorted((ROOT / "site_src").rglob("*.md")):
        name = page.relative_to(ROOT / "site_src").as_posix()
        text = page.read_text(encoding="utf-8")
        for comment in re.findall(r"<!--.*?-->", text, re.S):
            found = re.fullmatch(r"<!-- (figure|rule): (\S+) -->", comment)
            assert found and found[2] in known[found[1]], f"{name}: {comment}"
        loc = localizer("sv" if name.endswith(".sv.md") else "en", criteria)
        assert "<!-- rule:" not in expand_rules(text, name, criteria, TEMPLATES, loc), name
        assert not loc.missing, name


def test_methodology_pages_take_their_rules_from_the_markers():
    for page in ("methodology.md", "methodology.sv.md"):
        text = (ROOT / "site_src" / page).read_text(encoding="utf-8")
        assert set(re.findall(r"<!-- rule: (\S+) -->", text)) == set(RULES) - HOME_PAGE_RULES, page
        # No hand-written point value, worked sum, verdict requirement, MOF class or component list left beside them.
        assert not re.search(r"counts \d|ger \d|\d+ × \d|= \*\*\d", text), page
        assert not re.search(r"\*\*(all open|alla är öppna)\*\*|\| Class|\| Klass|^1\. |only at class|först i klass"
                             r"|datasheet and architecture|datablad och arkitektur"
                             r"|marked unknown|markerade som okända", text, re.M), page


def test_an_unknown_rule_names_the_page_and_line(criteria):
    with pytest.raises(BuildError, match=r"site_src/methodology\.md:2: unknown rule 'scores'; known rules: "):
        expand_rules("# M\n<!-- rule: scores -->\n", "methodology.md", criteria, TEMPLATES, localizer("en"))


def test_prose_that_names_the_evidence_rule_agrees_with_criteria_yml(criteria):
    exempt = {level.key for level in criteria.levels if not level.needs_evidence}
    contributing = (ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8")
    sentence = re.search(r"Every level other than (.*?) needs at least one link", contributing, re.S)
    assert sentence, "CONTRIBUTING no longer states which levels need no evidence; update this test"
    assert set(re.findall(r"`(\w+)`", sentence[1])) == exempt
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    sentence = re.search(r"every level other than (.*?) needs at least one evidence URL", readme, re.S)
    assert sentence, "README no longer states which levels need no evidence; update this test"
    assert set(re.findall(r"`(\w+)`", sentence[1])) == exempt
    # The lesson's guide for contributors names the levels by their labels, in each language.
    for page, locale, pattern in (("next-steps.md", "en", r"Every level except (.*?) must cite"),
                                  ("next-steps.sv.md", "sv", r"Varje nivå utom (.*?) måste hänvisa")):
        text = (ROOT / "site_src" / "lesson" / page).read_text(encoding="utf-8")
        sentence = re.search(pattern, text, re.S)
        assert sentence, f"{page} no longer states which levels need no evidence; update this test"
        loc = localizer(locale, criteria)
        labels = {loc.text(level, "label").lower() for level in criteria.levels if not level.needs_evidence}
        assert set(re.findall(r"\*([^*]+)\*", sentence[1])) == labels, page
    from generator.scaffold import _evidence_comment

    assert _evidence_comment(criteria) == "  # Every level but unknown and not_applicable needs evidence: " \
                                          "links to the pages that show it.\n"
    assert "unknown" not in _evidence_comment(changed(criteria, "unknown", needs_evidence=True))
