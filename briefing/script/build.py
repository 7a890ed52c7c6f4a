"""The narrated script: built from an article, written as an editable Markdown file, read back.

File format (what a producer edits):

    ---
    title: Trump et Poutine à Anchorage
    show: Le Briefing
    date: 2025-08-15
    ---

    # Ouverture

    ## greeting
    Bonjour et bienvenue dans Le Briefing. Nous sommes le vendredi 15 août 2025.

    # Aucun accord, mais une atmosphère cordiale

    ## transition
    Premier point.

`# …` lines are chapters, `## kind` lines open a cue, paragraphs are separated by a blank line (lines of one
paragraph may be wrapped; they are joined). A text line that would read as markup starts with a backslash.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from briefing.config.show import Show
from briefing.errors import ScriptError
from briefing.ingest.textclean import strip_controls
from briefing.models import Article, Cue, CueKind, Script
from briefing.script.french import and_list, as_sentence, count_of, of, spoken_date

SCRIPT_MARK = "<!-- briefing script"
FORMAT_COMMENT = (
    SCRIPT_MARK + ": edit the text freely. Lines starting with # are chapters, ## lines open a "
    "cue (greeting, sommaire, lead, transition, heading, text, signoff). -->"
)
META_KEYS = ("title", "show", "date", "source", "author")


# ---------------------------------------------------------------- building


def build_script(article: Article, show: Show, *, date: dt.date | None = None) -> Script:
    """Narrate `article` with `show`'s templates. The date: `date`, else the article's, else today."""
    day = date or article.date or dt.date.today()
    t = show.templates
    values = {
        "show": show.title,
        "date": spoken_date(day),
        "title": article.title,
        "source": article.source or "",
        "from_source": _from([article.source]) if article.source else "",
        "author": article.author or "",
    }
    headings = [s.heading for s in article.sections if s.heading]
    chapters = [t.intro_chapter] + [s.heading or article.title for s in article.sections]
    cues: list[Cue] = [Cue(CueKind.GREETING, _fill(t.greeting, values), 0)]
    if headings:
        cues.append(Cue(CueKind.SOMMAIRE, _sommaire(headings, show, values), 0))
    if article.lead:
        if not _opens_with(article.lead, article.title):
            cues.append(Cue(CueKind.TRANSITION, _fill(t.lead, values), 0))
        cues.append(Cue(CueKind.LEAD, canonical_text(article.lead), 0))
    for i, section in enumerate(article.sections, start=1):
        transition = _transition(t.first, t.middle, t.last, i - 1, len(article.sections))
        cues.append(Cue(CueKind.TRANSITION, _fill(transition, values), i))
        if section.heading:
            cues.append(Cue(CueKind.HEADING, canonical_text(section.heading), i))
        if section.text:
            cues.append(Cue(CueKind.TEXT, canonical_text(section.text), i))
    outro = len(chapters)
    chapters.append(t.outro_chapter)
    signoff = _fill(t.signoff, values)
    if article.source:
        credit = t.credit_author if article.author else t.credit
        signoff = f"{_fill(credit, values)} {signoff}"
    cues.append(Cue(CueKind.SIGNOFF, signoff, outro))
    return Script(
        title=canonical_line(article.title),
        show=canonical_line(show.title),
        date=day,
        chapters=tuple(canonical_line(c) for c in chapters),
        cues=tuple(cues),
        source=article.source,
        author=article.author,
    )


def build_briefing_script(articles: Sequence[Article], show: Show, *, date: dt.date | None = None) -> Script:
    """One episode from several articles: a sommaire of the articles, each one introduced and read (its
    sections as sub-parts), one chapter per article. The date: `date`, else the newest article's, else
    today."""
    if len(articles) == 1:
        return build_script(articles[0], show, date=date)
    if not articles:
        raise ScriptError("no article to narrate")
    known = [a.date for a in articles if a.date]
    day = date or (max(known) if known else dt.date.today())
    t = show.templates
    values = {
        "show": show.title,
        "date": spoken_date(day),
        "title": "",
        "source": "",
        "author": "",
        "from_source": "",
    }
    titles = [a.title for a in articles]
    cues: list[Cue] = [
        Cue(CueKind.GREETING, _fill(t.greeting, values), 0),
        Cue(CueKind.SOMMAIRE, _sommaire(titles, show, values), 0),
    ]
    for i, article in enumerate(articles, start=1):
        transition = _transition(t.first_article, t.middle_article, t.last_article, i - 1, len(articles))
        cues.append(Cue(CueKind.TRANSITION, _fill(transition, values), i))
        cues.append(Cue(CueKind.HEADING, canonical_text(article.title), i))
        if article.lead:
            cues.append(Cue(CueKind.LEAD, canonical_text(article.lead), i))
        for section in article.sections:
            if section.heading:
                cues.append(Cue(CueKind.HEADING, canonical_text(section.heading), i))
            if section.text:
                cues.append(Cue(CueKind.TEXT, canonical_text(section.text), i))
    sources = list(dict.fromkeys(a.source for a in articles if a.source))
    signoff = _fill(t.signoff, values)
    if sources:
        credit = _fill(t.credits, {**values, "source": and_list(sources), "from_source": _from(sources)})
        signoff = f"{credit} {signoff}"
    outro = len(articles) + 1
    cues.append(Cue(CueKind.SIGNOFF, signoff, outro))
    return Script(
        title=canonical_line(_fill(t.briefing_title, values)),
        show=canonical_line(show.title),
        date=day,
        chapters=(t.intro_chapter, *(canonical_line(a) for a in titles), t.outro_chapter),
        cues=tuple(cues),
        source=", ".join(sources) or None,
    )


def _from(sources: Sequence[str]) -> str:
    """`du Monde et de Libération`."""
    return and_list([of(s) for s in sources])


def _sommaire(headings: list[str], show: Show, values: dict[str, str]) -> str:
    t = show.templates
    if len(headings) == 1:
        return _fill(t.sommaire_one, {**values, "items": as_sentence(headings[0])})
    last = _fill(t.sommaire_last, {**values, "item": as_sentence(headings[-1])})
    items = " ".join([as_sentence(h) for h in headings[:-1]] + [last])
    return _fill(t.sommaire, {**values, "items": items, "count": count_of(len(headings), "sujet")})


def _opens_with(text: str, title: str) -> bool:
    """True when the title was taken from the text's first words (then "À la une" would repeat it)."""
    head = canonical_line(title).rstrip(" …")
    return bool(head) and canonical_line(text).startswith(head)


def _transition(first: str, middle: tuple[str, ...], last: str, index: int, count: int) -> str:
    if index == 0:
        return first
    if index == count - 1:
        return last
    return middle[(index - 1) % len(middle)]


def _fill(template: str, values: dict[str, str]) -> str:
    return canonical_text(template.format(**values))


# ---------------------------------------------------------------- canonical text


def canonical_line(text: str) -> str:
    """One line: white space folded to single spaces, control and bidi-override characters dropped."""
    return " ".join(strip_controls(" ".join(text.split())).split())


def canonical_text(text: str) -> str:
    """Paragraphs separated by one blank line, white space inside each folded to single spaces."""
    paragraphs = (canonical_line(p) for p in re.split(r"\n\s*\n", text))
    return "\n\n".join(p for p in paragraphs if p)


# ---------------------------------------------------------------- writing

_MARKUP = re.compile(r"^(#|\\|---|<!--)")


def render_script(script: Script) -> str:
    lines = [FORMAT_COMMENT, "---"]
    meta = {"title": script.title, "show": script.show, "date": script.date.isoformat()}
    if script.source:
        meta["source"] = script.source
    if script.author:
        meta["author"] = script.author
    lines += [f"{k}: {v}" for k, v in meta.items()]
    lines.append("---")
    chapter = -1
    for cue in script.cues:
        while chapter < cue.chapter:
            chapter += 1
            lines += ["", f"# {script.chapters[chapter]}"]
        lines += ["", f"## {cue.kind.value}"]
        for i, paragraph in enumerate(cue.text.split("\n\n")):
            if i:
                lines.append("")
            lines.append("\\" + paragraph if _MARKUP.match(paragraph) else paragraph)
    for rest in range(chapter + 1, len(script.chapters)):
        lines += ["", f"# {script.chapters[rest]}"]
    return "\n".join(lines) + "\n"


def write_script(script: Script, path: Path, *, replace: bool = False) -> None:
    """Write `script` to `path` for the producer to edit. A file already there with other text (a
    script edited by hand, or another one) is kept, ScriptError, unless `replace`; the same text again
    is fine, so writing the script of an unchanged article twice needs no `replace`."""
    from briefing.util.atomic import atomic_write_text

    text = render_script(script)
    if not replace and _other_text_at(path, text):
        raise ScriptError(
            f"{path} already exists with other text (edited by hand?)",
            cause="use --force to replace it, or -o another file",
        )
    try:
        atomic_write_text(path, text)
    except OSError as e:
        raise ScriptError(f"{path}: cannot write the script ({e.strerror})") from e


def _other_text_at(path: Path, text: str) -> bool:
    try:
        return path.read_bytes() != text.encode("utf-8")
    except FileNotFoundError:
        return False
    except OSError:
        return not path.is_dir()  # a folder there: the write says it cannot write


# ---------------------------------------------------------------- reading

_CUE_LINE = re.compile(r"^## (" + "|".join(k.value for k in CueKind) + r")\s*$", re.MULTILINE)


def looks_like_script(head: str) -> bool:
    """True for the start of a file written by `render_script`, even when its comment was removed."""
    text = head.lstrip("\ufeff \n")
    if text.startswith(SCRIPT_MARK):
        return True
    return text.startswith("---") and "\nshow:" in text and bool(_CUE_LINE.search(text))


@dataclass(slots=True)
class _Open:
    kind: CueKind
    chapter: int
    line: int
    paragraphs: list[list[str]]


def parse_script(text: str, name: str = "<script>") -> Script:
    """Read a script file back; a broken structure is a ScriptError naming the line."""
    lines = text.lstrip("\ufeff").replace("\r\n", "\n").split("\n")
    meta, day, body_start = _parse_meta(lines, name)
    chapters: list[str] = []
    cues: list[Cue] = []
    current: _Open | None = None

    def close() -> None:
        if current is None:
            return
        paragraphs = [" ".join(p) for p in current.paragraphs if p]
        text = canonical_text("\n\n".join(paragraphs))
        if not text:
            raise ScriptError(f"{name}:{current.line}: cue '{current.kind.value}' has no text")
        cues.append(Cue(current.kind, text, current.chapter))

    for number, raw in enumerate(lines[body_start:], start=body_start + 1):
        line = raw.strip()
        if line.startswith("## ") or line == "##":
            close()
            kind_name = line[2:].strip().lower()
            try:
                kind = CueKind(kind_name)
            except ValueError:
                kinds = ", ".join(k.value for k in CueKind)
                raise ScriptError(
                    f"{name}:{number}: unknown cue kind {kind_name!r}", cause=f"use one of {kinds}"
                ) from None
            if not chapters:
                raise ScriptError(f"{name}:{number}: cue before any '# chapter' line")
            current = _Open(kind, len(chapters) - 1, number, [[]])
        elif line.startswith("# ") or line == "#":
            close()
            current = None
            title = canonical_line(line[1:])
            if not title:
                raise ScriptError(f"{name}:{number}: chapter line has no title")
            chapters.append(title)
        elif line.startswith("<!--") and current is None:
            continue
        elif not line:
            if current is not None and current.paragraphs[-1]:
                current.paragraphs.append([])
        elif current is None:
            raise ScriptError(f"{name}:{number}: text outside any cue", cause="add a '## kind' line")
        else:
            current.paragraphs[-1].append(line[1:] if line.startswith("\\") else line)
    close()
    if not cues:
        raise ScriptError(f"{name}: the script has no cues")
    return Script(
        title=meta["title"],
        show=meta["show"],
        date=day,
        chapters=tuple(chapters),
        cues=tuple(cues),
        source=meta.get("source"),
        author=meta.get("author"),
    )


def _parse_meta(lines: list[str], name: str) -> tuple[dict[str, str], dt.date, int]:
    i = 0
    while i < len(lines) and (not lines[i].strip() or lines[i].lstrip().startswith("<!--")):
        i += 1
    if i >= len(lines) or lines[i].strip() != "---":
        raise ScriptError(f"{name}: missing the '---' header with title, show and date")
    meta: dict[str, str] = {}
    for j in range(i + 1, len(lines)):
        line = lines[j].strip()
        if line == "---":
            break
        if not line:
            continue
        key, sep, value = line.partition(":")
        key = key.strip().lower()
        if not sep or key not in META_KEYS:
            raise ScriptError(f"{name}:{j + 1}: header line {line!r} is not one of {META_KEYS}")
        meta[key] = canonical_line(value)
    else:
        raise ScriptError(f"{name}: the '---' header is never closed")
    for key in ("title", "show", "date"):
        if not meta.get(key):
            raise ScriptError(f"{name}: the header has no {key}")
    try:
        day = dt.date.fromisoformat(meta["date"])
    except ValueError as e:
        raise ScriptError(f"{name}: header date {meta['date']!r} is not YYYY-MM-DD") from e
    return meta, day, j + 1


def read_script(path: Path) -> Script:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as e:
        raise ScriptError(f"{path}: no such script file") from e
    except IsADirectoryError as e:
        raise ScriptError(f"{path}: is a directory, not a script file") from e
    except (OSError, UnicodeDecodeError) as e:
        raise ScriptError(f"{path}: cannot read the script ({e})") from e
    return parse_script(text, str(path))
