from allauth.account.decorators import secure_admin_login
from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from core import health, media

from . import admin_shortcut

admin.site.site_header = _("Citizen Science Network")
admin.site.site_title = _("Citizen Science Network")
# The admin login goes through allauth (rate limits, and optional second factor).
admin.site.login = secure_admin_login(admin.site.login)

handler404 = "portal.views.page_not_found"
handler500 = "portal.views.server_error"

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    # "View on site" only for public objects (or network coordinators), to SITE_URL; ahead of the
    # admin's own view at this path, which would redirect any staff user to drafts.
    path(
        "admin/r/<int:content_type_id>/<path:object_id>/",
        admin.site.admin_view(admin_shortcut.view_on_site),
        name="admin_view_on_site",
    ),
    path("admin/", admin.site.urls),
]

urlpatterns += i18n_patterns(
    path("", include("portal.site_urls")),
    path("", include("network.urls")),
    path("", include("events.urls")),
    path("", include("projects.urls")),
    path("", include("infrastructure.urls")),
    path("", include("webinars.urls")),
    path("", include("mailing.urls")),
    path("accounts/", include("allauth.urls")),
    prefix_default_language=False,
)

# Uploaded logos, only as images and with safe headers (see core.media).
urlpatterns += [path(f"{settings.MEDIA_URL.strip('/')}/<path:path>", media.serve_media, name="media")]
