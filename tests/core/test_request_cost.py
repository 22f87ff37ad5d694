"""What every page costs before its own work: the queries each request makes to know who
is asking and what they may see."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext


@pytest.mark.parametrize("role", ["spoc", "key_worker", "provider_manager", "admin"])
def test_a_page_reads_the_users_programmes_once(client, users, referrals, role):
    """The page's own check, the header's programme switcher and the home page's links all
    need the user's programmes: they are read once per request."""
    client.force_login(users[role])
    for url in ("/", "/referrals/R-DER/"):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        if response.status_code == 404:  # a key worker's caseload, a council's own
            continue
        assert response.status_code == 200
        reads = [q for q in queries if 'FROM "partnership_programme"' in q["sql"]]
        assert len(reads) == 1, [q["sql"] for q in reads]
