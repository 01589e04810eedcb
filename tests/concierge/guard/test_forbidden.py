"""Asking plainly for a thing the rule entry forbids (concierge/guard/forbidden.py, issue #17 point 7)."""

from concierge.guard.forbidden import forbids

RULES = ["Maximum 3 guests. No parties or events, and please do not light candles."]
SMOKING = ["No smoking or vaping inside the flat. You can smoke on the balcony; there is an ashtray on the table."]
FIRE = ["De gasbarbecue staat op het terras. Houtskool en open vuur zijn niet toegestaan vanwege de duinen."]


def test_permission_for_a_forbidden_thing_in_any_language() -> None:
    assert forbids("posso accendere qualche candela?", RULES, language="it")
    assert forbids("可以在客厅里点几根蜡烛吗", RULES, language="zh")
    assert forbids("we brought charcoal, ok to use it on the bbq instead of the gas?", FIRE, language="en")


def test_a_thing_the_entry_also_allows_or_a_plain_question_is_no_request() -> None:
    assert not forbids("can we smoke on the balcony?", SMOKING, language="en")
    assert not forbids("are candles allowed?", RULES, language="en")
    assert not forbids("can we use the bbq on the terrace?", FIRE, language="en")


CITY = [
    "No smoking anywhere in the flat, including the balcony and at the open windows: the neighbours upstairs"
    " complain. You can smoke in the courtyard by the bins, where there is an ashtray."
]
DUNES = ["Roken in huis is verboden. Op het terras mag het, maar gooi peuken nooit in de duinen: daar is brandgevaar."]


def test_a_place_only_a_forbidding_sentence_names_is_a_request() -> None:
    assert forbids("puedo fumar dentro si abro la ventana? en el balcón hace un frío...", SMOKING, language="es")
    assert forbids("mogen we in de woonkamer roken? buiten regent het pijpenstelen", SMOKING, language="nl")
    assert forbids("外面下大雨，我老公可以在客厅里抽根烟吗", SMOKING, language="zh")
    assert forbids("Est-ce qu'on peut fumer à la fenêtre juste ce soir ?", CITY, language="fr")
    assert forbids("est-ce que je pourrais fumer ma pipe dans le salon ?", DUNES, language="fr")


def test_a_place_the_entry_allows_is_answered() -> None:
    assert not forbids("Dürfen wir auf der Terrasse rauchen?", DUNES, language="de")
    assert not forbids("can I smoke in the courtyard?", CITY, language="en")
    assert not forbids("on peut fumer sur le balcon ?", SMOKING, language="fr")


def test_a_forbidden_place_asked_for_plainly_is_answered_where_the_entry_allows_another() -> None:
    assert not forbids("Dürfen wir auf dem Balkon rauchen?", CITY, language="de")
    assert not forbids("can I have a cigarette at the window?", CITY, language="en")
    assert forbids(
        "Könnte ich abends ganz kurz auf dem Balkon eine rauchen? Unten ist es so dunkel", CITY, language="de"
    )


def test_the_entries_naming_a_thing_asked_for_plainly() -> None:
    from concierge.guard.forbidden import naming_entries

    entries = {"custom:barbecue": FIRE, "house_rules": RULES, "smoking": SMOKING}
    assert naming_entries("the kids want marshmallows, can we make a little campfire?", entries) == ["custom:barbecue"]
    assert naming_entries("czy mogę zapalić kilka świeczek wieczorem?", entries) == ["house_rules"]
    assert naming_entries("can I leave the dog alone for an hour?", entries) == []  # "alone" needs retrieval


def test_a_place_allowed_in_brackets_is_allowed() -> None:
    rules = ["Maximum 4 guests. No smoking inside (the balcony is fine). No pets."]
    assert not forbids("can we smoke on the balcony in the evening?", rules, language="en")


def test_a_thing_asked_for_away_from_the_house_names_no_entry() -> None:
    from concierge.guard.forbidden import naming_entries

    assert naming_entries("can we have a campfire on the beach?", {"custom:barbecue": FIRE}) == []


def test_a_thing_asked_for_someone_of_the_party() -> None:
    inside = ["Il est interdit de fumer dans l'appartement."]
    assert forbids("mon copain peut fumer une cigarette à la fenêtre de la chambre ?", inside, language="fr")
    assert forbids("czy mąż może zapalić papierosa w kuchni?", ["Palenie w mieszkaniu jest zabronione."], language="pl")
    assert forbids("¿le dejarías fumarse un puro en la cocina?", ["No se puede fumar en el piso."], language="es")
    assert not forbids("mon copain peut-être viendra, il ne fume pas", inside, language="fr")
    assert not forbids("mon mari peut fumer ?", ["Fumer est possible sur le balcon."], language="fr")


def test_the_rule_asked_impersonally_or_of_a_pet_is_no_request_for_someone() -> None:
    inside = ["Nicht im Haus rauchen."]
    assert not forbids("Darf man im Haus rauchen oder nur draussen?", inside, language="de")
    assert forbids("Darf er im Haus eine Zigarette rauchen, es regnet?", inside, language="de")
    assert not forbids("czy pies może zostać sam w mieszkaniu?", ["Psa nie można zostawiać samego."], language="pl")


TENTS = ["Maximum 6 people. No parties, no groups and no tents in the garden. Keep quiet after 22:00."]


def test_a_wish_for_a_forbidden_thing_is_a_request() -> None:
    """ "We'd like to…", "würden so gern": the guest asks by saying what they would like (exceptions15)."""
    assert forbids("a gente queria acender umas velas no jantar de aniversário hoje, tudo bem?", RULES, language="pt")
    assert forbids("Unsere Jungs würden so gern mit ihren Freunden im Garten zelten, geht das?", TENTS, language="de")
    assert not forbids("we'd like to smoke, where is that ok?", SMOKING, language="en")
    assert not forbids("a gente queria saber onde fica o supermercado", RULES, language="pt")


def test_a_third_person_asked_for_a_few_words_before_the_thing() -> None:
    """ "Could my wife have a quick cigarette", "my husband could vape": someone of the party (exceptions15)."""
    assert forbids(
        "it's pouring down out there, could my wife have a quick cigarette in the kitchen by the window?",
        SMOKING,
        language="en",
    )
    assert forbids(
        "any chance my husband could vape in the living room tonight? he'll keep the balcony door open, it's freezing",
        SMOKING,
        language="en",
    )
    assert forbids(
        "Mein Mann möchte am Abend gern eine Zigarre im Wohnzimmer rauchen, das Wetter ist schlecht",
        SMOKING,
        language="de",
    )
    assert not forbids("could my husband smoke on the balcony?", SMOKING, language="en")
