"""The UI's services with the fake model, and the Gradio layout building on top of them."""
import pytest

from rag.errors import BadInput
from rag.llm.fake import FakeLLM
from rag.ui.services import MAX_UPLOAD_BYTES, Services


@pytest.fixture
def services(built):
    config, emb = built
    return Services(config, embedder=emb, llm=FakeLLM()).warm_up()


def test_ask_shows_evidence_first_then_cited_answer(services):
    updates = list(services.ask("两省对俄贸易额2019年是多少？", "auto"))
    first, last = updates[0], updates[-1]
    assert first.answer_md == "…" and "<mark>" in first.evidence_html and first.sources_html == ""
    assert len(updates) > 2  # streamed pieces in between
    assert 'href="#cite-1"' in last.answer_md and "id='cite-1'" in last.sources_html
    assert "<mark>" in last.sources_html and "1957.10" in last.sources_html
    assert "badge ok" in last.answer_md and "confidence high" in last.status


def test_ask_rejects_empty_question(services):
    (u,) = list(services.ask("   ", "auto"))
    assert u.status == "error" and "empty" in u.answer_md


def test_figures_sources_topics(services):
    rows = services.figures("Qiqihar government service")
    assert {r[0] for r in rows} >= {"84개", "133项"}
    assert len(services.sources()) == 5 and all(r[-1] > 0 for r in services.sources())
    assert any("Qiqihar" in t for t in services.topics("en"))
    assert services.investment_chart().axes


def test_a_scale_word_alone_is_listed_as_the_bound_it_is(services):
    # 投资超亿元项目33个: "亿元" is "over 100 million yuan", not an amount of 100 million.
    row = next(r for r in services.figures("") if r[0] == "亿元")
    assert row[1] == "over 100 million yuan" and "超亿元" in row[5]


def test_upload_limits_and_add_remove(services, tmp_path):
    bad = tmp_path / "a.docx"
    bad.write_bytes(b"PK\x03\x04")
    with pytest.raises(BadInput, match="only"):
        services.add_source(str(bad))
    big = tmp_path / "big.txt"
    big.write_bytes(b"a" * (MAX_UPLOAD_BYTES + 1))
    with pytest.raises(BadInput, match="limit"):
        services.add_source(str(big))
    good = tmp_path / "zz_new.txt"
    good.write_bytes("哈尔滨新区今年引进项目42个，总投资88.8亿元。".encode("gbk"))
    assert "added zz_new.txt" in services.add_source(str(good))
    assert any(r[0] == "zz_new.txt" for r in services.sources())
    assert any(r[0] == "88.8亿元" for r in services.figures("", "zz_new"))
    services.remove_source("zz_new.txt")
    assert not any(r[0] == "zz_new.txt" for r in services.sources())


def test_an_index_written_by_another_process_is_picked_up(services, built, tmp_path):
    from rag.embed import FakeEmbedder
    from rag.indexer import Indexer

    config, _ = built
    extra = tmp_path / "cron"
    extra.mkdir()
    (extra / "zz_cron.txt").write_text("哈尔滨新区今年引进项目42个，总投资77.7亿元。", encoding="utf-8")
    assert services.refresh() is False  # nothing changed yet
    Indexer(config, FakeEmbedder()).run([extra])  # `rag index` from cron, another process's objects
    assert any(r[0] == "zz_cron.txt" for r in services.sources())
    last = list(services.ask("哈尔滨新区今年引进项目总投资多少？", "auto"))[-1]
    assert "77.7" in last.answer_md and "zz_cron.txt" in last.sources_html


def test_layout_builds(services):
    from rag.ui.app import build

    demo = build(services)
    assert demo.title == "newsrag"


def test_the_chart_follows_the_filter_and_counts_a_rounding_once(services):
    def labels(fig):
        return [t.get_text() for t in fig.axes[0].get_yticklabels()]

    everything = labels(services.investment_chart())
    # 接近5000亿元(达到4901亿元): the rounding beside its exact figure is not a bar of its own
    assert any("490.1 billion" in x for x in everything) and not any("500 billion" in x for x in everything)
    filtered = labels(services.investment_chart("Changchun"))
    assert filtered and len(filtered) < len(everything) and all("004_" in x for x in filtered)


def test_the_figure_filter_finds_an_uploaded_article_by_its_title(services, tmp_path):
    f = tmp_path / "zz_port.txt"
    f.write_text("青石港扩建工程\n\n项目总投资12.5亿元，新增泊位6个。\n", encoding="utf-8")
    services.add_source(str(f))
    assert any(r[3] == "zz_port.txt" for r in services.figures("扩建工程"))
    services.remove_source("zz_port.txt")


def _answer(relevant: bool, supported: bool = True):
    from rag.types import Answer, Citation, FigureCheck, Timings

    figures = [FigureCheck("300 visitors", "300", "people", supported), FigureCheck("12 days", "12", "days", True)]
    cited = [Citation(1, "a.txt", "Lantern fair closes", "2024-02-01", "a.txt#0", 0, 10, "It drew 300 visitors")]
    return Answer("q", "It drew 300 visitors in 12 days. [1]", "en", False, cited, Timings(), "m", figures=figures,
                  confidence="high" if relevant and supported else "low", relevant=relevant)


def test_a_figure_is_verified_only_when_its_sentence_is_about_the_question():
    from rag.ui.services import render_answer

    assert "300 visitors · verified" in render_answer(_answer(True))
    off = render_answer(_answer(False))
    assert "verified" not in off and "may not answer the question" in off and "badge warn" in off
    # It says plainly which story the figure comes from.
    assert "come from “Lantern fair closes” (2024-02-01), which may be a different story" in off
    unsupported = render_answer(_answer(True, supported=False))
    assert "300 visitors · not supported" in unsupported and "12 days · verified" in unsupported
    # An unsupported figure beside an off-question sentence: the supported one is not "verified" either.
    both = render_answer(_answer(False, supported=False))
    assert "not supported" in both and "verified" not in both


def test_cited_sources_show_the_article_without_its_page_furniture():
    from rag.types import Article, Citation
    from rag.ui.services import render_sources

    text = "北辰站开通\n发布时间:2024-05-01 09:00\n北辰站共设出入口六个。\n编辑：王明\n车站于二零一九年投入使用。"
    start = text.index("北辰站共设")
    art = Article("s.txt", text, "sha", "zh", "北辰站开通", False, "", False, "", "utf-8")
    cite = Citation(1, "s.txt", "北辰站开通", "", "s.txt#0", start, start + 11, text[start:start + 11])
    shown = render_sources([cite], {"s.txt": art})
    assert "<mark>北辰站共设出入口六个。</mark>" in shown and "投入使用" in shown
    assert "发布时间" not in shown and "编辑" not in shown
