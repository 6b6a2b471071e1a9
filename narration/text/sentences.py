"""Sentence segmentation and engine-sized chunking. (Stub: to be replaced by the spoken-form work.)"""

from __future__ import annotations

import re


def split_sentences(text: str) -> list[str]:
    """Split written text into sentences (as written)."""
    parts = re.split(r"(?<=[.!?])\s+", text.strip())
    return [p for p in parts if p]


def chunk_sentences(sentences: list[str], max_chars: int) -> list[list[str]]:
    """Group consecutive sentences into pieces of at most ``max_chars`` characters."""
    pieces: list[list[str]] = []
    size = 0
    for sentence in sentences:
        if pieces and size + len(sentence) + 1 <= max_chars:
            pieces[-1].append(sentence)
            size += len(sentence) + 1
        else:
            pieces.append([sentence])
            size = len(sentence)
    return pieces
