"""Support levels and the iCalendar text, without the database."""

from __future__ import annotations

from datetime import UTC, datetime
from fractions import Fraction
from types import SimpleNamespace
from typing import Any

import pytest

from cohesion.assembly.workspace import (
    SUPPORT_THRESHOLD,
    SupportLevel,
    _ics_escape,
    _ics_fold,
    session_ics,
)


def test_the_default_threshold_is_two_thirds_of_votes_cast() -> None:
    assert Fraction(2, 3) == SUPPORT_THRESHOLD
    level = SupportLevel(support=2, oppose=1, abstain=0, eligible=4)
    assert level.threshold_label == "two thirds"
    assert level.threshold_percent == pytest.approx(66.6667, abs=1e-3)


@pytest.mark.parametrize(
    ("support", "oppose", "abstain", "agreed"),
    [
        (2, 1, 0, True),  # exactly two thirds is enough
        (20, 10, 0, True),
        (19, 10, 0, False),  # 65.5%
        (2, 0, 1, True),
        (1, 0, 1, False),  # abstentions count as votes cast
        (30, 0, 16, False),  # 65.2%
        (30, 0, 15, True),
        (0, 0, 0, False),  # nobody voted
        (1, 0, 0, True),
    ],
)
def test_agreement_needs_two_thirds_of_votes_cast(support: int, oppose: int, abstain: int, agreed: bool) -> None:
    assert SupportLevel(support=support, oppose=oppose, abstain=abstain, eligible=45).meets_threshold is agreed


def test_shares_and_turnout() -> None:
    level = SupportLevel(support=27, oppose=9, abstain=4, eligible=45)
    assert level.cast == 40
    assert (level.support_percent, level.oppose_percent, level.abstain_percent) == (67.5, 22.5, 10.0)
    assert level.turnout_percent == pytest.approx(88.889, abs=1e-3)
    assert level.support_needed == 27  # ceil(2/3 * 40)
    empty = SupportLevel(eligible=0)
    assert empty.support_percent is None and empty.turnout_percent is None and empty.support_needed == 1


def test_another_threshold_is_described_in_words() -> None:
    assert SupportLevel(threshold=Fraction(1, 2)).threshold_label == "half"
    assert SupportLevel(threshold=Fraction(3, 4)).threshold_label == "75%"
    assert SupportLevel(support=3, oppose=1, threshold=Fraction(3, 4)).meets_threshold


def test_ics_text_is_escaped() -> None:
    assert _ics_escape("a,b;c\\d\ne\r\nf") == "a\\,b\\;c\\\\d\\ne\\nf"


def test_ics_lines_are_folded_at_75_octets_without_splitting_characters() -> None:
    line = "DESCRIPTION:" + "Caf\u00e9 \u2013 cohesion " * 20
    folded = _ics_fold(line)
    parts = folded.split("\r\n")
    assert len(parts) > 1
    assert all(len(p.encode("utf-8")) <= 75 for p in parts)
    assert all(p.startswith(" ") for p in parts[1:])
    assert "".join([parts[0], *(p[1:] for p in parts[1:])]) == line
    assert _ics_fold("SHORT:line") == "SHORT:line"


def test_a_session_without_an_end_or_place_still_makes_a_calendar() -> None:
    session: Any = SimpleNamespace(
        pk=7, title="Online check-in", agenda="", place="", online_link="https://meet.example.org/x",
        starts_at=datetime(2026, 7, 1, 17, 30, tzinfo=UTC), ends_at=None,
        assembly=SimpleNamespace(name="Assembly"),
    )
    text = session_ics(session=session, host="cohesion.example.org:443", page_url="https://cohesion.example.org/s/7/",
                       now=datetime(2026, 6, 1, tzinfo=UTC))
    lines = text.split("\r\n")
    assert lines[-1] == "" and lines[-2] == "END:VCALENDAR"
    assert "DTSTART:20260701T173000Z" in lines and "DTSTAMP:20260601T000000Z" in lines
    assert not any(line.startswith("DTEND") for line in lines)
    assert "UID:assembly-session-7@cohesion.example.org" in lines
    assert "LOCATION:https://meet.example.org/x" in lines
