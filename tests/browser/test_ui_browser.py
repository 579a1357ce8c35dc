"""The web UI in a real browser: Debian's Chromium driven by Playwright (no browser download).

The app runs in a subprocess on a free loopback port with the fake model and fake embedder over
the seeds: these tests check the UI's behaviour; the real model is covered by tests/integration.
Screenshots go to test-artifacts/.
"""
import os
import shutil
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

import pytest

from rag.config import PROJECT_ROOT
from rag.ui.loadtest import start_app

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = PROJECT_ROOT / "test-artifacts"
pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(),
                                reason="Debian chromium not installed (./setup.sh installs it when run as root)")


@contextmanager
def _app(home: Path, **extra_env: str):
    """The app over a fresh fake-embedded seed index in `home`, with the fake model: its URL."""
    shutil.copytree(PROJECT_ROOT / "seeds", home / "seeds")
    env = {**os.environ, "RAG_HOME": str(home), "RAG_EMBED_BACKEND": "fake", "RAG_LLM_BACKEND": "fake", **extra_env}
    subprocess.run([sys.executable, "-m", "rag.cli", "index"], env=env, check=True, capture_output=True)
    proc, url = start_app(env, wait_s=60)
    try:
        yield url
    finally:
        proc.terminate()
        proc.wait(10)


@pytest.fixture(scope="module")
def app_url(tmp_path_factory):
    with _app(tmp_path_factory.mktemp("uihome")) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield b
        b.close()


@pytest.fixture(scope="module")
def page(app_url, browser):
    pg = browser.new_page(viewport={"width": 1300, "height": 1000})
    pg.goto(app_url)
    pg.wait_for_selector("#ask")
    yield pg
    pg.close()


def _ask(page, question, expect):
    page.get_by_role("tab", name="Ask").click()
    page.fill("#question textarea", question)
    page.click("#ask")
    # Done when the streamed text holds the figure and the verified, cited version has replaced it.
    page.wait_for_function(
        "([t]) => { const a = document.querySelector('#answer');"
        " return a && a.innerText.includes(t) && a.querySelector('a.cite'); }", arg=[expect], timeout=30_000)


def test_korean_question_streams_answer_and_citation_opens_source(page):
    _ask(page, "장춘과 사평의 32개 주요 협력 프로젝트의 총투자는 얼마인가?", "289.36억원")
    assert page.locator("#evidence li").count() >= 1
    page.click("#answer a.cite >> nth=0")
    mark = page.locator("#sources mark").first
    mark.wait_for()
    assert "289.36" in mark.inner_text()
    assert "004_702c8b251f750e4a.txt" in page.inner_text("#sources")
    page.screenshot(path=str(ARTIFACTS / "ask-korean.png"), full_page=True)


def test_short_briefing(page):
    page.get_by_role("tab", name="Briefing").click()
    box = page.locator("#topic input")
    box.fill("长春 四平 合作")
    box.press("Enter")
    page.click("#brief")
    page.wait_for_selector("#briefing h1", timeout=60_000)
    text = page.inner_text("#briefing")
    assert "Briefing" in text and "[1]" in text and "004_702c8b251f750e4a.txt" in text
    page.screenshot(path=str(ARTIFACTS / "briefing.png"), full_page=True)


def test_upload_article_then_ask_about_it(page, tmp_path):
    article = tmp_path / "zz_harbin_new_area.txt"
    article.write_text("哈尔滨新区2024年引进合作项目42个，总投资88.8亿元。\n项目主要集中在新材料和生物医药领域。\n",
                       encoding="utf-8")
    page.get_by_role("tab", name="Sources").click()
    page.set_input_files("#upload input[type=file]", str(article))
    page.wait_for_function("document.querySelector('#source-status')?.innerText.includes('added')", timeout=60_000)
    # The table shows the new row in the same action (it used to be read before the add ran).
    page.wait_for_function("document.querySelector('#sources-table')?.innerText.includes('zz_harbin_new_area.txt')",
                           timeout=10_000)
    page.screenshot(path=str(ARTIFACTS / "upload.png"), full_page=True)
    _ask(page, "哈尔滨新区2024年引进合作项目多少个，总投资多少？", "88.8亿元")
    page.click("#answer a.cite >> nth=0")
    assert "zz_harbin_new_area.txt" in page.inner_text("#sources")
    page.screenshot(path=str(ARTIFACTS / "ask-uploaded.png"), full_page=True)


# ---- the findings of a walk-through with the real model, each with the test that would have caught it

_CONTRAST_JS = """(sel) => {
  const lum = (c) => { const [r, g, b] = c.match(/[\\d.]+/g).slice(0, 3).map(Number).map(v => {
      v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
  const bg = (el) => { for (; el; el = el.parentElement) { const c = getComputedStyle(el).backgroundColor;
      if (c && !c.startsWith('rgba(0, 0, 0, 0') && c !== 'transparent') return c; } return 'rgb(255, 255, 255)'; };
  return [...document.querySelectorAll(sel)].map(el => { const a = lum(getComputedStyle(el).color), b = lum(bg(el));
    return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05); });
}"""


def _tab(pg, name):
    """Open a tab; on a narrow screen the last tabs sit behind Gradio's "More tabs" menu."""
    tab = pg.get_by_role("tab", name=name)
    if tab.count() and tab.is_visible():
        tab.click()
        return
    pg.click("button[aria-label='More tabs']")
    pg.locator(".overflow-dropdown button", has_text=name).click()


def _open(browser, app_url, dark=False, width=1300):
    pg = browser.new_page(viewport={"width": width, "height": 1000}, color_scheme="dark" if dark else "light")
    pg.goto(app_url + ("?__theme=dark" if dark else "?__theme=light"))
    pg.wait_for_selector("#ask")
    return pg


@pytest.mark.parametrize("dark", [False, True])
def test_highlights_and_badges_are_readable_in_both_themes(browser, app_url, dark):
    pg = _open(browser, app_url, dark)
    _ask(pg, "장춘과 사평의 32개 주요 협력 프로젝트의 총투자는 얼마인가?", "289.36억원")
    pg.wait_for_selector("#answer .badge")
    for sel in ("#answer .badge", "#evidence mark", "#sources mark"):
        ratios = pg.evaluate(_CONTRAST_JS, sel)
        assert ratios and min(ratios) >= 4.5, (sel, dark, ratios)
    pg.screenshot(path=str(ARTIFACTS / f"ask-{'dark' if dark else 'light'}.png"), full_page=True)
    pg.close()


def test_enter_submits_and_shift_enter_breaks_the_line(browser, app_url):
    pg = _open(browser, app_url)
    box = pg.locator("#question textarea")
    box.fill("两省对俄贸易额")
    box.press("Shift+Enter")
    box.type("2019年是多少？")
    assert "\n" in box.input_value() and pg.inner_text("#answer").strip() == ""
    box.press("Enter")
    pg.wait_for_function("document.querySelector('#answer a.cite')", timeout=30_000)
    assert "1957.10" in pg.inner_text("#answer")
    pg.close()


def test_errors_are_plain_sentences_not_markdown(browser, app_url):
    pg = _open(browser, app_url)
    pg.fill("#question textarea", "   ")
    pg.click("#ask")
    pg.wait_for_selector("#answer .error")
    assert "**" not in pg.inner_text("#answer") and "empty" in pg.inner_text("#answer")
    pg.close()


def test_a_refused_language_shows_no_evidence_and_no_confidence(browser, app_url):
    pg = _open(browser, app_url)
    pg.fill("#question textarea", "黒竜江省は広東省に何人の幹部を派遣しましたか")
    pg.click("#ask")
    pg.wait_for_function("document.querySelector('#answer')?.innerText.includes('Japanese')", timeout=30_000)
    assert pg.locator("#evidence li").count() == 0 and "confidence" not in pg.inner_text("#status")
    pg.close()


def test_first_screen_guides_with_the_corpus_and_example_questions(browser, app_url):
    pg = _open(browser, app_url)
    assert "5 articles" in pg.inner_text("#corpus")
    examples = pg.locator("#examples button, #examples td, #examples .example").all_inner_texts()
    text = " ".join(examples)
    assert "key figures" in text and "关键数字" in text and "주요 수치" in text
    # no empty headings before anything was asked
    assert "Cited sources" not in pg.inner_text("#sources") and "Retrieved evidence" not in pg.inner_text("#evidence")
    pg.close()


def test_cut_quotes_end_in_an_ellipsis(browser, app_url):
    pg = _open(browser, app_url)
    _ask(pg, "장춘과 사평의 32개 주요 협력 프로젝트의 총투자는 얼마인가?", "289.36억원")
    pg.wait_for_selector("#sources .source")
    assert "…" in pg.inner_text("#sources .source >> nth=0")
    pg.close()


@pytest.mark.parametrize("dark", [False, True])
@pytest.mark.parametrize("width", [1300, 400])
def test_screenshots_of_every_tab(browser, app_url, dark, width):
    pg = _open(browser, app_url, dark, width)
    for tab in ("Ask", "Briefing", "Figures", "Sources", "Eval"):
        _tab(pg, tab)
        pg.wait_for_timeout(300)
        pg.screenshot(path=str(ARTIFACTS / f"tab-{tab.lower()}-{'dark' if dark else 'light'}-{width}.png"),
                      full_page=True)
    pg.close()


def test_beyond_loopback_needs_a_sign_in(browser, tmp_path_factory):
    """With credentials set the app asks for them (started on loopback here: the rule is the same)."""
    with _app(tmp_path_factory.mktemp("authhome"), RAG_UI_AUTH="editor:correct-horse") as url:
        pg = browser.new_page()
        pg.goto(url)
        pg.wait_for_selector("input[type=password]", timeout=30_000)
        assert pg.locator("#ask").count() == 0
        pg.fill("input[type=text]", "editor")
        pg.fill("input[type=password]", "correct-horse")
        pg.keyboard.press("Enter")
        pg.wait_for_selector("#ask", timeout=30_000)
        pg.close()


def test_a_korean_briefing_is_korean_from_topic_to_labels(browser, app_url):
    pg = _open(browser, app_url)
    _tab(pg, "Briefing")
    pg.click("#brief-lang input")
    pg.locator("ul.option-list li", has_text="한국어").click()
    pg.click("#topic input")
    first = pg.locator("ul.option-list li").first
    first.wait_for()
    assert any("\uac00" <= ch <= "\ud7a3" for ch in first.inner_text())  # topics proposed in Korean
    first.click()
    pg.click("#brief")
    pg.wait_for_selector("#briefing h1", timeout=60_000)
    text = pg.inner_text("#briefing")
    assert "브리핑" in text and "Briefing" not in text and "as of" not in text and "newest:" not in text
    pg.screenshot(path=str(ARTIFACTS / "briefing-korean.png"), full_page=True)
    pg.close()


def test_a_question_waiting_behind_another_sees_its_place_in_the_queue(browser, tmp_path_factory):
    """With a slow model, the second asker sees Gradio's queue position instead of a silent wait."""
    with _app(tmp_path_factory.mktemp("queuehome"), RAG_FAKE_DELAY_S="4") as url:
        first, second = (browser.new_page(viewport={"width": 1300, "height": 1000}) for _ in range(2))
        for pg in (first, second):
            pg.goto(url)
            pg.wait_for_selector("#ask")
        first.fill("#question textarea", "截至目前两省合作项目总签约额是多少？")
        first.click("#ask")
        first.wait_for_function("document.body.innerText.includes('processing')"
                                " || document.querySelector('#answer')?.innerText.length > 0", timeout=10_000)
        second.fill("#question textarea", "两省对俄贸易额2019年是多少？")
        second.click("#ask")
        second.wait_for_function("/queue: *1\\/\\d/.test(document.body.innerText)", timeout=10_000)
        second.screenshot(path=str(ARTIFACTS / "ask-queued.png"), full_page=True)
        second.wait_for_function("document.querySelector('#answer a.cite')", timeout=60_000)
        assert "1957.10" in second.inner_text("#answer")


@pytest.mark.parametrize("tab,table", [("Figures", "#figures-table"), ("Sources", "#sources-table")])
def test_tables_show_their_last_column_whole(browser, app_url, tab, table):
    pg = _open(browser, app_url)
    _tab(pg, tab)
    pg.wait_for_selector(f"{table} th")
    box = pg.locator(table).bounding_box()
    last = pg.locator(f"{table} th").last.bounding_box()
    assert box and last and last["x"] + last["width"] <= box["x"] + box["width"] + 1
    # Each shown row's last cell (Gradio renders rows lazily as div grid cells) sits inside the table
    # and wraps its text instead of running off the edge.
    right = box["x"] + box["width"] + 1
    cells = pg.evaluate(f"[...document.querySelectorAll('{table} [role=row]')].map(r => [...r.querySelectorAll("
                        "'[role=gridcell]')].pop()).filter(c => c && c.innerText.trim()).map(c => "
                        "[c.getBoundingClientRect().right, c.scrollWidth <= c.clientWidth + 1])")
    assert cells and all(r <= right and whole for r, whole in cells), cells
    pg.close()


def test_quick_eval_headers_are_whole(browser, app_url):
    pg = _open(browser, app_url)
    _tab(pg, "Eval")
    pg.click("#quick-run")
    pg.wait_for_selector("#quick-eval table th", timeout=120_000)
    heads = pg.locator("#quick-eval table th").all_inner_texts()
    assert [h.strip() for h in heads] == ["id", "correct", "language", "seconds", "answer"]
    cut = pg.evaluate("[...document.querySelectorAll('#quick-eval th')].filter("
                      "th => th.scrollWidth > th.clientWidth + 1).length")
    assert cut == 0
    pg.close()
