"""Record ids: the case-checksum suffix, 15/18 conversion and generated ids."""

import pytest

from salesforce_emulator import ids


@pytest.mark.parametrize(("id15", "id18"), [
    ("0015000000VALDt", "0015000000VALDtAAP"),
    ("001000000000001", "001000000000001AAA"),
    ("a0A5g00000XyZaB", "a0A5g00000XyZaBEAV"),
    ("005000000000000", "005000000000000AAA"),
    ("ABCDEABCDEABCDE", "ABCDEABCDEABCDE555"),
])
def test_checksum_of_known_ids(id15, id18):
    assert ids.to_18(id15) == id18


def test_18_character_id_keeps_its_value():
    assert ids.to_18("0015000000VALDtAAP") == "0015000000VALDtAAP"


def test_case_lost_id_is_restored_from_suffix():
    assert ids.to_18("0015000000VALDTAAP".lower()) == "0015000000VALDtAAP"


@pytest.mark.parametrize("value", ["", "abc", "0015000000VALD", "0015000000VALDtAA", "001500000@VALDt", None, 15])
def test_malformed_ids_are_rejected(value):
    with pytest.raises(ids.MalformedIdError):
        ids.to_18(value)


def test_generated_id_has_prefix_and_valid_checksum():
    record_id = ids.make_id("001", 123456)

    assert len(record_id) == 18
    assert record_id.startswith("001")
    assert ids.to_18(record_id[:15]) == record_id


def test_generated_ids_are_distinct_and_ordered():
    generated = [ids.make_id("a00", number) for number in range(1, 200)]

    assert len(set(generated)) == len(generated)
    assert [value[:15] for value in generated] == sorted(value[:15] for value in generated)


def test_custom_key_prefixes_follow_base62():
    assert ids.custom_key_prefix(0) == "a00"
    assert ids.custom_key_prefix(1) == "a01"
    assert ids.custom_key_prefix(10) == "a0A"
    assert ids.custom_key_prefix(62) == "a10"
