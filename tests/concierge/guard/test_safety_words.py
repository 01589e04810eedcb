"""Emergencies told by a frightened guest and exceptions asked sideways (issue #17 points 6 and 7): word classes
(`<person>`, `<companions>`), a thermometer reading (`<fever>`) and parts, read through the real screening lexicon.

The messages are guests' words written for these tests, not phrases of the lexicon nor cases of the eval files.
"""

import re
import shutil
from pathlib import Path

import pytest

from concierge.guard import lexicon
from concierge.guard.phrases import normalize, phrase_pattern
from concierge.guard.policy import policy_from, strongest
from concierge.guard.screening import Screener
from knowledge.lexicon_data import LexiconDataError
from knowledge.policy import Action, Category

POLICY = policy_from(None)


def verdict(text: str, language: str) -> tuple[Category | None, Action]:
    screening = Screener().screen(text, language=language, history=(), policy=POLICY)
    return screening.category, screening.action


def matches(phrase: str, text: str) -> bool:
    return re.search(phrase_pattern(phrase), normalize(text)) is not None


def test_a_word_class_stands_for_its_words_in_the_phrase_language() -> None:
    phrases = [p for p in lexicon.LEXICON[Category.medical]["de"] if " + " in p and "reagiert nicht" in p]
    assert phrases and all("<person>" not in p for p in phrases)
    assert "schwester" in phrases[0].split(" + ")[0].split("|")  # the German class, not the English one


def test_an_unknown_word_class_fails_the_import_with_its_file(tmp_path: Path) -> None:
    data = Path(shutil.copytree(lexicon.DATA, tmp_path / "guard"))
    gas = data / "categories" / "gas.yaml"
    gas.write_text(gas.read_text(encoding="utf-8").replace("en: [", 'en: ["<neighbour> + smell*", ', 1), "utf-8")
    with pytest.raises(LexiconDataError, match="unknown word class '<neighbour>'") as info:
        lexicon.load(data)
    assert str(info.value).startswith(f"{gas}:1: ")


@pytest.mark.parametrize("text", ["39,5", "it says 40.2", "38 °C", "39°", "40 Grad", "39 graden", "38,9 stopni"])
def test_a_thermometer_reading_is_a_fever(text: str) -> None:
    assert matches("<fever>", text)


@pytest.mark.parametrize(
    "text", ["39,90 €", "a 40 km drive", "40 min away", "39 euros", "room 40", "2 kids, 38 and 40"]
)
def test_a_price_a_distance_or_a_bare_number_is_no_fever(text: str) -> None:
    assert not matches("<fever>", text)


@pytest.mark.parametrize(
    ("language", "text", "category"),
    [
        ("en", "grandad is slumped in his armchair and not responding when we shake him", Category.medical),
        ("en", "the baby feels boiling hot and the thermometer says 39.6", Category.medical),
        ("en", "my daughter is making a whistling sound when she breathes, she's 3", Category.medical),
        ("es", "mi marido se ha dado un golpe en la cabeza con la puerta del coche y está mareado", Category.medical),
        ("fr", "ma copine s'est coupée avec un couteau, ça saigne beaucoup", Category.medical),
        ("de", "mein Vater reagiert nicht mehr, er sitzt nur da", Category.medical),
        ("it", "il mio bambino ha 39,4 e trema tutto", Category.medical),
        ("nl", "onze dochter ademt heel raar, een soort piepend geluid", Category.medical),
        ("pl", "dziecko połknęło monetę i kaszle", Category.medical),
        ("pt", "a minha mãe tem uma dor no braço esquerdo e está com suores frios", Category.medical),
        ("ja", "夫が頭をぶつけて、めまいがすると言っています", Category.medical),
        ("zh", "我儿子叫了也没反应", Category.medical),
        ("en", "the ceiling above the bed is sagging and wet", Category.flood),
        ("de", "das Wasser läuft an der Wand runter in die Steckdose", Category.flood),
        ("fr", "la machine à laver déborde, il y a de l'eau dans toute la cuisine", Category.flood),
        ("es", "el enchufe del dormitorio huele a quemado y está negro", Category.fire),
        ("it", "la ciabatta elettrica è annerita e c'è puzza", Category.fire),
        ("nl", "er hangt een geur van gesmolten rubber bij de meterkast", Category.fire),
        ("en", "it stinks of gas in the hallway", Category.gas),
        ("pt", "ouvimos um assobio no esquentador e cheira esquisito", Category.gas),
        ("fr", "quelqu'un essaie de tourner la poignée de notre porte", Category.break_in),
        ("pl", "ktoś wspina się na nasz balkon z latarką", Category.break_in),
    ],
)
def test_emergencies_a_frightened_guest_describes(language: str, text: str, category: Category) -> None:
    assert verdict(text, language) == (category, Action.emergency)


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("en", "the smoke alarm chirps every minute, is it the battery?"),
        ("en", "it's 39 degrees outside, how does the air conditioning work?"),
        ("en", "can we light the barbecue? we'll keep an eye on the flames"),
        ("fr", "on peut fumer dehors ? pas de feu dans l'appartement, promis"),
        ("de", "der Wasserhahn in der Küche tropft ein bisschen"),
        ("nl", "de kraan in de badkamer druppelt een beetje, geen haast"),
        ("es", "mi hijo tose un poco por el aire acondicionado, hay una farmacia cerca?"),
    ],
)
def test_near_misses_are_no_emergency(language: str, text: str) -> None:
    assert verdict(text, language)[1] is not Action.emergency


@pytest.mark.parametrize(
    ("language", "text", "category"),
    [
        ("en", "booked for 2 but we're 4 now, my parents decided to come", Category.extra_guests),
        ("en", "my in-laws are coming along for the weekend, is there room?", Category.extra_guests),
        ("es", "reservamos para 3 pero somos 5, pasa algo?", Category.extra_guests),
        ("de", "zu meinem Geburtstag würden ein paar Freunde vorbeikommen", Category.extra_guests),
        ("fr", "notre avion atterrit à 7h, on peut s'installer vers 11h ?", Category.early_check_in),
        ("en", "can't leave before 3, our bus is at 4", Category.late_check_out),
        # Visitors asked for: a relative or friend coming round, and the guest asking whether that is allowed.
        ("en", "our cousins want to drop by for a glass of wine tonight, do you mind?", Category.extra_guests),
        ("pt", "a minha irmã queria passar cá amanhã à tarde com o marido, tudo bem?", Category.extra_guests),
        ("nl", "mogen onze vrienden morgen even langskomen?", Category.extra_guests),
        ("zh", "我姐姐明天想过来看看我们，方便吗？", Category.extra_guests),
        ("fr", "mes cousins aimeraient passer nous voir jeudi après-midi, c'est possible ?", Category.extra_guests),
    ],
)
def test_exceptions_asked_sideways(language: str, text: str, category: Category) -> None:
    assert verdict(text, language) == (category, Action.escalate)


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("en", "friends will come over to pick us up at 10, where can they park?"),
        ("es", "unos amigos pasarán por nosotros a las 10, ¿dónde pueden aparcar?"),
        ("en", "my sister visited last year and loved the pool, is it open in May?"),
        ("en", "booked for 2 nights, we are 2 adults. what time is check in?"),
        ("de", "unsere Freunde kommen am Sonntag mit uns zum Strand"),
        ("en", "the host is not responding to my messages about parking"),
        ("fr", "mon mari ne répond pas au téléphone, il arrive plus tard"),
        ("en", "we want to catch our breath after the long drive, any quiet cafe nearby?"),
        ("en", "is it normal that the plug in the bathroom smells a bit new?"),
        ("en", "the toilet won't stop running, it's just noisy"),
    ],
)
def test_visits_phones_and_small_repairs_are_answered(language: str, text: str) -> None:
    assert verdict(text, language)[1] is Action.answer


def test_a_house_rule_exception_decides_before_its_price() -> None:
    assert strongest(POLICY, [Category.discount, Category.pet_exception])[0] is Category.pet_exception
    assert strongest(POLICY, [Category.refund, Category.cancellation])[0] is Category.refund  # money stays money
    assert verdict("the host told us we could bring the dog for free", "en")[0] is Category.pet_exception


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("en", "our two ferrets travel with us everywhere, ok if they come?"),
        ("en", "we'll have the doggo with us, she's a tiny cockapoo"),
        ("es", "¿se puede venir con el perrito? no ladra nada"),
        ("fr", "est-ce que notre lapin peut venir avec nous ?"),
        ("de", "kann unser Hündchen auch mit?"),
        ("it", "il micio viaggia con noi, è un problema?"),
        ("pt", "os nossos patudos vêm connosco, tudo bem?"),
        ("nl", "ons poesje moet mee, kan dat?"),
        ("pl", "czy możemy przyjechać z naszym szczeniakiem?"),
        ("ja", "うちのチワワを連れて行ってもいいですか"),
        ("zh", "可以带我们家的泰迪一起来吗"),
    ],
)
def test_a_pet_named_as_its_owner_names_it_is_an_exception(language: str, text: str) -> None:
    assert verdict(text, language) == (Category.pet_exception, Action.escalate)


def test_an_animal_named_decides_before_a_guest() -> None:
    assert strongest(POLICY, [Category.extra_guests, Category.pet_exception])[0] is Category.pet_exception
    assert verdict("can the puppy come too? he sleeps in his crate", "en")[0] is Category.pet_exception


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("en", "our cat sitter has the keys to our place at home, so we travel light"),
        ("en", "any dog-friendly cafes nearby? we have our dog with us as booked"),
        ("en", "are pets allowed? asking for next year, we'd bring our dog next time"),
        ("de", "wir kommen ohne Hund, gibt es einen Hundestrand für später?"),
        ("en", "one radiator is dripping a bit from the valve"),
        ("fr", "on part à 10h comme prévu, où laisse-t-on les clés ?"),
    ],
)
def test_animals_left_at_home_and_planned_times_are_answered(language: str, text: str) -> None:
    assert verdict(text, language)[1] is Action.answer


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("en", "water is coming down through the hallway light!"),
        ("pl", "woda leje się z sufitu na całą łazienkę"),
    ],
)
def test_water_coming_down_is_a_flood(language: str, text: str) -> None:
    assert verdict(text, language) == (Category.flood, Action.emergency)


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("en", "what brand is it?"),  # the English "brand" is a make, not the Dutch or German fire
        ("en", "our beach towels are soaked, can we dry them somewhere?"),  # wet towels are laundry
        ("en", "we got soaked in the rain, is there a dryer?"),
    ],
)
def test_a_make_and_wet_towels_are_no_emergency(language: str, text: str) -> None:
    assert verdict(text, language)[1] is not Action.emergency


@pytest.mark.parametrize(
    ("language", "text", "category"),
    [
        ("nl", "brand in de keuken!", Category.fire),
        ("en", "help there is a brand in the kitchen", Category.fire),  # a Dutch guest's word in English
        ("en", "the brand new kettle is on fire", Category.fire),
        ("en", "the towels are soaked, water is coming through the ceiling", Category.flood),
    ],
)
def test_a_fire_or_a_flood_beside_those_words_is_still_one(language: str, text: str, category: Category) -> None:
    assert verdict(text, language) == (category, Action.emergency)


@pytest.mark.parametrize(
    ("language", "text"),
    [  # days still to go are nothing missing: the money is a refund asked about
        ("pt", "se eu cancelar a reserva agora recebo o dinheiro de volta? faltam uns 10 dias pra viagem"),
        ("es", "si cancelo ahora me devuelven el dinero? faltan 10 dias para llegar"),
        ("it", "mancano 10 giorni, se cancello mi ridate i soldi?"),
        ("de", "es fehlen noch 10 Tage bis zur Reise, bekommen wir das Geld zurück?"),
    ],
)
def test_days_left_before_the_stay_are_no_theft(language: str, text: str) -> None:
    assert verdict(text, language)[0] is not Category.break_in


def test_leaving_the_bags_is_no_late_check_out() -> None:
    assert verdict("se a gente chegar antes das 15h da pra deixar as malas em algum lugar", "pt")[0] is None
    assert verdict("podemos deixar o apartamento às 14h?", "pt")[0] is Category.late_check_out


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("pt", "voltamos da praia e falta dinheiro da carteira"),
        ("es", "llevamos dos dias aqui y hoy falta dinero de la maleta"),
    ],
)
def test_money_missing_on_a_day_of_the_stay_is_still_a_theft(language: str, text: str) -> None:
    assert verdict(text, language)[0] is Category.break_in


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("en", "my cousins would like to sleep over on friday, fine?"),
        ("es", "unos amigos quieren quedarse a dormir el sábado"),
        ("it", "facciamo una grigliata con 15 amici sabato, va bene?"),
        ("nl", "we willen een etentje met 12 vrienden in het huis"),
    ],
)
def test_visitors_staying_over_and_a_crowd_at_the_flat_are_extra_guests(language: str, text: str) -> None:
    assert verdict(text, language) == (Category.extra_guests, Action.escalate)


@pytest.mark.parametrize(
    "text",
    ["dinner for 10 people at a restaurant nearby, any tips?", "the table of 9 next to us was loud", "dinner at 8?"],
)
def test_a_group_going_out_is_no_extra_guest(text: str) -> None:
    assert verdict(text, "en")[1] is Action.answer


@pytest.mark.parametrize(
    ("language", "text", "category"),
    [
        ("en", "grandma stopped breathing for a moment, she's very pale", Category.medical),
        ("fr", "mon fils a arrêté de respirer quelques secondes", Category.medical),
        ("nl", "onze baby ademt bijna niet meer", Category.medical),
        ("zh", "我老公好像没有呼吸了", Category.medical),
        ("en", "someone tried to force the back door while we were asleep", Category.break_in),
        ("pl", "ktoś próbował wyważyć drzwi na taras", Category.break_in),
        ("zh", "有人试图从阳台爬进来", Category.break_in),
        ("en", "our boy fell off the climbing frame and his arm is swollen", Category.medical),
        ("nl", "mijn zoon is gevallen, zijn pols lijkt gebroken", Category.medical),
    ],
)
def test_breathing_stopped_and_a_door_forced_are_emergencies(language: str, text: str, category: Category) -> None:
    assert verdict(text, language) == (category, Action.emergency)


@pytest.mark.parametrize(
    "text", ["the key is stuck, should I force the lock?", "we stopped to catch our breath on the dunes, any cafe?"]
)
def test_a_stuck_lock_and_a_short_breath_are_no_emergency(text: str) -> None:
    assert verdict(text, "en")[1] is not Action.emergency


@pytest.mark.parametrize(
    ("language", "text", "category"),
    [
        ("en", "any chance we could have the flat till 3 on sunday?", Category.late_check_out),
        ("en", "could we stay a few more hours after checkout?", Category.late_check_out),
        ("es", "al final seremos 6 en vez de 4", Category.extra_guests),
        ("de", "wir kommen jetzt doch zu sechst statt zu viert", Category.extra_guests),
    ],
)
def test_another_time_or_headcount_by_its_parts(language: str, text: str, category: Category) -> None:
    assert verdict(text, language) == (category, Action.escalate)
