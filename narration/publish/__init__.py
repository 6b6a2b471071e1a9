"""Stage 4: publish. Podcast feed, transcripts, chapters JSON, a static web page, a local server."""
