from __future__ import annotations

import dataclasses
import re
import threading
import time
import tomllib
import urllib.request
from pathlib import Path
from typing import Any

import pytest
import typer
from click.testing import Result
from episodes import SHOW, T0, make_episode
from paths import ROOT
from typer.testing import CliRunner

import briefing.publish.serve as serve_module
from briefing.cli.publish import register
from briefing.config.loader import example_config, load_show
from briefing.config.show import FEED_NAME, Show, Templates
from briefing.publish.library import publish_episode
from briefing.publish.records import read_library

ROOT = ROOT


def make_app() -> typer.Typer:
    app = typer.Typer(name="briefing", add_completion=False, pretty_exceptions_enable=False)

    @app.callback()
    def main() -> None:
        """Test shell around the publishing commands."""

    register(app)
    return app


APP = make_app()
runner = CliRunner()


def invoke(*args: str) -> Result:
    return runner.invoke(APP, list(args))


def one_error_line(result: Result, exit_code: int = 2) -> str:
    assert result.exit_code == exit_code, (result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("briefing: error:"), result.stderr
    return lines[0]


def _commands(command: object, path: str = "briefing") -> list[tuple[str, object]]:
    found = [(path, command)]
    for name, sub in getattr(command, "commands", {}).items():
        found += _commands(sub, f"{path} {name}")
    return found


def test_every_command_and_option_has_help() -> None:
    commands = dict(_commands(typer.main.get_command(APP)))
    assert {"briefing init", "briefing episodes", "briefing episodes rm", "briefing feed"} <= set(commands)
    assert {"briefing serve", "briefing validate"} <= set(commands)
    for name, command in commands.items():
        assert getattr(command, "help", None), f"{name} is missing its help"
        for param in getattr(command, "params", []):
            if param.param_type_name == "option" and param.name != "help":
                assert param.help, f"{name} {param.name} is missing its help"
    serve = commands["briefing serve"]
    host = next(p for p in getattr(serve, "params", []) if p.name == "host")
    assert host.default == "127.0.0.1"


def test_init_writes_the_example_and_refuses_to_overwrite(tmp_path: Path) -> None:
    path = tmp_path / "show.toml"
    assert invoke("init", str(path)).exit_code == 0
    assert path.read_text(encoding="utf-8") == example_config()
    show = load_show(path)
    assert (show.language, show.category, show.subcategory, show.timezone) == (
        "fr-FR",
        "News",
        "Daily News",
        "Europe/Paris",
    )
    path.write_text("# mine\n", encoding="utf-8")
    assert "already exists" in one_error_line(invoke("init", str(path)))
    assert path.read_text(encoding="utf-8") == "# mine\n"


def test_an_interrupted_init_leaves_no_half_config_to_block_the_next(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import briefing.util.atomic as atomic

    def full_disk(*args: object) -> None:
        raise OSError(28, "No space left on device")

    path = tmp_path / "show.toml"
    with monkeypatch.context() as m:
        m.setattr(atomic, "_fsync", full_disk)
        assert "cannot write" in one_error_line(invoke("init", str(path)))
    assert list(tmp_path.iterdir()) == []
    assert invoke("init", str(path)).exit_code == 0
    assert path.read_text(encoding="utf-8") == example_config()


def test_examples_show_toml_is_what_init_writes() -> None:
    example = ROOT / "examples" / "show.toml"
    assert example.read_text(encoding="utf-8") == example_config()


def _sections(text: str) -> dict[str, list[str]]:
    """The lines of each [section] of a TOML text."""
    found: dict[str, list[str]] = {"": []}
    section = ""
    for line in text.splitlines():
        if line.startswith("["):
            section = line.strip("[]")
            found[section] = []
        else:
            found[section].append(line)
    return found


def test_the_example_config_tells_the_truth_about_defaults(tmp_path: Path) -> None:
    """What init writes as set is the default; a commented-out field of [show] has no fixed
    default; the commented lines of [templates] are said to be the defaults, and are."""
    text = example_config()
    default = Show()
    for name, value in tomllib.loads(text)["show"].items():
        assert getattr(default, name) == value, f"show.{name} = {value!r} is not the default"
    path = tmp_path / "show.toml"
    path.write_text(text, encoding="utf-8")
    assert load_show(path) == dataclasses.replace(default, origin=str(path))
    commented = {
        section: dict(
            next(iter(tomllib.loads(line[2:]).items())) for line in lines if re.match(r"# \w+ = ", line)
        )
        for section, lines in _sections(text).items()
    }
    for name, value in commented["templates"].items():
        assert getattr(Templates(), name) == value, f"templates.{name} is not the default"
    for name in ("description", "author", "owner_name", "owner_email", "copyright", "link", "voice"):
        assert name in commented["show"] and getattr(default, name) in (None, ""), name
    assert default.feed_description in text, "the description said without one is quoted"


def test_episodes_list_and_rm(tmp_path: Path) -> None:
    a = publish_episode(tmp_path, SHOW, make_episode(tmp_path, "Premier", slug="a", freq=300), "a", now=T0)
    b = publish_episode(tmp_path, SHOW, make_episode(tmp_path, "Second", slug="b", freq=400), "b", now=T0)
    listed = invoke("episodes", "--out", str(tmp_path))
    assert listed.exit_code == 0, listed.stderr
    lines = listed.stdout.strip().splitlines()
    assert len(lines) == 2 and a.guid in lines[1] and "Premier" in lines[1] and "0:01" in lines[1]
    removed = invoke("episodes", "--out", str(tmp_path), "rm", str(b.number))
    assert removed.exit_code == 0, removed.stderr
    assert [r.guid for r in read_library(tmp_path).episodes] == [a.guid]
    assert b.guid.encode() not in (tmp_path / FEED_NAME).read_bytes()
    assert "no episode '7'" in one_error_line(invoke("episodes", "rm", "7", "--out", str(tmp_path)))


def test_episodes_on_an_empty_folder(tmp_path: Path) -> None:
    result = invoke("episodes", "--out", str(tmp_path))
    assert result.exit_code == 0 and result.stdout == "" and "Aucun épisode" in result.stderr


def test_feed_uses_the_recorded_show_config(tmp_path: Path) -> None:
    config = tmp_path / "show.toml"
    config.write_text('[show]\ntitle = "Matinale"\nbase_url = "https://example.org/m/"\n', encoding="utf-8")
    out = tmp_path / "out"
    publish_episode(out, load_show(config), make_episode(out), "a", now=T0)
    (out / FEED_NAME).unlink()
    assert invoke("feed", "--out", str(out)).exit_code == 0
    assert b"<title>Matinale</title>" in (out / FEED_NAME).read_bytes()
    config.write_text("[show]\ntitle = 3\n", encoding="utf-8")
    assert "show.title" in one_error_line(invoke("feed", "--out", str(out), "--show", str(config)))


def test_validate_exit_codes(tmp_path: Path) -> None:
    publish_episode(tmp_path, SHOW, make_episode(tmp_path), "a", now=T0)
    good = invoke("validate", str(tmp_path))
    assert good.exit_code == 0 and "OK" in good.stdout, good.stdout
    mp3 = next(tmp_path.glob("*/*.mp3"))
    with mp3.open("ab") as f:
        f.write(b"\0" * 100)
    bad = invoke("validate", str(tmp_path / FEED_NAME), "--quick")
    assert bad.exit_code == 1
    assert all(line.startswith(("error:", "warning:")) for line in bad.stdout.strip().splitlines())
    assert "enclosure length" in bad.stdout


def test_validate_strict_fails_on_warnings(tmp_path: Path) -> None:
    show = load_show(None)
    publish_episode(tmp_path, show, make_episode(tmp_path), "a", now=T0)
    assert invoke("validate", str(tmp_path), "--quick").exit_code == 0
    strict = invoke("validate", str(tmp_path), "--quick", "--strict")
    assert strict.exit_code == 1 and "warning:" in strict.stdout


def test_serve_answers_until_stopped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / FEED_NAME).write_bytes(b"<rss version='2.0'><channel/></rss>")
    servers: list[Any] = []
    real = serve_module.make_server

    def capture(*args: Any) -> Any:
        servers.append(real(*args))
        return servers[-1]

    monkeypatch.setattr(serve_module, "make_server", capture)
    results: list[Result] = []
    thread = threading.Thread(
        target=lambda: results.append(invoke("serve", "--out", str(tmp_path), "--port", "0"))
    )
    thread.start()
    deadline = time.monotonic() + 10
    while not servers and time.monotonic() < deadline:
        time.sleep(0.02)
    assert servers, "the server did not start"
    host, port = servers[0].server_address[:2]
    assert host == "127.0.0.1"
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/{FEED_NAME}", timeout=5) as response:
        assert response.status == 200 and response.headers["Content-Type"] == "application/rss+xml"
    servers[0].shutdown()
    thread.join(10)
    assert results and results[0].exit_code == 0 and "127.0.0.1" in results[0].stderr


def test_validate_without_a_feed(tmp_path: Path) -> None:
    assert "no feed at" in one_error_line(invoke("validate", str(tmp_path)))


def test_serve_missing_folder(tmp_path: Path) -> None:
    assert "no such folder" in one_error_line(invoke("serve", "--out", str(tmp_path / "nope")))


@pytest.mark.parametrize(
    "args", [("episodes",), ("episodes", "rm", "1"), ("feed",)], ids=["episodes", "episodes rm", "feed"]
)
@pytest.mark.parametrize("folder", ["typo", "file/sub"])
def test_a_library_command_on_a_folder_that_is_not_there_makes_none(
    tmp_path: Path, args: tuple[str, ...], folder: str
) -> None:
    """A typo in --out was 'Aucun épisode' (exit 0), or a new empty show: a folder with a lock, a
    library and a feed."""
    (tmp_path / "file").write_text("x")
    out = tmp_path / folder
    line = one_error_line(invoke(*args, "--out", str(out)))
    assert f"no output folder {out}" in line and "a typo in --out" in line
    assert not out.exists() and sorted(p.name for p in tmp_path.iterdir()) == ["file"]
