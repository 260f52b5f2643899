"""Use cases: a tarot reading, a daily horoscope, a natal big three, a free question."""
