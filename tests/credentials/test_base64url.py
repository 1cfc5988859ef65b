from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.credentials.base64url import decode_base64url, encode_base64url


@given(st.binary(max_size=200))
def test_round_trips_any_bytes(data):
    assert decode_base64url(encode_base64url(data)) == data


def test_writes_no_padding_and_the_url_alphabet():
    assert encode_base64url(b"\xfb\xff") == "-_8"


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("-_8=", id="padding"),
        pytest.param("+/8", id="standard-alphabet"),
        pytest.param("-_ 8", id="whitespace"),
        pytest.param("A", id="impossible-length"),
        pytest.param("-_9", id="unused-bits-set"),
    ],
)
def test_refuses_text_that_is_not_canonical_base64url(text):
    with pytest.raises(ValueError, match="base64url"):
        decode_base64url(text)


def test_refuses_what_is_not_text():
    with pytest.raises(ValueError, match="base64url"):
        decode_base64url(b"AAAA")  # type: ignore[arg-type]
