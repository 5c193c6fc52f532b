"""Every public form field that is stored has the ``max_length`` of its column (a longer value
would be a DataError on PostgreSQL, i.e. a 500)."""

import pytest
from django import forms

from network.forms import ContactRequestForm, JoinForm
from network.models import Partner
from outbox.models import OutgoingEmail


def _max_length(form_field: forms.Field) -> int | None:
    return getattr(form_field, "max_length", None)


@pytest.mark.parametrize("name, column", sorted(JoinForm.COLUMNS.items()))
def test_join_form_field_matches_its_column(name, column):
    form_field = JoinForm().fields[name]
    model_field = Partner._meta.get_field(column)
    if model_field.max_length is None:  # a TextField: the form's own limit is enough
        assert _max_length(form_field) is not None
    else:
        assert _max_length(form_field) == model_field.max_length


def test_every_join_form_text_field_has_a_column():
    form = JoinForm()
    text_fields = {
        name for name, field in form.fields.items()
        if isinstance(field, forms.CharField) and name != form.honeypot_name
    }
    assert text_fields == set(JoinForm.COLUMNS)


def test_contact_request_email_fits_the_reply_to_column():
    assert _max_length(ContactRequestForm().fields["email"]) == OutgoingEmail._meta.get_field("reply_to").max_length
