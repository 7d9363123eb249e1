"""Agreements as the helpdesks store them, turned into slaclock configuration.

- :func:`zendesk_policies`: Zendesk SLA policies (``GET /api/v2/slas/policies``) -> a
  version-2 policy: one plan per SLA policy, ordered ``rules`` from their filters (an
  ``any`` list expands into one rule per condition), targets per priority from
  ``policy_metrics`` (``business_hours = false`` -> the 24x7 calendar), and a ``no_sla``
  plan with no targets for tickets no policy matches. A condition slaclock's rules cannot
  say becomes a TOML comment on its rule and a warning.
- :func:`zendesk_schedules`: Zendesk schedules (weekly intervals in minutes from Sunday
  00:00, a time zone, holidays) -> calendars.
- :func:`jira_calendars`: Jira Service Management working-hours calendars -> calendars.

Each returns an :class:`Imported`: the configuration as a dict, the same as TOML text
(with the comments), and the warnings. ``slaclock import zendesk-policies FILE`` prints
the TOML.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Final, final

from .errors import ConfigError

__all__ = [
    "RAILS_ZONES",
    "ZENDESK_METRICS",
    "Imported",
    "jira_calendars",
    "zendesk_policies",
    "zendesk_schedules",
]

ZENDESK_METRICS: Final[Mapping[str, str]] = {
    "first_reply_time": "first_response",
    "next_reply_time": "next_reply",
    "periodic_update_time": "periodic_update",
    "pausable_update_time": "pausable_update",
    "requester_wait_time": "requester_wait",
    "agent_work_time": "agent_work",
    "total_resolution_time": "resolution",
}
"""Zendesk SLA policy metrics -> slaclock metrics."""

PRIORITIES: Final = ("low", "normal", "high", "urgent", "none")
"""Zendesk priorities as the Zendesk adapter reads them (``none``: no priority set)."""

_FIELDS: Final = {
    "organization_id": "organization",
    "group_id": "group",
    "assignee_id": "assignee",
    "requester_id": "requester",
    "brand_id": "brand",
    "ticket_form_id": "form",
    "type": "type",
    "ticket_type_id": "type",
    "via_id": "channel",
    "current_tags": "tags",
}
_TICKET_TYPES: Final = {"1": "question", "2": "incident", "3": "problem", "4": "task"}
_VIA: Final = {"0": "web", "4": "email", "5": "api", "29": "chat"}

RAILS_ZONES: Final[Mapping[str, str]] = {
    "International Date Line West": "Etc/GMT+12",
    "American Samoa": "Pacific/Pago_Pago",
    "Midway Island": "Pacific/Midway",
    "Hawaii": "Pacific/Honolulu",
    "Alaska": "America/Juneau",
    "Pacific Time (US & Canada)": "America/Los_Angeles",
    "Tijuana": "America/Tijuana",
    "Arizona": "America/Phoenix",
    "Mountain Time (US & Canada)": "America/Denver",
    "Chihuahua": "America/Chihuahua",
    "Mazatlan": "America/Mazatlan",
    "Central America": "America/Guatemala",
    "Central Time (US & Canada)": "America/Chicago",
    "Guadalajara": "America/Mexico_City",
    "Mexico City": "America/Mexico_City",
    "Monterrey": "America/Monterrey",
    "Saskatchewan": "America/Regina",
    "Bogota": "America/Bogota",
    "Eastern Time (US & Canada)": "America/New_York",
    "Indiana (East)": "America/Indiana/Indianapolis",
    "Lima": "America/Lima",
    "Quito": "America/Lima",
    "Atlantic Time (Canada)": "America/Halifax",
    "Caracas": "America/Caracas",
    "La Paz": "America/La_Paz",
    "Santiago": "America/Santiago",
    "Newfoundland": "America/St_Johns",
    "Brasilia": "America/Sao_Paulo",
    "Buenos Aires": "America/Argentina/Buenos_Aires",
    "Montevideo": "America/Montevideo",
    "Greenland": "America/Godthab",
    "Mid-Atlantic": "Atlantic/South_Georgia",
    "Azores": "Atlantic/Azores",
    "Cape Verde Is.": "Atlantic/Cape_Verde",
    "Dublin": "Europe/Dublin",
    "Edinburgh": "Europe/London",
    "Lisbon": "Europe/Lisbon",
    "London": "Europe/London",
    "Casablanca": "Africa/Casablanca",
    "Monrovia": "Africa/Monrovia",
    "UTC": "Etc/UTC",
    "Amsterdam": "Europe/Amsterdam",
    "Belgrade": "Europe/Belgrade",
    "Berlin": "Europe/Berlin",
    "Bern": "Europe/Zurich",
    "Bratislava": "Europe/Bratislava",
    "Brussels": "Europe/Brussels",
    "Budapest": "Europe/Budapest",
    "Copenhagen": "Europe/Copenhagen",
    "Ljubljana": "Europe/Ljubljana",
    "Madrid": "Europe/Madrid",
    "Paris": "Europe/Paris",
    "Prague": "Europe/Prague",
    "Rome": "Europe/Rome",
    "Sarajevo": "Europe/Sarajevo",
    "Skopje": "Europe/Skopje",
    "Stockholm": "Europe/Stockholm",
    "Vienna": "Europe/Vienna",
    "Warsaw": "Europe/Warsaw",
    "Zagreb": "Europe/Zagreb",
    "Zurich": "Europe/Zurich",
    "West Central Africa": "Africa/Algiers",
    "Athens": "Europe/Athens",
    "Bucharest": "Europe/Bucharest",
    "Cairo": "Africa/Cairo",
    "Harare": "Africa/Harare",
    "Helsinki": "Europe/Helsinki",
    "Jerusalem": "Asia/Jerusalem",
    "Kaliningrad": "Europe/Kaliningrad",
    "Kyiv": "Europe/Kiev",
    "Pretoria": "Africa/Johannesburg",
    "Riga": "Europe/Riga",
    "Sofia": "Europe/Sofia",
    "Tallinn": "Europe/Tallinn",
    "Vilnius": "Europe/Vilnius",
    "Baghdad": "Asia/Baghdad",
    "Istanbul": "Europe/Istanbul",
    "Kuwait": "Asia/Kuwait",
    "Minsk": "Europe/Minsk",
    "Moscow": "Europe/Moscow",
    "Nairobi": "Africa/Nairobi",
    "Riyadh": "Asia/Riyadh",
    "St. Petersburg": "Europe/Moscow",
    "Tehran": "Asia/Tehran",
    "Abu Dhabi": "Asia/Muscat",
    "Baku": "Asia/Baku",
    "Muscat": "Asia/Muscat",
    "Tbilisi": "Asia/Tbilisi",
    "Yerevan": "Asia/Yerevan",
    "Kabul": "Asia/Kabul",
    "Ekaterinburg": "Asia/Yekaterinburg",
    "Islamabad": "Asia/Karachi",
    "Karachi": "Asia/Karachi",
    "Tashkent": "Asia/Tashkent",
    "Chennai": "Asia/Kolkata",
    "Kolkata": "Asia/Kolkata",
    "Mumbai": "Asia/Kolkata",
    "New Delhi": "Asia/Kolkata",
    "Kathmandu": "Asia/Kathmandu",
    "Dhaka": "Asia/Dhaka",
    "Sri Jayawardenepura": "Asia/Colombo",
    "Almaty": "Asia/Almaty",
    "Rangoon": "Asia/Rangoon",
    "Bangkok": "Asia/Bangkok",
    "Hanoi": "Asia/Bangkok",
    "Jakarta": "Asia/Jakarta",
    "Krasnoyarsk": "Asia/Krasnoyarsk",
    "Beijing": "Asia/Shanghai",
    "Chongqing": "Asia/Chongqing",
    "Hong Kong": "Asia/Hong_Kong",
    "Kuala Lumpur": "Asia/Kuala_Lumpur",
    "Perth": "Australia/Perth",
    "Singapore": "Asia/Singapore",
    "Taipei": "Asia/Taipei",
    "Ulaanbaatar": "Asia/Ulaanbaatar",
    "Osaka": "Asia/Tokyo",
    "Sapporo": "Asia/Tokyo",
    "Seoul": "Asia/Seoul",
    "Tokyo": "Asia/Tokyo",
    "Yakutsk": "Asia/Yakutsk",
    "Adelaide": "Australia/Adelaide",
    "Darwin": "Australia/Darwin",
    "Brisbane": "Australia/Brisbane",
    "Canberra": "Australia/Melbourne",
    "Guam": "Pacific/Guam",
    "Hobart": "Australia/Hobart",
    "Melbourne": "Australia/Melbourne",
    "Port Moresby": "Pacific/Port_Moresby",
    "Sydney": "Australia/Sydney",
    "Vladivostok": "Asia/Vladivostok",
    "Magadan": "Asia/Magadan",
    "New Caledonia": "Pacific/Noumea",
    "Solomon Is.": "Pacific/Guadalcanal",
    "Auckland": "Pacific/Auckland",
    "Wellington": "Pacific/Auckland",
    "Fiji": "Pacific/Fiji",
    "Nuku'alofa": "Pacific/Tongatapu",
    "Samoa": "Pacific/Apia",
}
"""Zendesk (Rails) time-zone names -> IANA zones; an IANA name is accepted as it is."""

_DAYS: Final = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")
_WEEK: Final = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@final
@dataclass(frozen=True)
class Imported:
    """An imported configuration: ``data`` (what :meth:`slaclock.Policy.model_validate` /
    :meth:`slaclock.Calendar.model_validate` take), ``toml`` (the same, with a comment on
    everything that could not be translated) and ``warnings``."""

    data: dict[str, Any]
    toml: str
    warnings: tuple[str, ...] = field(default=())


# -- reading the exports --------------------------------------------------------------


def _load(source: str | Path | Mapping[str, Any] | Sequence[Any], key: str, what: str) -> list[Any]:
    if isinstance(source, str | Path):
        p = Path(source)
        try:
            data: Any = json.loads(p.read_text(encoding="utf-8"))
        except OSError as exc:
            raise ConfigError(f"cannot read {what} file {str(p)!r}: {exc.strerror}") from None
        except json.JSONDecodeError as exc:
            raise ConfigError(f"{str(p)!r} is not valid JSON: {exc}") from None
    else:
        data = source
    if isinstance(data, Mapping):
        single = key[:-1] if key.endswith("s") else key
        if isinstance(data.get(key), list):
            return list(data[key])
        if isinstance(data.get(single), Mapping):
            return [data[single]]
        return [data]
    if isinstance(data, list):
        return data
    raise ConfigError(f"{what}: expected a JSON object or a list, got {type(data).__name__}")


def slug(text: str, taken: Iterable[str] = ()) -> str:
    """A TOML-friendly name for a title (``"Support Hours"`` -> ``support_hours``), made
    unique against ``taken``."""
    base = re.sub(r"[^a-z0-9]+", "_", text.strip().lower()).strip("_") or "policy"
    name, n = base, 2
    while name in taken:
        name, n = f"{base}_{n}", n + 1
    return name


def _duration(minutes: float | None = None, seconds: float | None = None) -> str:
    total = round(seconds) if seconds is not None else round((minutes or 0) * 60)
    if total <= 0:
        raise ConfigError(f"an SLA target of {total} seconds; targets must be positive")
    h, rest = divmod(total, 3600)
    m, s = divmod(rest, 60)
    return (f"{h}h" if h else "") + (f"{m}m" if m else "") + (f"{s}s" if s else "")


# -- Zendesk SLA policies -------------------------------------------------------------


def zendesk_policies(
    source: str | Path | Mapping[str, Any] | Sequence[Any],
    *,
    schedule: Mapping[str, Any] | None = None,
    name: str = "Zendesk SLA policies",
) -> Imported:
    """A slaclock policy from Zendesk SLA policies (the ``GET /api/v2/slas/policies``
    response, a file holding it, or the list of policies).

    ``schedule`` is the business-hours calendar (e.g. one of :func:`zendesk_schedules`'
    calendars); without it the policy gets a placeholder 9-17 calendar, marked with a
    comment and a warning, whenever a target counts business hours.
    """
    policies = _load(source, "sla_policies", "Zendesk SLA policies")
    policies.sort(key=lambda p: (p.get("position") is None, p.get("position") or 0))
    warnings: list[str] = []
    plans: dict[str, dict[str, Any]] = {}
    plan_notes: dict[str, str] = {}
    rules: list[tuple[dict[str, Any], list[str]]] = []
    uses_business = False
    uses_resolution = False
    for pol in policies:
        title = str(pol.get("title") or f"policy {pol.get('id')}")
        plan = slug(title, [*plans, "no_sla"])
        plan_notes[plan] = f"Zendesk SLA policy {pol.get('id')} {title!r}"
        severities: dict[str, dict[str, Any]] = {p: {} for p in PRIORITIES}
        for pm in pol.get("policy_metrics") or ():
            metric = ZENDESK_METRICS.get(str(pm.get("metric")))
            priority = str(pm.get("priority") or "").lower()
            if metric is None:
                warnings.append(
                    f"{title!r}: metric {pm.get('metric')!r} has no slaclock equivalent; left out"
                )
                continue
            if priority not in severities:
                severities[priority] = {}
            within = _duration(pm.get("target"), pm.get("target_in_seconds"))
            if pm.get("business_hours", True):
                severities[priority][metric] = within
                uses_business = True
            else:
                severities[priority][metric] = {"within": within, "calendar": "always"}
            uses_resolution |= metric == "resolution"
        plans[plan] = {"severities": severities}
        filt = pol.get("filter") or {}
        all_conds = list(filt.get("all") or ())
        any_conds = list(filt.get("any") or ())
        groups = [[*all_conds, c] for c in any_conds] or [all_conds]
        for i, conds in enumerate(groups, 1):
            when, notes = _when(conds)
            label = title if len(groups) == 1 else f"{title} (any {i}/{len(groups)})"
            for note in notes:
                warnings.append(f"rule {label!r}: {note}")
            rules.append(({"name": label, "when": when, "plan": plan}, notes))
    plans["no_sla"] = {"severities": {p: {} for p in PRIORITIES}}
    plan_notes["no_sla"] = "tickets no Zendesk SLA policy matches: no targets"
    calendars: dict[str, Any] = {}
    placeholder = False
    zone = str((schedule or {}).get("timezone", "UTC"))
    if uses_business:
        if schedule is None:
            placeholder = True
            warnings.append(
                "targets count business hours but no schedule was given: the 'business' "
                "calendar is a placeholder (mon-fri 09:00-17:00 UTC); import your schedule "
                "with 'slaclock import zendesk-schedules' and pass it"
            )
            calendars["business"] = {"timezone": "UTC", "hours": {"mon-fri": "09:00-17:00"}}
        else:
            calendars["business"] = dict(schedule)
    calendars["always"] = {"preset": "24x7", "timezone": zone}
    data: dict[str, Any] = {"name": name, "default_plan": "no_sla"}
    data["default_calendar"] = "business" if uses_business else "always"
    if uses_resolution:
        data["pause"] = {"resolution": []}
    data["rules"] = [r for r, _ in rules]
    data["calendars"] = calendars
    data["plans"] = plans
    toml = _policy_toml(data, rules, plan_notes, placeholder, uses_resolution)
    return Imported(data, toml, tuple(warnings))


def _when(conditions: Iterable[Mapping[str, Any]]) -> tuple[dict[str, Any], list[str]]:
    """The ``when`` table of a rule and a note per condition left out."""
    when: dict[str, Any] = {}
    notes: list[str] = []
    for cond in conditions:
        fld = str(cond.get("field"))
        op = str(cond.get("operator"))
        raw = cond.get("value")
        value = "" if raw is None else str(raw).strip()
        shown = json.dumps({"field": fld, "operator": op, "value": raw})
        target = _FIELDS.get(fld)
        why = None
        if target is None:
            why = f"the Zendesk adapter keeps no ticket field for {fld!r}"
        elif target in when:
            why = f"a second condition on {target!r} (one condition per field)"
        elif fld == "current_tags" and op == "includes":
            names = value.split()
            when[target] = {"contains": names[0]} if len(names) == 1 else names
        elif fld == "current_tags":
            why = f"operator {op!r} on tags (only 'includes' translates)"
        elif op in ("is", "is_not") and value in ("", "-"):
            when[target] = {"exists": op == "is_not"}
        elif op == "is":
            if fld == "via_id":
                channel = _VIA.get(value)
                if channel is None:
                    why = f"channel id {value!r} is not one slaclock names"
                else:
                    when[target] = channel
            else:
                when[target] = _TICKET_TYPES.get(value, value) if fld == "ticket_type_id" else value
        else:
            why = f"operator {op!r} (rules test equality, lists, contains and exists)"
        if why is not None:
            notes.append(f"condition {shown} not translated ({why}); the rule ignores it")
    return when, notes


# -- TOML -----------------------------------------------------------------------------

_BARE: Final = re.compile(r"^[A-Za-z0-9_-]+$")


def _key(k: str) -> str:
    return k if _BARE.match(k) else json.dumps(k)


def _toml_value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int | float):
        return repr(v)
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=False)
    if isinstance(v, Mapping):
        inner = ", ".join(f"{_key(str(k))} = {_toml_value(x)}" for k, x in v.items())
        return "{" + inner + "}" if inner else "{}"
    if isinstance(v, list | tuple):
        return "[" + ", ".join(_toml_value(x) for x in v) + "]"
    raise ConfigError(f"cannot write {v!r} as TOML")


def _table(path: str, table: Mapping[str, Any]) -> list[str]:
    lines = [f"[{path}]"]
    lines += [f"{_key(k)} = {_toml_value(v)}" for k, v in table.items()]
    return lines


def _policy_toml(
    data: Mapping[str, Any],
    rules: Sequence[tuple[dict[str, Any], list[str]]],
    plan_notes: Mapping[str, str],
    placeholder: bool,
    uses_resolution: bool,
) -> str:
    lines = [
        "# Imported from Zendesk SLA policies by 'slaclock import zendesk-policies'.",
        "# One plan per SLA policy; the rules choose it in Zendesk's order (first match wins).",
        f"name = {_toml_value(data['name'])}",
        f"default_plan = {_toml_value(data['default_plan'])}",
        f"default_calendar = {_toml_value(data['default_calendar'])}",
    ]
    if uses_resolution:
        lines += [
            "# Zendesk's total resolution time never pauses.",
            f"pause = {_toml_value(data['pause'])}",
        ]
    lines.append("rules = [")
    for rule, notes in rules:
        lines += [f"  # {note}" for note in notes]
        lines.append(f"  {_toml_value(rule)},")
    lines.append("]")
    for cal, table in data["calendars"].items():
        lines.append("")
        if cal == "business" and placeholder:
            lines.append(
                "# PLACEHOLDER: replace with your Zendesk schedule "
                "(slaclock import zendesk-schedules)"
            )
        lines += _table(f"calendars.{_key(cal)}", table)
    for plan, table in data["plans"].items():
        lines += ["", f"# {plan_notes[plan]}"]
        lines += _table(f"plans.{_key(plan)}.severities", table["severities"])
    return "\n".join(lines) + "\n"


def _calendars_toml(
    title: str, calendars: Mapping[str, Any], notes: Mapping[str, list[str]]
) -> str:
    lines = [f"# {title}"]
    for name, cal in calendars.items():
        lines.append("")
        lines += [f"# {n}" for n in notes.get(name, ())]
        lines += _table(f"calendars.{_key(name)}", cal)
    return "\n".join(lines) + "\n"


# -- calendars ------------------------------------------------------------------------


def _zone(name: Any, where: str) -> str:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    text = str(name or "").strip()
    iana = RAILS_ZONES.get(text, text)
    try:
        ZoneInfo(iana)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(
            f"{where}: unknown time zone {text!r}; use an IANA name (e.g. 'America/New_York')"
        ) from None
    return iana


def _hhmm(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


def _hours(per_day: Mapping[str, list[tuple[int, int]]]) -> dict[str, Any]:
    """Weekday -> intervals (minutes of the day) as the calendar's ``hours``, consecutive
    days with the same intervals folded into a range (``mon-fri``)."""
    out: dict[str, Any] = {}
    i = 0
    while i < 7:
        day = _WEEK[i]
        spans = sorted(per_day.get(day, []))
        j = i
        while j + 1 < 7 and sorted(per_day.get(_WEEK[j + 1], [])) == spans:
            j += 1
        if spans:
            key = day if i == j else f"{day}-{_WEEK[j]}"
            texts = [f"{_hhmm(a)}-{_hhmm(b)}" for a, b in spans]
            out[key] = texts[0] if len(texts) == 1 else texts
        i = j + 1
    return out


def zendesk_schedules(
    source: str | Path | Mapping[str, Any] | Sequence[Any],
    *,
    holidays: str | Path | Mapping[str, Any] | Sequence[Any] | None = None,
) -> Imported:
    """Calendars from Zendesk schedules (``GET /api/v2/business_hours/schedules``):
    ``intervals`` in minutes from Sunday 00:00 in the schedule's ``time_zone`` (a Zendesk
    name such as ``"Eastern Time (US & Canada)"`` or an IANA name). Holidays come from each
    schedule's ``holidays`` list or from ``holidays`` (the ``.../schedules/{id}/holidays``
    response; records may carry ``schedule_id``); ``start_date`` to ``end_date`` inclusive.
    ``data`` is ``{"calendars": {name: calendar}}``."""
    schedules = _load(source, "schedules", "Zendesk schedules")
    extra = [] if holidays is None else _load(holidays, "holidays", "Zendesk holidays")
    if extra and len(schedules) > 1 and any("schedule_id" not in h for h in extra):
        raise ConfigError(
            "the holidays file has records without schedule_id and there are "
            f"{len(schedules)} schedules; add schedule_id to each holiday or import one "
            "schedule at a time"
        )
    calendars: dict[str, Any] = {}
    notes: dict[str, list[str]] = {}
    for sched in schedules:
        title = str(sched.get("name") or f"schedule {sched.get('id')}")
        name = slug(title, calendars)
        where = f"schedule {title!r}"
        per_day: dict[str, list[tuple[int, int]]] = {}
        for iv in sched.get("intervals") or ():
            start, end = int(iv["start_time"]), int(iv["end_time"])
            if not 0 <= start < end <= 7 * 1440:
                raise ConfigError(
                    f"{where}: interval {start}-{end} must lie within the week "
                    "(0 to 10080 minutes from Sunday 00:00, start before end)"
                )
            while start < end:
                day, offset = divmod(start, 1440)
                stop = min(end, (day + 1) * 1440)
                per_day.setdefault(_DAYS[day % 7], []).append((offset, stop - day * 1440))
                start = stop
        cal: dict[str, Any] = {"timezone": _zone(sched.get("time_zone"), where)}
        cal["hours"] = _hours(per_day)
        days: list[str] = []
        own = list(sched.get("holidays") or ())
        own += [
            h for h in extra if str(h.get("schedule_id", sched.get("id"))) == str(sched.get("id"))
        ]
        for h in own:
            first = date.fromisoformat(str(h["start_date"]))
            last = date.fromisoformat(str(h.get("end_date") or h["start_date"]))
            d = first
            while d <= last:
                days.append(d.isoformat())
                d += timedelta(days=1)
        if days:
            cal["holidays"] = sorted(set(days))
        calendars[name] = cal
        notes[name] = [f"Zendesk schedule {sched.get('id')} {title!r} ({sched.get('time_zone')})"]
    data = {"calendars": calendars}
    return Imported(data, _calendars_toml("Imported from Zendesk schedules", calendars, notes))


_JSM_DAYS: Final = {
    "monday": "mon", "tuesday": "tue", "wednesday": "wed", "thursday": "thu",
    "friday": "fri", "saturday": "sat", "sunday": "sun",
}  # fmt: skip


def _minute_of_day(value: Any, where: str) -> int:
    if isinstance(value, Mapping):
        return int(value.get("hour", 0)) * 60 + int(value.get("minute", 0))
    if isinstance(value, int):
        return value
    m = re.fullmatch(r"\s*(\d{1,2}):(\d{2})(?::\d{2})?\s*", str(value))
    if m is None:
        raise ConfigError(f"{where}: cannot read the time {value!r}; write it as HH:MM")
    return int(m.group(1)) * 60 + int(m.group(2))


def jira_calendars(
    source: str | Path | Mapping[str, Any] | Sequence[Any], *, recurring_years: int = 10
) -> Imported:
    """Calendars from Jira Service Management working-hours calendars: each with a
    ``name``, a zone (``timeZoneId`` / ``timezone``), ``workingTimes`` (``{"weekday":
    "MONDAY", "start": "09:00", "end": "17:00"}``; times as ``HH:MM``, minutes of the day
    or ``{"hour", "minute"}``) and ``holidays`` (``{"date", "recurring"}``; a recurring
    holiday is repeated for ``recurring_years`` years from its date).
    ``data`` is ``{"calendars": {name: calendar}}``."""
    items = _load(source, "calendars", "JSM calendars")
    calendars: dict[str, Any] = {}
    notes: dict[str, list[str]] = {}
    for item in items:
        title = str(item.get("name") or f"calendar {item.get('id')}")
        name = slug(title, calendars)
        where = f"calendar {title!r}"
        zone_name = item.get("timeZoneId") or item.get("timezone") or item.get("timeZone")
        per_day: dict[str, list[tuple[int, int]]] = {}
        for wt in item.get("workingTimes") or item.get("workingHours") or ():
            raw_day = str(wt.get("weekday") or wt.get("day") or "").strip().lower()
            day = _JSM_DAYS.get(raw_day, raw_day[:3])
            if day not in _WEEK:
                raise ConfigError(f"{where}: unknown weekday {raw_day!r}; use MONDAY..SUNDAY")
            start = _minute_of_day(wt.get("start", wt.get("startTime", wt.get("from"))), where)
            end = _minute_of_day(wt.get("end", wt.get("endTime", wt.get("to"))), where)
            if end == 0:
                end = 1440
            if not 0 <= start < end <= 1440:
                raise ConfigError(
                    f"{where}: working time {_hhmm(start)}-{_hhmm(end)} on {day} must start "
                    "before it ends, within the day"
                )
            per_day.setdefault(day, []).append((start, end))
        cal: dict[str, Any] = {"timezone": _zone(zone_name, where), "hours": _hours(per_day)}
        days: list[str] = []
        for h in item.get("holidays") or ():
            d = date.fromisoformat(str(h["date"]))
            repeats = recurring_years if h.get("recurring") else 1
            for k in range(repeats):
                try:
                    days.append(d.replace(year=d.year + k).isoformat())
                except ValueError:  # 29 February in a common year
                    continue
        if days:
            cal["holidays"] = sorted(set(days))
        calendars[name] = cal
        notes[name] = [f"JSM calendar {title!r}"]
    data = {"calendars": calendars}
    return Imported(
        data, _calendars_toml("Imported from Jira Service Management calendars", calendars, notes)
    )
