"""Salesforce record ids: key prefixes, the case-checksum suffix and 15/18 conversion.

A 15-character id is case-sensitive: a 3-character key prefix naming the object, a
2-character instance code, one reserved character and a 9-character base-62 sequence.
The 18-character form appends three characters that encode which letters of the 15 are
upper case, so the id survives case-insensitive systems.
"""

import re

BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
CHECKSUM_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"

# Instance code written into every id the emulator issues ("Em" is not used by any real
# Salesforce pod we know of, which makes emulator ids easy to spot in logs).
INSTANCE_CODE = "Em"

_ID_PATTERN = re.compile(r"^[a-zA-Z0-9]{15}(?:[a-zA-Z0-5]{3})?$")


class MalformedIdError(ValueError):
    """A string that is not a 15- or 18-character Salesforce id."""


def checksum_suffix(id15: str) -> str:
    """Compute the 3-character suffix that turns a 15-character id into 18 characters."""
    suffix = []
    for chunk_start in range(0, 15, 5):
        bits = 0
        for position, char in enumerate(id15[chunk_start:chunk_start + 5]):
            if "A" <= char <= "Z":
                bits |= 1 << position
        suffix.append(CHECKSUM_ALPHABET[bits])
    return "".join(suffix)


def to_18(record_id: str) -> str:
    """Normalise a 15- or 18-character id to 18 characters.

    Raises MalformedIdError when the value is not an id.
    """
    if not isinstance(record_id, str) or not _ID_PATTERN.match(record_id):
        raise MalformedIdError(f"invalid id: {record_id!r}")

    id15 = record_id[:15]
    if len(record_id) == 15:
        return id15 + checksum_suffix(id15)

    # The suffix exists so an id survives systems that ignore case; Salesforce
    # rebuilds the case of the first 15 characters from it, and so does this.
    return restore_case(record_id)


def restore_case(id18: str) -> str:
    """Rebuild the case of an 18-character id from its checksum suffix."""
    letters = list(id18[:15].lower())
    for chunk, suffix_char in enumerate(id18[15:18].upper()):
        bits = CHECKSUM_ALPHABET.index(suffix_char)
        for position in range(5):
            if bits & (1 << position):
                index = chunk * 5 + position
                letters[index] = letters[index].upper()
    restored15 = "".join(letters)
    return restored15 + checksum_suffix(restored15)


def is_valid_id(value: object) -> bool:
    """Tell whether a value is a well-formed 15- or 18-character id."""
    try:
        to_18(value)  # type: ignore[arg-type]
    except MalformedIdError:
        return False
    return True


def encode_base62(number: int, width: int) -> str:
    """Encode a non-negative integer in base 62, left-padded with zeros to width."""
    digits = []
    while number:
        number, remainder = divmod(number, 62)
        digits.append(BASE62[remainder])
    encoded = "".join(reversed(digits)) or "0"
    if len(encoded) > width:
        raise OverflowError(f"sequence number {number} does not fit in {width} base-62 digits")
    return encoded.rjust(width, "0")


def make_id(key_prefix: str, sequence: int) -> str:
    """Build an 18-character id from an object's key prefix and a sequence number."""
    id15 = key_prefix + INSTANCE_CODE + "0" + encode_base62(sequence, 9)
    return id15 + checksum_suffix(id15)


def custom_key_prefix(index: int) -> str:
    """Return the key prefix of the index-th custom object of the org (a00, a01, ... a0z, a10...).

    Real orgs hand out custom object prefixes starting with "a" followed by two base-62
    characters, so the first custom object is often a00, the second a01, and so on.
    """
    return "a" + encode_base62(index, 2)
