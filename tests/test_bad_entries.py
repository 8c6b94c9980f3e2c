"""Bad entries as strangers send them: each gets its exact message, and nothing crashes the checks.

Every ``tests/bad_entries/<failure>.yml`` is dropped into a copy of the synthetic catalog, at
``data/models/demo/demo-org__Bad-1B.yml`` unless its header says ``# target: <path under data/>``
(``# pad-to: N`` pads it with comment lines to N bytes). A case about a judgement rule turns it on
with ``# rule: <key>``, copied from the real data/criteria.yml (the synthetic catalog has no rules);
``# remove: <path under data/>`` deletes a synthetic file that would break the rule as well, and
``# gated-on-hub: <model id>`` writes a Hub snapshot saying that repository is gated. Validation
must then print exactly the text in ``<failure>.expect``. Set UPDATE_BAD_ENTRIES=1 to rewrite the
.expect files after an intended change of wording, and review the diff.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.catalog import load_catalog
from generator.cli import cli
from generator.errors import CatalogError
from generator.schema import HubSnapshot
from generator.snapshots import save_snapshot

HERE = Path(__file__).resolve().parent
REAL_CRITERIA = HERE.parent / "data" / "criteria.yml"
CASES = HERE / "bad_entries"
CATALOG = HERE / "fixtures" / "catalog"
SEED = HERE / "fixtures" / "valid-entry.yml"
DEFAULT_TARGET = "models/demo/demo-org__Bad-1B.yml"
REPORT_LINE = re.compile(r"^data/\S+:\d+:\d+: .+: \S")


def directives(raw: bytes) -> dict[str, str]:
    """The ``# name: value`` lines at the top of a case (its first line is its description)."""
    found = {}
    for line in raw.decode("utf-8", "replace").splitlines()[1:]:
        match = re.match(r"^# (target|pad-to|rule|remove|gated-on-hub): (.+)$", line)
        if not match:
            break
        found[match.group(1)] = match.group(2).strip()
    return found


def validate(data: Path) -> str:
    """What validation reports for the catalog in ``data``, one problem after another."""
    try:
        catalog = load_catalog(data)
    except CatalogError as exc:
        return "\n".join(str(p) for p in exc.problems)
    return "\n".join(str(p) for p in catalog.warnings) or "valid"


def prepare(data: Path, options: dict[str, str]) -> None:
    """Set up the synthetic catalog as a case's directives ask, before the case is dropped in."""
    if "rule" in options:
        [rule] = [r for r in yaml.safe_load(REAL_CRITERIA.read_text(encoding="utf-8"))["rules"]
                  if r["key"] == options["rule"]]
        with (data / "criteria.yml").open("a", encoding="utf-8") as criteria:
            criteria.write("\n" + yaml.safe_dump({"rules": [rule]}, allow_unicode=True, sort_keys=False))
    if "remove" in options:
        (data / options["remove"]).unlink()
    if "gated-on-hub" in options:
        save_snapshot(data, HubSnapshot(id=options["gated-on-hub"], gated="manual", fetched="2025-03-21"))


def drop(data: Path, raw: bytes, target: str) -> None:
    path = data / target
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(raw)


CASE_NAMES = sorted(p.stem for p in CASES.glob("*.yml"))


def test_corpus_is_large_and_complete():
    assert len(CASE_NAMES) >= 30
    assert sorted(p.stem for p in CASES.glob("*.expect")) == CASE_NAMES
    groups = {name.split("-")[0] for name in CASE_NAMES}
    assert {"yaml", "type", "key", "cross", "hostile"} <= groups


def test_seed_entry_is_valid(fixture_catalog):
    drop(fixture_catalog, SEED.read_bytes(), DEFAULT_TARGET)
    assert validate(fixture_catalog) == "valid"


@pytest.mark.parametrize("name", CASE_NAMES)
def test_bad_entry(fixture_catalog, name):
    raw = (CASES / f"{name}.yml").read_bytes()
    options = directives(raw)
    if "pad-to" in options:
        raw += b"# padding\n" * ((int(options["pad-to"]) - len(raw)) // 10 + 1)
    prepare(fixture_catalog, options)
    drop(fixture_catalog, raw, options.get("target", DEFAULT_TARGET))
    report = validate(fixture_catalog)
    expect = CASES / f"{name}.expect"
    if os.environ.get("UPDATE_BAD_ENTRIES"):
        expect.write_text(report + "\n", encoding="utf-8")
    assert report != "valid"
    assert report == expect.read_text(encoding="utf-8").rstrip("\n")
    for line in report.splitlines():
        assert REPORT_LINE.match(line) or line.startswith("    hint: "), line


# Fuzzing: mutate the seed entry, as text and as data, and validate it through the real CLI.

SEED_TEXT = SEED.read_text(encoding="utf-8")
SEED_LINES = SEED_TEXT.splitlines(keepends=True)
TOKENS = ["&a ", "*a", "!!str ", "!!python/name:os.system ", "<<: ", "{", "}", "[", "]", "- ", ": ", "#", "'", '"',
          "\t", "\n", "  ", "---\n", "...\n", "? ", "|\n", ">\n", "%YAML 1.1\n", "\\", "\u202e", "\x00", "\x1b",
          "\ufeff", "é", "null", "~", "yes", "1e400", "0x1F", "2024-02-30", "9" * 5000, "../", "javascript:",
          "<script>alert(1)</script>", "{{ 7*7 }}", "level: open", "evidence: []", "open", "unknown"]


@st.composite
def text_mutation(draw) -> bytes:
    """The seed's text with a few lines dropped, duplicated or swapped and tokens spliced in."""
    lines = list(SEED_LINES)
    for _ in range(draw(st.integers(1, 4))):
        i = draw(st.integers(0, len(lines) - 1))
        action = draw(st.sampled_from(["drop", "dup", "swap", "splice", "indent", "text"]))
        if action == "drop":
            del lines[i]
        elif action == "dup":
            lines.insert(i, lines[i])
        elif action == "swap":
            j = draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
        elif action == "indent":
            lines[i] = " " * draw(st.integers(0, 6)) + lines[i].lstrip(" ")
        else:
            token = draw(st.sampled_from(TOKENS)) if action == "splice" else draw(st.text(max_size=12))
            at = draw(st.integers(0, len(lines[i])))
            lines[i] = lines[i][:at] + token + lines[i][at:]
        if not lines:
            break
    return "".join(lines).encode("utf-8", "surrogatepass")


SCALARS = (st.none() | st.booleans() | st.integers(-(10 ** 20), 10 ** 20) | st.floats(allow_nan=True)
           | st.text(max_size=40) | st.sampled_from(["open", "unknown", "demo", "Apache-2.0", "demo-org/Base-1B",
                                                     "https://example.org/x", "javascript:alert(1)", "2024-02"]))
VALUES = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=3)
                      | st.dictionaries(st.text(max_size=12) | st.integers(), inner, max_size=3), max_leaves=8)


@st.composite
def data_mutation(draw) -> bytes:
    """The seed's data with a value replaced, a key added or a key removed, written back as YAML."""
    data = yaml.safe_load(SEED_TEXT)
    for _ in range(draw(st.integers(1, 3))):
        node, key = data, None
        while isinstance(node, dict) and node and draw(st.booleans()):
            key = draw(st.sampled_from(sorted(node, key=str)))
            if not isinstance(node[key], dict):
                break
            node = node[key]
        if not isinstance(node, dict):
            break
        action = draw(st.sampled_from(["set", "add", "remove"]))
        key = key if key in node else draw(st.sampled_from(sorted(node, key=str))) if node else "x"
        if action == "remove":
            node.pop(key, None)
        else:
            node[key if action == "set" else draw(st.text(max_size=12))] = draw(VALUES)
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False).encode("utf-8", "surrogatepass")


@pytest.fixture(scope="module")
def fuzz_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("fuzz")
    shutil.copytree(CATALOG, root / "data")
    (root / "mkdocs.yml").write_text("site_name: fuzz\n")
    return root


def check_verdict(project: Path, raw: bytes) -> None:
    (project / "data" / DEFAULT_TARGET).write_bytes(raw)
    result = CliRunner().invoke(cli, ["validate", "--root", str(project)])
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert result.exit_code in (0, 1), result.output
    lines = result.output.splitlines()
    if result.exit_code == 0:
        assert lines[-1] in ("The catalog is valid.",) or lines[-1].startswith("Valid, with"), result.output
        return
    assert re.fullmatch(r"Error: \d+ problem\(s\) found", lines[-1]), result.output
    for line in lines[:-1]:
        assert REPORT_LINE.match(line) or line.startswith("    hint: "), line


FUZZ = settings(max_examples=75, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])


@pytest.mark.slow
@FUZZ
@given(raw=text_mutation())
def test_fuzzed_text_gets_a_clean_verdict(fuzz_project, raw):
    check_verdict(fuzz_project, raw)


@pytest.mark.slow
@FUZZ
@given(raw=data_mutation())
def test_fuzzed_data_gets_a_clean_verdict(fuzz_project, raw):
    check_verdict(fuzz_project, raw)
