"""Answering a question as a pipeline of components, run in order by `Answerer`:

QueryAnalyzer (language, refusal) → retrieval → ContextSelector (figure focus, leads, the sentences
shown) → Generator (the prompt and one generation) → CitationMapper.mark (markers checked against
the blocks shown) → FigureChecker (figures verified and repaired, conflicts noted) → AnswerGuard
(abstain, with its reason) → CitationMapper.cite (citations built once, after verification).
RetryPolicy decides when a draft is tried again with another context or instruction.
"""
