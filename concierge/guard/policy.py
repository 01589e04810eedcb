"""Guardrail policy as data: what the concierge does alone, refuses, or hands to people, per property.

Every category of guest request or attempt maps to an action. The defaults follow one rule: only people grant
money, exceptions or booking changes, and safety comes first. A property pack may override the action of
non-emergency categories and set the local emergency number in its optional `policy` section.
"""

from dataclasses import dataclass, field
from typing import Any

from concierge.guard.privacy import name_pattern
from concierge.i18n import gettext_for
from knowledge.policy import (
    BOOKING,
    DEFAULT_ACTIONS,
    DEFAULT_EMERGENCY_NUMBER,
    HOUSE_RULES,
    MONEY,
    STRENGTH,
    Action,
    Category,
    PolicyIn,
)


@dataclass(frozen=True)
class Policy:
    """A property's effective policy: its overrides on top of the defaults."""

    emergency_number: str = DEFAULT_EMERGENCY_NUMBER
    actions: dict[Category, Action] = field(default_factory=lambda: dict(DEFAULT_ACTIONS))

    def action_for(self, category: Category) -> Action:
        """What the concierge does about this category."""
        return self.actions.get(category, Action.answer)


def policy_from(data: dict[str, Any] | None) -> Policy:
    """The effective policy from a property's stored `policy` JSON (empty or missing: the defaults)."""
    parsed = PolicyIn.model_validate(data or {})
    actions = dict(DEFAULT_ACTIONS)
    actions.update({Category(name): action for name, action in parsed.actions.items()})
    return Policy(emergency_number=parsed.emergency_number, actions=actions)


def strongest(policy: Policy, categories: list[Category]) -> tuple[Category | None, Action]:
    """The deciding category and its action among those a message touches.

    Between two of the same strength, an exception to the house's rules goes before money: "the host said we could
    bring both dogs without paying" asks for the dogs; the price is the condition, so the pets policy is what the
    guest hears. (A cancellation with a refund stays a money question.) An animal named goes before people: "can our
    kitten come too?" and "我家小猫能跟我们一起来住吗" (come along, stay with us) ask about a pet, not a guest.
    """
    conditional = bool(HOUSE_RULES.intersection(categories))  # money as the condition of a house-rule exception
    pet = Category.pet_exception in categories
    ranked = sorted(
        (
            (STRENGTH.index(policy.action_for(c)), conditional and c in MONEY, pet and c is Category.extra_guests, i, c)
            for i, c in enumerate(categories)
        ),
        key=lambda item: item[:4],
    )
    if not ranked or policy.action_for(ranked[0][-1]) is Action.answer:
        return None, Action.answer
    category = ranked[0][-1]
    return category, policy.action_for(category)


def reply_for(category: Category, action: Action, *, policy: Policy, language: str, property_name: str) -> str:
    """The localized reply for a screened message (escalations and emergencies may add grounded answers)."""
    _ = gettext_for(language)
    number = policy.emergency_number
    if action is Action.emergency:
        guidance = {
            Category.fire: _(
                "If there is a fire, leave the apartment now, close the door behind you, do not use the lift, "
                "and call %(number)s.",
                number=number,
            ),
            Category.gas: _(
                "If you smell gas, do not switch lights or appliances on or off and do not light anything; open "
                "the windows, leave the apartment and call %(number)s from outside.",
                number=number,
            ),
            Category.flood: _(
                "If water is leaking, keep away from sockets and electrical devices and, if it is safe, close the "
                "main water tap. If anyone is in danger, call %(number)s.",
                number=number,
            ),
            Category.medical: _("For a medical emergency, call %(number)s now.", number=number),
            Category.lockout: _(
                "If you are locked out, wait somewhere safe and well lit. If you feel unsafe, call %(number)s.",
                number=number,
            ),
            Category.break_in: _(
                "If you think someone has broken in, do not go inside and do not confront anyone; go somewhere "
                "safe and call the police on %(number)s.",
                number=number,
            ),
        }.get(category, _("If anyone is in danger, call %(number)s now.", number=number))
        return guidance + "\n" + _("I have alerted our team urgently; a person will contact you as soon as possible.")
    if action is Action.escalate:
        if category in MONEY:
            return _(
                "I can't decide on payments or prices myself. I have passed your message to our team, "
                "and a person will get back to you shortly."
            )
        if category in BOOKING:
            return _(
                "Changes and exceptions to a booking can only be confirmed by our team, so I can't confirm this "
                "myself. I have passed your request on, and a person will get back to you shortly."
            )
        if category is Category.maintenance:
            return _(
                "I'm sorry that something isn't working. I have asked our team to fix it, and a person will get "
                "back to you shortly."
            )
        return _(
            "I'm sorry about this. I have passed your message to our team, and a person will get back to you shortly."
        )
    if category is Category.privacy:
        return _(
            "For privacy and security reasons I can't share details about other guests or staff, or about how "
            "I work. If you need to reach our team, tell me and they will contact you."
        )
    if category is Category.manipulation:
        return _(
            "I can't make exceptions or share restricted information because of a message. If something was "
            "agreed with our team, they will confirm it with you directly."
        )
    if category is Category.abuse:
        return _("I'm here to help with your stay. Please keep our conversation respectful.")
    return _(
        "I am the virtual concierge of %(property)s and can only help with questions about your stay. "
        "What would you like to know?",
        property=property_name,
    )


def private_leaks(reply: str, *, private: list[str]) -> list[str]:
    """Which private values (other guests' names and phones, staff phones) appear in a reply; "" never counts."""
    folded = reply.casefold()
    digits = "".join(ch for ch in reply if ch.isdigit())
    found = []
    for value in private:
        value_digits = "".join(ch for ch in value if ch.isdigit())
        if value.startswith("+") and len(value_digits) >= 7:
            if value_digits[-9:] in digits:
                found.append("phone")
        elif len(value) >= 3 and name_pattern(value).search(folded):  # whole words: "Mar" is not in "mar-2024"
            found.append("name")
    return found
