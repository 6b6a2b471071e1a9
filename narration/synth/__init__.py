"""Stage 2: synth. TTS engines behind a small Protocol, a content-addressed clip cache, parallel scheduling."""
