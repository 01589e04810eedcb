"""Things an entry mentions and a guest asks about next, named in any language."""

from knowledge.things import given_words, own_words, things_named, unnamed


def test_things_are_named_in_any_language() -> None:
    assert things_named("e le chiavi?") == things_named("Put the keys back") == {"keys"}
    assert "keys" in things_named("鍵はどこ？")
    assert things_named("is there a gym?") == frozenset()
    assert things_named("a keyboard") == frozenset()  # a whole word, not a piece of one
    assert things_named("czy dzieci mogą wchodzić same?") == things_named("Children only under supervision")
    assert things_named("tienen candado?") == {"lock"}
    assert things_named("each bike has a lock") == {"lock", "bikes"}
    assert "children" in things_named("2 bikes with a child seat")  # a child seat is for the children
    assert things_named("und wo sind die Fernbedienungen?") == things_named("the remotes") == {"remote"}
    assert things_named("where is the modem?") == things_named("the router is in the cabinet") == {"router"}


def test_an_entrys_own_words_leave_out_a_thing_the_message_does_not_name() -> None:
    # After the pool's "use the beach towels", "what about the beach?" asks about the beach.
    assert "beach" not in own_words("please use the beach towels", "what about the beach?")
    assert "towels" in own_words("please use the beach towels", "and the beach towels?")


def test_a_longer_name_of_a_thing_is_not_also_the_shorter_one() -> None:
    assert things_named("and a hair dryer?") == {"hair_dryer"}
    assert things_named("is there a tumble dryer?") == {"dryer"}


def test_earplugs_and_a_wood_stove_are_things() -> None:
    assert things_named("耳栓はありますか？") == things_named("there are earplugs in the drawer") == {"earplugs"}
    assert things_named("c'è anche una stufa a legna?") == things_named("There is also a wood stove") == {"stove"}


def test_the_french_box_is_the_router_but_a_key_box_is_not() -> None:
    assert things_named("et la box elle est où ?") == {"router"}
    assert "router" not in things_named("where is the key box?")


def test_a_thing_no_text_names_is_unnamed_also_in_the_plural() -> None:
    assert unnamed(["sombrillas", "toallas"], ["towels and a hair dryer"]) == ["sombrillas"]
    assert unnamed(["sombrilla"], ["a beach umbrella"]) == []


def test_a_word_naming_a_thing_the_entry_names_in_another_language_is_given() -> None:
    # "gdzie jest drewno do kominka?" to an English entry's "wood stove: logs are in the shed"
    entry = "There is also a wood stove: logs are in the shed."
    assert given_words("gdzie jest drewno do kominka?", [entry]) == {"drewno", "kominka"}
    assert given_words("a máquina de secar pode levar toalhas?", ["A washer and a tumble dryer"]) >= {
        "maquina",
        "secar",
    }
    assert given_words("tem lenha?", ["Air conditioning in every room."]) == frozenset()  # not named: not given
    assert things_named("热水浴缸用完要把盖子盖回去吗") == things_named("put the cover back on") == {"cover"}
    assert things_named("想吃海鲜") == things_named("seafood") == {"fish"}


def test_the_entry_that_names_the_thing_answers_when_the_lexicons_one_does_not() -> None:
    from knowledge.index import build_index
    from knowledge.questions import decide

    index = build_index(
        [
            {"topic": "laundry", "title": "Laundry", "content": {"en": "The washer-dryer is in the bathroom."}},
            {"topic": "amenities", "title": "Included", "content": {"en": "Towels, an iron and a hair dryer."}},
            {"topic": "kitchen", "title": "Kitchen", "content": {"en": "A hob, an oven and a kettle."}},
        ]
    )

    def chosen(message: str) -> list[str]:
        return [c.topic for c in decide(index, message, language="en", threshold=0.7).selected]

    assert chosen("is there an iron somewhere, my shirt is a mess") == ["amenities"]
    # "an iron for hair? a straightener": a thing of its own, which nothing names
    assert decide(index, "czy jest jakies zelazko do wlosow? prostownica", language="pl", threshold=0.7).selected == []
    bare = build_index([{"topic": "laundry", "title": "Laundry", "content": {"en": "The washer is in the bathroom."}}])
    assert decide(bare, "is there an iron somewhere", language="en", threshold=0.7).selected == []  # none names one
