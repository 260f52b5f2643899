"""Request and response schemas: what /openapi.json documents and what the routes return."""

from __future__ import annotations

from typing import Annotated, Literal
from zoneinfo import available_timezones

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field

Lang = Literal["en", "vi"]
HouseSystem = Literal["placidus", "koch", "equal", "whole-sign"]
SpreadId = Literal[
    "single", "three-card", "celtic-cross", "relationship", "horseshoe", "two-paths",
    "mind-body-spirit", "situation-action-outcome", "year-ahead", "weekly", "yes-no",
]  # fmt: skip
Focus = Literal["love", "work", "money", "health", "inner", "decision", "general"]
ScopeKind = Literal["in-scope", "off-topic", "harmful", "sensitive"]
QUESTION_CHARS = 1_000  # the schema's bound; ORACULUM_MAX_QUESTION_CHARS may lower it
SignKey = Literal[
    "aries", "taurus", "gemini", "cancer", "leo", "virgo", "libra", "scorpio", "sagittarius",
    "capricorn", "aquarius", "pisces",
]  # fmt: skip
TIME_ZONES = sorted(available_timezones())
_ZONE_SET = frozenset(TIME_ZONES)  # available_timezones() walks the tz database each call
# The ephemeris (JPL DE421) covers 1899-07-30 to 2053-10-06; the API offers whole years
# inside it, so that the schema itself says which dates are valid.
DATE_PATTERN = r"^(19[0-9]{2}|20[0-4][0-9]|205[0-2])-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$"
DATE_DOC = "YYYY-MM-DD, from 1900-01-01 to 2052-12-31"


def _json_integer(value: object) -> object:
    """JSON Schema's integer: 224 and 224.0 are the same number; true and false are not numbers."""
    if isinstance(value, bool):
        raise ValueError("must be an integer, not a boolean")
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


# Field before the validator: the other way round pydantic writes "ge"/"le" into the JSON
# schema instead of "minimum"/"maximum".
Seed = Annotated[int, Field(ge=0, le=2**53 - 1), BeforeValidator(_json_integer)]


def _known_zone(value: str) -> str:
    if value not in _ZONE_SET:
        raise ValueError(f"unknown time zone {value!r}; use an IANA name such as Asia/Ho_Chi_Minh")
    return value


TimeZone = Annotated[
    str,
    AfterValidator(_known_zone),
    Field(json_schema_extra={"enum": TIME_ZONES}, description="IANA time zone"),
]
DateText = Annotated[
    str, Field(pattern=DATE_PATTERN, json_schema_extra={"format": "date"}, description=DATE_DOC)
]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class TarotReadingRequest(Strict):
    question: str = Field(
        min_length=1, max_length=QUESTION_CHARS, description="what the reading is about"
    )
    spread: SpreadId = "three-card"
    seed: Seed | None = Field(None, description="makes the draw reproducible")
    lang: Lang = "en"


class NatalRequestBody(Strict):
    birth_date: DateText
    birth_time: str | None = Field(
        None,
        pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?$",
        description="local time of birth, HH:MM or HH:MM:SS (24-hour, no offset: tz gives it); "
        "without it there is no rising sign",
    )
    tz: TimeZone = "UTC"
    latitude: float | None = Field(None, ge=-90, le=90)
    longitude: float | None = Field(None, ge=-180, le=180)
    lang: Lang = "en"
    house_system: HouseSystem = Field(
        "placidus", description="placidus, koch, equal or whole-sign (equal above 66° latitude)"
    )
    minor_aspects: bool = Field(False, description="also the minor aspects (orbs 2-3°)")


class AskRequest(Strict):
    question: str = Field(min_length=1, max_length=QUESTION_CHARS)
    lang: Lang = "en"


TODAY_DOC = f"{DATE_DOC}; default: today in tz"


class CardQuery(BaseModel):
    lang: Lang = "en"


class SkyQuery(BaseModel):
    date: DateText | None = Field(None, description=TODAY_DOC)
    tz: TimeZone = "UTC"


class EventsQuery(BaseModel):
    start: DateText | None = Field(None, description=f"the first local day; {TODAY_DOC}")
    days: Annotated[int, BeforeValidator(_json_integer)] = Field(
        7, ge=1, le=400, description="how many local days, from start (cut at the ephemeris's "
        "end, 2053-09-28)",
    )  # fmt: skip
    tz: TimeZone = "UTC"
    lang: Lang = "en"
    moon: bool = Field(True, description="list the Moon's sign changes too")


class HoroscopeQuery(SkyQuery):
    lang: Lang = "en"
    period: Literal["day", "week", "month"] = Field(
        "day", description="the day (with the week after's events), or a week's or month's outlook"
    )


class SearchQuery(BaseModel):
    q: str = Field(min_length=1, max_length=2_000)
    kind: str | None = Field(None, max_length=64)
    lang: Lang | None = Field(
        None, description="show hits in this language where a translation exists"
    )
    only_lang: Lang | None = Field(None, description="search only passages in this language")
    mode: Literal["dense", "lexical", "hybrid"] | None = Field(
        None, description="by meaning, by words (BM25) or both; unset: the deployment's mode"
    )
    top_k: int = Field(5, ge=1, le=50)


class Problem(BaseModel):
    type: str
    title: str
    status: int
    detail: str
    field: str | None = None
    instance: str | None = None


class Timings(BaseModel):
    retrieve_ms: float
    generate_ms: float
    total_ms: float


class AnswerOut(BaseModel):
    kind: str
    lang: str
    text: str
    sources: list[str] = Field(description="chunk ids of the passages the answer was built from")
    model: str
    degraded: bool = Field(description="true when the model failed and the composer answered")
    notes: list[str]
    tokens: int
    cached: bool
    timings_ms: Timings


class DrawnCardOut(BaseModel):
    position: str = Field(description="the position's name, in the reading's language")
    position_id: str = Field(description="the position's id, e.g. challenge, outcome")
    position_index: int
    position_meaning: str | None = Field(description="what this position asks of a card")
    card: str = Field(description="the card's name, in the reading's language")
    card_id: str
    orientation: Literal["upright", "reversed"]
    orientation_label: str = Field(description="the orientation, in the reading's language")
    keywords: list[str] = Field(description="the card's keywords for its orientation")
    facet: str = Field(
        description="which side of the card's meaning was read: love, work, "
        "money, inner, advice (or the orientation's general meaning)"
    )
    meaning: str | None
    meaning_id: str | None


class ScopeOut(BaseModel):
    scope: ScopeKind
    category: str | None = Field(
        description="self-harm, violence, poisoning, weapons; medical, legal, financial"
    )
    matched: list[str] = Field(description="the words that decided it")


class FocusOut(BaseModel):
    focus: Focus
    decision: bool = Field(description="the question asks to choose")
    method: Literal["keywords", "embedder", "default"]
    matched: list[str] = Field(description="the keywords, or the nearest labelled examples")


class TarotReadingOut(AnswerOut):
    spread: str
    spread_name: str | None = None
    question: str
    seed: int | None
    scope: ScopeKind
    scope_detail: ScopeOut
    focus: Focus | None = Field(description="what the question is about (null when declined)")
    focus_detail: FocusOut | None = None
    cards: list[DrawnCardOut]
    synthesis: list[str] = Field([], description="the cards read together, by stated rules")
    answer: str | None = Field(None, description="the answer the rules give to the question")
    lean: str | None = None


class PlanetOut(BaseModel):
    name: str
    longitude: float
    sign: str
    degree_in_sign: float
    speed_deg_per_day: float
    retrograde: bool


class MoonPhaseOut(BaseModel):
    key: str
    name: str
    elongation_deg: float
    illumination: float


class SkyOut(BaseModel):
    instant: str
    planets: list[PlanetOut]
    moon_phase: MoonPhaseOut


class PlanetForSignOut(BaseModel):
    body: str
    sign: SignKey
    degree: int = Field(description="whole degrees in the sign, floored as ephemerides print")
    house: int = Field(description="the house of the reader's life it crosses (solar houses)")
    retrograde: bool


class HoroscopeOut(AnswerOut):
    sign: str
    date: str
    tz: str
    sky: SkyOut
    period: Literal["day", "week", "month"] = "day"
    planets: list[PlanetForSignOut] = Field([], description="every planet, read for the sign")
    events: list[SkyEventOut] = Field([], description="the coming days' events, for the sign")


class BirthOut(BaseModel):
    date: str
    time: str | None
    tz: str
    latitude: float | None
    longitude: float | None


class BigThreeOut(BaseModel):
    sun: str
    moon: str
    rising: str | None
    rising_missing_reason: str | None
    sun_uncertain: bool
    moon_uncertain: bool
    sun_longitude: float
    moon_longitude: float
    ascendant_longitude: float | None


class ChartPlacementOut(BaseModel):
    body: str = Field(description="sun … pluto, north-node, south-node, ascendant, midheaven")
    longitude: float
    sign: SignKey
    degree: int = Field(description="whole degrees in the sign, floored")
    house: int | None = Field(description="1-12; null without a birth time and place")
    retrograde: bool


class ChartHousesOut(BaseModel):
    system: HouseSystem
    requested_system: HouseSystem
    fallback_reason: str | None
    cusps: list[float]


class ChartAspectOut(BaseModel):
    a: str
    b: str
    kind: str
    orb: float
    applying: bool | None


class ChartWarningOut(BaseModel):
    point: str
    what: Literal["sign", "house"]
    now: str | int
    other: str | int
    minutes: int = Field(description="minutes earlier (negative) or later the other begins")


class ChartOut(BaseModel):
    instant: str | None
    placements: list[ChartPlacementOut]
    houses: ChartHousesOut | None
    aspects: list[ChartAspectOut]
    elements: dict[str, int]
    modalities: dict[str, int]
    ruler: str | None = Field(description="the chart ruler: the rising sign's traditional ruler")
    warnings: list[ChartWarningOut]
    missing: list[str] = Field(description="no-time, no-place, polar")


class NatalOut(AnswerOut):
    birth: BirthOut
    big_three: BigThreeOut
    chart: ChartOut


class AskOut(AnswerOut):
    question: str
    scope: ScopeKind
    scope_detail: ScopeOut
    topic: str | None = Field(None, description="compatibility, when the rules answered")
    signs: list[SignKey] = Field([], description="the signs a compatibility question named")
    answer: str | None = Field(None, description="the answer the rules give, when they do")


class CardSummary(BaseModel):
    id: str = Field(description="the card's slug, e.g. the-tower, three-of-swords")
    name: str
    arcana: Literal["major", "minor"]
    suit: str | None
    rank: str | None
    number: int | None


class CardList(BaseModel):
    cards: list[CardSummary]


class CardSection(BaseModel):
    chunk_id: str
    text: str


class CardDetail(CardSummary):
    lang: str
    title: str
    entity: str
    sections: dict[str, CardSection]


class PositionOut(BaseModel):
    key: str
    name: str
    lead: str
    answers: bool = Field(description="this position's card answers the question")


class SpreadOut(BaseModel):
    id: str
    name: str
    lang: Lang
    positions: list[str] = Field(description="the positions' names, in order")
    position_details: list[PositionOut]


class SpreadList(BaseModel):
    spreads: list[SpreadOut]


class SearchHitOut(BaseModel):
    id: str
    doc_id: str
    title: str
    kind: str
    lang: str
    section: str
    score: float
    snippet: str
    shown_for: str | None = Field(
        None, description="the passage found, when this hit is its translation"
    )


class SearchOut(BaseModel):
    query: str
    mode: Literal["dense", "lexical", "hybrid"]
    reranked: bool
    hits: list[SearchHitOut]
    dropped: int


class Health(BaseModel):
    status: Literal["ok", "degraded"]
    embedder: str
    embedder_dim: int
    index_model: str | None
    index_dim: int
    dimensions_agree: bool
    documents: int
    vectors: int
    generator: str


class SkyEventOut(BaseModel):
    kind: Literal[
        "ingress", "station-retrograde", "station-direct", "new-moon", "first-quarter",
        "full-moon", "last-quarter", "eclipse-solar", "eclipse-lunar",
    ]  # fmt: skip
    body: str
    sign: SignKey = Field(description="the sign entered, or where the body stands")
    from_sign: SignKey | None = Field(description="the sign left (an ingress)")
    detail: str | None = Field(description="direct/retrograde (an ingress), certain/possible "
                               "(an eclipse)")  # fmt: skip
    at_utc: str = Field(description="the minute, in UTC (YYYY-MM-DDTHH:MMZ)")
    local_date: str = Field(description="the date in tz")
    local_time: str = Field(description="the time in tz (HH:MM)")
    text: str = Field(description="the event, in the asked language")
    house: int | None = Field(None, description="the reader's solar house it falls in, 1-12")


class SkyEventsOut(BaseModel):
    start: str
    end: str
    tz: str
    events: list[SkyEventOut]


class PersonBody(Strict):
    name: str = Field("", max_length=80)
    date: DateText
    time: str | None = Field(None, pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?$",
                             description="local time of birth, HH:MM")  # fmt: skip
    tz: TimeZone = "UTC"
    latitude: float | None = Field(None, ge=-90, le=90)
    longitude: float | None = Field(None, ge=-180, le=180)


class TransitsBody(Strict):
    person: PersonBody
    date: DateText | None = Field(None, description=TODAY_DOC)


class PairBody(Strict):
    a: PersonBody
    b: PersonBody


class SolarReturnBody(Strict):
    person: PersonBody
    year: Annotated[int, Field(ge=1900, le=2052, description="the year of the solar return"),
                    BeforeValidator(_json_integer)]  # fmt: skip


class LunarReturnBody(Strict):
    person: PersonBody
    month: str = Field(pattern=r"^(19[0-9]{2}|20[0-4][0-9]|205[0-2])-(0[1-9]|1[0-2])$",
                       description="YYYY-MM: the lunar returns of that month")  # fmt: skip


class TransitAspectOut(BaseModel):
    transit: str
    natal: str
    kind: str
    orb: float
    applying: bool | None
    transit_at: str
    natal_at: str
    exact_utc: str | None = Field(description="when it is exact, within 60 days (not the Moon)")


class TransitsOut(BaseModel):
    person: str
    date: str
    aspects: list[TransitAspectOut]


class PairAspectOut(BaseModel):
    a: str
    b: str
    kind: str
    orb: float


class SignPairOut(BaseModel):
    a: str
    b: str
    a_sign: SignKey
    b_sign: SignKey
    relation: str


class SynastryOut(BaseModel):
    people: list[str]
    aspects: list[PairAspectOut]
    a_in_b_houses: dict[str, int]
    b_in_a_houses: dict[str, int]
    elements: dict[str, dict[str, int]]
    summary: list[SignPairOut]


class CompositePointOut(BaseModel):
    body: str
    longitude: float
    sign: SignKey
    degree: int


class CompositeOut(BaseModel):
    people: list[str]
    placements: list[CompositePointOut]


class ReturnMomentOut(BaseModel):
    utc: str
    local: str
    ascendant: str | None
    placements: dict[str, str]


class ReturnsOut(BaseModel):
    person: str
    returns: list[ReturnMomentOut]


class WheelQuery(BaseModel):
    date: DateText
    time: str | None = Field(None, pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$",
                             description="local time of birth, HH:MM")  # fmt: skip
    tz: TimeZone = "UTC"
    latitude: float | None = Field(None, ge=-90, le=90)
    longitude: float | None = Field(None, ge=-180, le=180)
    house_system: HouseSystem = "placidus"
