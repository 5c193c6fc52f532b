"""What the site itself holds about people: the admin's history, whose entries name the records
coordinators changed (an applicant's name, say), and the coordinators' login accounts (Django's
users, allauth's email addresses and second factors). Registered with ``core.personal_data``."""

from __future__ import annotations

from typing import Any

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.contrib.admin.models import LogEntry
from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet

from core import personal_data


class AdminHistory(personal_data.PersonalData):
    def erase(self, email: str) -> personal_data.Erasure:
        """Entries naming the address are blanked (the entry that something changed stays)."""
        blanked = LogEntry.objects.filter(Q(object_repr__icontains=email) | Q(change_message__icontains=email)).update(
            object_repr="[erased]", change_message=""
        )
        return personal_data.Erasure(counts={"admin history entries blanked": blanked})


class LoginAccounts(personal_data.PersonalData):
    """Login accounts. The accounts *of* an address are those whose own address or user name it
    is, or that have confirmed it at ``/accounts/email/``. An address someone added to their
    account without confirming it is not proof of anything: that row (and only it) is the
    address's, the account around it is not.

    Erasure deletes an account of the address with its email addresses and second factors. An
    account that has admin history (``LogEntry`` rows by that user) is kept instead, deactivated
    and blanked, because deleting the user would delete that history with it (the foreign key
    cascades) and the network's record of who changed what would lose its entries: the row keeps
    only a placeholder name (``erased-<id>``), no address, no name, no usable password, no
    groups, permissions, email addresses or second factors.
    """

    def _accounts(self, email: str) -> QuerySet[Any]:
        confirmed = EmailAddress.objects.filter(email__iexact=email, verified=True).values("user_id")
        return (
            get_user_model()
            .objects.filter(Q(email__iexact=email) | Q(username__iexact=email) | Q(pk__in=confirmed))
            .order_by("pk")
        )

    def export(self, email: str) -> dict[str, list[dict[str, Any]]]:
        accounts = list(self._accounts(email).prefetch_related("groups"))
        ids = [user.pk for user in accounts]
        addresses = EmailAddress.objects.filter(Q(user_id__in=ids) | Q(email__iexact=email)).order_by("pk")
        factors = Authenticator.objects.filter(user_id__in=ids).order_by("pk")
        return {
            "login_accounts": [
                {**row, "groups": sorted(group.name for group in user.groups.all())}
                for user, row in zip(accounts, personal_data.rows(accounts, exclude=("password",)), strict=True)
            ],
            "login_email_addresses": personal_data.rows(addresses),
            # That a second factor exists, never its secret (``data``).
            "second_factors": personal_data.rows(factors, exclude=("data",)),
        }

    def erase(self, email: str) -> personal_data.Erasure:
        erasure = personal_data.Erasure()
        accounts = list(self._accounts(email))  # before the confirmed addresses that find them go
        addresses = EmailAddress.objects.filter(email__iexact=email).delete()[1].get(EmailAddress._meta.label, 0)
        deleted = deactivated = factors = 0
        for user in accounts:
            factors += Authenticator.objects.filter(user=user).delete()[0]
            addresses += EmailAddress.objects.filter(user=user).delete()[1].get(EmailAddress._meta.label, 0)
            if LogEntry.objects.filter(user=user).exists():
                user.username = f"erased-{user.pk}"
                user.email = user.first_name = user.last_name = ""
                user.is_active = user.is_staff = user.is_superuser = False
                user.set_unusable_password()
                user.save()
                user.groups.clear()
                user.user_permissions.clear()
                erasure.blanked.append(f"{user._meta.label}#{user.pk}")
                deactivated += 1
            else:
                user.delete()
                deleted += 1
        erasure.counts = {
            "login accounts deleted": deleted,
            "login accounts deactivated and blanked": deactivated,
            "login email addresses deleted": addresses,
            "second factors deleted": factors,
        }
        return erasure


personal_data.register(AdminHistory())
personal_data.register(LoginAccounts())
