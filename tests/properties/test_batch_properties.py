"""The columnar path (``slaclock.batch``) equals ``evaluate``, ticket by ticket: the same
results and SLA events whether tickets are given as objects, as an event table, in pieces
of any size (a ticket cut across pieces), or shuffled and put back in order by
``prepare``."""

from __future__ import annotations

import random
from datetime import datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

pytest.importorskip("numpy")
pa = pytest.importorskip("pyarrow")
pd = pytest.importorskip("pandas")

from slaclock import Policy, Ticket, TicketSla, batch, evaluate  # noqa: E402

from .test_engine_properties import ANY_TICKET, POLICY, RULED, nows, v2_timelines  # noqa: E402


def table_rows(ticket: Ticket) -> list[dict[str, Any]]:
    """An event log's rows for ``ticket`` (the created row first, then its events)."""
    base = dict.fromkeys(("status", "severity", "plan", "field", "value"))
    rows = [
        {
            "ticket_id": ticket.id,
            "at": ticket.created_at.isoformat(),
            "type": "created",
            **base,
            "severity": ticket.severity,
            "plan": ticket.plan,
            "status": ticket.status,
            **ticket.fields,
        }
    ]
    for ev in ticket.events:
        row = {"ticket_id": ticket.id, "at": ev.at.isoformat(), "type": ev.type, **base}
        for key in ("status", "severity", "plan", "field", "value"):
            if hasattr(ev, key):
                row[key] = getattr(ev, key)
        rows.append(row)
    return rows


def same(a: TicketSla, b: TicketSla) -> None:
    assert a.ticket_id == b.ticket_id
    assert (a.plan, a.severity, a.rule) == (b.plan, b.severity, b.rule)
    assert a.metrics == b.metrics
    assert a.events() == b.events()
    assert str(a.explain()) == str(b.explain())


@given(st.lists(ANY_TICKET, min_size=1, max_size=6), st.data())
def test_evaluate_many_equals_evaluate(tickets: list[Ticket], data: st.DataObject) -> None:
    now = data.draw(st.none() | nows(tickets[0]))
    if now is not None and any(t.created_at > now for t in tickets):
        now = max(t.created_at for t in tickets)
    got = batch.evaluate_many(tickets, POLICY, now=now)
    for t, sla in zip(tickets, got, strict=True):
        same(sla, evaluate(t, POLICY, now=now))


@settings(max_examples=30)
@given(st.lists(v2_timelines(), min_size=1, max_size=5), st.data())
def test_a_table_in_pieces_equals_evaluate(tickets: list[Ticket], data: st.DataObject) -> None:
    tickets = [t.model_copy(update={"id": f"T-{i}"}) for i, t in enumerate(tickets)]
    now = max(t.created_at for t in tickets)
    now = data.draw(st.sampled_from([now, now.replace(year=now.year + 1)]))
    rows = [r for t in tickets for r in table_rows(t)]
    columns = sorted({k for r in rows for k in r})
    table = pa.Table.from_pylist([{c: r.get(c) for c in columns} for r in rows])
    sizes = data.draw(st.lists(st.integers(1, 7), min_size=1, max_size=20))
    pieces, pos = [], 0
    for size in sizes * 10:
        if pos >= table.num_rows:
            break
        pieces.append(table.slice(pos, size))
        pos += size
    if pos < table.num_rows:
        pieces.append(table.slice(pos))
    got = list(batch.evaluate_batches(pieces, RULED, now=now, chunk_tickets=2))
    assert [s.ticket_id for s in got] == [t.id for t in tickets]
    for t, sla in zip(tickets, got, strict=True):
        same(sla, evaluate(Ticket.model_validate(t.model_dump()), RULED, now=now))


def test_prepare_puts_a_shuffled_table_back_in_order() -> None:
    p = Policy.model_validate(
        {
            "calendars": {"b": {"preset": "8x5", "timezone": "America/New_York"}},
            "severities": {"high": {"first_response": "2h", "next_reply": "1h"}},
        }
    )
    tickets = [
        Ticket.model_validate(
            {
                "id": f"P-{i}",
                "created_at": f"2026-11-16T0{8 + i % 2}:00:00-05:00",
                "severity": "high",
                "fields": {"customer": "acme" if i % 2 else "globex"},
                "events": [
                    {"at": "2026-11-16T10:00:00-05:00", "type": "agent_reply"},
                    {"at": "2026-11-16T10:30:00-05:00", "type": "customer_reply"},
                    {"at": f"2026-11-16T1{1 + i % 3}:00:00-05:00", "type": "agent_reply"},
                ],
            }
        )
        for i in range(8)
    ]
    rows = [r for t in tickets for r in table_rows(t)]
    random.Random(5).shuffle(rows)
    frame = batch.prepare(pd.DataFrame(rows))
    now = datetime.fromisoformat("2026-11-17T12:00:00-05:00")
    got = {s.ticket_id: s for s in batch.evaluate_batches([frame], p, now=now)}
    assert sorted(got) == sorted(t.id for t in tickets)
    for t in tickets:
        same(got[t.id], evaluate(t, p, now=now))
    out = batch.evaluate_table(frame, p, now=now)
    assert list(out.columns[:4]) == ["ticket_id", "plan", "rule", "metric"]
    assert len(out) == sum(len(s.metrics) for s in got.values())


def test_unclustered_tables_are_refused_with_the_fix() -> None:
    rows = [
        {"ticket_id": "A", "at": "2026-11-16T09:00:00-05:00", "type": "created",
         "severity": "high"},
        {"ticket_id": "B", "at": "2026-11-16T09:00:00-05:00", "type": "created",
         "severity": "high"},
        {"ticket_id": "A", "at": "2026-11-16T10:00:00-05:00", "type": "agent_reply",
         "severity": None},
    ]  # fmt: skip
    with pytest.raises(Exception, match="not clustered by ticket"):
        list(batch.evaluate_batches([pa.Table.from_pylist(rows)], POLICY))
    with pytest.raises(Exception, match="no UTC offset"):
        list(
            batch.evaluate_batches(
                [pa.Table.from_pylist([{**rows[0], "at": "2026-11-16T09:00:00"}])], POLICY
            )
        )


def test_result_table_rows_are_the_scalar_paths_rows() -> None:
    from slaclock.io import result_rows

    p = Policy.from_file("src/slaclock/data/sample_policy.toml")
    ticket = Ticket.model_validate(
        {
            "id": "R-1",
            "created_at": "2026-11-16T09:00:00-05:00",
            "severity": "high",
            "plan": "premium",
            "fields": {"customer": "acme", "region": "us-east"},
            "events": [
                {"at": "2026-11-16T10:30:00-05:00", "type": "agent_reply"},
                {"at": "2026-11-16T11:00:00-05:00", "type": "status", "status": "pending"},
                {"at": "2026-11-17T09:00:00-05:00", "type": "customer_reply"},
                {"at": "2026-11-17T09:00:00-05:00", "type": "status", "status": "open"},
            ],
        }
    )
    now = datetime.fromisoformat("2026-11-18T12:00:00-05:00")
    table = pa.Table.from_pylist(table_rows(ticket))
    got = batch.evaluate_table(table, p, now=now).to_pylist()
    want = result_rows(evaluate(ticket, p, now=now), ticket)
    assert got == want
