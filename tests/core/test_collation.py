"""Choices sorted in the reader's alphabet: č after c in Slovenian, with c in English."""

from __future__ import annotations

from core.collation import sorted_choices


def test_sorted_choices_label_each_value_with_itself_in_the_readers_alphabet():
    regions = ["Zasavska", "Čatež", "celje", "Dolenjska"]
    assert sorted_choices(regions, "sl") == [
        ("celje", "celje"), ("Čatež", "Čatež"), ("Dolenjska", "Dolenjska"), ("Zasavska", "Zasavska")
    ]
    assert [value for value, _label in sorted_choices(regions, "en")] == ["Čatež", "celje", "Dolenjska", "Zasavska"]
    assert sorted_choices([], "sl") == []
