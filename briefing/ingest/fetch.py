"""Fetch a web page over http(s): bounded in time, size and redirects; every failure one clear error.

Standard library only (urllib). The body is streamed and the download stops as soon as it passes the
size limit; the charset comes from the Content-Type header when the server gives one.
"""

from __future__ import annotations

import http.client
import socket
import ssl
import time
import urllib.error
import urllib.request
import zlib
from dataclasses import dataclass
from email.message import Message
from typing import IO
from urllib.parse import urlsplit

from briefing.errors import IngestError

SCHEMES = ("http", "https")
CONNECT_TIMEOUT = 10.0  # seconds to connect, and between two reads
TOTAL_TIMEOUT = 60.0  # seconds for the whole download
MEGABYTE = 1024 * 1024
MAX_BYTES = 10 * MEGABYTE
MAX_REDIRECTS = 5
CHUNK = 64 * 1024
HTML_TYPES = ("text/html", "application/xhtml+xml")
TEXT_TYPES = ("text/plain",)
USER_AGENT = "Mozilla/5.0 (compatible; briefing/0.1; French news to podcast)"
HEADERS = {
    "User-Agent": USER_AGENT,
    "Accept": "text/html,application/xhtml+xml,text/plain;q=0.8",
    "Accept-Language": "fr-FR,fr;q=0.9,en;q=0.5",
    "Accept-Encoding": "gzip",
}
# Probable causes of HTTP errors, by status code.
HTTP_CAUSES = {
    401: "the page needs a login",
    403: "the site refuses automated access or the page needs a subscription; save the page from a browser "
    "and give the .html file",
    404: "the page does not exist; check the URL",
    410: "the page was removed",
    429: "too many requests; wait and try again",
}


@dataclass(frozen=True, slots=True)
class Page:
    """A fetched page: final URL (after redirects), body, media type and declared charset."""

    url: str
    data: bytes
    media_type: str
    charset: str | None

    @property
    def is_html(self) -> bool:
        return self.media_type in HTML_TYPES


def is_url(source: str) -> bool:
    """`source` is written as a URL (`scheme://…`), whatever its scheme."""
    scheme, sep, _ = source.partition("://")
    return bool(sep) and scheme.isascii() and scheme.replace("+", "").replace(".", "").isalnum()


def check_url(url: str) -> str:
    """The URL stripped, or an IngestError when it is not http(s) or has no host."""
    url = url.strip()
    parts = urlsplit(url)
    if parts.scheme.lower() not in SCHEMES:
        raise IngestError(
            f"{url}: not an http or https URL", cause="only http:// and https:// pages are fetched"
        )
    if not parts.hostname:
        raise IngestError(f"{url}: the URL has no host name")
    return url


def fetch(
    url: str,
    *,
    timeout: float = CONNECT_TIMEOUT,
    total_timeout: float = TOTAL_TIMEOUT,
    max_bytes: int = MAX_BYTES,
    max_redirects: int = MAX_REDIRECTS,
    media_types: tuple[str, ...] = HTML_TYPES + TEXT_TYPES,
    accept: str | None = None,
) -> Page:
    """Download an HTML or plain-text page (or another of `media_types`, asked for with `accept`);
    anything else, or any network problem, is an IngestError.

    `timeout` bounds the connection and each wait for data, `total_timeout` the whole download.
    """
    url = check_url(url)
    host = urlsplit(url).netloc
    opener = urllib.request.build_opener(_redirect_handler(max_redirects))
    request = urllib.request.Request(url, headers=HEADERS | ({"Accept": accept} if accept else {}))
    try:
        with opener.open(request, timeout=timeout) as response:
            final: str = response.geturl()
            headers: Message = response.headers
            media_type = headers.get_content_type() if headers.get("Content-Type") else ""
            if media_type and media_type not in media_types:
                raise _wrong_type(final, media_type, media_types)
            data = _read(response, headers, final, max_bytes, time.monotonic() + total_timeout)
    except urllib.error.HTTPError as e:
        raise _http_error(e, url, max_redirects) from e
    except urllib.error.URLError as e:
        raise _network_error(url, host, e.reason, timeout) from e
    except (OSError, http.client.HTTPException) as e:
        raise _network_error(url, host, e, timeout) from e
    return Page(url=final, data=data, media_type=media_type, charset=headers.get_content_charset())


def _wrong_type(url: str, media_type: str, expected: tuple[str, ...]) -> IngestError:
    if expected == HTML_TYPES + TEXT_TYPES:
        return IngestError(
            f"{url} is {media_type}, not a web page",
            cause="give the URL of an article page (HTML or plain text)",
        )
    return IngestError(f"{url} is {media_type}, not one of {', '.join(expected)}")


class _Redirects(urllib.request.HTTPRedirectHandler):
    """Redirects only to http(s)."""

    def redirect_request(
        self,
        req: urllib.request.Request,
        fp: IO[bytes],
        code: int,
        msg: str,
        headers: http.client.HTTPMessage,
        newurl: str,
    ) -> urllib.request.Request | None:
        if urlsplit(newurl).scheme.lower() not in SCHEMES:
            raise IngestError(f"{req.full_url} redirects to {newurl}", cause="only http:// and https:// work")
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def _redirect_handler(limit: int) -> urllib.request.HTTPRedirectHandler:
    class Limited(_Redirects):
        max_redirections = limit
        max_repeats = max(1, min(4, limit))

    return Limited()


def _read(
    response: http.client.HTTPResponse, headers: Message, url: str, max_bytes: int, deadline: float
) -> bytes:
    """Stream the body, decompressing gzip/deflate; stop past `max_bytes` or the deadline."""
    limit = f"{max_bytes // MEGABYTE} MB" if max_bytes % MEGABYTE == 0 else f"{max_bytes} bytes"
    too_big = IngestError(
        f"{url}: the page is larger than {limit}", cause="not an article page (a download or a video?)"
    )
    length = headers.get("Content-Length", "")
    if length.isdigit() and int(length) > max_bytes:
        raise too_big
    encoding = headers.get("Content-Encoding", "").strip().lower()
    compressed = encoding in ("gzip", "x-gzip", "deflate")
    if encoding not in ("", "identity") and not compressed:
        raise IngestError(
            f"{url}: the server sent the page compressed with {encoding!r}, which is not supported"
        )
    inflate = zlib.decompressobj(32 + zlib.MAX_WBITS)  # gzip or zlib header, detected
    chunks: list[bytes] = []
    size = 0
    while chunk := response.read1(CHUNK):
        if time.monotonic() > deadline:
            raise IngestError(f"{url}: the download is too slow", cause="a slow or overloaded server")
        if compressed:
            try:
                chunk = inflate.decompress(chunk, max_bytes + 1 - size)
            except zlib.error as e:
                raise IngestError(f"{url}: the compressed page is corrupt ({e})") from e
        size += len(chunk)
        if size > max_bytes:
            raise too_big
        chunks.append(chunk)
    return b"".join(chunks)


def _http_error(e: urllib.error.HTTPError, url: str, max_redirects: int) -> IngestError:
    where = e.url or url
    if 300 <= e.code < 400:
        return IngestError(
            f"{url}: more than {max_redirects} redirects (the last to {where})",
            cause="a redirect loop, or a consent or login page sending the browser around",
        )
    cause = HTTP_CAUSES.get(e.code, "the server has a problem; try again later" if e.code >= 500 else None)
    return IngestError(f"{where} answered {e.code} {e.reason}", cause=cause)


def _network_error(url: str, host: str, reason: object, timeout: float) -> IngestError:
    if isinstance(reason, IngestError):
        return reason
    if isinstance(reason, TimeoutError):
        return IngestError(
            f"{url}: no answer within {timeout:g} s", cause="a slow server or a bad connection"
        )
    if isinstance(reason, ssl.SSLError | ssl.CertificateError):
        return IngestError(f"{url}: secure connection failed ({reason})", cause="a TLS certificate problem")
    if isinstance(reason, ConnectionRefusedError):
        return IngestError(f"cannot reach {host}: connection refused", cause="no web server at that address")
    if isinstance(reason, socket.gaierror):
        return IngestError(
            f"cannot reach {host}: check the network connection",
            cause=f"the name {host!r} does not resolve: offline, or a misspelt address",
        )
    if isinstance(reason, http.client.HTTPException | ConnectionError):
        return IngestError(f"{url}: the connection broke during the download ({reason!r})")
    return IngestError(f"cannot reach {host}: check the network connection", cause=str(reason))
