"""SentenceTranslator on sentences written for these tests, with the fake model; one behaviour per test."""
import pytest

from rag.answering.translate import SentenceTranslator
from rag.config import Config
from rag.prompts import Prompts


def _translator(fake_llm, replies):
    llm = fake_llm(replies)
    return SentenceTranslator(llm, Prompts(Config().prompts_dir), extra_tokens=40), llm


def test_the_reply_is_the_translation(fake_llm):
    t, llm = _translator(fake_llm, ["The line is 125 km long."])
    assert t.run("青石铁路全长125公里。", "en") == "The line is 125 km long."
    assert "青石铁路全长125公里。" in llm.calls[0][-1]["content"]


def test_an_abbreviation_point_does_not_end_the_translation(fake_llm):
    t, _ = _translator(fake_llm, ["Mr. Liu wrote that the plan was sound."])
    assert t.run("刘先生写道，这个计划是可靠的。", "en") == "Mr. Liu wrote that the plan was sound."


def test_a_reply_in_another_language_is_no_translation(fake_llm):
    t, _ = _translator(fake_llm, ["青石铁路全长125公里。"])
    assert t.run("青石铁路全长125公里。", "en") == ""


def test_the_glossary_names_the_sentence_holds_are_given(fake_llm):
    t, llm = _translator(fake_llm, ["Qingshi is cold."])
    t.run("青石很冷。", "en", names=["青石 = Qingshi"])
    assert "青石 = Qingshi" in llm.calls[0][-1]["content"]


def test_the_token_budget_is_checked(fake_llm):
    with pytest.raises(ValueError):
        SentenceTranslator(fake_llm([]), Prompts(Config().prompts_dir), extra_tokens=0)
