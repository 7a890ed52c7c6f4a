"""A local news site for the batch tests: an RSS feed, an Atom feed and real French article pages
from tests/data, served on 127.0.0.1."""

from __future__ import annotations

import datetime as dt
import email.utils
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from paths import DATA

HTML = DATA / "html"
#: Served pages: URL path -> file.
PAGES = {
    "/tempete.html": HTML / "ouestfrance-tempete.html",
    "/braderie.html": HTML / "lavoix-braderie.html",
    "/retraites.html": HTML / "lemonde-retraites.html",
    "/canicule.html": HTML / "20minutes-canicule.html",
    "/seisme.html": HTML / "liberation-1.html",
    "/abonnes.html": DATA / "batch" / "paywall-stub.html",
    "/english.html": DATA / "batch" / "english-article.html",
}
NOW = dt.datetime.now(dt.UTC).replace(microsecond=0)


def rss(base: str) -> str:
    """An RSS 2.0 feed: two good pages, a paywall stub, an English page, a missing page, an item too
    old for a day's batch, and one about sport (which a show may exclude)."""
    items = [
        ("Tempête Ciarán à Brest", "/tempete.html", 1, "Les habitants découvrent les dégâts."),
        ("La braderie de Lille", "/braderie.html", 2, "Deux millions de visiteurs attendus."),
        ("Le port de Sète", "/abonnes.html", 3, "Réservé aux abonnés."),
        ("Cycling lanes", "/english.html", 4, "The council votes."),
        ("Une page disparue", "/disparue.html", 5, "Introuvable."),
        ("Un vieux sujet", "/seisme.html", 72, "Trop ancien pour aujourd'hui."),
        ("Le match de rugby", "/canicule.html", 6, "Sport : le Top 14."),
    ]
    entries = "".join(
        f"<item><title>{title}</title><link>{base}{path}</link>"
        f"<pubDate>{email.utils.format_datetime(NOW - dt.timedelta(hours=hours))}</pubDate>"
        f"<description>{text}</description></item>"
        for title, path, hours, text in items
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel><title>Régions</title>'
        f"<link>{base}/</link><description>Les régions</description>{entries}</channel></rss>"
    )


def atom(base: str) -> str:
    """An Atom feed (relative links, as some sites write them): two good pages."""
    entries = "".join(
        f'<entry><title>{title}</title><link rel="alternate" href="{path}"/><id>urn:{path}</id>'
        f"<updated>{(NOW - dt.timedelta(hours=hours)).isoformat()}</updated><summary>{text}</summary></entry>"
        for title, path, hours, text in [
            ("Retraites", "/retraites.html", 1, "Ce que contient le projet."),
            ("Canicule à Lyon", "/canicule.html", 2, "Les parcs ouverts la nuit."),
        ]
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">'
        f"<title>Le matin</title><id>urn:matin</id><updated>{NOW.isoformat()}</updated>{entries}</feed>"
    )


class Handler(BaseHTTPRequestHandler):
    base = ""

    def do_GET(self) -> None:
        if self.path == "/rss.xml":
            body, kind = rss(self.base).encode(), "application/rss+xml; charset=utf-8"
        elif self.path == "/atom.xml":
            body, kind = atom(self.base).encode(), "application/atom+xml"
        elif self.path in PAGES:
            body, kind = PAGES[self.path].read_bytes(), "text/html"
        else:
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


def serve() -> tuple[ThreadingHTTPServer, str]:
    """Start the site in a thread; returns the server (to shut down) and its base URL."""
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    Handler.base = f"http://127.0.0.1:{httpd.server_address[1]}"
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd, Handler.base
