"""The web UI with the real 1.5B model, in Debian's Chromium: one question per language, asked by
pressing Enter as a person would, each answered with a cited figure; screenshots saved."""
import os
import shutil
from pathlib import Path

import pytest

from rag.config import PROJECT_ROOT
from rag.ui.loadtest import start_app
from tests.integration.test_real_model import requires_models

pytestmark = pytest.mark.integration
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = PROJECT_ROOT / "test-artifacts"
# Each question, and the ways a right answer may write its figure.
QUESTIONS = [
    ("en", "How much was the two provinces' trade with Russia in 2019?", ("1957.1", "195.71")),
    ("zh", "截至目前两省合作项目总签约额是多少？", ("4901",)),
    ("ko", "장춘과 사평의 32개 주요 협력 프로젝트의 총투자는 얼마인가?", ("289.36",)),
]


@requires_models
@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian chromium not installed")
def test_real_model_answers_one_question_per_language_in_the_browser():
    from playwright.sync_api import sync_playwright

    env = {k: v for k, v in os.environ.items() if k not in ("RAG_LLM_BACKEND", "RAG_EMBED_BACKEND")}
    proc, url = start_app(env, wait_s=180)
    ARTIFACTS.mkdir(exist_ok=True)
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
            page = browser.new_page(viewport={"width": 1300, "height": 1000})
            page.goto(url)
            page.wait_for_selector("#ask")
            for lang, question, figures in QUESTIONS:
                page.fill("#question textarea", question)
                page.press("#question textarea", "Enter")
                # the previous answer's status goes first, then this one's arrives
                page.wait_for_function("!document.querySelector('#status')?.innerText.includes('total')",
                                       timeout=60_000)
                page.wait_for_function("document.querySelector('#status')?.innerText.includes('total')",
                                       timeout=240_000)
                text = page.inner_text("#answer")
                page.screenshot(path=str(ARTIFACTS / f"real-{lang}.png"), full_page=True)
                # An abstention fails here at once, with the answer to read, not after a long wait.
                assert page.locator("#answer a.cite").count() >= 1, (lang, text)
                assert any(f in text for f in figures), (lang, text)
                assert page.locator("#sources mark").count() >= 1
            browser.close()
    finally:
        proc.terminate()
        proc.wait(10)
