"""The posting window in working days, and the ids of parts kept in a stream."""

import uuid
from datetime import datetime

import pytest

from domain.errors import InvalidError
from domain.ids import parse_part, part_id
from domain.publicity import check_days, window_end
from domain.supervision import check_attachments, check_date, media_type_of

STREAM = uuid.UUID("6f1c3a52-8f7e-4d1b-9a43-2b7c0d5e9a10")


@pytest.mark.parametrize(("posted", "days", "closes"), [
    # Monday 09:00 in China: five working days run to the end of Friday.
    ("2026-12-07T01:00:00+00:00", 5, "2026-12-11T16:00:00+00:00"),
    # Friday: Friday, then Monday to Thursday.
    ("2026-12-11T01:00:00+00:00", 5, "2026-12-17T16:00:00+00:00"),
    # Saturday counts from Monday.
    ("2026-12-12T01:00:00+00:00", 1, "2026-12-14T16:00:00+00:00"),
    # 23:30 UTC on Sunday is Monday morning in China.
    ("2026-12-06T23:30:00+00:00", 1, "2026-12-07T16:00:00+00:00"),
])
def test_a_window_ends_at_midnight_in_china_after_its_last_working_day(
        posted: str, days: int, closes: str) -> None:
    assert window_end(datetime.fromisoformat(posted), days) == datetime.fromisoformat(closes)


@pytest.mark.parametrize("days", [0, 31, -1, 2.0, "5", True, None])
def test_a_window_is_one_to_thirty_working_days(days: object) -> None:
    with pytest.raises(InvalidError):
        check_days(days)


def test_a_part_id_names_its_stream_and_number_in_one_spelling() -> None:
    made = part_id(STREAM, "o", 12)
    assert made == f"{STREAM}-o12" and parse_part(made, "o") == (STREAM, 12)
    for other in (made.upper(), f"{{{STREAM}}}-o12", f"{STREAM.hex}-o12", f"{STREAM}-p12",
                  f"{STREAM}-o", f"{STREAM}-o١", f"{STREAM}-o-1", "o12", "",
                  f"{STREAM}-o1" + "0" * 20):
        assert parse_part(other, "o") is None, other


def test_a_finding_dates_from_1970_to_today_and_names_attachments_by_hash() -> None:
    assert check_date("2026-11-03") == "2026-11-03"
    for bad in ("2026-13-01", "1969-12-31", "3000-01-01", "20261103", 20261103, None):
        with pytest.raises(InvalidError):
            check_date(bad)
    good = {"sha256": "a" * 64, "name": "现场.jpg", "media_type": "image/jpeg", "size": 10}
    assert check_attachments([good]) == [good]
    for bad in ({**good, "sha256": "A" * 64}, {**good, "size": 10 * 1024 * 1024 + 1},
                {**good, "media_type": "text/html"}, {**good, "name": ""}, "x"):
        with pytest.raises(InvalidError):
            check_attachments([bad])
    with pytest.raises(InvalidError):
        check_attachments([good] * 11)
    assert media_type_of(b"%PDF-1.7\n") == "application/pdf"
    assert media_type_of(b"<html>") is None
