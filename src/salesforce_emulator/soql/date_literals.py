"""SOQL date literals (TODAY, LAST_N_DAYS:n, THIS_QUARTER, ...) as date ranges.

Each literal stands for a half-open range of days [start, end). Ranges are computed in
UTC with weeks starting on Sunday, which is what an org in the en_US locale and the GMT
time zone uses.
"""

import datetime

# NOTE: fiscal-year literals (THIS_FISCAL_YEAR, ...) are not supported; they would need
# the org's fiscal year settings.


class UnknownDateLiteral(ValueError):
    """A word in a value position that is not a SOQL date literal."""


class DateLiteralOutOfRange(ValueError):
    """A date literal whose n reaches past the years a date can have (1 to 9999)."""


def _add_months(day: datetime.date, months: int) -> datetime.date:
    index = day.year * 12 + day.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


def _week_start(day: datetime.date) -> datetime.date:
    return day - datetime.timedelta(days=(day.weekday() + 1) % 7)


def _quarter_start(day: datetime.date) -> datetime.date:
    return datetime.date(day.year, (day.month - 1) // 3 * 3 + 1, 1)


def date_range(
    name: str, number: int | None, today: datetime.date,
) -> tuple[datetime.date, datetime.date]:
    """Return the [start, end) days of a date literal.

    Raises UnknownDateLiteral for an unknown name and DateLiteralOutOfRange when n moves
    the range outside the years 1 to 9999.
    """
    try:
        return _date_range(name, number, today)
    except UnknownDateLiteral:
        raise
    except (OverflowError, ValueError):
        raise DateLiteralOutOfRange(name if number is None else f"{name}:{number}") from None


def _date_range(
    name: str, number: int | None, today: datetime.date,
) -> tuple[datetime.date, datetime.date]:
    day = datetime.timedelta(days=1)
    week = _week_start(today)
    month = datetime.date(today.year, today.month, 1)
    quarter = _quarter_start(today)
    year = datetime.date(today.year, 1, 1)

    fixed = {
        "YESTERDAY": (today - day, today),
        "TODAY": (today, today + day),
        "TOMORROW": (today + day, today + 2 * day),
        "LAST_WEEK": (week - 7 * day, week),
        "THIS_WEEK": (week, week + 7 * day),
        "NEXT_WEEK": (week + 7 * day, week + 14 * day),
        "LAST_MONTH": (_add_months(month, -1), month),
        "THIS_MONTH": (month, _add_months(month, 1)),
        "NEXT_MONTH": (_add_months(month, 1), _add_months(month, 2)),
        "LAST_90_DAYS": (today - 90 * day, today + day),
        "NEXT_90_DAYS": (today + day, today + 91 * day),
        "LAST_QUARTER": (_add_months(quarter, -3), quarter),
        "THIS_QUARTER": (quarter, _add_months(quarter, 3)),
        "NEXT_QUARTER": (_add_months(quarter, 3), _add_months(quarter, 6)),
        "LAST_YEAR": (_add_months(year, -12), year),
        "THIS_YEAR": (year, _add_months(year, 12)),
        "NEXT_YEAR": (_add_months(year, 12), _add_months(year, 24)),
    }
    if number is None:
        if name not in fixed:
            raise UnknownDateLiteral(name)
        return fixed[name]

    n = number
    with_number = {
        # LAST_N_DAYS includes today, so LAST_N_DAYS:1 is yesterday and today.
        "LAST_N_DAYS": (today - n * day, today + day),
        "NEXT_N_DAYS": (today + day, today + (n + 1) * day),
        "N_DAYS_AGO": (today - n * day, today - (n - 1) * day),
        "LAST_N_WEEKS": (week - 7 * n * day, week),
        "NEXT_N_WEEKS": (week + 7 * day, week + 7 * (n + 1) * day),
        "N_WEEKS_AGO": (week - 7 * n * day, week - 7 * (n - 1) * day),
        "LAST_N_MONTHS": (_add_months(month, -n), month),
        "NEXT_N_MONTHS": (_add_months(month, 1), _add_months(month, n + 1)),
        "N_MONTHS_AGO": (_add_months(month, -n), _add_months(month, -n + 1)),
        "LAST_N_QUARTERS": (_add_months(quarter, -3 * n), quarter),
        "NEXT_N_QUARTERS": (_add_months(quarter, 3), _add_months(quarter, 3 * (n + 1))),
        "N_QUARTERS_AGO": (_add_months(quarter, -3 * n), _add_months(quarter, -3 * (n - 1))),
        "LAST_N_YEARS": (_add_months(year, -12 * n), year),
        "NEXT_N_YEARS": (_add_months(year, 12), _add_months(year, 12 * (n + 1))),
        "N_YEARS_AGO": (_add_months(year, -12 * n), _add_months(year, -12 * (n - 1))),
    }
    if name not in with_number:
        raise UnknownDateLiteral(name)
    return with_number[name]
