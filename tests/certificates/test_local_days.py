"""The days a document prints (deliberation, closing, publication, a module's dates) are
the days in Algiers, not in UTC."""

from __future__ import annotations

import datetime as dt

from certificates.documents import _day


def test_a_jury_closed_just_after_midnight_in_algiers_closed_that_day():
    closed_at = dt.datetime(2026, 12, 1, 23, 30, tzinfo=dt.UTC)  # 00:30 on the 2nd in Algiers
    assert _day(closed_at) == "2026-12-02"
    assert _day(None) == ""
