"""Serve an output folder over HTTP, as podcast apps need it: byte ranges, the right types, and
validators so that a feed poller gets 304 for a feed that has not changed.

`/` shows the show's page, `index.html` (a folder without one redirects to the feed).
Only GET and HEAD of regular files inside the folder; the other methods of RFC 9110 get 405 with
`Allow: GET, HEAD` (a method nobody defined gets 501). A request path is percent-decoded once and
refused (404) if a part is `..`, `.`, empty (`//`, a trailing `/`) or a hidden name (the library
lock, temporary files), if it holds a backslash or a NUL, or if, symlinks resolved, it lands outside
the folder. The server listens on loopback unless another host is given.

Every file goes out with a strong ETag made of its inode, size and modification time in
nanoseconds (every writer here renames a new file into place, so a new version has a new inode even
where the clock is coarse) and with Last-Modified. Conditional requests follow RFC 9110 section 13.2.2:
If-None-Match is decided first and, when present, If-Modified-Since is ignored; a Range whose
If-Range does not match the current ETag (strongly) or Last-Modified date (exactly) is ignored and
the whole file is sent.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import logging
import os
import re
import time
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, BinaryIO
from urllib.parse import unquote

from briefing.config.show import FEED_NAME
from briefing.errors import PublishError
from briefing.export.roles import FileRole

log = logging.getLogger(__name__)

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
SERVER_NAME = "briefing"
ALLOWED = "GET, HEAD"
CHUNK = 64 * 1024
#: Types by extension of the files that are not an episode's (those have their role's type, from
#: `export.roles`); anything else is application/octet-stream.
OTHER_TYPES = {
    ".xml": "application/rss+xml",
    ".json": "application/json",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".flac": "audio/flac",
    ".txt": "text/plain; charset=utf-8",
    ".md": "text/markdown; charset=utf-8",
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
}
#: What `/` shows: the show's page (publish.pages); without one, `/` redirects to the feed.
INDEX_NAME = "index.html"
_RANGE = re.compile(r"bytes=(\d*)-(\d*)")
_ENTITY_TAG = re.compile(r'(?:W/)?("[^"]*")')


def mime_type(path: Path) -> str:
    """The Content-Type of `path`: an episode file's is its role's, by the end of its name."""
    role = FileRole.of_name(path.name.lower())
    if role is not None:
        return role.content_type
    return OTHER_TYPES.get(path.suffix.lower(), "application/octet-stream")


def parse_range(header: str, size: int) -> tuple[int, int] | None:
    """The inclusive byte range (first, last) a Range header asks of a `size`-byte file.

    None means "send the whole file" (no header, another unit, several ranges: all allowed
    by RFC 9110 to be ignored). ValueError means unsatisfiable or invalid: answer 416.
    """
    header = header.strip()
    if not header.lower().startswith("bytes=") or "," in header:
        return None
    match = _RANGE.fullmatch(header.replace(" ", "").lower())
    if match is None:
        raise ValueError(f"malformed range {header!r}")
    first, last = match.groups()
    if not first:
        if not last or int(last) == 0 or size == 0:
            raise ValueError(f"empty suffix range {header!r}")
        return max(0, size - int(last)), size - 1
    start = int(first)
    end = size - 1 if not last else min(int(last), size - 1)
    if start >= size or (last and int(last) < start):
        raise ValueError(f"range {header!r} outside a {size}-byte file")
    return start, end


def _http_date(value: str) -> int | None:
    """Seconds since the epoch of an HTTP date, None if it is not one (RFC 9110: then ignore it)."""
    try:
        moment = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if moment.tzinfo is None:  # "-0000": HTTP dates are GMT anyway
        moment = moment.replace(tzinfo=dt.UTC)
    return int(moment.timestamp())


@dataclass(frozen=True, slots=True)
class Validators:
    """What a client sends back to ask "has it changed?": a strong ETag and the Last-Modified second."""

    etag: str
    modified: int  # whole seconds since the epoch: an HTTP date has no finer unit
    settled: bool  # last changed over a second ago, so no other change can share its date

    @classmethod
    def of(cls, inode: int, size: int, mtime_ns: int, now_ns: int | None = None) -> Validators:
        """The validators of a file, from what `os.stat` gives. The inode tells apart two versions
        of equal size renamed into place within one tick of a coarse file-system clock."""
        now_ns = time.time_ns() if now_ns is None else now_ns
        return cls(
            etag=f'"{inode:x}-{size:x}-{mtime_ns:x}"',
            modified=mtime_ns // 1_000_000_000,
            settled=now_ns - mtime_ns >= 1_000_000_000,
        )

    @property
    def last_modified(self) -> str:
        return email.utils.formatdate(self.modified, usegmt=True)

    def not_modified(self, if_none_match: str | None, if_modified_since: str | None) -> bool:
        """Whether a GET or HEAD gets 304 (RFC 9110 13.2.2): If-None-Match decides when it is sent
        (weak comparison, `*` matches any file); only without it does If-Modified-Since count."""
        if if_none_match is not None:
            if if_none_match.strip() == "*":
                return True
            return self.etag in _ENTITY_TAG.findall(if_none_match)
        since = None if if_modified_since is None else _http_date(if_modified_since)
        return since is not None and self.modified <= since

    def range_allowed(self, if_range: str | None) -> bool:
        """Whether a Range may be honoured (RFC 9110 13.1.5): no If-Range, or one that matches
        exactly: our ETag compared strongly (a weak tag never matches), or our Last-Modified date
        if that date is a strong validator (the file had not changed within its second)."""
        if if_range is None:
            return True
        value = if_range.strip()
        if value.startswith(('"', "W/")):
            return value == self.etag
        return self.settled and _http_date(value) == self.modified


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def version_string(self) -> str:
        """The Server header: the base class appends " " + the Python version, a trailing space here."""
        return SERVER_NAME

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        self._answer(body=True)

    def do_HEAD(self) -> None:  # noqa: N802
        self._answer(body=False)

    def _not_allowed(self) -> None:
        # The request body, if any, is not read: close the connection rather than parse it as a request.
        self.close_connection = True
        self._empty(HTTPStatus.METHOD_NOT_ALLOWED, Allow=ALLOWED, Connection="close")

    do_POST = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = do_TRACE = do_CONNECT = _not_allowed

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 (signature of the base)
        log.info("%s %s", self.address_string(), format % args)

    def _answer(self, body: bool) -> None:
        # The target as sent: `self.path` has leading "//" folded into "/", which would make an alias.
        target = self.requestline.split()[1].split("?", 1)[0].split("#", 1)[0]
        if target in ("", "/"):
            if self.server.resolve(f"/{INDEX_NAME}") is None:
                self._empty(HTTPStatus.FOUND, Location=f"/{FEED_NAME}")
                return
            target = f"/{INDEX_NAME}"
        path = self.server.resolve(target)
        if path is None:
            self._empty(HTTPStatus.NOT_FOUND)
            return
        try:
            f = path.open("rb")
        except OSError:
            self._empty(HTTPStatus.NOT_FOUND)
            return
        with f:
            self._send_file(f, path, body)

    def _send_file(self, f: BinaryIO, path: Path, body: bool) -> None:
        stat = os.fstat(f.fileno())  # the file being sent, even if another is renamed onto its path
        size = stat.st_size
        validators = Validators.of(stat.st_ino, size, stat.st_mtime_ns)
        cached = {"ETag": validators.etag, "Last-Modified": validators.last_modified}
        if validators.not_modified(self.headers.get("If-None-Match"), self.headers.get("If-Modified-Since")):
            self._head(HTTPStatus.NOT_MODIFIED, cached)  # no Content-Length: it would have to be the file's
            return
        asked = self.headers.get("Range", "")
        if not validators.range_allowed(self.headers.get("If-Range")):
            asked = ""  # the client holds another version: it needs the whole file
        try:
            wanted = parse_range(asked, size)
        except ValueError:
            self._empty(HTTPStatus.REQUESTED_RANGE_NOT_SATISFIABLE, **{"Content-Range": f"bytes */{size}"})
            return
        first, last = wanted if wanted is not None else (0, size - 1)
        headers = {"Content-Type": mime_type(path), "Content-Length": str(last - first + 1)}
        headers |= {"Accept-Ranges": "bytes", **cached}
        if wanted is not None:
            headers["Content-Range"] = f"bytes {first}-{last}/{size}"
        self._head(HTTPStatus.OK if wanted is None else HTTPStatus.PARTIAL_CONTENT, headers)
        if not body:
            return
        f.seek(first)
        left = last - first + 1
        try:
            while left > 0:
                chunk = f.read(min(CHUNK, left))
                if not chunk:
                    break
                self.wfile.write(chunk)
                left -= len(chunk)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True  # the player seeked elsewhere or went away

    def _head(self, status: HTTPStatus, headers: dict[str, str]) -> None:
        """The status line and `headers` (the base class adds Server and Date)."""
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()

    def _empty(self, status: HTTPStatus, **headers: str) -> None:
        self._head(status, {**headers, "Content-Length": "0"})


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, root: Path, address: tuple[str, int]) -> None:
        self.root = root.resolve()
        super().__init__(address, _Handler)

    def resolve(self, target: str) -> Path | None:
        """The file under the root that request path `target` names, or None if it is refused."""
        if not target.startswith("/"):
            return None  # absolute-form and other request targets are not served
        try:
            name = unquote(target, errors="strict")
        except UnicodeDecodeError:
            return None
        parts = name[1:].split("/")  # "//" or a trailing "/" gives an empty part: no alias of a file
        if "\\" in name or "\x00" in name or any(not p or p.startswith(".") for p in parts):
            return None  # "..", ".", hidden files; a drive letter or UNC path needs a backslash
        try:
            path = self.root.joinpath(*parts).resolve(strict=True)
        except (OSError, RuntimeError):  # RuntimeError: a symlink loop (Python < 3.13)
            return None
        if not path.is_relative_to(self.root) or not path.is_file():
            return None
        return path


def make_server(root: Path, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT) -> ThreadingHTTPServer:
    """A threading HTTP server for `root`, bound but not yet serving (port 0: any free port)."""
    root = Path(root)
    if not root.is_dir():
        raise PublishError(f"cannot serve {root}", cause="no such folder: build an episode first")
    try:
        return _Server(root, (host, port))
    except OSError as e:
        raise PublishError(f"cannot listen on {host}:{port}", cause=e.strerror or str(e)) from e
