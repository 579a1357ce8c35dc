"""The English-Chinese dictionary (rag/text/dictionary.py) and its keyword ranking, on entries and
passages written for the tests."""
import numpy as np
import pytest

from rag.index.store import StoredIndex
from rag.retrieval import HybridRetriever
from rag.text.dictionary import Dictionary, head_phrase
from rag.types import Passage

ENTRIES = """# a CC-CEDICT-format excerpt, invented for the tests
港口 港口 [gang3 kou3] /port/harbor/
口岸 口岸 [kou3 an4] /trading port/port/
货物 货物 [huo4 wu4] /goods/cargo/merchandise/
素数 素数 [su4 shu4] /prime number/
黄金 黄金 [huang2 jin1] /gold/prime (time etc)/
頭等 头等 [tou2 deng3] /first-class/prime/
灯塔 灯塔 [deng1 ta3] /lighthouse/CL:座[zuo4]/
灯 灯 [deng1] /lamp/
塔 塔 [ta3] /variant of 墖/
"""


@pytest.fixture
def dictionary() -> Dictionary:
    return Dictionary.from_lines(ENTRIES.splitlines())


def test_a_gloss_is_indexed_by_its_head_phrase():
    assert head_phrase("Song dynasty (960-1279)") == "song dynasty"
    assert head_phrase("to appoint") == "appoint" and head_phrase("see 燈塔|灯塔") == ""
    assert head_phrase("a very long gloss of more than four words") == ""


def test_the_longest_phrase_is_looked_up_first(dictionary):
    (match,) = dictionary.lookup("Which is the smallest prime number?")
    assert match.phrase == "prime number" and match.words == ("素数",)


def test_plurals_and_possessives_find_their_entry_and_direct_senses_come_first(dictionary):
    found = {m.phrase: m.words for m in dictionary.lookup("The port's cargoes")}
    assert found == {"port": ("港口", "口岸"), "cargo": ("货物",)}


def test_one_character_words_and_pointers_to_other_entries_are_not_indexed(dictionary):
    assert dictionary.lookup("How bright is the lamp?") == []
    assert "lighthouse" in dictionary.senses


def _retriever(dictionary: Dictionary, weight: float = 1.0) -> HybridRetriever:
    from rag.embed import FakeEmbedder

    texts = {"port": "诺尔维克港口的货物吞吐量为五万吨。", "ferry": "渡轮每天往返六次。", "park": "城市公园面积很大。"}
    passages = [Passage(pid, f"{pid}.txt", 0, 0, len(t), t, "zh", "", "", f"h{n}", [(0, len(t))])
                for n, (pid, t) in enumerate(texts.items())]
    emb = FakeEmbedder()
    index = StoredIndex({}, passages, np.asarray(emb.embed_passages(list(texts.values())), dtype=np.float32), {})
    return HybridRetriever(index, emb, mode="bm25", top_k=1, language_quota=0, dictionary=lambda: dictionary,
                           dictionary_weight=weight)


def test_an_english_question_reaches_a_chinese_passage_through_the_dictionary(dictionary):
    hit, = _retriever(dictionary).search("How much cargo does the port handle?").hits
    assert hit.passage.id == "port" and "bm25~dict" in hit.ranks


def test_only_words_the_corpus_writes_are_kept(dictionary):
    # 口岸 is a sense of "port" that no passage uses.
    toks = _retriever(dictionary).dictionary_tokens("the port")
    assert "港口" in toks and "口岸" not in toks


def test_a_chinese_question_or_weight_zero_gets_no_dictionary_ranking(dictionary):
    assert _retriever(dictionary).dictionary_tokens("港口的货物有多少？") == []
    assert not _retriever(dictionary, weight=0).search("How much cargo does the port handle?").hits


def test_the_installed_dictionary_matches_its_pinned_hash_and_knows_common_words():
    from rag.text import dictionary

    d = dictionary.load()
    assert "素数" in d.senses["prime number"] and "臭氧" in d.senses["ozone"]
