"""The web page in a real browser: Playwright driving Debian's Chromium, over the real server.

Skipped only when /usr/bin/chromium is absent outside CI; under CI (``CI`` set) a missing browser fails.
"""

from __future__ import annotations

import math
import threading

import pytest
from browser_support import ARGS as BROWSER_ARGS
from browser_support import CHROMIUM, require_chromium
from publish_support import relocate, template_build  # noqa: F401

from narration.audio.manifest import save_manifest as save_result
from narration.publish.api import publish
from narration.publish.serve import make_server

ARGS = BROWSER_ARGS
TIMEOUT_MS = 15_000

require_chromium()

from playwright.sync_api import sync_playwright  # noqa: E402


@pytest.fixture(scope="module")
def site(tmp_path_factory, template_build):
    result = relocate(template_build, tmp_path_factory.mktemp("site") / "output")
    publish(result, base_url=None)
    save_result(result)
    server = make_server(result.out_dir, "127.0.0.1", 0)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield result, f"http://127.0.0.1:{server.port}/"
    server.shutdown()
    server.server_close()
    thread.join(10)


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    page = browser.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.problems = []
    page.on("console", lambda m: page.problems.append(m.text) if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda exc: page.problems.append(str(exc)))
    yield page
    page.close()


def player_ready(page) -> None:
    page.wait_for_function("document.getElementById('book-player').readyState >= 1")


def current_time(page) -> float:
    return page.evaluate("document.getElementById('book-player').currentTime")


def test_page_loads_without_console_errors(site, page):
    result, url = site
    page.goto(url, wait_until="networkidle")
    player_ready(page)
    assert page.title() == result.title
    assert page.inner_text("h1") == result.title  # "<", "&", quotes shown as text
    assert page.locator("h1 *").count() == 0
    assert page.locator("ol.chapters b").count() == 0
    assert page.input_value("#feed-url") == url + "feed.xml"
    assert page.evaluate("document.querySelector('header img').naturalWidth") == 1400
    assert page.problems == []


def test_audio_duration_is_known(site, page):
    result, url = site
    page.goto(url)
    player_ready(page)
    duration = page.evaluate("document.getElementById('book-player').duration")
    assert duration > 0 and math.isfinite(duration)
    assert duration == pytest.approx(result.duration, abs=0.5)


def test_clicking_a_chapter_moves_the_player_to_its_start(site, page):
    result, url = site
    page.goto(url)
    player_ready(page)
    for index in (2, 1):
        page.locator("button.chapter").nth(index).click()
        page.evaluate("document.getElementById('book-player').pause()")
        assert current_time(page) == pytest.approx(result.chapters[index].start, abs=0.3)
        assert page.locator("button.chapter").nth(index).get_attribute("aria-current") == "true"
    assert page.problems == []


def test_a_chapter_can_be_chosen_with_the_keyboard(site, page):
    result, url = site
    page.goto(url)
    player_ready(page)
    page.locator("button.chapter").nth(1).focus()
    page.keyboard.press("Enter")
    page.evaluate("document.getElementById('book-player').pause()")
    assert current_time(page) == pytest.approx(result.chapters[1].start, abs=0.3)
    labels = page.eval_on_selector_all(
        "audio, button", "els => els.map(e => e.getAttribute('aria-label') || e.textContent.trim())"
    )
    assert all(labels)


def test_the_page_works_from_file_without_a_server(site, page):
    result, _ = site
    page.goto((result.out_dir / "index.html").as_uri())
    player_ready(page)
    assert page.evaluate("document.getElementById('book-player').duration") > 0
    page.locator("button.chapter").nth(2).click()
    page.evaluate("document.getElementById('book-player').pause()")
    assert current_time(page) == pytest.approx(result.chapters[2].start, abs=0.3)
    assert page.problems == []


def test_a_page_in_progress_opens_nothing_broken(tmp_path, template_build, page):
    import dataclasses

    result = relocate(template_build, tmp_path / "output")
    result.m4b.unlink()
    result.mp3.unlink()
    partial = dataclasses.replace(result, chapters=result.chapters[:1], in_progress=True)
    publish(partial, base_url=None)
    page.goto((partial.out_dir / "index.html").as_uri(), wait_until="load")
    page.wait_for_function("document.querySelector('ol.episodes audio') !== null")
    assert page.locator("#book-progress").count() == 1
    assert page.locator("ol.episodes li").count() == 1
    assert page.problems == []
