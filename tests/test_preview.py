"""`openmodels serve`'s incremental render (generator.preview): after each kind of edit, the docs folder
is byte for byte what a full render makes of the same catalog."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from generator import preview
from generator.errors import CatalogError
from generator.files import read_tree
from generator.site import Project, render_docs


def _set(path: Path, pattern: str, replacement: str) -> None:
    text = path.read_text(encoding="utf-8")
    changed = re.sub(pattern, replacement, text, count=1, flags=re.M)
    assert changed != text, pattern
    path.write_text(changed, encoding="utf-8")


@pytest.fixture
def two_families(small_project: Path) -> Path:
    """The small catalog plus a family whose one model derives from a model of the demo family."""
    data = small_project / "data"
    family = (data / "families" / "demo.yml").read_text(encoding="utf-8")
    (data / "families" / "other.yml").write_text(family.replace("id: demo", "id: other")
                                                 .replace("name: Demo", "name: Other"), encoding="utf-8")
    (data / "models" / "other").mkdir()
    tune = data / "models" / "other" / "other-org__Tune-1B.yml"
    shutil.copyfile(data / "models" / "demo" / "demo-org__Chat-1B.yml", tune)
    _set(tune, r"^id: .*$", "id: other-org/Tune-1B")
    _set(tune, r"^name: .*$", "name: Other Tune 1B")
    _set(tune, r"^family: .*$", "family: other")
    _set(tune, r"^kind: .*$", "kind: fine-tune")
    _set(tune, r"^base_model: .*$", "base_model: demo-org/Chat-1B")
    return small_project


def _same_as_full(proj: Project) -> None:
    """The docs folder is what a full render writes: that render finds nothing to write or remove."""
    before = read_tree(proj.docs_dir)
    _, written = render_docs(proj)
    assert written == []
    assert read_tree(proj.docs_dir) == before


def test_an_incremental_render_is_a_full_one_byte_for_byte(two_families: Path):
    proj = Project(two_families)
    models = proj.data_dir / "models"
    base = models / "demo" / "demo-org__Base-1B.yml"
    chat = models / "demo" / "demo-org__Chat-1B.yml"
    tune = models / "other" / "other-org__Tune-1B.yml"
    preview.forget()
    assert preview.render(proj).full

    def edit(change, full: bool = False, expect: tuple[str, ...] = ()) -> None:
        change()
        outcome = preview.render(proj)
        assert outcome.full == full
        for page in expect:
            assert page in outcome.written, (page, outcome.written)
        _same_as_full(proj)

    # A note: the model's page, its family's, the trackers page; nothing else needs it.
    edit(lambda: _set(base, r"note: Synthetic note for training_data\.", "note: A note edited while serving."),
         expect=("models/demo-org__Base-1B.md", "models/demo-org__Base-1B.sv.md"))  # the family page shows no notes
    # A level: the score moves on the pages of the models derived from it, and on every list.
    edit(lambda: _set(base, r"level: open", "level: partial"),
         expect=("models/demo-org__Chat-1B.md", "explore.md", "families/all-models.sv.md"))
    # A name, shown by a model of another family and on that family's page.
    edit(lambda: _set(chat, r"^name: .*$", "name: Demo Chat Renamed"),
         expect=("models/other-org__Tune-1B.md", "families/other.md", "families/other.sv.md"))
    edit(lambda: _set(tune, r"^base_model: .*$", "base_model: demo-org/Base-1B"),
         expect=("models/demo-org__Base-1B.md", "models/demo-org__Chat-1B.md", "families/other.md"))

    def move() -> None:
        target = models / "demo" / tune.name
        tune.rename(target)
        _set(target, r"^family: .*$", "family: demo")
    edit(move, expect=("families/other.md", "families/demo.md", "models/other-org__Tune-1B.md"))
    tune = models / "demo" / tune.name

    extra = models / "demo" / "demo-org__Extra-1B.yml"

    def add() -> None:
        shutil.copyfile(tune, extra)
        _set(extra, r"^id: .*$", "id: demo-org/Extra-1B")
        _set(extra, r"^name: .*$", "name: Demo Extra 1B")
    edit(add, expect=("models/demo-org__Extra-1B.md", "models/demo-org__Extra-1B.sv.md",
                      "badges/demo-org__Extra-1B.svg"))
    edit(extra.unlink)
    assert not (proj.docs_dir / "models" / "demo-org__Extra-1B.md").exists()
    assert not (proj.docs_dir / "badges" / "demo-org__Extra-1B.svg").exists()

    # A broken file changes nothing; the fix is compared with the last good catalog.
    good = chat.read_text(encoding="utf-8")
    chat.write_text("id: [broken\n", encoding="utf-8")
    with pytest.raises(CatalogError):
        preview.render(proj)
    edit(lambda: chat.write_text(good.replace("Synthetic note for weights.", "Fixed while serving."),
                                 encoding="utf-8"), expect=("models/demo-org__Chat-1B.md",))
    # A family's file (its name is a menu title) and a template render everything.
    edit(lambda: _set(proj.data_dir / "families" / "demo.yml", r"^name: .*$", "name: Demo Renamed"), full=True)
    edit(lambda: _set(proj.templates_dir / "model.md.j2", r"\n", "\nEdited while serving.\n"), full=True)
    # Nothing changed: nothing is read or written.
    assert preview.render(proj) == preview.Outcome([], full=False)


def test_models_json_is_one_model_to_a_line_and_the_same_from_remembered_entries(two_families: Path):
    import json

    from generator.api import models_document, models_json
    from generator.catalog import load_catalog
    from generator.openness import assess_catalog

    catalog = load_catalog(two_families / "data")
    assessments = assess_catalog(catalog)
    document = models_document(catalog, assessments)
    encoded: dict = {}
    text = models_json(catalog, assessments, encoded=encoded)
    assert json.loads(text) == document
    # One model to a line, between the document's opening and its closing lines.
    lines = text.splitlines()
    assert [json.loads(line.rstrip(",")) for line in lines[1:-1]] == document["models"]
    assert models_json(catalog, assessments, encoded=encoded) == text
    assert models_json(catalog, assessments) == text
    assert len(encoded) == len(catalog.models)
