"""The one table of episode files: roles, MIME types, name endings; episode JSON written before it."""

from __future__ import annotations

import json

import pytest
from paths import DATA

from briefing.errors import ExportError
from briefing.export.chapters import EpisodeFile, EpisodeInfo
from briefing.export.roles import FILE_TYPES, FileRole

#: Written by briefing before the roles were an enum (and before the preset was recorded).
OLD_EPISODE_JSON = DATA / "episode-written-before-19.json"


def test_the_roles_are_the_texts_the_episode_json_always_held() -> None:
    assert [role.value for role in FileRole] == ["mp3", "wav", "vtt", "srt", "chapters", "episode_json"]
    assert set(FILE_TYPES) == set(FileRole), "every role has its type and ending"


def test_each_role_has_its_own_type_and_ending() -> None:
    assert len({role.suffix for role in FileRole}) == len(FileRole)
    assert FileRole.MP3.mime == "audio/mpeg" and FileRole.CHAPTERS.mime == "application/json+chapters"
    assert FileRole.VTT.content_type == "text/vtt; charset=utf-8"
    assert FileRole.EPISODE_JSON.content_type == "application/json"
    assert FileRole.CHAPTERS.file_name("2025-08-15-x") == "2025-08-15-x.chapters.json"


@pytest.mark.parametrize(
    ("name", "role"),
    [
        ("2025-08-15-x.chapters.json", FileRole.CHAPTERS),
        ("2025-08-15-x.json", FileRole.EPISODE_JSON),
        ("2025-08-15-x.mp3", FileRole.MP3),
        ("2025-08-15-x.srt", FileRole.SRT),
        ("library.json", FileRole.EPISODE_JSON),  # by its name alone, any JSON could be one
        ("feed.xml", None),
        (".json", None),
    ],
)
def test_a_file_name_tells_its_role(name: str, role: FileRole | None) -> None:
    assert FileRole.of_name(name) is role


def test_an_unknown_role_is_refused_naming_the_roles() -> None:
    with pytest.raises(ExportError, match="unknown episode file role 'cover'.*mp3, wav, vtt"):
        EpisodeFile("cover", "a.jpg", 1)  # type: ignore[arg-type]
    doc = json.loads(OLD_EPISODE_JSON.read_text(encoding="utf-8"))
    doc["files"][0]["role"] = "MP3"
    with pytest.raises(ExportError, match="unknown episode file role 'MP3'"):
        EpisodeInfo.from_json(json.dumps(doc))


def test_an_episode_json_written_before_reads_and_writes_back_byte_for_byte() -> None:
    text = OLD_EPISODE_JSON.read_text(encoding="utf-8")
    info = EpisodeInfo.from_json(text)
    assert [f.role for f in info.files] == [
        FileRole.MP3,
        FileRole.WAV,
        FileRole.VTT,
        FileRole.SRT,
        FileRole.CHAPTERS,
    ]
    assert all(isinstance(f.role, FileRole) for f in info.files)
    assert [f["type"] for f in json.loads(text)["files"]] == [f.mime for f in info.files]
    assert info.to_json() == text
