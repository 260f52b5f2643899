"""Oraculum: a retrieval-augmented backend for Tarot and horoscope readings."""

__version__ = "0.1.0"
