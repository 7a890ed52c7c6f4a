from __future__ import annotations

import email.utils
import http.client
import os
import re
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, strategies as st

from briefing.errors import PublishError
from briefing.export.roles import FileRole
from briefing.publish.serve import Validators, make_server, mime_type, parse_range

AUDIO = bytes(range(256)) * 40  # 10,240 bytes, every offset distinguishable
MODIFIED_NS = 1_755_237_600_123_456_789  # 2025-08-15 06:00:00.123456789 UTC
LAST_MODIFIED = "Fri, 15 Aug 2025 06:00:00 GMT"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, int]]:
    """One server for the module (shutting one down takes half a second)."""
    tmp_path = tmp_path_factory.mktemp("serve")
    root = tmp_path / "out"
    (root / "2025-08-15 été").mkdir(parents=True)
    (root / "2025-08-15 été" / "épisode-abc123.mp3").write_bytes(AUDIO)
    (root / "feed.xml").write_bytes(b"<?xml version='1.0'?><rss version='2.0'><channel/></rss>\n")
    (root / "t.vtt").write_text("WEBVTT\n", encoding="utf-8")
    (root / "t.srt").write_text("1\n", encoding="utf-8")
    (root / "chapters.json").write_text("{}", encoding="utf-8")
    (root / "e-1a2b3c4d.chapters.json").write_text('{"version": "1.2.0", "chapters": []}', encoding="utf-8")
    (root / "e-1a2b3c4d.WAV").write_bytes(b"RIFF")
    (root / ".library.lock").write_bytes(b"")
    (tmp_path / "secret.txt").write_text("secret", encoding="utf-8")
    (root / "leak.txt").symlink_to(tmp_path / "secret.txt")
    (root / "inside.mp3").symlink_to(root / "2025-08-15 été" / "épisode-abc123.mp3")
    (root / "outside").symlink_to(tmp_path, target_is_directory=True)
    (root / "%2e%2e.txt").write_text("a name, not a parent", encoding="utf-8")
    os.utime(root / "2025-08-15 été" / "épisode-abc123.mp3", ns=(MODIFIED_NS, MODIFIED_NS))
    server = make_server(root, "127.0.0.1", 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield root, int(server.server_address[1])
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def request(
    port: int, path: str, headers: dict[str, str] | None = None, method: str = "GET"
) -> tuple[int, dict[str, str], bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        conn.putrequest(method, path, skip_accept_encoding=True)
        for name, value in (headers or {}).items():
            conn.putheader(name, value)
        conn.endheaders()
        response = conn.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        conn.close()


def raw(port: int, data: bytes) -> bytes:
    """Send `data` as is and read until the server closes the connection."""
    with socket.create_connection(("127.0.0.1", port), timeout=5) as conn:
        conn.sendall(data)
        answer = b""
        while chunk := conn.recv(65536):
            answer += chunk
    return answer


MP3 = "/2025-08-15%20%C3%A9t%C3%A9/%C3%A9pisode-abc123.mp3"


def test_whole_file_with_type_and_length(site: tuple[Path, int]) -> None:
    _, port = site
    status, headers, body = request(port, MP3)
    assert status == 200 and body == AUDIO
    assert headers["content-type"] == "audio/mpeg"
    assert headers["content-length"] == str(len(AUDIO)) and headers["accept-ranges"] == "bytes"


@pytest.mark.parametrize(
    ("path", "mime"),
    [
        ("/feed.xml", "application/rss+xml"),
        ("/t.vtt", "text/vtt; charset=utf-8"),
        ("/t.srt", "application/x-subrip; charset=utf-8"),
        ("/chapters.json", "application/json"),
        ("/inside.mp3", "audio/mpeg"),
        # An episode's files go out with the type of their role, the one the feed gives them.
        ("/e-1a2b3c4d.chapters.json", "application/json+chapters"),
        ("/e-1a2b3c4d.WAV", "audio/wav"),
    ],
)
def test_mime_types(site: tuple[Path, int], path: str, mime: str) -> None:
    root, port = site
    status, headers, body = request(port, path)
    assert status == 200 and headers["content-type"] == mime
    assert body == (root / path.lstrip("/")).read_bytes()


def test_every_episode_file_is_served_with_its_roles_type() -> None:
    for role in FileRole:
        assert mime_type(Path(role.file_name("2025-08-15-x-1a2b3c4d"))).split(";")[0] == role.mime


@pytest.mark.parametrize(
    ("header", "first", "last"),
    [
        ("bytes=0-99", 0, 99),
        ("bytes=10000-", 10000, 10239),
        ("bytes=-40", 10200, 10239),
        ("bytes=5-99999", 5, 10239),
    ],
)
def test_byte_ranges(site: tuple[Path, int], header: str, first: int, last: int) -> None:
    _, port = site
    status, headers, body = request(port, MP3, {"Range": header})
    assert status == 206
    assert headers["content-range"] == f"bytes {first}-{last}/{len(AUDIO)}"
    assert headers["content-length"] == str(last - first + 1)
    assert body == AUDIO[first : last + 1]


@pytest.mark.parametrize(
    "header", ["bytes=10240-", "bytes=99999-100000", "bytes=-0", "bytes=50-10", "bytes=x-y"]
)
def test_unsatisfiable_or_bad_ranges_get_416(site: tuple[Path, int], header: str) -> None:
    _, port = site
    status, headers, body = request(port, MP3, {"Range": header})
    assert status == 416 and headers["content-range"] == f"bytes */{len(AUDIO)}" and body == b""


@pytest.mark.parametrize("header", ["items=0-5", "bytes=0-1,5-6"])
def test_ranges_we_may_ignore_give_the_whole_file(site: tuple[Path, int], header: str) -> None:
    _, port = site
    status, _, body = request(port, MP3, {"Range": header})
    assert status == 200 and body == AUDIO


def test_head_sends_headers_only(site: tuple[Path, int]) -> None:
    _, port = site
    status, headers, body = request(port, MP3, {"Range": "bytes=0-9"}, method="HEAD")
    assert status == 206 and headers["content-length"] == "10" and body == b""


@pytest.mark.parametrize(
    "path",
    [
        "/../secret.txt",
        "/%2e%2e/secret.txt",
        "/%2E%2E%2Fsecret.txt",
        "/..%2fsecret.txt",
        "/2025-08-15%20%C3%A9t%C3%A9/../../secret.txt",
        "/%2e%2e%5csecret.txt",
        "//etc/passwd",
        "/%2Fetc%2Fpasswd",
        "/etc/passwd",
        "http://127.0.0.1/../secret.txt",
        "/leak.txt",
        "/.library.lock",
        "/2025-08-15%20%C3%A9t%C3%A9",
        "/missing.mp3",
        "/feed.xml%00.mp3",
        "/%ff%fe",
        "/%252e%252e%252fsecret.txt",  # decoded once only: a name, not a parent
        "/%252e%252e/secret.txt",
        "/%2e%2e%2f%2e%2e%2f%2e%2e%2fetc%2fpasswd",
        "/..%5csecret.txt",
        "/%5c..%5csecret.txt",
        "/.%2e/secret.txt",
        "/%2e./secret.txt",
        "/..;/secret.txt",
        "/%c0%ae%c0%ae/secret.txt",  # overlong UTF-8 for "."
        "/%00",
        "/%2e%2e%00/secret.txt",
        "/outside/secret.txt",  # a symlinked folder that leads out
        "/outside%2fsecret.txt",
        "/outside/out/../secret.txt",
        "/inside.mp3/../../secret.txt",
        "/C:%5cWindows%5cwin.ini",
    ],
)
def test_nothing_outside_or_hidden_is_reachable(site: tuple[Path, int], path: str) -> None:
    _, port = site
    status, _, body = request(port, path)
    assert status == 404 and b"secret" not in body


def test_a_path_is_percent_decoded_exactly_once(site: tuple[Path, int]) -> None:
    _, port = site
    status, _, body = request(port, "/%252e%252e.txt")
    assert status == 200 and body == b"a name, not a parent"


@pytest.mark.parametrize(
    "target",
    [b"/..\\secret.txt", b"/feed.xml\x00", b"/\x00/../secret.txt", b"..%2fsecret.txt", b"../secret.txt"],
)
def test_raw_request_lines_http_client_would_refuse(site: tuple[Path, int], target: bytes) -> None:
    """Backslashes, a literal NUL, a target without its leading slash: sent as raw bytes."""
    _, port = site
    answer = raw(port, b"GET " + target + b" HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
    status = int(answer.split(b" ", 2)[1])
    assert status in (400, 404) and b"secret" not in answer


def test_absolute_path_outside_is_refused(site: tuple[Path, int]) -> None:
    root, port = site
    assert request(port, "/" + str(root.parent / "secret.txt"))[0] == 404


def test_root_redirects_to_the_feed(site: tuple[Path, int]) -> None:
    _, port = site
    status, headers, _ = request(port, "/")
    assert status == 302 and headers["location"] == "/feed.xml"


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE"])
def test_other_methods_get_405_with_allow(site: tuple[Path, int], method: str) -> None:
    _, port = site
    status, headers, body = request(port, "/feed.xml", method=method)
    assert status == 405 and headers["allow"] == "GET, HEAD" and body == b""


def test_a_405_closes_the_connection_rather_than_read_the_body_as_a_request(site: tuple[Path, int]) -> None:
    _, port = site
    smuggled = b"GET /feed.xml HTTP/1.1\r\nHost: x\r\n\r\n"
    head = b"POST /feed.xml HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: %d\r\n\r\n" % len(smuggled)
    answer = raw(port, head + smuggled)
    assert answer.startswith(b"HTTP/1.1 405 ") and answer.count(b"HTTP/1.1 ") == 1
    assert b"\r\nConnection: close\r\n" in answer


def test_a_method_nobody_defined_gets_501(site: tuple[Path, int]) -> None:
    _, port = site
    assert request(port, "/feed.xml", method="BREW")[0] == 501


@pytest.mark.parametrize(
    "path",
    [
        "/feed.xml/",
        "/feed.xml%2F",
        "//feed.xml",
        "/feed.xml//",
        "/2025-08-15%20%C3%A9t%C3%A9//%C3%A9pisode-abc123.mp3",
    ],
)
def test_a_file_has_no_alias_with_extra_slashes(site: tuple[Path, int], path: str) -> None:
    _, port = site
    assert request(port, path)[0] == 404


def test_server_header_has_no_trailing_space(site: tuple[Path, int]) -> None:
    _, port = site
    answer = raw(port, b"GET /feed.xml HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
    server = next(line for line in answer.split(b"\r\n") if line.lower().startswith(b"server:"))
    assert server == b"Server: briefing"


def test_missing_folder_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(PublishError, match="no such folder"):
        make_server(tmp_path / "nope")


def test_port_in_use_is_an_error(tmp_path: Path) -> None:
    first = make_server(tmp_path, "127.0.0.1", 0)
    try:
        with pytest.raises(PublishError, match="cannot listen"):
            make_server(tmp_path, "127.0.0.1", int(first.server_address[1]))
    finally:
        first.server_close()


@given(size=st.integers(1, 5000), a=st.integers(0, 6000), b=st.integers(0, 6000))
def test_satisfiable_ranges_stay_inside_the_file(size: int, a: int, b: int) -> None:
    first, last = min(a, b), max(a, b)
    if first >= size:
        with pytest.raises(ValueError):
            parse_range(f"bytes={first}-{last}", size)
        return
    assert parse_range(f"bytes={first}-{last}", size) == (first, min(last, size - 1))
    start, end = parse_range(f"bytes=-{last + 1}", size) or (-1, -1)
    assert end == size - 1 and start == max(0, size - last - 1)


def test_loopback_is_the_default() -> None:
    import inspect

    assert inspect.signature(make_server).parameters["host"].default == "127.0.0.1"


# --- validators and conditional requests ---------------------------------------------------------


def etag_of(port: int, path: str = MP3) -> str:
    return request(port, path, method="HEAD")[1]["etag"]


def test_files_carry_a_strong_etag_and_last_modified(site: tuple[Path, int]) -> None:
    _, port = site
    status, headers, _ = request(port, MP3)
    assert status == 200 and headers["last-modified"] == LAST_MODIFIED
    assert re.fullmatch(r'"[0-9a-f]+-[0-9a-f]+-[0-9a-f]+"', headers["etag"])  # strong: no W/
    assert etag_of(port) == headers["etag"]  # the same for HEAD, and stable
    assert request(port, MP3, {"Range": "bytes=0-9"})[1]["etag"] == headers["etag"]


def test_the_etag_changes_when_the_file_is_replaced(site: tuple[Path, int]) -> None:
    root, port = site
    path = root / "changing.txt"
    path.write_text("one", encoding="utf-8")
    before = etag_of(port, "/changing.txt")
    (root / "new.tmp").write_text("two", encoding="utf-8")  # same size, renamed into place
    os.replace(root / "new.tmp", path)
    assert etag_of(port, "/changing.txt") != before


@pytest.mark.parametrize("method", ["GET", "HEAD"])
@pytest.mark.parametrize("value", ["{etag}", '"other", {etag}', "W/{etag}", "*"])
def test_if_none_match_that_matches_gets_304(site: tuple[Path, int], method: str, value: str) -> None:
    _, port = site
    etag = etag_of(port)
    status, headers, body = request(port, MP3, {"If-None-Match": value.format(etag=etag)}, method)
    assert status == 304 and body == b""
    assert headers["etag"] == etag and headers["last-modified"] == LAST_MODIFIED
    assert headers.get("content-length") in (None, str(len(AUDIO)))  # never a "0" that lies


def test_if_none_match_that_does_not_match_gets_the_file(site: tuple[Path, int]) -> None:
    _, port = site
    status, _, body = request(port, MP3, {"If-None-Match": '"nope", W/"nope"'})
    assert status == 200 and body == AUDIO


@pytest.mark.parametrize(
    ("since", "status"),
    [
        (LAST_MODIFIED, 304),
        ("Fri, 15 Aug 2025 06:00:01 GMT", 304),
        ("Friday, 15-Aug-25 06:00:00 GMT", 304),  # RFC 850 form, still an HTTP date
        ("Fri, 15 Aug 2025 05:59:59 GMT", 200),
        ("yesterday", 200),  # not a date: ignored
    ],
)
def test_if_modified_since(site: tuple[Path, int], since: str, status: int) -> None:
    _, port = site
    assert request(port, MP3, {"If-Modified-Since": since})[0] == status


def test_if_none_match_takes_precedence_over_if_modified_since(site: tuple[Path, int]) -> None:
    _, port = site
    later, earlier = "Sat, 16 Aug 2025 00:00:00 GMT", "Mon, 01 Jan 1990 00:00:00 GMT"
    assert request(port, MP3, {"If-None-Match": '"old"', "If-Modified-Since": later})[0] == 200
    assert request(port, MP3, {"If-None-Match": etag_of(port), "If-Modified-Since": earlier})[0] == 304


def test_a_304_keeps_the_connection_usable(site: tuple[Path, int]) -> None:
    _, port = site
    etag = etag_of(port, "/feed.xml")
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        conn.request("GET", "/feed.xml", headers={"If-None-Match": etag})
        first = conn.getresponse()
        assert first.status == 304 and first.read() == b""
        conn.request("GET", MP3)
        second = conn.getresponse()
        assert second.status == 200 and second.read() == AUDIO
    finally:
        conn.close()


@pytest.mark.parametrize(
    ("if_range", "status"),
    [
        ("{etag}", 206),
        (LAST_MODIFIED, 206),
        ('"other"', 200),
        ("W/{etag}", 200),  # If-Range compares strongly: a weak tag never matches
        ("Fri, 15 Aug 2025 06:00:01 GMT", 200),  # not exactly the Last-Modified date
        ("not a date", 200),
    ],
)
def test_if_range(site: tuple[Path, int], if_range: str, status: int) -> None:
    _, port = site
    headers = {"Range": "bytes=100-199", "If-Range": if_range.format(etag=etag_of(port))}
    got, answer, body = request(port, MP3, headers)
    assert got == status
    assert body == (AUDIO[100:200] if status == 206 else AUDIO)
    assert ("content-range" in answer) == (status == 206)


def test_a_range_ignored_for_if_range_is_not_judged_either(site: tuple[Path, int]) -> None:
    _, port = site
    status, _, body = request(port, MP3, {"Range": "bytes=99999-", "If-Range": '"other"'})
    assert status == 200 and body == AUDIO


def test_a_date_is_no_validator_within_its_second() -> None:
    """Two versions written within one second share a Last-Modified date: only the ETag tells them apart."""
    fresh = Validators.of(1, 10, MODIFIED_NS, now_ns=MODIFIED_NS + 500_000_000)
    settled = Validators.of(1, 10, MODIFIED_NS, now_ns=MODIFIED_NS + 1_000_000_000)
    assert fresh.last_modified == settled.last_modified == LAST_MODIFIED
    assert not fresh.range_allowed(LAST_MODIFIED) and settled.range_allowed(LAST_MODIFIED)
    assert fresh.range_allowed(fresh.etag)
    assert email.utils.parsedate_to_datetime(LAST_MODIFIED).timestamp() == MODIFIED_NS // 10**9
