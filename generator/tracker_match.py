"""Matching tracker entries with the catalog: exact or explicit, never by resemblance.

An entry describes one of our models only when it names the same Hub repository, when (EOSAI,
without a repository) its end model has exactly the model's name, or when data/trackers/matches.yml
says so. A base model counts only when its own organisation released the entry's end model.
"""

from __future__ import annotations

from generator.schema import TrackerEntry, TrackerMatch
from generator.trackers import Matches

_PRIORITY = {"curated": 0, "hub": 1, "name": 2}


def match_entries(source: str, entries: list[TrackerEntry], catalog, matches: Matches,
                  report) -> list[TrackerEntry]:
    """``entries`` with the catalog models each describes; one entry per model and tracker.

    Matching is exact or explicit: a Hub repository the entry names, an exact model name where the
    entry names no repository (EOSAI), or a line of matches.yml. A model described by several
    entries gets the curated one, else the full view over a base-only view, else (MOT) a listing
    pinned in matches.yml or the most recently dated one.
    """
    ids = {model_id.lower(): model_id for model_id in catalog.models}
    by_name: dict[str, list[str]] = {}
    for model_id in catalog.models:
        by_name.setdefault(model_id.split("/", 1)[1].lower(), []).append(model_id)

    def named(name: str | None) -> str | None:
        found = by_name.get((name or "").lower(), [])
        return found[0] if len(found) == 1 else None

    rejected = {(r.entry, r.model) for r in matches.reject if r.source == source}
    known = {e.id for e in entries}
    for cm in (*[c for c in matches.match if c.source == source], *[r for r in matches.reject if r.source == source]):
        if cm.entry not in known:
            report.notes.append(f"matches.yml names {source} entry '{cm.entry}', which the tracker does not have")
        if cm.model not in catalog.models:
            report.notes.append(f"matches.yml names model '{cm.model}', which is not in the catalog")
    candidates: dict[str, list[tuple[TrackerEntry, TrackerMatch]]] = {}
    for entry in entries:
        found: list[TrackerMatch] = []
        if entry.hub_id and entry.hub_id.lower() in ids:
            found.append(TrackerMatch(model=ids[entry.hub_id.lower()], view=_hub_view(source, entry), how="hub"))
        elif source == "eosai" and not entry.hub_id and named(entry.end_model):
            found.append(TrackerMatch(model=named(entry.end_model), view="end", how="name"))
        # A base model counts only when its own organisation released the entry's end model.
        org = (entry.hub_id or (found[0].model if found else "")).split("/")[0].lower()
        base = named(entry.base_model) if source == "eosai" else None
        if base and org and (entry.base_model or "").lower() != (entry.end_model or "").lower() \
                and base.split("/")[0].lower() == org and all(f.model != base for f in found):
            found.append(TrackerMatch(model=base, view="base", how="name"))
        for cm in matches.match:
            if cm.source == source and cm.entry == entry.id and cm.model in catalog.models:
                found = [f for f in found if f.model != cm.model]
                found.append(TrackerMatch(model=cm.model, view=cm.as_, how="curated"))
        for f in found:
            if (entry.id, f.model) not in rejected:
                candidates.setdefault(f.model, []).append((entry, f))
    preferred = {p.entry for p in matches.prefer}
    chosen: dict[str, list[TrackerMatch]] = {}
    for model_id, options in sorted(candidates.items()):
        options.sort(key=lambda o: (_PRIORITY[o[1].how], o[1].view == "base", o[0].id not in preferred,
                                    _newest_first(o[0].release_date), o[0].id))
        entry, match = options[0]
        if len(options) > 1:
            others = ", ".join(o[0].id for o in options[1:])
            report.notes.append(f"{source}: {model_id} is described by {entry.id} and {others}; using {entry.id}")
        chosen.setdefault(entry.id, []).append(match)
    family = {f.entry: f.family for f in matches.family_latest if f.family in catalog.families} \
        if source == "eosai" else {}
    for entry_id, match_list in sorted(chosen.items()):
        ends = [f.model for f in match_list if f.view == "end"]
        if entry_id in family and ends:
            report.notes.append(f"matches.yml: family_latest names {entry_id}, which describes {ends[0]} of the "
                                "catalog; the line is ignored and can go")
    result = []
    for entry in entries:
        found = sorted(chosen.get(entry.id, []), key=lambda f: (f.model, f.view))
        latest = family.get(entry.id) if not any(f.view == "end" for f in found) else None
        result.append(entry.model_copy(update={"matches": found, "family": latest}))
    report.matched[source] = len({f.model for e in result for f in e.matches})
    return result


def _hub_view(source: str, entry: TrackerEntry) -> str:
    """Which side of the entry the Hub repository it links to is. The index sometimes links to the
    base model (its Phi entry links to phi-4 and describes Phi-4-reasoning): then the repository
    is the entry's base model, and only the base model's dimensions describe it."""
    if source != "eosai":
        return "release"
    name = entry.hub_id.split("/", 1)[1].lower() if entry.hub_id else ""
    base, end = (entry.base_model or "").lower(), (entry.end_model or "").lower()
    return "base" if name == base and name != end else "end"


def _newest_first(date: str | None) -> tuple:
    """A sort key putting later dates first and entries without a date last."""
    return (not date, tuple(-ord(c) for c in (date or "")))
