"""Load the curated catalog under ``data/``, validate it, and report every problem at once."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

from generator import schema
from generator.checks import (
    check_criteria,
    check_hub,
    check_lineage,
    check_model,
    display_path,
    model_filename,
)
from generator.errors import CatalogError, Problem, SelectionError, did_you_mean
from generator.messages import M, describe, validate_as
from generator.rules import check_rules
from generator.source import Document, YamlProblem, read_yaml

__all__ = ["Catalog", "load_catalog", "load_criteria", "model_filename"]


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
    verdicts: list = field(default_factory=list)
    """The verdicts of data/trackers/verdicts.yml (``trackers.Verdict``), read and checked once, here; its
    document is ``documents[VERDICTS_DOCUMENT]``. The pages attach them to the trackers' views."""

    def forget_sources(self) -> None:
        """Let go of each entry's parsed source (its raw data and the position of every value), keeping
        the file it came from.

        The positions serve the checks, which have all run once the catalog is loaded; a build
        that only renders it holds them for nothing: at a thousand models they were over half the
        catalog's memory (about 23 of 40 MB), in every process that renders a language. The
        verdicts' document is kept, since its stale verdicts are reported with their lines later.
        """
        for key, doc in self.documents.items():
            if key != VERDICTS_DOCUMENT:
                self.documents[key] = Document(doc.path, doc.display, None, {})

    def family_models(self, family_id: str) -> list[schema.Model]:
        """The family's models, each base followed by the models derived from it.

        Models derived from the same base come in order of release. The dates compare as text, so a
        release known only to the month or the year comes before those dated within that month or
        year: the order claims no more than the date does. Undated models come first."""
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
        depth, seen, family = 0, {model.id}, model.family
        while model.base_model in self.models and model.base_model not in seen:
            model = self.models[model.base_model]
            if model.family != family:
                break
            seen.add(model.id)
            depth += 1
        return depth

    def select(self, model_ids: Iterable[str] = (), families: Iterable[str] = ()) -> list[str]:
        """The ids of ``model_ids`` plus every model of ``families``; all models when both are empty.

        Raises SelectionError naming an id or family that is not in the catalog (with a did-you-mean),
        or when the families chosen have no models.
        """
        model_ids, families = list(model_ids), list(families)
        for model_id in model_ids:
            if model_id not in self.models:
                raise SelectionError(f"'{model_id}' is not in the catalog. {did_you_mean(model_id, self.models)}",
                                     "MODEL_ID")
        for family in families:
            if family not in self.families:
                raise SelectionError(f"unknown family '{family}'. {did_you_mean(family, self.families)}", "--family")
        if not model_ids and not families:
            return sorted(self.models)
        ids = set(model_ids) | {m.id for m in self.models.values() if m.family in families}
        if not ids:
            raise SelectionError("the chosen families have no models in the catalog", "--family")
        return sorted(ids)

    def license_of(self, model: schema.Model) -> schema.License:
        return self.licenses[model.license]


def _read(path: Path, root: Path, problems: list[Problem]) -> Document | None:
    try:
        return read_yaml(path, display_path(path, root))
    except YamlProblem as exc:
        problems.append(exc.problem)
        return None


def _load_list(path: Path, root: Path, cls: type[M], problems: list[Problem], broken: set[str]) -> list[M]:
    """The valid entries of a list file; the ids of invalid ones go into ``broken``."""
    doc = _read(path, root, problems)
    if doc is None:
        return []
    if not isinstance(doc.data, list):
        problems.append(doc.problem((), f"expected a list, found {describe(doc.data)}"))
        return []
    items = []
    for i, raw in enumerate(doc.data):
        item = validate_as(doc, cls, problems, (i,))
        if item is not None:
            items.append(item)
        elif isinstance(raw, dict) and isinstance(raw.get("id"), str):
            broken.add(raw["id"])
    return items


def load_criteria(root: Path) -> schema.Criteria:
    """Only data/criteria.yml, checked; raises CatalogError."""
    problems: list[Problem] = []
    doc = _read(Path(root) / "criteria.yml", Path(root), problems)
    criteria = validate_as(doc, schema.Criteria, problems) if doc else None
    if doc and criteria:
        problems.extend(check_criteria(criteria, doc))
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
    broken_licenses: set[str] = set()  # so that the models using them are not also reported
    for lic in _load_list(root / "licenses.yml", root, schema.License, problems, broken_licenses):
        licenses[lic.id] = lic

    documents: dict[str, Document] = {}
    families: dict[str, schema.Family] = {}
    broken_families: set[str] = set()  # so that their models are not also reported
    for path in sorted((root / "families").glob("*.yml")):
        doc = _read(path, root, problems)
        family = doc and validate_as(doc, schema.Family, problems)
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
        if (path.is_dir() and not path.is_symlink()) or path.name.startswith("."):
            continue  # folders, and hidden files such as .DS_Store or an editor's swap file
        if path.suffix != ".yml" and not path.is_symlink():
            display = display_path(path, root)
            problems.append(Problem(display, 1, 1, "", "not a .yml file",
                                    f"rename it to {path.stem}.yml" if path.suffix == ".yaml" else
                                    "model entries are data/models/<family>/<org>__<name>.yml"))
            continue
        doc = _read(path, root, problems)
        model = doc and validate_as(doc, schema.Model, problems)
        if doc and isinstance(doc.data, dict):
            _merge(problems, doc, check_model(doc.data, doc, path, root, criteria, licenses, families,
                                               broken_families, broken_licenses))
        if not (doc and model):
            raw_id = doc.data.get("id") if doc and isinstance(doc.data, dict) else None
            unreadable.add(str(raw_id) if raw_id else schema.model_id_of(path.stem))
            continue
        if model.id in models:
            first = documents[model.id].display
            problems.append(doc.problem(("id",), f"duplicate model id '{model.id}' (also in {first})",
                                        "each model version has exactly one file"))
            continue
        models[model.id] = model
        documents[model.id] = doc

    problems.extend(check_lineage(models, documents, unreadable))
    hub = _load_hub(root, problems)
    problems.extend(check_hub(hub, models, licenses, documents, unreadable))
    gated = {model_id for model_id, (snap, _) in hub.items() if snap.gated not in (None, False)}
    problems.extend(check_rules(criteria, models, documents, gated))
    verdicts = _load_curated_trackers(root, criteria, problems, documents)
    snapshots = {model_id: snap for model_id, (snap, _) in hub.items()}
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        raise CatalogError(sorted(problems))
    return Catalog(root, criteria, licenses, families, models, documents,
                   sorted(p for p in problems if p.severity == "warning"), snapshots, verdicts)


VERDICTS_DOCUMENT = "trackers:verdicts"
"""The key of data/trackers/verdicts.yml in ``Catalog.documents``."""


def _load_curated_trackers(root: Path, criteria: schema.Criteria, problems: list[Problem],
                           documents: dict[str, Document]) -> list:
    """Check the curated files beside the machine-written tracker layer (mapping.yml, matches.yml,
    verdicts.yml) and return the verdicts. Contributors edit them like any catalog file, so every
    command that reads the catalog reports their problems with their places, not only the build."""
    from generator.trackers import load_config, load_verdicts, trackers_dir

    if (trackers_dir(root) / "mapping.yml").exists():
        try:
            load_config(root)
        except CatalogError as exc:
            problems.extend(exc.problems)
    try:
        doc, verdicts = load_verdicts(root, criteria.keys)
    except CatalogError as exc:
        problems.extend(exc.problems)
        return []
    if doc is not None:
        documents[VERDICTS_DOCUMENT] = doc
    return verdicts.verdicts


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


def _load_hub(root: Path, problems: list[Problem]) -> dict[str, tuple[schema.HubSnapshot, Document]]:
    """The snapshots in data/hub/<org>/<name>.yml; hidden files (a killed refresh's temp files) are skipped."""
    from generator.snapshots import HUB_DIR, snapshot_path

    hub: dict[str, tuple[schema.HubSnapshot, Document]] = {}
    for path in sorted((root / HUB_DIR).glob("**/*")):
        if path.is_dir() or path.name.startswith("."):
            continue
        doc = _read(path, root, problems)
        snapshot = doc and validate_as(doc, schema.HubSnapshot, problems)
        if not (doc and snapshot):
            continue
        expected = snapshot_path(root, snapshot.id)
        if path != expected:
            problems.append(doc.problem(("id",), f"snapshot of '{snapshot.id}' is in the wrong file",
                                        f"it belongs in {display_path(expected, root)}; run openmodels refresh"))
            continue
        hub[snapshot.id] = (snapshot, doc)
    return hub
