"""Scores and verdicts: worked examples on the synthetic catalog and on real entries."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.catalog import load_catalog
from generator.openness import assess_catalog, assess_model, judge_mof, judge_osaid, score_model
from generator.schema import Component, Model

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def real():
    catalog = load_catalog(ROOT / "data")
    return catalog, assess_catalog(catalog)


def with_levels(model: Model, **levels: str) -> Model:
    components = dict(model.components)
    for key, level in levels.items():
        evidence = [] if level in ("unknown", "not_applicable") else ["https://example.org/e"]
        components[key] = Component(level=level, evidence=evidence)
    return model.model_copy(update={"components": components})


def test_scores_on_the_fixture(fixture_catalog):
    catalog = load_catalog(fixture_catalog)
    base = catalog.models["demo-org/Base-1B"]
    # Base: 11 applicable components, all open; finetuning_data is not applicable.
    assert score_model(base, catalog.criteria) == (1.0, ())
    chat = catalog.models["demo-org/Chat-1B"]
    # Chat: open x4 (training data, weights, training code, architecture) = 4,
    # partial x4 (finetuning data, licence, model card, datasheet) = 2, closed x3, unknown x1 -> 6 / 12.
    assert score_model(chat, catalog.criteria) == (0.5, ("evaluation_code",))


def test_verdict_rules(fixture_catalog):
    catalog = load_catalog(fixture_catalog)
    criteria, base = catalog.criteria, catalog.models["demo-org/Base-1B"]
    apache = catalog.licenses["Apache-2.0"]
    llama = catalog.licenses["LicenseRef-Llama-2"]
    assert judge_osaid(base, criteria, apache) == "likely"
    assert judge_osaid(base, criteria, llama) == "unlikely"  # not OSI-approved
    assert judge_osaid(with_levels(base, training_code="unknown"), criteria, apache) == "unknown"
    assert judge_osaid(with_levels(base, training_code="unknown", weights="closed"), criteria, apache) == "unlikely"
    # Partial data passes only when documented by an open datasheet.
    assert judge_osaid(with_levels(base, training_data="partial"), criteria, apache) == "likely"
    assert judge_osaid(with_levels(base, training_data="partial", datasheet="partial"), criteria, apache) == "unlikely"
    assert judge_osaid(with_levels(base, training_data="partial", datasheet="unknown"), criteria, apache) == "unknown"
    # MOF classes are cumulative: losing a class III component loses every class.
    assert judge_mof(base, criteria) == "I"
    assert judge_mof(with_levels(base, paper="partial"), criteria) == "II"
    assert judge_mof(with_levels(base, evaluation_code="closed"), criteria) == "III"
    assert judge_mof(with_levels(base, model_card="partial", paper="partial"), criteria) is None


def test_not_applicable_is_left_out_and_unknown_counts_as_closed(fixture_catalog):
    catalog = load_catalog(fixture_catalog)
    base = catalog.models["demo-org/Base-1B"]
    score, flagged = score_model(with_levels(base, weights="unknown"), catalog.criteria)
    assert score == round(10 / 11, 4) and flagged == ("weights",)
    score, _ = score_model(with_levels(base, weights="closed"), catalog.criteria)
    assert score == round(10 / 11, 4)


def test_olmo_2_instruct_meets_the_lesson_criteria(real):
    catalog, assessments = real
    olmo = assessments["allenai/OLMo-2-1124-7B-Instruct"]
    assert olmo.lesson_criteria is True
    assert olmo.osaid == "likely"
    for key in catalog.criteria.verdicts.lesson_criteria.require_open:
        assert catalog.models["allenai/OLMo-2-1124-7B-Instruct"].components[key].evidence
    # A base model has no fine-tuning stage (rule base-model-not-fine-tuned), so it cannot meet them.
    assert assessments["allenai/OLMo-7B"].lesson_criteria is False
    assert assessments["allenai/OLMo-7B"].osaid == "likely"


def test_llama_2_does_not(real):
    catalog, assessments = real
    for model_id in ("meta-llama/Llama-2-7b-hf", "meta-llama/Llama-2-7b-chat-hf"):
        assert assessments[model_id].lesson_criteria is False
        assert assessments[model_id].osaid == "unlikely"
        assert catalog.license_of(catalog.models[model_id]).osi_approved is False


def test_assessment_is_deterministic(real):
    catalog, assessments = real
    model = catalog.models["allenai/OLMo-7B"]
    assert assess_model(model, catalog) == assessments["allenai/OLMo-7B"]


def test_rules_follow_criteria_yml(project):
    """Change the rules in data/criteria.yml only: scores, models.json, page text and validation follow."""
    import json

    from generator.errors import CatalogError
    from generator.site import Project, build

    criteria = project / "data" / "criteria.yml"
    text = criteria.read_text()
    changed = text.replace("    icon: \"◐\"\n    score: 0.5\n", "    icon: \"◐\"\n    score: 0.25\n", 1)
    # 'partial' also meets the verdicts' requirements now.
    changed = changed.replace("    score: 0.25\n", "    score: 0.25\n    meets_requirements: true\n", 1)
    assert changed.count("score: 0.25") == 1 and changed != text
    criteria.write_text(changed)
    build(Project(project))

    catalog = load_catalog(project / "data")
    models = {m["id"]: m for m in json.loads((project / "site" / "api" / "models.json").read_text())["models"]}
    llama = catalog.models["meta-llama/Llama-2-7b-hf"]
    levels = [llama.components[k].level for k in catalog.criteria.keys if llama.components[k].level != "not_applicable"]
    expected = (levels.count("open") + 0.25 * levels.count("partial")) / len(levels)
    assert models[llama.id]["score"] == pytest.approx(expected, abs=1e-4)
    assert models[llama.id]["score"] == assess_model(llama, catalog).score
    # With partial meeting requirements, a model whose 'must be open' components are all open or
    # partial passes the lesson's criteria.
    lesson = catalog.criteria.verdicts.lesson_criteria.require_open
    passing = [m.id for m in catalog.models.values()
               if all(m.components[k].level in ("open", "partial") for k in lesson)]
    assert passing and all(models[i]["verdicts"]["lesson_criteria"] for i in passing)
    for page, rule in (("families/llama-2/index.html", "Partial 0.25,"), ("families/all-models/index.html",
                                                                           "Partial 0.25,"),
                       ("sv/families/llama-2/index.html", "Delvis 0,25,")):
        html = (project / "site" / page).read_text()
        assert rule in html and "½" not in html, page
    # The methodology page's worked example is computed from the points too, in both languages.
    # So are the verdicts' requirements: partial now meets them.
    for page, example, lesson in (
            ("methodology/index.html", "(6 + 2 × 0.25) / 10 = <strong>0.65</strong>",
             "Met only when all of these components are <strong>open or partial</strong>: training data, weights,"),
            ("sv/methodology/index.html", "(6 + 2 × 0,25) / 10 = <strong>0,65</strong>",
             "Uppfyllda bara när alla dessa komponenter har nivån <strong>öppen eller delvis</strong>: träningsdata,")):
        html = (project / "site" / page).read_text()
        assert example in html and lesson in html, page
        assert "<!-- rule:" not in html, page

    # Which levels need evidence is read from criteria.yml too.
    criteria.write_text(changed.replace("    flagged: true\n    needs_evidence: false\n", "    flagged: true\n", 1))
    with pytest.raises(CatalogError) as caught:
        load_catalog(project / "data")
    assert any("level 'unknown' needs at least one evidence link" in p.message for p in caught.value.problems)
