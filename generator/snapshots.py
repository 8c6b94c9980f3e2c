"""Hub snapshots: the machine-owned files in ``data/hub/<org>/<name>.yml``.

A refresh writes them and nothing else; curated files are never touched. Each file is
deterministic YAML (sorted keys, sorted lists) written atomically, and rewritten only when a fact
other than the fetch date changed, so an idle refresh leaves the tree and its history alone.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from pydantic import ValidationError

from generator.files import write_if_changed
from generator.schema import HubSnapshot, License
from generator.source import YamlProblem, read_yaml

HUB_DIR = "hub"
HEADER = ("# Written by `openmodels refresh` from the Hugging Face Hub API; do not edit by hand.\n"
          "# `fetched` is the day the Hub answered; the facts are as of that day.\n")


def snapshot_path(data_dir: Path, model_id: str) -> Path:
    """Where the snapshot of ``model_id`` lives under the ``data/`` folder."""
    org, name = model_id.split("/", 1)
    return Path(data_dir) / HUB_DIR / org / f"{name}.yml"


def dump_snapshot(snapshot: HubSnapshot) -> str:
    """The file text of ``snapshot``: the same facts always give the same bytes."""
    data = snapshot.model_dump(mode="json")
    return HEADER + yaml.safe_dump(data, sort_keys=True, allow_unicode=True, default_flow_style=False, width=1000)


def read_snapshot(path: Path) -> HubSnapshot | None:
    """The snapshot stored at ``path``, or None when there is none or it cannot be read."""
    try:
        return HubSnapshot.model_validate(read_yaml(path).data)
    except (YamlProblem, ValidationError):
        return None


def same_facts(a: HubSnapshot, b: HubSnapshot) -> bool:
    """Whether two snapshots say the same, whatever day each was fetched."""
    return a.model_dump(exclude={"fetched"}) == b.model_dump(exclude={"fetched"})


def save_snapshot(data_dir: Path, snapshot: HubSnapshot) -> bool:
    """Write ``snapshot`` unless its facts are already on disk; True if the file was written."""
    path = snapshot_path(data_dir, snapshot.id)
    previous = read_snapshot(path) if path.exists() else None
    if previous is not None and same_facts(previous, snapshot):
        return False
    return write_if_changed(path, dump_snapshot(snapshot))


def license_for(hub_license: str | None, hub_license_name: str | None, licenses: Iterable[License]) -> str | None:
    """The registry id whose ``hub_ids`` list the Hub's licence (its license_name first, for 'other')."""
    return match_hub_license(hub_license, hub_license_name, {lic.id: lic.hub_ids for lic in licenses})


def match_hub_license(hub_license: object, hub_license_name: object,
                      hub_ids: Mapping[str, Iterable[object]]) -> str | None:
    """The one rule that maps the Hub's licence onto data/licenses.yml, for refresh and ``new`` alike.

    ``hub_ids`` maps each registry id to the Hub ids it is known by (its ``hub_ids`` field). The Hub
    says 'other' for a licence it has no id for and names it in ``license_name``, so that name is
    tried first; ids are compared without regard to case. Values that are not strings (a
    malformed snapshot) match nothing.
    """
    by_hub_id = {str(hub_id).lower(): license_id for license_id, ids in hub_ids.items() for hub_id in ids}
    for candidate in (hub_license_name if hub_license == "other" else None, hub_license):
        if isinstance(candidate, str) and candidate.lower() in by_hub_id:
            return by_hub_id[candidate.lower()]
    return None


@dataclass
class RefreshReport:
    """What a refresh did: ids written, ids whose facts had not changed, and failures."""

    written: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    failed: list = field(default_factory=list)
    """One ``HubFailure`` per model that could not be refreshed; its previous snapshot is untouched."""


def refresh_snapshots(data_dir: Path, ids: Iterable[str], client, licenses: Iterable[License],
                      on_outcome: Callable[[object], None] | None = None) -> RefreshReport:
    """Fetch ``ids`` with ``client`` (a ``HubClient``) and save each snapshot as soon as it arrives.

    Saving as results arrive means an interrupted refresh keeps what it fetched; every file is
    either its old or its new version, never half of one.
    """
    from generator.hub import HubFailure

    licenses = list(licenses)
    remove_stale_temp_files(data_dir)
    report = RefreshReport()
    for outcome in client.fetch(ids):
        if isinstance(outcome, HubFailure):
            report.failed.append(outcome)
        else:
            snapshot = outcome.model_copy(
                update={"license": license_for(outcome.hub_license, outcome.hub_license_name, licenses)})
            (report.written if save_snapshot(data_dir, snapshot) else report.unchanged).append(snapshot.id)
        if on_outcome:
            on_outcome(outcome)
    report.written.sort()
    report.unchanged.sort()
    report.failed.sort(key=lambda f: f.id)
    return report


def remove_stale_temp_files(data_dir: Path) -> None:
    """Delete temporary files a killed refresh left behind (they never replaced a snapshot)."""
    hub_dir = Path(data_dir) / HUB_DIR
    if hub_dir.is_dir():
        for path in hub_dir.glob("**/.*.tmp"):
            path.unlink(missing_ok=True)
