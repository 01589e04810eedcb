"""Answer the question, not the whole entry: the sentences of a long entry that a short question asks about."""

import re

from knowledge.index import COMMON, STOPWORDS, words_of

_SENTENCE_END = re.compile(r"(?<=[.!?;。！？；])\s+|(?<=[。！？；])")
LONG_ENTRY = 4  # sentences: an entry this long is trimmed to the sentences that answer the question


def answering_sentences(text: str, question: str) -> str:
    """The sentences of a long entry that share a word with the question, verbatim and in order ("and the
    password?" → the password sentence); the whole text when it is short or no sentence (or every one) matches."""
    sentences = [s for s in _SENTENCE_END.split(text.strip()) if s.strip()]
    if len(sentences) < LONG_ENTRY:
        return text
    asked = {w for w in words_of(question) if len(w) >= 4 and w not in STOPWORDS and w not in COMMON}
    if not asked:
        return text

    def answers(sentence: str) -> bool:
        return any(w in asked or (len(w) >= 5 and any(a[:5] == w[:5] for a in asked)) for w in words_of(sentence))

    kept = [s for s in sentences if answers(s)]
    return " ".join(kept) if kept and len(kept) < len(sentences) else text
