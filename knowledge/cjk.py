"""The things a Japanese or Chinese question names that nothing in the knowledge base knows.

Japanese and Chinese are written without spaces, so a question's content words cannot be read off it as in the other
languages (`knowledge/mentions.py`): "屋頂泳池有救生員嗎" (is there a lifeguard at the rooftop pool?) is one
"word", matched by the pool's 泳池, and the lifeguard it asks about went unseen: the pool entry was the answer, with
confidence. Here the knowledge base's own phrases (every topic's lexicon words), the words of how a question asks
(function, open, whether, follow-up, nearby and negation words, the figures asked about, which
`knowledge/measures.py` holds against the entry, and `knowledge/data/cjk_asking.yaml`) are taken out; what is left,
each run of two characters or more (in Japanese only kanji and katakana: hiragana is grammar), is a thing the
question names and nothing knows. `knowledge/coverage.py` holds these against the chosen entry as it does the other
languages' unknown words: in a short closed question or one asking whether there is such a thing, the entry that
cannot be seen to give it does not answer; a person does.

Chinese is also written in traditional characters (Taiwan, Hong Kong): "請問哪裡可以停車" is "请问哪里可以停车", and
the lexicon is written in simplified ones, so a Chinese question is read in simplified characters (`simplified`)
before it is matched at all.
"""

import re
from collections.abc import Sequence
from functools import cache

from concierge.core.text import fold
from concierge.core.text import simplified as han_simplified
from knowledge.index import CJK, Index
from knowledge.lexicon import DATA, FOLLOW_UP_WORDS, FUNCTION_WORDS, NEARBY_WORDS
from knowledge.lexicon_data import language_file
from knowledge.measures import ASKS
from knowledge.mentions import NEGATIONS, OPEN_QUESTIONS, PLACE_WORDS
from knowledge.things import things_named

LANGUAGES = ("ja", "zh")
ASKING = language_file(DATA / "cjk_asking.yaml", LANGUAGES)
# A thing is named by two characters or more: one alone is a verb stem, a counter or a particle left over.
SHORTEST = 2
_RUNS = {
    "ja": re.compile(r"[\u4e00-\u9fff]{2,}|[\u30a0-\u30ff]{2,}"),  # kanji runs and katakana runs
    "zh": re.compile(r"[\u4e00-\u9fff]{2,}"),
}


@cache
def _asking(language: str) -> tuple[str, ...]:
    """Every word of how a question asks in `language` (folded), longest first so that phrases go before their
    parts."""
    found = {
        *ASKING[language],
        *FUNCTION_WORDS.get(language, ()),
        *OPEN_QUESTIONS.get(language, ()),
        *NEGATIONS.get(language, ()),
        *NEARBY_WORDS.get(language, ()),
        *(w for w in FOLLOW_UP_WORDS if CJK.search(w)),
        *(w for w in PLACE_WORDS if CJK.search(w)),
    }
    return tuple(sorted((fold(w) for w in found if CJK.search(w)), key=len, reverse=True))


def _known(index: Index) -> tuple[str, ...]:
    """The knowledge base's Japanese and Chinese phrases, longest first."""
    return tuple(sorted({t.text for t in index.terms if t.cjk}, key=len, reverse=True))


def unknown_cjk(index: Index, text: str, language: str, topics: Sequence[str] = ()) -> list[str]:
    """The runs of a Japanese or Chinese question that name something nothing in the knowledge base knows, once its
    known phrases and the words of how it asks are taken out ("烤箱可以用锡纸吗" → 锡纸), and that the entries of
    `topics` do not hold as written (an owner's Japanese entry mentioning ヘルメット gives it) nor as a thing of
    `knowledge/data/things.yaml` in any language (シーツ: an English entry's "bed linen"). Empty in other languages."""
    runs = _RUNS.get(language)
    if runs is None or not CJK.search(text):
        return []
    left = fold(text)
    for phrase in (*_known(index), *_asking(language)):
        left = left.replace(phrase, " ")
    for asks in ASKS.values():  # "热水浴缸水温多少度": the temperature is a figure, which measures.py checks
        pattern = asks.get(language)
        left = pattern.sub(" ", left) if pattern is not None else left
    given = [index.texts.get(t, "") for t in topics]
    things = things_named(" ".join(given))  # "シーツは剥がしますか": the entry's "bed linen", in English
    return list(
        dict.fromkeys(
            r
            for r in runs.findall(left)
            if len(r) >= SHORTEST and not any(r in g for g in given) and not things_named(r) & things
        )
    )


def simplified(text: str, language: str) -> str:
    """A Chinese text in simplified characters ("熱水浴缸幾點開放" → "热水浴缸几点开放"); other languages as they are
    (Japanese kanji are not Chinese characters to convert: "駐車場" stays)."""
    return han_simplified(text) if language == "zh" else text
