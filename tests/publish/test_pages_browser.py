"""The episode page in a real browser: headless Chromium (Debian's `chromium` and `chromium-driver`),
driven by Selenium, loads it from `briefing serve` on 127.0.0.1 and plays the episode muted.

The audio's duration is the episode's; a chapter, clicked or taken with the keyboard, seeks the
player to its start; a sentence clicked seeks to its start; the highlighted sentence is the one at
`currentTime`, set by hand or reached by playing. The browser logs no error (a missing file, a
script error), and a screenshot is saved in the test's temporary folder.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from page_episode import Built

import briefing.publish.pages as pages

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver")
INSTALL = "sudo apt-get install -y chromium chromium-driver"

pytestmark = pytest.mark.skipif(
    not (CHROMIUM and DRIVER),
    reason=f"headless Chromium and its driver are not installed; on Debian: {INSTALL}",
)

#: Two MP3 frames at 44.1 kHz: how far the browser's duration may be from the episode's.
DURATION_SLACK_S = 0.06
#: How far playback may have gone past a start by the time the test reads it (a loaded machine).
PLAYED_SLACK_S = 1.0


@pytest.fixture(scope="module")
def served(built: Built) -> Iterator[str]:
    """`briefing serve` on the built folder, on a free port of 127.0.0.1; its base URL."""
    command = [sys.executable, "-m", "briefing", "serve", "--out", str(built.out), "--port", "0"]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        assert process.stderr is not None
        line = process.stderr.readline()  # "Flux servi sur http://127.0.0.1:PORT/feed.xml …"
        found = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
        assert found, f"briefing serve said {line!r}"
        yield f"http://127.0.0.1:{found.group(1)}/"
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for argument in (
        "--headless=new",
        "--no-sandbox",  # root in CI
        "--disable-gpu",
        "--mute-audio",
        "--autoplay-policy=no-user-gesture-required",
        "--window-size=1000,1400",
    ):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service(executable_path=str(DRIVER)))
    try:
        yield driver
    finally:
        driver.quit()


def wait_for(condition: Callable[[], Any], what: str, timeout: float = 10.0) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


class Page:
    """The episode page loaded in the browser, with what the tests ask of its player."""

    def __init__(self, driver: Any, url: str) -> None:
        self.driver = driver
        driver.get(url)
        wait_for(lambda: self.js("return lecteur.readyState") >= 1, "the audio's metadata")

    def js(self, code: str, *args: Any) -> Any:
        return self.driver.execute_script(f"var lecteur = document.getElementById('lecteur'); {code}", *args)

    def seek(self, seconds: float) -> None:
        """Set currentTime and wait for the browser to have seeked there."""
        self.driver.execute_async_script(
            "var done = arguments[arguments.length - 1], a = document.getElementById('lecteur');"
            "a.addEventListener('seeked', function () { done(); }, {once: true});"
            "a.currentTime = arguments[0];",
            seconds,
        )

    def play_muted(self) -> None:
        self.js("lecteur.muted = true;")
        played = self.driver.execute_async_script(
            "var done = arguments[arguments.length - 1];"
            "document.getElementById('lecteur').play().then(function () { done(true); },"
            " function (e) { done(String(e)); });"
        )
        assert played is True, played

    @property
    def time(self) -> float:
        return float(self.js("return lecteur.currentTime"))

    def highlighted(self) -> list[int]:
        """Indices of the highlighted sentences (and only they carry aria-current)."""
        return list(
            self.js(
                "var all = Array.from(document.querySelectorAll('.phrase'));"
                "return all.map(function (p, i) { return p.classList.contains('en-cours') ? i : -1; })"
                ".filter(function (i) { return i >= 0; });"
            )
        )

    def sentences(self) -> list[tuple[float, float]]:
        return [
            (float(a), float(b))
            for a, b in self.js(
                "return Array.from(document.querySelectorAll('.phrase')).map(function (p) {"
                " return [p.getAttribute('data-start'), p.getAttribute('data-end')]; });"
            )
        ]

    def errors(self) -> list[str]:
        return [e["message"] for e in self.driver.get_log("browser") if e["level"] == "SEVERE"]


@pytest.fixture
def page(browser: Any, served: str, built: Built) -> Page:
    browser.get_log("browser")  # what an earlier test left
    return Page(browser, served + pages.record_page(built.record))


def test_the_player_has_the_episode_and_plays_it_muted(page: Page, built: Built, tmp_path: Path) -> None:
    duration = float(page.js("return lecteur.duration"))
    assert abs(duration - built.record.seconds) <= DURATION_SLACK_S, (duration, built.record.seconds)
    assert page.js("return lecteur.textTracks.length") == 1
    assert (
        page.js("return lecteur.textTracks[0].kind + ' ' + lecteur.textTracks[0].language") == "captions fr"
    )
    page.play_muted()
    wait_for(lambda: page.time > 0.3, "playback to advance")
    assert page.js("return !lecteur.paused && lecteur.muted")
    wait_for(lambda: page.highlighted() == [0], "the first sentence to be highlighted")
    assert page.js("return document.querySelector('.suivre').hidden") is False
    screenshot = tmp_path / "episode.png"
    assert page.driver.save_screenshot(str(screenshot))
    assert screenshot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and screenshot.stat().st_size > 10_000
    assert page.errors() == []


def test_a_chapter_clicked_or_taken_with_the_keyboard_seeks_to_its_start(page: Page, built: Built) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    chapters = built.record.info.chapters
    assert len(chapters) == 3
    links = page.driver.find_elements(By.CSS_SELECTOR, ".chapitres a")
    page.play_muted()
    links[1].click()
    start = chapters[1].start_ms / 1000
    assert start - 0.01 <= page.time <= start + PLAYED_SLACK_S, (page.time, start)
    wait_for(lambda: page.js("return !lecteur.paused"), "playback after the click")
    assert links[1].get_attribute("aria-current") == "true"
    links[2].send_keys(Keys.ENTER)  # the keyboard: a link takes Enter
    start = chapters[2].start_ms / 1000
    assert start - 0.01 <= page.time <= start + PLAYED_SLACK_S, (page.time, start)
    assert page.errors() == []


def test_the_highlighted_sentence_follows_current_time(page: Page) -> None:
    sentences = page.sentences()
    assert len(sentences) >= 6
    for index, (start, end) in enumerate(sentences):
        page.seek((start + end) / 2)
        assert page.highlighted() == [index], (index, page.time)
    # Playing across the end of a sentence moves the highlight to the next by itself.
    (_, end), (following, _) = sentences[1], sentences[2]
    page.seek(end - 0.2)
    assert page.highlighted() == [1]
    page.play_muted()
    wait_for(lambda: page.time > following, "playback to reach the next sentence")
    wait_for(lambda: page.highlighted() == [2], "the highlight to follow")
    assert page.js("return document.querySelector('.phrase.en-cours').getAttribute('aria-current')") == "true"


def test_a_sentence_clicked_seeks_to_its_start(page: Page) -> None:
    from selenium.webdriver.common.by import By

    sentences = page.sentences()
    spans = page.driver.find_elements(By.CSS_SELECTOR, ".phrase")
    spans[3].click()
    start = sentences[3][0]
    assert start - 0.01 <= page.time <= start + PLAYED_SLACK_S, (page.time, start)
    wait_for(lambda: page.highlighted() == [3], "the clicked sentence to be highlighted")
    assert page.errors() == []
