"""Plain-text reports of the synth stage, for the CLI."""

from __future__ import annotations

from narration.synth.engines import EngineListing
from narration.synth.pipeline import SynthStatus
from narration.synth.types import SynthResult

SHORT_LIST = 8


def format_result(result: SynthResult) -> str:
    clips = sum(len(c) for c in (*result.titles.values(), *result.sections.values()))
    return (
        f"Made {result.made} clip(s) ({result.audio_seconds_made / 60:.1f} min of audio), "
        f"reused {result.reused} from the cache, in {result.elapsed:.1f} s; {clips} clip(s) in the book."
    )


def format_status(status: SynthStatus) -> str:
    head = f"Synthesis ({status.engine}, cache {status.cache_dir}):"
    if not status.sections_missing:
        return f"{head} all {status.sections} sections are made; nothing to synthesise."
    chapters = ", ".join(f"chapter {n}: {count}" for n, count in sorted(status.chapters_missing.items()))
    return (
        f"{head} {status.sections_missing} of {status.sections} sections need synthesis "
        f"({status.clips_missing} of {status.clips} clips, {status.chars_missing} characters).\n"
        f"  {chapters}\n"
        "  Run 'narration synth' to make them."
    )


def format_voices(listings: list[EngineListing], full: bool) -> str:
    lines = []
    for listing in listings:
        info = listing.info
        aliases = f" (also {', '.join(info.aliases)})" if info.aliases else ""
        lines.append(f"{info.name}{aliases}: {info.summary}")
        if listing.problem:
            lines.append(f"  not available: {listing.problem}")
            continue
        shown = listing.voices if full else listing.voices[:SHORT_LIST]
        lines.extend(f"  {v.name:<20} {v.detail}".rstrip() for v in shown)
        if len(shown) < len(listing.voices):
            hidden = len(listing.voices) - len(shown)
            lines.append(f"  ... and {hidden} more: narration voices --engine {info.name}")
    return "\n".join(lines)
