"""Reply formatting per channel: where a long reply is split into messages the guest's phone shows well.

Twilio refuses a body over 1,600 characters (error 21617) on every channel. SMS bills and displays in
segments, so SMS replies are cut into parts of about `SMS_PREFERRED` characters at paragraph, then sentence,
then word boundaries; WhatsApp shows long messages well, so it is only cut at the hard limit. Each part
becomes its own outbox row: rows of one conversation leave in order, and each is reconciled on its own.
"""

import re

HARD_LIMIT = 1600  # Twilio's limit for one message body, SMS and WhatsApp alike
SMS_PREFERRED = 320  # two concatenated SMS segments: reads as one message on every phone

_SENTENCE_END = re.compile(r"(?<=[.!?;:。！？])\s+|(?<=[。！？])")


def part_limit(channel: str) -> int:
    """The longest part a reply on this channel is cut into."""
    return SMS_PREFERRED if channel == "sms" else HARD_LIMIT


def split_reply(text: str, *, channel: str) -> list[str]:
    """The reply as the parts to send, in order: each within the channel's limit, cut where a reader pauses."""
    limit = part_limit(channel)
    text = text.strip()
    if len(text) <= limit:
        return [text] if text else []
    pieces: list[str] = []
    for paragraph in (p.strip() for p in text.split("\n\n")):
        if paragraph:
            pieces += _fit(paragraph, limit)
    return _pack(pieces, limit, joiner="\n\n")


def _fit(paragraph: str, limit: int) -> list[str]:
    """A paragraph as pieces within `limit`: whole, else by sentences, else by words, else cut hard."""
    if len(paragraph) <= limit:
        return [paragraph]
    sentences = [s for s in _SENTENCE_END.split(paragraph) if s.strip()]
    if len(sentences) > 1:
        return _pack([piece for s in sentences for piece in _fit(s.strip(), limit)], limit, joiner=" ")
    words = paragraph.split()
    if len(words) > 1:
        return _pack([piece for w in words for piece in _fit(w, limit)], limit, joiner=" ")
    return [paragraph[i : i + limit] for i in range(0, len(paragraph), limit)]


def _pack(pieces: list[str], limit: int, *, joiner: str) -> list[str]:
    """Join consecutive pieces while the result stays within `limit`."""
    parts: list[str] = []
    for piece in pieces:
        if parts and len(parts[-1]) + len(joiner) + len(piece) <= limit:
            parts[-1] = parts[-1] + joiner + piece
        else:
            parts.append(piece)
    return parts
