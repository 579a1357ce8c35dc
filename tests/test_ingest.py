import pytest

from rag.errors import BadInput
from rag.ingest import lang, parse_text, read_article
from rag.ingest.decode import decode
from tests.conftest import SEEDS, seed_text


def test_seed_metadata():
    arts = {p.name[:3]: read_article(p) for p in SEEDS.iterdir()}
    assert arts["002"].date == "2024-10-18" and not arts["002"].date_inferred
    assert arts["002"].title == "携手记|千年商都+大国重器,穗鹤合作焕发新活力"
    assert arts["002"].outlet == "南方网"
    assert arts["003"].date == "2024-05-21" and arts["003"].language == "ko"
    assert arts["004"].date == "2021-11-23" and arts["004"].outlet == "길림일보"
    # Undated articles get an inferred as-of date from the latest date they mention.
    assert arts["001"].date == "2021-09-12" and arts["001"].date_inferred
    assert arts["000"].date == "2022-12-31" and arts["000"].date_inferred
    assert {a.language for a in arts.values()} == {"zh", "ko"}


def test_chrome_is_stripped_and_offsets_point_into_the_file():
    a = read_article(next(SEEDS.glob("003_*")))
    body = "\n".join(a.text[s:e] for s, e in a.spans)
    for chrome in ("2.jpeg", "版权所有", "国内统一刊号", "ICP备", "관련 기사", "출처:"):
        assert chrome not in body
    assert "허근은 할빈에서 대외개방 협력업무를 조사 연구했다" in body
    for s, e in a.spans:
        assert a.text[s:e].strip() == a.text[s:e]


def test_exact_duplicate_section_is_dropped():
    a = read_article(next(SEEDS.glob("001_*")))
    body = "\n".join(a.text[s:e] for s, e in a.spans)
    sentence = "中国一重为黄埔造船厂量身定做14套船舶关键部件"
    assert a.text.count(sentence) == 2 and body.count(sentence) == 1


@pytest.mark.parametrize("encoding", ["gbk", "gb18030", "utf-16", "utf-8-sig"])
def test_decodes_chinese_legacy_encodings(encoding):
    text = seed_text("001")[:600]
    decoded, enc = decode(text.encode(encoding))
    assert decoded.replace("\r\n", "\n") == text


def test_decodes_euc_kr():
    text = "흑룡강성은 도합 407명의 간부를 광동에 파견하였다. 두 성은 관광협력협의를 체결하였다."
    decoded, enc = decode(text.encode("euc-kr"))
    assert decoded == text and enc == "euc-kr"


@pytest.mark.parametrize("data,msg", [(b"", "empty"), (b"   \n", "empty"), (bytes(range(256)) * 40, "binary"),
                                      (b"\x89PNG\r\n\x1a\n" + b"\x00" * 300, "binary")])
def test_rejects_empty_and_binary(data, msg):
    with pytest.raises(BadInput, match=msg):
        decode(data)


def test_unsupported_file_type(tmp_path):
    p = tmp_path / "a.docx"
    p.write_bytes(b"PK\x03\x04")
    with pytest.raises(BadInput, match="unsupported file type"):
        read_article(p)


def test_html_is_reduced_to_visible_text(tmp_path):
    p = tmp_path / "page.html"
    para = "截至2020年,两省互派341名干部挂职锻炼，涉及发改、工信、商务等部门，挂职期限一般为一年。" * 2
    p.write_text(f"<html><head><title>测试</title><script>var x=1;</script></head><body><p>{para}</p></body></html>",
                 encoding="utf-8")
    a = read_article(p)
    assert "var x" not in a.text and "341名干部" in a.text and a.language == "zh"


def test_a_page_with_only_a_line_of_text_is_no_article(tmp_path):
    p = tmp_path / "stub.html"
    p.write_text("<html><body><p>页面不存在，请返回首页。</p></body></html>", encoding="utf-8")
    with pytest.raises(BadInput, match="no article body"):
        read_article(p)


@pytest.mark.parametrize("text,code", [("How many cadres?", "en"), ("两省合作项目总签约额是多少？", "zh"),
                                       ("장춘과 사평의 총투자는?", "ko"), ("幹部は何人派遣されましたか", "ja"),
                                       ("Сколько кадров направлено?", "ru"), ("???", "und")])
def test_language_detection(text, code):
    assert lang.detect(text) == code


def test_text_without_body_is_rejected():
    with pytest.raises(BadInput):
        parse_text("2.jpeg\n0\n", "x.txt")
