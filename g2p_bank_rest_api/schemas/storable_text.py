"""Text PostgreSQL cannot store is bad input: NUL characters and lone surrogates.

JSON can carry both (``\\u0000``, ``\\ud800``) and the registry's schemas accept any string, so
without this check such a request fails in the database with a 500. Found anywhere in a
registrant, it answers 422 at the offending field, with the input left out (it may be
personal data or an account number).
"""

from pydantic import ValidationError
from pydantic_core import InitErrorDetails, PydanticCustomError

UNSTORABLE_TEXT = "Text must be valid Unicode without NUL characters"


def storable(text):
    if "\x00" in text:
        return False
    if text.isascii():
        return True
    try:
        text.encode("utf-8")  # lone surrogates, which JSON's \ud800 escapes can carry
    except UnicodeEncodeError:
        return False
    return True


def unstorable_text_location(value, loc=()):
    """Where in a JSON value the first string (or key) PostgreSQL cannot store is, or None.

    Walked without recursion: a deeply nested body must not exhaust the stack."""
    pending = [(value, list(loc))]
    while pending:
        value, loc = pending.pop()
        if isinstance(value, str):
            if not storable(value):
                return loc
            continue
        if isinstance(value, dict):
            pairs = value.items()
        elif isinstance(value, list):
            pairs = enumerate(value)
        else:
            continue
        children = []
        for key, child in pairs:
            if isinstance(key, str) and not storable(key):
                return loc
            children.append((child, [*loc, key]))
        pending.extend(reversed(children))
    return None


def only_storable_text(value):
    """A before-validator of request models: ``value`` unchanged, or a located 422."""
    loc = unstorable_text_location(value)
    if loc is not None:
        error = InitErrorDetails(
            type=PydanticCustomError("string_unicode", UNSTORABLE_TEXT), loc=tuple(loc), input=None
        )
        raise ValidationError.from_exception_data("text", [error])
    return value
