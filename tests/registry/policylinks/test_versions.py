"""The one rule of which version is in effect on a day, against its definition: the latest to
take effect by that day; of versions taking effect the same day, the one recorded last."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from registry.policylinks.versions import in_effect, same_version

START = dt.date(2021, 10, 8)
days = st.integers(min_value=0, max_value=60).map(lambda n: START + dt.timedelta(days=n))
versions = st.lists(
    st.builds(
        lambda day, n: {"effective_from": day.isoformat(), "text": f"v{n}"}, days, st.integers()
    ),
    max_size=8,
)


@given(versions, days)
def test_the_version_in_effect_is_the_latest_started_and_last_recorded(
    recorded: list[dict[str, str]], day: dt.date
) -> None:
    found = in_effect(recorded, day)
    started = [
        i for i, v in enumerate(recorded) if dt.date.fromisoformat(v["effective_from"]) <= day
    ]
    if not started:
        assert found is None
        return
    latest = max(recorded[i]["effective_from"] for i in started)
    last = max(i for i in started if recorded[i]["effective_from"] == latest)
    assert found is recorded[last]


@given(versions.filter(bool), st.datetimes(), st.text(max_size=5))
def test_a_version_is_the_same_whoever_recorded_it_and_when(
    recorded: list[dict[str, str]], at: dt.datetime, actor: str
) -> None:
    version = recorded[0]
    assert same_version({**version, "recorded_at": at, "actor": actor}, version)
    assert not same_version({**version, "text": version["text"] + "!"}, version)
