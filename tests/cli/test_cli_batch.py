"""`briefing batch --dry-run`: the episodes a plan would make, and the files it would leave out."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from briefing.cli.app import app

pytest.importorskip("distributed", reason="the batch command needs the `batch` extra")

PLAN = """
[defaults]
voice = "espeak"

[[show]]
name = "matin"
out = "out/matin"
sources = ["a.txt", "absent.txt", "dossier", "notes.docx", "https://www.example.fr/x.html"]

[[show]]
name = "regions"
out = "out/regions"
each = true
sources = ["b.txt"]
"""


def dry_run(tmp_path: Path, plan: str) -> tuple[int, str, str]:
    (tmp_path / "plan.toml").write_text(plan, encoding="utf-8")
    result = CliRunner().invoke(app, ["batch", str(tmp_path / "plan.toml"), "--dry-run"])
    return result.exit_code, result.stdout, result.stderr


def test_files_that_cannot_be_articles_are_left_out_with_a_note_each(tmp_path: Path) -> None:
    for name in ("a.txt", "b.txt"):
        (tmp_path / name).write_text("Un article.", encoding="utf-8")
    (tmp_path / "dossier").mkdir()
    (tmp_path / "notes.docx").write_bytes(b"PK")
    code, out, err = dry_run(tmp_path, PLAN)
    assert code == 0, err
    lines = out.splitlines()
    matin = lines[: lines.index(next(line for line in lines if line.startswith("regions")))]
    assert f"  épisode : {tmp_path / 'a.txt'} + https://www.example.fr/x.html" in matin
    assert f"  left out: {tmp_path / 'absent.txt'}: no such file" in matin
    assert any(line.startswith(f"  left out: {tmp_path / 'dossier'}: is a directory") for line in matin)
    assert any("notes.docx: unknown file type '.docx'" in line for line in matin)
    assert f"  épisode : {tmp_path / 'b.txt'}" in lines
    assert not (tmp_path / "out").exists()  # a dry run writes nothing


def test_a_show_left_with_nothing_to_build_fails_the_dry_run_as_it_would_the_batch(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("Un article.", encoding="utf-8")
    code, out, err = dry_run(tmp_path, PLAN)  # b.txt is missing: "regions" has nothing left
    assert code == 1
    assert f"  left out: {tmp_path / 'b.txt'}: no such file" in out.splitlines()
    assert err.strip().splitlines() == [
        "briefing: error: nothing to build for show 'regions': see what was left out"
    ]
