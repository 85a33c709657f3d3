from datetime import UTC, datetime, timedelta, timezone

from phantom_desktop.store.sql_time import bind_timestamp


def test_sqlite_text_is_utc_with_microseconds_whatever_the_zone_of_the_time():
    utc = datetime(2026, 3, 29, 1, 30, 0, tzinfo=UTC)
    paris = utc.astimezone(timezone(timedelta(hours=2)))
    expected = "2026-03-29 01:30:00.000000"
    assert bind_timestamp(utc, "sqlite") == expected
    assert bind_timestamp(paris, "sqlite") == expected
    assert bind_timestamp(utc.replace(tzinfo=None), "sqlite") == expected
    assert bind_timestamp(utc.replace(microsecond=7), "sqlite") == "2026-03-29 01:30:00.000007"


def test_mysql_gets_a_naive_utc_datetime():
    utc = datetime(2026, 3, 29, 1, 30, 0, 5, tzinfo=UTC)
    paris = utc.astimezone(timezone(timedelta(hours=2)))
    assert bind_timestamp(paris, "mysql") == datetime(2026, 3, 29, 1, 30, 0, 5)
