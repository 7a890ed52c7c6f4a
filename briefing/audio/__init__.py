"""Sound: jingles, assembly, mastering, encoding.

The names below are the package's public surface; each loads its module on first use."""

from __future__ import annotations

from typing import TYPE_CHECKING

from briefing.util.lazy import lazy_exports

_PUBLIC = {
    "briefing.audio.assemble": ("SoundDesign", "assemble", "load_music"),
    "briefing.audio.cues": ("PlayoutCues", "playout_cues"),
    "briefing.audio.dsp": ("resample",),
    "briefing.audio.limiter": ("limit",),
    "briefing.audio.ffmpeg": ("decode_mp3_for_check",),
    "briefing.audio.loudness": ("integrated_lufs",),
    "briefing.audio.master": ("Loudness", "MP3_FRAME", "MasterReport", "master_and_encode", "measure"),
    "briefing.audio.presets": ("PRESETS", "Preset", "get_preset"),
}
__getattr__, __dir__, __all__ = lazy_exports(__name__, _PUBLIC)

if TYPE_CHECKING:
    from briefing.audio.assemble import (
        SoundDesign as SoundDesign,
        assemble as assemble,
        load_music as load_music,
    )
    from briefing.audio.cues import PlayoutCues as PlayoutCues, playout_cues as playout_cues
    from briefing.audio.dsp import resample as resample
    from briefing.audio.ffmpeg import decode_mp3_for_check as decode_mp3_for_check
    from briefing.audio.limiter import limit as limit
    from briefing.audio.loudness import integrated_lufs as integrated_lufs
    from briefing.audio.master import (
        MP3_FRAME as MP3_FRAME,
        Loudness as Loudness,
        MasterReport as MasterReport,
        master_and_encode as master_and_encode,
        measure as measure,
    )
    from briefing.audio.presets import PRESETS as PRESETS, Preset as Preset, get_preset as get_preset
