"""End to end: the reference article through every stage with the offline espeak voice."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from briefing.audio.ffmpeg import decode_mp3_for_check
from briefing.audio.master import measure
from briefing.errors import BriefingError, ExportError
from briefing.export import episode as episode_module
from briefing.export.subtitles import parse_srt, parse_vtt
from briefing.export.tags import EpisodeTags, read_tags
from briefing.pipeline import BuildOptions, BuildResult, build_episode
from briefing.publish.numbers import NUMBERS_NAME, read_holds
from briefing.publish.records import read_library

REFERENCE = Path(__file__).parent / "data" / "anchorage-2025-08-15.txt"


#: Whether the French model's process still ran each time the `built` build started voicing.
TAGGER_RAN_AT_VOICING: list[bool] = []


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[BuildResult, Path]:
    from briefing.sections import finder as sections
    from briefing.speech import voicing

    voice_script = voicing.voice_script

    def watched(*args: object, **kwargs: object) -> voicing.Voicing:
        TAGGER_RAN_AT_VOICING.append(sections._DEFAULT_TAGGER.running)
        return voice_script(*args, **kwargs)  # type: ignore[arg-type]

    root = tmp_path_factory.mktemp("build")
    options = BuildOptions(out_dir=root / "out", voice="espeak", cache_dir=root / "cache")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(voicing, "voice_script", watched)
        return build_episode(REFERENCE, options), root


def test_voicing_runs_without_the_french_model_beside_it(built: tuple[BuildResult, Path]) -> None:
    """The split starts the French model's process; the build ends it before voicing (~125 MiB)."""
    _, root = built
    assert list((root / "cache" / "sections").glob("*.json")), "the article was split in this build"
    assert TAGGER_RAN_AT_VOICING == [False]


def test_files_and_metadata(built: tuple[BuildResult, Path]) -> None:
    result, root = built
    info = result.episode.info
    out = root / "out"
    roles = {f.role for f in info.files}
    assert roles == {"mp3", "vtt", "srt", "chapters", "episode_json"}
    for f in info.files:
        assert (out / f.path).stat().st_size == f.size > 0
        assert f.path.startswith("2025-08-15-le-briefing-")
    episode_json = info.file("episode_json")
    assert episode_json is not None
    data = json.loads((out / episode_json.path).read_text(encoding="utf-8"))
    assert data["voice"] == "espeak" and data["date"] == "2025-08-15"
    assert data["preset"] == "podcast" and data["loudness"]["target_lufs"] == -16.0
    assert {f["role"] for f in data["files"]} == roles - {"episode_json"}
    hidden = [p for p in out.iterdir() if p.name.startswith(".") and p.name != ".library.lock"]
    assert not hidden, "no staging or temporary file left"
    assert (out / "feed.xml").exists() and result.number == 1


def test_audio_duration_loudness_and_chapters(built: tuple[BuildResult, Path]) -> None:
    result, root = built
    written = result.episode
    decoded = decode_mp3_for_check(written.mp3)
    assert abs(decoded.frames - written.info.samples) <= 1152
    loud = measure(decoded)
    assert abs(loud.integrated_lufs - -16.0) <= 0.5
    assert loud.true_peak_dbtp <= -1.0
    chapters = written.master.timeline.chapters
    assert [c.title for c in chapters][1:6] == [
        "Aucun accord, mais une atmosphère cordiale",
        "Poutine, gagnant sur le plan diplomatique",
        "Trump capitalise sur l'image et le discours",
        "Un Zelensky spectateur",
        "Vers une rencontre à Moscou ?",
    ]
    rate = decoded.rate
    for c in chapters:
        part = decoded.samples[c.start : min(c.end, decoded.frames)]
        assert float(np.sqrt(np.mean(part.astype(np.float64) ** 2))) > 0.01, c.title
    tags = read_tags(written.mp3)
    assert tags.title == result.script.title and tags.album == "Le Briefing"
    assert [c.title for c in tags.chapters] == [c.title for c in chapters]
    assert written.info.chapters == tags.chapters, "the episode JSON holds the ID3 chapters"
    assert tags.chapters[-1].end_ms <= round(decoded.frames / rate * 1000) + 50
    assert "Vers une rencontre à Moscou" in tags.transcript
    assert tags.playout is not None and tags.playout.cue_in_ms == 0, "the intro jingle starts at once"
    assert tags.chapters[-1].end_ms - 2000 < tags.playout.cue_out_ms <= tags.chapters[-1].end_ms


def test_the_files_carry_the_number_the_feed_gives(built: tuple[BuildResult, Path]) -> None:
    """The number is reserved before tagging (#20): MP3 tags, episode JSON and library agree."""
    result, root = built
    out = root / "out"
    (record,) = read_library(out).episodes
    episode_json = result.episode.info.file("episode_json")
    assert episode_json is not None
    tags = read_tags(result.episode.mp3)
    side = json.loads((out / episode_json.path).read_text(encoding="utf-8"))
    assert tags.episode == tags.track == side["episode"] == record.number == result.number
    assert tags.guid == side["guid"] == record.guid
    assert not (out / NUMBERS_NAME).exists(), "the reservation became the library entry"


def test_a_default_build_validates_without_error(built: tuple[BuildResult, Path]) -> None:
    from briefing.qa.validate import validate

    _, root = built
    problems = validate(root / "out")
    assert [str(p) for p in problems if p.level == "error"] == []


def test_subtitles_follow_the_sentences(built: tuple[BuildResult, Path]) -> None:
    result, _ = built
    mp3 = result.episode.mp3
    text = mp3.with_suffix(".vtt").read_text(encoding="utf-8")
    vtt = parse_vtt(text)
    srt = parse_srt(mp3.with_suffix(".srt").read_text(encoding="utf-8"))
    sentences = result.episode.master.timeline.sentences
    assert [(c.start_ms, c.end_ms, c.text) for c in vtt] == [(c.start_ms, c.end_ms, c.text) for c in srt]
    assert len(vtt) > len(sentences)  # long sentences are split
    assert " ".join(c.text for c in vtt) == " ".join(" ".join(m.title.split()) for m in sentences)
    assert all(line.startswith("<v Le Briefing>") for line in text.split("\n")[4::4])
    assert max(len(line) for line in text.split("\n")) <= 65
    starts = [c.start_ms for c in vtt]
    assert starts == sorted(starts)
    assert vtt[0].text.startswith("Bonjour et bienvenue")


def test_rebuild_from_cache_voices_nothing(
    built: tuple[BuildResult, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    from briefing import pipeline
    from briefing.speech import engines, voicing

    released: list[str] = []
    monkeypatch.setattr(engines, "release_engines", lambda: released.append("models"))
    monkeypatch.setattr(pipeline, "give_back_free_memory", lambda: released.append("free memory") or True)
    monkeypatch.setattr(voicing, "hand_back_large_blocks", lambda: released.append("hand back") or True)
    minutes: list[float] = []
    monkeypatch.setattr(pipeline, "allocate_for", lambda m: minutes.append(m) or released.append("allocate"))
    result, root = built
    watched = root / "playout"
    watched.mkdir()
    options = BuildOptions(
        out_dir=root / "out",
        voice="espeak",
        cache_dir=root / "cache",
        deliver=watched,
        delivery_name="{show}",
    )
    again = build_episode(REFERENCE, options)
    assert again.synthesized == 0 and again.pieces == result.pieces
    assert again.episode.info.files == result.episode.info.files  # same audio, same names
    assert again.delivered == (watched / "le-briefing.mp3",)
    assert (watched / "le-briefing.mp3").read_bytes() == again.episode.mp3.read_bytes()
    assert [p.name for p in watched.iterdir()] == ["le-briefing.mp3"]
    # voicing hands large blocks back; the voice's models are let go before mastering, for which the
    # allocator is then set by the episode's length (never over it: read at a fast pace)
    assert released == ["hand back", "models", "free memory", "allocate"]
    (least,) = minutes
    assert 1 < least <= result.episode.info.duration_seconds / 60


def test_a_failed_build_leaves_the_previous_episode_untouched(
    built: tuple[BuildResult, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    _, root = built
    out = root / "out"
    before = {p.name: p.read_bytes() for p in out.iterdir()}

    tagging: list[tuple[int | None, tuple[str, ...]]] = []

    def broken(path: Path, tags: EpisodeTags, *args: object, **kwargs: object) -> None:
        tagging.append((tags.episode, tuple(h.key for h in read_holds(out).holds)))
        raise ExportError("disk full", cause="injected")

    monkeypatch.setattr(episode_module, "write_tags", broken)
    with pytest.raises(BriefingError, match="disk full"):
        build_episode(
            REFERENCE,
            BuildOptions(out_dir=out, voice="espeak", cache_dir=root / "cache", title="Autre titre"),
        )
    assert tagging == [(2, ("2025-08-15/autre-titre",))], "tagged with the number it holds"
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before, "its number is released"


SECOND = """---
date: 2025-08-16
source: Ouest-France
---
# Le tramway de Brest prolongé

Les travaux commencent lundi. Ils dureront dix-huit mois.

## Circulation

Les automobilistes devront emprunter la rocade.
"""


def test_a_briefing_of_several_articles_from_a_list_file(tmp_path: Path) -> None:
    second = tmp_path / "tram.md"
    second.write_text(SECOND, encoding="utf-8")
    listing = tmp_path / "jour.list"
    listing.write_text(f"# le briefing du jour\n{REFERENCE}\ntram.md\n", encoding="utf-8")
    options = BuildOptions(out_dir=tmp_path / "out", voice="espeak", cache_dir=tmp_path / "cache", jobs=2)
    result = build_episode(listing, options)
    assert result.script.chapters == (
        "Ouverture",
        "La rencontre inédite entre Donald Trump et Vladimir Poutine",
        "Le tramway de Brest prolongé",
        "Conclusion",
    )
    assert result.script.date.isoformat() == "2025-08-16"
    tags = read_tags(result.episode.mp3)
    assert [c.title for c in tags.chapters] == list(result.script.chapters)
    chapters = json.loads((result.episode.mp3.with_suffix(".chapters.json")).read_text(encoding="utf-8"))
    assert [c["title"] for c in chapters["chapters"]] == list(result.script.chapters)


def test_parallel_synthesis_is_byte_identical_to_serial(tmp_path: Path) -> None:
    article = tmp_path / "court.md"
    article.write_text("# Court\n\nUn. Deux phrases ici. Trois, et puis quatre.\n", encoding="utf-8")
    mp3s = []
    for jobs in (1, 2):
        options = BuildOptions(out_dir=tmp_path / f"out{jobs}", voice="kokoro", use_cache=False, jobs=jobs)
        mp3s.append(build_episode([article, second_article(tmp_path)], options).episode.mp3.read_bytes())
    assert mp3s[0] == mp3s[1]


def second_article(folder: Path) -> Path:
    path = folder / "tram.md"
    path.write_text(SECOND, encoding="utf-8")
    return path


def test_one_bad_article_stops_the_briefing_unless_keep_going(tmp_path: Path) -> None:
    from briefing.pipeline import plan_script

    missing = tmp_path / "absent.txt"
    with pytest.raises(BriefingError, match="absent.txt: no such file"):
        plan_script([REFERENCE, missing])
    said: list[str] = []
    script = plan_script([REFERENCE, missing], keep_going=True, log=said.append)
    assert len(said) == 1 and "absent.txt" in said[0]
    assert script.title == "La rencontre inédite entre Donald Trump et Vladimir Poutine"


def test_broadcast_preset_gives_a_bwf_at_ebu_r128(tmp_path: Path) -> None:
    from briefing.export.bwf import read_chunks

    article = tmp_path / "court.md"
    article.write_text("# Court\n\nUne phrase. Une autre phrase, un peu plus longue.\n", encoding="utf-8")
    options = BuildOptions(out_dir=tmp_path / "out", voice="espeak", preset="broadcast", use_cache=False)
    result = build_episode(article, options)
    wav = result.episode.info.file("wav")
    assert wav is not None
    chunks = read_chunks(tmp_path / "out" / wav.path)
    assert (chunks.rate, chunks.bits, chunks.channels) == (48_000, 24, 1)
    assert chunks.bext is not None
    assert "Court" in chunks.bext.description and chunks.bext.originator == "briefing"
    assert chunks.bext.loudness_value is not None and abs(chunks.bext.loudness_value - -23.0) <= 0.5
    assert chunks.bext.max_true_peak is not None and chunks.bext.max_true_peak <= -1.0
    assert chunks.ids == ("fmt ", "bext", "cart", "LIST", "data")
    assert chunks.info is not None  # what Liquidsoap reads from a WAV
    assert (chunks.info.title, chunks.info.album, chunks.info.date) == (
        "Court",
        "Le Briefing",
        result.script.date,
    )
    loud = measure(decode_mp3_for_check(result.episode.mp3))
    assert abs(loud.integrated_lufs - -23.0) <= 0.5 and loud.true_peak_dbtp <= -1.0


def test_broadcast_wav_carries_cart_timers_from_the_timeline(tmp_path: Path) -> None:
    from briefing.export.bwf import read_chunks

    article = tmp_path / "court.md"
    article.write_text("# Court\n\nUne phrase. Une autre phrase.\n", encoding="utf-8")
    options = BuildOptions(out_dir=tmp_path / "out", voice="espeak", preset="broadcast", use_cache=False)
    result = build_episode(article, options)
    wav = result.episode.info.file("wav")
    assert wav is not None
    cart = read_chunks(tmp_path / "out" / wav.path).cart
    assert cart is not None
    assert cart.title == "Court" and cart.artist == "Le Briefing"
    assert cart.cut_id == result.script.date.strftime("%Y%m%d")
    timers = dict(cart.timers)
    timeline = result.episode.master.timeline
    intro, outro = timeline.music_mark("intro"), timeline.music_mark("outro")
    assert intro is not None and outro is not None
    assert timers["INTe"] == intro.end and timers["SEGs"] == outro.start
    assert 0 <= timers["AUDs"] < timers["INTe"] < timers["SEGs"] < timers["AUDe"] <= timeline.pcm.frames
    assert cart.start is not None and cart.start.date() == result.script.date
    assert cart.end is not None and cart.end.date() == result.script.date
    tags = read_tags(result.episode.mp3)  # what Rivendell's importer reads from the MP3
    assert (tags.title, tags.artist, tags.album, tags.date) == (
        "Court",
        "Le Briefing",
        "Le Briefing",
        result.script.date,
    )


def test_a_show_brings_its_own_jingle_and_loudness(tmp_path: Path) -> None:
    import subprocess

    from briefing.audio.ffmpeg import ffmpeg_exe

    intro = tmp_path / "generique.mp3"
    subprocess.run(
        [ffmpeg_exe(), "-v", "error", "-f", "lavfi", "-i", "sine=frequency=440:duration=1.5", str(intro)],
        check=True,
    )
    show = tmp_path / "show.toml"
    show.write_text(
        '[show]\ntitle = "Matinale"\n[sound]\nintro = "generique.mp3"\nbed = ""\ntarget_lufs = -18\n',
        encoding="utf-8",
    )
    article = tmp_path / "court.md"
    article.write_text("# Court\n\nUne phrase. Une autre phrase.\n", encoding="utf-8")
    options = BuildOptions(out_dir=tmp_path / "out", voice="espeak", show=show, use_cache=False)
    result = build_episode(article, options)
    mark = result.episode.master.timeline.music_mark("intro")
    assert mark is not None and abs((mark.end - mark.start) / 44_100 - 1.5) < 0.06
    loud = measure(decode_mp3_for_check(result.episode.mp3))
    assert abs(loud.integrated_lufs - -18.0) <= 0.5
