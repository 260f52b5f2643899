"""English."""

from oraculum.readings.words import Words

WORDS = Words(
    lang="en",
    bodies={
        "sun": "Sun", "moon": "Moon", "mercury": "Mercury", "venus": "Venus", "mars": "Mars",
        "jupiter": "Jupiter", "saturn": "Saturn", "uranus": "Uranus", "neptune": "Neptune",
        "pluto": "Pluto",
    },
    in_sign="in",
    retrograde="retrograde",
    lit="lit",
    ruler_of="ruler of",
    orientation={"upright": "upright", "reversed": "reversed"},
    positions={},  # the spreads' own names
    question_context="Context for your question",
    natal={
        "sun": "Sun in {}", "moon": "Moon in {}", "rising": "Rising sign {}",
        "missing": "Rising sign unknown: {}",
        "uncertain": "The {} changed sign that day: without a birth time it may be {} or the "
        "next sign.",
    },
    synthesis={
        "majors": "Major Arcana: {n} of {total} cards — larger life themes are at work.",
        "no_majors": "No Major Arcana appear: the matter lies in everyday choices.",
        "reversed": "Reversed: {n} of {total} cards — some energy is blocked or turned inward.",
    },
    suit_leads={
        "wands": "Wands lead (fire): drive, ambition and action.",
        "cups": "Cups lead (water): feelings and relationships.",
        "swords": "Swords lead (air): thoughts, words and conflict.",
        "pentacles": "Pentacles lead (earth): work, body and resources.",
    },
)  # fmt: skip
