from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import pytest
import typer
from paths import ROOT
from typer.testing import CliRunner

from briefing.cli.app import app
from briefing.cli.common import human_size

ROOT = ROOT
runner = CliRunner()


def run(*args: str, stdin: bytes | None = None, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "briefing", *args],
        input=stdin.decode() if stdin is not None else None,
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=120,
    )


def _commands(command: object, path: str = "briefing") -> list[tuple[str, object]]:
    found = [(path, command)]
    for name, sub in getattr(command, "commands", {}).items():
        found += _commands(sub, f"{path} {name}")
    return found


def test_every_command_and_option_has_help() -> None:
    commands = _commands(typer.main.get_command(app))
    assert len(commands) > 3
    for name, command in commands:
        assert getattr(command, "help", None), f"{name} is missing its help"
        for param in getattr(command, "params", []):
            if param.param_type_name == "option" and param.name != "help":
                assert param.help, f"{name} {param.name} is missing its help"


def test_sections_json(reference: Path) -> None:
    result = runner.invoke(app, ["sections", str(reference), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert set(data) == {"title", "lead", "sections", "date"}
    assert data["date"] == "2025-08-15"
    assert len(data["sections"]) == 5
    assert data["sections"][4]["heading"] == "Vers une rencontre à Moscou ?"
    assert all(set(s) == {"heading", "text"} for s in data["sections"])


def test_script_to_file_and_back_through_build(reference: Path, tmp_path: Path) -> None:
    out = tmp_path / "ep.md"
    result = runner.invoke(app, ["script", str(reference), "-o", str(out), "--date", "2025-08-16"])
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    assert "samedi 16 août 2025" in text
    out.write_text(text.replace("Premier point.", "Premier sujet du jour."), encoding="utf-8")
    plan = runner.invoke(app, ["build", str(out), "--dry-run"])
    assert plan.exit_code == 0
    assert "Premier sujet du jour." in plan.stdout and "Premier point." not in plan.stdout


def test_script_never_writes_over_an_edited_script_without_force(reference: Path, tmp_path: Path) -> None:
    out = tmp_path / "ep.md"
    again = ["script", str(reference), "-o", str(out)]
    assert runner.invoke(app, again).exit_code == 0
    written = out.read_text(encoding="utf-8")
    assert runner.invoke(app, again).exit_code == 0, "the same script again is no overwrite"
    edited = written.replace("Premier point.", "Premier sujet du jour.")
    out.write_text(edited, encoding="utf-8")

    refused = runner.invoke(app, again)
    assert refused.exit_code == 2
    assert refused.stderr.strip() == (
        f"briefing: error: {out} already exists with other text (edited by hand?). "
        "Probable cause: use --force to replace it, or -o another file"
    )
    assert out.read_text(encoding="utf-8") == edited
    assert runner.invoke(app, [*again, "--force"]).exit_code == 0
    assert out.read_text(encoding="utf-8") == written


def test_build_dry_run_prints_the_plan(reference: Path) -> None:
    result = runner.invoke(app, ["build", str(reference), "--dry-run", "--title", "Anchorage"])
    assert result.exit_code == 0
    assert "title: Anchorage" in result.stdout
    assert "## sommaire" in result.stdout


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda d: d / "missing.txt", "no such file"),
        (lambda d: d, "is a directory"),
        (lambda d: _write(d / "e.txt", b""), "empty"),
        (lambda d: _write(d / "w.txt", b" \n\t\n"), "empty"),
        (lambda d: _write(d / "b.txt", b"\x00\x01\x02binary" * 10), "binary"),
        (lambda d: _write(d / "a.pdf", b"%PDF-1.4"), "unknown file type"),
        (lambda d: _write(d / "g.txt", bytes(range(1, 32)) * 40), "garbage"),
        (
            lambda d: _write(d / "s.md", b"<!-- briefing script -->\n---\ntitle: x\n"),
            "never closed",
        ),
    ],
)
def test_bad_input_one_line_exit_2_nothing_written(tmp_path: Path, make: object, message: str) -> None:
    source = make(tmp_path)  # type: ignore[operator]
    out = tmp_path / "out" / "script.md"
    out.parent.mkdir()
    out.write_text("previous script", encoding="utf-8")
    result = run("script", str(source), "-o", str(out))
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert message in lines[0] and lines[0].startswith("briefing: error:")
    assert "Traceback" not in result.stderr
    assert out.read_text(encoding="utf-8") == "previous script"
    assert sorted(p.name for p in out.parent.iterdir()) == ["script.md"]


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def test_stdin_and_three_entry_points(reference: Path) -> None:
    via_module = run("sections", "-", "--json", stdin=reference.read_bytes())
    assert via_module.returncode == 0, via_module.stderr
    via_checkout = subprocess.run(
        [sys.executable, "cli.py", "sections", str(reference), "--json"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    assert via_checkout.returncode == 0
    assert json.loads(via_module.stdout)["sections"] == json.loads(via_checkout.stdout)["sections"]
    installed = Path(sys.executable).with_name("briefing")
    assert installed.exists()
    help_text = subprocess.run([str(installed), "--help"], capture_output=True, text=True).stdout
    assert "sections" in help_text and "script" in help_text


def test_bad_date_option(reference: Path) -> None:
    result = run("script", str(reference), "--date", "15/08/2025")
    assert result.returncode == 2
    assert "YYYY-MM-DD" in result.stderr


@pytest.mark.parametrize("typo", ["0001-01-01", "1899-12-31", "2205-12-05"])
def test_an_implausible_date_is_refused(reference: Path, typo: str) -> None:
    result = runner.invoke(app, ["build", str(reference), "--dry-run", "--date", typo])
    assert result.exit_code == 2
    assert result.stderr.startswith(f"briefing: error: --date {typo} is not a plausible episode date")
    assert len(result.stderr.strip().splitlines()) == 1


def test_the_plausible_dates_reach_from_1900_to_a_year_ahead() -> None:
    from briefing.cli.common import parse_date

    today = dt.date(2026, 12, 5)
    assert parse_date("1900-01-01", today) == dt.date(1900, 1, 1)
    assert parse_date("2027-12-06", today) == dt.date(2027, 12, 6)
    with pytest.raises(typer.Exit):
        parse_date("2027-12-07", today)


def test_sections_json_carries_page_metadata(data_dir: Path) -> None:
    result = runner.invoke(
        app, ["sections", str(data_dir / "html" / "franceculture.fr.idees.html"), "--json"]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["date"] == "2020-01-14"
    assert data["author"] == "Jacques Munier" and data["source"] == "France Culture"
    assert data["url"].startswith("https://www.franceculture.fr/")
    assert [s["heading"] for s in data["sections"]] == ["Performativité", "Je est un autre"]


@pytest.mark.parametrize(
    ("size", "shown"), [(0, "0 o"), (999, "999 o"), (14_321, "14 ko"), (2_830_000, "2,83 Mo")]
)
def test_file_sizes_are_shown_in_french_units(size: int, shown: str) -> None:
    assert human_size(size) == shown


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (("build", "examples/anchorage-2025-08-15.txt", "--out", "README.md"), "'--out'"),
        (("build", "examples/anchorage-2025-08-15.txt", "--bogus"), "--bogus"),
        (("build", "examples/anchorage-2025-08-15.txt", "--jobs", "0"), "'--jobs'"),
        (("bogus",), "bogus"),
    ],
)
def test_usage_errors_are_one_line_too(args: tuple[str, ...], said: str) -> None:
    done = run(*args)
    assert done.returncode == 2 and done.stdout == "", done
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("briefing: error: ") and said in lines[0], done.stderr


@pytest.mark.parametrize(
    ("option", "value", "said"),
    [
        ("--voice", "nope", "Unknown voice 'nope'"),
        ("--voice", "", "Unknown voice ''"),
        ("--preset", "nope", "unknown audio preset 'nope'"),
        ("--preset", "", "unknown audio preset ''"),
    ],
)
@pytest.mark.parametrize("dry_run", [True, False], ids=["dry-run", "build"])
def test_a_bad_voice_or_preset_is_refused_by_a_dry_run_too(
    tmp_path: Path, option: str, value: str, said: str, dry_run: bool
) -> None:
    """A dry run said nothing of an unknown --voice or --preset (exit 0), and an empty one was taken
    for the default: the build then voiced the episode with another voice than the producer meant."""
    article = tmp_path / "court.md"
    article.write_text("# Court\n\nUne phrase. Une autre phrase.\n", encoding="utf-8")
    out = tmp_path / "out"
    more = ["--dry-run"] if dry_run else ["--out", str(out), "--no-cache"]
    result = runner.invoke(app, ["build", str(article), option, value, *more])
    assert result.exit_code == 2 and result.stdout == "", (result.output, result.exception)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("briefing: error: ") and said in lines[0], lines
    assert not out.exists()


def test_no_arguments_shows_the_help() -> None:
    done = run()
    assert done.returncode == 2 and "Usage" in done.stdout + done.stderr


def test_a_build_of_another_loudness_is_refused_before_voicing(tmp_path: Path) -> None:
    """A broadcast episode into a podcast feed: one line, exit 2, the output folder as it was; the
    show's preset is the default of --preset, and --allow-mixed-loudness lets it through."""
    from episodes import T0, make_episode

    from briefing.config.show import Show
    from briefing.publish.library import publish_episode

    out = tmp_path / "out"
    publish_episode(out, Show(), make_episode(out), "a", now=T0)
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    article = tmp_path / "court.md"
    article.write_text("# Court\n\nUne phrase. Une autre phrase.\n", encoding="utf-8")
    show = tmp_path / "show.toml"
    show.write_text('[show]\npreset = "broadcast"\n', encoding="utf-8")
    for args in (["--preset", "broadcast"], ["--show", str(show)]):
        result = run("build", str(article), "--out", str(out), "--voice", "espeak", "--no-cache", *args)
        assert result.returncode == 2, result.stderr
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith(
            "briefing: error: episode 'Court' is mastered for -23.0"
        )
        assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
    allowed = run("build", str(article), "--out", str(out), "--voice", "espeak", "--no-cache",
                  "--show", str(show), "--allow-mixed-loudness")  # fmt: skip
    assert allowed.returncode == 0, allowed.stderr
    assert "(épisode n° 2)" in allowed.stdout


def test_normalize_shows_the_house_and_show_pronunciations(tmp_path: Path) -> None:
    text = "Selon le New York Times, Mbappé et la poutine à Kiev."
    plain = runner.invoke(app, ["normalize", text])
    assert plain.exit_code == 0 and plain.output == "Selon le Niou-York Taïmz, Mbappé et la poutine à Kief.\n"
    show = tmp_path / "show.toml"
    show.write_text('[lexicon]\n"Mbappé" = "Èmbapé"\nKiev = "Kyiv"\nPoutine = "Poutinne"\n', encoding="utf-8")
    mine = runner.invoke(app, ["normalize", "--show", str(show), text])
    assert mine.exit_code == 0 and mine.output == (
        "Selon le Niou-York Taïmz, Èmbapé et la poutine à Kyiv.\n"  # a name is not said for a dish
    )
    show.write_text("[show]\nhouse_lexicon = false\n", encoding="utf-8")
    bare = runner.invoke(app, ["normalize", "--show", str(show), text])
    assert bare.output == text + "\n"
    wrong = runner.invoke(app, ["normalize", "--voice", "nope", text])
    assert wrong.exit_code == 2


@pytest.mark.parametrize(
    ("stdin", "said"),
    [
        (bytes(range(256)) * 8, "briefing: error: <stdin>: binary file, not text"),
        (b" \n\t\n", "briefing: error: nothing to normalize: the text is empty"),
        ("Le café à 3 €.".encode("cp1252"), None),
        ("Le café à 3 €.".encode("utf-16"), None),
    ],
    ids=["binary", "blank", "windows-1252", "utf-16"],
)
def test_normalize_reads_stdin_as_an_article_is_read(stdin: bytes, said: str | None) -> None:
    """`normalize -` printed binary input back as garbage, and Latin-1 or UTF-16 text undecoded,
    with exit 0."""
    result = runner.invoke(app, ["normalize", "-"], input=stdin)
    if said is None:
        assert result.exit_code == 0 and result.stdout == "Le café à trois euros.\n", result.output
    else:
        assert result.exit_code == 2 and result.stderr.strip().splitlines() == [said], result.output


def test_version() -> None:
    from importlib.metadata import version

    assert run("--version").stdout == f"briefing {version('briefing')}\n"


def test_one_spelling_for_the_output_option(reference: Path, tmp_path: Path) -> None:
    """`-o`/`--out` in every command; the old `script --output` still works, unlisted."""
    short = runner.invoke(app, ["script", str(reference), "-o", str(tmp_path / "a.md")])
    old = runner.invoke(app, ["script", str(reference), "--output", str(tmp_path / "b.md")])
    assert short.exit_code == old.exit_code == 0
    assert (tmp_path / "a.md").read_bytes() == (tmp_path / "b.md").read_bytes()
    assert "--output" not in runner.invoke(app, ["script", "--help"]).output
    with_out = {
        path: param.opts
        for path, command in _commands(typer.main.get_command(app))
        for param in getattr(command, "params", [])
        if "--out" in param.opts
    }
    assert {"briefing script", "briefing build"} <= set(with_out)
    assert all(opts == ["-o", "--out"] or opts == ["--out", "-o"] for opts in with_out.values()), with_out


ARTICLE = """\
# {title}

Le conseil municipal a voté le budget de l'année prochaine, après trois heures de débat.

## Les investissements

La ville rénovera deux écoles et la piscine municipale d'ici à la fin de l'année.
"""


def test_each_article_is_planned_once_and_built_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from briefing import pipeline

    found: list[str] = []
    find_sections = pipeline.find_sections

    def counted(article: object, **kwargs: object) -> object:
        found.append(article.title)  # type: ignore[attr-defined]
        return find_sections(article, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(pipeline, "find_sections", counted)
    sources = []
    for i, title in enumerate(("Le budget de Lille", "Le budget de Brest")):
        path = tmp_path / f"article-{i}-2025-08-15.md"
        path.write_text(ARTICLE.format(title=title), encoding="utf-8")
        sources.append(str(path))
    out = tmp_path / "out"
    args = [
        "build",
        *sources,
        "--each",
        "--voice",
        "espeak",
        "-o",
        str(out),
        "--cache-dir",
        str(tmp_path / "c"),
    ]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert sorted(found) == ["Le budget de Brest", "Le budget de Lille"]  # each article's sections once
    assert len(list(out.glob("*.mp3"))) == 2


def test_each_refuses_every_episode_when_one_article_is_bad(tmp_path: Path) -> None:
    good = tmp_path / "bon-2025-08-15.md"
    good.write_text(ARTICLE.format(title="Le budget de Lille"), encoding="utf-8")
    bad = tmp_path / "vide.txt"
    bad.write_text("", encoding="utf-8")
    out, cache = tmp_path / "out", tmp_path / "cache"
    common = ["--each", "--voice", "espeak", "-o", str(out), "--cache-dir", str(cache)]
    refused = runner.invoke(app, ["build", str(good), str(bad), *common])
    assert refused.exit_code == 2 and not out.exists() and not (cache / "speech").exists()
    kept = runner.invoke(app, ["build", str(good), str(bad), *common, "--keep-going"])
    assert kept.exit_code == 1 and len(list(out.glob("*.mp3"))) == 1
    assert "no episode for" in kept.output and "vide.txt" in kept.output
