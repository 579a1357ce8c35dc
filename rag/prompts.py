"""Prompt templates live in prompts/ as files; this loads and fills them."""
from __future__ import annotations

import functools
import json
import re
from pathlib import Path

_FIELD = re.compile(r"\{(\w+)\}")


class Prompts:
    def __init__(self, folder: Path):
        self.folder = Path(folder)

    @functools.lru_cache(maxsize=32)  # noqa: B019 - a few long-lived Prompts; the shared cache is kept as it was
    def template(self, name: str) -> str:
        return (self.folder / name).read_text(encoding="utf-8")

    def render(self, name: str, **values) -> str:
        return _fill(self.template(name), values).strip("\n")

    @functools.cached_property
    def messages(self) -> dict:
        return json.loads(self.template("messages.json"))

    def message(self, kind: str, lang: str, **values) -> str:
        table = self.messages[kind]
        return _fill(table.get(lang) or table["en"], values)

    def label(self, kind: str, lang: str, key: str, **values) -> str:
        """One entry of a per-language table of labels (messages.json "brief"), filled in."""
        table = self.messages[kind]
        return _fill((table.get(lang) or table["en"])[key], values)


def _fill(template: str, values: dict) -> str:
    """One pass over the template only, so a value containing "{question}" is never expanded."""
    return _FIELD.sub(lambda m: str(values[m.group(1)]) if m.group(1) in values else m.group(0), template)
