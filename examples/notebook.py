# %% [markdown]
# # slaclock in a notebook
#
# A tour in cells (open it in Jupyter / VS Code as a "percent" script, or run it with
# `python examples/notebook.py`). The test suite runs it top to bottom.

# %%
from datetime import datetime
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # headless when run as a script; notebooks show figures inline

from slaclock import Calendar, Policy, evaluate
from slaclock._html import explanation_html, metric_html, policy_html
from slaclock.io import read_tickets
from slaclock.plot import plot_ticket
from slaclock.report import Report
from slaclock.statement import parse_objective

DATA = Path(__file__).resolve().parent.parent / "src" / "slaclock" / "data"
OUT = Path(__file__).resolve().parent / "output"
OUT.mkdir(exist_ok=True)

# %% [markdown]
# ## A calendar, shown as a week grid
# A live-chat desk open Mon–Thu all day and Friday until 20:00 New York time, as seen
# from Los Angeles (`_repr_html_` draws the grid in a notebook).

# %%
chat = Calendar.model_validate(
    {"timezone": "America/New_York", "hours": {"mon-thu": "00:00-24:00", "fri": "00:00-20:00"}}
)
week = chat.describe("America/Los_Angeles")
print(week)
assert week.days["fri"] == ("00:00-17:00",)

# %% [markdown]
# ## The sample agreement and tickets
# The agreement's matrix shows as one table per plan edition (internal targets in grey).

# %%
policy = Policy.from_file(DATA / "sample_policy.toml")
assert policy_html(policy).count("<table>") == len(policy.plans)
now = datetime.fromisoformat("2026-11-27T12:00:00-05:00")
tickets = sorted(read_tickets(DATA / "sample_events.csv"), key=lambda t: t.id)
results = [(t, evaluate(t, policy, now=now)) for t in tickets]
print(f"{len(results)} tickets evaluated at {now}")

# %% [markdown]
# ## One ticket's clocks: table, audit trail, timeline

# %%
ticket, sla = next((t, s) for t, s in results if len(s.metrics) >= 3)
print(sla)
print(sla.explain())
assert "<table>" in sla._repr_html_()  # what a notebook shows for `sla`
# The audit trail and one clock as HTML tables (what a notebook shows for them).
assert "what counted and why" in explanation_html(sla.explain())
assert "business time used" in metric_html(sla.metrics[0])
ax = sla.plot()
ax.figure.savefig(OUT / "ticket.png", bbox_inches="tight")
assert {m.name for m in sla.metrics} >= {"first_response", "resolution"}

# %% [markdown]
# The timeline's axis is in the zone of the clock's calendar; `tz=` shows it from
# elsewhere. The legend names each shading (counted, closed hours, paused…) and mark
# (deadline, internal deadline, breach, stop), as `explain()` lists the spans.

# %%
ax = plot_ticket(sla, tz="America/Los_Angeles")
assert ax.get_xlabel() == "time (America/Los_Angeles)"
ax.figure.savefig(OUT / "ticket-los-angeles.png", bbox_inches="tight")

# %% [markdown]
# ## Attainment per customer, objectives, breaches

# %%
report = Report.from_results(results, policy=policy)  # month / week buckets in its zone
print(report.attainment(by=["customer"], metric="first_response"))
print(report.attainment(by=["week"], metric="first_response"))  # says which zone
goal = report.objective("first_response", 0.9, within="6h", by=["customer"])
print(goal)
print(report.breaches())
ax = report.plot(bucket="week")
ax.figure.savefig(OUT / "attainment.png", bbox_inches="tight")
assert sum(row.decided for row in goal) > 0

# %% [markdown]
# ## A customer's monthly statement
# One self-contained HTML page to send: the agreement and edition, attainment per metric
# and severity, the objective, a weekly chart, each breach with one line of `explain()`,
# the trend, and every time in New York time. No internal target on it.

# %%
statement = report.statement(
    customer="acme", month="2026-11", objectives=[parse_objective("first_response:0.9:6h")]
)
path = statement.write(OUT / "statement-acme-2026-11.html")
print(f"{path.name}: {statement.tickets} tickets, {len(statement.breaches)} breaches")
assert "internal" not in path.read_text(encoding="utf-8").lower()
