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
    natal={
        "sun": "Sun in {}", "moon": "Moon in {}", "rising": "Rising sign {}",
        "missing": "Rising sign unknown: {}",
        "no_time": "the rising sign changes about every two hours; a birth time is needed",
        "no_place": "the rising sign depends on the birth place; latitude and longitude are "
        "needed",
        "polar": "beyond 66° of latitude the ecliptic can lie along the horizon, so the rising "
        "sign is not well defined there",
        "uncertain": "The {} changed sign that day: without a birth time it may be {} or the "
        "next sign.",
    },
    and_=" and ",
    card_reads="{lead}, {card} {orientation} speaks of {keywords}.",
    moon_today="The Moon today",
    focus_names={
        "love": "love", "work": "work", "money": "money", "health": "health and well-being",
        "inner": "inner life", "decision": "a decision", "general": "life in general",
    },
    synthesis={
        "element_leads": "{element} leads ({n} of {total} cards: {cards}): {meaning}.",
        "element_missing": "No {element} card: {meaning}.",
        "elements_balanced": "No element dominates: the cards draw on several sides of life "
        "at once.",
        "single_major": "A Major Arcana card answers: the question touches a larger theme of "
        "your life, not only a passing choice.",
        "single_minor": "A Minor Arcana card answers: the matter lies in everyday choices, "
        "within your reach.",
        "no_majors": "No Major Arcana card appears: the matter lies in everyday choices, within "
        "your reach.",
        "one_majors": "1 of {total} cards is a Major Arcana card ({cards}): a larger life theme "
        "is at work beside the everyday.",
        "one_reversed": "1 of {total} cards is reversed ({cards}): there the energy is blocked, "
        "delayed or turned inward.",
        "some_majors": "{n} of {total} cards are Major Arcana ({cards}): larger life themes are "
        "at work beside the everyday.",
        "most_majors": "Most cards are Major Arcana ({n} of {total}: {cards}): this is a turning "
        "point more than a passing phase.",
        "all_majors": "Every card is a Major Arcana card ({cards}): a turning point in your "
        "life, more than a passing phase.",
        "all_reversed": "Every card is reversed ({cards}): the time asks for inner work before "
        "outward moves.",
        "none_reversed": "Every card stands upright: the energies of the reading flow openly.",
        "some_reversed": "{n} of {total} cards are reversed ({cards}): there the energy is "
        "blocked, delayed or turned inward.",
        "most_reversed": "Most cards are reversed ({n} of {total}: {cards}): the time asks for "
        "inner work before outward moves.",
        "court": "{card} may stand for a person in the matter ({traits}), or for a role you "
        "are asked to take.",
        "repeated": "{ranks} repeat ({cards}): {meaning}.",
        "dignity": "The challenge, {challenge} ({e1}), and the outcome, {outcome} ({e2}): "
        "{relation}.",
        "advice": "The advice of {card}: {advice} [{id}]",
        "lean": "{verdict}: {card} stands {orientation} as the {position}, and {n} of {total} "
        "cards are upright.",
        "yes_no": "By this spread's rule (an upright card is a yes, a reversed card a no, a "
        "Major Arcana card counts twice) the count is {yes} yes to {no} no: {verdict}.",
        "paths": "The first path ({a}) against the second ({b}), counted by the same rule: "
        "{verdict}.",
    },
    elements={"fire": "Fire", "water": "Water", "air": "Air", "earth": "Earth"},
    element_leads={
        "fire": "drive, courage and action set the tone",
        "water": "feelings, bonds and intuition set the tone",
        "air": "thoughts, words and decisions set the tone",
        "earth": "practical matters, work, money and the body set the tone",
    },
    element_missing={
        "fire": "energy or desire may be what is lacking",
        "water": "feelings may be set aside here, or need a voice",
        "air": "a clear plan or an honest conversation may be missing",
        "earth": "the practical footing (time, money, the body) may need attention",
    },
    relations={
        "same": "the same element, so what tests you is also what carries you through",
        "friendly": "friendly elements, so meeting the challenge feeds the outcome",
        "opposed": "opposing elements, so the outcome asks you to work with the obstacle, not "
        "around it",
        "neutral": "neutral elements, so the outcome does not hinge on the challenge alone",
    },
    rank_plural={
        "ace": "Aces", "2": "Twos", "3": "Threes", "4": "Fours", "5": "Fives", "6": "Sixes",
        "7": "Sevens", "8": "Eights", "9": "Nines", "10": "Tens", "page": "Pages",
        "knight": "Knights", "queen": "Queens", "king": "Kings",
    },
    rank_meaning={
        "ace": "new beginnings and raw potential", "2": "choices, balance and partnership",
        "3": "growth, collaboration and first results", "4": "stability, rest and structure",
        "5": "conflict, loss or a needed change", "6": "harmony, generosity and recovery",
        "7": "assessment, patience and testing resolve", "8": "movement, effort and mastery",
        "9": "culmination, nearly there", "10": "an ending that completes a cycle",
        "page": "news, study and a fresh start", "knight": "movement and pursuit",
        "queen": "care, maturity and inner mastery", "king": "authority and responsibility",
    },
    focus_answer={
        "love": "For your question about love:", "work": "For your work question:",
        "money": "For your question about money:",
        "health": "For your question about well-being:",
        "inner": "For your question about your inner life:",
        "decision": "For your decision:", "general": "For your question:",
    },
    leans={
        "favourable": "the cards lean favourable", "mixed": "the answer is mixed",
        "cautious": "the cards counsel caution", "yes": "yes, leaning", "no": "no, leaning",
        "unclear": "not clear yet", "path-a": "the first path looks the easier road",
        "path-b": "the second path looks the easier road",
        "even": "neither path is clearly easier; the choice is yours to weigh",
    },
    scope={
        "off-topic": "Oraculum reads tarot and astrology: card readings, horoscopes, natal "
        "charts and questions about them or about your own life. This question is outside "
        "that, so no cards were drawn. Ask about your situation, a card or a sign.",
        "self-harm": "It sounds like you may be going through something very painful. Oraculum "
        "will not draw cards for this. Please reach out to someone now: in Vietnam call 115 "
        "for emergencies; elsewhere call your local emergency number, or find a free, "
        "confidential helpline in your country at https://findahelpline.com. You do not have "
        "to face this alone.",
        "violence": "Oraculum will not help with harming anyone, and draws no cards for it. If "
        "someone is in danger, contact the emergency services (113 for police in Vietnam, or "
        "your local number). If anger is weighing on you, talking to someone you trust or a "
        "counsellor can help.",
        "poisoning": "Oraculum will not help with poisoning a person or an animal, and draws no "
        "cards for it. If someone or an animal may have been poisoned, call the emergency "
        "services (115 in Vietnam) or a vet at once.",
        "weapons": "Oraculum will not help with making or using weapons, and draws no cards for "
        "it. If someone is in danger, contact the emergency services (113 in Vietnam, or your "
        "local number).",
        "medical": "Tarot and astrology are no substitute for a doctor: for anything about "
        "your health, please see a qualified professional. What follows is for reflection "
        "only.",
        "legal": "Tarot and astrology are no substitute for a lawyer: for a legal matter, "
        "please consult a qualified professional. What follows is for reflection only.",
        "financial": "Tarot and astrology are no substitute for financial advice: before a "
        "decision about money, please consult a qualified adviser. What follows is for "
        "reflection only.",
    },
    modalities={"cardinal": "cardinal", "fixed": "fixed", "mutable": "mutable"},
    compat={
        "heading": "Sign compatibility",
        "trine": "{sign} is a {element} sign: the other {element} signs, {signs}, understand it "
        "most easily.",
        "sextile": "{signs} feed {sign} from a complementary element, and {opposite}, its "
        "opposite sign, attracts and mirrors it.",
        "square": "{signs} share its {modality} modality but not its element: sparks, and growth "
        "if both work at it.",
        "best": "Most at ease with {sign}, by these rules: {signs}.",
        "pair": "{a} and {b}: {relation}.",
        "same": "the same sign, so easy understanding and the same blind spots",
        "trine_pair": "the same element, {element}, the easiest understanding",
        "sextile_pair": "complementary elements, which feed each other",
        "opposite_pair": "opposite signs, attraction and mirroring, growth through difference",
        "square_pair": "the same {modality} modality with clashing elements: friction that can "
        "grow both",
        "none_pair": "no classic aspect between them, so the match rests on the whole chart more "
        "than on the Sun",
    },
    labels={
        "sign": "sign", "house": "house",
        "local": "local", "event": "event",
        "tarot": "tarot", "horoscope": "horoscope", "natal": "natal chart", "ask": "answer",
        "love": "love", "work": "work", "money": "money", "inner": "inner life",
        "advice": "advice", "upright": "general meaning", "reversed": "general meaning",
        "position": "position", "card": "card", "orientation": "orientation",
        "reads": "read for", "spread": "spread", "sources": "sources", "note": "note",
        "focus": "focus", "declined": "no cards drawn", "degraded": "degraded",
        "cached": "cached", "positions": "positions", "answers": "answers the question",
        "timings": "retrieve {r:.0f} ms · generate {g:.0f} ms · total {t:.0f} ms",
    },
    events={
        "ingress": "{body} enters {sign}",
        "ingress-retrograde": "{body} re-enters {sign}, retrograde",
        "station-retrograde": "{body} turns retrograde in {sign}",
        "station-direct": "{body} turns direct in {sign}",
        "new-moon": "New Moon in {sign}",
        "first-quarter": "First Quarter Moon in {sign}",
        "full-moon": "Full Moon in {sign}",
        "last-quarter": "Last Quarter Moon in {sign}",
        "eclipse-solar": "Solar eclipse in {sign}",
        "eclipse-lunar": "Lunar eclipse in {sign}",
        "possible": "possible, not certain: the table cannot tell",
        "house": "your {house} house",
        "when": "{day} (your date), {utc} UTC",
        "heading": "The coming days",
        "none": "No ingress, station or lunation in these days.",
    },
    chart={
        "placement": "{body} in {sign} {degree}°{retro}, house {house}",
        "placement_no_house": "{body} in {sign} {degree}°{retro}",
        "retro": " (retrograde)",
        "aspect": "{a} {aspect} {b} (orb {orb:.1f}°)",
        "elements": "Elements: {fire} fire, {earth} earth, {air} air, {water} water; "
        "modalities: {cardinal} cardinal, {fixed} fixed, {mutable} mutable (the ten bodies).",
        "strong": "{element} is strongest ({n} of 10).",
        "lacking": "No body in {element}.",
        "ruler": "Chart ruler: {planet}, ruler of the rising sign {sign}, in {where}.",
        "near_sign": "The {point} is {degree}° into {sign}: {minutes} minutes {when} it would be "
        "in {other}. Check the birth time.",
        "near_house": "{body} sits near a house cusp: {minutes} minutes {when} it would be in "
        "house {other}.",
        "earlier": "earlier", "later": "later",
        "no-time": "Without a birth time there are no houses, no Ascendant and no Midheaven; the "
        "planets are placed at local noon.",
        "no-place": "Without the birth place there are no houses, no Ascendant and no Midheaven.",
        "polar": "Beyond 66° of latitude the quadrant houses are not defined: {system} houses "
        "are used.",
        "fallback": "{reason}",
        "houses": "Houses: {system}.",
        "ascendant_heading": "Ascendant in {sign} {degree}°",
        "where": "{sign} {degree}°, house {house}",
        "placidus": "Placidus", "koch": "Koch", "equal": "equal", "whole-sign": "whole sign",
    },
    aspects={
        "conjunction": "conjunct", "sextile": "sextile", "square": "square", "trine": "trine",
        "opposition": "opposite", "semi-sextile": "semi-sextile", "semi-square": "semi-square",
        "sesquiquadrate": "sesquiquadrate", "quincunx": "quincunx", "quintile": "quintile",
    },
    points={
        "north-node": "North Node", "south-node": "South Node", "ascendant": "Ascendant",
        "midheaven": "Midheaven",
    },
)  # fmt: skip
