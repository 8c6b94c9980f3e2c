"""``openmodels trackers import``: read checkouts of the two trackers, normalise, match, write.

Everything is read and matched before anything is written. Each entry becomes one deterministic
YAML file under ``data/trackers/<source>/``, rewritten only when its content changes; a tracker file
that cannot be read is reported by name and skipped, and its previous normalised file is kept.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import yaml
from pydantic import ValidationError

from generator.errors import OpenModelsError
from generator.files import write_if_changed
from generator.schema import TrackerComponent, TrackerEntry, TrackerSource, _check_url
from generator.source import YamlProblem, read_yaml
from generator.tracker_match import match_entries
from generator.trackers import (
    SOURCE_FILE,
    EosaiMapping,
    MotMapping,
    load_config,
    load_trackers,
    load_verdicts,
    trackers_dir,
)

HEADER = ("# Written by `openmodels trackers import` from a snapshot of the tracker named below; do not edit\n"
          "# by hand. Levels are the tracker's findings mapped onto ours by data/trackers/mapping.yml.\n")
_HUB_URL = re.compile(r"^(?:https?://(?:www\.)?huggingface\.co/)?([A-Za-z0-9][\w.-]*)/([A-Za-z0-9][\w.-]*)(?:[/?#].*)?$")
_NOT_REPOS = {"datasets", "spaces", "collections", "docs", "papers", "blog", "models", "organizations", "learn"}
_OPENNESS = {"open": 3, "partial": 2, "closed": 1, "not_applicable": 0, "unknown": -1}


class TrackerImportError(OpenModelsError):
    """The tracker folders cannot be imported at all (missing, or not the tracker they claim to be)."""


@dataclass
class Skipped:
    file: str
    reason: str

    def __str__(self) -> str:
        return f"{self.file}: {self.reason}"


@dataclass
class ImportReport:
    """What an import did."""

    entries: dict[str, int] = field(default_factory=dict)
    written: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    matched: dict[str, int] = field(default_factory=dict)


def hub_repo(value: Any) -> str | None:
    """The Hub repository an entry's link names ('org/name'), or None for any other kind of page."""
    if not isinstance(value, str):
        return None
    text = value.strip()
    if not text.lower().startswith(("http://", "https://")) and text.count("/") != 1:
        return None
    found = _HUB_URL.match(text)
    if not found or (text.lower().startswith("http") and "huggingface.co/" not in text.lower()):
        return None
    org, name = found.groups()
    return None if org.lower() in _NOT_REPOS else f"{org}/{name}"


def _links(value: Any) -> list[str]:
    values = value if isinstance(value, list) else [value]
    good = []
    for item in values:
        if isinstance(item, str):
            try:
                url = _check_url(item.strip())
            except ValueError:
                continue
            if url not in good:
                good.append(url)
    return good[:20]


def _most_open(found: list[tuple[str, str, list[str]]]) -> TrackerComponent:
    """One component from several tracker fields: the most open level, every field named, all links."""
    level = max((lvl for _, lvl, _ in found), key=lambda lvl: _OPENNESS[lvl])
    links = []
    for _, _, urls in found:
        links.extend(u for u in urls if u not in links)
    return TrackerComponent(level=level, tracker="; ".join(text for text, _, _ in found), links=links[:20])


def _where(exc: YamlProblem) -> str:
    p = exc.problem
    return f"line {p.line}, column {p.col}: {p.message}"


class Malformed(Exception):
    """A tracker file that cannot be read as an entry of that tracker."""


# ---- European Open Source AI Index -----------------------------------------------------------

def read_eosai_entry(data: Any, stem: str, m: EosaiMapping) -> tuple[TrackerEntry, float, str]:
    """One index file as an entry, with its score and type for ranking; raises Malformed."""
    if not isinstance(data, dict) or not isinstance(data.get("system"), dict):
        raise Malformed("expected a 'system:' section with the model's name")
    system = data["system"]
    if not isinstance(system.get("name"), str) or not system["name"].strip():
        raise Malformed("system: name is missing")
    known = {d for table in (m.end, m.base) for dims in table.values() for d in dims} | set(m.not_compared)
    dims: dict[str, tuple[str, list[str]]] = {}
    for raw_key, value in data.items():
        key = m.renamed.get(raw_key, raw_key)
        if key not in known:
            continue
        if not isinstance(value, dict):
            raise Malformed(f"{key}: expected class, link and notes")
        cls = "" if value.get("class") is None else str(value.get("class")).strip()
        if cls not in m.levels:
            raise Malformed(f"{key}: class '{cls}' is not one of open, partial, closed or empty")
        dims[key] = (m.levels[cls], _links(value.get("link")))

    def view(table: dict[str, list[str]]) -> dict[str, TrackerComponent]:
        out = {}
        for ours, theirs in table.items():
            found = [(f"{d}: {_class_name(dims[d][0])}", *dims[d]) for d in theirs if d in dims]
            if found:
                out[ours] = _most_open(found)
        return out

    def text(key: str) -> str | None:
        value = system.get(key)
        return str(value).strip()[:200] if value not in (None, "") else None

    kind = str(system.get("type") or "").replace(" ", "")
    entry = dict(source="eosai", id=stem, name=system["name"].strip()[:300], url=m.entry_url.format(stem=quote(stem)),
                 type=kind[:40], hub_id=hub_repo(system.get("link")), base_model=text("basemodelname"),
                 end_model=text("endmodelname"), release_date=text("releasedate"),
                 views={"end": view(m.end), "base": view(m.base)})
    # The index's own score: open 1, partial 0.5, anything else 0, averaged over all its dimensions.
    points = {"open": 1.0, "partial": 0.5}
    score = sum(points.get(level, 0.0) for level, _ in dims.values()) / len(known)
    try:
        return TrackerEntry.model_validate(entry), score, kind.split(",")[0]
    except ValidationError as exc:
        raise Malformed(f"{exc.errors()[0]['loc'][0]}: {exc.errors()[0]['msg']}") from None


def _class_name(level: str) -> str:
    return {"not_applicable": "empty (not applicable)"}.get(level, level)


def read_eosai(folder: Path, m: EosaiMapping) -> tuple[list[TrackerEntry], list[Skipped]]:
    """Every system of the index, ranked within its type by the index's own score."""
    found, skipped = [], []
    for path in sorted(folder.glob("*.yaml")):
        if path.name.startswith(("_", ".")) or path.stem == "a_submission_template":
            continue
        try:
            data = read_yaml(path, f"{folder.name}/{path.name}").data
            found.append(read_eosai_entry(data, path.stem, m))
        except YamlProblem as exc:
            skipped.append(Skipped(f"{folder.name}/{path.name}", _where(exc)))
        except Malformed as exc:
            skipped.append(Skipped(f"{folder.name}/{path.name}", str(exc)))
    entries = []
    for entry, score, kind in found:
        peers = [s for _, s, k in found if k == kind]
        entries.append(entry.model_copy(update={"rank": 1 + sum(s > score for s in peers), "ranked": len(peers)}))
    return entries, skipped


# ---- Model Openness Tool ---------------------------------------------------------------------

def _licence_state(licence: str | None, m: MotMapping) -> tuple[str, str]:
    """(state, licence as read) for a component's licence value."""
    text = "" if licence is None else str(licence).strip()
    if text in m.not_included:
        return "not_included", text
    if text in m.unlicensed:
        return "unlicensed", text or "unlicensed"
    spelled = m.spellings.get(text, text)
    return ("open_licence" if spelled in m.open_licences else "other_licence"), spelled


def read_mot_entry(data: Any, stem: str, m: MotMapping, commit: str) -> TrackerEntry:
    """One MOT listing as an entry; raises Malformed."""
    release = data.get("release") if isinstance(data, dict) else None
    if not isinstance(release, dict) or not isinstance(release.get("name"), str) or not release["name"].strip():
        raise Malformed("expected a 'release:' section with a name")
    listed = release.get("components")
    if not isinstance(listed, list) or not all(isinstance(c, dict) and isinstance(c.get("name"), str) for c in listed):
        raise Malformed("release: components must be a list of components, each with a name")
    glob = release.get("license") if isinstance(release.get("license"), dict) else {}
    kinds = {name: kind for kind, names in m.content_types.items() for name in names}
    states: dict[str, tuple[str, str, list[str]]] = {}
    for comp in listed:
        if "license" in comp and comp["license"] is not None:
            licence = comp["license"]
        else:
            by_kind = glob.get(kinds.get(comp["name"], ""), {}) or {}
            licence = (by_kind.get("name") if isinstance(by_kind, dict) else None) or \
                ((glob.get("distribution") or {}).get("name") if isinstance(glob.get("distribution"), dict) else None)
        state, shown = _licence_state(licence, m)
        links = _links([comp.get("component_path"), comp.get("license_path")])
        states[comp["name"]] = (state, shown, links)

    def status(name: str) -> tuple[str, str, list[str]]:
        return states.get(name, ("not_included", "", []))

    def describe(name: str) -> str:
        state, shown, _ = status(name)
        return f"{name}: " + ("not included" if state == "not_included" else shown)

    view = {}
    for ours, theirs in m.components.items():
        view[ours] = _most_open([(describe(n), m.states[status(n)[0]], status(n)[2]) for n in theirs])
    state, shown, links = status(m.license_from)
    level = m.license_states.get(state) or m.licence_levels.get(shown, "unknown")  # type: ignore[call-overload]
    view["license"] = TrackerComponent(level=level, tracker=f"licence of {describe(m.license_from)}", links=links)

    def is_open(name: str) -> bool:
        if status(name)[0] == "open_licence":
            return True
        return name in m.substitutes and status(m.substitutes[name])[0] == "open_licence"

    reached = None
    for cls in m.classes:
        if not all(is_open(name) for name in cls.require):
            break
        reached = cls.key
    date = release.get("date")
    entry = dict(source="mot", id=stem, name=release["name"].strip()[:300],
                 url=m.entry_url.format(commit=commit, stem=quote(stem)), type=str(release.get("type") or "")[:40],
                 hub_id=hub_repo(release.get("huggingface")), release_date=str(date)[:20] if date else None,
                 mof_class=reached, views={"release": view})
    try:
        return TrackerEntry.model_validate(entry)
    except ValidationError as exc:
        raise Malformed(f"{exc.errors()[0]['loc'][0]}: {exc.errors()[0]['msg']}") from None


def read_mot(folder: Path, m: MotMapping, commit: str) -> tuple[list[TrackerEntry], list[Skipped]]:
    models = folder / "models"
    if not models.is_dir():
        raise TrackerImportError(f"{folder} has no models/ folder: is it a checkout of the Model Openness Tool?")
    entries, skipped = [], []
    for path in sorted(models.glob("*.yml")):
        display = f"{folder.name}/models/{path.name}"
        try:
            entries.append(read_mot_entry(read_yaml(path, display).data, path.stem, m, commit))
        except YamlProblem as exc:
            skipped.append(Skipped(display, _where(exc)))
        except Malformed as exc:
            skipped.append(Skipped(display, str(exc)))
    return entries, skipped


# ---- Writing ---------------------------------------------------------------------------------

def dump(item) -> str:
    """The file text of an entry or source record: the same facts always give the same bytes."""
    data = item.model_dump(mode="json", exclude_none=True)
    return HEADER + yaml.safe_dump(data, sort_keys=True, allow_unicode=True, default_flow_style=False, width=1000)


def source_commit(folder: Path, given: str | None) -> str:
    """The commit the snapshot in ``folder`` was taken at: as given, else from git."""
    import subprocess

    if given:
        if not re.fullmatch(r"[0-9a-f]{7,40}", given):
            raise TrackerImportError(f"'{given}' is not a commit id (7 to 40 hexadecimal digits)")
        return given
    try:
        out = subprocess.run(["git", "-C", str(folder), "rev-parse", "HEAD"], capture_output=True, text=True,
                             check=True, timeout=30)
        return out.stdout.strip()
    except (OSError, subprocess.SubprocessError):
        raise TrackerImportError(f"{folder} is not a git checkout, so its commit is unknown; "
                                 "give it with --eosai-commit or --mot-commit") from None


def entry_file(entry_id: str) -> str:
    """The normalised file's name: the tracker's own file name, with spaces as underscores."""
    return entry_id.replace(" ", "_") + ".yml"


def write_layer(data_dir: Path, source: str, meta: TrackerSource, entries: Iterable[TrackerEntry],
                skipped: list[Skipped], report: ImportReport) -> None:
    """Bring data/trackers/<source>/ up to date; the file of an entry that could not be read is kept."""
    folder = trackers_dir(data_dir) / source
    files = {entry_file(e.id): dump(e) for e in entries}
    files[SOURCE_FILE] = dump(meta)
    for name, text in sorted(files.items()):
        if write_if_changed(folder / name, text):
            report.written.append(f"{source}/{name}")
    kept = {entry_file(Path(s.file).stem) for s in skipped}
    for path in sorted(folder.glob("*.yml")):
        if path.name not in files and path.name not in kept:
            path.unlink()
            report.removed.append(f"{source}/{path.name}")
    for path in folder.glob(".*.tmp"):
        path.unlink(missing_ok=True)


def import_trackers(data_dir: Path, eosai_dir: Path, mot_dir: Path, catalog,
                    eosai_commit: str | None = None, mot_commit: str | None = None) -> ImportReport:
    """Read both trackers, match their entries with ``catalog`` and write data/trackers/.

    Raises CatalogError for a bad mapping.yml, matches.yml or verdicts.yml and TrackerImportError when a folder is
    not a tracker checkout; nothing is written in either case.
    """
    mapping, matches = load_config(data_dir)
    load_verdicts(data_dir, catalog.criteria.keys)
    for folder in (eosai_dir, mot_dir):
        if not Path(folder).is_dir():
            raise TrackerImportError(f"{folder} is not a folder")
    commits = {"eosai": source_commit(eosai_dir, eosai_commit), "mot": source_commit(mot_dir, mot_commit)}
    if not (Path(eosai_dir) / "_parameters.yml").exists():
        raise TrackerImportError(f"{eosai_dir} has no _parameters.yml: is it a checkout of the index's main-database?")
    read = {"eosai": read_eosai(Path(eosai_dir), mapping.eosai),
            "mot": read_mot(Path(mot_dir), mapping.mot, commits["mot"])}
    report = ImportReport()
    layers = {}
    for source, (entries, skipped) in read.items():
        info = getattr(mapping, source)
        matched = match_entries(source, entries, catalog, matches, report)
        attribution = info.attribution or f"{info.copyright}; {info.license} licence"
        folder = Path(eosai_dir if source == "eosai" else mot_dir)
        notice = (folder / "LICENSE").read_text(encoding="utf-8").strip() if (folder / "LICENSE").is_file() else ""
        meta = TrackerSource(source=source, name=info.name, home=info.home, repository=info.repository,
                             commit=commits[source], license=info.license, attribution=attribution,
                             notice=notice[:4000], entries=len(entries), skipped=[str(s) for s in skipped])
        layers[source] = (meta, matched, skipped)
        report.entries[source] = len(entries)
        report.skipped.extend(skipped)
    for source, (meta, matched, skipped) in layers.items():
        write_layer(data_dir, source, meta, matched, skipped, report)
    # Verdicts speak of disagreements, which the new matches may have changed.
    report.notes.extend(load_trackers(data_dir, catalog).stale)
    return report
