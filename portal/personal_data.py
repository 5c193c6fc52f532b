"""What the site itself holds about people: the admin's history, whose entries name the records
coordinators changed (an applicant's name, say). Registered with ``core.personal_data``."""

from __future__ import annotations

from django.contrib.admin.models import LogEntry
from django.db.models import Q

from core import personal_data


class AdminHistory(personal_data.PersonalData):
    def erase(self, email: str) -> personal_data.Erasure:
        """Entries naming the address are blanked (the entry that something changed stays)."""
        blanked = LogEntry.objects.filter(Q(object_repr__icontains=email) | Q(change_message__icontains=email)).update(
            object_repr="[erased]", change_message=""
        )
        return personal_data.Erasure(counts={"admin history entries blanked": blanked})


personal_data.register(AdminHistory())
