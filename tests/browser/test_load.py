"""20 questions at once through the UI's queue (fake model): all answered correctly, none lost."""
from rag.ui import loadtest


def test_twenty_concurrent_questions(env):
    r = loadtest.run(20, timeout=120)
    print(r)
    assert r["ok"] == 20 and r["wrong"] == 0 and r["failed"] == []
    assert 0 < r["server_peak_rss_mb"] < 4096
