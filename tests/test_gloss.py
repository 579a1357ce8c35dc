"""NameGlosser: the source's words beside the names an answer translated, only where a cited passage holds them."""
from rag.answering.gloss import gloss, parse_pairs

PASSAGE = "北辰港 位于东河口，港务局局长 林秋水 于2019年上任。"


def test_pairs_are_read_one_per_line_in_the_usual_shapes():
    reply = "- Beichen Port = 北辰港\nLin Qiushui: 林秋水\nNONE\n• harbour office → 港务局"
    assert parse_pairs(reply) == [("Beichen Port", "北辰港"), ("Lin Qiushui", "林秋水"), ("harbour office", "港务局")]


def test_a_name_gets_its_source_words_after_its_first_use():
    text = "Lin Qiushui heads the office; Lin Qiushui took over in 2019. [1]"
    out = gloss(text, [("Lin Qiushui", "林秋水")], [PASSAGE])
    assert out.text == "Lin Qiushui (林秋水) heads the office; Lin Qiushui took over in 2019. [1]"


def test_source_words_no_cited_passage_holds_are_not_added():
    out = gloss("Lin Qiushui heads the office. [1]", [("Lin Qiushui", "林秋山")], [PASSAGE])
    assert out.text == "Lin Qiushui heads the office. [1]" and out.pairs == []


def test_words_the_answer_does_not_use_or_figures_are_not_glossed():
    text = "The port opened in 2019. [1]"
    assert gloss(text, [("Beichen", "北辰港"), ("2019", "2019年")], [PASSAGE]).text == text


def test_an_answer_citing_another_language_gets_its_names_glossed(tiny_corpus):
    doc = {"port.txt": "港口简讯\n\n北辰港港务局局长林秋水于2019年上任，北辰港位于东河口。\n"}
    pipe = tiny_corpus(doc, ["The director Lin Qiushui took office in 2019. [1]", "Lin Qiushui = 林秋水"],
                       gloss_names=True)
    a = pipe.ask("Who became director of the Beichen port office in 2019?")
    assert not a.abstained and "Lin Qiushui (林秋水)" in a.answer, a.answer
    follow_up = pipe.llm.calls[1]
    assert follow_up[-2]["role"] == "assistant" and follow_up[:2] == pipe.llm.calls[0]


def test_an_answer_in_its_sources_language_asks_nothing_more(tiny_corpus):
    doc = {"port.txt": "港口简讯\n\n北辰港港务局局长林秋水于2019年上任，北辰港位于东河口。\n"}
    pipe = tiny_corpus(doc, ["林秋水于2019年上任北辰港港务局局长。 [1]"], gloss_names=True)
    a = pipe.ask("北辰港港务局局长是谁？")
    assert not a.abstained and len(pipe.llm.calls) == 1
