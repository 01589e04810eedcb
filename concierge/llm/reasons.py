"""A model's `needs_person` reason as an escalation reason staff can read: the request it names, in plain words.

The model explains in its own words why a person is needed ("the guest asks for a discount on a longer stay"). The
screening lexicon (guard/data/categories) recognises the request in those words, in any of the ten languages; the
escalation then carries that category (`policy:discount`), which the staff card, the queue and notifications show
as "the guest asks for a discount" in the staff member's language. A reason naming none of them stays
`needs_person` ("the concierge asked for a person to decide or act"). Emergencies are screening's to raise: a
model's words never raise the urgency to an emergency, and never lower what screening decided.
"""

from concierge.guard.phrases import match_lexicon, normalize
from knowledge.policy import Category

NEEDS_PERSON = "needs_person"
# The requests a model's reason can name; emergencies (fire, gas, medical …) and abuse stay with screening.
PERSON_CATEGORIES = (
    Category.refund,
    Category.discount,
    Category.compensation,
    Category.cancellation,
    Category.date_change,
    Category.early_check_in,
    Category.late_check_out,
    Category.extra_guests,
    Category.pet_exception,
    Category.damage,
    Category.maintenance,
    Category.complaint,
)
MAX_REASON_CHARS = 300  # a reason is a phrase; a longer one is cut before matching


def escalation_reason(reason: str, *, language: str = "en") -> str:
    """`policy:<category>` for the request the model's reason names, else `needs_person`."""
    text = normalize(reason[:MAX_REASON_CHARS])
    if not text.strip():
        return NEEDS_PERSON
    signals = match_lexicon(text, language=language, categories=PERSON_CATEGORIES)
    return f"policy:{signals[0].category}" if signals else NEEDS_PERSON
