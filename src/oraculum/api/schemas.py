"""Request and response schemas: what /openapi.json documents and what the routes return."""

from __future__ import annotations

from datetime import date, time
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Lang = Literal["en", "vi"]
SpreadId = Literal["single", "three-card", "celtic-cross", "relationship"]
QUESTION_CHARS = 1_000  # the schema's bound; ORACULUM_MAX_QUESTION_CHARS may lower it


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class TarotReadingRequest(Strict):
    question: str = Field(
        min_length=1, max_length=QUESTION_CHARS, description="what the reading is about"
    )
    spread: SpreadId = "three-card"
    seed: int | None = Field(None, ge=0, le=2**63 - 1, description="makes the draw reproducible")
    lang: Lang = "en"


class NatalRequestBody(Strict):
    birth_date: date
    birth_time: time | None = Field(
        None, description="local time of birth; without it no rising sign"
    )
    tz: str = Field(
        "UTC", min_length=1, max_length=64, description="IANA time zone of the birth place"
    )
    latitude: float | None = Field(None, ge=-90, le=90)
    longitude: float | None = Field(None, ge=-180, le=180)
    lang: Lang = "en"


class AskRequest(Strict):
    question: str = Field(min_length=1, max_length=QUESTION_CHARS)
    lang: Lang = "en"


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
    position: str
    position_index: int
    card: str
    card_id: str
    orientation: Literal["upright", "reversed"]
    meaning_id: str | None


class TarotReadingOut(AnswerOut):
    spread: str
    question: str
    seed: int | None
    cards: list[DrawnCardOut]


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


class HoroscopeOut(AnswerOut):
    sign: str
    date: str
    tz: str
    sky: SkyOut


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


class NatalOut(AnswerOut):
    birth: BirthOut
    big_three: BigThreeOut


class AskOut(AnswerOut):
    question: str


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


class SpreadOut(BaseModel):
    id: str
    name: str
    positions: list[str]


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


class SearchOut(BaseModel):
    query: str
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
