"""PNC ID format and check letter (docs/data-formats.md "PNC ID")."""

import re

from django.core.exceptions import ValidationError

PNC_PATTERN = re.compile(r"^(\d{4})/(\d{7})([A-Z])$")
CHECK_LETTERS = "ZABCDEFGHJKLMNPQRTUVWXY"


def pnc_check_letter(year: str, number: str) -> str:
    """The letter for a four-digit year and seven-digit number: letters[int(YY + NNNNNNN) % 23]."""
    return CHECK_LETTERS[int(year[-2:] + number) % 23]


def make_pnc_id(year: int, number: int) -> str:
    year_text, number_text = f"{year:04d}", f"{number:07d}"
    return f"{year_text}/{number_text}{pnc_check_letter(year_text, number_text)}"


def validate_pnc_id(value: str) -> None:
    match = PNC_PATTERN.match(value or "")
    if not match:
        raise ValidationError(
            "Enter a PNC ID as YYYY/NNNNNNNL: a four-digit year, a slash, seven digits and a check letter.",
            code="pnc_format",
        )
    year, number, letter = match.groups()
    expected = pnc_check_letter(year, number)
    if letter != expected:
        raise ValidationError(f"The check letter of PNC ID {value} should be {expected}.", code="pnc_check_letter")
