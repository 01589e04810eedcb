"""A property's guardrail policy vocabulary: the categories of guest requests, the actions, the pack's `policy` section.

Part of the property pack (a pack may override the action of non-emergency categories and set the local emergency
number); the guardrails (`concierge/guard/policy.py`) apply it.
"""

from enum import StrEnum
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, field_validator

from knowledge.lexicon import TOPICS
from knowledge.lexicon_data import data_error, load_yaml_data, mapping, words


class Action(StrEnum):
    answer = "answer"  # an ordinary question: the knowledge base answers it
    refuse = "refuse"  # a polite refusal, nothing else
    escalate = "escalate"  # acknowledge, promise nothing, hand to staff
    emergency = "emergency"  # safety guidance with the emergency number now, urgent hand-off


class Category(StrEnum):
    # Requests only people may grant.
    refund = "refund"
    discount = "discount"
    compensation = "compensation"
    cancellation = "cancellation"
    date_change = "date_change"
    early_check_in = "early_check_in"
    late_check_out = "late_check_out"
    extra_guests = "extra_guests"
    pet_exception = "pet_exception"
    rule_exception = "rule_exception"  # bending another house rule: smoking inside, music past quiet hours, a fire
    damage = "damage"
    complaint = "complaint"
    maintenance = "maintenance"  # something essential stopped working: heating, hot water, power
    # Emergencies.
    fire = "fire"
    flood = "flood"
    gas = "gas"
    medical = "medical"
    lockout = "lockout"
    break_in = "break_in"
    emergency = "emergency"  # "it's an emergency" without saying which
    # Attempts on the concierge itself.
    injection = "injection"  # prompt injection, jailbreaks, role-play, encoded instructions
    manipulation = "manipulation"  # social engineering: false authority, invented promises, threats, pressure
    privacy = "privacy"  # other guests' or staff's details, the system prompt, internal notes
    abuse = "abuse"
    spam = "spam"


MONEY = frozenset({Category.refund, Category.discount, Category.compensation})
BOOKING = frozenset(
    {
        Category.cancellation,
        Category.date_change,
        Category.early_check_in,
        Category.late_check_out,
        Category.extra_guests,
        Category.pet_exception,
        Category.rule_exception,
    }
)
# Exceptions to the house's rules, as against money and booking changes: with money in the same message, the money
# is the condition ("bring both dogs without paying" asks for the dogs).
HOUSE_RULES = BOOKING - {Category.cancellation, Category.date_change}
GRIEVANCE = frozenset({Category.damage, Category.complaint, Category.maintenance})
EMERGENCIES = frozenset(
    {
        Category.fire,
        Category.flood,
        Category.gas,
        Category.medical,
        Category.lockout,
        Category.break_in,
        Category.emergency,
    }
)
ATTEMPTS = frozenset({Category.injection, Category.manipulation, Category.privacy, Category.abuse, Category.spam})

# The entries whose facts a hand-off quotes for a request only people grant (the first one the pack has): the guest
# hears the policy and that a person decides, whatever else the message's words happen to match.
POLICY_TOPICS_FILE = Path(__file__).parent / "data" / "policy_topics.yaml"


def load_policy_topics(path: Path = POLICY_TOPICS_FILE) -> dict[Category, tuple[str, ...]]:
    """Each request kind only people grant, with the entries that hold its policy (`path:line` errors)."""
    found: dict[Category, tuple[str, ...]] = {}
    kinds = mapping(path, load_yaml_data(path), [c.value for c in Category], "category", required=False)
    for name, node in kinds.items():
        topics = words(path, node)
        unknown = [topic for topic in topics if topic not in TOPICS]
        if unknown:
            raise data_error(path, node, f"unknown topic {unknown[0]!r}")
        found[Category(name)] = topics
    return found


POLICY_TOPICS: dict[Category, tuple[str, ...]] = load_policy_topics()

# Entries that hold the house's rules: a guest asking to bend one ("would the owner mind if he smoked just one
# inside?") hears the rule and a person decides (concierge/turn/rules.py). A custom topic holds its own rules too.
RULE_TOPICS = frozenset({"house_rules", "smoking", "noise", "pets"})

# Entries a maintenance hand-off may add as the how-to ("the heating doesn't work" → how to use the heating).
HOW_TO_TOPICS = frozenset({"heating_cooling", "kitchen", "laundry", "wifi", "amenities", "pool", "emergency"})

DEFAULT_ACTIONS: dict[Category, Action] = {
    **{c: Action.escalate for c in MONEY | BOOKING | GRIEVANCE},
    **{c: Action.emergency for c in EMERGENCIES},
    **{c: Action.refuse for c in ATTEMPTS},
}
DEFAULT_EMERGENCY_NUMBER = "112"
# When one message touches several categories, the strongest action wins: safety, then people, then refusal.
STRENGTH = (Action.emergency, Action.escalate, Action.refuse, Action.answer)


class PolicyIn(BaseModel):
    """The optional `policy` section of a property pack."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    emergency_number: str = Field(default=DEFAULT_EMERGENCY_NUMBER, pattern=r"^\+?[0-9]{2,15}$")
    actions: dict[str, Action] = Field(default_factory=dict)

    @field_validator("actions")
    @classmethod
    def _known_categories(cls, actions: dict[str, Action]) -> dict[str, Action]:
        known = {c.value for c in Category}
        for name, action in actions.items():
            if name not in known:
                raise ValueError(f"unknown category {name!r}: use one of {', '.join(sorted(known))}")
            if Category(name) in EMERGENCIES and action is not Action.emergency:
                raise ValueError(f"{name} is an emergency: its action is always 'emergency'")
            if Category(name) not in EMERGENCIES and action is Action.emergency:
                raise ValueError(f"{name} is not an emergency: use answer, refuse or escalate")
        return actions
