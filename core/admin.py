from django.contrib import admin
from django.http import HttpRequest

from .models import SecurityPolicy


@admin.register(SecurityPolicy)
class SecurityPolicyAdmin(admin.ModelAdmin):
    """One row; network coordinators (who hold every permission of the site's apps) switch it."""

    list_display = ["__str__", "require_totp_for_staff", "updated_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return super().has_add_permission(request) and not SecurityPolicy.objects.exists()

    def has_delete_permission(self, request: HttpRequest, obj: SecurityPolicy | None = None) -> bool:
        return False
