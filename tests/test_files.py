"""Swapping a finished site in: atomic where the system allows, recoverable where it does not."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from generator import files
from generator.files import read_tree, recover, swap_in


def make_site(path: Path, marker: str) -> Path:
    (path / "sub").mkdir(parents=True)
    (path / "index.html").write_text(marker)
    (path / "sub" / "page.html").write_text(marker * 2)
    return path


def test_swap_in_replaces_the_site_whole(tmp_path):
    site = make_site(tmp_path / "site", "old")
    staged = make_site(tmp_path / ".site.new-1", "new")
    swap_in(staged, site)
    assert read_tree(site) == {"index.html": b"new", "sub/page.html": b"newnew"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]


def test_swap_in_without_an_atomic_exchange(tmp_path, monkeypatch):
    monkeypatch.setattr(files, "_exchange", lambda a, b: False)
    site = make_site(tmp_path / "site", "old")
    swap_in(make_site(tmp_path / ".site.new-1", "new"), site)
    assert read_tree(site)["index.html"] == b"new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]


def test_first_build_has_nothing_to_swap_with(tmp_path):
    swap_in(make_site(tmp_path / ".site.new-1", "new"), tmp_path / "site")
    assert read_tree(tmp_path / "site")["index.html"] == b"new"


def test_recover_restores_a_site_left_between_two_renames(tmp_path):
    make_site(tmp_path / ".site.old", "old")
    recover(tmp_path / "site")
    assert read_tree(tmp_path / "site")["index.html"] == b"old"
    assert not (tmp_path / ".site.old").exists()


def test_recover_removes_only_dead_builds_staging_folders(tmp_path):
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    make_site(tmp_path / f".site.new-{dead.pid}", "half")
    make_site(tmp_path / f".site.new-{os.getpid()}", "running")
    make_site(tmp_path / "site", "old")
    recover(tmp_path / "site")
    assert not (tmp_path / f".site.new-{dead.pid}").exists()
    assert (tmp_path / f".site.new-{os.getpid()}").exists()
    assert read_tree(tmp_path / "site")["index.html"] == b"old"


def test_exchange_is_atomic_on_linux(tmp_path):
    a, b = make_site(tmp_path / "a", "A"), make_site(tmp_path / "b", "B")
    if sys.platform != "linux":
        return
    assert files._exchange(a, b)
    assert (a / "index.html").read_text() == "B" and (b / "index.html").read_text() == "A"
