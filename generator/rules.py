"""The judgement rules of data/criteria.yml, checked against every model.

A rule's ``check`` is data; this module only knows the handful of requirement types a check can
name, so adding or changing a rule never needs code.
"""

from __future__ import annotations

import re

from generator import schema
from generator.errors import Problem
from generator.source import Document

_HUB_HOST = re.compile(r"^https?://(www\.)?huggingface\.co(/|$)", re.IGNORECASE)


def rule_problems(rule: schema.Rule, model: schema.Model, base: schema.Model | None,
                  gated: bool) -> list[tuple[str, str, str, str]]:
    """How ``model`` breaks ``rule``: (component, field, message, advice) tuples; empty when it obeys.

    ``base`` is the model's base_model entry (None without one); ``gated`` whether its Hub snapshot
    says the repository is gated. The message says what is wrong, the advice what a contributor can do.
    """
    check = rule.check
    if check is None or model.kind not in check.kinds:
        return []
    found = []
    for key in check.components:
        comp = model.components.get(key)
        if comp is None or comp.level not in check.levels:
            continue
        level = comp.level
        if check.allowed_levels is not None and level not in check.allowed_levels:
            allowed = " or ".join(check.allowed_levels)
            found.append((key, "level", f"a {model.kind} model's {key} is {allowed}, not '{level}'",
                          f"set level: {check.allowed_levels[0]}" if len(check.allowed_levels) == 1
                          else f"set level to one of {allowed}"))
        if check.evidence_matches is not None and not any(
                re.search(pattern, url) for pattern in check.evidence_matches for url in comp.evidence):
            found.append((key, "evidence", f"'{level}' needs a link of a kind the rule accepts, and none of the "
                                           f"{len(comp.evidence)} link(s) given is one",
                          "cite such a link (the rule's evidence_matches lists them), or lower the level"))
        if check.evidence_beyond_base and base is not None and key in base.components \
                and set(comp.evidence) <= set(base.components[key].evidence):
            found.append((key, "evidence", f"'{level}' rests only on links that its base model '{base.id}' "
                                           "already cites",
                          "cite this release's own logs or checkpoints, or make the level partial"))
        if check.evidence_off_gated_hub and gated and all(_HUB_HOST.match(url) for url in comp.evidence):
            found.append((key, "evidence", f"'{level}' but the Hub repository is gated and every link points "
                                           "at huggingface.co",
                          "cite the developer's ungated copy (a direct download or torrent), or make the level "
                          "partial"))
    return found


def check_rules(criteria: schema.Criteria, models: dict[str, schema.Model], documents: dict[str, Document],
                gated: set[str]) -> list[Problem]:
    """Every model checked against every rule that has a check."""
    problems = []
    for model_id, model in sorted(models.items()):
        base = models.get(model.base_model) if model.base_model else None
        for rule in criteria.rules:
            for key, field, message, advice in rule_problems(rule, model, base, model_id in gated):
                problems.append(documents[model_id].problem(
                    ("components", key, field), f"{message} (rule '{rule.key}')",
                    f"{advice}; the rule, in data/criteria.yml: {rule.title}"))
    return problems


def check_rule_definitions(criteria: schema.Criteria, doc: Document) -> list[Problem]:
    """A rule must name real components and valid regular expressions, and be unique."""
    problems = []
    seen: set[str] = set()
    for i, rule in enumerate(criteria.rules):
        if rule.key in seen:
            problems.append(doc.problem(("rules", i, "key"), f"duplicate rule '{rule.key}'"))
        seen.add(rule.key)
        if rule.check is None:
            continue
        for j, key in enumerate(rule.check.components):
            if key not in criteria.keys:
                problems.append(doc.problem(("rules", i, "check", "components", j), f"unknown component '{key}'"))
        for j, pattern in enumerate(rule.check.evidence_matches or []):
            try:
                re.compile(pattern)
            except re.error as exc:
                problems.append(doc.problem(("rules", i, "check", "evidence_matches", j),
                                            f"not a regular expression: {exc}"))
    return problems
