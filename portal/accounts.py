"""Accounts: coordinators are created by network coordinators, so there is no public sign-up."""

from allauth.account.adapter import DefaultAccountAdapter
from django.http import HttpRequest


class CoordinatorAccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return False
