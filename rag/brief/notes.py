"""Per-passage notes cached on disk, keyed by passage content, language, model, prompt and the
version of how a note is cut from the model's reply (NOTE_FORMAT: a change there must not leave
notes an older version made, or left empty, in place)."""
from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

NOTE_FORMAT = 3  # 2: a reply cut at the token limit keeps its finished clauses; 3: translated to the language


class NoteCache:
    def __init__(self, folder: Path, model: str, prompt_text: str):
        self.folder = Path(folder)
        self.salt = hashlib.sha256(f"{model}\n{prompt_text}\n{NOTE_FORMAT}".encode()).hexdigest()[:12]

    def _path(self, passage_hash: str, lang: str) -> Path:
        return self.folder / lang / f"{passage_hash}-{self.salt}.json"

    def get(self, passage_hash: str, lang: str) -> str | None:
        try:
            return json.loads(self._path(passage_hash, lang).read_text(encoding="utf-8"))["note"]
        except (OSError, ValueError, KeyError):
            return None  # missing or damaged: the note is simply made again

    def put(self, passage_hash: str, lang: str, note: str) -> None:
        path = self._path(passage_hash, lang)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".tmp{os.getpid()}")
        tmp.write_text(json.dumps({"note": note}, ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, path)
