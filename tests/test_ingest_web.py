"""Real news in: web pages, feeds, PDFs and URLs, on small pages written for these tests.

The HTTP tests start a real server on 127.0.0.1 (a thread of http.server), never a mock."""
import http.server
import json
import sys
import threading
import time
import typing

import pytest

from rag.cli import main
from rag.config import Config
from rag.errors import BadInput
from rag.ingest import lang, read_article, read_sources
from rag.ingest.decode import declared_encoding, decode

BODY_ZH = (("本报讯 青石市今年前三季度港口吞吐量达到1.2亿吨，同比增长8.5%，其中集装箱吞吐量突破300万标箱。"
           "市港务局负责人介绍，新建的三号码头已于6月投入使用，全年预计可新增吞吐能力2000万吨。"),
           "据了解，青石港今年新开通国际航线5条，与周边12个港口建立了合作关系，外贸货物占比提高到45%。")
BODY_EN = (("The harbour authority of Stonebay said on Monday that the port handled 120 million tonnes of cargo in "
            "the first nine months of the year, up 8.5 percent, as a new container terminal opened in June."),
           ("Officials expect the new terminal to add 20 million tonnes of capacity a year, and five international "
            "shipping routes were opened this year, bringing the share of foreign trade cargo to 45 percent."))
NAV = ["首页", "新闻中心", "图片频道", "关于我们", "联系我们"]


LATIN_CHROME = ("Most read", ("Another headline one", "Another headline two"), "All rights reserved")
KOREAN_CHROME = ("많이 본 뉴스", ("다른 기사 하나", "다른 기사 둘"), "무단 전재 금지")


def page(title: str, paragraphs, nav=NAV, lang_attr="zh-CN", charset="utf-8", date="2024-03-05",
         extra_head="", site="青石日报",
         chrome=("热门推荐", ("另一条新闻标题一", "另一条新闻标题二"), "版权所有 青石日报社 ICP备12345678号")) -> str:
    aside, links, footer = chrome
    menu = "".join(f'<li><a href="/{k}">{m}</a></li>' for k, m in enumerate(nav))
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return f"""<!DOCTYPE html><html lang="{lang_attr}"><head><meta charset="{charset}">
<title>{title} - {site}</title><meta property="og:title" content="{title}">
<meta property="og:site_name" content="{site}">
<meta property="article:published_time" content="{date}T08:00:00+08:00">{extra_head}</head>
<body><header><nav><ul>{menu}</ul></nav></header>
<main><article><h1>{title}</h1><div class="content">{body}</div></article></main>
<aside><h3>{aside}</h3><ul><li><a href="/x1">{links[0]}</a></li><li><a href="/x2">{links[1]}</a></li></ul></aside>
<footer><p>{footer}</p></footer></body></html>"""


def write(tmp_path, name: str, data) -> object:
    p = tmp_path / name
    p.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    return p


def test_web_page_keeps_the_article_and_drops_the_furniture(tmp_path):
    a = read_article(write(tmp_path, "port.html", page("青石港前三季度吞吐量增长", BODY_ZH)))
    kept = "\n".join(a.text[s:e] for s, e in a.spans)
    assert "1.2亿吨" in kept and "外贸货物占比提高到45%" in kept
    assert not any(w in kept for w in ["热门推荐", "版权所有", "新闻中心", "另一条新闻标题"])
    assert a.title == "青石港前三季度吞吐量增长" and a.language == "zh"
    assert (a.date, a.date_source) == ("2024-03-05", "metadata")
    assert a.outlet == "青石日报"


def test_offsets_quote_the_text_of_record(tmp_path):
    a = read_article(write(tmp_path, "port.html", page("青石港前三季度吞吐量增长", BODY_ZH)))
    at = a.text.index("300万标箱")
    assert any(s <= at < e for s, e in a.spans) and a.text[at:at + 6] == "300万标箱"


def test_site_name_is_not_part_of_the_title(tmp_path):
    a = read_article(write(tmp_path, "en.html", page("Stonebay port traffic rises", BODY_EN, nav=["Home", "World"],
                                                     lang_attr="en", site="Stonebay Herald", chrome=LATIN_CHROME)))
    assert a.title == "Stonebay port traffic rises" and a.language == "en"


def test_a_chinese_menu_item_does_not_make_an_english_page_chinese(tmp_path):
    a = read_article(write(tmp_path, "en.html", page("Stonebay port traffic rises", BODY_EN,
                                                     nav=["Home", "World", "中文", "한국어"], lang_attr="en",
                                                     chrome=LATIN_CHROME, site="Herald")))
    assert a.language == "en"


def test_language_goes_by_proportion_not_presence():
    korean = "항구의 화물 처리량은 1억 2천만 톤에 달했다. 일본 언론은 이를 「コンテナ」 시대라고 불렀다. " * 3
    assert lang.detect(korean) == "ko"  # a few quoted kana never flip a Korean text
    assert lang.detect("港口吞吐量达到1.2亿吨。" * 5 + "기자") == "zh"
    assert lang.detect("港の取扱量は1.2億トンに達した。コンテナ船も増えている。") == "ja"
    assert lang.detect("Der Hafen hat in den ersten neun Monaten mehr Fracht umgeschlagen als im Vorjahr, "
                       "und die neue Anlage ist seit Juni in Betrieb.") == "de"
    assert lang.detect("How many tonnes did the port handle?") == "en"


def test_home_page_without_an_article_is_refused(tmp_path):
    links = "".join(f'<li><a href="/n{k}">第{k}条新闻的标题在这里</a></li>' for k in range(30))
    home = f'<html><head><meta charset="utf-8"><title>青石日报</title></head><body><ul>{links}</ul></body></html>'
    with pytest.raises(BadInput, match="no article body"):
        read_article(write(tmp_path, "home.html", home))


@pytest.mark.parametrize("codec,meta,text", [
    ("gbk", "gb2312", BODY_ZH),
    ("cp1250", "windows-1250", ("Port w Stonebay przeładował w ciągu dziewięciu miesięcy 120 milionów ton ładunków, "
                                "o 8,5 procent więcej niż przed rokiem; nowy terminal działa od czerwca. " * 3,)),
    ("iso-8859-1", "ISO-8859-1", ("Der Hafen von Stonebay hat in den ersten neun Monaten 120 Millionen Tonnen Fracht "
                                  "umgeschlagen, gut 8,5 Prozent mehr; das neue Terminal läuft seit Juni. " * 3,)),
    ("euc-kr", "euc-kr", ("청석항의 올해 1~3분기 화물 처리량은 1억 2천만 톤으로 지난해보다 8.5% 늘었다. "
                          "새 컨테이너 부두는 6월부터 운영되고 있으며 "
                          "연간 처리 능력이 2000만 톤 늘어날 전망이다. " * 2,)),
])
def test_the_pages_own_charset_declaration_is_read_first(tmp_path, codec, meta, text):
    site, chrome = {"gbk": ("青石日报", None),
                    "euc-kr": ("청석일보", KOREAN_CHROME)}.get(codec, ("Herald", LATIN_CHROME))
    kw = {"chrome": chrome} if chrome else {}
    data = page("Stonebay 2024", text, nav=["Home"], charset=meta, site=site, **kw).encode(codec)
    assert declared_encoding(data)
    a = read_article(write(tmp_path, f"p-{codec}.html", data))
    assert text[0][:30] in a.text


def test_valid_utf8_wins_over_a_stale_declaration(tmp_path):
    data = page("Übersicht für Köln", ("Die Straßenbahn fährt künftig öfter, sagte die Stadt am Montag. " * 6,),
                nav=["Start"], charset="iso-8859-1", chrome=LATIN_CHROME).encode("utf-8")
    assert "Straßenbahn fährt" in decode(data, "x.html")[0]


def test_too_big_a_page_is_refused_before_reading(tmp_path):
    big = tmp_path / "big.html"
    with open(big, "wb") as f:
        f.truncate(50 * 2**20)
    with pytest.raises(BadInput, match="over the"):
        read_article(big)


RSS = """<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Stonebay Herald</title>
<item><title>Port traffic rises</title><link>{base}/a1.html</link><pubDate>Tue, 05 Mar 2024 08:00:00 +0800</pubDate>
<description>&lt;p&gt;{p0}&lt;/p&gt;</description></item>
<item><title>New routes open</title><link>{base}/a2.html</link><pubDate>Wed, 06 Mar 2024 09:00:00 +0800</pubDate>
<description>{p1}</description></item></channel></rss>"""


def test_a_feed_file_gives_one_article_per_item(tmp_path):
    arts = read_sources(write(tmp_path, "herald.xml", RSS.format(base="https://example.invalid", p0=BODY_EN[0],
                                                                   p1=BODY_EN[1])))
    assert [a.doc for a in arts] == ["herald.xml~001", "herald.xml~002"]
    assert [(a.date, a.date_source) for a in arts] == [("2024-03-05", "feed"), ("2024-03-06", "feed")]
    assert arts[0].title == "Port traffic rises" and arts[0].outlet == "Stonebay Herald"
    assert "120 million tonnes" in arts[0].text and arts[1].url == "https://example.invalid/a2.html"


def test_a_feed_without_items_is_an_error(tmp_path):
    empty = '<?xml version="1.0"?><rss version="2.0"><channel><title>Nothing</title></channel></rss>'
    with pytest.raises(BadInput, match="no items"):
        read_sources(write(tmp_path, "empty.xml", empty))


def make_pdf(pages: list[str]) -> bytes:
    """A minimal PDF with one Helvetica text line per input line (no library writes text PDFs here)."""
    objs = ["<< /Type /Catalog /Pages 2 0 R >>",
            f"<< /Type /Pages /Kids [{' '.join(f'{4 + 2 * i} 0 R' for i in range(len(pages)))}] /Count {len(pages)} >>",
            "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    for i, text in enumerate(pages):
        content = "BT /F1 11 Tf 14 TL 72 720 Td " + " ".join(f"({ln}) Tj T*" for ln in text.split("\n")) + " ET"
        objs.append(f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> >> "
                    f"/Contents {5 + 2 * i} 0 R >>")
        objs.append(f"<< /Length {len(content)} >>\nstream\n{content}\nendstream")
    out, offsets = b"%PDF-1.4\n", []
    for k, o in enumerate(objs, 1):
        offsets.append(len(out))
        out += f"{k} 0 obj\n{o}\nendobj\n".encode("latin-1")
    xref = len(out)
    out += f"xref\n0 {len(objs) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    return out + f"trailer\n<< /Size {len(objs) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()


PDF_PAGES = ["Stonebay Port Annual Report 2024\nThe port handled 120 million tonnes of cargo in 2024.",
             "Container traffic\nThe new terminal added 20 million tonnes of capacity after it opened in June."]


def test_pdf_text_keeps_its_pages(tmp_path):
    a = read_article(write(tmp_path, "report.pdf", make_pdf(PDF_PAGES)))
    assert len(a.page_starts) == 2 and a.page_at(a.text.index("120 million")) == 1
    assert a.page_at(a.text.index("20 million tonnes of capacity")) == 2


def test_a_scanned_pdf_without_text_is_refused(tmp_path):
    import io

    from pypdf import PdfWriter

    w = PdfWriter()
    w.add_blank_page(612, 792)
    buf = io.BytesIO()
    w.write(buf)
    with pytest.raises(BadInput, match="no text layer"):
        read_article(write(tmp_path, "scan.pdf", buf.getvalue()))


def test_a_pdf_citation_names_its_page(env, tmp_path, capsys):
    pdf = write(tmp_path, "report.pdf", make_pdf(PDF_PAGES))
    assert main(["index", str(pdf)]) == 0
    capsys.readouterr()
    assert main(["ask", "--json", "How much capacity did the new terminal add after it opened in June?"]) == 0
    ans = json.loads(capsys.readouterr().out)
    cites = [c for c in ans["citations"] if c["doc"] == "report.pdf"]
    assert cites and cites[0]["page"] == 2


# ---- URLs, against a real HTTP server on 127.0.0.1

class _Handler(http.server.BaseHTTPRequestHandler):
    routes: typing.ClassVar[dict] = {}
    hits: typing.ClassVar[list] = []

    def do_GET(self):
        self.hits.append(self.path)
        route = self.routes.get(self.path)
        if route is None:
            self.send_error(404)
            return
        status, ctype, body = route
        if status == "slow":
            time.sleep(3)
            status = 200
        if status in (301, 302):
            self.send_response(status)
            self.send_header("Location", body)
            self.end_headers()
            return
        data = body.encode("utf-8") if isinstance(body, str) else body
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


class _Server(http.server.ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        # A client that stops reading (the size limit, the timeout) resets the connection: the
        # standard handler would print that traceback into the stderr the tests read.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


@pytest.fixture
def server():
    srv = _Server(("127.0.0.1", 0), _Handler)
    base = f"http://127.0.0.1:{srv.server_address[1]}"
    _Handler.hits = []
    _Handler.routes = {
        "/a1.html": (200, "text/html; charset=utf-8", page("Stonebay port traffic rises", BODY_EN, nav=["Home"],
                                                            lang_attr="en", site="Stonebay Herald")),
        "/a2.html": (200, "text/html; charset=utf-8", page("Five new shipping routes", BODY_EN[::-1], nav=["Home"],
                                                            lang_attr="en", site="Stonebay Herald")),
        "/feed.xml": (200, "application/rss+xml", RSS.format(base=base, p0="short summary one", p1="short two")),
        "/feed-broken-link.xml": (200, "application/rss+xml",
                                  RSS.format(base=base, p0=BODY_EN[0], p1=BODY_EN[1]).replace("/a2.html", "/broken")),
        "/old-link": (301, "", "/a1.html"),
        "/broken": (500, "text/plain", "oops"),
        "/slow": ("slow", "text/html", page("Late", BODY_EN)),
        "/huge": (200, "text/html", b"<html>" + b"x" * (2 * 2**20) + b"</html>"),
    }
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield base
    srv.shutdown()
    srv.server_close()


def test_index_a_url_follows_redirects_and_records_where_it_came_from(env, server, capsys):
    assert main(["index", f"{server}/old-link"]) == 0
    capsys.readouterr()
    assert main(["sources", "--json"]) == 0
    rows = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    fetched = [r for r in rows if r["url"].endswith("/a1.html")]
    assert fetched and fetched[0]["title"] == "Stonebay port traffic rises" and fetched[0]["date_source"] == "metadata"


def test_a_feed_url_fetches_each_items_page(env, server, capsys):
    assert main(["index", f"{server}/feed.xml"]) == 0
    assert {"/feed.xml", "/a1.html", "/a2.html"} <= set(_Handler.hits)
    capsys.readouterr()
    assert main(["sources", "--json"]) == 0
    rows = {json.loads(x)["doc"]: json.loads(x) for x in capsys.readouterr().out.splitlines()}
    items = [r for d, r in rows.items() if "~00" in d]
    assert len(items) == 2 and all(r["passages"] >= 1 for r in items)
    assert any("Five new shipping routes" == r["title"] for r in items)


@pytest.mark.parametrize("path,message", [("/broken", "HTTP 500"), ("/slow", "timed out"), ("/huge", "over the"),
                                          ("/missing", "HTTP 404")])
def test_url_failures_are_one_line_and_keep_the_index(env, server, capsys, monkeypatch, path, message):
    monkeypatch.setenv("RAG_FETCH_TIMEOUT_S", "1")
    monkeypatch.setenv("RAG_FETCH_MAX_BYTES", str(2**20))
    capsys.readouterr()
    assert main(["index", f"{server}{path}"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and message in err[0] and path in err[0]
    assert main(["ask", "--json", "两省对俄贸易额2019年是多少？"]) == 0
    assert json.loads(capsys.readouterr().out)["citations"]  # the seeds are still there


def test_offline_refuses_a_url_without_connecting(env, server, capsys, monkeypatch):
    monkeypatch.setenv("RAG_OFFLINE", "1")
    assert main(["index", f"{server}/a1.html"]) == 1
    assert "offline" in capsys.readouterr().err and _Handler.hits == []


def test_a_changed_page_replaces_its_passages(env, tmp_path, capsys):
    p = write(tmp_path, "port.html", page("Stonebay port traffic rises", BODY_EN, nav=["Home"], lang_attr="en"))
    assert main(["index", str(p)]) == 0
    write(tmp_path, "port.html", page("Stonebay port traffic rises", (BODY_EN[0].replace("120", "130"), BODY_EN[1]),
                                      nav=["Home"], lang_attr="en"))
    capsys.readouterr()
    assert main(["index", "--json", str(p)]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["updated"] == ["port.html"] and report["embedded"] >= 1 and report["reused"] >= 1
    from rag.index.store import IndexStore

    index = IndexStore(Config.from_env().index_dir).load()
    texts = " ".join(x.text for x in index.passages if x.doc == "port.html")
    assert "130 million" in texts and "120 million" not in texts


def test_a_title_that_is_the_site_name_or_a_cms_word_gives_way_to_the_headline():
    from rag.ingest.html import better_title

    cms = ('<html><head><title>Port traffic rises </title><meta property="og:title" content="Port traffic rises">'
           "</head><body><h1>Port traffic rises</h1></body></html>")
    assert better_title(cms, "escenic", "The Herald") == "Port traffic rises"
    site_first = "<html><head><title>Herald » Port traffic rises in Stonebay</title></head><body></body></html>"
    assert better_title(site_first, "Herald", "herald.example") == "Port traffic rises in Stonebay"
    assert better_title(site_first, "Port traffic rises in Stonebay", "Herald") == "Port traffic rises in Stonebay"


def test_a_feed_item_whose_page_fails_keeps_its_summary(env, server, capsys):
    assert main(["index", f"{server}/feed-broken-link.xml"]) == 0
    capsys.readouterr()
    assert main(["sources", "--json"]) == 0
    rows = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    items = sorted((r for r in rows if "~00" in r["doc"]), key=lambda r: r["doc"])
    assert [r["title"] for r in items] == ["Stonebay port traffic rises", "New routes open"]
    assert items[1]["url"].endswith("/broken") and items[1]["date_source"] == "feed"
