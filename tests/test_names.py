"""Names in briefing notes: the glossary given to the model, the check of what it wrote, and the
note built from the figures index when the model's note fails."""
import pytest

from rag.brief.names import invented_names
from rag.llm.fake import FakeLLM
from rag.pipeline import Pipeline
from rag.text.glossary import lines_for, name_in, pinyin_words

GRAIN = "截至2020年底,广东省异地储备粮黑龙江在储量51.65万吨。广东省支持星湖科技公司整体搬迁至肇东市。"
PAIR = ["Heilongjiang", "Guangdong"]


def test_glossary_lines_name_the_sources_terms_in_the_target_language():
    assert lines_for(GRAIN, "en") == ["黑龙江 = Heilongjiang", "广东 = Guangdong"]
    assert "哈尔滨 = 할빈" in lines_for("哈尔滨市", "ko")
    assert lines_for("할빈에서 흑룡강성 간부 407명", "zh") == ["흑룡강 = 黑龙江", "할빈 = 哈尔滨", "간부 = 干部"]
    assert name_in("Qiqihar", "ko") == "치치할" and name_in("Qiqihar", "zh") == "齐齐哈尔"


def test_pinyin_of_the_source_vouches_for_transliterated_names():
    words = pinyin_words(GRAIN)
    assert {"xinghu", "zhaodong", "guangdong"} <= words
    assert "huergen" not in pinyin_words("许勤在哈尔滨调研")


@pytest.mark.parametrize("note, lang, source, bad", [
    ("By the end of 2020, Guangdong stored 516,500 tonnes of grain in Heilongjiang.", "en", GRAIN, []),
    ("Guangdong moved Xinghu Technology to Zhaodong.", "en", GRAIN, []),
    ("Black Dragon province stored 51.65万吨 of grain.", "en", GRAIN, ["Black", "Dragon"]),
    ("Xu Qin surveyed Harbin.", "en", "许勤在哈尔滨调研", []),
    ("Huergen surveyed Harbin.", "en", "许勤在哈尔滨调研", ["Huergen"]),
    ("Guangdong sent grain to South Korea.", "en", GRAIN, ["South Korea"]),
    ("대한민국과 광동성은 51.65만톤을 비축했다.", "ko", GRAIN, ["South Korea"]),
    ("광동성은 흑룡강에 51.65만톤의 량곡을 비축했다.", "ko", GRAIN, []),
    ("长春向广东输送粮食。", "zh", GRAIN, ["Changchun"]),
])
def test_invented_names(note, lang, source, bad):
    assert invented_names(note, lang, source, PAIR) == bad


def test_a_note_with_an_invented_name_is_replaced_by_the_figure_note(built):
    config, emb = built
    # Every note the model writes names a place no passage is about.
    llm = FakeLLM(["Black Dragon Province and Korea agreed to cooperate."] * 8 + ["NOT_FOUND"])
    b = Pipeline(config, embedder=emb, llm=llm).warm_up().briefer().run("Heilongjiang–Guangdong", "en")
    assert b.notes and all(n.kind == "figure" for n in b.notes)
    assert not any("Dragon" in n.text or "Korea" in n.text for n in b.notes)
    assert b.timings["notes_from_figures"] == len(b.notes)
    # The note gives the figure as the source writes it, and cites its own passage.
    n = b.notes[0]
    cited = next(c for c in b.citations if c.marker == n.marker)
    assert cited.passage_id == n.passage_id and n.figures[0].source_text in cited.quote
    assert n.figures[0].source_text in n.text and n.text.endswith(f"[{n.marker}]")
    # Every note shows the source sentence that holds its figure, not just any sentence of the passage.
    assert all(m.figures[0].source_text in m.quote for m in b.notes)
    # The prompt carried the glossary of the passage's names.
    assert any("= Heilongjiang" in call[-1]["content"] for call in llm.calls)
