"""The machine-readable catalog: ``api/models.json`` and ``api/models.csv``."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from generator.catalog import Catalog
from generator.openness import Assessment

SCHEMA_VERSION = 1


def models_document(catalog: Catalog, assessments: dict[str, Assessment], trackers=None) -> dict[str, Any]:
    """The ``models.json`` document; its shape is a contract that later tools read.

    A model that a tracker describes gains ``trackers``: per tracker (eosai, mot) the entry's URL,
    its levels mapped onto our components, and the components on which it disagrees with us.
    """
    models = []
    for model_id in sorted(catalog.models):
        model = catalog.models[model_id]
        lic = catalog.license_of(model)
        a = assessments[model_id]
        models.append({
            "id": model.id,
            "name": model.name,
            "family": model.family,
            "kind": model.kind,
            "base_model": model.base_model,
            "release_date": model.release_date,
            "parameters": model.parameters,
            "license": {"id": lic.id, "osi_approved": lic.osi_approved},
            "components": {
                key: {"level": c.level, "evidence": list(c.evidence), "note": c.note}
                for key, c in ((k, model.components[k]) for k in catalog.criteria.keys)
            },
            "score": a.score,
            "flagged": list(a.flagged),
            "verdicts": {"lesson_criteria": a.lesson_criteria, "osaid": a.osaid, "mof_class": a.mof_class},
        })
        views = trackers.by_model.get(model_id) if trackers is not None and trackers.mapping is not None else None
        if views:
            models[-1]["trackers"] = {
                source: {"url": view.entry.url,
                         "levels": {k: c.level for k, c in view.components.items()},
                         "disagrees": list(view.disagrees)}
                for source, view in sorted(views.items())}
    document: dict[str, Any] = {"schema_version": SCHEMA_VERSION, "models": models}
    if trackers is not None and trackers.mapping is not None:
        # The trackers' levels travel with the credit their licences ask for.
        document["trackers"] = {source: {"name": info.name, "url": info.home, "license": info.license,
                                         "credit": info.citation or info.copyright}
                                for source in ("eosai", "mot") for info in [trackers.info(source)]}
    return document


def models_json(catalog: Catalog, assessments: dict[str, Assessment], trackers=None,
                encoded: dict[str, tuple[dict, str]] | None = None) -> str:
    """``models.json``: the document as compact JSON, one model to a line.

    Compact because indenting was a third of the file (1.5 MB at a thousand models) and made Python
    encode it in Python rather than in C; one model to a line so that a diff of two snapshots still
    shows which models changed. ``encoded`` keeps each model's entry and its text from one call to
    the next (``openmodels serve``), where after an edit only the edited models' entries differ."""
    document = models_document(catalog, assessments, trackers)
    parts = []
    for entry in document["models"]:
        known = encoded.get(entry["id"]) if encoded is not None else None
        # Compared as encoded JSON would tell them apart: True and 1 are equal in Python.
        if known is None or not _same(known[0], entry):
            # JSON strings hold no raw line breaks, so each entry is one line.
            known = (entry, _compact(entry))
            if encoded is not None:
                encoded[entry["id"]] = known
        parts.append(known[1])
    text = _compact({**document, "models": []})
    if parts:
        text = text.replace('"models":[]', '"models":[\n' + ",\n".join(parts) + "\n]", 1)
    return text + "\n"


def _compact(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _same(a: Any, b: Any) -> bool:
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return a == b


# The columns of models.csv before the component levels, with what each holds (the data format page
# lists them). Every header is unique, so csv.DictReader and pandas find each column by its name.
CSV_COLUMNS: tuple[tuple[str, str], ...] = (
    ("id", "The model's Hugging Face repo id, like org/name."),
    ("name", "The model's display name."),
    ("family", "The id of the model's family."),
    ("kind", "base, continued-pretraining, fine-tune, instruct or chat."),
    ("base_model", "The repo id of the model it was trained from; empty for a base model."),
    ("release_date", "YYYY-MM-DD, YYYY-MM or YYYY, as precise as the evidence allows; empty if unknown."),
    ("parameters", "Number of parameters; empty if unknown."),
    ("license", "The SPDX id (or LicenseRef-...) of the weights' licence."),
    ("osi_approved", "true if that licence is OSI-approved."),
    ("score", "The openness score: average points over the applicable components, 0 to 1; empty if none applies."),
    ("lesson_criteria", "true if the model meets all of the lesson's criteria."),
    ("osaid", "Whether the model likely meets the Open Source AI Definition: likely, unlikely or unknown."),
    ("mof_class", "The highest Model Openness Framework class reached; empty if none."),
)
LEVEL_SUFFIX = "_level"


def csv_header(keys: tuple[str, ...] | list[str]) -> list[str]:
    """The header row: the columns above, then ``<component>_level`` for each component."""
    return [name for name, _ in CSV_COLUMNS] + [key + LEVEL_SUFFIX for key in keys]


def models_csv(catalog: Catalog, assessments: dict[str, Assessment]) -> str:
    """One row per model: identity, licence, verdicts, then each component's level."""
    keys = catalog.criteria.keys
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(csv_header(keys))
    for entry in models_document(catalog, assessments)["models"]:
        v = entry["verdicts"]
        writer.writerow([_cell(x) for x in (
            entry["id"], entry["name"], entry["family"], entry["kind"], entry["base_model"],
            entry["release_date"], entry["parameters"], entry["license"]["id"], entry["license"]["osi_approved"],
            entry["score"], v["lesson_criteria"], v["osaid"], v["mof_class"],
            *(entry["components"][k]["level"] for k in keys))])
    return out.getvalue()


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    text = str(value)
    # Spreadsheets run cells that start with these as formulas; a quote keeps them text.
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
