"""How sky facts read in English and Vietnamese."""

from __future__ import annotations

from oraculum.domain.sky import BodyPosition, MoonPhase, Sky
from oraculum.domain.zodiac import SIGNS

BODY_NAMES = {
    "en": {
        "sun": "Sun", "moon": "Moon", "mercury": "Mercury", "venus": "Venus", "mars": "Mars",
        "jupiter": "Jupiter", "saturn": "Saturn", "uranus": "Uranus", "neptune": "Neptune",
        "pluto": "Pluto",
    },
    "vi": {
        "sun": "Mặt Trời", "moon": "Mặt Trăng", "mercury": "Sao Thủy", "venus": "Sao Kim",
        "mars": "Sao Hỏa", "jupiter": "Sao Mộc", "saturn": "Sao Thổ", "uranus": "Sao Thiên Vương",
        "neptune": "Sao Hải Vương", "pluto": "Sao Diêm Vương",
    },
}  # fmt: skip
_IN = {"en": "in", "vi": "ở"}
_RETRO = {"en": "retrograde", "vi": "nghịch hành"}
_LIT = {"en": "lit", "vi": "được chiếu sáng"}


def sign_name(key: str, lang: str) -> str:
    sign = SIGNS[key]
    return sign.name_vi if lang == "vi" else sign.name


def body_name(key: str, lang: str) -> str:
    return BODY_NAMES[lang][key]


def position_phrase(p: BodyPosition, lang: str) -> str:
    """ "Mars in Aries at 12°, retrograde"."""
    text = (
        f"{body_name(p.body, lang)} {_IN[lang]} {sign_name(p.sign, lang)} {p.degree_in_sign:.0f}°"
    )
    return f"{text} ({_RETRO[lang]})" if p.retrograde else text


def moon_phrase(phase: MoonPhase, moon: BodyPosition, phase_title: str, lang: str) -> str:
    lit = round(phase.illumination * 100)
    where = f"{_IN[lang]} {sign_name(moon.sign, lang)}"
    return f"{body_name('moon', lang)}: {phase_title}, {lit}% {_LIT[lang]}, {where}"


def sky_dict(sky: Sky) -> dict[str, object]:
    """The sky as JSON: planets with name, longitude, sign and retrograde; the Moon's phase."""
    return {
        "instant": sky.instant.isoformat(),
        "planets": [
            {
                "name": p.body,
                "longitude": round(p.longitude, 4),
                "sign": p.sign,
                "degree_in_sign": round(p.degree_in_sign, 2),
                "speed_deg_per_day": round(p.speed_deg_per_day, 4),
                "retrograde": p.retrograde,
            }
            for p in sky.bodies
        ],
        "moon_phase": {
            "key": sky.moon_phase.key,
            "name": sky.moon_phase.name,
            "elongation_deg": round(sky.moon_phase.elongation_deg, 2),
            "illumination": round(sky.moon_phase.illumination, 4),
        },
    }
