"""The admin's "view on site" redirect (``/admin/r/<content type>/<id>/``), for public objects only.

Django's own ``contenttypes.views.shortcut`` redirects any staff user to the public URL of any
object, drafts and pending applications included (so a partner coordinator learns their slugs),
and builds the target from the Sites framework's domain. This one, mounted at the same path in
``portal/urls.py`` ahead of ``admin.site.urls`` (so the admin's own ``view_on_site`` links and
their URL name keep working), redirects

- network coordinators (and superusers) for every object with a public URL, to preview it;
- everyone else only for an object the public can see, as its model's own ``published()``
  queryset method says (a published partner, a published or cancelled event, a published news
  item): the rule stays in one place per model. A model without ``published()`` is not
  assumed public: only network coordinators are redirected for it.

Anything else is a 404, whether the object exists or not. The target is built from ``SITE_URL``.
"""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponseRedirect

from core.accounts import is_network_coordinator
from core.sites import absolute_url


def view_on_site(request: HttpRequest, content_type_id: str, object_id: str) -> HttpResponseRedirect:
    """Wrapped in ``admin.site.admin_view`` in ``portal/urls.py``: staff only."""
    try:
        model = ContentType.objects.get_for_id(int(content_type_id)).model_class()
    except (ValueError, ContentType.DoesNotExist):
        raise Http404 from None
    if model is None or not hasattr(model, "get_absolute_url"):
        raise Http404
    visible = model._default_manager.all()
    if not is_network_coordinator(request.user):
        published = getattr(visible, "published", None)
        if published is None:
            raise Http404
        visible = published()
    try:
        obj = visible.get(pk=object_id)
    except (model.DoesNotExist, ValueError, ValidationError):
        raise Http404 from None
    url = obj.get_absolute_url()
    if not url:
        raise Http404
    return HttpResponseRedirect(absolute_url(url))
