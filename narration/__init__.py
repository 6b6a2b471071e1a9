"""narration: turn a long text into an audiobook and a podcast.

Stages (data flows one way):
``text`` (clean, split, normalise) -> ``synth`` (engines, cache, scheduling)
-> ``audio`` (master, encode, chapters) -> ``publish`` (feed, transcripts, site, serve).
"""

__version__ = "0.1.0"
