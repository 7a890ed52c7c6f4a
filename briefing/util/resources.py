"""Where briefing finds its data: the voices, lexicons and jingles shipped inside the package, and the
user's own voice folder.

The repository's top-level `voices/` is installed as the package `briefing.voices` and found with
`importlib.resources`, so a wheel installed anywhere finds it, never by walking up to a checkout.
"""

from __future__ import annotations

from pathlib import Path


def shipped_voices() -> Path:
    """The voices, lexicons and jingles shipped inside the package (`briefing.voices`: the repository's
    top-level `voices/`, mapped into the wheel)."""
    from importlib.resources import files

    return Path(str(files("briefing.voices")))


def jingles_dir() -> Path:
    """The house jingles shipped with briefing."""
    return shipped_voices() / "jingles"


def voice_dirs() -> tuple[Path, ...]:
    """Where voice profiles are looked for: the user's own, then the ones shipped with briefing."""
    from platformdirs import user_config_dir

    return (Path(user_config_dir("briefing")) / "voices", shipped_voices())
