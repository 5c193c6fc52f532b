"""Attendance: who came to a session and for how long, recorded after it from the meeting's
participants report (Zoom's "Participants" CSV, read by ``parse_participants_csv``, or the same
rows from the Zoom API) or marked by hand by a coordinator.

The rules, in one place:

- A participant row belongs to a registration by address (``core.email_address.normalise_email``
  on both sides: case and surrounding spaces do not matter). Only active registrations (confirmed
  or waiting) take part; rows for no one, or without an address, are returned as unmatched.
- One person often has several rows (a dropped connection, a second device). Their minutes are
  the length of the union of their join–leave intervals (two devices at once count once); rows
  without both times add their own duration. The total is rounded **up** to whole minutes, as
  Zoom's own report counts a started minute.
- A confirmed registrant without a row is marked as not attended; a waiting registrant without a
  row is left unrecorded (they had no seat).
- Each mark remembers where it came from (``Registration.attendance_source``: "report" or
  "hand"). A coordinator's hand mark (``set_attended``) is final: no report changes it — not to
  absent, not to other minutes — whether uploaded in the admin or fetched from Zoom (the webhook
  and the periodic sweep record every report again). Such registrations are counted as kept.
- Otherwise the report is the record: recording the same report again gives the same result, and
  a new report replaces what an earlier one said for the people it covers.
"""

from __future__ import annotations

import csv
import io
import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from core import audit
from core.email_address import normalise_email

from .models import Registration, Session

MAX_REPORT_BYTES = 5 * 1024 * 1024


@dataclass(frozen=True)
class ParticipantRow:
    """One join–leave row of a meeting's participants report (times aware, or ``None``)."""

    name: str
    email: str
    join_time: datetime | None
    leave_time: datetime | None
    duration_seconds: int


@dataclass
class AttendanceResult:
    """``matched``: registrations marked as attended; ``unmatched``: the rows that belong to no
    active registration of the session; ``absent``: confirmed registrants marked as not attended;
    ``kept``: registrations marked by hand, which the report left as they were."""

    matched: int
    unmatched: list[ParticipantRow] = field(default_factory=list)
    absent: int = 0
    kept: int = 0


class ReportError(ValueError):
    """The uploaded file is not a participants report we can read; ``message`` says why."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def attended_seconds(rows: list[ParticipantRow]) -> int:
    """One person's time in the meeting: the union of their timed rows plus the durations of
    rows without both times."""
    seconds = 0
    intervals = sorted(
        (row.join_time, row.leave_time)
        for row in rows
        if row.join_time is not None and row.leave_time is not None and row.leave_time > row.join_time
    )
    current_start: datetime | None = None
    current_end: datetime | None = None
    for start, end in intervals:
        if current_end is None or start > current_end:
            if current_start is not None and current_end is not None:
                seconds += int((current_end - current_start).total_seconds())
            current_start, current_end = start, end
        elif end > current_end:
            current_end = end
    if current_start is not None and current_end is not None:
        seconds += int((current_end - current_start).total_seconds())
    seconds += sum(
        max(row.duration_seconds, 0) for row in rows if row.join_time is None or row.leave_time is None
    )
    return seconds


def minutes_from_seconds(seconds: int) -> int:
    """Whole minutes, a started minute counting (Zoom's report rounds the same way)."""
    return math.ceil(max(seconds, 0) / 60)


@transaction.atomic
def record_participants(*, session: Session, rows: list[ParticipantRow], actor: Any = None) -> AttendanceResult:
    """Record the session's attendance from its participants report (see the module's rules),
    and leave an audit entry (``actor``: the coordinator, or ``None`` for the site itself)."""
    registrations = list(
        Registration.objects.select_for_update().filter(session=session).active().order_by("id")
    )
    by_email = {normalise_email(r.email): r for r in registrations}
    rows_by_person: dict[str, list[ParticipantRow]] = defaultdict(list)
    unmatched: list[ParticipantRow] = []
    for row in rows:
        key = normalise_email(row.email)
        if key and key in by_email:
            rows_by_person[key].append(row)
        else:
            unmatched.append(row)
    changed: list[Registration] = []
    matched = absent = kept = 0
    for key, registration in by_email.items():
        if registration.attendance_source == Registration.AttendanceSource.HAND:
            kept += 1  # a coordinator's mark is final
            continue
        if key in rows_by_person:
            attended, minutes = True, minutes_from_seconds(attended_seconds(rows_by_person[key]))
            matched += 1
        elif registration.status == Registration.Status.CONFIRMED:
            attended, minutes = False, None
            absent += 1
        else:
            continue
        mark = (attended, minutes, Registration.AttendanceSource.REPORT)
        if (registration.attended, registration.attended_minutes, registration.attendance_source) != mark:
            registration.attended, registration.attended_minutes, registration.attendance_source = mark
            changed.append(registration)
    # A bookkeeping write: no seat changes, so no save signals (the public pages' cache stays).
    Registration.objects.bulk_update(changed, ["attended", "attended_minutes", "attendance_source"])
    audit.record(
        actor=actor,
        action=audit.Action.ATTENDANCE_RECORDED,
        target=session,
        detail={"rows": len(rows), "attended": matched, "absent": absent, "unmatched_rows": len(unmatched),
                "kept_by_hand": kept},
    )
    return AttendanceResult(matched=matched, unmatched=unmatched, absent=absent, kept=kept)


@transaction.atomic
def set_attended(*, registration: Registration, attended: bool, actor: Any) -> Registration:
    """Mark one registration by hand as attended or not; no report changes it afterwards (see
    the module's rules). Not attended clears the minutes; attended keeps minutes a report
    recorded. The audit entry names the registration by number."""
    registration.attended = attended
    registration.attendance_source = Registration.AttendanceSource.HAND
    cleared: dict[str, Any] = {}
    if not attended:
        registration.attended_minutes = cleared["attended_minutes"] = None
    # The minutes are written only to clear them: a copy read before a report was recorded
    # would otherwise blank the report's minutes.
    Registration.objects.filter(pk=registration.pk).update(
        attended=attended, attendance_source=registration.attendance_source, **cleared
    )
    audit.record(
        actor=actor,
        action=audit.Action.ATTENDANCE_MARKED,
        target=registration,
        label=f"#{registration.pk} · {registration.session}"[:200],
        detail={"attended": attended},
    )
    return registration


# --- Reading Zoom's participants report ---------------------------------------------------

# Zoom's column names vary with the report (meeting or webinar) and the account's settings.
_NAME_COLUMNS = ("name (original name)", "user name (original name)", "name", "user name")
_EMAIL_COLUMNS = ("user email", "email", "e-mail", "attendee email")
_JOIN_COLUMNS = ("join time", "join time (utc)")
_LEAVE_COLUMNS = ("leave time", "leave time (utc)")
_DURATION_COLUMNS = ("duration (minutes)", "duration (minutes) ", "time in session (minutes)", "duration")
_DATE_FORMATS = ("%m/%d/%Y %I:%M:%S %p", "%m/%d/%Y %I:%M %p", "%m/%d/%Y %H:%M:%S", "%m/%d/%Y %H:%M",
                 "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M")


def _parse_time(value: str, tz) -> datetime | None:
    text = (value or "").strip()
    if not text:
        return None
    moment: datetime | None = None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        for fmt in _DATE_FORMATS:
            try:
                moment = datetime.strptime(text, fmt)
                break
            except ValueError:
                continue
    if moment is None:
        raise ReportError(gettext("“%(value)s” is not a date and time.") % {"value": text[:40]})
    if timezone.is_naive(moment):
        moment = moment.replace(tzinfo=tz)
    return moment


def _pick(columns: dict[str, str], names: tuple[str, ...]) -> str | None:
    for name in names:
        if name in columns:
            return columns[name]
    return None


def parse_participants_csv(data: bytes, *, tz) -> list[ParticipantRow]:
    """The participant rows of a Zoom participants report. Reads a byte-order mark, UTF-8 or
    Windows-1252 text, and skips the meeting summary block Zoom puts above the table (the table
    starts at the first line with an email column and a name or join time column). A webinar's
    attendee report also lists registrants who did not come ("Attended: No"): those rows are
    skipped. Naive times are read
    in ``tz`` (Zoom writes them in the account's zone; the session's zone is the best guess).
    Raises ``ReportError`` for a file that is not such a report."""
    if len(data) > MAX_REPORT_BYTES:
        raise ReportError(gettext("The file is larger than 5 MB; a participants report is much smaller."))
    if b"\x00" in data:
        raise ReportError(gettext("This is not a CSV file."))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    start = None
    for index, line in enumerate(lines):
        cells = {cell.strip().lower() for cell in next(csv.reader([line]), [])}
        if cells & set(_EMAIL_COLUMNS) and cells & (set(_NAME_COLUMNS) | set(_JOIN_COLUMNS)):
            start = index
            break
    if start is None:
        raise ReportError(gettext("No participants table found: the file needs a name and an email column."))
    reader = csv.DictReader(io.StringIO("\n".join(lines[start:])))
    columns = {(name or "").strip().lower(): name for name in reader.fieldnames or []}
    name_col, email_col = _pick(columns, _NAME_COLUMNS), _pick(columns, _EMAIL_COLUMNS)
    join_col, leave_col = _pick(columns, _JOIN_COLUMNS), _pick(columns, _LEAVE_COLUMNS)
    duration_col = _pick(columns, _DURATION_COLUMNS)
    attended_col = columns.get("attended")  # webinar attendee reports list absentees too ("No")
    rows: list[ParticipantRow] = []
    for record in reader:
        if not any((value or "").strip() for value in record.values() if isinstance(value, str)):
            continue  # a blank line between blocks
        if attended_col and (record.get(attended_col) or "").strip().lower() in ("no", "false", "0"):
            continue
        join = _parse_time(record.get(join_col, "") if join_col else "", tz)
        leave = _parse_time(record.get(leave_col, "") if leave_col else "", tz)
        seconds = 0
        if join is not None and leave is not None:
            seconds = max(int((leave - join).total_seconds()), 0)
        elif duration_col:
            raw = (record.get(duration_col) or "").strip()
            try:
                seconds = int(float(raw) * 60) if raw else 0
            except ValueError as error:
                raise ReportError(gettext("“%(value)s” is not a number of minutes.") % {"value": raw[:40]}) from error
        rows.append(
            ParticipantRow(
                name=(record.get(name_col) or "").strip()[:200] if name_col else "",
                email=(record.get(email_col) or "").strip()[:254] if email_col else "",
                join_time=join,
                leave_time=leave,
                duration_seconds=seconds,
            )
        )
    return rows
