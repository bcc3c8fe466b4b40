"""Follow-up supervision rules (跟踪督办)."""

from __future__ import annotations

from datetime import date

from xieshang.db.enums import FollowUpStatus


def is_overdue(status: FollowUpStatus, due_on: date, today: date) -> bool:
    """A task is overdue when it is not done and its due date has passed in the county's calendar."""
    return status is not FollowUpStatus.DONE and due_on < today
