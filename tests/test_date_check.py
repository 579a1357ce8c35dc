"""DateVerifier: an answer's dates checked against its cited passages, on passages written for the test."""
from rag.figures.date_check import DateVerifier, date_mentions
from rag.ingest.clean import body_spans
from rag.text.sentences import split
from rag.types import Passage

PASSAGE = ("2031年3月，该市任命了新的港务局长。"
           "2031年7月14日，两市正式签署了友好港口协议，合作范围扩大到物流。")


def _index(passage: str) -> tuple[dict, dict]:
    sentences = [(s.start, s.end) for s in split(passage, body_spans(passage))]
    return {"p1": Passage("p1", "d.txt", 0, 0, len(passage), passage, "zh", "", "", "h", sentences)}, {"d.txt": passage}


def _verify(answer: str, passage: str = PASSAGE, **kw):
    return DateVerifier(*_index(passage), **kw).run(answer, ["p1"])


def test_a_date_taken_from_another_sentence_is_rewritten_from_the_claims_own():
    v = _verify("2031年3月，两市正式签署了友好港口协议。 [1]")
    assert v.text == "2031年7月14日，两市正式签署了友好港口协议。 [1]"
    assert [c.repaired for c in v.checks] == ["2031年7月14日"]


def test_the_right_date_for_the_claim_is_left_alone():
    v = _verify("2031年3月，该市任命了新的港务局长。 [1]")
    assert v.text == "2031年3月，该市任命了新的港务局长。 [1]" and v.all_supported


def test_a_coarser_date_than_the_sources_is_supported():
    v = _verify("The two cities signed the agreement in 2031. [1]")
    assert v.all_supported and v.text.endswith("in 2031. [1]")


def test_a_date_no_cited_passage_gives_is_unsupported():
    v = _verify("机场于2029年建成。 [1]")
    assert not v.all_supported and v.text == "机场于2029年建成。 [1]"


def test_an_invented_year_for_a_claim_the_sources_date_is_rewritten():
    v = _verify("两市于2029年签署了友好港口协议。 [1]")
    assert v.text == "两市于2031年7月14日签署了友好港口协议。 [1]"


def test_a_clause_with_two_dates_is_not_realigned():
    v = _verify("协议从2031年3月到2033年3月有效，两市正式签署了友好港口协议。 [1]")
    assert "2031年3月" in v.text and not v.all_supported  # 2033年3月 is in no passage


def test_an_invented_year_is_dropped_where_the_source_gives_none():
    v = _verify("시 정부가 새 항구를 연 날짜는 1998년 9월 3일이다. [1]",
                "9월 3일 시 정부는 새 항구를 열었다. 2031년 1월 5일 시장은 예산을 발표했다.")
    assert "날짜는 9월 3일이다" in v.text and v.all_supported


def test_a_day_without_a_year_supports_it_in_a_passage_naming_that_year():
    v = _verify("2031년 9월 3일 시 정부는 새 항구를 열었다. [1]",
                "2031년 시 예산이 늘었다. 9월 3일 시 정부는 새 항구를 열었다.")
    assert v.all_supported and "2031년 9월 3일" in v.text


def test_a_decade_is_not_a_year():
    assert date_mentions("1980년대에도 이런 시위는 없었다.") == []


def test_korean_sentences_are_told_apart():
    v = _verify("시장이 예산을 발표한 것은 2031년 9월 3일이다. [1]",
                "9월 3일 시 정부는 새 항구를 열었다. 이후 11월 5일 시장은 올해 예산을 발표하였다.")
    assert "11월 5일" in v.text


def test_english_forms_are_read():
    keys = [d.key for d in date_mentions("On May 18, 2031 and 3 June 2032, then in March 2033 and in 2034.")]
    assert keys == [(2031, 5, 18), (2032, 6, 3), (2033, 3, 0), (2034, 0, 0)]


def test_a_bare_number_is_not_a_date():
    assert date_mentions("It handled 2031 containers and 1500 tonnes.") == []


def test_an_answer_with_an_unsupported_date_is_low_confidence(tiny_corpus):
    doc = ("港口新闻\n\n发布时间:2031-08-01 09:00:00\n\n2031年7月14日，两市正式签署了友好港口协议。"
           "港口扩建工程已经启动，新泊位吞吐量为52万吨。\n")
    answered = tiny_corpus({"port.txt": doc}, ["港口扩建工程于2029年5月启动，新泊位吞吐量为52万吨。[1]"]).ask(
        "港口扩建工程何时启动？")
    assert not answered.abstained and answered.confidence == "low"
    assert [(d.text, d.supported) for d in answered.dates] == [("2029年5月", False)]
    assert answered.to_dict()["dates"][0]["supported"] is False


def test_the_questions_own_date_is_not_the_answer():
    passage = ("2031년 4월 2일 시장은 퇴진할 수도 있다고 밝혔다. "
               "이후 5월 20일에 기자회견을 열고 6월 6일부로 사임할 것이라고 밝혔다.")
    question = "2031년 6월 6일부로 사임할 것이라고 기자회견을 연 것은 언제인가?"
    answer = "2031년 6월 6일부로 사임할 것이라고 기자회견을 연 것은 2031년 4월 2일이다. [1]"
    v = DateVerifier(*_index(passage)).run(answer, ["p1"], question)
    assert "연 것은 5월 20일이다" in v.text and "2031년 6월 6일부로" in v.text
