"""Checks across files: what the schema alone cannot see (families, licences, lineage, the Hub)."""

from __future__ import annotations

from pathlib import Path

from generator import schema
from generator.errors import Problem, did_you_mean, shown
from generator.rules import check_rule_definitions
from generator.source import Document


def model_filename(model_id: str) -> str:
    """The file name a model with ``model_id`` must have."""
    return schema.file_stem(model_id) + ".yml"


def display_path(path: Path, root: Path) -> str:
    """``path`` as problems show it: relative to the project (the folder holding ``data/``)."""
    try:
        return str(path.relative_to(root.parent))
    except ValueError:
        return str(path)


def check_criteria(criteria: schema.Criteria, doc: Document) -> list[Problem]:
    problems = []
    keys = criteria.keys
    if sorted(level.key for level in criteria.levels) != sorted(schema.LEVELS):
        problems.append(doc.problem(("levels",), "levels must define each of: " + ", ".join(schema.LEVELS)))
    groups = {g.key for g in criteria.groups}
    for i, comp in enumerate(criteria.components):
        if comp.group not in groups:
            problems.append(doc.problem(("components", i, "group"), f"unknown group '{comp.group}'",
                                        did_you_mean(comp.group, groups)))
        if keys.count(comp.key) > 1:
            problems.append(doc.problem(("components", i, "key"), f"duplicate component '{comp.key}'"))
    v = criteria.verdicts
    named = [("lesson_criteria", "require_open", v.lesson_criteria.require_open),
             ("osaid", "require_open", v.osaid.require_open),
             ("osaid", "data", [v.osaid.data]), ("osaid", "data_documentation", [v.osaid.data_documentation])]
    named += [("mof", "classes", c.require_open) for c in v.mof.classes]
    for verdict, field_name, names in named:
        for name in names:
            if name not in keys:
                problems.append(doc.problem(("verdicts", verdict, field_name), f"unknown component '{name}'",
                                            did_you_mean(name, keys)))
    return problems + check_rule_definitions(criteria, doc)


def check_model(data: dict, doc: Document, path: Path, root: Path, criteria: schema.Criteria,
                 licenses: dict[str, schema.License], families: dict[str, schema.Family],
                 broken_families: set[str], broken_licenses: set[str]) -> list[Problem]:
    """Checks that need other files. They read the raw data, so they also run on an entry that
    failed schema validation, and a contributor sees every problem in one go."""
    problems = []
    model_id, family, license_id = data.get("id"), data.get("family"), data.get("license")
    if isinstance(model_id, str):
        expected = model_filename(model_id)
        if path.name != expected:
            problems.append(doc.problem(("id",), f"file name '{path.name}' does not match id '{model_id}'",
                                        f"rename the file to {expected}"))
        if data.get("base_model") == model_id:
            problems.append(doc.problem(("base_model",), "a model cannot be its own base"))
    if not isinstance(family, str) or family in broken_families:
        pass
    elif family not in families:
        close = did_you_mean(family, families, cutoff=0.75)  # short ids: 'smollm' is not a misspelt 'olmo'
        new = f"if it is a new family, start it with: openmodels new-family {family}"
        problems.append(doc.problem(("family",), f"unknown family {shown(family)}",
                                    close or f"{new} ({schema.field_hint(schema.Model.model_fields['family'])})"))
    elif path.parent.name != family or path.parent.parent != root / "models":
        folder = path.parent.name if path.parent.parent == root / "models" else None
        hint = f"move it to data/models/{family}/"
        if folder in families:
            hint += f", or, if family: is the mistake, change it to {folder}"
        elif folder:
            hint += f", or, if family: is the mistake, start the family first: openmodels new-family {folder}"
        problems.append(doc.problem(("family",), f"file is in '{display_path(path.parent, root)}' but family is "
                                                 f"'{family}'", hint))
    if isinstance(license_id, str) and license_id not in licenses and license_id not in broken_licenses:
        problems.append(doc.problem(("license",), f"unknown licence {shown(license_id)}",
                                    did_you_mean(license_id, licenses)
                                    or "use an id from data/licenses.yml, or add the licence there"))
    components = data.get("components")
    if not isinstance(components, dict):
        return problems
    for key in criteria.keys:
        if key not in components:
            problems.append(doc.problem(("components",), f"component '{key}' is missing",
                                        f"add '{key}: {{level: unknown, evidence: [], note: ...}}'"))
    for key, comp in components.items():
        if key not in criteria.keys:
            problems.append(doc.problem(("components", key), f"unknown component {shown(key)}",
                                        did_you_mean(str(key), criteria.keys) or "see data/criteria.yml"))
        elif isinstance(comp, dict) and comp.get("level") in schema.LEVELS and not comp.get("evidence") \
                and criteria.level(comp["level"]).needs_evidence:
            gaps = " or ".join(lv.key for lv in criteria.levels if lv.flagged and not lv.needs_evidence)
            problems.append(doc.problem(("components", key, "evidence"),
                                        f"level '{comp['level']}' needs at least one evidence link",
                                        f"add the URL that supports it, or set level: {gaps}"))
    return problems




def check_lineage(models: dict[str, schema.Model], documents: dict[str, Document],
                   unreadable: set[str]) -> list[Problem]:
    problems = []
    for model in models.values():
        if model.base_model is None or model.base_model == model.id or model.base_model in unreadable:
            continue
        doc = documents[model.id]
        if model.base_model not in models:
            lowered = {m.lower(): m for m in models}
            hint = did_you_mean(model.base_model, models)
            if model.base_model.lower() in lowered:
                hint = f"did you mean '{lowered[model.base_model.lower()]}'? (ids are case-sensitive)"
            problems.append(doc.problem(("base_model",), f"base model '{model.base_model}' is not in the catalog",
                                        hint or "add an entry for the base model first"))
            continue
        seen, current = [model.id], model.base_model
        while current in models and current not in seen:
            seen.append(current)
            current = models[current].base_model
        if current == model.id:
            problems.append(doc.problem(("base_model",), "lineage loops back: " + " -> ".join(seen + [current]),
                                        "a base_model chain must end at a model without one"))
    return problems


def check_hub(hub: dict[str, tuple[schema.HubSnapshot, Document]], models: dict[str, schema.Model],
               licenses: dict[str, schema.License], documents: dict[str, Document],
               unreadable: set[str]) -> list[Problem]:
    """Warnings where the curated catalog and the Hub disagree: licence drift and lineage."""
    from generator.snapshots import license_for

    problems = []
    for model_id, (snap, snap_doc) in sorted(hub.items()):
        model = models.get(model_id)
        if model is None:
            if model_id not in unreadable:
                problems.append(snap_doc.problem(("id",), f"snapshot of '{model_id}', which is not in the catalog",
                                                 "delete the file, or add the model", severity="warning"))
            continue
        doc = documents[model_id]
        hub_license = license_for(snap.hub_license, snap.hub_license_name, licenses.values())
        if snap.hub_license and hub_license != model.license:
            shown = f"'{snap.hub_license}'" + (f" ({snap.hub_license_name})" if snap.hub_license_name else "")
            hint = (f"the Hub's licence is {hub_license} in data/licenses.yml; check which is right" if hub_license
                    else f"no licence in data/licenses.yml lists '{snap.hub_license}' in its hub_ids")
            problems.append(doc.problem(("license",), f"licence drift: the Hub says {shown} (as of {snap.fetched}), "
                                                      f"this file says '{model.license}'", hint, severity="warning"))
        hub_bases = [b.id for b in snap.base_models]
        if hub_bases and model.base_model not in hub_bases:
            said = ", ".join(f"{b.id} ({b.relation})" if b.relation else b.id for b in snap.base_models)
            ours = f"'{model.base_model}'" if model.base_model else "no base model"
            problems.append(doc.problem(("base_model",) if model.base_model else ("id",),
                                        f"lineage differs from the Hub: it says {said} (as of {snap.fetched}), "
                                        f"this file says {ours}",
                                        "the Hub keeps base_model tags current when repos are renamed",
                                        severity="warning"))
    return problems
