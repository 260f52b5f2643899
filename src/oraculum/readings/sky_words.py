"""How sky facts read in English and Vietnamese."""

from __future__ import annotations

from oraculum.domain.sky import BodyPosition, MoonPhase, Sky
from oraculum.readings.words import words


def sign_name(key: str, lang: str) -> str:
    return words(lang).sign(key)


def body_name(key: str, lang: str) -> str:
    return words(lang).body(key)


def position_phrase(p: BodyPosition, lang: str) -> str:
    """ "Mars in Aries at 12°, retrograde"."""
    w = words(lang)
    # whole degrees, floored as published ephemerides print them (29.7° is 29°, not 30°)
    text = f"{w.body(p.body)} {w.in_sign} {w.sign(p.sign)} {int(p.degree_in_sign)}°"
    return f"{text} ({w.retrograde})" if p.retrograde else text


def moon_phrase(phase: MoonPhase, moon: BodyPosition, phase_title: str, lang: str) -> str:
    w = words(lang)
    lit = round(phase.illumination * 100)
    return f"{w.body('moon')}: {phase_title}, {lit}% {w.lit}, {w.in_sign} {w.sign(moon.sign)}"


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
