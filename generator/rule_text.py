"""Sentences of the hand-written pages that state a rule, rendered from ``data/criteria.yml``.

A page asks for one with a line of its own, ``<!-- rule: score -->``; ``expand_rules`` replaces it
with the rule in the reader's language (``templates/partials/rules.md.j2``, whose strings are
translated with the other template strings; labels come from the data catalogs). Change a level's
points, which levels need evidence or meet a requirement, a verdict's requirements or a component's
MOF class in criteria.yml and the methodology page says so in every language. An unknown name stops the build
with the page and line, as an unknown figure does.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from babel.lists import format_list

from generator import schema
from generator.fallback_text import resolve
from generator.markers import expand_markers
from generator.render import Localizer, make_environment

RULES = ("components", "evidence", "judgement-rules", "lesson-criteria", "levels-table", "mof-classes",
         "mof-metrics", "mof-paper", "not-applicable", "osaid", "osaid-code-licences", "osaid-fine-tuning",
         "osaid-gates", "osaid-outcomes", "score", "unknown-as-closed", "unknown-tip", "verdicts", "worked-example")

OPEN, PARTIAL = 6, 2
"""The worked example's open and partial components; the rest of the applicable ones are closed."""
FINE_TUNING = ("finetuning_data", "finetuning_code")
"""What a base model has no fine-tuning stage for: the example's components at the left-out level."""


@dataclass(frozen=True)
class WorkedExample:
    """A base model's score computed by hand, from the levels' points in criteria.yml."""

    levels: dict[str, schema.LevelDef]
    left_out: schema.LevelDef | None
    """The not-applicable level when the score leaves it out; None when it counts like the others."""
    applicable: int
    open: int
    partial: int
    closed: int
    formula: str
    score: float


def worked_example(criteria: schema.Criteria, loc: Localizer) -> WorkedExample:
    levels = {level.key: level for level in criteria.levels}
    not_applicable = levels["not_applicable"]
    left_out = not_applicable if not_applicable.score is None else None
    applicable = len(criteria.components) - (len(FINE_TUNING) if left_out else 0)
    counts = [(levels["open"], OPEN), (levels["partial"], PARTIAL), (levels["closed"], applicable - OPEN - PARTIAL)]
    if not left_out:
        counts.append((not_applicable, len(FINE_TUNING)))
    terms = [str(n) if level.score == 1 else f"{n} × {loc.number(level.score)}"
             for level, n in counts if level.score]
    total = sum(n * float(level.score or 0) for level, n in counts)
    formula = f"({' + '.join(terms) or '0'}) / {applicable}"
    return WorkedExample(levels, left_out, applicable, OPEN, PARTIAL, applicable - OPEN - PARTIAL, formula,
                         round(total / applicable, 4))


def expand_rules(page_text: str, path: str, criteria: schema.Criteria, templates_dir: Path, loc: Localizer) -> str:
    """``page_text`` with every rule marker replaced by its sentences; raises BuildError for an unknown name."""
    template = []

    def sentences(name: str, _nth: int) -> str:
        if not template:
            env = make_environment(templates_dir)
            env.install_gettext_callables(loc.marked_gettext, loc.marked_ngettext, newstyle=True)
            env.filters.update(number=loc.number)
            template.append(env.get_template("partials/rules.md.j2"))
        return resolve(template[0].render(rule=name, **_context(criteria, loc)).strip("\n"), loc.default)

    return expand_markers(page_text, path, "rule", RULES, sentences)


def _context(criteria: schema.Criteria, loc: Localizer) -> dict[str, Any]:
    def listing(items: list[str], style: str = "standard") -> str:
        # The site writes British English, which puts no comma before the last item's "and".
        return format_list(items, style=style, locale="en_GB" if loc.locale == "en" else loc.locale) if items else ""

    def label(obj: Any) -> str:
        return loc.text(obj, "label").lower()

    def class_of(key: str) -> schema.MofClass | None:
        """The lowest MOF class that requires component ``key``."""
        return next((cls for cls in criteria.verdicts.mof.classes if key in cls.require_open), None)

    components = {component.key: component for component in criteria.components}
    levels = {level.key: level for level in criteria.levels}
    without = [label(level) for level in criteria.levels if not level.needs_evidence]
    return {"levels": criteria.levels, "level": levels, "tr": loc.text, "label": label, "listing": listing,
            "verdicts": criteria.verdicts, "judgement_rules": criteria.rules, "class_of": class_of,
            "fine_tuning": FINE_TUNING,            "component_keys": criteria.keys,
            "code_keys": [component.key for component in criteria.components if component.group == "code"],
            "components": lambda keys: [label(components[key]) for key in keys],
            "level_labels": lambda keys: [label(levels[key]) for key in keys],
            # What a verdict's "must be open" accepts: the levels that meet its requirements.
            "meeting": listing([label(level) for level in criteria.levels if level.meets_requirements], "or"),
            "example": worked_example(criteria, loc), "without_evidence": listing(without)}
