"""``openmodels new``: draft a curated model entry for a contributor to finish.

The draft lists every component at level ``unknown`` and takes what it can from the model's Hub
snapshot (``data/hub/<org>/<name>.yml``) when there is one. A draft is written once, to a file that
does not exist yet; a file a contributor has started is never touched again.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import TypeAdapter, ValidationError

from generator import schema
from generator.catalog import load_criteria, model_filename
from generator.errors import OpenModelsError, did_you_mean, shown
from generator.snapshots import match_hub_license, snapshot_path
from generator.source import YamlProblem, read_yaml

SCHEMA_LINE = "# yaml-language-server: $schema=../../schema/model.schema.json\n"
"""Editors with a YAML language server read this line to autocomplete and flag mistakes."""

_PLAIN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_./-]*$")
_DATE = re.compile(r"^\d{4}-\d{2}(-\d{2})?$")


FAMILY_CUTOFF = 0.75
"""Family ids are short, so a looser match suggests unrelated families ('smollm' -> 'olmo')."""


class ScaffoldError(OpenModelsError):
    """The draft could not be written; the message says why and what to do."""


@dataclass
class Draft:
    """A drafted entry: where it goes, its text, and which facts came from the Hub snapshot."""

    path: Path
    text: str
    from_hub: list[str] = field(default_factory=list)
    snapshot: Path | None = None


def draft_model(data_dir: Path, model_id: str, family: str) -> Draft:
    """The draft entry for ``model_id`` in ``family``; raises ScaffoldError for a bad id or family."""
    data_dir = Path(data_dir)
    _check(schema.RepoId, model_id, f"{shown(model_id)} is not a Hub repo id; expected 'org/name', "
                                    "e.g. allenai/OLMo-7B")
    _check(schema.Slug, family, f"{shown(family)} is not a family id; expected lowercase letters, digits "
                                "and '-', e.g. olmo")
    families = sorted(p.stem for p in (data_dir / "families").glob("*.yml"))
    if family not in families:
        start = f"start it with `openmodels new-family {family}` (see CONTRIBUTING.md, 'A new family')"
        close = did_you_mean(family, families, cutoff=FAMILY_CUTOFF)
        raise ScaffoldError(f"unknown family {shown(family)}; " + (f"{close} If it is a new family, {start}"
                                                                    if close else f"if it is a new family, {start}"))
    models = data_dir / "models"
    path = models / family / model_filename(model_id)
    if not path.resolve().is_relative_to(models.resolve()):
        raise ScaffoldError(f"refusing to write outside {models}")
    for existing in sorted(models.glob("*/*.yml")):
        if existing.name.lower() == path.name.lower():
            same = "" if existing.name == path.name else " (Hub ids ignore case)"
            raise ScaffoldError(f"{model_id} is already in the catalog{same}: {existing}; edit that file instead")
    criteria = load_criteria(data_dir)
    facts, snapshot = _hub_facts(data_dir, model_id)
    return Draft(path, _entry_text(model_id, family, criteria, facts), sorted(facts), snapshot)


FAMILY_SCHEMA_LINE = "# yaml-language-server: $schema=../schema/family.schema.json\n"


def draft_family(data_dir: Path, family: str) -> Draft:
    """A blank ``data/families/<family>.yml`` to fill in; raises ScaffoldError for a bad or taken id.

    It starts blank, in English only: a copy of another family's file would describe that family until
    every field was rewritten. Translators translate its texts in the data catalogs (`make translations`).
    """
    data_dir = Path(data_dir)
    _check(schema.Slug, family, f"{shown(family)} is not a family id; expected lowercase letters, digits "
                                "and '-', e.g. smollm")
    path = data_dir / "families" / f"{family}.yml"
    if path.exists():
        raise ScaffoldError(f"family '{family}' already exists: {path}; edit that file instead")
    text = "".join([
        FAMILY_SCHEMA_LINE,
        "# Draft by `openmodels new-family`. Fill in every field in your own words, then add its models:\n",
        f"#   openmodels new ORG/NAME --family {family}\n",
        "# How: CONTRIBUTING.md. Every field: the site's Reference > Data format page.\n",
        f"id: {family}\n",
        'name: ""  # the name readers see, e.g. "OLMo"\n',
        'organisation: ""  # who releases the family, e.g. "Allen Institute for AI (Ai2)"\n',
        'summary: ""  # a few sentences: what the family is and what is published about it\n',
        "key_facts: []  # short facts with figures from the sources, one per item\n",
        "links: []  # papers, announcements, repositories; each item: {title: \"...\", url: https://...}\n",
    ])
    return Draft(path, text)


def write_draft(draft: Draft) -> None:
    """Create the draft's file; raises ScaffoldError if anything already exists at its path."""
    draft.path.parent.mkdir(parents=True, exist_ok=True)
    try:
        # 'x' is O_CREAT | O_EXCL: even a file created a moment ago is never overwritten.
        with open(draft.path, "x", encoding="utf-8", newline="\n") as handle:
            handle.write(draft.text)
    except FileExistsError:
        raise ScaffoldError(f"{draft.path} already exists; edit it instead") from None


def _check(kind: Any, value: str, message: str) -> None:
    try:
        TypeAdapter(kind).validate_python(value)
    except ValidationError:
        raise ScaffoldError(message) from None


def _hub_facts(data_dir: Path, model_id: str) -> tuple[dict[str, Any], Path | None]:
    """What the Hub snapshot says that a curated entry can start from; nothing it cannot vouch for.

    Read key by key, so an older or newer snapshot format gives fewer facts instead of an error.
    """
    path = snapshot_path(data_dir, model_id)
    if not path.is_file():
        return {}, None
    try:
        data = read_yaml(path).data
    except YamlProblem:
        return {}, path
    if not isinstance(data, dict) or data.get("id") != model_id:
        return {}, path
    facts: dict[str, Any] = {}
    license_id = _license(data, _licenses(data_dir))
    if license_id:
        facts["license"] = license_id
    bases = data.get("base_models")
    base = bases[0].get("id") if isinstance(bases, list) and bases and isinstance(bases[0], dict) else None
    if base is None and isinstance(data.get("base_model"), str):
        base = data["base_model"]
    if _valid(schema.RepoId, base) and base != model_id:
        facts["base_model"] = base
    created = data.get("created")
    if isinstance(created, str) and _valid(schema.ReleaseDate, created[:10]):
        facts["release_date"] = created[:10]
    parameters = data.get("parameters")
    if isinstance(parameters, int) and not isinstance(parameters, bool) and parameters > 0:
        facts["parameters"] = parameters
    return facts, path


def _valid(kind: Any, value: Any) -> bool:
    try:
        TypeAdapter(kind).validate_python(value)
    except ValidationError:
        return False
    return True


def _licenses(data_dir: Path) -> dict[str, list[str]]:
    """Registry id -> the Hub's ids for it, from data/licenses.yml, skipping anything malformed."""
    try:
        entries = read_yaml(data_dir / "licenses.yml").data
    except YamlProblem:
        return {}
    registry: dict[str, list[str]] = {}
    for entry in entries if isinstance(entries, list) else []:
        if isinstance(entry, dict) and isinstance(entry.get("id"), str):
            hub_ids = entry.get("hub_ids")
            registry[entry["id"]] = hub_ids if isinstance(hub_ids, list) else []
    return registry


def _license(data: dict[str, Any], registry: dict[str, list[str]]) -> str | None:
    """The registry id of the snapshot's licence: its mapped ``license``, else its Hub licence id."""
    if data.get("license") in registry:
        return data["license"]
    return match_hub_license(data.get("hub_license"), data.get("hub_license_name"), registry)


def _evidence_comment(criteria: schema.Criteria) -> str:
    """The draft's line on which levels need evidence, from criteria.yml's ``needs_evidence``."""
    exempt = [level.key for level in criteria.levels if not level.needs_evidence]
    which = "Every level but " + " and ".join(exempt) if exempt else "Every level"
    return f"  # {which} needs evidence: links to the pages that show it.\n"


def _guess_kind(model_id: str, base_model: str | None) -> str:
    name = model_id.split("/", 1)[1].lower()
    if "instruct" in name:
        return "instruct"
    if "chat" in name:
        return "chat"
    return "fine-tune" if base_model else "base"


def _scalar(value: Any) -> str:
    """``value`` as a YAML scalar that reads back as exactly this value."""
    if value is None:
        return "null"
    if isinstance(value, int):
        return str(value)
    text = str(value)
    # Dates stay unquoted: the catalog reads them as text (generator/source.py).
    if _PLAIN.match(text) and (yaml.safe_load(text) == text or _DATE.match(text)):
        return text
    return json.dumps(text, ensure_ascii=False)


def _comment(text: str) -> str:
    return " ".join(text.split())


def _entry_text(model_id: str, family: str, criteria: schema.Criteria, facts: dict[str, Any]) -> str:
    name = re.sub(r"[-_]+", " ", model_id.split("/", 1)[1])
    base = facts.get("base_model")
    hub = "  # from the Hub snapshot; check it"
    lines = [
        SCHEMA_LINE,
        "# Draft by `openmodels new`. Set each component's level, evidence and note, then run:\n",
        f"#   openmodels validate data/models/{family}/{model_filename(model_id)}\n",
        "# How: CONTRIBUTING.md. Every field: the site's Reference > Data format page.\n",
        f"id: {_scalar(model_id)}\n",
        f"name: {_scalar(name)}  # the name readers see, e.g. \"OLMo 7B\"\n",
        f"family: {_scalar(family)}\n",
        f"kind: {_guess_kind(model_id, base)}  # guessed; one of: {', '.join(schema.KINDS)}\n",
        f"base_model: {_scalar(base)}" + (hub if base else "  # the Hub id of the model this one derives from")
        + "\n",
        f"release_date: {_scalar(facts.get('release_date'))}"
        + ("  # the Hub repo's creation day; check the announcement" if "release_date" in facts
           else "  # YYYY-MM-DD, YYYY-MM or YYYY: as precise as the evidence") + "\n",
        f"parameters: {_scalar(facts.get('parameters'))}"
        + ("  # counted in the Hub's weights; the developer's headline figure is preferred, e.g. 7000000000"
           if "parameters" in facts else "  # a whole number, e.g. 7000000000 for 7B") + "\n",
        "license:" + (f" {_scalar(facts['license'])}{hub}" if "license" in facts
                      else "  # an id from data/licenses.yml, e.g. Apache-2.0") + "\n",
        "components:\n",
        f"  # Levels: {', '.join(level.key for level in criteria.levels)} (data/criteria.yml says what each means).\n",
        _evidence_comment(criteria),
    ]
    for comp in criteria.components:
        lines += [
            f"  {comp.key}:  # {_comment(comp.description)}\n",
            "    level: unknown\n",
            "    evidence: []\n",
            '    note: ""\n',
        ]
    return "".join(lines)
