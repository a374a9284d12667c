"""What the schema fuzzer (tests/test_fuzz.py) found, one focused test per finding."""

from __future__ import annotations

from tests.factories import Tenant

CALENDAR = """query($from: DateTime, $to: DateTime) {
  calendarEvents(from: $from, to: $to) { pagination { total } }
}"""


async def test_a_time_without_an_offset_is_read_as_utc(tenant: Tenant) -> None:
    """A naive `from` beside an aware `to` was compared as such and answered INTERNAL_ERROR."""
    window = {"from": "2026-01-01T00:00:00", "to": "2026-01-02T00:00:00+00:00"}
    assert await tenant.gql(CALENDAR, window) == {"calendarEvents": {"pagination": {"total": 0}}}
    backwards = {"from": "2026-01-02T00:00:00", "to": "2026-01-01T00:00:00Z"}
    error = await tenant.gql_error(CALENDAR, backwards)
    assert error["extensions"]["code"] == "VALIDATION_ERROR"
