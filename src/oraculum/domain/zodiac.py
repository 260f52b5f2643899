"""The twelve tropical signs: their names (English and Vietnamese), elements, modalities, rulers."""

from __future__ import annotations

import math
from dataclasses import dataclass

from oraculum.domain.errors import InvalidInput
from oraculum.domain.ids import slug

SIGN_KEYS: tuple[str, ...] = (
    "aries", "taurus", "gemini", "cancer", "leo", "virgo",
    "libra", "scorpio", "sagittarius", "capricorn", "aquarius", "pisces",
)  # fmt: skip
SIGN_WIDTH_DEG = 30.0


class UnknownSign(InvalidInput):
    """A sign name that matches none of the twelve; the message lists the valid ones."""

    def __init__(self, name: str, field: str = "sign") -> None:
        self.name = name
        valid = ", ".join(SIGNS[key].name for key in SIGN_KEYS)
        super().__init__(
            field, f"unknown sign {name!r}; use one of {valid} (English or Vietnamese names)"
        )


@dataclass(frozen=True, slots=True)
class Sign:
    """One sign; `ruler` is the modern ruler, `traditional_ruler` the classical one."""

    key: str
    name: str
    name_vi: str
    symbol: str
    element: str
    modality: str
    ruler: str
    traditional_ruler: str

    @property
    def index(self) -> int:
        """Its place in the zodiac, 0 (Aries) to 11 (Pisces)."""
        return SIGN_KEYS.index(self.key)

    @property
    def start_longitude(self) -> float:
        """Ecliptic longitude (degrees) where the sign begins."""
        return self.index * SIGN_WIDTH_DEG


_ELEMENTS = ("fire", "earth", "air", "water")
_MODALITIES = ("cardinal", "fixed", "mutable")
# key: (name, Vietnamese name, symbol, modern ruler, traditional ruler)
_TABLE: dict[str, tuple[str, str, str, str, str]] = {
    "aries": ("Aries", "Bạch Dương", "♈", "mars", "mars"),
    "taurus": ("Taurus", "Kim Ngưu", "♉", "venus", "venus"),
    "gemini": ("Gemini", "Song Tử", "♊", "mercury", "mercury"),
    "cancer": ("Cancer", "Cự Giải", "♋", "moon", "moon"),
    "leo": ("Leo", "Sư Tử", "♌", "sun", "sun"),
    "virgo": ("Virgo", "Xử Nữ", "♍", "mercury", "mercury"),
    "libra": ("Libra", "Thiên Bình", "♎", "venus", "venus"),
    "scorpio": ("Scorpio", "Bọ Cạp", "♏", "pluto", "mars"),
    "sagittarius": ("Sagittarius", "Nhân Mã", "♐", "jupiter", "jupiter"),
    "capricorn": ("Capricorn", "Ma Kết", "♑", "saturn", "saturn"),
    "aquarius": ("Aquarius", "Bảo Bình", "♒", "uranus", "saturn"),
    "pisces": ("Pisces", "Song Ngư", "♓", "neptune", "jupiter"),
}
# Other names in common use (Vietnamese and English variants), folded like user input.
_ALIASES: dict[str, str] = {
    "song nam": "gemini",
    "trinh nu": "virgo",
    "thien yet": "scorpio",
    "thien hat": "scorpio",
    "ho cap": "scorpio",
    "than nong": "scorpio",
    "scorpius": "scorpio",
    "capricornus": "capricorn",
}


def _make_signs() -> dict[str, Sign]:
    signs: dict[str, Sign] = {}
    for i, key in enumerate(SIGN_KEYS):
        name, name_vi, symbol, ruler, traditional = _TABLE[key]
        signs[key] = Sign(
            key=key,
            name=name,
            name_vi=name_vi,
            symbol=symbol,
            element=_ELEMENTS[i % 4],
            modality=_MODALITIES[i % 3],
            ruler=ruler,
            traditional_ruler=traditional,
        )
    return signs


SIGNS: dict[str, Sign] = _make_signs()


def _make_lookup() -> dict[str, str]:
    # domain.ids.slug folds case and diacritics (đ included) exactly as the ids do.
    lookup = {slug(alias): key for alias, key in _ALIASES.items()}
    for sign in SIGNS.values():
        lookup[slug(sign.key)] = sign.key
        lookup[slug(sign.name_vi)] = sign.key
        lookup[sign.symbol] = sign.key
    return lookup


_LOOKUP = _make_lookup()


def sign_names() -> dict[str, str]:
    """Every name a sign is known by, as `slug` folds it ("song-tu", "thien-yet", "aries"),
    with its key: what a text is searched for when it may name signs."""
    return {name: key for name, key in _LOOKUP.items() if slug(name) == name and name}


def get_sign(name: str, field: str = "sign") -> Sign:
    """The sign called `name`: English or Vietnamese, any case, with or without diacritics."""
    key = _LOOKUP.get(name.strip()) or _LOOKUP.get(slug(name))
    if key is None:
        raise UnknownSign(name, field)
    return SIGNS[key]


def _as_sign(sign: Sign | str) -> Sign:
    return sign if isinstance(sign, Sign) else get_sign(sign)


def sign_of_longitude(longitude_deg: float) -> Sign:
    """The tropical sign of an ecliptic longitude: 0–30° Aries, 30–60° Taurus, and so on."""
    if not math.isfinite(longitude_deg):
        raise InvalidInput("longitude", f"must be a finite number of degrees, not {longitude_deg}")
    index = int((longitude_deg % 360.0) // SIGN_WIDTH_DEG)
    return SIGNS[SIGN_KEYS[min(index, 11)]]  # a tiny negative value % 360 can round to 360.0


def opposite(sign: Sign | str) -> Sign:
    """The sign six places away (Aries–Libra, Taurus–Scorpio, ...)."""
    return SIGNS[SIGN_KEYS[(_as_sign(sign).index + 6) % 12]]


def same_element(sign: Sign | str) -> list[Sign]:
    """The two OTHER signs of the sign's element, in zodiac order (Aries -> Leo, Sagittarius)."""
    base = _as_sign(sign)
    return [s for s in SIGNS.values() if s.element == base.element and s.key != base.key]
