"""A real briefing on a seed topic, in English and in Korean, with the 1.5B model (~3 min each)."""
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
@pytest.mark.parametrize("lang", ["en", "ko"])
def test_real_briefing_has_key_figures_with_citations(lang, tmp_path):
    config = Config.from_env().replace(home=tmp_path, index_dir=Config.from_env().index_dir,
                                       models_dir=Config.from_env().models_dir)
    pipe = Pipeline(config).warm_up()
    b = pipe.briefer().run("Heilongjiang–Guangdong paired cooperation", lang)
    md = to_markdown(b, Prompts(config.prompts_dir))
    cited = {c.marker: c for c in b.citations}
    for value, doc in KEY:
        hits = [f for f in b.figures if f.value == value] + [
            f for n in b.notes for f in n.figures if f.value == value and f.supported]
        assert hits, (value, md)
        docs = {getattr(h, "doc", None) or cited.get(int(h.passage_id and 0) or 0, None) for h in hits}
        if doc:
            assert any(f.doc.startswith(doc) for f in b.figures if f.value == value) or any(
                f.passage_id.startswith(doc) for n in b.notes for f in n.figures if f.value == value), (value, docs)
        assert any(m.value == Decimal(value) for m in mentions(md)), value
    assert all(n.text.rstrip().endswith("]") for n in b.notes)
    unverified = [f for n in b.notes for f in n.figures if not f.supported] + [f for f in b.overview_figures
                                                                               if not f.supported]
    assert len(unverified) <= 1, unverified
