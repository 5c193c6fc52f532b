from allauth.account.decorators import secure_admin_login
from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path
from django.views.i18n import set_language

from . import views

admin.site.site_header = "Citizen Science Network"
admin.site.site_title = "Citizen Science Network"
# The admin login goes through allauth (rate limits, and optional second factor).
admin.site.login = secure_admin_login(admin.site.login)

handler404 = "portal.views.page_not_found"
handler500 = "portal.views.server_error"

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("i18n/setlang/", set_language, name="set_language"),
    path("admin/", admin.site.urls),
]

urlpatterns += i18n_patterns(
    path("", include("portal.site_urls")),
    path("", include("network.urls")),
    path("", include("events.urls")),
    path("", include("webinars.urls")),
    path("", include("mailing.urls")),
    path("accounts/", include("allauth.urls")),
    prefix_default_language=False,
)

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
