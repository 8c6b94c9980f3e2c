"""What other trackers say: the machine-written layer in ``data/trackers/`` and its comparison with ours.

``openmodels trackers import`` (``tracker_import.py``) writes one normalised file per tracker entry
under ``data/trackers/<source>/``. This module reads those files back for the build, pairs each
model with the entries that describe it, and applies the disagreement rule of
``data/trackers/mapping.yml``. Like the Hub snapshots, the layer sits beside the curated files and
is never edited by hand; the two curated files beside it are ``mapping.yml`` and ``matches.yml``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, StrictStr

from generator.errors import CatalogError, Problem
from generator.messages import validate_as
from generator.schema import Criteria, Level, RepoId, Slug, TrackerComponent, TrackerEntry, TrackerSource, Url
from generator.source import YamlProblem, read_yaml

TRACKERS_DIR = "trackers"
SOURCES = ("eosai", "mot")
SOURCE_FILE = "_source.yml"


class _Config(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)


class DisagreementRule(_Config):
    """When a tracker's level and ours count as a disagreement."""

    order: list[Level]
    """Levels from least to most open; a level outside the list is never compared."""
    min_steps: int = Field(ge=1)
    """Levels at least this many steps apart disagree."""
    open_vs_not_open: Literal["lesson_criteria"]
    """The verdict whose components also disagree when one side is open and the other is not."""


class SourceInfo(_Config):
    """What every tracker has: its names, site, licence and where an entry's page is."""

    name: StrictStr
    short: StrictStr
    home: Url
    license: StrictStr
    repository: Url
    entry_url: StrictStr
    attribution: StrictStr = ""
    citation: StrictStr = ""
    doi_url: Url | None = None
    copyright: StrictStr = ""


class EosaiMapping(SourceInfo):
    """How the European Open Source AI Index's dimensions map onto our components."""

    levels: dict[StrictStr, Level]
    renamed: dict[StrictStr, StrictStr] = Field(default_factory=dict)
    end: dict[StrictStr, list[StrictStr]]
    base: dict[StrictStr, list[StrictStr]]
    not_compared: dict[StrictStr, StrictStr] = Field(default_factory=dict)


class MotClass(_Config):
    key: Literal["III", "II", "I"]
    require: list[StrictStr]


class MotMapping(SourceInfo):
    """How the Model Openness Tool's components and licences map onto our components and levels."""

    components: dict[StrictStr, list[StrictStr]]
    states: dict[Literal["open_licence", "other_licence", "unlicensed", "not_included"], Level]
    license_from: StrictStr
    license_states: dict[Literal["open_licence", "unlicensed", "not_included"], Level]
    open_licences: list[StrictStr]
    spellings: dict[StrictStr, StrictStr] = Field(default_factory=dict)
    unlicensed: list[StrictStr]
    not_included: list[StrictStr]
    licence_levels: dict[StrictStr, Level] = Field(default_factory=dict)
    classes: list[MotClass]
    content_types: dict[Literal["code", "data", "document"], list[StrictStr]]
    substitutes: dict[StrictStr, StrictStr] = Field(default_factory=dict)


class Mapping(_Config):
    """The contents of data/trackers/mapping.yml."""

    disagreement: DisagreementRule
    eosai: EosaiMapping
    mot: MotMapping


class CuratedMatch(_Config):
    source: Literal["eosai", "mot"]
    entry: StrictStr
    model: RepoId
    as_: Literal["end", "base", "release"] = Field(alias="as")


class Rejection(_Config):
    source: Literal["eosai", "mot"]
    entry: StrictStr
    model: RepoId


class Preference(_Config):
    entry: StrictStr
    """The MOT listing to use for the Hub repository it names."""


class FamilyLatest(_Config):
    entry: StrictStr
    family: Slug


class Matches(_Config):
    """The contents of data/trackers/matches.yml."""

    match: list[CuratedMatch] = Field(default_factory=list)
    reject: list[Rejection] = Field(default_factory=list)
    prefer: list[Preference] = Field(default_factory=list)
    family_latest: list[FamilyLatest] = Field(default_factory=list)


def trackers_dir(data_dir: Path) -> Path:
    return Path(data_dir) / TRACKERS_DIR


def _load(path: Path, root: Path, cls, problems: list[Problem]):
    try:
        doc = read_yaml(path, path.relative_to(root.parent).as_posix())
    except YamlProblem as exc:
        problems.append(exc.problem)
        return None
    return validate_as(doc, cls, problems)


def load_config(data_dir: Path) -> tuple[Mapping, Matches]:
    """``mapping.yml`` and ``matches.yml``, checked; raises CatalogError."""
    folder = trackers_dir(data_dir)
    problems: list[Problem] = []
    mapping = _load(folder / "mapping.yml", Path(data_dir), Mapping, problems)
    matches = _load(folder / "matches.yml", Path(data_dir), Matches, problems) \
        if (folder / "matches.yml").exists() else Matches()
    if problems or mapping is None or matches is None:
        raise CatalogError(problems)
    return mapping, matches


@dataclass(frozen=True)
class View:
    """One tracker's view of one model: the entry, which part of it applies, and the mapped components."""

    source: str
    entry: TrackerEntry
    part: str
    components: dict[str, TrackerComponent]
    disagrees: tuple[str, ...]


@dataclass
class Trackers:
    """The tracker layer as the build uses it."""

    mapping: Mapping
    sources: dict[str, TrackerSource] = field(default_factory=dict)
    entries: dict[str, list[TrackerEntry]] = field(default_factory=dict)
    by_model: dict[str, dict[str, View]] = field(default_factory=dict)
    """Per model id, per source, that tracker's view."""
    family_latest: dict[str, list[TrackerEntry]] = field(default_factory=dict)
    """Per family id, EOSAI entries that describe a newer release of the family."""

    def info(self, source: str) -> SourceInfo:
        return getattr(self.mapping, source)

    def covered(self, source: str) -> int:
        return sum(source in views for views in self.by_model.values())

    def disagreeing(self) -> list[str]:
        """Ids of the models on which some tracker disagrees with us, sorted."""
        return sorted(m for m, views in self.by_model.items() if any(v.disagrees for v in views.values()))


def step(level: str, rule: DisagreementRule) -> int | None:
    return rule.order.index(level) if level in rule.order else None


def disagrees(ours: str, theirs: str, component: str, rule: DisagreementRule, criteria: Criteria) -> bool:
    """Whether a tracker's level disagrees with ours by ``rule``: far enough apart, or open against
    not open on one of the lesson's criteria. Unknown and not applicable are never compared."""
    a, b = step(ours, rule), step(theirs, rule)
    if a is None or b is None:
        return False
    if abs(a - b) >= rule.min_steps:
        return True
    strict = getattr(criteria.verdicts, rule.open_vs_not_open).require_open
    return component in strict and (ours == "open") != (theirs == "open")


def load_trackers(data_dir: Path, catalog) -> Trackers:
    """The layer under ``data/trackers/`` paired with ``catalog``; raises CatalogError for bad files.

    Without a mapping.yml there are no trackers and the site simply shows none.
    """
    folder = trackers_dir(data_dir)
    if not (folder / "mapping.yml").exists():
        return Trackers(mapping=None)  # type: ignore[arg-type]
    mapping, _ = load_config(data_dir)
    result = Trackers(mapping=mapping)
    problems: list[Problem] = []
    for source in SOURCES:
        info = folder / source / SOURCE_FILE
        if info.exists():
            meta = _load(info, Path(data_dir), TrackerSource, problems)
            if meta:
                result.sources[source] = meta
        entries = []
        for path in sorted((folder / source).glob("*.yml")):
            if path.name == SOURCE_FILE or path.name.startswith("."):
                continue
            entry = _load(path, Path(data_dir), TrackerEntry, problems)
            if entry:
                entries.append(entry)
        result.entries[source] = entries
    if problems:
        raise CatalogError(sorted(problems))
    keys = catalog.criteria.keys
    for source, entries in result.entries.items():
        for entry in entries:
            for match in entry.matches:
                model = catalog.models.get(match.model)
                if model is None or match.view not in entry.views:
                    continue  # a model removed since the import: the next import drops the match
                components = {k: c for k, c in entry.views[match.view].items() if k in keys}
                against = [k for k, c in components.items()
                           if disagrees(model.components[k].level, c.level, k, mapping.disagreement, catalog.criteria)]
                result.by_model.setdefault(model.id, {})[source] = View(
                    source, entry, match.view, components, tuple(k for k in keys if k in against))
            if entry.family and entry.family in catalog.families:
                result.family_latest.setdefault(entry.family, []).append(entry)
    return result


LLM_TYPES = {"eosai": {"text", "code"}, "mot": {"language", "code", "multimodal", ""}}


def tracker_pages(catalog, trackers: Trackers | None) -> dict:
    """What the /trackers/ page shows: coverage, disagreements by model, entries we have no model for,
    and the mapping table."""
    if trackers is None:
        return {"coverage": [], "disagreements": [], "unmatched": {}, "without_repo": {}, "mapping_rows": []}
    coverage = [{"source": s, "info": trackers.info(s), "meta": trackers.sources.get(s),
                 "entries": len(trackers.entries.get(s, [])), "covered": trackers.covered(s)} for s in SOURCES]
    disagreements = []
    for model_id in sorted(trackers.disagreeing(), key=lambda m: catalog.models[m].name.lower()):
        model = catalog.models[model_id]
        rows = [{"key": k, "source": s, "view": v, "theirs": v.components[k], "ours": model.components[k]}
                for k in catalog.criteria.keys for s, v in sorted(trackers.by_model[model_id].items())
                if k in v.disagrees]
        disagreements.append({"model": model, "rows": rows})
    families_by_org: dict[str, set[str]] = {}
    for m in catalog.models.values():
        families_by_org.setdefault(m.id.split("/")[0].lower(), set()).add(m.family)
    in_catalog = {m.lower() for m in catalog.models}
    unmatched: dict[str, list[dict]] = {}
    without_repo: dict[str, int] = {}
    for source in SOURCES:
        unmatched[source], without_repo[source] = [], 0
        for entry in trackers.entries.get(source, []):
            kinds = set(entry.type.split(",")) if entry.type else {""}
            if entry.matches or not kinds & LLM_TYPES[source]:
                continue
            if not entry.hub_id:
                without_repo[source] += 1
                continue
            if entry.hub_id.lower() in in_catalog:
                continue  # a second listing of a model we have; the other one is matched
            org_families = families_by_org.get(entry.hub_id.split("/")[0].lower(), set())
            family = entry.family or (next(iter(org_families)) if len(org_families) == 1 else None)
            unmatched[source].append({"entry": entry, "family": family})
    return {"coverage": coverage, "disagreements": disagreements, "unmatched": unmatched,
            "without_repo": without_repo, "mapping_rows": mapping_rows(trackers.mapping, catalog.criteria)}


def mapping_rows(mapping: Mapping, criteria: Criteria) -> list[dict]:
    """Per component of ours, the tracker fields that are read onto it."""
    rows = []
    for key in criteria.keys:
        mot = list(mapping.mot.components.get(key, []))
        if key == "license":
            mot = [f"licence of {mapping.mot.license_from}"]
        rows.append({"key": key, "eosai_end": mapping.eosai.end.get(key, []),
                     "eosai_base": mapping.eosai.base.get(key, []), "mot": mot})
    return rows
