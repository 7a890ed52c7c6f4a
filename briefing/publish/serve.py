"""Serve an output folder over HTTP, as podcast apps need it: byte ranges and the right types.

Only GET and HEAD of regular files inside the folder; the other methods of RFC 9110 get 405 with
`Allow: GET, HEAD` (a method nobody defined gets 501). A request path is percent-decoded once and
refused (404) if a part is `..`, `.`, empty (`//`, a trailing `/`) or a hidden name (the library
lock, temporary files), if it holds a backslash or a NUL, or if, symlinks resolved, it lands outside
the folder. The server listens on loopback unless another host is given.
"""

from __future__ import annotations

import email.utils
import logging
import re
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, BinaryIO
from urllib.parse import unquote

from briefing.errors import PublishError
from briefing.show import FEED_NAME

log = logging.getLogger(__name__)

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
SERVER_NAME = "briefing"
ALLOWED = "GET, HEAD"
CHUNK = 64 * 1024
#: Types by extension; anything else is application/octet-stream.
MIME_TYPES = {
    ".mp3": "audio/mpeg",
    ".xml": "application/rss+xml",
    ".vtt": "text/vtt; charset=utf-8",
    ".srt": "application/x-subrip; charset=utf-8",
    ".json": "application/json",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".wav": "audio/wav",
    ".flac": "audio/flac",
    ".txt": "text/plain; charset=utf-8",
    ".md": "text/markdown; charset=utf-8",
}
_RANGE = re.compile(r"bytes=(\d*)-(\d*)")


def mime_type(path: Path) -> str:
    return MIME_TYPES.get(path.suffix.lower(), "application/octet-stream")


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
            self._empty(HTTPStatus.FOUND, Location=f"/{FEED_NAME}")
            return
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
        stat = path.stat()
        size = stat.st_size
        try:
            wanted = parse_range(self.headers.get("Range", ""), size)
        except ValueError:
            self._empty(HTTPStatus.REQUESTED_RANGE_NOT_SATISFIABLE, **{"Content-Range": f"bytes */{size}"})
            return
        first, last = wanted if wanted is not None else (0, size - 1)
        self.send_response(HTTPStatus.OK if wanted is None else HTTPStatus.PARTIAL_CONTENT)
        self.send_header("Content-Type", mime_type(path))
        self.send_header("Content-Length", str(last - first + 1))
        self.send_header("Accept-Ranges", "bytes")
        self.send_header("Last-Modified", email.utils.formatdate(stat.st_mtime, usegmt=True))
        if wanted is not None:
            self.send_header("Content-Range", f"bytes {first}-{last}/{size}")
        self.end_headers()
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

    def _empty(self, status: HTTPStatus, **headers: str) -> None:
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", "0")
        self.end_headers()


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
