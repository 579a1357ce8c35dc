"""Figures: parsing in zh/ko/en, rendering, extraction with context, answer verification, conflicts."""
from .parse import Mention, numbers, parse_figures
from .render import annotate_english, english_amount, format_value, gloss_figures

__all__ = ["Mention", "numbers", "parse_figures", "annotate_english", "english_amount", "format_value", "gloss_figures"]
