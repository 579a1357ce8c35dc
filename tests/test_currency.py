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
