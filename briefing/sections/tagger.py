"""Part-of-speech tags from spaCy's small French model, run in a process of its own.

spaCy and its model take about 125 MiB once loaded, and a process keeps most of it after the model
is let go (the modules, and the heap they fragmented). The split needs the model for a second or
two; the voicing after it can take an hour. So `Tagger` loads the model in a child process
(`python -m briefing.sections.tagger`), asks it for the tags one paragraph at a time, and `close` ends it:
the build that follows runs without spaCy in its memory. `SpacyTagger` is the model in this
process, the one the child runs.

The child speaks JSON lines on its standard input and output: a first line once the model is
loaded (or why it could not be), then one reply per paragraph, tokens as
[start, length, pos, verb form, person]."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import threading
import weakref
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from briefing.errors import SectionError

SPACY_MODEL = "fr_core_news_sm"
#: Pipes spaCy does not need for tags and morphology (loading them costs time and memory).
UNUSED_PIPES = ("ner", "lemmatizer", "parser", "senter", "attribute_ruler")
# Typography folded before tagging, one character for one, so offsets still point into the original.
TAGGER_FOLD = str.maketrans({"’": "'", "\u00a0": " ", "\u202f": " "})
REPLY_KEYS = frozenset({"ready", "tokens", "error"})


@dataclass(frozen=True, slots=True)
class Token:
    """One tagged token: its text, universal part of speech and a little morphology."""

    text: str
    pos: str
    start: int  # character offset in the paragraph
    verb_form: str = ""  # "Fin" (finite), "Inf", "Part" or ""
    person: str = ""  # "1" (the interviewee's "je"), "2" (the interviewer's "vous") or ""

    @property
    def lower(self) -> str:
        return self.text.lower().translate(TAGGER_FOLD)

    @property
    def finite(self) -> bool:
        return self.verb_form == "Fin"

    @property
    def is_word(self) -> bool:
        return any(c.isalnum() for c in self.text)

    @property
    def leaves_sentence_open(self) -> bool:
        """What follows this token stands inside a sentence."""
        return self.text == "," or self.is_word and not self.is_capitalized

    @property
    def is_capitalized(self) -> bool:
        """A capital first letter, no acronym; elided "C'", "L'", "Qu'" count."""
        letters = [c for c in self.text if c.isalpha()]
        return bool(letters) and letters[0].isupper() and (len(letters) == 1 or not self.text.isupper())


class SpacyTagger:
    """The model loaded in this process (on first use), kept until the tagger goes."""

    def __init__(self, model: str = SPACY_MODEL) -> None:
        self.model = model
        self._nlp: Any = None

    def load(self) -> None:
        if self._nlp is not None:
            return
        try:
            import spacy

            self._nlp = spacy.load(self.model, exclude=list(UNUSED_PIPES))
        except (ImportError, OSError) as e:
            raise SectionError(
                f"cannot load the French language model {self.model}",
                cause="install briefing with its dependencies (make demo does)",
            ) from e

    def tag(self, text: str) -> list[Token]:
        self.load()
        if len(text) > self._nlp.max_length:
            raise SectionError(
                f"a paragraph of {len(text):,} characters is too long to look for headings in",
                cause=f"the French model reads at most {self._nlp.max_length:,} characters at once",
            )
        doc = self._nlp(text.translate(TAGGER_FOLD))
        return [
            Token(
                text[t.idx : t.idx + len(t.text)],
                t.pos_,
                t.idx,
                verb_form="".join(t.morph.get("VerbForm")[:1]),
                person="".join(t.morph.get("Person")[:1]),
            )
            for t in doc
            if not t.is_space
        ]


class Tagger:
    """`SpacyTagger` in a child process, started on first use and ended by `close` (or when the
    tagger is collected, or at exit). Tagging again after `close` starts a new child."""

    def __init__(self, model: str = SPACY_MODEL) -> None:
        self.model = model
        self._lock = threading.Lock()
        self._child: _Child | None = None
        self._ending: weakref.finalize[Any, Any] | None = None

    def tag(self, text: str) -> list[Token]:
        with self._lock:
            if self._child is None:
                self._child = _start_child(self.model)
                self._ending = weakref.finalize(self, self._child.close)
            try:
                reply = self._child.ask({"text": text})
            except SectionError:
                if self._child.process.poll() is not None:  # it died: the next paragraph starts another
                    self._let_go()
                raise
        return [
            Token(text[start : start + length], pos, start, verb_form, person)
            for start, length, pos, verb_form, person in reply["tokens"]
        ]

    def close(self) -> None:
        """End the child process and give back its memory (nothing happens if none runs)."""
        with self._lock:
            self._let_go()

    def _let_go(self) -> None:
        """Forget the child and close it (with the lock held): `_Child.close` runs once, not at exit."""
        ending, self._child, self._ending = self._ending, None, None
        if ending is not None:
            ending()

    @property
    def running(self) -> bool:
        return self._child is not None and self._child.process.poll() is None


class _Child:
    """The child process and its two pipes; its standard error goes to a file, read if it fails."""

    def __init__(self, process: subprocess.Popen[bytes], errors: IO[bytes]) -> None:
        self.process = process
        self.errors = errors

    def ask(self, request: dict[str, str]) -> dict[str, Any]:
        assert self.process.stdin is not None
        try:
            self.process.stdin.write(json.dumps(request).encode("ascii") + b"\n")
            self.process.stdin.flush()
        except OSError:
            pass  # the child is gone: `answer` says why
        return self.answer()

    def answer(self) -> dict[str, Any]:
        """The child's next reply; a line that is not one (printed before it took stdout over) is skipped."""
        assert self.process.stdout is not None
        while line := self.process.stdout.readline():
            try:
                reply = json.loads(line)
            except ValueError:
                continue
            if isinstance(reply, dict) and REPLY_KEYS & reply.keys():
                if "error" in reply:
                    raise SectionError(reply["error"], cause=reply.get("cause"))
                return reply
        self.process.wait()
        raise SectionError(
            f"the French tagger process stopped (exit status {self.process.returncode})",
            cause=self._last_error() or "it was killed, perhaps for lack of memory",
        )

    def _last_error(self) -> str:
        self.errors.seek(0)
        lines = self.errors.read().decode("utf-8", "replace").strip().splitlines()
        return lines[-1] if lines else ""

    def close(self) -> None:
        """Close the pipes (end of input: the child leaves its loop), wait for it, kill it if it hangs."""
        for pipe in (self.process.stdin, self.process.stdout):
            if pipe is not None:
                try:
                    pipe.close()
                except OSError:
                    pass  # a child already gone leaves unflushed input behind: nothing to deliver
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.errors.close()


def _start_child(model: str) -> _Child:
    """A child process with `model` loaded (3-4 s), or the SectionError that says why not."""
    package_root = str(Path(__file__).resolve().parents[2])  # the folder holding `briefing/`
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (package_root, env.get("PYTHONPATH")) if p)
    errors = tempfile.TemporaryFile()
    try:
        process = subprocess.Popen(
            [sys.executable, "-m", "briefing.sections.tagger", model],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=errors,
            env=env,
        )
    except OSError as e:
        errors.close()
        raise SectionError("cannot start the French tagger process", cause=str(e)) from e
    child = _Child(process, errors)
    try:
        child.answer()  # the model is loaded, or the reason it is not
    except SectionError:
        child.close()
        raise
    return child


def serve(model: str, requests: IO[bytes], replies: IO[bytes]) -> None:
    """The child's loop: load `model`, say so, then tag each requested paragraph until input ends."""

    def reply(data: dict[str, Any]) -> None:
        replies.write(json.dumps(data).encode("ascii") + b"\n")
        replies.flush()

    tagger = SpacyTagger(model)
    try:
        tagger.load()
    except SectionError as e:
        reply({"error": e.message, "cause": e.cause})
        return
    reply({"ready": True})
    for line in requests:
        try:
            tokens = tagger.tag(json.loads(line)["text"])
        except SectionError as e:
            reply({"error": e.message, "cause": e.cause})
            continue
        reply({"tokens": [[t.start, len(t.text), t.pos, t.verb_form, t.person] for t in tokens]})


def main() -> None:
    # The replies get a descriptor of their own, and anything a library prints goes to stderr.
    replies = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    serve(sys.argv[1] if len(sys.argv) > 1 else SPACY_MODEL, sys.stdin.buffer, replies)


if __name__ == "__main__":
    main()
