"""A large export arrives whole: quoted cells with line breaks and quotes across the stream's chunks, CRLF
record ends, formulas neutralised in every row."""

from __future__ import annotations

import csv
import io

from sqlalchemy import text

from tests.database import owner_sessions
from tests.factories import Tenant
from winnerr.state import AppState

COUNT = 5_000
FILL = """
INSERT INTO properties (organization_id, address, city, state, zip_code, property_type, price, status, description)
SELECT :organization, n || ' Elm, "Unit" ' || n, 'Austin', 'TX', '78701', 'CONDO', 1000 + n, 'ACTIVE',
       'Line one of ' || n || E'\\n"quoted", line two\\r\\n=formula ' || n
FROM generate_series(1, :count) AS n
"""


async def test_every_row_of_a_large_export_parses_back(tenant: Tenant, app_state: AppState) -> None:
    async with owner_sessions(app_state).begin() as session:
        await session.execute(text(FILL), {"organization": tenant.organization_id, "count": COUNT})
    response = await tenant.client.get("/export/properties.csv", headers=tenant.headers(), params={"sort": "PRICE_ASC"})
    assert response.status_code == 200
    assert len(response.content) > 100 * 8192  # many of PostgreSQL's 8 kB messages
    body = response.text
    header, *rows = csv.reader(io.StringIO(body, newline=""))
    assert len(rows) == COUNT
    for n, row in enumerate(rows, start=1):
        cells = dict(zip(header, row, strict=True))
        assert cells["address"] == f'{n} Elm, "Unit" {n}'
        assert cells["description"] == f"Line one of {n}\n\"quoted\", line two\r\n'=formula {n}"
        assert cells["price"] == f"{1000 + n}.00"
    records = body.split("\r\n")
    assert len(records) == 1 + COUNT * 2 + 1  # every record ends in CRLF, and one CRLF is inside each description
    assert records[-1] == ""
