"""Benchmark of ``narration studio``: one sentence edited -> every output current, against a cold
``narration build`` for the same kind of edit.

On a copy of ``scripts/`` (the whole pamphlet by default) in ``--work`` (default: a temporary
folder), with the clip cache ``--cache-dir`` (kept between runs: the pamphlet's clips take about
5 min on 2 cores to make the first time; the build cache and outputs are the copy's own):

(0) setup: ``narration build`` once (makes what the clip cache lacks, and the build cache of a new
    ``--work`` folder; its time is printed, not part of the figures);
(a) studio: ``narration studio --port 0`` as a new process; once its first build is done and its
    voice and codecs are loaded, ``--edits`` edits (default 10), one per chapter, spread over the
    book: in a paragraph of at least three sentences, the middle sentence gets two words more
    (drawn at random among the pairs no earlier run with this clip cache gave that sentence,
    noted in the cache's ``bench-studio-words.json``, so no earlier clip makes the edit free). Each
    is sent as the page sends it (POST /studio/api/edit) and timed from the request until the
    studio reports that rebuild done (its status polled every 5 ms); then the episode, both book
    files and the feed are checked to be current (written after the edit, the new sentence in
    the episode's cues in ``output/.build.json``). Target: median <= 1.0 s, worst <= 2.0 s.
    Each edit's line also splits its time into the speaking (from the studio's terminal line
    for that rebuild) and the rest: on a shared machine the rest is the steadier figure.
(b) cold CLI: the studio stopped, each of the same paragraphs edited again on disk (the sentence
    gets two more words), then ``narration build`` as a new process, timed around the process
    (imports, model load and lock included). Target: <= 2.0 s.

The machine's load average is printed before and after: on a shared machine the figures are noisy.

    python bench/studio.py --cache-dir ~/.cache/narration-bench-clips --work ~/.cache/narration-bench-work
    python bench/studio.py --cache-dir /tmp/clips --edits 3 --chapters 1-3   # a quick check
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from narration.model import load_book
from narration.studio.edits import script_blocks
from narration.text.sentences import split_sentences

REPO = Path(__file__).resolve().parents[1]
NARRATION = [sys.executable, "-m", "narration"]
LOG = Path(tempfile.gettempdir()) / "bench-studio.log"  # the studio's terminal output
USED_WORDS = "bench-studio-words.json"  # in the clip cache: the word pairs its runs gave each sentence


@dataclass(frozen=True)
class Target:
    file: str
    section: str
    sentence: str  # as written now


def copy_scripts(source: Path, scripts: Path, cache_dir: Path, chapters: list[int] | None) -> None:
    """A fresh copy of the scripts (a ``--work`` folder kept from an earlier run keeps its build
    cache and outputs, so its setup build re-makes only what the last run's edits changed)."""
    shutil.rmtree(scripts, ignore_errors=True)
    scripts.mkdir(parents=True)
    names = sorted(p.name for p in source.glob("[0-9]*.md"))
    keep = names if chapters is None else [names[n - 1] for n in chapters]
    for name in keep:
        shutil.copy2(source / name, scripts / name)
    for extra in ("book.toml", "lexicon.toml", "cover.jpg", "cover.png"):
        if (source / extra).exists():
            shutil.copy2(source / extra, scripts / extra)
    toml = (scripts / "book.toml").read_text(encoding="utf-8")
    line = f"cache_dir = {json.dumps(str(cache_dir.resolve()))}"
    toml = re.sub(r"^cache_dir\s*=.*$", "", toml, flags=re.M)
    if re.search(r"^\[synth\]", toml, re.M):
        toml = re.sub(r"^\[synth\]$", "[synth]\n" + line, toml, count=1, flags=re.M)
    else:
        toml += f"\n[synth]\n{line}\n"
    (scripts / "book.toml").write_text(toml, encoding="utf-8")


def pick_targets(scripts: Path, count: int) -> list[Target]:
    """One paragraph of >= 3 sentences in each of ``count`` chapters spread over the book."""
    paths = sorted(scripts.glob("[0-9]*.md"))
    step = max(1, len(paths) // count)
    targets = []
    for path in paths[::step][:count]:
        blocks = [b for b in script_blocks(path.read_text(encoding="utf-8")) if b.kind == "paragraph"]
        block = next((b for b in blocks if len(split_sentences(b.text)) >= 3), blocks[0])
        sentences = split_sentences(block.text)
        middle = sentences[len(sentences) // 2]
        targets.append(Target(path.name, block.id, middle))
    return targets


WORDS = [
    "indeed",
    "surely",
    "certainly",
    "clearly",
    "plainly",
    "really",
    "truly",
    "frankly",
    "simply",
    "openly",
    "quickly",
    "slowly",
    "gladly",
    "sadly",
    "boldly",
    "calmly",
    "firmly",
    "fairly",
    "fully",
    "largely",
    "mostly",
    "nearly",
    "partly",
    "rarely",
    "roughly",
    "barely",
    "deeply",
    "gently",
    "kindly",
    "loudly",
    "madly",
    "neatly",
    "oddly",
    "proudly",
    "quietly",
    "rightly",
    "softly",
    "warmly",
]


def fresh_words(count: int) -> list[str]:
    """Two words per edit, drawn anew each run: an earlier run's clips must not make it free."""
    rng = random.Random()
    return [f"{rng.choice(WORDS)} {rng.choice(WORDS)}" for _ in range(count)]


def unused_words(targets: list[Target], record: Path) -> list[str]:
    """Two words per target that no earlier run with this clip cache gave its sentence (noted in
    ``record``): with a kept cache, a pair drawn again would find its sentence spoken already."""
    try:
        used = json.loads(record.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        used = {}
    rng = random.Random()
    words = []
    for target in targets:
        key = f"{target.file}\t{target.sentence}"
        left = sorted({f"{a} {b}" for a in WORDS for b in WORDS} - set(used.get(key, [])))
        if not left:
            sys.exit(f"every word pair was used on {target.file} with this cache: use another --cache-dir")
        words.append(rng.choice(left))
        used[key] = [*used.get(key, []), words[-1]]
    record.write_text(json.dumps(used, indent=1), encoding="utf-8")
    return words


def longer(sentence: str, word: str) -> str:
    """The sentence with one word more before its last punctuation."""
    match = re.search(r"([.!?…]+[\"'”’)]*)$", sentence)
    cut = match.start() if match else len(sentence)
    return f"{sentence[:cut]} {word}{sentence[cut:]}"


def http(url: str, body: dict | None = None, origin: str | None = None) -> dict:
    data = None if body is None else json.dumps(body).encode()
    headers = {"Content-Type": "application/json"} if body is not None else {}
    if origin:
        headers["Origin"] = origin
    with urllib.request.urlopen(urllib.request.Request(url, data, headers), timeout=60) as response:
        return json.loads(response.read())


def start_studio(scripts: Path, out: Path) -> tuple[subprocess.Popen, str]:
    command = [*NARRATION, "studio", "--scripts", str(scripts), "--out", str(out), "--port", "0"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    assert process.stdout is not None
    for line in process.stdout:
        found = re.search(r"Studio: (\S+)", line)
        if found:
            threading.Thread(target=drain, args=(process.stdout,), daemon=True).start()
            return process, found.group(1)
    raise SystemExit("the studio did not start:\n" + (process.stdout.read() if process.stdout else ""))


def drain(stream) -> None:
    """Read the studio's terminal output (a full pipe would stop it); keep its lines in a log."""
    with open(LOG, "w", encoding="utf-8") as log:
        for line in stream:
            log.write(line)
            log.flush()


def wait_ready(url: str, generation: int = 1, timeout: float = 900) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status = http(url + "api/status")
        if status["built"] >= generation and status["warm"]:
            return status
        time.sleep(0.005)
    raise SystemExit(f"the studio did not finish rebuild {generation} in {timeout} s")


def wait_built(url: str, generation: int) -> dict:
    while True:
        status = http(url + "api/status")
        if status["built"] >= generation and not status["building"]:
            return status
        time.sleep(0.005)


def outputs_current(out: Path, episode: str, since: float, sentence: str) -> dict[str, bool]:
    manifest = json.loads((out / ".build.json").read_text(encoding="utf-8"))
    chapter = next(c for c in manifest["chapters"] if Path(c["episode"]).stem == episode)
    book = [out / manifest["m4b"], out / manifest["mp3"]]
    return {
        "episode": (out / chapter["episode"]).stat().st_mtime >= since,
        "cues": any(sentence in cue[2] for cue in chapter["cues"]),
        "book files": all(p.stat().st_mtime >= since for p in book),
        "feed": (out / "feed.xml").stat().st_mtime >= since,
    }


def speech_seconds(generation: int, timeout: float = 2.0) -> float | None:
    """How long rebuild ``generation`` spent speaking, from the studio's terminal line for it
    ("[n] built in ... s: 1 clip(s) spoken in ... s"), None if it is not there: on a shared
    machine the rest of the rebuild is the steadier figure."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            text = LOG.read_text(encoding="utf-8")
        except OSError:
            text = ""
        line = next((ln for ln in text.splitlines() if ln.startswith(f"[{generation}] built in")), None)
        if line is not None:
            found = re.search(r"spoken in ([0-9.]+) s", line)
            return float(found.group(1)) if found else 0.0
        time.sleep(0.02)
    return None


@dataclass
class StudioTimes:
    edits: list[float]  # edit -> every output current
    rest: list[float]  # the same less the speaking (see speech_seconds)


def studio_edits(scripts: Path, out: Path, targets: list[Target], words: list[str]) -> StudioTimes:
    process, url = start_studio(scripts, out)
    origin = url.split("/studio/")[0]
    try:
        wait_ready(url)
        times: list[float] = []
        rest: list[float] = []
        for target, word in zip(targets, words, strict=True):
            view = http(url + "api/chapter/" + Path(target.file).stem)
            new = longer(target.sentence, word)
            body = {
                "file": target.file,
                "version": view["version"],
                "section": target.section,
                "text": new,
                "sentence": {"text": target.sentence, "occurrence": 0},
            }
            since = time.time() - 0.01
            started = time.perf_counter()
            generation = http(url + "api/edit", body, origin)["generation"]
            status = wait_built(url, generation)
            elapsed = time.perf_counter() - started
            if status["error"]:
                raise SystemExit(f"rebuild failed: {status['error']}")
            current = outputs_current(out, Path(target.file).stem, since, new)
            times.append(elapsed)
            speech = speech_seconds(generation)
            split = "" if speech is None else f"  (speech {speech:4.2f} s, the rest {elapsed - speech:4.2f} s)"
            if speech is not None:
                rest.append(elapsed - speech)
            print(f"  studio  {target.file:55} {elapsed:6.2f} s{split}  current: {current}", flush=True)
    finally:
        process.send_signal(signal.SIGTERM)  # the studio stops as on Ctrl-C
        try:
            process.wait(60)
        except subprocess.TimeoutExpired:
            process.kill()
    return StudioTimes(times, rest)


def cli_edits(scripts: Path, out: Path, targets: list[Target], words: list[str], again: list[str]) -> list[float]:
    times = []
    for target, word, more in zip(targets, words, again, strict=True):
        path = scripts / target.file
        old = longer(target.sentence, word)
        text = path.read_text(encoding="utf-8")
        path.write_text(text.replace(old, longer(old, more), 1), encoding="utf-8")
        started = time.perf_counter()
        subprocess.run(
            [*NARRATION, "build", "--scripts", str(scripts), "--out", str(out), "--no-progress"],
            check=True,
            capture_output=True,
        )
        elapsed = time.perf_counter() - started
        times.append(elapsed)
        print(f"  cli     {target.file:55} {elapsed:6.2f} s", flush=True)
    return times


def figures(name: str, times: list[float], median_target: float, worst_target: float) -> str:
    median, worst = statistics.median(times), max(times)
    ok = "meets" if median <= median_target and worst <= worst_target else "MISSES"
    return (
        f"{name}: median {median:.2f} s, worst {worst:.2f} s, best {min(times):.2f} s over {len(times)} edits "
        f"(target median <= {median_target} s, worst <= {worst_target} s: {ok})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cache-dir", type=Path, required=True, help="clip cache kept between runs")
    parser.add_argument("--scripts", type=Path, default=REPO / "scripts")
    parser.add_argument("--work", type=Path, help="work folder (default: a temporary one, removed)")
    parser.add_argument("--edits", type=int, default=10)
    parser.add_argument("--chapters", help="a subset of the chapters, e.g. 1-3 (default: all)")
    args = parser.parse_args()
    from narration.synth.plan import parse_ranges

    chapters = parse_ranges(args.chapters) if args.chapters else None
    work = args.work or Path(tempfile.mkdtemp(prefix="bench-studio-"))
    scripts, out = work / "scripts", work / "output"
    print(f"load average before: {os.getloadavg()}; cores: {os.cpu_count()}")
    copy_scripts(args.scripts, scripts, args.cache_dir, chapters)
    book = load_book(scripts)
    print(f"book: {book.title!r}, {len(book.chapters)} chapters, {book.word_count} words; clip cache {args.cache_dir}")
    started = time.perf_counter()
    subprocess.run([*NARRATION, "build", "--scripts", str(scripts), "--out", str(out), "--no-progress"], check=True)
    print(f"setup build (not counted): {time.perf_counter() - started:.1f} s")
    targets = pick_targets(scripts, args.edits)
    words, again = unused_words(targets, args.cache_dir / USED_WORDS), fresh_words(len(targets))
    studio = studio_edits(scripts, out, targets, words)
    cli = cli_edits(scripts, out, targets, words, again)
    print(figures("studio, edit -> every output current", studio.edits, 1.0, 2.0))
    if studio.rest:
        rest = studio.rest
        print(f"  the same less their speech: median {statistics.median(rest):.2f} s, worst {max(rest):.2f} s")
    print(figures("cold CLI narration build, same edits", cli, 2.0, 2.0))
    print(f"load average after: {os.getloadavg()}")
    if args.work is None:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
