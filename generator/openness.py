"""Scores and verdicts, computed from the rules in ``data/criteria.yml``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from generator.catalog import Catalog
from generator.schema import Criteria, License, Model

Osaid = Literal["likely", "unlikely", "unknown"]


@dataclass(frozen=True)
class Assessment:
    """What the criteria say about one model."""

    score: float | None
    """Average points over applicable components, 0 to 1; None when nothing applies."""
    flagged: tuple[str, ...]
    """Components whose level is flagged (unknown): counted as closed, shown as gaps."""
    lesson_criteria: bool
    osaid: Osaid
    mof_class: str | None


def score_model(model: Model, criteria: Criteria) -> tuple[float | None, tuple[str, ...]]:
    """The model's score and its flagged components."""
    points, flagged = [], []
    for key in criteria.keys:
        level = criteria.level(model.components[key].level)
        if level.flagged:
            flagged.append(key)
        if level.score is not None:
            points.append(float(level.score))
    score = round(sum(points) / len(points), 4) if points else None
    return score, tuple(flagged)


def _meets(model: Model, key: str, criteria: Criteria) -> bool | None:
    """Whether the component meets a 'must be open' requirement; None when its level is flagged as unknown."""
    level = criteria.level(model.components[key].level)
    return None if level.flagged else level.meets_requirements


def _all_open(model: Model, keys: list[str], criteria: Criteria) -> bool:
    return all(_meets(model, k, criteria) for k in keys)


def judge_osaid(model: Model, criteria: Criteria, license: License) -> Osaid:
    """'likely' when every requirement holds, 'unlikely' when one fails on known facts, else 'unknown'."""
    rule = criteria.verdicts.osaid
    results: list[bool | None] = [_meets(model, key, criteria) for key in rule.require_open]
    if rule.require_osi_license:
        results.append(license.osi_approved)
    data = _meets(model, rule.data, criteria)
    if data is False and model.components[rule.data].level in rule.data_documented_levels:
        data = _meets(model, rule.data_documentation, criteria)
    results.append(data)
    if False in results:
        return "unlikely"
    return "unknown" if None in results else "likely"


def judge_mof(model: Model, criteria: Criteria) -> str | None:
    """The highest Model Openness Framework class whose requirements (cumulative) are all open."""
    reached = None
    for cls in criteria.verdicts.mof.classes:
        if not _all_open(model, cls.require_open, criteria):
            break
        reached = cls.key
    return reached


def assess_model(model: Model, catalog: Catalog) -> Assessment:
    """Score ``model`` and reach the three verdicts."""
    criteria = catalog.criteria
    score, flagged = score_model(model, criteria)
    return Assessment(
        score=score,
        flagged=flagged,
        lesson_criteria=_all_open(model, criteria.verdicts.lesson_criteria.require_open, criteria),
        osaid=judge_osaid(model, criteria, catalog.license_of(model)),
        mof_class=judge_mof(model, criteria),
    )


def assess_catalog(catalog: Catalog) -> dict[str, Assessment]:
    """Every model's assessment, by id."""
    return {model_id: assess_model(model, catalog) for model_id, model in sorted(catalog.models.items())}
