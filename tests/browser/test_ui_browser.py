"""The web UI in a real browser: Debian's Chromium driven by Playwright (no browser download).

The app runs in a subprocess on a free loopback port with the fake model and fake embedder over
the seeds: these tests check the UI's behaviour; the real model is covered by tests/integration.
Screenshots go to test-artifacts/.
"""
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from rag.config import PROJECT_ROOT
from rag.ui.loadtest import start_app

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = PROJECT_ROOT / "test-artifacts"
pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(),
                                reason="Debian chromium not installed (./setup.sh installs it when run as root)")


@pytest.fixture(scope="module")
def app_url(tmp_path_factory):
    home = tmp_path_factory.mktemp("uihome")
    shutil.copytree(PROJECT_ROOT / "seeds", home / "seeds")
    env = {**os.environ, "RAG_HOME": str(home), "RAG_EMBED_BACKEND": "fake", "RAG_LLM_BACKEND": "fake"}
    subprocess.run([sys.executable, "-m", "rag.cli", "index"], env=env, check=True, capture_output=True)
    proc, url = start_app(env, wait_s=60)
    yield url
    proc.terminate()
    proc.wait(10)


@pytest.fixture(scope="module")
def page(app_url):
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        pg = browser.new_page(viewport={"width": 1300, "height": 1000})
        pg.goto(app_url)
        pg.wait_for_selector("#ask")
        yield pg
        browser.close()


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
