"""Speech: French normalization, lexicons, sentence splitting, voices, engines, cache, voicing.

The names below are the package's public surface; each loads its module on first use."""

from __future__ import annotations

from typing import TYPE_CHECKING

from briefing.util.lazy import lazy_exports

_PUBLIC = {
    "briefing.speech.audition": ("audition",),
    "briefing.speech.cache": ("SpeechCache", "default_cache_dir"),
    "briefing.speech.engines": ("release_engines",),
    "briefing.speech.frtables": ("MONTHS", "WEEKDAYS"),
    "briefing.speech.lexicon": (
        "Pronunciations",
        "house_lexicon",
        "layered",
        "lexicon_from_table",
        "load_lexicon",
    ),
    "briefing.speech.normalize": ("normalize",),
    "briefing.speech.numbers": ("cardinal",),
    "briefing.speech.split": ("even_parts",),
    "briefing.speech.voices": ("VoiceProfile", "default_voice", "find_profile", "list_voices"),
    "briefing.speech.voicing": ("voice_script",),
}
__getattr__, __dir__, __all__ = lazy_exports(__name__, _PUBLIC)

if TYPE_CHECKING:
    from briefing.speech.audition import audition as audition
    from briefing.speech.cache import SpeechCache as SpeechCache, default_cache_dir as default_cache_dir
    from briefing.speech.engines import release_engines as release_engines
    from briefing.speech.frtables import MONTHS as MONTHS, WEEKDAYS as WEEKDAYS
    from briefing.speech.lexicon import (
        Pronunciations as Pronunciations,
        house_lexicon as house_lexicon,
        layered as layered,
        lexicon_from_table as lexicon_from_table,
        load_lexicon as load_lexicon,
    )
    from briefing.speech.normalize import normalize as normalize
    from briefing.speech.numbers import cardinal as cardinal
    from briefing.speech.split import even_parts as even_parts
    from briefing.speech.voices import (
        VoiceProfile as VoiceProfile,
        default_voice as default_voice,
        find_profile as find_profile,
        list_voices as list_voices,
    )
    from briefing.speech.voicing import voice_script as voice_script
