"""The targets page draws its charts once per version of the records, not on every visit,
and still shows a change at once."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from stars.core import charts
from stars.reports import targets

URL = reverse("targets") + "?as_of=2024-11-30"


def _no_drawing(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("a chart drawn while the user waits")

    monkeypatch.setattr(charts, "svg", refuse)


@pytest.mark.parametrize("who", ["commissioner", "investor"])
def test_a_second_visit_draws_no_chart_and_shows_the_same_page(
    client, users, referrals, who, monkeypatch
):
    client.force_login(users[who])
    first = client.get(URL)
    assert first.status_code == 200
    assert "<svg" in first.content.decode()
    _no_drawing(monkeypatch)
    again = client.get(URL)
    assert again.status_code == 200
    for key in ("by_council", "by_cohort", "by_year", "funnels", "year_chart", "funnel_chart"):
        assert again.context[key] == first.context[key], key
    assert again.context["aggregate_only"] == first.context["aggregate_only"]


def test_the_cached_figures_are_kept_apart_per_scope(client, users, referrals):
    client.force_login(users["investor"])  # programme-wide, aggregate figures only
    investor = client.get(URL).context
    client.force_login(users["commissioner"])  # one council
    commissioner = client.get(URL).context
    assert investor["by_cohort"] and not commissioner["by_cohort"]
    assert len(commissioner["by_council"]) == 1 < len(investor["by_council"])


def test_a_change_to_the_records_is_drawn_again(client, users, referrals, monkeypatch):
    client.force_login(users["investor"])
    client.get(URL)
    drawn = []
    real = targets.targets_context
    monkeypatch.setattr(
        targets, "targets_context", lambda *a, **k: drawn.append(1) or real(*a, **k)
    )
    client.get(URL)
    assert drawn == []
    r = referrals["derby"]
    r.referral_date = r.referral_date - dt.timedelta(days=1)
    r.save()
    client.get(URL)
    assert drawn == [1]
