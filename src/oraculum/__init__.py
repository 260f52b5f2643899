"""Oraculum: a retrieval-augmented backend for Tarot and horoscope readings."""

import os as _os

# Measured (bench/search_bench.py): with OpenMP's default wait policy the embedder's idle
# threads spin, and on a small machine a query embedding then takes 0.4-1.2 s instead of
# 70-100 ms as soon as anything else runs. PASSIVE lets idle threads sleep. It must be set
# before the OpenMP runtime loads; a value the user set wins.
_os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

__version__ = "0.1.0"
