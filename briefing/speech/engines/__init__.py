"""The registry of speech engines: names, and one lazily built instance of each.

Importing this package imports no engine: each engine module (and its heavy libraries) loads on the
first `get_engine` call for it, and the instance is kept so loaded models are reused.
"""

from __future__ import annotations

import importlib
import threading
from typing import cast

from briefing.errors import SpeechError
from briefing.speech.engines.base import Availability, Engine, VoiceSettings

__all__ = ["Availability", "Engine", "VoiceSettings", "engine_names", "get_engine", "release_engines"]

_REGISTRY: dict[str, tuple[str, str]] = {
    "espeak": ("briefing.speech.engines.espeak", "EspeakEngine"),
    "gtts": ("briefing.speech.engines.gtts_engine", "GttsEngine"),
    "kokoro": ("briefing.speech.engines.kokoro", "KokoroEngine"),
    "pico": ("briefing.speech.engines.pico", "PicoEngine"),
}
_instances: dict[str, Engine] = {}
_lock = threading.Lock()


def engine_names() -> tuple[str, ...]:
    """Every registered engine name, sorted."""
    return tuple(sorted(_REGISTRY))


def get_engine(name: str) -> Engine:
    """The engine called `name` (built on first use); `SpeechError` listing the choices if unknown."""
    if name not in _REGISTRY:
        raise SpeechError(
            f"Unknown engine {name!r}. Choose from: {', '.join(engine_names())}",
            cause="a typo in --voice or in a voice profile's engine field",
        )
    with _lock:
        engine = _instances.get(name)
        if engine is None:
            module_name, class_name = _REGISTRY[name]
            module = importlib.import_module(module_name)
            engine = cast(Engine, getattr(module, class_name)())
            _instances[name] = engine
        return engine


def release_engines() -> None:
    """Have every engine built so far let go of its loaded models (they load again when next used)."""
    with _lock:
        engines = list(_instances.values())
    for engine in engines:
        engine.release()
