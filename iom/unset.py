"""``KEEP``: what a write service is given for a field it should leave as it is.

Edits name only what changes (a PATCH sends some fields, a form its own). The services that take them have
one keyword argument per field, defaulting to :data:`KEEP`: a field left as ``KEEP`` is neither validated
against a new value, written nor audited, while ``None`` stays a value of its own ("nobody", "no date"). On a
new record, a field left as ``KEEP`` keeps the model's default.
"""

import enum
from typing import Final


class Keep(enum.Enum):
    """The type of :data:`KEEP`: a one-member enum, so ``value is KEEP`` narrows ``T | Keep`` to ``T``."""

    KEEP = "keep"


KEEP: Final = Keep.KEEP


def given(**fields: object) -> dict[str, object]:
    """The fields a caller named: each one not left as :data:`KEEP`, in the order given."""
    return {name: value for name, value in fields.items() if value is not KEEP}
