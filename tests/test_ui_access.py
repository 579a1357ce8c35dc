"""Who may use the UI: loopback is open; beyond it only with credentials, otherwise read-only."""
import pytest

from rag.config import Config
from rag.errors import BadInput
from rag.ui.access import decide


def test_loopback_without_credentials_is_open():
    a = decide(Config(), "127.0.0.1")
    assert not a.read_only and a.credentials == []


def test_beyond_loopback_without_credentials_is_read_only():
    a = decide(Config(), "0.0.0.0")
    assert a.read_only and "READ-ONLY" in a.message


def test_credentials_from_the_environment_or_a_file(tmp_path):
    f = tmp_path / "users"
    f.write_text("# editors\nana:pw one\nbo:pw2\n", encoding="utf-8")
    a = decide(Config(ui_auth="root:s3cret", ui_auth_file=str(f)), "0.0.0.0")
    assert not a.read_only and a.credentials == [("root", "s3cret"), ("ana", "pw one"), ("bo", "pw2")]


def test_a_malformed_credential_is_refused():
    with pytest.raises(BadInput, match="user:password"):
        decide(Config(ui_auth="justaname"), "0.0.0.0")


def test_read_only_services_refuse_uploads(built, tmp_path):
    from rag.llm.fake import FakeLLM
    from rag.ui.services import Services

    config, emb = built
    s = Services(config, embedder=emb, llm=FakeLLM(), read_only=True).warm_up()
    f = tmp_path / "a.txt"
    f.write_text("新闻内容。" * 20, encoding="utf-8")
    with pytest.raises(BadInput, match="read-only"):
        s.add_source(str(f))
    with pytest.raises(BadInput, match="read-only"):
        s.remove_source("000_85d1f8fe76fc433a.txt")
