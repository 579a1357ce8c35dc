"""Names a briefing note may use: those its source passage holds, by glossary or by pinyin.

Figures are verified against the source; names need their own check, because a small model
translating a Chinese or Korean passage invents them ("Black Dragon" for 黑龙江, "대한민국" in a
passage about Guangdong). A note naming anything its passage cannot vouch for is not used.
"""
from __future__ import annotations

import re

from ..figures.context import entities_in, with_provinces
from ..text.glossary import english_names_for, pinyin_words

# Capitalised English words that are not names, or are names of no single place or person.
_GENERIC = frozenset("""
a an the in on at by as for from with since during after before this these those both its it over about
nearly more than of and to up until through under between among while when where which who what how
january february march april may june july august september october november december
monday tuesday wednesday thursday friday saturday sunday
party secretary committee province provincial city cities municipal government people's people
cpc communist china chinese korean yuan rmb bay area greater free trade zone pilot industrial park parks
expo fair forum conference group co ltd company companies corporation bank county district new area
northeast northeastern south southern north northern east west central state council national
hong kong macao macau
technology technologies science sciences development investment holdings industry industries agriculture
agricultural biological biotech pharmaceutical pharmaceuticals medical medicine logistics trading energy
international port railway airport university hospital school institute center centre base station
exhibition week festival summit association office bureau department commission fund
""".split())


def allowed_places(source: str, article_places: list[str]) -> set[str]:
    return with_provinces(set(entities_in(source)) | set(article_places))


def invented_names(note: str, lang: str, source: str, article_places: list[str]) -> list[str]:
    """Names in `note` that neither its source passage nor that passage's article vouches for."""
    places = allowed_places(source, article_places)
    bad = [p for p in entities_in(note) if p not in places]
    if lang != "en":
        return bad
    known = _GENERIC | english_names_for(source) | pinyin_words(source)
    known |= {w.lower() for w in re.findall(r"[A-Za-z]+", source)}
    known |= {w.lower() for p in places | set(bad) for w in re.findall(r"[A-Za-z]+", p)}
    for word in re.findall(r"\b[A-Z][A-Za-z]*(?:['’]s)?", note):
        w = re.sub(r"['’]s$", "", word).lower()
        if w not in known and w not in bad:
            bad.append(word)
    return bad
