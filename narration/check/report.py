"""Reports of ``narration check``: a table per chapter and the flagged clips (text), or JSON."""

from __future__ import annotations

import json
import textwrap
from typing import Any

from narration.check.api import CheckReport, ClipCheck

WIDTH = 100


def format_text(report: CheckReport) -> str:
    lines = [f"{'chapter':<44} {'clips':>6} {'flagged':>8} {'worst WER':>10}"]
    for row in report.chapters:
        title = f"{row.number:>2} {row.title}"
        title = title if len(title) <= 44 else title[:41] + "..."
        missing = f"   ({row.missing} not synthesised)" if row.missing else ""
        lines.append(f"{title:<44} {row.clips:>6} {row.flagged:>8} {row.worst_wer:>10.2f}{missing}")
    flagged = report.flagged
    worst = max((c.verdict.wer for c in report.clips), default=0.0)
    lines.append(f"{'total':<44} {len(report.clips):>6} {len(flagged):>8} {worst:>10.2f}")
    for fix in report.fixes:
        tried = ", ".join(f"take {t}: {wer:.2f}" for t, wer in sorted(fix.tried.items()))
        state = "still flagged" if fix.flagged else "passes"
        lines.append(f"fixed chapter {fix.chapter} clip {fix.first_key[:8]}: {tried}; kept take {fix.kept} ({state})")
    if flagged:
        lines.append("")
        lines.append("Flagged clips (what was said, then what the recogniser heard):")
        lines.extend(line for clip in flagged for line in _clip_lines(clip))
    lines.append("")
    lines.append(_summary(report))
    return "\n".join(lines)


def _clip_lines(clip: ClipCheck) -> list[str]:
    take = f", take {clip.take}" if clip.take > 1 else ""
    head = f"- chapter {clip.chapter}, clip {clip.key[:8]}{take}: WER {clip.verdict.wer:.2f}; "
    lines = [head + "; ".join(clip.verdict.problems)]
    for label, text in (("text: ", clip.written), ("heard:", clip.verdict.heard or "(nothing)")):
        lines.extend(textwrap.wrap(text, WIDTH, initial_indent=f"    {label} ", subsequent_indent=" " * 11))
    return lines


def _summary(report: CheckReport) -> str:
    minutes = report.heard_seconds / 60
    rate = f", {report.elapsed / minutes:.1f} s per minute of audio" if minutes > 0 else ""
    text = (
        f"Checked {len(report.clips)} clip(s): {len(report.flagged)} flagged; heard {report.heard} new clip(s) "
        f"({minutes:.1f} min of audio) in {report.elapsed:.1f} s{rate}."
    )
    if report.missing:
        text += f"\n{report.missing} clip(s) are not synthesised yet: run 'narration build' (or 'synth') first."
    return text


def as_json(report: CheckReport) -> str:
    data: dict[str, Any] = {
        "chapters": [vars(row) for row in report.chapters],
        "flagged": [_clip_json(c) for c in report.flagged],
        "clips": len(report.clips),
        "missing": report.missing,
        "heard": report.heard,
        "heard_seconds": round(report.heard_seconds, 3),
        "elapsed": round(report.elapsed, 3),
        "fixes": [
            {
                "chapter": f.chapter,
                "key": f.first_key,
                "tried": {str(t): w for t, w in f.tried.items()},
                "kept": f.kept,
                "flagged": f.flagged,
            }
            for f in report.fixes
        ],
    }
    return json.dumps(data, indent=2, ensure_ascii=False)


def _clip_json(clip: ClipCheck) -> dict[str, Any]:
    return {
        "chapter": clip.chapter,
        "item": clip.item,
        "key": clip.key,
        "take": clip.take,
        "text": clip.written,
        "said": clip.verdict.said,
        "heard": clip.verdict.heard,
        "wer": round(clip.verdict.wer, 4),
        "problems": list(clip.verdict.problems),
    }
