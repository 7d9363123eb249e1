"""The whole exception hierarchy of slaclock.

Every error the library raises on bad input derives from :class:`SlaClockError`, and
each also subclasses the built-in a caller would naturally catch (``ValueError``,
``TypeError``, ``LookupError``), so ``except ValueError`` keeps working.

::

    SlaClockError(Exception)
    ├── ConfigError(SlaClockError, ValueError)     bad calendar / policy / duration
    │   ├── UnknownSeverityError(ConfigError, LookupError)
    │   └── UnknownPlanError(ConfigError, LookupError)
    ├── TimelineError(SlaClockError, ValueError)   events before creation, unknown kinds…
    ├── NaiveDatetimeError(SlaClockError, TypeError)
    ├── OutOfRangeError(SlaClockError, ValueError) instants outside the supported years
    └── NoOpenTimeError(SlaClockError, ValueError) no open time within the horizon

Messages name the offending value with ``!r``, state the bound it broke and suggest a fix.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, final

if TYPE_CHECKING:
    from pydantic import ValidationError

__all__ = [
    "ConfigError",
    "NaiveDatetimeError",
    "NoOpenTimeError",
    "OutOfRangeError",
    "SlaClockError",
    "SlaClockWarning",
    "TimelineError",
    "UnknownPlanError",
    "UnknownSeverityError",
]


class SlaClockError(Exception):
    """Root of every error slaclock raises on bad input."""


class SlaClockWarning(UserWarning):
    """A configuration that is valid but probably not what was meant (e.g. ``"23:59"``)."""


class ConfigError(SlaClockError, ValueError):
    """A calendar, policy, duration or ticket that does not validate.

    ``errors`` holds one ``(location, message)`` pair per problem, where ``location`` is
    the path inside the configuration (``("severities", "high", "first_response")``).
    """

    def __init__(self, message: str, errors: Sequence[tuple[tuple[str | int, ...], str]] = ()):
        super().__init__(message)
        self.errors: tuple[tuple[tuple[str | int, ...], str], ...] = tuple(errors)

    @classmethod
    def from_validation(cls, title: str, exc: ValidationError) -> ConfigError:
        """Turn pydantic's ``ValidationError`` into one readable ``ConfigError``."""
        problems: list[tuple[tuple[str | int, ...], str]] = []
        kinds: set[type[ConfigError]] = set()
        for err in exc.errors(include_url=False):
            loc = tuple(err.get("loc", ()))
            inner = (err.get("ctx") or {}).get("error")
            if isinstance(inner, ConfigError):
                kinds.add(type(inner))
                if inner.errors:  # a located error raised by one of our validators
                    problems.extend((loc + sub, msg) for sub, msg in inner.errors)
                    continue
            else:
                kinds.add(ConfigError)
            msg = str(err.get("msg", "invalid"))
            # pydantic prefixes messages of ValueErrors raised in validators.
            msg = msg.removeprefix("Value error, ")
            problems.append((loc, msg))
        lines = [f"invalid {title}: {len(problems)} problem(s)"]
        for loc, msg in problems:
            where = ".".join(str(p) for p in loc) or "(top level)"
            lines.append(f"  at {where}: {msg}")
        # Keep the most specific class (UnknownPlanError…) when every problem shares it.
        kind = kinds.pop() if len(kinds) == 1 else cls
        if not issubclass(kind, cls):
            kind = cls
        return kind("\n".join(lines), problems)


@final
class UnknownSeverityError(ConfigError, LookupError):
    """A severity (or alias) that the agreement does not define."""

    @classmethod
    def of(cls, severity: object, known: Sequence[str], *, where: str = "") -> UnknownSeverityError:
        ctx = f" ({where})" if where else ""
        return cls(
            f"unknown severity {severity!r}{ctx}; the agreement defines "
            f"{', '.join(map(repr, known)) or 'no severities'}"
        )


@final
class UnknownPlanError(ConfigError, LookupError):
    """A plan edition that the agreement does not define."""

    @classmethod
    def of(cls, plan: object, known: Sequence[str], *, where: str = "") -> UnknownPlanError:
        ctx = f" ({where})" if where else ""
        return cls(
            f"unknown plan {plan!r}{ctx}; the agreement defines "
            f"{', '.join(map(repr, known)) or 'no plans'}"
        )


class TimelineError(SlaClockError, ValueError):
    """A ticket history that cannot be replayed (event before creation, unknown kind…)."""


@final
class NaiveDatetimeError(SlaClockError, TypeError):
    """A datetime without a time zone where an instant was required."""

    @classmethod
    def of(cls, name: str, value: Any) -> NaiveDatetimeError:
        from datetime import datetime

        if isinstance(value, datetime):
            return cls(
                f"{name}={value!r} is a naive datetime; slaclock needs an aware instant: "
                f"attach a zone, e.g. {name}.replace(tzinfo=ZoneInfo('America/New_York')) "
                "or datetime.now(timezone.utc)"
            )
        return cls(f"{name}={value!r} is not a datetime; pass a time-zone aware datetime")


@final
class OutOfRangeError(SlaClockError, ValueError):
    """An instant outside the years slaclock supports (1900–2199)."""


@final
class NoOpenTimeError(SlaClockError, ValueError):
    """The calendar has no open time ahead (or behind) within the search horizon."""
