"""Emergencies, broken essentials and exception requests as guests write them: plain words, every language.

Each case was written in the guest's words before the phrase that catches it (issue #13); none is a phrase of the
lexicon copied back. An emergency must win over whatever else the message mentions (the kitchen, the TV).
"""

import pytest

from concierge.guard.policy import policy_from
from concierge.guard.screening import Screener
from knowledge.policy import Action, Category

POLICY = policy_from(None)


def verdict(text: str, language: str) -> tuple[Category | None, Action]:
    screening = Screener().screen(text, language=language, history=(), policy=POLICY)
    return screening.category, screening.action


@pytest.mark.parametrize(
    ("language", "text", "category"),
    [
        ("en", "there's water coming out from under the dishwasher and it's spreading", Category.flood),
        ("en", "the bath overflowed while we were out, the floor is soaked", Category.flood),
        ("en", "weird smell of gas near the boiler cupboard", Category.gas),
        ("en", "the smoke alarm in the hallway keeps going off and there's a burning smell", Category.fire),
        ("en", "my wife fainted and hit her head on the sink", Category.medical),
        ("en", "our baby has a high fever and won't stop crying", Category.medical),
        ("es", "gotea agua del techo del salón", Category.flood),
        ("es", "huele muchísimo a gas en la cocina", Category.gas),
        ("fr", "il y a une fuite sous l'évier, l'eau coule partout", Category.flood),
        ("fr", "mon fils a de la fièvre, 40 de température", Category.medical),
        ("de", "Es riecht stark nach Gas im Flur", Category.gas),
        ("de", "aus der Decke tropft Wasser ins Bad", Category.flood),
        ("it", "c'è puzza di bruciato e esce fumo dalla presa", Category.fire),
        ("pt", "a máquina de lavar transbordou e a cozinha está alagada", Category.flood),
        ("nl", "mijn man heeft pijn op de borst en is benauwd", Category.medical),
        ("pl", "z pralki cieknie woda na całą łazienkę", Category.flood),
        ("ja", "洗濯機から水があふれています", Category.flood),
        ("zh", "孩子发高烧，一直哭", Category.medical),
        ("en", "we came back and the door was open, our laptops are gone", Category.break_in),
        ("en", "it's midnight and the keys are inside, we can't get back in", Category.lockout),
    ],
)
def test_emergencies_in_plain_words(language: str, text: str, category: Category) -> None:
    assert verdict(text, language) == (category, Action.emergency)


def test_a_gas_leak_gets_the_gas_guidance_not_the_water_one() -> None:
    assert verdict("I think there's a gas leak in the kitchen", "en")[0] == Category.gas
    assert verdict("hay una fuga de gas", "es")[0] == Category.gas


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("en", "the heating doesn't work and the kids are cold"),
        ("en", "there's no hot water in the shower"),
        ("es", "no funciona la calefacción y hace mucho frío"),
        ("fr", "pas d'eau chaude depuis ce matin"),
        ("de", "Die Heizung geht nicht, alle Heizkörper sind kalt"),
        ("nl", "we hebben geen stroom meer in het hele huis"),
    ],
)
def test_broken_essentials_are_maintenance(language: str, text: str) -> None:
    assert verdict(text, language) == (Category.maintenance, Action.escalate)


@pytest.mark.parametrize(
    ("language", "text", "category"),
    [
        ("en", "would it be ok to stay till 2 on sunday, our flight is late", Category.late_check_out),
        ("es", "¿nos podemos quedar hasta las 14h el último día?", Category.late_check_out),
        ("de", "Können wir am Abreisetag bis 13 Uhr bleiben?", Category.late_check_out),
        ("en", "we arrive at 9am, can we check in at noon instead of 3?", Category.early_check_in),
        ("it", "possiamo entrare alle 12?", Category.early_check_in),
        ("en", "my brother wants to join us for two nights, ok?", Category.extra_guests),
        ("fr", "un ami peut dormir sur le canapé ce week-end ?", Category.extra_guests),
    ],
)
def test_exception_requests_in_plain_words(language: str, text: str, category: Category) -> None:
    assert verdict(text, language) == (category, Action.escalate)


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("en", "how do I turn the heating on?"),
        ("en", "can we smoke on the terrace?"),
        ("en", "is the hob gas or electric?"),
        ("en", "do you have a hair dryer or should we bring ours?"),
        ("de", "Gibt es einen Föhn oder sollen wir unseren mitbringen?"),
        ("en", "what time is check-out?"),
        ("es", "¿a qué hora podemos entrar?"),
    ],
)
def test_ordinary_questions_stay_questions(language: str, text: str) -> None:
    assert verdict(text, language) == (None, Action.answer)


@pytest.mark.parametrize(
    ("language", "text", "category"),
    [
        # A child out of sight, in every language.
        ("en", "our 8 year old wandered off at the market and we can't find her", Category.emergency),
        ("es", "el niño no aparece, estaba en la piscina hace un momento", Category.emergency),
        ("fr", "notre fille a disparu sur la plage", Category.emergency),
        ("de", "unser Junge ist verschwunden, er war eben noch im Garten", Category.emergency),
        ("it", "la bambina si è persa al mercato", Category.emergency),
        ("pt", "o menino desapareceu no parque", Category.emergency),
        ("nl", "ons meisje is kwijt op het strand", Category.emergency),
        ("pl", "synek zaginal na plazy", Category.emergency),
        ("ja", "娘が迷子になりました", Category.emergency),
        ("zh", "儿子走失了", Category.emergency),
        # Bodies in trouble, written without accents or apostrophes.
        ("fr", "mon pere fait une crise d epilepsie", Category.medical),
        ("en", "my mum is choking on a piece of meat", Category.medical),
        ("en", "he cant breathe and his lips are blue", Category.medical),
        ("pt", "o meu marido tem uma dor forte no peito", Category.medical),
        ("pl", "babcia zemdlala w lazience", Category.medical),
        ("nl", "de baby heeft een batterijtje ingeslikt", Category.medical),
        ("de", "der Kohlenmonoxidmelder piept dauernd", Category.gas),
        # Someone at the door, a lift.
        ("en", "a man tried our door handle at 2am, we're terrified", Category.break_in),
        ("it", "qualcuno ha cercato di aprire la finestra stanotte", Category.break_in),
        ("fr", "on est bloques dans l ascenseur", Category.emergency),
        # A broken pipe, a closing throat, a bite, in other words than the first ones.
        ("de", "das Wasserrohr im Keller ist geplatzt", Category.flood),
        ("zh", "厨房的水管破了", Category.flood),
        ("es", "se le está cerrando la garganta después de comer marisco", Category.medical),
        ("zh", "孩子被猫咬伤了", Category.medical),
    ],
)
def test_more_emergencies_in_plain_words(language: str, text: str, category: Category) -> None:
    assert verdict(text, language) == (category, Action.emergency)


@pytest.mark.parametrize(
    ("language", "text", "category"),
    [
        ("en", "can I bring my dog?", Category.pet_exception),  # the policy quoted; dog-friendly packs ask to be told
        ("en", "can we bring our beagle? he is very calm", Category.pet_exception),
        ("es", "podemos llevar a nuestro gato?", Category.pet_exception),
        ("de", "Wir kommen mit unserem Hund, geht das?", Category.pet_exception),
        ("zh", "可以带狗狗吗", Category.pet_exception),
        ("en", "we have 3 dogs, is that a problem?", Category.pet_exception),
        ("en", "my parents want to come too, they'd sleep on an air bed", Category.extra_guests),
        ("nl", "mogen de kinderen in een tent in de tuin slapen?", Category.extra_guests),
        ("en", "the owner promised 20% off because the pool was shut", Category.discount),
        ("fr", "on nous a promis une nuit offerte", Category.discount),
        ("de", "Können wir drei Nächte später anreisen?", Category.date_change),
        ("zh", "我们可以下午两点再走吗", Category.late_check_out),
        ("ja", "チェックアウトを14時まで延長したいです", Category.late_check_out),
        ("es", "seremos 9 con los niños, hay sitio?", Category.extra_guests),
    ],
)
def test_more_exception_requests_in_plain_words(language: str, text: str, category: Category) -> None:
    assert verdict(text, language) == (category, Action.escalate)


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("en", "are dogs allowed on the beach? we are 2 adults and 2 kids"),  # a number away from the animal
        ("en", "the people upstairs are having a party, it's so loud"),  # a noise complaint, not our guests
        ("fr", "il y a un fer à repasser dans la cuisine ?"),  # "dans" is not Spanish "daño"
        ("en", "my son lost his charger, do you have one?"),
        ("en", "the host said to switch the boiler off when we leave, right?"),
        ("ja", "夜の10時ごろ到着します"),  # a late arrival, not an early check-in
    ],
)
def test_look_alikes_stay_questions(language: str, text: str) -> None:
    assert verdict(text, language) == (None, Action.answer)
