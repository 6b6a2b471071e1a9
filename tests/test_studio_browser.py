"""The studio page in a real browser (Playwright driving Debian's Chromium) over a running studio
on a tiny book (real Piper, real codecs): the read-along highlight, an edit typed in the page, an
edit saved on disk, and no console errors.

Skipped only when /usr/bin/chromium is absent outside CI; under CI (``CI`` set) a missing browser fails.
"""

from __future__ import annotations

import pytest
from browser_support import ARGS as BROWSER_ARGS
from browser_support import CHROMIUM, require_chromium
from studio_support import TIMEOUT, cue_texts, open_studio, tiny_book, wait_for

ARGS = [*BROWSER_ARGS, "--autoplay-policy=no-user-gesture-required"]
PAGE_TIMEOUT_MS = 60_000

require_chromium()

from playwright.sync_api import sync_playwright  # noqa: E402


@pytest.fixture(scope="module")
def studio(tmp_path_factory):
    root = tmp_path_factory.mktemp("studio-browser")
    scripts = tiny_book(root)
    running = open_studio(scripts)
    yield running, scripts, root / "output"
    running.close()


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, studio):
    page = browser.new_page()
    page.set_default_timeout(PAGE_TIMEOUT_MS)
    page.problems = []
    page.on("console", lambda m: page.problems.append(m.text) if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda exc: page.problems.append(str(exc)))
    page.goto(studio[0].url)
    page.wait_for_selector("#transcript .sentence[data-start]")
    page.wait_for_function("document.getElementById('player').readyState >= 1")
    yield page
    page.close()


def sentence(page, text: str):
    return page.locator("#transcript .sentence", has_text=text)


def test_the_highlight_follows_the_audio(page):
    seen: set[str] = set()
    sentence(page, "Good morning.").click()
    page.evaluate("document.getElementById('player').play()")

    def moved() -> bool:
        current = page.locator("#transcript .sentence.current")
        if current.count() == 1:
            seen.add(current.inner_text())
        return {"Good morning.", "The train is late."} <= seen

    wait_for(moved, timeout=60, what="the highlight to move from one sentence to the next")
    page.evaluate("document.getElementById('player').pause()")
    assert page.evaluate("document.getElementById('player').currentTime") > 0
    sentence(page, "Bread costs two roubles.").click()
    start = float(sentence(page, "Bread costs two roubles.").get_attribute("data-start"))
    assert page.evaluate("document.getElementById('player').currentTime") == pytest.approx(start, abs=0.05)
    assert sentence(page, "Bread costs two roubles.").get_attribute("class") == "sentence selected current"
    assert page.problems == []


def test_playing_one_sentence_stops_at_its_end(page):
    target = sentence(page, "The train is late.")
    target.click()
    page.click("#play-sentence")
    end = float(target.get_attribute("data-end"))
    page.wait_for_function(
        "document.getElementById('player').paused && document.getElementById('player').currentTime > 0", timeout=60_000
    )
    assert page.evaluate("document.getElementById('player').currentTime") == pytest.approx(end, abs=0.3)
    assert page.problems == []


def test_an_edit_typed_in_the_page_reaches_the_script_and_the_episode(page, studio):
    _, scripts, out = studio
    episode = out / "episodes" / "01-hello.mp3"
    before = episode.read_bytes()
    sentence(page, "We wait on the platform.").click()
    page.evaluate("document.getElementById('player').currentTime = 2.0")
    page.click("#edit-sentence")
    assert page.input_value("#edit-text") == "We wait on the platform."
    page.fill("#edit-text", "We wait by the river.")
    page.click("#edit-save")
    wait_for(lambda: "We wait by the river." in (scripts / "01-hello.md").read_text(), what="the script")
    text = (scripts / "01-hello.md").read_text()
    assert (
        text
        == "# Hello\n\nGood morning. The train is late. We wait by the river.\n\n## Notes\n\nBread costs two roubles.\n"
    )
    sentence(page, "We wait by the river.").wait_for(timeout=TIMEOUT * 1000)
    assert "We wait by the river." in cue_texts(out, 1)
    assert episode.read_bytes() != before
    src = page.evaluate("document.getElementById('player').src")
    assert src.endswith(page.evaluate("fetch('api/chapter/01-hello').then(r => r.json()).then(v => v.episode)"))
    page.wait_for_function("document.getElementById('player').readyState >= 1")
    assert page.evaluate("document.getElementById('player').currentTime") == pytest.approx(2.0, abs=0.3)
    assert page.problems == []


def test_an_edit_saved_on_disk_reaches_the_page(page, studio):
    _, scripts, _ = studio
    path = scripts / "01-hello.md"
    path.write_text(path.read_text().replace("Bread costs two roubles.", "Milk costs three roubles."))
    sentence(page, "Milk costs three roubles.").wait_for(timeout=TIMEOUT * 1000)
    assert sentence(page, "Bread costs two roubles.").count() == 0
    assert page.get_attribute("#status", "data-state") == "idle"
    assert page.problems == []


def test_a_stale_page_is_told_and_reloads(page, studio):
    _, scripts, _ = studio
    path = scripts / "01-hello.md"
    sentence(page, "Good morning.").click()
    page.click("#edit-sentence")
    path.write_text(path.read_text().replace("Good morning.", "Good evening."))  # meanwhile, on disk
    page.fill("#edit-text", "Hello there.")
    page.click("#edit-save")
    page.locator("#log li", has_text="changed on disk").wait_for()
    assert "Hello there." not in path.read_text() and "Good evening." in path.read_text()
    sentence(page, "Good evening.").wait_for(timeout=TIMEOUT * 1000)
    assert page.problems == ["Failed to load resource: the server responded with a status of 409 (CONFLICT)"]
