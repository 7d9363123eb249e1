"""The JSON Schema of the configuration accepts every documented form (day ranges,
presets, short targets) and rejects unknown keys."""

import json
import tomllib
from pathlib import Path
from typing import Any

import pytest

from slaclock import Calendar, Policy

jsonschema = pytest.importorskip("jsonschema")
ROOT = Path(__file__).resolve().parent.parent
POLICIES = [
    *sorted((ROOT / "examples" / "policies").glob("*.toml")),
    ROOT / "src" / "slaclock" / "data" / "sample_policy.toml",
]


def as_json(path: Path) -> Any:
    # TOML has native dates; a JSON document would carry them as strings.
    return json.loads(json.dumps(tomllib.loads(path.read_text()), default=str))


@pytest.mark.parametrize("path", POLICIES, ids=lambda p: p.name)
def test_example_policies_match_the_schema(path: Path) -> None:
    jsonschema.validate(as_json(path), Policy.model_json_schema())


def test_design_calendar_form_matches_the_schema() -> None:
    config = {
        "timezone": "America/New_York",
        "hours": {"mon-thu": "00:00-24:00", "fri": ["00:00-20:00"]},
        "holidays": ["2026-12-25", {"country": "US", "subdivision": "NY"}],
        "overrides": {"2026-12-24": ["08:00-12:00"], "2026-12-27": []},
    }
    jsonschema.validate(config, Calendar.model_json_schema())
    jsonschema.validate({"preset": "24x5", "timezone": "UTC"}, Calendar.model_json_schema())


def test_schema_rejects_unknown_keys_like_the_validator() -> None:
    bad = {"timezone": "UTC", "hours": {"mon": "08:00-17:00"}, "colour": "blue"}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, Calendar.model_json_schema())
