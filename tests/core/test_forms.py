"""The shared public-form base: honeypot, NUL bytes, out-of-range keys, accessible errors."""

from __future__ import annotations

import pytest
from django import forms

from core.forms import KeyedModelChoiceField, KeyedModelMultipleChoiceField, PublicForm
from core.models import RateLimitCounter  # a 64-bit key, like every model of the portal

pytestmark = pytest.mark.django_db


class SampleForm(PublicForm):
    name = forms.CharField(max_length=50)
    item = KeyedModelChoiceField(queryset=RateLimitCounter.objects.all(), required=False)
    items = KeyedModelMultipleChoiceField(queryset=RateLimitCounter.objects.all(), required=False)


@pytest.mark.parametrize("key", ["9223372036854775808", "-9223372036854775809", "1" * 40])
def test_out_of_range_keys_are_invalid_choices_not_database_errors(key):
    form = SampleForm(data={"name": "Ana", "item": key, "items": [key]})
    assert not form.is_valid()
    assert "item" in form.errors and "items" in form.errors


def test_honeypot_filled_in_rejects_the_form():
    form = SampleForm(data={"name": "Ana", "website_url": "http://spam.example"})
    assert not form.is_valid()
    assert "website_url" in form.errors


def test_nul_bytes_are_rejected():
    form = SampleForm(data={"name": "An\x00a"})
    assert not form.is_valid()
    assert "name" in form.errors


def test_errors_are_summarised_and_tied_to_their_fields():
    form = SampleForm(data={"name": ""})
    assert not form.is_valid()
    html = str(form)
    assert "data-error-summary" in html
    assert 'href="#id_name"' in html
    assert 'id="id_name_error"' in html
    assert 'aria-describedby="id_name_error"' in html
    assert 'aria-invalid="true"' in html
