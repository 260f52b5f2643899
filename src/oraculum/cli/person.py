"""A person as a small JSON file: the natal request's fields.

    {"date": "1990-05-15", "time": "14:30", "tz": "Asia/Ho_Chi_Minh", "lat": 10.82, "lon": 106.63}
    {"date": "1990-05-15", "time": "14:30", "place": "Ho Chi Minh City"}

Every error names the file and the field.
"""

from __future__ import annotations

import json
from datetime import date, time
from pathlib import Path
from typing import Any

from oraculum.domain.errors import InvalidInput
from oraculum.readings.relations import Person

FIELDS = {"name", "date", "time", "tz", "lat", "lon", "place"}


def _field(path: Path, key: str) -> str:
    return f"{path.name}: {key}"


def load_person(path: Path) -> Person:
    try:
        data: Any = json.loads(path.read_text("utf-8"))
    except OSError as exc:
        raise InvalidInput(str(path), f"cannot be read: {exc.strerror}") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InvalidInput(str(path), f"is not a JSON object: {exc}") from None
    if not isinstance(data, dict):
        raise InvalidInput(
            str(path), "must hold a JSON object with date, time, tz/lat/lon or place"
        )
    unknown = set(data) - FIELDS
    if unknown:
        raise InvalidInput(_field(path, sorted(unknown)[0]), f"is not one of {sorted(FIELDS)}")
    try:
        day = date.fromisoformat(str(data["date"]))
    except KeyError:
        raise InvalidInput(_field(path, "date"), "is missing (YYYY-MM-DD)") from None
    except ValueError:
        raise InvalidInput(_field(path, "date"), f"{data['date']!r} is not YYYY-MM-DD") from None
    at = None
    if data.get("time") is not None:
        try:
            at = time.fromisoformat(str(data["time"]))
        except ValueError:
            raise InvalidInput(_field(path, "time"), f"{data['time']!r} is not HH:MM") from None
    lat, lon, tz = _number(path, data, "lat"), _number(path, data, "lon"), data.get("tz", "UTC")
    if data.get("place") is not None:
        if lat is not None or lon is not None:
            raise InvalidInput(_field(path, "place"), "give place or lat and lon, not both")
        from oraculum.places import resolve

        found = resolve(str(data["place"]), _field(path, "place"))
        lat, lon, tz = found.latitude, found.longitude, found.tz
    if not isinstance(tz, str):
        raise InvalidInput(_field(path, "tz"), "must be an IANA zone name")
    return Person(str(data.get("name") or path.stem), day, at, tz, lat, lon)


def _number(path: Path, data: dict[str, Any], key: str) -> float | None:
    value = data.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidInput(_field(path, key), f"must be a number, not {value!r}")
    return float(value)
