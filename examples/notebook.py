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
from slaclock.io import read_tickets
from slaclock.report import Report

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

# %%
policy = Policy.from_file(DATA / "sample_policy.toml")
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
ax = sla.plot()
ax.figure.savefig(OUT / "ticket.png", bbox_inches="tight")
assert {m.name for m in sla.metrics} >= {"first_response", "resolution"}

# %% [markdown]
# ## Attainment per customer, objectives, breaches

# %%
report = Report.from_results(results)
print(report.attainment(by=["customer"], metric="first_response"))
goal = report.objective("first_response", 0.9, within="6h", by=["customer"])
print(goal)
print(report.breaches())
ax = report.plot(bucket="week")
ax.figure.savefig(OUT / "attainment.png", bbox_inches="tight")
assert sum(row.decided for row in goal) > 0
