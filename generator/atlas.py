"""The atlas's pictures and comparisons, from the catalog: what the charts page, family pages and
model pages draw. The drawing itself is ``generator.charts``; the words come from the templates.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from markupsafe import Markup

from generator import charts
from generator.catalog import Catalog
from generator.openness import Assessment
from generator.schema import Model


def parameters_short(n: float) -> str:
    """A parameter count as readers write it: 160M, 7B, 1.4B, 1T (the same in English and Swedish)."""
    for unit, size in (("T", 1e12), ("B", 1e9), ("M", 1e6), ("K", 1e3)):
        if n >= size:
            value = n / size
            text = f"{value:.1f}".rstrip("0").rstrip(".") if value < 10 else f"{value:.0f}"
            return text + unit
    return f"{n:.0f}"


class Atlas:
    """Drawings and comparisons for one language; ``href(target)`` links from the page being rendered."""

    def __init__(self, catalog: Catalog, assessments: dict[str, Assessment], percent: Callable[[Any], str],
                 model_page: Callable[[str], str], name: Callable[[Any], str] = lambda family: family.name):
        self.catalog = catalog
        self.name = name
        """A family's name in the reader's language."""
        self.model_page = model_page
        self.assessments = assessments
        self.percent = percent

    def families(self) -> list:
        return sorted(self.catalog.families.values(), key=lambda f: f.name.lower())

    def scores_by_family(self, href: Callable[[str], str], title: str, desc: str) -> Markup:
        bars = [charts.Bar(m.name, self.assessments[m.id].score, href(self.model_page(m.id)), self.name(family))
                for family in self.families() for m in self.catalog.family_models(family.id)]
        return charts.score_bars("om-chart-scores", bars, title, desc, self.percent)

    def sized_models(self) -> list[Model]:
        """Models with a parameter count and a score, smallest first."""
        return sorted((m for m in self.catalog.models.values()
                       if m.parameters and self.assessments[m.id].score is not None),
                      key=lambda m: (m.parameters, m.name.lower()))

    def score_vs_parameters(self, href: Callable[[str], str], title: str, desc: str, x_label: str, y_label: str,
                            base_label: str, derived_label: str) -> Markup:
        points = []
        for m in self.sized_models():
            score = self.assessments[m.id].score
            label = f"{m.name}: {parameters_short(m.parameters)}, {self.percent(score)}"
            points.append(charts.Point(label, m.parameters, score, href(self.model_page(m.id)),
                                       hollow=m.base_model is not None))
        return charts.scatter_log_x("om-chart-size", points, title, desc, x_label, y_label, parameters_short,
                                    self.percent, [(False, base_label), (True, derived_label)])

    def level_counts(self) -> list[tuple[Any, dict[str, int]]]:
        """Per component: how many models sit at each level."""
        criteria = self.catalog.criteria
        rows = []
        for c in criteria.components:
            counts = {level.key: 0 for level in criteria.levels}
            for m in self.catalog.models.values():
                counts[m.components[c.key].level] += 1
            rows.append((c, counts))
        return rows

    def shares_by_component(self, tr: Callable[[Any, str], str], title: str, desc: str) -> Markup:
        """``tr(obj, 'label')`` gives labels in the reader's language."""
        criteria = self.catalog.criteria
        rows = [(tr(c, "label"), counts) for c, counts in self.level_counts()]
        levels = [(level.key, tr(level, "label")) for level in criteria.levels]
        return charts.stacked_shares("om-chart-shares", rows, levels, title, desc, self.percent)

    def lineage_models(self, family_id: str) -> list[Model]:
        """The family's models if any of them derives from another; else nothing to draw."""
        models = self.catalog.family_models(family_id)
        return models if any(m.base_model for m in models) else []

    def lineage(self, family_id: str, href: Callable[[str], str], kind_label: Callable[[str], str],
                score_label: str, title: str, desc: str) -> Markup:
        nodes = [charts.Node(m.id, m.name, f"{score_label} {self.percent(self.assessments[m.id].score)}",
                             href(self.model_page(m.id)), m.base_model, kind_label(m.kind) if m.base_model else "")
                 for m in self.lineage_models(family_id)]
        return charts.tree(f"om-lineage-{family_id}", nodes, title, desc)

    def badge_title(self, model: Model) -> str:
        return badge_text(model, self.assessments[model.id])[2]

    def differences(self, model: Model) -> list[tuple[Any, str, str]]:
        """(component, base's level, this model's level) for each component whose level differs from the base's."""
        if not model.base_model or model.base_model not in self.catalog.models:
            return []
        base = self.catalog.models[model.base_model]
        return [(c, base.components[c.key].level, model.components[c.key].level)
                for c in self.catalog.criteria.components
                if base.components[c.key].level != model.components[c.key].level]


def badge_text(model: Model, assessment: Assessment) -> tuple[str, str, str]:
    """A badge's label, value and title. Badges go on model cards, mostly read in English: one language."""
    score = "–" if assessment.score is None else f"{round(assessment.score * 100)}%"
    value = f"{score} · OSAID {assessment.osaid}"
    title = (f"{model.name} on Open Models: openness score {score}, "
             f"Open Source AI Definition estimate: {assessment.osaid}")
    return "open models", value, title


def badges(catalog: Catalog, assessments: dict[str, Assessment], badge_file: Callable[[str], str],
           only: Iterable[str] | None = None) -> dict[str, str]:
    """Every model's badge (or those of the models ``only`` names, when they are in the catalog), by docs path."""
    models = catalog.models.values() if only is None else [catalog.models[i] for i in only if i in catalog.models]
    return {badge_file(m.id): charts.badge(*badge_text(m, assessments[m.id])) for m in models}
