"""Stage 3: audio. Assemble and master chapters, encode episodes and the chaptered M4B/MP3 audiobooks."""
