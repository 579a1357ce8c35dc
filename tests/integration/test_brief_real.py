"""A real briefing on a seed topic with the 1.5B model (~2.5 min): in Korean, the harder case (an
English topic, Korean prose and labels). English briefings run with the fake model in tests/ and with
the real one in the eval's briefing checks; both languages here cost CI another 2.5 minutes."""
from decimal import Decimal

import pytest

from rag.brief.render import to_markdown
from rag.config import Config
from rag.evaluation.score import mentions
from rag.pipeline import Pipeline
from rag.prompts import Prompts
from tests.integration.test_real_model import requires_models

pytestmark = pytest.mark.integration
# Key figures and the article each must be cited from.
KEY = [("490100000000", "001_"), ("26000000", None), ("407", "000_")]


@requires_models
@pytest.mark.parametrize("lang", ["ko"])
def test_real_briefing_has_key_figures_with_citations(lang, tmp_path):
    base = Config.from_env()
    # A fresh home keeps the note cache empty: this is the cold briefing.
    config = base.replace(home=tmp_path, index_dir=base.index_dir, models_dir=base.models_dir)
    pipe = Pipeline(config).warm_up()
    b = pipe.briefer().run("Heilongjiang–Guangdong paired cooperation", lang)
    md = to_markdown(b, Prompts(config.prompts_dir))
    print(md, b.timings)
    for value, doc in KEY:
        table = [f for f in b.figures if f.value == value]
        noted = [f for n in b.notes for f in n.figures if f.value == value and f.supported]
        assert table or noted, (value, md)
        if doc:
            assert any(f.doc.startswith(doc) for f in table) or any(f.passage_id.startswith(doc) for f in noted)
        assert any(m.value == Decimal(value) for m in mentions(md)), value
    assert all(n.text.rstrip().endswith("]") for n in b.notes)
    # Notes with an unverifiable figure and overview sentences with one are left out, not shown.
    assert all(f.supported for n in b.notes for f in n.figures) and "unverified" not in md and "미확인" not in md
    # A second briefing over the same corpus reads every note from the cache and, the overview
    # being its leading notes, makes no model call (its time is printed, not asserted: speed
    # belongs to benchmarks).
    again = pipe.briefer().run("Heilongjiang–Guangdong paired cooperation", lang)
    print("cached:", again.timings)
    assert again.timings["notes_generated"] == 0
    assert [n.text for n in again.notes] == [n.text for n in b.notes] and again.overview == b.overview
