from __future__ import annotations

import gzip
import socket
import threading
import time
import zlib
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from paths import DATA

from briefing.errors import IngestError
from briefing.ingest.core import read_article
from briefing.ingest.fetch import check_url, fetch, is_url

HTML = DATA / "html"
PAGE = (HTML / "ouestfrance-tempete.html").read_bytes()  # Windows-1252, declared in <meta>
BIG = 4096  # the size limit the tests use


def send(
    handler: BaseHTTPRequestHandler, status: int, body: bytes, length: bool = True, **headers: str
) -> None:
    """Answer with `body`; header names are given with "_" for "-"."""
    handler.send_response(status)
    for name, value in headers.items():
        handler.send_header(name.replace("_", "-"), value)
    if length and "Content_Length" not in headers:
        handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    handler.wfile.write(body)


def slow(handler: BaseHTTPRequestHandler) -> None:
    time.sleep(1.5)
    send(handler, 200, PAGE, Content_Type="text/html")


def drip(handler: BaseHTTPRequestHandler, pause: float, count: int) -> None:
    handler.send_response(200)
    handler.send_header("Content-Type", "text/html")
    handler.end_headers()
    for _ in range(count):
        handler.wfile.write(b"<p>x</p>\n")
        handler.wfile.flush()
        time.sleep(pause)


ARTICLE = "Titre simple\n\nLe trafic est perturbé ce matin sur la ligne, les usagers patientent en gare."

ROUTES: dict[str, Callable[[BaseHTTPRequestHandler], None]] = {
    "/article.html": lambda h: send(h, 200, PAGE, Content_Type="text/html"),
    "/headers-charset.html": lambda h: send(
        h,
        200,
        "<html><head><meta charset='utf-8'></head><body><p>Sécurité à Noël</p></body></html>".encode(
            "cp1252"
        ),
        Content_Type="text/html; charset=windows-1252",
    ),
    "/plain.txt": lambda h: send(h, 200, ARTICLE.encode("utf-8"), Content_Type="text/plain; charset=utf-8"),
    "/latin.txt": lambda h: send(
        h, 200, ARTICLE.encode("latin-1"), Content_Type="text/plain; charset=ISO-8859-1"
    ),
    "/untyped": lambda h: send(h, 200, PAGE),
    "/gzip.html": lambda h: send(
        h, 200, gzip.compress(PAGE), Content_Type="text/html", Content_Encoding="gzip"
    ),
    "/deflate.html": lambda h: send(
        h, 200, zlib.compress(PAGE), Content_Type="text/html", Content_Encoding="deflate"
    ),
    "/brotli.html": lambda h: send(h, 200, b"\x1b\x00", Content_Type="text/html", Content_Encoding="br"),
    "/missing": lambda h: send(h, 404, b"<h1>Not Found</h1>", Content_Type="text/html"),
    "/boom": lambda h: send(h, 500, b"oops", Content_Type="text/plain"),
    "/forbidden": lambda h: send(h, 403, b"no", Content_Type="text/plain"),
    "/moved": lambda h: send(h, 301, b"", Location="/redirect"),
    "/redirect": lambda h: send(h, 302, b"", Location="/article.html"),
    "/to-ftp": lambda h: send(h, 302, b"", Location="ftp://127.0.0.1/x"),
    "/pdf": lambda h: send(h, 200, b"%PDF-1.4 ...", Content_Type="application/pdf"),
    "/image": lambda h: send(h, 200, b"\x89PNG\r\n", Content_Type="image/png"),
    "/declared-big": lambda h: send(
        h, 200, b"x" * 10, Content_Type="text/html", Content_Length=str(BIG * 100)
    ),
    "/streamed-big": lambda h: send(h, 200, b"<p>" + b"x" * (BIG * 4), False, Content_Type="text/html"),
    "/gzip-bomb": lambda h: send(
        h, 200, gzip.compress(b" " * (BIG * 200)), Content_Type="text/html", Content_Encoding="gzip"
    ),
    "/slow": slow,
    "/drip": lambda h: drip(h, 0.1, 30),
}


class Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        if self.path.startswith("/loop/"):
            n = int(self.path.rsplit("/", 1)[1])
            send(self, 302, b"", Location=f"/loop/{n + 1}")
            return
        route = ROUTES.get(self.path)
        if route is None:
            send(self, 404, b"", Content_Type="text/plain")
        else:
            try:
                route(self)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up on purpose

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(autouse=True)
def no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)


def error_of(url: str, **limits: float) -> str:
    with pytest.raises(IngestError) as info:
        fetch(url, **limits)  # type: ignore[arg-type]
    line = info.value.one_line()
    assert "\n" not in line
    return line


# ---------------------------------------------------------------- success


def test_html_page(server: str) -> None:
    page = fetch(server + "/article.html")
    assert page.data == PAGE and page.is_html and page.media_type == "text/html"
    assert page.url == server + "/article.html" and page.charset is None


def test_redirects_are_followed_and_the_final_url_kept(server: str) -> None:
    page = fetch(server + "/moved")
    assert page.url == server + "/article.html" and page.data == PAGE


@pytest.mark.parametrize("path", ["/gzip.html", "/deflate.html"])
def test_compressed_body_is_inflated(server: str, path: str) -> None:
    assert fetch(server + path).data == PAGE


def test_plain_text_with_its_charset(server: str) -> None:
    page = fetch(server + "/latin.txt")
    assert page.media_type == "text/plain" and page.charset == "iso-8859-1"
    assert page.data == ARTICLE.encode("latin-1")


# ---------------------------------------------------------------- failures


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("/missing", "answered 404 Not Found. Probable cause: the page does not exist"),
        ("/boom", "answered 500 Internal Server Error. Probable cause: the server has a problem"),
        ("/forbidden", "answered 403 Forbidden"),
        ("/pdf", "is application/pdf, not a web page"),
        ("/image", "is image/png, not a web page"),
        ("/to-ftp", "redirects to ftp://127.0.0.1/x"),
        ("/brotli.html", "compressed with 'br', which is not supported"),
    ],
)
def test_http_problems(server: str, path: str, message: str) -> None:
    assert message in error_of(server + path)


def test_redirect_loop_is_bounded(server: str) -> None:
    line = error_of(server + "/loop/0", max_redirects=3)
    assert "more than 3 redirects" in line


@pytest.mark.parametrize("path", ["/declared-big", "/streamed-big", "/gzip-bomb"])
def test_size_limit(server: str, path: str) -> None:
    assert f"larger than {BIG} bytes" in error_of(server + path, max_bytes=BIG)


def test_slow_server_times_out(server: str) -> None:
    start = time.monotonic()
    line = error_of(server + "/slow", timeout=0.3)
    assert "no answer within 0.3 s" in line
    assert time.monotonic() - start < 1.4


def test_dripping_server_hits_the_total_deadline(server: str) -> None:
    start = time.monotonic()
    line = error_of(server + "/drip", timeout=1.0, total_timeout=0.5)
    assert "too slow" in line
    assert time.monotonic() - start < 2.0


def test_connection_refused() -> None:
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    assert f"cannot reach 127.0.0.1:{port}: connection refused" in error_of(f"http://127.0.0.1:{port}/a")


def test_offline_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_dns(*args: object, **kwargs: object) -> list[object]:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", no_dns)
    line = error_of("https://www.example.fr/article.html")
    assert line.startswith("cannot reach www.example.fr: check the network connection")


@pytest.mark.parametrize(
    "url", ["ftp://example.org/a.html", "file:///etc/passwd", "gopher://x/", "https:///nohost"]
)
def test_only_http_and_https(url: str) -> None:
    with pytest.raises(IngestError, match="http"):
        check_url(url)


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("https://www.lemonde.fr/a.html", True),
        ("http://127.0.0.1:8000/", True),
        ("ftp://x/y", True),
        ("article.html", False),
        ("C:\\articles\\a.html", False),
        ("-", False),
        ("notes/https-guide.txt", False),
    ],
)
def test_is_url(source: str, expected: bool) -> None:
    assert is_url(source) is expected


# ---------------------------------------------------------------- through read_article


def test_read_article_from_a_url(server: str) -> None:
    article = read_article(server + "/redirect")
    assert article.title == "Tempête Ciarán. À Brest, les habitants découvrent les dégâts au petit matin"
    assert article.origin == server + "/redirect"
    assert article.url is not None and article.url.startswith("https://www.ouest-france.fr/")
    assert [s.heading for s in article.sections][0] == "Des rafales à plus de 150 km/h"


def test_read_article_untyped_page_is_sniffed(server: str) -> None:
    assert read_article(server + "/untyped").source == "Ouest-France"


def test_http_charset_beats_the_page_meta(server: str) -> None:
    from briefing.ingest.source import read_url

    assert "Sécurité à Noël" in read_url(server + "/headers-charset.html").text


def test_read_article_plain_text_url(server: str) -> None:
    article = read_article(server + "/plain.txt", title="Autre titre")
    assert article.title == "Autre titre"
    assert article.lead == "Le trafic est perturbé ce matin sur la ligne, les usagers patientent en gare."
    assert article.url == server + "/plain.txt"


def test_read_article_http_error(server: str) -> None:
    with pytest.raises(IngestError, match="answered 404"):
        read_article(server + "/missing")
