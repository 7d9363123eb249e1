"""Adapter: the ``holidays`` package -> frozenset of dates per (country, subdivision, year).

Loaded lazily, one year at a time, and cached for the life of the process.
"""

from __future__ import annotations

import threading
from datetime import date
from functools import lru_cache

from .errors import ConfigError

_lock = threading.Lock()


def check_region(country: str, subdivision: str | None) -> None:
    """Raise ConfigError when ``holidays`` does not know the country or subdivision."""
    import holidays

    if country not in holidays.list_supported_countries():
        raise ConfigError(
            f"unknown holiday country {country!r}; use an ISO 3166-1 alpha-2 code "
            "such as 'US', 'GB', 'DE'"
        )
    try:
        holidays.country_holidays(country, subdiv=subdivision, years=[])
    except NotImplementedError:
        subdivisions = holidays.list_supported_countries().get(country) or []
        raise ConfigError(
            f"holidays for country {country!r} has no subdivision {subdivision!r}; "
            f"known: {', '.join(subdivisions) or 'none'}"
        ) from None
    except (ValueError, KeyError) as exc:
        raise ConfigError(
            f"holidays for country {country!r} has no subdivision {subdivision!r}: {exc}"
        ) from None


@lru_cache(maxsize=4096)
def region_holidays(country: str, subdivision: str | None, year: int) -> frozenset[date]:
    import holidays

    with _lock:  # the holidays package populates lazily and is not thread-safe
        table = holidays.country_holidays(country, subdiv=subdivision, years=year)
        return frozenset(d for d in table if d.year == year)
