"""The pipeline, stage by stage: article → sections → script → speech → audio → episode files.

`plan_script` stops before anything is voiced (what `--dry-run` shows); `build_episode` goes all the way.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from briefing.config.loader import load_show
from briefing.config.show import Show
from briefing.errors import BriefingError, ExportError, IngestError, ScriptError
from briefing.export.roles import FileRole
from briefing.ingest.core import read_article
from briefing.ingest.lists import Source, expand_sources
from briefing.models import Article, Script
from briefing.script.build import build_briefing_script, build_script, looks_like_script, read_script
from briefing.sections.finder import find_sections, release_tagger
from briefing.util.memory import allocate_for, give_back_free_memory
from briefing.util.resources import jingles_dir, voice_dirs

if TYPE_CHECKING:
    from briefing.audio.presets import Preset
    from briefing.export.episode import WrittenEpisode
    from briefing.export.tags import Cover
    from briefing.speech.lexicon import Pronunciations
    from briefing.speech.voices import VoiceProfile


#: The longest episode built unless asked for more, and the speaking rate used to foresee it: faster
#: than any voice at rate 1, so the estimate errs short and never refuses an episode within the limit.
MAX_MINUTES = 240
FAST_WORDS_PER_MINUTE = 200

Log = Callable[[str], None]
Progress = Callable[[int, int], None]
Check = Callable[[Article], None]  # refuses an article (a BriefingError saying why) or lets it through


def is_script_file(source: str | Path) -> bool:
    """A Markdown file written by `briefing script` (perhaps edited since)."""
    path = Path(source)
    if str(source) == "-" or path.suffix.lower() not in (".md", ".markdown") or not path.is_file():
        return False
    try:
        with path.open(encoding="utf-8", errors="replace") as f:
            head = f.read(4096)
    except OSError:
        return False
    return looks_like_script(head)


def read_articles(
    sources: Sequence[str],
    check: Check | None = None,
    *,
    title: str | None = None,
    keep_going: bool = False,
    log: Log | None = None,
    cache_dir: Path | None = None,
) -> list[Article]:
    """Read and section every article first, so a bad one stops the build before anything is voiced;
    with `keep_going`, a bad one is left out (and said) while the others go on (`check` may refuse one)."""
    articles: list[Article] = []
    for source in sources:
        try:
            article = read_article(source, title=title if len(sources) == 1 else None)
            if check is not None:
                check(article)
            articles.append(find_sections(article, cache_dir=cache_dir))
        except BriefingError as e:
            if not keep_going:
                raise
            if log:
                log(f"left out: {e.one_line()}")
    if not articles:
        raise IngestError("none of the articles could be read", cause="see the messages above")
    return articles


def plan_script(
    source: Source | Sequence[Source],
    *,
    show: Path | Show | None = None,
    title: str | None = None,
    date: dt.date | None = None,
    keep_going: bool = False,
    log: Log | None = None,
    cache_dir: Path | None = None,
    check: Check | None = None,
) -> Script:
    """Read the article(s) and narrate them; a script file (edited or not) is read back as it is.
    Several articles make one briefing, one chapter per article."""
    sources = expand_sources(source)
    show_value = show if isinstance(show, Show) else load_show(show)  # a broken config stops a dry run too
    if len(sources) == 1 and is_script_file(sources[0]):
        script = read_script(Path(sources[0]))
        if title is not None:
            script = replace(script, title=_title(title))
        if date:
            script = replace(script, date=date)
        return script
    articles = read_articles(sources, check, title=title, keep_going=keep_going, log=log, cache_dir=cache_dir)
    if len(articles) == 1:
        return build_script(articles[0], show_value, date=date)
    script = build_briefing_script(articles, show_value, date=date)
    return replace(script, title=_title(title)) if title is not None else script


def _title(title: str) -> str:
    """A --title as one clean line (no control characters); an empty one is an error."""
    from briefing.script.build import canonical_line

    line = canonical_line(title)
    if not line:
        raise IngestError("--title is empty")
    return line


def pronunciations(show: Show, dirs: Sequence[Path]) -> Pronunciations:
    """The show's lexicon over the house list (unless the show leaves it out); each voice's own goes
    between the two."""
    from briefing.speech.lexicon import Pronunciations, house_lexicon

    return Pronunciations(house=house_lexicon(dirs) if show.house_lexicon else (), show=show.lexicon)


def chosen_voice(voice: str | None, show: Show, dirs: Sequence[Path]) -> VoiceProfile:
    """The profile named by `voice`, else by the show, else the default voice."""
    from briefing.speech.voices import default_voice, find_profile

    name = voice if voice is not None else show.voice  # an empty --voice is a typo, not "the default"
    return find_profile(name, dirs) if name is not None else default_voice(dirs)


def spoken_form(text: str, show: Show, voice: str | None = None) -> str:
    """`text` as the voice will read it: normalized, with the house, voice and show pronunciations
    (`voice`: a profile name; default: the show's voice, else the default voice)."""
    from briefing.speech.normalize import normalize

    dirs = voice_dirs()
    profile = chosen_voice(voice, show, dirs)
    lexicon = pronunciations(show, dirs).for_voice(profile.lexicon)
    return "\n".join(normalize(line, lexicon) if line.strip() else "" for line in text.splitlines())


@dataclass(frozen=True, slots=True)
class BuildOptions:
    out_dir: Path = Path("output")
    voice: str | None = None
    preset: str | None = None  # None: the show's preset
    show: Path | None = None
    title: str | None = None
    date: dt.date | None = None
    cache_dir: Path | None = None  # None: the user cache folder
    use_cache: bool = True
    jobs: int | None = None  # synthesis processes; None: as many as use the cores best
    keep_going: bool = False  # leave a bad article out of a briefing instead of stopping
    deliver: Path | None = None  # a playout system's watched folder
    delivery_name: str | None = None  # None: the show's pattern
    max_minutes: int = MAX_MINUTES  # a longer script is refused before anything is voiced
    allow_mixed_loudness: bool = False  # True: may join a feed mastered for another loudness

    def cache_root(self) -> Path | None:
        """The folder of the speech and sections caches (None: no cache)."""
        from briefing.speech.cache import default_cache_dir

        return (self.cache_dir or default_cache_dir()) if self.use_cache else None


@dataclass(frozen=True, slots=True, eq=False)
class BuildResult:
    script: Script
    episode: WrittenEpisode
    voice: str
    engine: str
    pieces: int
    synthesized: int
    failed_voices: tuple[str, ...]
    number: int
    feed: Path
    delivered: tuple[Path, ...] = ()


def plan_build(
    source: Source | Sequence[Source],
    options: BuildOptions,
    *,
    show: Show | None = None,
    log: Log | None = None,
    check: Check | None = None,
) -> Script:
    """The script `build_episode` voices for `source` with `options` (its voice and preset checked)."""
    from briefing.audio.presets import get_preset

    show = show or load_show(options.show)
    chosen_voice(options.voice, show, voice_dirs())  # a typo is refused before a dry run says all is well
    get_preset(options.preset if options.preset is not None else show.preset)
    cache_root = options.cache_root()
    return plan_script(
        source,
        show=show,
        title=options.title,
        date=options.date,
        keep_going=options.keep_going,
        log=log,
        cache_dir=cache_root / "sections" if cache_root else None,
        check=check,
    )


def build_episode(
    source: Source | Sequence[Source] | Script,
    options: BuildOptions | None = None,
    *,
    progress: Progress | None = None,
    log: Log | None = None,
) -> BuildResult:
    """Article (or edited script file, or a script `plan_build` made) in, finished episode files out;
    voicing, and a long episode's mastering, give freed audio back to the system (`util.memory`)."""
    from briefing.audio.assemble import SoundDesign, assemble, load_music
    from briefing.audio.presets import get_preset
    from briefing.export.episode import EpisodeMeta, write_episode
    from briefing.publish.library import number_reserved, publish_episode, refuse_mixed_loudness_in
    from briefing.publish.loudness import Target
    from briefing.publish.staging import record_replaced, staging_folder
    from briefing.speech.cache import SpeechCache
    from briefing.speech.engines import release_engines
    from briefing.speech.voicing import voice_script

    options = options or BuildOptions()
    show = load_show(options.show)
    check_out_dir(options.out_dir)
    preset = _adjusted(get_preset(options.preset if options.preset is not None else show.preset), show)
    cache_root = options.cache_root()
    script = source if isinstance(source, Script) else plan_build(source, options, show=show, log=log)
    release_tagger()  # the French model's process: voicing must not run beside it
    dirs = voice_dirs()
    profile = chosen_voice(options.voice, show, dirs)
    minutes = check_length(script, options.max_minutes, profile.rate)
    key = episode_key(script)
    allow_mixed = options.allow_mixed_loudness or show.allow_mixed_loudness
    if not allow_mixed:
        refuse_mixed_loudness_in(options.out_dir, key, Target(preset.target_lufs, preset.name), script.title)
    delivery = _delivery_name(options, show, script)  # checked now: it cannot fail after publishing
    design = SoundDesign.default(jingles_dir()).replace(
        **dict(show.sound.files), **dict.fromkeys(show.sound.off)
    )
    load_music(design, preset.rate)
    cache = SpeechCache(cache_root)
    voicing = voice_script(
        script,
        profile,
        dirs,
        cache,
        progress=progress,
        log=log,
        jobs=options.jobs,
        pronunciations=pronunciations(show, dirs),
    )
    release_engines()  # the model is not needed again for this episode, and mastering needs the room
    give_back_free_memory()
    allocate_for(minutes)
    profile, stats, failed = voicing.profile, voicing.stats, voicing.failed
    voiced = list(voicing.voiced)
    del voicing  # the voiced cues are episode-sized: assembly lets each go once placed
    timeline = assemble(script, voiced, design, preset.rate, release=True)
    del voiced
    meta = EpisodeMeta(
        show=show.title,
        artist=show.author or show.title,
        voice=profile.name,
        engine=profile.engine,
        description=_description(script),
        cover=_cover(show),
        feed_url=show.feed_url,
        copyright=show.copyright or "",
        narrator=show.narrator or "",
    )
    # The staging folder is held until the episode is in the library: if publishing fails (or the build
    # is killed), the files already moved into the output folder are taken out again. The episode
    # number is reserved before it is tagged, and released if the build fails.
    with staging_folder(options.out_dir) as staging, number_reserved(options.out_dir, show, key) as number:
        meta = replace(meta, episode=number.number, guid=number.guid)
        written = write_episode(script, timeline, preset, meta, options.out_dir, staging=staging)
        record_replaced(staging, options.out_dir, key)  # a kill after the commit: its files still go
        record = publish_episode(
            options.out_dir,
            show,
            written.info,
            key,
            preset=preset.name,
            allow_mixed_loudness=allow_mixed,
            reservation=number,
        )
    delivered: tuple[Path, ...] = ()
    if options.deliver is not None and delivery is not None:
        from briefing.publish.deliver import deliver

        audio = [
            options.out_dir / f.path for f in written.info.files if f.role in (FileRole.MP3, FileRole.WAV)
        ]
        delivered = deliver(audio, options.deliver, delivery)
    return BuildResult(
        script=script,
        episode=written,
        voice=profile.name,
        engine=profile.engine,
        pieces=stats.pieces,
        synthesized=stats.synthesized,
        failed_voices=failed,
        number=record.number,
        feed=options.out_dir / "feed.xml",
        delivered=delivered,
    )


def _delivery_name(options: BuildOptions, show: Show, script: Script) -> str | None:
    """The stable name the audio is delivered under, with the watched folder checked; None without
    `--deliver`."""
    if options.deliver is None:
        return None
    from briefing.export.names import delivery_name
    from briefing.publish.deliver import check_delivery

    pattern = options.delivery_name if options.delivery_name is not None else show.delivery_name
    name = delivery_name(pattern, show=show.title, date=script.date, title=script.title)
    check_delivery(options.deliver, name)
    return name


def check_out_dir(out_dir: Path) -> None:
    """Fail before voicing when the output folder can never be written: a file stands where it or
    one of its parents should be, or the nearest existing folder is read-only."""
    folder = Path(os.path.abspath(out_dir))
    while not folder.exists() and folder.parent != folder:
        folder = folder.parent
    if not folder.is_dir():
        raise ExportError(f"cannot write into {out_dir}", cause=f"{folder} is a file, not a folder")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise ExportError(f"cannot write into {out_dir}", cause=f"{folder} is read-only")


def check_length(script: Script, max_minutes: int, rate: float = 1.0) -> float:
    """The least the script can last, in minutes; refused before voicing when over `max_minutes`: an
    article this long would keep the voice busy for hours and then the mastering out of memory."""
    words = sum(len(cue.text.split()) for cue in script.cues)
    minutes = words / (FAST_WORDS_PER_MINUTE * rate)
    if minutes > max_minutes:
        raise ScriptError(
            f"the episode would last over {minutes / 60:.1f} hours ({words:,} words), "
            f"more than the limit of {max_minutes} minutes",
            cause="too much text for one episode: split the article, or raise --max-minutes",
        )
    return minutes


def _adjusted(preset: Preset, show: Show) -> Preset:
    """The preset with the show's own loudness target and bit rate, where it sets them."""
    changes: dict[str, object] = {}
    if show.sound.target_lufs is not None:
        changes["target_lufs"] = show.sound.target_lufs
    if show.sound.mp3_kbps is not None:
        changes["mp3_kbps"] = show.sound.mp3_kbps
    return preset.replace(**changes) if changes else preset


def episode_key(script: Script) -> str:
    """What makes two builds the same episode: the same article (its title) on the same date."""
    from briefing.export.names import slugify

    return f"{script.date.isoformat()}/{slugify(script.title)}"


def _cover(show: Show) -> Cover:
    """The show's own square artwork, or one drawn from its title."""
    from briefing.export.cover import load_cover, make_cover
    from briefing.export.tags import Cover

    if show.artwork is not None:
        data, mime = load_cover(show.artwork)
        return Cover(data, mime)
    return Cover(make_cover(show.title), "image/png")


def _description(script: Script) -> str:
    """The episode description: what it covers, and where it comes from."""
    parts = [script.title + "."]
    topics = script.chapters[1:-1]
    if topics:
        parts.append("Au sommaire : " + " ; ".join(t.rstrip(".") for t in topics) + ".")
    if script.source:
        credit = f"D'après {script.source}"
        parts.append(credit + (f" ({script.author})." if script.author else "."))
    return " ".join(parts)
