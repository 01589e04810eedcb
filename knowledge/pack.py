"""Property packs: the YAML an owner imports and exports, validated with every problem reported."""

import re
from datetime import UTC, date, timedelta
from pathlib import Path
from typing import Annotated, Any
from zoneinfo import ZoneInfo, available_timezones

import phonenumbers
import yaml
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from concierge.core.errors import InvalidInput
from concierge.core.modelbase import utcnow
from knowledge.checks import looks_like_code, secret_digits_in_the_open
from knowledge.lexicon import TOPICS
from knowledge.policy import PolicyIn

E164 = r"^\+[1-9]\d{6,14}$"
LANGUAGE_TAG = r"^[a-z]{2,3}$"
# A stay given relative to the day of the import ("today", "today+8", "today-1"), so a demo pack is true any day.
RELATIVE_DATE = re.compile(r"^today(?:\s*([+-])\s*(\d{1,4}))?$")


def e164(value: str) -> str:
    """A phone number as E.164 ("+34 600 000 001" → "+34600000001"), a `whatsapp:` prefix kept; ValueError with
    the reason when it is not an international number of a possible length for its country code."""
    prefix = "whatsapp:" if value.startswith("whatsapp:") else ""
    raw = value.removeprefix("whatsapp:").strip()
    if not raw.startswith("+"):
        raise ValueError(f"{value!r} is not an international number: write it with + and the country code")
    try:
        number = phonenumbers.parse(raw, None)
    except phonenumbers.NumberParseException:
        raise ValueError(f"{value!r} is not a phone number") from None
    if not phonenumbers.is_possible_number(number):
        raise ValueError(f"{value!r} is not a phone number: wrong length for +{number.country_code}")
    normalised = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    if not re.match(E164, normalised):
        raise ValueError(f"{value!r} is not an E.164 number")
    return prefix + normalised


Phone = Annotated[str, AfterValidator(e164)]  # written any common way in a pack, stored as E.164


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class PropertyIn(_Strict):
    slug: str = Field(pattern=r"^[a-z0-9-]+$", max_length=64)
    name: str = Field(min_length=1, max_length=200)
    timezone: str
    default_language: str = Field(pattern=LANGUAGE_TAG)
    phone_numbers: list[Phone] = Field(min_length=1)
    access_window_hours: int = Field(default=24, ge=0, le=24 * 30)

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        if value not in available_timezones():
            raise ValueError(f"unknown IANA time zone {value!r}")
        return value

    @field_validator("phone_numbers")
    @classmethod
    def _numbers(cls, values: list[str]) -> list[str]:
        if len(set(values)) != len(values):  # compared once normalised: "+34 600…" and "+34600…" are one
            raise ValueError("a number is listed twice")
        return values


class StaffIn(_Strict):
    name: str = Field(min_length=1, max_length=200)
    phone: Phone
    role: str = Field(min_length=1, max_length=32)
    languages: list[str] = Field(default_factory=list)

    @field_validator("languages")
    @classmethod
    def _tags(cls, values: list[str]) -> list[str]:
        return [_language_tag(v) for v in values]


MAX_KEYWORDS = 30  # per entry and language
MAX_KEYWORD_CHARS = 60


class EntryIn(_Strict):
    topic: str
    title: str = Field(min_length=1, max_length=200)
    sensitive: bool = False
    content: dict[str, str] = Field(min_length=1)
    # Optional words guests use for this entry, per language ("custom:bike-shed": de [Fahrradschuppen]): a custom
    # topic is then reachable in every language, and any entry by the owner's own words.
    keywords: dict[str, list[str]] | None = None
    # Optional, inclusive, in the property's time zone: "pool closed until 2026-05-01" ends the day before.
    effective_from: date | None = None
    effective_until: date | None = None

    @field_validator("topic")
    @classmethod
    def _known_topic(cls, value: str) -> str:
        if value not in TOPICS and not re.match(r"^custom:[a-z0-9-]+$", value):
            raise ValueError(f"unknown topic {value!r}: use one of the standard topics or custom:<slug>")
        return value

    @field_validator("content")
    @classmethod
    def _texts(cls, content: dict[str, str]) -> dict[str, str]:
        for language, text in content.items():
            _language_tag(language)
            if not str(text).strip():
                raise ValueError(f"content in {language!r} is empty")
        return {language: str(text).strip() for language, text in content.items()}

    @field_validator("keywords")
    @classmethod
    def _keywords(cls, keywords: dict[str, list[str]] | None) -> dict[str, list[str]] | None:
        cleaned: dict[str, list[str]] = {}
        for language, words in (keywords or {}).items():
            _language_tag(language)
            found = list(dict.fromkeys(" ".join(str(w).split()) for w in words if str(w).strip()))
            if len(found) > MAX_KEYWORDS or any(len(w) > MAX_KEYWORD_CHARS for w in found):
                raise ValueError(
                    f"keywords in {language!r}: at most {MAX_KEYWORDS}, each at most {MAX_KEYWORD_CHARS} characters"
                )
            if found:
                cleaned[language] = found
        return cleaned or None  # none: left out of the stored entry and the exported pack

    @model_validator(mode="after")
    def _access_is_sensitive(self) -> "EntryIn":
        if self.topic == "access" and not self.sensitive:
            raise ValueError("the access topic is always sensitive: set sensitive: true")
        return self

    @model_validator(mode="after")
    def _no_code_in_the_open(self) -> "EntryIn":
        if self.sensitive:
            return self
        for language, text in self.content.items():
            fragment = looks_like_code(text)
            if fragment:
                raise ValueError(
                    f"content in {language!r} looks like an access code ({fragment!r}): mark the entry "
                    "sensitive, or move the code to the sensitive access entry"
                )
        return self

    @model_validator(mode="after")
    def _dates_in_order(self) -> "EntryIn":
        if self.effective_from and self.effective_until and self.effective_until < self.effective_from:
            raise ValueError("effective_until must not be before effective_from")
        return self

    def stored(self) -> dict[str, Any]:
        """The entry as a knowledge version stores it (JSON; absent dates left out)."""
        return self.model_dump(mode="json", exclude_none=True)


class ReservationIn(_Strict):
    guest_name: str = Field(min_length=1, max_length=200)
    phone: Phone
    check_in: date
    check_out: date
    language: str | None = Field(default=None, pattern=LANGUAGE_TAG)
    guests: int = Field(default=1, ge=1, le=50)

    @field_validator("check_in", "check_out", mode="before")
    @classmethod
    def _relative(cls, value: Any, info: ValidationInfo) -> Any:
        """ "today", "today+N", "today-N": days from the import's date at the property (export writes dates)."""
        if not isinstance(value, str) or not value.strip().startswith("today"):
            return value
        found = RELATIVE_DATE.match(value.strip())
        if found is None:
            raise ValueError(f"{value!r} is not a date: use YYYY-MM-DD, today, today+N or today-N")
        context = info.context if isinstance(info.context, dict) else {}
        today = context.get("today") or utcnow().date()  # a ReservationIn validated on its own: UTC
        days = int(found.group(2) or 0)
        return today + timedelta(days=-days if found.group(1) == "-" else days)

    @model_validator(mode="after")
    def _dates_in_order(self) -> "ReservationIn":
        if self.check_out <= self.check_in:
            raise ValueError("check_out must be after check_in")
        return self


class WhatsAppTemplateIn(_Strict):
    """An approved Twilio Content template, offered to staff when the WhatsApp 24-hour window has closed."""

    content_sid: str = Field(pattern=r"^HX[0-9a-fA-F]{32}$")
    # The template's numbered variables; a value may say {guest_name} or {property_name}, filled in when sent.
    variables: dict[str, str] = Field(default_factory=dict)
    preview: str = Field(default="", max_length=1000)  # the approved text, e.g. "Hi {{1}}, …", for the transcript

    @field_validator("variables")
    @classmethod
    def _known_fields(cls, values: dict[str, str]) -> dict[str, str]:
        for key, value in values.items():
            if not re.match(r"^\w{1,32}$", key):
                raise ValueError(f"variable name {key!r} must be like '1' or 'name'")
            for field in re.findall(r"\{([^{}]*)\}", value):
                if field not in ("guest_name", "property_name"):
                    raise ValueError(
                        f"variable {key!r}: unknown field {{{field}}}; use {{guest_name}} or {{property_name}}"
                    )
        return values


class Pack(_Strict):
    property: PropertyIn
    staff: list[StaffIn] = Field(default_factory=list)
    knowledge: list[EntryIn] = Field(default_factory=list)
    reservations: list[ReservationIn] = Field(default_factory=list)
    policy: PolicyIn | None = None  # optional: guardrail actions and the local emergency number
    whatsapp_template: WhatsAppTemplateIn | None = None  # optional: the approved template for after 24 hours


def _language_tag(value: str) -> str:
    if not re.match(LANGUAGE_TAG, value):
        raise ValueError(f"{value!r} is not a language tag like 'en' or 'es'")
    return value


def _path(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(pack)"


def parse_pack(data: Any) -> Pack:
    """Validate a decoded pack; raise InvalidInput listing every problem as `path: message`."""
    if not isinstance(data, dict):
        raise InvalidInput(["(pack): expected a mapping with property, staff, knowledge, reservations"])
    problems = _duplicate_topics(data.get("knowledge"))
    try:
        pack = Pack.model_validate(data, context={"today": _today_at(data.get("property"))})
    except ValidationError as exc:
        for error in exc.errors():
            message = str(error["msg"]).removeprefix("Value error, ")
            problems.append(f"{_path(tuple(error['loc']))}: {message}")
    else:
        problems += secret_digits_in_the_open([entry.stored() for entry in pack.knowledge])
    if problems:
        raise InvalidInput(problems)
    return pack


def _today_at(prop: Any) -> date:
    """Today at the pack's property (its time zone when valid, else UTC): what `today` means in reservations."""
    zone = prop.get("timezone") if isinstance(prop, dict) else None
    if isinstance(zone, str) and zone in available_timezones():
        return utcnow().astimezone(ZoneInfo(zone)).date()
    return utcnow().astimezone(UTC).date()


def _duplicate_topics(entries: Any) -> list[str]:
    """Checked on the raw entries, so a duplicate is reported even when other fields are invalid too."""
    first_seen: dict[str, int] = {}
    problems = []
    for index, entry in enumerate(entries if isinstance(entries, list) else []):
        topic = entry.get("topic") if isinstance(entry, dict) else None
        if not isinstance(topic, str):
            continue
        if topic in first_seen:
            problems.append(f"knowledge[{index}].topic: {topic!r} is already used by knowledge[{first_seen[topic]}]")
        first_seen.setdefault(topic, index)
    return problems


def load_pack_yaml(text: str, *, where: str) -> Any:
    """Decode a pack's YAML; InvalidInput (`where: message`) when it is not YAML or is nested absurdly deep."""
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise InvalidInput([f"{where}: not valid YAML: {exc}"]) from None
    except RecursionError:  # PyYAML composes nested collections recursively
        raise InvalidInput([f"{where}: nested too deeply to be a property pack"]) from None


def load_pack_file(path: Path) -> Pack:
    """Read and validate a YAML pack file."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInput([f"{path}: cannot read: {exc}"]) from None
    data = load_pack_yaml(text, where=str(path))
    try:
        return parse_pack(data)
    except RecursionError:
        raise InvalidInput([f"{path}: nested too deeply to be a property pack"]) from None


def dump_pack(pack: Pack) -> str:
    """The pack as YAML, in the contract's key order."""
    data = pack.model_dump(mode="json", exclude_none=True)
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)
