"""Channel formatting: SMS parts at sensible boundaries, within Twilio's limits, nothing lost."""

from concierge.conversation.formatting import HARD_LIMIT, SMS_PREFERRED, split_reply


def test_short_replies_are_one_part() -> None:
    assert split_reply("Check-in is from 15:00.", channel="sms") == ["Check-in is from 15:00."]


def test_sms_splits_between_paragraphs_first() -> None:
    first, second = "A" * 200 + ".", "B" * 200 + "."
    assert split_reply(f"{first}\n\n{second}", channel="sms") == [first, second]


def test_a_long_paragraph_splits_between_sentences() -> None:
    sentences = [f"Sentence number {i} says something useful about the flat." for i in range(20)]
    parts = split_reply(" ".join(sentences), channel="sms")
    assert len(parts) > 1
    assert all(len(p) <= SMS_PREFERRED for p in parts)
    assert all(p.endswith(".") for p in parts)  # never cut mid-sentence when sentences fit
    assert " ".join(parts) == " ".join(sentences)


def test_text_without_spaces_is_cut_hard_but_kept_whole() -> None:
    text = "x" * 1000
    parts = split_reply(text, channel="sms")
    assert "".join(parts) == text and all(len(p) <= SMS_PREFERRED for p in parts)


def test_whatsapp_keeps_long_replies_in_one_message_up_to_the_hard_limit() -> None:
    text = "\n\n".join(["Paragraph. " * 30] * 3).strip()
    assert len(text) > SMS_PREFERRED
    assert split_reply(text, channel="whatsapp") == [text]
    paragraph = ("word " * 200).strip()  # 999 characters: two do not fit in one message
    assert split_reply("\n\n".join([paragraph] * 3), channel="whatsapp") == [paragraph] * 3
    assert all(len(p) <= HARD_LIMIT for p in split_reply("word " * 1000, channel="whatsapp"))
