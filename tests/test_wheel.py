"""The product is the wheel: built from this checkout and installed in a fresh virtual environment, it
holds every module, voice profile, lexicon and jingle, and makes the reference episode from a folder
outside the checkout.

The fresh environment gets the wheel alone (`--no-deps`); its dependencies are borrowed from the
environment running the tests (a `.pth` line after its own site-packages), so the test needs no
download beyond the build backend and takes seconds. What it proves is what the wheel carries.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = ROOT / "examples" / "anchorage-2025-08-15.txt"


def run(*command: str | Path, cwd: Path, env: dict[str, str] | None = None) -> str:
    done = subprocess.run(
        [str(part) for part in command], cwd=cwd, env=env, capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, f"{command}: {done.stdout[-2000:]}\n{done.stderr[-2000:]}"
    return done.stdout


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    run(sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", out, ROOT, cwd=out)
    (built,) = out.glob("briefing-*.whl")
    return built


def test_the_wheel_holds_every_module_and_the_shipped_voices(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    modules = {p.relative_to(ROOT).as_posix() for p in (ROOT / "briefing").rglob("*.py")}
    assert modules - names == set()
    shipped = {
        "briefing/voices/" + p.relative_to(ROOT / "voices").as_posix()
        for p in (ROOT / "voices").rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    }
    assert shipped - names == set()
    assert {
        "briefing/voices/pico.toml",
        "briefing/voices/jingles/intro.flac",
        "briefing/data/show.toml",
        "briefing/publish/templates/episode.html",
        "briefing/publish/templates/index.html",
        "briefing/publish/static/briefing.css",
        "briefing/publish/static/briefing.js",
    } <= names
    assert not any(name.startswith(("voices/", "tests/", "scripts/")) for name in names)


@pytest.mark.slow
def test_the_installed_wheel_builds_the_reference_outside_the_checkout(wheel: Path, tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    run(sys.executable, "-m", "venv", "--without-pip", venv, cwd=tmp_path)
    python = venv / "bin" / "python"
    run(
        sys.executable,
        "-m",
        "pip",
        "--python",
        python,
        "install",
        "--no-deps",
        "--quiet",
        wheel,
        cwd=tmp_path,
    )
    site = Path(
        run(python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])", cwd=tmp_path).strip()
    )
    (site / "borrowed-dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    env = {
        **os.environ,
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
        "PYTHONPATH": "",
    }
    where = run(
        python,
        "-c",
        "import briefing.util.resources as r; print(r.__file__, r.jingles_dir())",
        cwd=tmp_path,
        env=env,
    )
    assert str(ROOT) not in where and str(site) in where
    briefing = venv / "bin" / "briefing"
    out = tmp_path / "out"
    info = json.loads(run(briefing, "build", REFERENCE, "--out", out, "--json", cwd=tmp_path, env=env))
    assert info["engine"] == "pico" and info["duration"]["seconds"] > 120
    voices = run(briefing, "voices", cwd=tmp_path, env=env)
    assert "pico *" in voices and "kokoro-kumo" in voices
    validated = run(briefing, "validate", out, cwd=tmp_path, env=env)
    assert validated.splitlines()[-1].startswith(f"{out}: OK"), validated
    assert "Usage:" in run(python, "-m", "briefing", "--help", cwd=tmp_path, env=env)
    made = sorted(p.name.split(".", 1)[1] for p in out.iterdir() if p.name.startswith("2025-08-15"))
    assert made == ["chapters.json", "html", "json", "mp3", "srt", "vtt"]  # the episode's files, its page
    page = next(out.glob("2025-08-15-*.html")).read_text(encoding="utf-8")
    assert page.count('class="phrase"') > 30 and "<audio" in page  # templates read from the wheel
    assert (out / "index.html").is_file() and (out / "briefing.js").is_file()
