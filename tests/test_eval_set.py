"""The eval set itself: big enough, multilingual, and every quote really in its article."""
from collections import Counter
from decimal import Decimal

from rag.config import PROJECT_ROOT
from rag.evaluation.dataset import load_briefings, load_items
from rag.evaluation.score import dates_in, mentions
from rag.figures.verify import units_compatible
from tests.conftest import SEEDS

ITEMS = load_items(PROJECT_ROOT / "eval" / "questions.jsonl")
BRIEFINGS = load_briefings(PROJECT_ROOT / "eval" / "briefings.jsonl")


def _article(doc: str) -> str:
    return (SEEDS / doc).read_text(encoding="utf-8")


def test_size_languages_and_types():
    assert len(ITEMS) >= 90 and len({i.id for i in ITEMS}) == len(ITEMS)
    langs = Counter(i.lang for i in ITEMS)
    assert all(langs[lang] >= 30 for lang in ("en", "zh", "ko")), langs
    types = Counter(i.type for i in ITEMS)
    assert types["unanswerable"] >= 12 and types["conflict"] >= 6
    assert {"single", "multi", "entity"} <= set(types)
    assert len(BRIEFINGS) >= 6 and {b.lang for b in BRIEFINGS} == {"en", "zh", "ko"}


def test_most_questions_cross_languages():
    answerable = [i for i in ITEMS if i.answerable]
    doc_lang = {d: ("ko" if d[:3] in ("000", "003", "004") else "zh") for i in answerable for d in i.docs}
    cross = [i for i in answerable if all(doc_lang[d] != i.lang for d in i.docs)]
    assert len(cross) > len(answerable) / 2


def test_every_evidence_quote_is_in_its_article_and_holds_the_answer():
    for item in ITEMS:
        if not item.answerable:
            assert not item.gold and not item.evidence and not item.docs, item.id
            continue
        assert item.evidence and item.docs, item.id
        for quote in item.evidence:
            assert any(quote in _article(d) for d in item.docs), (item.id, quote)
        quotes = " ".join(item.evidence)
        for g in item.gold:
            assert any(m.value == Decimal(g.value) and units_compatible(m.unit, g.unit) for m in mentions(quotes)), \
                (item.id, g)
        if item.date:
            assert item.date in dates_in(quotes), item.id
        if item.accept:
            assert any(a in quotes for a in item.accept), item.id


def test_briefing_figures_are_in_their_documents():
    assert {(b.lang) for b in BRIEFINGS if b.docs == ["004_702c8b251f750e4a.txt"]} == {"en", "zh", "ko"}
    for b in BRIEFINGS:
        assert b.docs and all((SEEDS / d).exists() for d in b.docs) and {f["doc"] for f in b.figures} <= set(b.docs)
        for f in b.figures:
            found = mentions(_article(f["doc"]))
            assert any(m.value == Decimal(f["value"]) and units_compatible(m.unit, f["unit"]) for m in found), (b.id, f)
