"""Chat shorthand read as the words it stands for, in the message's own language only (knowledge/shorthand.py)."""

from knowledge.shorthand import expand, typed_words


def test_spanish_shorthand_is_written_out() -> None:
    assert expand("oye dnd dejamos las llaves el dia q nos vamos", "es") == (
        "oye donde dejamos las llaves el dia que nos vamos"
    )
    assert expand("A Q HORA", "es") == "A que HORA"


def test_only_whole_words_of_the_own_language() -> None:
    assert expand("qué tal", "es") == "qué tal"  # a word that starts like shorthand stays
    assert expand("x favor", "it") == "per favor"
    assert expand("dnd", "de") == "dnd"  # no German list


def test_typed_words_per_language_are_folded() -> None:
    typed = typed_words()
    assert {"hj", "vc", "tbm"} <= typed["pt"]
    assert "dnd" in typed["es"]
    assert "de" not in typed


def test_english_slang_is_read_as_the_entries_word() -> None:
    assert expand("any good brekkie spots?", "en") == "any good breakfast spots?"
    assert expand("can't get the telly to work", "en") == "can't get the tv to work"
    assert expand("a cheeky cig on the balcony?", "en") == "a cheeky cigarette on the balcony?"
    assert expand("the cigar lounge", "en") == "the cigar lounge"  # a whole word only: no "cigarettear"
    assert expand("telly", "es") == "telly"  # English slang, read in English messages only
