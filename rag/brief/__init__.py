"""Cross-language briefings: map (cached per-passage notes) then reduce (a short overview)."""
from .briefer import Briefer, Briefing, Note

__all__ = ["Briefer", "Briefing", "Note"]
