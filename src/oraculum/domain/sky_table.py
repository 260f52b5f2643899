"""The daily sky table: JPL DE421's apparent positions, read with pure-Python interpolation.

`data/sky_de421.bin` holds one row per day at 0h TT (scripts/build_sky_table.py builds it from
DE421 with skyfield): the apparent ecliptic longitudes of date of the ten bodies, the Moon's
latitude, ΔT, the true obliquity and the equation of the equinoxes, as float32. A value at any
instant is the degree-5 Lagrange polynomial through the six rows around it; for the Moon, the
fastest body, that stays within a few hundredths of an arc-second of the kernel (the agreement
test holds it to skyfield on random instants).

Times: since 1972 an aware datetime is UTC and becomes TT through the leap-second table in the
file's header (TT = UTC + leap seconds + 32.184 s). Before 1972 civil time followed the Earth's
rotation, so a clock time is read as UT1 and TT = UT1 + ΔT.

The table (3.2 MB) is read once per process, on first use, with the standard library alone.
"""

from __future__ import annotations

import json
import math
import sys
import threading
from array import array
from bisect import bisect_right
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

TABLE_PATH = Path(__file__).with_name("data") / "sky_de421.bin"
MAGIC = b"ORACULUM-SKY-TABLE 1\n"
_UNIX_EPOCH_JD = 2440587.5
_J2000 = 2451545.0
_TT_MINUS_TAI_S = 32.184
_LEAP_SECOND_ERA = datetime(1972, 1, 1, tzinfo=UTC)
# Interpolation nodes, as day offsets from the row at or before the instant.
_NODES = (-2, -1, 0, 1, 2, 3)
_DENOMINATORS = tuple(
    math.prod(j - m for m in _NODES if m != j) for j in _NODES
)  # fmt: skip


class SkyTableError(RuntimeError):
    """The bundled table is missing, truncated or of another format: a broken installation."""


def _weights(u: float) -> list[float]:
    """Lagrange weights of the six nodes at fraction `u` (0 ≤ u < 1) past node 0."""
    diffs = [u - m for m in _NODES]
    out = []
    for i, denominator in enumerate(_DENOMINATORS):
        product = 1.0
        for k, d in enumerate(diffs):
            if k != i:
                product *= d
        out.append(product / denominator)
    return out


@dataclass(frozen=True, slots=True)
class SkyTable:
    source: str
    first_jd: float
    rows: int
    columns: tuple[str, ...]
    angles: frozenset[int]  # columns that wrap at 360°
    values: array  # row-major float32
    leap_jds: tuple[float, ...]
    leap_offsets: tuple[float, ...]
    start: date
    end: date

    def column(self, name: str) -> int:
        return self.columns.index(name)

    # --- time scales ----------------------------------------------------------------------------

    def tt_jd(self, instant: datetime) -> float:
        """TT Julian date of an aware instant: UTC since 1972, UT1 (the day's clocks) before."""
        jd = _UNIX_EPOCH_JD + instant.astimezone(UTC).timestamp() / 86400.0
        if instant >= _LEAP_SECOND_ERA:
            offset = self.leap_offsets[bisect_right(self.leap_jds, jd) - 1]
            return jd + (offset + _TT_MINUS_TAI_S) / 86400.0
        tt = jd
        delta_t = self.column("delta_t_s")
        for _ in range(3):  # ΔT changes by milliseconds a day: this converges at once
            tt = jd + self.interpolate(tt, (delta_t,))[0] / 86400.0
        return tt

    def ut1_jd(self, tt_jd: float) -> float:
        return tt_jd - self.interpolate(tt_jd, (self.column("delta_t_s"),))[0] / 86400.0

    # --- values ---------------------------------------------------------------------------------

    def interpolate(self, tt_jd: float, columns: tuple[int, ...]) -> list[float]:
        """The given columns at a TT Julian date (angles unwrapped, not reduced to 0–360)."""
        offset = tt_jd - self.first_jd
        row = math.floor(offset)
        if row + _NODES[0] < 0 or row + _NODES[-1] >= self.rows:
            raise ValueError(f"JD {tt_jd} (TT) is outside the sky table")
        weights = _weights(offset - row)
        width, values = len(self.columns), self.values
        out = []
        for col in columns:
            samples = [values[(row + n) * width + col] for n in _NODES]
            if col in self.angles:
                ref = samples[2]
                samples = [ref + (s - ref + 180.0) % 360.0 - 180.0 for s in samples]
            out.append(math.fsum(w * s for w, s in zip(weights, samples, strict=True)))
        return out


def gmst_degrees(ut1_jd: float, tt_jd: float) -> float:
    """Greenwich mean sidereal time: the Earth rotation angle plus the IAU 2006 precession terms
    (the equinox method of USNO Circular 179, as skyfield computes it)."""
    era = (0.7790572732640 + 0.00273781191135448 * (ut1_jd - _J2000) + ut1_jd % 1.0) % 1.0
    t = (tt_jd - _J2000) / 36525.0
    arcsec = 0.014506 + (
        ((((-0.0000000368 * t - 0.000029956) * t - 0.00000044) * t + 1.3915817) * t + 4612.156534)
        * t
    )
    return (arcsec / 3600.0 + era * 360.0) % 360.0


def read(path: Path = TABLE_PATH) -> SkyTable:
    """Read and check the table file."""
    try:
        with path.open("rb") as f:
            if f.readline() != MAGIC:
                raise SkyTableError(f"{path} is not an Oraculum sky table (bad first line)")
            header = json.loads(f.readline())
            body = f.read()
    except OSError as exc:
        raise SkyTableError(f"the sky table {path} cannot be read ({exc}); reinstall") from exc
    columns = tuple(header["columns"])
    values = array("f")
    if values.itemsize != 4 or header["dtype"] != "<f4":
        raise SkyTableError(f"{path}: float32 rows expected, found {header['dtype']}")
    values.frombytes(body)
    if sys.byteorder == "big":
        values.byteswap()
    if len(values) != header["rows"] * len(columns):
        raise SkyTableError(
            f"{path} is truncated: {len(values)} values, {header['rows']} rows of "
            f"{len(columns)} expected; reinstall or rebuild it (scripts/build_sky_table.py)"
        )
    leaps = header["leap_seconds"]
    return SkyTable(
        source=header["source"],
        first_jd=float(header["first_jd"]),
        rows=int(header["rows"]),
        columns=columns,
        angles=frozenset(range(columns.index("moon_latitude"))),
        values=values,
        leap_jds=tuple(float(jd) for jd, _ in leaps),
        leap_offsets=tuple(float(o) for _, o in leaps),
        start=date.fromisoformat(header["start"]),
        end=date.fromisoformat(header["end"]),
    )


_lock = threading.Lock()
_loaded: list[SkyTable] = []


def table() -> SkyTable:
    """The bundled table, read once per process."""
    if not _loaded:
        with _lock:
            if not _loaded:
                _loaded.append(read())
    return _loaded[0]
