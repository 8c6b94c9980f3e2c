"""What other trackers say: the machine-written layer in ``data/trackers/`` and its comparison with ours.

``openmodels trackers import`` (``tracker_import.py``) writes one normalised file per tracker entry
under ``data/trackers/<source>/``. This module reads those files back for the build, pairs each
model with the entries that describe it, and applies the disagreement rule of
``data/trackers/mapping.yml``. Like the Hub snapshots, the layer sits beside the curated files and
is never edited by hand; the curated files beside it are ``mapping.yml``, ``matches.yml`` and
``verdicts.yml`` (who we think is right where a tracker disagrees with us).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictStr

from generator.errors import CatalogError, Problem
from generator.messages import validate_as
from generator.schema import (
    TRANSLATABLE,
    Criteria,
    Level,
    RepoId,
    Slug,
    Text,
    TrackerComponent,
    TrackerEntry,
    TrackerSource,
    Url,
)
from generator.source import Document, YamlProblem, read_yaml

TRACKERS_DIR = "trackers"
SOURCES = ("eosai", "mot")
SOURCE_FILE = "_source.yml"
VERDICTS_FILE = "verdicts.yml"


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


class Verdict(_Config):
    """Who we think is right where a tracker disagrees with us on one component of one model."""

    model: RepoId
    """Our model, by its Hub id."""
    source: Literal["eosai", "mot"]
    """The tracker that disagrees with us."""
    component: StrictStr
    """The component they disagree on: one of the keys of data/criteria.yml."""
    right: Literal["ours", "tracker", "both"]
    """ours: our level stands and the tracker's entry is mistaken or out of date; tracker: the tracker
    is right and our level needs changing; both: the two readings hold, because the rubrics differ."""
    reason: Annotated[Text, TRANSLATABLE]
    """One sentence in our own words saying why, in English (translated in the data catalogs)."""
    evidence: list[Url] = Field(min_length=1, max_length=6)
    """The pages that show it: from our model file or from the tracker's own links."""


class Verdicts(_Config):
    """The contents of data/trackers/verdicts.yml."""

    verdicts: list[Verdict] = Field(default_factory=list)


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
    verdicts: dict[str, Verdict] = field(default_factory=dict)
    """Per disagreeing component, who we think is right, where verdicts.yml says so."""


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
    stale: list[str] = field(default_factory=list)
    """Verdicts of verdicts.yml on disagreements that no longer exist, as notes for curators."""

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
    _add_verdicts(result, catalog)
    return result



def load_verdicts(data_dir: Path, keys: list[str]) -> tuple[Document | None, Verdicts]:
    """data/trackers/verdicts.yml, checked on its own (``keys``: our components); raises CatalogError
    with each problem's place. Without the file there are no verdicts."""
    path = trackers_dir(data_dir) / VERDICTS_FILE
    if not path.exists():
        return None, Verdicts()
    try:
        doc = read_yaml(path, path.relative_to(Path(data_dir).parent).as_posix())
    except YamlProblem as exc:
        raise CatalogError([exc.problem]) from None
    problems: list[Problem] = []
    raw = doc.data.get("verdicts") if isinstance(doc.data, dict) else None
    if not isinstance(raw, list) or set(doc.data) != {"verdicts"}:
        validate_as(doc, Verdicts, problems)  # says what is wrong with the file's shape
        raise CatalogError(problems or [doc.problem((), "expected 'verdicts:' with a list of verdicts")])
    # Each verdict on its own, so that one bad verdict does not hide the problems of the others.
    found = [(i, validate_as(doc, Verdict, problems, ("verdicts", i))) for i in range(len(raw))]
    seen: set[tuple[str, str, str]] = set()
    for i, v in found:
        if v is None:
            continue
        if v.component not in keys:
            problems.append(doc.problem(("verdicts", i, "component"), f"'{v.component}' is not a component",
                                        "one of: " + ", ".join(keys)))
        elif (v.model, v.source, v.component) in seen:
            problems.append(doc.problem(("verdicts", i), f"a second verdict on {v.component} of {v.model} by "
                                        f"{v.source}", "keep one"))
        seen.add((v.model, v.source, v.component))
    if problems:
        raise CatalogError(sorted(problems))
    return doc, Verdicts(verdicts=[v for _, v in found if v is not None])


def _add_verdicts(result: Trackers, catalog) -> None:
    """Attach each verdict of verdicts.yml to the disagreement it settles.

    A verdict on a model or disagreement that is gone (a level changed, a model was removed, or the
    import matched differently) is not shown; it is listed in ``result.stale`` for the import to
    report, as matches.yml's lines are, so that merging data never breaks the build."""
    from generator.catalog import VERDICTS_DOCUMENT

    doc = catalog.documents.get(VERDICTS_DOCUMENT)
    for i, v in enumerate(catalog.verdicts):
        view = result.by_model.get(v.model, {}).get(v.source)
        if view is not None and v.component in view.disagrees:
            view.verdicts[v.component] = v
        elif doc is not None:
            result.stale.append(f"{doc.display}:{doc.where(('verdicts', i))[0]}: the verdict on {v.component} of "
                                f"{v.model}: {v.source} no longer disagrees with us there, or the model is gone; "
                                "delete the verdict")


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
        rows = [{"key": k, "source": s, "view": v, "theirs": v.components[k], "ours": model.components[k],
                 "verdict": v.verdicts.get(k)}
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
