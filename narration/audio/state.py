"""``out_dir/.build-state.json``: which inputs each output file was last written from.

An output is current when the digest of its inputs is the one recorded and the file is still there
with the recorded size; a build rewrites only outputs that are not current.
"""

from __future__ import annotations

import json
from pathlib import Path

from narration import fsutil
from narration.paths import recorded_path

STATE = ".build-state.json"
VERSION = 1


class OutputState:
    def __init__(self, out_dir: Path, entries: dict[str, dict[str, object]] | None = None) -> None:
        self.out_dir = Path(out_dir)
        self.entries = entries or {}
        self.touched: set[str] = set()  # outputs this build kept or wrote
        self._saved = json.dumps(self.entries, sort_keys=True)

    @classmethod
    def load(cls, out_dir: Path) -> OutputState:
        try:
            data = json.loads((Path(out_dir) / STATE).read_text(encoding="utf-8"))
            entries = data["outputs"] if data.get("version") == VERSION else {}
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            entries = {}
        return cls(out_dir, entries if isinstance(entries, dict) else {})

    def _name(self, path: Path) -> str:
        return recorded_path(path, self.out_dir)

    def current(self, path: Path, key: str) -> bool:
        """Whether ``path`` was written from ``key`` and is still there, whole (changes nothing)."""
        entry = self.entries.get(self._name(path))
        if not isinstance(entry, dict) or entry.get("key") != key:
            return False
        try:
            return Path(path).stat().st_size == entry.get("size")
        except OSError:
            return False

    def keep(self, path: Path) -> None:
        """This build uses ``path`` as it is (so :meth:`remove_untouched` spares it)."""
        self.touched.add(self._name(path))

    def record(self, path: Path, key: str) -> None:
        """This build wrote ``path`` from ``key``."""
        self.touched.add(self._name(path))
        self.entries[self._name(path)] = {"key": key, "size": Path(path).stat().st_size}

    def forget_missing(self) -> None:
        self.entries = {k: v for k, v in self.entries.items() if (self.out_dir / k).exists()}

    def remove_untouched(self) -> list[str]:
        """Delete the outputs an earlier build wrote that this one no longer makes (a renamed
        chapter's episode, the book files under an old title); their names."""
        stale = sorted(name for name in self.entries if name not in self.touched)
        for name in stale:
            if not Path(name).is_absolute():
                (self.out_dir / name).unlink(missing_ok=True)
            del self.entries[name]
        return stale

    def save(self) -> None:
        """Write the state if it changed (atomically)."""
        text = json.dumps(self.entries, sort_keys=True)
        if text != self._saved:
            fsutil.write_text(self.out_dir / STATE, json.dumps({"version": VERSION, "outputs": self.entries}, indent=1))
            self._saved = text
