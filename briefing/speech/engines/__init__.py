"""The registry of speech engines: names, and one lazily built instance of each.

Importing this package imports no engine: each engine module (and its heavy libraries) loads on the
first `get_engine` (or `build_engine`) call for it, and the instance `get_engine` makes is kept so
loaded models are reused.
"""

from __future__ import annotations

import importlib
import inspect
import threading
from typing import cast

from briefing.errors import SpeechError
from briefing.speech.engines.base import Availability, Capabilities, Engine, Parallel, VoiceSettings

__all__ = [
    "Availability",
    "Capabilities",
    "Engine",
    "Parallel",
    "VoiceSettings",
    "build_engine",
    "engine_names",
    "get_engine",
    "preferred_engines",
    "release_engines",
]

#: Every engine: name -> (module, class), in the order a default voice is looked for (the most
#: intelligible French first).
_REGISTRY: dict[str, tuple[str, str]] = {
    "pico": ("briefing.speech.engines.pico", "PicoEngine"),
    "kokoro": ("briefing.speech.engines.kokoro", "KokoroEngine"),
    "espeak": ("briefing.speech.engines.espeak", "EspeakEngine"),
    "gtts": ("briefing.speech.engines.gtts_engine", "GttsEngine"),
}
_instances: dict[str, Engine] = {}
_lock = threading.Lock()


def engine_names() -> tuple[str, ...]:
    """Every registered engine name, sorted."""
    return tuple(sorted(_REGISTRY))


def preferred_engines() -> tuple[str, ...]:
    """Every registered engine name, the one to voice an episode by default first."""
    return tuple(_REGISTRY)


def _engine_class(name: str) -> type:
    if name not in _REGISTRY:
        raise SpeechError(
            f"Unknown engine {name!r}. Choose from: {', '.join(engine_names())}",
            cause="a typo in --voice or in a voice profile's engine field",
        )
    module_name, class_name = _REGISTRY[name]
    return cast(type, getattr(importlib.import_module(module_name), class_name))


def get_engine(name: str) -> Engine:
    """The engine called `name` (built on first use); `SpeechError` listing the choices if unknown."""
    cls = _engine_class(name)
    with _lock:
        engine = _instances.get(name)
        if engine is None:
            engine = cast(Engine, cls())
            _instances[name] = engine
        return engine


def build_engine(name: str, **options: object) -> Engine:
    """A new engine called `name`, built with `options` (its own, e.g. Kokoro's `workers` and
    `threads`) and not shared: `get_engine` still gives the one built without options.
    `SpeechError` for an unknown name, or an option the engine does not take."""
    cls = _engine_class(name)
    try:
        inspect.signature(cls).bind(**options)
    except TypeError as e:
        raise SpeechError(f"Engine {name} cannot be built with {sorted(options)}", cause=str(e)) from e
    return cast(Engine, cls(**options))


def release_engines() -> None:
    """Have every engine built so far let go of its loaded models (they load again when next used)."""
    with _lock:
        engines = list(_instances.values())
    for engine in engines:
        engine.release()
