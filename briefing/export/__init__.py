"""Export stage: episode files from a Timeline (MP3 with ID3 tags, transcripts, chapters, cover, BWF),
made in a staging folder and moved into place at the end.

The names below are the package's public surface; each loads its module on first use."""

from __future__ import annotations

from typing import TYPE_CHECKING

from briefing.util.lazy import lazy_exports

_PUBLIC = {
    "briefing.export.chapters": ("Chapter", "EpisodeFile", "EpisodeInfo", "parse_chapters_json"),
    "briefing.export.cover": ("load_cover", "make_cover"),
    "briefing.export.episode": ("EpisodeMeta", "SILENT_CHAPTER_DBFS", "WrittenEpisode", "write_episode"),
    "briefing.export.names": ("delivery_name", "safe_join", "slugify"),
    "briefing.export.roles": ("FileRole",),
    "briefing.export.subtitles": ("SubtitleCue", "check_cues", "parse_srt", "parse_vtt"),
    "briefing.export.tags": ("Cover", "read_tags"),
}
__getattr__, __dir__, __all__ = lazy_exports(__name__, _PUBLIC)

if TYPE_CHECKING:
    from briefing.export.chapters import (
        Chapter as Chapter,
        EpisodeFile as EpisodeFile,
        EpisodeInfo as EpisodeInfo,
        parse_chapters_json as parse_chapters_json,
    )
    from briefing.export.cover import load_cover as load_cover, make_cover as make_cover
    from briefing.export.episode import (
        SILENT_CHAPTER_DBFS as SILENT_CHAPTER_DBFS,
        EpisodeMeta as EpisodeMeta,
        WrittenEpisode as WrittenEpisode,
        write_episode as write_episode,
    )
    from briefing.export.names import (
        delivery_name as delivery_name,
        safe_join as safe_join,
        slugify as slugify,
    )
    from briefing.export.roles import FileRole as FileRole
    from briefing.export.subtitles import (
        SubtitleCue as SubtitleCue,
        check_cues as check_cues,
        parse_srt as parse_srt,
        parse_vtt as parse_vtt,
    )
    from briefing.export.tags import Cover as Cover, read_tags as read_tags
