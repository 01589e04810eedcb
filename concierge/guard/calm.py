"""Messages about emergencies that are not one: a question about safety information ("the emergency number", "the
fire extinguisher"), about what to do if something ever happened, or about a problem that is over.

The turn alerts nobody for them when their best match is the property's emergency entry; the entry answers them.
"""

from concierge.guard.phrases import excluded, normalize
from concierge.guard.resolved import SENTENCE, is_hypothetical, is_over
from knowledge.policy import Category


def asks_for_safety_information(text: str) -> bool:
    """Whether the message names safety equipment or information, asks what to do if something happened, or says
    a problem is over: a question, not an emergency, unless a phrase of an emergency says otherwise."""
    folded = normalize(text)
    if any(
        (pattern := excluded(category)) is not None and pattern.search(folded) is not None
        for category in (Category.emergency, Category.fire)
    ):
        return True
    return any(is_hypothetical(sentence) or is_over(sentence) for sentence in SENTENCE.findall(folded))


def without_problems_over(text: str) -> str:
    """The message without its sentences about a problem that is over ("the leak is fixed, thanks!"), for ranking
    what the rest asks; the whole message when every sentence is about one."""
    sentences = SENTENCE.findall(text)
    kept = [sentence for sentence in sentences if not is_over(normalize(sentence))]
    return "".join(kept).strip() if kept and len(kept) < len(sentences) else text
