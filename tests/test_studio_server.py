"""The studio's server: its safety checks (werkzeug's test client, no build), then a running
studio on a tiny book with real Piper: concurrent edits, a bad edit shown and recovered from, a
studio killed mid-rebuild and a normal build after it."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from studio_support import (
    CHAPTER_ONE,
    TIMEOUT,
    cue_texts,
    get,
    manifest,
    open_studio,
    origin_of,
    post,
    tiny_book,
    wait_for,
)
from werkzeug.test import Client

from narration.build import Executors
from narration.executors import InProcess
from narration.studio.app import MAX_BODY, TOKEN_COOKIE, Access, StudioApp
from narration.studio.edits import ScriptEditor, version
from narration.studio.rebuild import Rebuilder

HOST = "127.0.0.1:8000"
ORIGIN = f"http://{HOST}"


@pytest.fixture
def app(tmp_path):
    scripts = tiny_book(tmp_path)
    (tmp_path / "output").mkdir()
    rebuilder = Rebuilder(scripts, tmp_path / "output", Executors(InProcess(), InProcess()))  # never started
    return StudioApp(rebuilder, ScriptEditor(scripts), Access(None, 8000)), scripts


def edit_body(scripts: Path, file: str = "01-hello.md", **extra) -> dict:
    from narration.model import parse_script

    raw = (scripts / file).read_bytes() if (scripts / file).exists() else b""
    sections = parse_script(raw.decode(), "x")[1] if raw else ()
    body = {"file": file, "version": version(raw), "section": sections[0].id if sections else "x", "text": "New."}
    return {**body, **extra}


def test_loopback_answers_only_to_loopback_host_names(app):
    studio, _ = app
    client = Client(studio)
    assert client.get("/studio/api/status", headers={"Host": HOST}).status_code == 200
    assert client.get("/studio/api/status", headers={"Host": "localhost:8000"}).status_code == 200
    assert client.get("/studio/api/status", headers={"Host": "[::1]:8000"}).status_code == 200
    for host in ("evil.example:8000", "127.0.0.1.evil.example:8000", "localhost:9999"):
        response = client.get("/studio/api/status", headers={"Host": host})
        assert response.status_code == 403, host  # DNS rebinding
    assert client.get("/feed.xml", headers={"Host": "evil.example"}).status_code == 403


def test_writes_need_the_studios_own_origin(app):
    studio, scripts = app
    client = Client(studio)
    before = (scripts / "01-hello.md").read_bytes()
    body = json.dumps(edit_body(scripts))
    for headers in (
        {},
        {"Origin": "http://evil.example"},
        {"Origin": "http://127.0.0.1:8001"},
        {"Origin": ORIGIN, "Sec-Fetch-Site": "cross-site"},
    ):
        response = client.post(
            "/studio/api/edit", data=body, content_type="application/json", headers={"Host": HOST, **headers}
        )
        assert response.status_code == 403, headers
    form = client.post("/studio/api/edit", data={"file": "01-hello.md"}, headers={"Host": HOST, "Origin": ORIGIN})
    assert form.status_code == 415  # a cross-site form cannot send JSON without a preflight
    big = json.dumps({**edit_body(scripts), "text": "x" * MAX_BODY})
    response = client.post(
        "/studio/api/edit", data=big, content_type="application/json", headers={"Host": HOST, "Origin": ORIGIN}
    )
    assert response.status_code == 413
    assert (scripts / "01-hello.md").read_bytes() == before
    ok = client.post(
        "/studio/api/edit", data=body, content_type="application/json", headers={"Host": HOST, "Origin": ORIGIN}
    )
    assert ok.status_code == 200 and ok.json["generation"] == 1
    assert (scripts / "01-hello.md").read_text().startswith("# Hello\n\nNew.\n\n## Notes")


def test_the_write_endpoint_accepts_only_scripts_inside_scripts(app, tmp_path):
    studio, scripts = app
    client = Client(studio)
    (tmp_path / "outside.md").write_text("# Out\n\nSecret.\n")
    for name in ("../outside.md", "/etc/passwd", "book.toml", "%2e%2e/outside.md", "../scripts/01-hello.md", ".x.md"):
        body = json.dumps(edit_body(scripts, file=name))
        response = client.post(
            "/studio/api/edit", data=body, content_type="application/json", headers={"Host": HOST, "Origin": ORIGIN}
        )
        assert response.status_code == 403, name
    assert (tmp_path / "outside.md").read_text() == "# Out\n\nSecret.\n"


def test_a_script_changed_on_disk_is_not_overwritten(app):
    studio, scripts = app
    client = Client(studio)
    body = json.dumps(edit_body(scripts))
    changed = CHAPTER_ONE.replace("Good morning.", "Good evening.")
    (scripts / "01-hello.md").write_text(changed)
    response = client.post(
        "/studio/api/edit", data=body, content_type="application/json", headers={"Host": HOST, "Origin": ORIGIN}
    )
    assert response.status_code == 409 and response.json["reload"] is True
    assert (scripts / "01-hello.md").read_text() == changed


def test_beyond_loopback_every_request_needs_the_token(tmp_path):
    scripts = tiny_book(tmp_path)
    (tmp_path / "output").mkdir()
    (tmp_path / "output" / "feed.xml").write_text("<rss/>")
    rebuilder = Rebuilder(scripts, tmp_path / "output", Executors(InProcess(), InProcess()))
    studio = StudioApp(rebuilder, ScriptEditor(scripts), Access("s3cret", 8000))
    client = Client(studio)
    lan = {"Host": "192.168.1.20:8000"}
    for path in ("/studio/", "/studio/api/status", "/feed.xml"):
        assert client.get(path, headers=lan).status_code == 401, path
        assert client.get(path + "?token=wrong", headers=lan).status_code == 403, path
    first = client.get("/studio/?token=s3cret", headers=lan)
    assert first.status_code == 200
    cookie = first.headers["Set-Cookie"]
    assert f"{TOKEN_COOKIE}=s3cret" in cookie and "SameSite=Strict" in cookie and "HttpOnly" in cookie
    assert client.get("/feed.xml", headers=lan).status_code == 200  # the cookie from now on
    assert Client(studio).get("/feed.xml", headers={**lan, "X-Studio-Token": "s3cret"}).status_code == 200


# --- a running studio ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def running(tmp_path_factory):
    root = tmp_path_factory.mktemp("studio")
    scripts = tiny_book(root)
    studio = open_studio(scripts)
    yield studio, scripts, root / "output"
    studio.close()


def test_concurrent_edits_are_all_kept_and_built(running):
    studio, scripts, out = running
    url, origin = studio.url, origin_of(studio)
    views = {slug: get(url + f"api/chapter/{slug}") for slug in ("01-hello", "02-goodbye")}
    edits = [
        ("01-hello", 1, {"text": "The train is early.", "sentence": {"text": "The train is late.", "occurrence": 0}}),
        ("02-goodbye", 1, {"text": "The meeting ended at one."}),
    ]
    results: list[tuple[int, dict]] = []

    def send(slug: str, block: int, change: dict) -> None:
        view = views[slug]
        body = {"file": view["file"], "version": view["version"], "section": view["blocks"][block]["id"], **change}
        results.append(post(url + "api/edit", body, origin))

    threads = [threading.Thread(target=send, args=edit) for edit in edits]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(code for code, _ in results) == [200, 200], results
    # a second edit of the same chapter from the same (now stale) view is refused, not applied blindly
    code, answer = post(url + "api/edit", {**edit_body_from(views["01-hello"]), "text": "Lost."}, origin)
    assert code == 409 and answer["reload"]
    last = max(answer["generation"] for _, answer in results)
    status = studio.rebuilder.wait(last, TIMEOUT)
    assert status.error is None and status.built >= last
    assert "The train is early." in (scripts / "01-hello.md").read_text()
    assert "Lost." not in (scripts / "01-hello.md").read_text()
    wait_for(
        lambda: (
            not studio.rebuilder.status().building
            and studio.rebuilder.status().built >= studio.rebuilder.status().requested
        ),
        what="idle",
    )
    assert "The train is early." in cue_texts(out, 1)
    assert "The meeting ended at one." in cue_texts(out, 2)


def edit_body_from(view: dict) -> dict:
    return {"file": view["file"], "version": view["version"], "section": view["blocks"][1]["id"]}


def test_a_bad_edit_is_shown_and_the_next_good_save_recovers(running):
    studio, scripts, out = running
    episode = out / "episodes" / "02-goodbye.mp3"
    before = episode.read_bytes()
    path = scripts / "02-goodbye.md"
    good = path.read_text()
    path.write_text("# Goodbye\n")  # a chapter emptied
    status = wait_for(lambda: (s := studio.rebuilder.status()).error and s, what="the error")
    assert "no text to narrate" in status.error
    assert get(studio.url + "api/status")["error"] == status.error
    assert episode.read_bytes() == before  # the last good outputs stay
    assert get(studio.url + "api/chapter/02-goodbye")["blocks"][1]["text"] == good.split("\n\n")[1].strip()
    path.write_text(good.replace("ended", "finished"))
    wait_for(
        lambda: studio.rebuilder.status().error is None and "finished" in " ".join(cue_texts(out, 2)), what="recovery"
    )
    view = get(studio.url + "api/chapter/02-goodbye")
    assert "finished" in view["blocks"][1]["text"]
    synth = studio.rebuilder.built.report.synth  # the line the terminal shows times the speaking alone,
    assert synth.made >= 1 and 0 < synth.waited < synth.elapsed  # not the mastering done between clips


# --- killed mid-rebuild ----------------------------------------------------------------------------


def test_a_studio_killed_mid_rebuild_leaves_a_book_that_builds(tmp_path):
    scripts = tiny_book(tmp_path)
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    command = [
        sys.executable,
        "-m",
        "narration",
        "studio",
        "--scripts",
        str(scripts),
        "--out",
        str(tmp_path / "output"),
        "--port",
        "0",
    ]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    try:
        url, built = None, False
        for line in process.stdout:  # the first build's line, then the studio's address
            built = built or "] built in" in line
            if found := re.search(r"Studio: (\S+)", line):
                url = found.group(1)
            if url and built:
                break
        assert url is not None
        beside = [sys.executable, "-m", "narration", "build", "--scripts", str(scripts), "--no-wait"]
        refused = subprocess.run(beside, check=False, capture_output=True, text=True, timeout=TIMEOUT)
        assert refused.returncode != 0 and "narration studio" in refused.stderr  # the studio holds the lock
        long_text = " ".join(f"Sentence number {n} is a new one." for n in range(1, 30))
        (scripts / "01-hello.md").write_text(f"# Hello\n\n{long_text}\n")
        wait_for(lambda: get(url + "api/status")["building"], what="a rebuild to start")
        time.sleep(0.5)
        process.send_signal(signal.SIGKILL)
        process.wait(30)
    finally:
        if process.poll() is None:
            process.kill()
    build = [
        sys.executable,
        "-m",
        "narration",
        "build",
        "--scripts",
        str(scripts),
        "--out",
        str(tmp_path / "output"),
        "--no-wait",
        "--jobs",
        "1",
    ]
    done = subprocess.run(build, check=False, capture_output=True, text=True, timeout=TIMEOUT)
    assert done.returncode == 0, done.stderr
    assert "Sentence number 29 is a new one." in cue_texts(tmp_path / "output", 1)
    assert manifest(tmp_path / "output")["chapters"][1]["title"] == "Goodbye"


def test_rapid_saves_end_with_the_last_one_built(running):
    studio, scripts, out = running
    path = scripts / "02-goodbye.md"
    events = []
    studio.rebuilder.listen(lambda event: events.append(event.kind))
    for n in range(1, 6):  # five saves in a row, as an editor's autosave would
        path.write_text(f"# Goodbye\n\nThe meeting ended at {n} o'clock.\n")
    wait_for(lambda: "The meeting ended at 5 o'clock." in cue_texts(out, 2), what="the last save built")
    status = studio.rebuilder.status()
    assert status.error is None
    assert events.count("built") < 5  # coalesced: never one rebuild per save
