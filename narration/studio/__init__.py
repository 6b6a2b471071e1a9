"""``narration studio``: edit the scripts and listen in the browser, every output rebuilt as you save.

- :mod:`narration.studio.server` — a running studio (:class:`Studio`): web server, watcher, rebuilds;
- :mod:`narration.studio.app` — the WSGI app: the outputs as ``narration serve``, the page, the API, its safety checks;
- :mod:`narration.studio.rebuild` — the rebuild queue (one thread, generations, events);
- :mod:`narration.studio.watcher` — watching ``scripts/`` (watchfiles);
- :mod:`narration.studio.edits` — page edits written into the scripts, the rest of each file kept;
- :mod:`narration.studio.views` — a chapter's text with each sentence's cue, for the read-along page.
"""
