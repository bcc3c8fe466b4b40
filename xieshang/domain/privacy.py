"""Masking of personal data (phones, residents' contacts) for viewers who do not need it."""

from __future__ import annotations

from collections.abc import Callable

from xieshang.domain.policy import Access


def mask_phone(phone: str | None) -> str | None:
    """``13800000001`` → ``138****0001``: keep the first three and last four digits.

    Shorter values keep only their last two characters, so nothing short leaks whole.
    """
    if phone is None:
        return None
    phone = phone.strip()
    if len(phone) >= 8:
        return f"{phone[:3]}****{phone[-4:]}"
    if len(phone) > 2:
        return "*" * (len(phone) - 2) + phone[-2:]
    return "*" * len(phone)


def mask_contact(contact: str | None) -> str | None:
    """A resident's contact, masked: phone numbers as :func:`mask_phone`, other text to its
    first character followed by ``***``."""
    if contact is None:
        return None
    digits = "".join(ch for ch in contact if ch.isdigit())
    if len(digits) >= 7:
        return mask_phone(digits)
    contact = contact.strip()
    return f"{contact[:1]}***" if contact else contact


def mask_name(name: str | None) -> str | None:
    """``张三丰`` → ``张**``: the family name only."""
    if not name:
        return name
    return name[0] + "*" * (len(name) - 1)


def shown(
    value: str | None, access: Access, mask: Callable[[str | None], str | None]
) -> str | None:
    """``value`` as a viewer with ``access`` may see it: whole, masked or not at all."""
    if access is Access.FULL:
        return value
    if access is Access.MASKED:
        return mask(value)
    return None
