"""The judgement rules of data/criteria.yml: a worked example that passes and one that fails for every
rule, the validator reporting a broken rule on the right line, and every real model obeying every rule."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from pydantic import ValidationError

from generator.catalog import load_catalog, load_criteria
from generator.errors import CatalogError
from generator.prose import load_strings
from generator.rules import rule_problems
from generator.schema import Component, Model

ROOT = Path(__file__).resolve().parent.parent
CRITERIA = load_criteria(ROOT / "data")
RULES = {rule.key: rule for rule in CRITERIA.rules}
PAPER = "https://arxiv.org/abs/2402.00838"
CODE = "https://github.com/allenai/OLMo"
CARD = "https://huggingface.co/allenai/OLMo-7B"


def model(kind: str = "base", base_model: str | None = None, model_id: str = "demo/Base", **components) -> Model:
    """A model whose components are all open on a paper and code, except those given as (level, evidence)."""
    comps = {key: Component(level="open", evidence=[PAPER, CODE]) for key in CRITERIA.keys}
    if kind == "base":
        comps["finetuning_data"] = comps["finetuning_code"] = Component(level="not_applicable")
    for key, (level, evidence) in components.items():
        comps[key] = Component(level=level, evidence=evidence)
    return Model(id=model_id, name="Demo", family="demo", kind=kind, base_model=base_model,
                 license="Apache-2.0", components=comps)


def broken(rule: str, subject: Model, base: Model | None = None, gated: bool = False) -> list[str]:
    return [field for _, field, *_ in rule_problems(RULES[rule], subject, base, gated)]


def test_every_rule_has_words_in_both_languages_and_a_worked_example_below():
    tested = {"base-model-not-fine-tuned", "fine-tune-metrics-are-its-own", "paper-is-a-document",
              "architecture-code-counts", "gates-and-ungated-copies", "evaluation-code-you-can-run",
              "release-date-precision"}
    assert set(RULES) == tested, "add a passing and a failing worked example for each new rule"
    swedish = load_strings(ROOT / "data" / "locales", "sv")
    for rule in RULES.values():
        assert rule.text and swedish[(f"data/criteria.yml:rules.{rule.key}.text", rule.text)]
        assert swedish[(f"data/criteria.yml:rules.{rule.key}.title", rule.title)]


def test_base_model_not_fine_tuned():
    assert broken("base-model-not-fine-tuned", model()) == []
    # Pythia's old entry: generic GPT-NeoX scripts judged 'closed' for a model that was never fine-tuned.
    assert broken("base-model-not-fine-tuned", model(finetuning_code=("closed", [CODE]))) == ["level"]
    # A fresh draft has every component unknown; that is not yet a judgement, so it passes.
    assert broken("base-model-not-fine-tuned", model(finetuning_code=("unknown", []))) == []
    # The rule is about base releases only: a chat model's fine-tuning code is judged normally.
    assert broken("base-model-not-fine-tuned", model("chat", finetuning_code=("closed", [CODE]))) == []


def test_fine_tune_metrics_are_its_own():
    base = model(training_metrics=("open", ["https://wandb.ai/ai2-llm/OLMo-7B"]))
    inherited = model("instruct", base.id, "demo/Instruct", training_metrics=("open", ["https://wandb.ai/ai2-llm/OLMo-7B"]))
    own = model("instruct", base.id, "demo/Instruct",
                training_metrics=("open", ["https://wandb.ai/ai2-llm/OLMo-7B", "https://wandb.ai/ai2-llm/sft"]))
    assert broken("fine-tune-metrics-are-its-own", own, base) == []
    assert broken("fine-tune-metrics-are-its-own", inherited, base) == ["evidence"]
    # The base model's logs alone are what partial means: allowed.
    partial = model("instruct", base.id, "demo/Instruct", training_metrics=("partial", ["https://wandb.ai/ai2-llm/OLMo-7B"]))
    assert broken("fine-tune-metrics-are-its-own", partial, base) == []


def test_paper_is_a_document():
    assert broken("paper-is-a-document", model(paper=("partial", [PAPER]))) == []
    assert broken("paper-is-a-document", model(paper=("open", ["https://example.org/report.pdf"]))) == []
    # Phi-2's old entry: partial on a blog post alone.
    blog = "https://www.microsoft.com/en-us/research/blog/phi-2-the-surprising-power-of-small-language-models/"
    assert broken("paper-is-a-document", model(paper=("partial", [blog]))) == ["evidence"]
    assert broken("paper-is-a-document", model(paper=("closed", [blog]))) == []


def test_architecture_code_counts():
    assert broken("architecture-code-counts", model(architecture=("open", [CARD, CODE]))) == []
    transformers = "https://huggingface.co/docs/transformers/model_doc/qwen2"
    assert broken("architecture-code-counts", model(architecture=("open", [CARD, transformers]))) == []
    assert broken("architecture-code-counts", model(architecture=("open", [CARD, PAPER]))) == ["evidence"]
    assert broken("architecture-code-counts", model(architecture=("partial", [CARD]))) == []


def test_gates_and_ungated_copies():
    hub_only = model(weights=("open", ["https://huggingface.co/mistralai/Mistral-7B-v0.1"]))
    with_copy = model(weights=("open", ["https://huggingface.co/mistralai/Mistral-7B-v0.1",
                                        "https://github.com/mistralai/mistral-inference"]))
    assert broken("gates-and-ungated-copies", with_copy, gated=True) == []
    assert broken("gates-and-ungated-copies", hub_only, gated=False) == []
    assert broken("gates-and-ungated-copies", hub_only, gated=True) == ["evidence"]


def test_evaluation_code_you_can_run():
    harness = "https://github.com/EleutherAI/lm-evaluation-harness"
    paper = "https://arxiv.org/abs/2310.06825"
    assert broken("evaluation-code-you-can-run", model(evaluation_code=("partial", [CARD, harness]))) == []
    leaderboard = "https://huggingface.co/spaces/open-llm-leaderboard/open_llm_leaderboard"
    assert broken("evaluation-code-you-can-run", model(evaluation_code=("partial", [leaderboard]))) == []
    # Mistral 7B's old entry: partial on a paper that gives benchmarks and shot counts but no code.
    assert broken("evaluation-code-you-can-run", model(evaluation_code=("partial", [paper]))) == ["evidence"]
    assert broken("evaluation-code-you-can-run", model(evaluation_code=("open", [CARD]))) == ["evidence"]
    # A Hub dataset of results or model outputs is not code.
    outputs = "https://huggingface.co/datasets/meta-llama/Llama-3.1-8B-evals"
    assert broken("evaluation-code-you-can-run", model(evaluation_code=("partial", [outputs]))) == ["evidence"]
    assert broken("evaluation-code-you-can-run", model(evaluation_code=("closed", [paper]))) == []


def test_release_date_precision():
    """No machine can tell a guessed day from a sourced one; the schema makes sure that a day, a month
    and a bare year can all be written, and that nothing else passes for a date."""
    def dated(value: object) -> Model:
        return Model.model_validate({**model().model_dump(), "release_date": value})

    assert [dated(v).release_date for v in ("2022-07-12", "2022-07", "2022", 2022)] == \
        ["2022-07-12", "2022-07", "2022", "2022"]
    for wrong in ("2022-13", "22", 22, "2022-7", "mid-2022"):
        with pytest.raises(ValidationError):
            dated(wrong)


def test_every_model_in_the_catalog_obeys_every_rule():
    catalog = load_catalog(ROOT / "data")  # raises on any broken rule; check explicitly as well
    gated = {i for i, snap in catalog.hub.items() if snap.gated not in (None, False)}
    for model_id, subject in catalog.models.items():
        base = catalog.models.get(subject.base_model) if subject.base_model else None
        for rule in CRITERIA.rules:
            assert rule_problems(rule, subject, base, model_id in gated) == [], (model_id, rule.key)


def test_validate_reports_a_broken_rule_where_it_is(tmp_path: Path):
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data)
    path = data / "models" / "pythia" / "EleutherAI__pythia-160m.yml"
    text = path.read_text(encoding="utf-8")
    start = text.index("  finetuning_code:\n    level: not_applicable")
    broken_text = text[start:].replace("level: not_applicable\n    evidence: []",
                                       "level: closed\n    evidence: [https://github.com/EleutherAI/pythia]", 1)
    path.write_text(text[:start] + broken_text, encoding="utf-8")
    with pytest.raises(CatalogError) as caught:
        load_catalog(data)
    errors = [p for p in caught.value.problems if p.severity == "error"]
    [problem] = errors
    assert problem.field == "components.finetuning_code.level"
    assert problem.line == text[:start].count("\n") + 2
    assert "rule 'base-model-not-fine-tuned'" in problem.message and problem.hint


def test_a_rule_naming_an_unknown_component_is_refused(tmp_path: Path):
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data)
    criteria = data / "criteria.yml"
    criteria.write_text(criteria.read_text(encoding="utf-8").replace(
        "components: [paper]", "components: [papr]", 1), encoding="utf-8")
    with pytest.raises(CatalogError) as caught:
        load_criteria(data)
    assert any("unknown component 'papr'" in p.message for p in caught.value.problems)
