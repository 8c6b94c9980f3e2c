"""Load the curated catalog under ``data/``, validate it, and report every problem at once."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from generator import schema
from generator.errors import CatalogError, Problem, did_you_mean, shown
from generator.source import Document, YamlProblem, read_yaml

M = TypeVar("M", bound=BaseModel)

EXAMPLES = {
    "level": "one of: " + ", ".join(schema.LEVELS),
    "kind": "one of: " + ", ".join(schema.KINDS),
    "release_date": "e.g. 2024-02-01 or 2024-02",
    "id": "e.g. allenai/OLMo-7B",
    "base_model": "e.g. meta-llama/Llama-2-7b-hf, or leave it out",
    "evidence": "e.g. ['https://arxiv.org/abs/2402.00838']",
    "url": "e.g. https://arxiv.org/abs/2402.00838",
    "parameters": "a whole number, e.g. 7000000000 for 7B",
    "family": "the name of a file in data/families/ without .yml, e.g. olmo",
    "license": "an id from data/licenses.yml, e.g. Apache-2.0",
    "name": "e.g. OLMo 7B",
    "note": "one or two sentences in your own words",
    "components": "each key of data/criteria.yml with its level, evidence and note",
    "organisation": "e.g. Allen Institute for AI",
    "title": "e.g. Technical report",
}


@dataclass
class Catalog:
    """Everything under ``data/``, validated and cross-checked."""

    root: Path
    criteria: schema.Criteria
    licenses: dict[str, schema.License]
    families: dict[str, schema.Family]
    models: dict[str, schema.Model]
    documents: dict[str, Document] = field(default_factory=dict)
    """The parsed source of each model and family, by id, for positions in later checks."""
    warnings: list[Problem] = field(default_factory=list)
    hub: dict[str, schema.HubSnapshot] = field(default_factory=dict)
    """Facts fetched from the Hugging Face Hub (data/hub/), by model id; a model without one was never fetched."""

    def family_models(self, family_id: str) -> list[schema.Model]:
        """The family's models, each base followed by the models derived from it."""
        members = [m for m in self.models.values() if m.family == family_id]
        ids = {m.id for m in members}
        children: dict[str | None, list[schema.Model]] = {}
        for m in members:
            parent = m.base_model if m.base_model in ids else None
            children.setdefault(parent, []).append(m)
        ordered: list[schema.Model] = []

        def walk(parent: str | None) -> None:
            for m in sorted(children.get(parent, []), key=lambda m: (m.release_date or "", m.id.lower())):
                ordered.append(m)
                walk(m.id)

        walk(None)
        return ordered

    def depth(self, model: schema.Model) -> int:
        """How many derivation steps separate ``model`` from its family's root model."""
        depth, seen = 0, {model.id}
        while model.base_model in self.models and model.base_model not in seen:
            model = self.models[model.base_model]
            seen.add(model.id)
            depth += 1
        return depth

    def license_of(self, model: schema.Model) -> schema.License:
        return self.licenses[model.license]


def model_filename(model_id: str) -> str:
    """The file name a model with ``model_id`` must have."""
    return model_id.replace("/", "__") + ".yml"


def _problems_from(doc: Document, exc: ValidationError, prefix: tuple = ()) -> list[Problem]:
    problems = []
    for err in exc.errors():
        loc = prefix + tuple(err["loc"])
        name = str(loc[-1]) if loc else ""
        message, hint = err["msg"], ""
        kind, value, ctx = err["type"], err.get("input"), err.get("ctx", {})
        if kind == "extra_forbidden":
            message = f"unknown key {shown(name)}"
            model_fields = _fields_at(loc[:-1], doc)
            hint = did_you_mean(name, model_fields) or "allowed keys: " + ", ".join(model_fields)
        elif kind == "missing":
            message = f"required key '{name}' is missing"
        elif kind == "literal_error":
            message = f"{shown(value)} is not allowed"
            options = schema.LEVELS if "level" in loc else schema.KINDS if "kind" in loc else ()
            hint = did_you_mean(str(value), options)
        elif kind == "value_error":
            message = message.removeprefix("Value error, ")
        elif value is None and kind.endswith("_type"):
            message = "no value given"
            hint = "write the value after the colon"
        elif kind in _EXPECTED:
            message = f"expected {_EXPECTED[kind]}, found {_kind(value)}"
            free_text = str(loc[-1]) in _FREE_TEXT or (isinstance(loc[-1], int) and str(loc[-2]) in _FREE_TEXT)
            if kind == "string_type" and free_text and isinstance(value, bool):
                hint = "put the text in quotes: YAML reads yes, no, on, off, true and false as true/false"
            elif kind == "string_type" and free_text and isinstance(value, (int, float)):
                hint = "put it in quotes"
            elif kind == "list_type":
                hint = "make it a list: [first, second], or one '- item' line per item"
        elif kind == "string_too_short":
            message = "must not be empty"
        elif kind == "string_too_long":
            message = f"text is {len(value)} characters long; the limit is {ctx.get('max_length')}"
            hint = "shorten it; link to the source for the details"
        elif kind == "too_long":
            message = f"has {len(value)} items; the limit is {ctx.get('max_length')}"
        elif kind == "greater_than":
            message = f"must be greater than {ctx.get('gt')}"
        elif kind == "greater_than_equal":
            message = f"must be at least {ctx.get('ge')}"
        key = next((str(k) for k in reversed(loc) if isinstance(k, str)), "")
        if key == "evidence" and loc and isinstance(loc[-1], int):
            key = "url"  # one link, not the list
        example = EXAMPLES.get(key, "")
        if example and example not in hint:
            hint = f"{hint} ({example})" if hint else example
        problems.append(doc.problem(loc, message, hint))
    return problems


def _fields_at(loc: tuple, doc: Document) -> list[str]:
    """The allowed keys of the schema object at ``loc`` within a model or family file."""
    path = str(doc.path)
    if loc and loc[0] == "components":
        return list(schema.Component.model_fields)
    if loc and loc[0] == "links":
        return list(schema.Link.model_fields)
    if "/families/" in path.replace("\\", "/"):
        return list(schema.Family.model_fields)
    if "/hub/" in path.replace("\\", "/"):
        return list(schema.HubBaseModel.model_fields if loc and loc[0] == "base_models" else
                    schema.HubSnapshot.model_fields)
    return list(schema.Model.model_fields)


def _validate(doc: Document, cls: type[M], problems: list[Problem], prefix: tuple = ()) -> M | None:
    data = doc.data
    for key in prefix:
        data = data[key]
    if not isinstance(data, dict):
        problems.append(doc.problem(prefix, f"expected a mapping of keys to values, found {_kind(data)}",
                                    "" if prefix else "write one 'key: value' per line; `openmodels new` drafts "
                                                      "a model entry"))
        return None
    try:
        return cls.model_validate(data)
    except ValidationError as exc:
        problems.extend(_problems_from(doc, exc, prefix))
        return None


_FREE_TEXT = {"name", "note", "title", "summary", "organisation", "key_facts", "label", "description"}
_EXPECTED = {
    "string_type": "text", "int_type": "a whole number", "int_parsing": "a whole number",
    "int_from_float": "a whole number", "bool_type": "true or false", "list_type": "a list",
    "dict_type": "a mapping of keys to values", "model_type": "a mapping of keys to values",
    "model_attributes_type": "a mapping of keys to values", "float_type": "a number",
}


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return f"{str(value).lower()}"
    if isinstance(value, (int, float)):
        return f"the number {shown(value, 20)}"
    if isinstance(value, str):
        return f"the text {shown(value, 30)}"
    return {list: "a list", dict: "a mapping", type(None): "nothing"}.get(type(value), type(value).__name__)


def _read(path: Path, root: Path, problems: list[Problem]) -> Document | None:
    try:
        return read_yaml(path, _display(path, root))
    except YamlProblem as exc:
        problems.append(exc.problem)
        return None


def _display(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root.parent))
    except ValueError:
        return str(path)


def _load_list(path: Path, root: Path, cls: type[M], problems: list[Problem]) -> list[M]:
    doc = _read(path, root, problems)
    if doc is None:
        return []
    if not isinstance(doc.data, list):
        problems.append(doc.problem((), f"expected a list, found {_kind(doc.data)}"))
        return []
    items = []
    for i in range(len(doc.data)):
        item = _validate(doc, cls, problems, (i,))
        if item is not None:
            items.append(item)
    return items


def load_criteria(root: Path) -> schema.Criteria:
    """Only data/criteria.yml, checked; raises CatalogError."""
    problems: list[Problem] = []
    doc = _read(Path(root) / "criteria.yml", Path(root), problems)
    criteria = _validate(doc, schema.Criteria, problems) if doc else None
    if doc and criteria:
        problems.extend(_check_criteria(criteria, doc))
    if problems or criteria is None:
        raise CatalogError(problems)
    return criteria


def load_catalog(root: Path) -> Catalog:
    """Load and check the catalog in ``root`` (the ``data/`` folder).

    Raises CatalogError listing every problem found; warnings alone do not raise and are kept
    on the returned catalog.
    """
    root = Path(root)
    problems: list[Problem] = []
    criteria = load_criteria(root)

    licenses: dict[str, schema.License] = {}
    for lic in _load_list(root / "licenses.yml", root, schema.License, problems):
        licenses[lic.id] = lic

    documents: dict[str, Document] = {}
    families: dict[str, schema.Family] = {}
    broken_families: set[str] = set()  # so that their models are not also reported
    for path in sorted((root / "families").glob("*.yml")):
        doc = _read(path, root, problems)
        family = doc and _validate(doc, schema.Family, problems)
        if not (doc and family):
            broken_families.add(path.stem)
        if doc and family:
            if family.id != path.stem:
                problems.append(doc.problem(("id",), f"id '{family.id}' does not match the file name '{path.name}'",
                                            f"rename the file to {family.id}.yml or set id: {path.stem}"))
            elif family.id in families:
                problems.append(doc.problem(("id",), f"duplicate family id '{family.id}'"))
            else:
                families[family.id] = family
                documents["family:" + family.id] = doc

    models: dict[str, schema.Model] = {}
    unreadable: set[str] = set()  # ids of entries that failed, so their dependants don't fail twice
    for path in sorted((root / "models").glob("**/*")):
        if path.is_dir() and not path.is_symlink():
            continue
        if path.suffix != ".yml" and not path.is_symlink():
            display = _display(path, root)
            problems.append(Problem(display, 1, 1, "", "not a .yml file",
                                    f"rename it to {path.stem}.yml" if path.suffix == ".yaml" else
                                    "model entries are data/models/<family>/<org>__<name>.yml"))
            continue
        doc = _read(path, root, problems)
        model = doc and _validate(doc, schema.Model, problems)
        if doc and isinstance(doc.data, dict):
            _merge(problems, doc, _check_model(doc.data, doc, path, root, criteria, licenses, families,
                                               broken_families))
        if not (doc and model):
            raw_id = doc.data.get("id") if doc and isinstance(doc.data, dict) else None
            unreadable.add(str(raw_id) if raw_id else path.stem.replace("__", "/"))
            continue
        if model.id in models:
            first = documents[model.id].display
            problems.append(doc.problem(("id",), f"duplicate model id '{model.id}' (also in {first})",
                                        "each model version has exactly one file"))
            continue
        models[model.id] = model
        documents[model.id] = doc

    problems.extend(_check_lineage(models, documents, unreadable))
    hub = _load_hub(root, problems)
    problems.extend(_check_hub(hub, models, licenses, documents, unreadable))
    snapshots = {model_id: snap for model_id, (snap, _) in hub.items()}
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        raise CatalogError(sorted(problems))
    return Catalog(root, criteria, licenses, families, models, documents,
                   sorted(p for p in problems if p.severity == "warning"), snapshots)


def _merge(problems: list[Problem], doc: Document, found: list[Problem]) -> None:
    """Add ``found`` to ``problems``, one problem per field: where the schema already refused a value, a
    cross-file check adds only its did-you-mean (e.g. 'Apache 2.0' -> 'Apache-2.0') to that problem's hint."""
    refused = {p.field: i for i, p in enumerate(problems) if p.path == doc.display}
    for problem in found:
        if problem.field not in refused:
            problems.append(problem)
        elif problem.hint.startswith("did you mean"):
            i = refused[problem.field]
            hint = problem.hint + (f" ({problems[i].hint})" if problems[i].hint else "")
            problems[i] = replace(problems[i], hint=hint)


def _check_criteria(criteria: schema.Criteria, doc: Document) -> list[Problem]:
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
    return problems


def _check_model(data: dict, doc: Document, path: Path, root: Path, criteria: schema.Criteria,
                 licenses: dict[str, schema.License], families: dict[str, schema.Family],
                 broken_families: set[str]) -> list[Problem]:
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
        problems.append(doc.problem(("family",), f"unknown family {shown(family)}",
                                    did_you_mean(family, families) or EXAMPLES["family"]))
    elif path.parent.name != family or path.parent.parent != root / "models":
        problems.append(doc.problem(("family",), f"file is in '{_display(path.parent, root)}' but family is "
                                                 f"'{family}'", f"move it to data/models/{family}/"))
    if isinstance(license_id, str) and license_id not in licenses:
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
                and comp.get("level") not in ("unknown", "not_applicable"):
            problems.append(doc.problem(("components", key, "evidence"),
                                        f"level '{comp['level']}' needs at least one evidence link",
                                        "add the URL that supports it, or set level: unknown"))
    return problems


def _check_lineage(models: dict[str, schema.Model], documents: dict[str, Document],
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


def _load_hub(root: Path, problems: list[Problem]) -> dict[str, tuple[schema.HubSnapshot, Document]]:
    """The snapshots in data/hub/<org>/<name>.yml; hidden files (a killed refresh's temp files) are skipped."""
    from generator.snapshots import HUB_DIR, snapshot_path

    hub: dict[str, tuple[schema.HubSnapshot, Document]] = {}
    for path in sorted((root / HUB_DIR).glob("**/*")):
        if path.is_dir() or path.name.startswith("."):
            continue
        doc = _read(path, root, problems)
        snapshot = doc and _validate(doc, schema.HubSnapshot, problems)
        if not (doc and snapshot):
            continue
        expected = snapshot_path(root, snapshot.id)
        if path != expected:
            problems.append(doc.problem(("id",), f"snapshot of '{snapshot.id}' is in the wrong file",
                                        f"it belongs in {_display(expected, root)}; run openmodels refresh"))
            continue
        hub[snapshot.id] = (snapshot, doc)
    return hub


def _check_hub(hub: dict[str, tuple[schema.HubSnapshot, Document]], models: dict[str, schema.Model],
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
