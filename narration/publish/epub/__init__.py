"""The read-along EPUB 3 (``output/<book>.epub``): the chapters' text, their episode MP3s and a
Media Overlay per chapter that says where each sentence is spoken (from the transcripts' exact cues).

- :mod:`.parts`: the book as the EPUB sees it (names, blocks of sentences, clip times);
- :mod:`.xhtml`: one XHTML document per chapter and the navigation document;
- :mod:`.smil`: one SMIL overlay per chapter;
- :mod:`.opf`: the package document (metadata, manifest, spine) and the container;
- :mod:`.writer`: the ZIP, rewritten only when one of its members changed.
"""

from narration.publish.epub.writer import EpubInfo, epub_path, remove_epub, write_epub

__all__ = ["EpubInfo", "epub_path", "remove_epub", "write_epub"]
