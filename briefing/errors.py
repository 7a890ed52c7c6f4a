"""One error base for the whole pipeline, one subclass per stage.

Every message says what failed, where, and the probable cause, so the CLI can print it on one line.
"""

from __future__ import annotations


class BriefingError(Exception):
    """Base of every error `briefing` raises on purpose."""

    exit_code = 2

    def __init__(self, message: str, *, cause: str | None = None) -> None:
        self.message = message
        self.cause = cause
        super().__init__(self.one_line())

    def one_line(self) -> str:
        text = self.message if not self.cause else f"{self.message}. Probable cause: {self.cause}"
        return " ".join(text.split())


class IngestError(BriefingError):
    """An article could not be read or understood."""


class SectionError(BriefingError):
    """An article's sections could not be found."""


class ScriptError(BriefingError):
    """A script could not be built, read or written."""


class ConfigError(BriefingError):
    """A show config or voice profile is wrong."""


class SpeechError(BriefingError):
    """Normalization or synthesis failed."""


class CacheError(BriefingError):
    """The speech cache folder cannot be written or cleared (not a voice failure: no fallback helps)."""


class AudioError(BriefingError):
    """Assembly, mastering or encoding failed."""


class ExportError(BriefingError):
    """Episode files could not be written."""


class PublishError(BriefingError):
    """The episode library or feed could not be updated."""


class CheckError(BriefingError):
    """A built episode could not be checked: not found, or speech recognition is missing or failed."""


class BatchError(BriefingError):
    """A batch plan is wrong, or the cluster cannot run it (a worker that cannot see a shared folder)."""
