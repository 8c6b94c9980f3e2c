"""The YAML reader: positions, and refusal of everything that is not plain data."""

from __future__ import annotations

import time

import pytest

from generator.source import MAX_BYTES, YamlProblem, parse_yaml, read_yaml


def test_positions_point_at_values():
    doc = parse_yaml("id: a/b\ncomponents:\n  weights:\n    level: open\n", "x.yml")
    assert doc.data["components"]["weights"]["level"] == "open"
    assert doc.where(("components", "weights", "level")) == (4, 12)
    assert doc.where(("components", "weights", "missing")) == (4, 5)


def test_dates_stay_text():
    assert parse_yaml("release_date: 2024-02-01\n", "x.yml").data == {"release_date": "2024-02-01"}


@pytest.mark.parametrize("text, message, line", [
    ("a: 1\na: 2\n", "duplicate key 'a'", 2),
    ("a: [1]\nb: *x\n", "anchors and aliases", 2),
    ("a:\n\tb: 1\n", "tab character", 2),
    ("a: [1, 2\n", "YAML syntax", 2),
    ("a: !!python/object:os.system ls\n", "tag", 1),
    ("c:\n  <<: {x: 1}\n", "merge keys", 2),
])
def test_bad_yaml_is_reported_with_position(text, message, line):
    with pytest.raises(YamlProblem) as info:
        parse_yaml(text, "bad.yml")
    problem = info.value.problem
    assert message in problem.message
    assert problem.path == "bad.yml" and problem.line == line


def test_billion_laughs_is_refused_quickly():
    bomb = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    for i in range(1, 10):
        prev = chr(ord("a") + i - 1)
        cur = chr(ord("a") + i)
        bomb += f"{cur}: &{cur} [" + ",".join([f"*{prev}"] * 9) + "]\n"
    start = time.perf_counter()
    with pytest.raises(YamlProblem, match="aliases"):
        parse_yaml(bomb, "bomb.yml")
    assert time.perf_counter() - start < 1.0


def test_oversized_and_non_utf8_files(tmp_path):
    big = tmp_path / "big.yml"
    big.write_text("a: " + "x" * MAX_BYTES)
    with pytest.raises(YamlProblem, match="limit"):
        read_yaml(big)
    latin = tmp_path / "latin.yml"
    latin.write_bytes(b"name: ok\nnote: caf\xe9\n")
    with pytest.raises(YamlProblem) as info:
        read_yaml(latin)
    assert info.value.problem.line == 2 and "UTF-8" in info.value.problem.message


def test_deep_nesting_is_refused():
    with pytest.raises(YamlProblem, match="nesting"):
        parse_yaml("a: " + "[" * 5000 + "]" * 5000, "deep.yml")
