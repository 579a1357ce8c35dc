"""원 is yuan or won by the source: decided per article from its own evidence, overridable per source."""
import json

from rag.cli import main
from rag.ingest.currency import currency_of, yanbian_spelling

# Texts written for these tests. Yanbian spelling keeps the initial ㄹ/ㄴ (력사, 로동, 녀성, 리용, 량).
YANBIAN = ("청석시는 올해 로동자 3000명을 새로 고용했다. 력사문화거리 건설에 리용된 자금은 5억원이며 "
           "녀성 창업자는 량적으로 늘었다. 련합회는 령도간부 회의를 열었다.")
SEOUL = ("청석시는 올해 노동자 3000명을 새로 고용했다. 역사문화거리 건설에 이용된 자금은 5억원이며 "
         "여성 창업자는 양적으로 늘었다. 연합회는 리그 일정과 뉴스를 발표했다.")


def test_spelling_tells_yanbian_from_seoul():
    assert yanbian_spelling(YANBIAN) and not yanbian_spelling(SEOUL)
    assert currency_of(YANBIAN, "ko") == "yuan" and currency_of(SEOUL, "ko") == "won"


def test_an_amount_in_yuan_decides_but_the_word_wianbu_does_not():
    assert currency_of(SEOUL + " 환산하면 2700만 위안이다.", "ko") == "yuan"
    assert currency_of(SEOUL + " 위안부 문제도 논의됐다.", "ko") == "won"


def test_the_sites_country_decides_when_the_text_does_not():
    neutral = "청석시는 올해 자금 5억원을 투입했다."
    assert currency_of(neutral, "ko", "https://news.example.cn/a.html") == "yuan"
    assert currency_of(neutral, "ko", "https://news.example.kr/a.html") == "won"
    assert currency_of("港口投资5亿元。", "zh") == "yuan" and currency_of("It cost 5 million.", "en") == ""


def test_the_user_overrides_it_per_source(env, tmp_path, capsys):
    f = tmp_path / "seoul_news.txt"
    f.write_text("청석 항만 소식\n\n" + YANBIAN, encoding="utf-8")
    assert main(["index", "--currency", "won", str(f)]) == 0
    capsys.readouterr()
    assert main(["sources", "--json"]) == 0
    rows = {json.loads(x)["doc"]: json.loads(x) for x in capsys.readouterr().out.splitlines()}
    assert rows["seoul_news.txt"]["currency"] == "won"
    assert rows["000_85d1f8fe76fc433a.txt"]["currency"] == "yuan"


def test_a_south_korean_articles_won_is_extracted_as_won(tiny_corpus):
    pipe = tiny_corpus({"seoul.txt": "청석 소식\n\n" + SEOUL + "\n", "yanbian.txt": "청석 소식\n\n" + YANBIAN + "\n"})
    units = {f.doc: f.unit for f in pipe.index.figures if f.text == "5억원"}
    assert units == {"seoul.txt": "won", "yanbian.txt": "yuan"}


def test_won_is_rendered_as_won_in_every_language():
    from decimal import Decimal

    from rag.figures import format_value

    v = Decimal(500000000)
    assert [format_value(v, "won", lang) for lang in ("en", "zh", "ko")] == ["500 million won", "5亿韩元", "5억원"]


def test_an_english_word_won_after_a_year_is_no_currency():
    from rag.figures import parse_figures

    assert [(m.text, m.unit) for m in parse_figures("In 2018 they won the cup, worth 3 billion won.")] == \
        [("2018", ""), ("3 billion won", "won")]


def test_an_answer_quoting_a_south_korean_amount_is_verified_and_glossed_as_won(tiny_corpus):
    pipe = tiny_corpus({"seoul.txt": "청석 소식\n\n" + SEOUL + "\n"},
                       ["역사문화거리 건설에 이용된 자금은 5억원이다. [1]"])
    a = pipe.ask("청석시 역사문화거리 건설에 이용된 자금은 얼마인가?", "en")
    assert a.figures and all(c.supported and c.unit == "won" for c in a.figures), a.figures
    assert "500 million won" in a.answer and "yuan" not in a.answer, a.answer
