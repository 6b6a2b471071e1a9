"""Benchmark of the read-along EPUB (``output/<book>.epub``): first write, no-op, after an edit.

The book is the pamphlet's real text (``scripts/``: every chapter's sentences, as ``split_sentences``
cuts them, become its cues) with stand-in audio of the pamphlet's real length: one MP3 per chapter
made by ffmpeg (a quiet tone, mono, 22.05 kHz, 64 kbps: the podcast profile's rate and bitrate), the
chapter's length in proportion to its characters (``--minutes`` in all, default 139, the pamphlet's
2 h 19 min). Synthesis and mastering are not part of this figure; only publishing is.

(a) first write: ``write_epub`` from nothing (every member written);
(b) no-op: ``write_epub`` again with nothing changed (the key is checked, nothing written);
(c) an edit: one sentence of the middle chapter changed and its episode re-written (as the audio
    stage does after an edit), then ``write_epub`` (the whole EPUB rewritten: text members made
    again, every episode stream-copied into it, stored);
(d) ``publish`` as ``narration build`` calls it after the edit (transcripts, page, feed, EPUB);
(e) progressive publishing: ``publish`` after each chapter with a partial result
    (``in_progress=True``, the chapters so far) into a fresh folder, then once complete: the sum
    of those calls, and the longest one.

Times are wall-clock (``time.perf_counter``) in this process, the median of ``--repeat`` runs.

    python bench/epub.py                 # the pamphlet's size
    python bench/epub.py --minutes 10    # a quick check of the script itself
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from PIL import Image

from narration.audio.manifest import from_json, to_json
from narration.audio.types import Block, BuildResult, ChapterOutput, Cue
from narration.ffmpeg import run_ffmpeg
from narration.model import load_book
from narration.publish.api import publish_with
from narration.publish.epub.writer import epub_metadata, epub_path, write_epub
from narration.publish.settings import from_config
from narration.text.sentences import split_sentences

REPO = Path(__file__).resolve().parents[1]


def tone(path: Path, seconds: float) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    source = f"sine=frequency=220:duration={seconds:.3f}:sample_rate=22050"
    run_ffmpeg(["-y", "-f", "lavfi", "-i", source, "-af", "volume=0.05", "-ac", "1", "-c:a", "libmp3lame",
                "-b:a", "64k", str(path)], what="bench tone")  # fmt: skip


def chapter_output(out: Path, chapter, seconds: float) -> ChapterOutput:
    texts = [[chapter.title]] + [split_sentences(s.text) for s in chapter.sections]
    sentences = [t for group in texts for t in group]
    chars = sum(len(t) for t in sentences) or 1
    cues, at = [], 0.7
    for text in sentences:
        length = seconds * 0.9 * len(text) / chars
        cues.append(Cue(round(at, 3), round(at + length, 3), text))
        at += length + seconds * 0.1 / len(sentences)
    blocks = [Block("title", 1)] + [
        Block("heading" if s.kind == "heading" else "paragraph", len(g))
        for s, g in zip(chapter.sections, texts[1:], strict=True)
    ]
    episode = out / "episodes" / f"{chapter.slug}.mp3"
    tone(episode, seconds)
    return ChapterOutput(chapter.number, chapter.title, chapter.key, chapter.slug, episode, seconds, 0.0,
                         tuple(cues), "", tuple(blocks))  # fmt: skip


def make_result(out: Path, minutes: float) -> BuildResult:
    book = load_book(REPO / "scripts")
    sizes = [sum(len(s.text) for s in c.sections) for c in book.chapters]
    outputs, start = [], 0.0
    for chapter, size in zip(book.chapters, sizes, strict=True):
        output = chapter_output(out, chapter, minutes * 60 * size / sum(sizes))
        outputs.append(dataclasses.replace(output, start=start))
        start += output.duration
    Image.new("RGB", (1400, 1400), (138, 59, 18)).save(out / "cover.png")
    tone(out / f"{book.slug}.mp3", 1.0)  # the book files are not in the EPUB: small stand-ins
    (out / f"{book.slug}.m4b").write_bytes((out / f"{book.slug}.mp3").read_bytes())
    return BuildResult(book.title, book.author, book.language, book.config.description, out,
                       out / f"{book.slug}.m4b", out / f"{book.slug}.mp3", out / "cover.png", start,
                       tuple(outputs))  # fmt: skip


def timed(action, repeat: int) -> tuple[float, object]:
    times, value = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        value = action()
        times.append(time.perf_counter() - started)
    return statistics.median(times), value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=139.0, help="total audio (default: the pamphlet's)")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each timed step (median)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-epub-") as folder:
        out = Path(folder) / "output"
        print(f"making stand-in audio ({args.minutes:.0f} min) ...", flush=True)
        result = make_result(out, args.minutes)
        settings = from_config(load_book(REPO / "scripts").config, None)
        when = dt.datetime.now(dt.UTC).replace(microsecond=0)
        meta = epub_metadata(result, settings, when)
        cues = sum(len(c.cues) for c in result.chapters)
        audio_mb = sum(c.episode.stat().st_size for c in result.chapters) / 1e6
        print(f"book: {len(result.chapters)} chapters, {cues} sentences, {audio_mb:.1f} MB of episodes")

        def first() -> object:
            epub_path(result).unlink(missing_ok=True)
            (out / ".publish-epub.json").unlink(missing_ok=True)
            return write_epub(result, meta, when)

        t_first, _ = timed(first, args.repeat)
        t_noop, info = timed(lambda: write_epub(result, meta, when), args.repeat)
        assert not info.written
        middle = len(result.chapters) // 2

        def edit() -> object:
            chapter = result.chapters[middle]
            cue = chapter.cues[2]
            edited = (*chapter.cues[:2], dataclasses.replace(cue, text=cue.text + " (edited)"), *chapter.cues[3:])
            tone(chapter.episode, chapter.duration)  # the audio stage re-writes the edited episode
            changed = dataclasses.replace(chapter, cues=edited)
            chapters = (*result.chapters[:middle], changed, *result.chapters[middle + 1 :])
            edited_result = dataclasses.replace(result, chapters=chapters)
            started = time.perf_counter()
            info = write_epub(edited_result, meta, when)
            assert info.written
            return time.perf_counter() - started, edited_result

        edits = [edit() for _ in range(args.repeat)]
        t_edit = statistics.median(t for t, _ in edits)
        t_publish, _ = timed(lambda: publish_with(edits[-1][1], settings, when), 1)
        size = epub_path(result).stat().st_size / 1e6
        calls = progressive(edits[-1][1], settings, Path(folder) / "progressive")
        print(f"(a) first write:         {t_first:6.2f} s   ({size:.1f} MB EPUB)")
        print(f"(b) no-op:               {t_noop:6.3f} s   (nothing written)")
        print(f"(c) after an edit:       {t_edit:6.2f} s   (whole EPUB rewritten, episodes stream-copied)")
        print(f"(d) publish after edit:  {t_publish:6.2f} s   (transcripts, page, feed, EPUB current)")
        print(f"(e) progressive: {len(calls)} publish calls, {sum(calls):.2f} s in all, the longest {max(calls):.2f} s")
        print(f"median of {args.repeat} runs ((d), (e): one); time.perf_counter in one process")


def progressive(result: BuildResult, settings, folder: Path) -> list[float]:
    """Publish into a copy of the output after each chapter, then complete; each call's time."""
    shutil.copytree(result.out_dir, folder / "output")
    for name in (".publish-dates.json", ".publish-epub.json", ".publish.json", "feed.xml", "index.html"):
        (folder / "output" / name).unlink(missing_ok=True)
    shutil.rmtree(folder / "output" / "transcripts", ignore_errors=True)
    epub_path(from_json(to_json(result), folder / "output")).unlink(missing_ok=True)
    moved = from_json(to_json(result), folder / "output")
    calls = []
    for count in range(1, len(moved.chapters) + 1):
        partial = dataclasses.replace(moved, chapters=moved.chapters[:count], in_progress=True)
        started = time.perf_counter()
        publish_with(partial, settings)
        calls.append(time.perf_counter() - started)
    started = time.perf_counter()
    publish_with(moved, settings)
    calls.append(time.perf_counter() - started)
    return calls


if __name__ == "__main__":
    main()
