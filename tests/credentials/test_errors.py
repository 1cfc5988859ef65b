from __future__ import annotations

import inspect

from app.credentials import errors
from app.credentials.errors import ContextNotAllowed, CredentialError, UndefinedTerm

ERROR_CLASSES = [
    member
    for _, member in inspect.getmembers(errors, inspect.isclass)
    if issubclass(member, CredentialError) and not member.__name__.startswith("_")
]


def test_every_error_kind_has_its_own_code():
    codes = [error_class.code for error_class in ERROR_CLASSES]
    assert len(codes) == len(set(codes))


def test_every_error_kind_is_in_the_module_docstring():
    assert errors.__doc__ is not None
    for error_class in ERROR_CLASSES:
        if error_class is not CredentialError:
            assert error_class.__name__ in errors.__doc__
            assert error_class.code in errors.__doc__


def test_carries_code_message_and_path():
    error = UndefinedTerm("'colour' is not defined", "$.colour")
    assert (error.code, error.message, error.path) == (
        "undefined_term",
        "'colour' is not defined",
        "$.colour",
    )
    assert str(error) == "'colour' is not defined (at $.colour)"


def test_base_takes_any_code():
    error = CredentialError("custom_code", "something happened")
    assert (error.code, error.path, str(error)) == ("custom_code", None, "something happened")


def test_problems_lists_itself_first_then_related():
    first, second = UndefinedTerm("a", "$.a"), UndefinedTerm("b", "$.b")
    first.related = (second,)
    assert first.problems == (first, second)


def test_context_not_allowed_names_the_url():
    error = ContextNotAllowed("https://evil.example/ctx", "$['@context'][1]")
    assert error.url == "https://evil.example/ctx"
    assert "https://evil.example/ctx" in error.message
