"""The project form of the admin: a new image is checked and re-encoded like a partner's logo."""

from __future__ import annotations

from django import forms

from core.forms import formfield_assuming_https
from core.uploads import reencode_image

from .models import Project


class ProjectAdminForm(forms.ModelForm):
    class Meta:
        model = Project
        fields = "__all__"  # noqa: DJ007 — the admin chooses the fields through its fieldsets
        formfield_callback = formfield_assuming_https

    def clean_image(self):
        image = self.cleaned_data.get("image")
        if image and hasattr(image, "content_type"):  # a new upload
            return reencode_image(image)
        return image
