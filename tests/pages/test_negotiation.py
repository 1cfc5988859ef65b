"""Choosing a credential's representation from the Accept header (app.pages.negotiation)."""

from __future__ import annotations

import pytest

from app.pages.negotiation import HTML, JSON, JSON_LD, JWT, VC_JSON_LD, VC_JWT, negotiate

CHROME = (
    "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,"
    "image/apng,*/*;q=0.8,application/signed-exchange;v=b3;q=0.7"
)
FIREFOX = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
SAFARI = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


@pytest.mark.parametrize("accept", [CHROME, FIREFOX, SAFARI], ids=["chrome", "firefox", "safari"])
def test_a_browser_gets_the_html_page(accept: str) -> None:
    assert negotiate(accept) == HTML


@pytest.mark.parametrize("accept", [None, "", "   ", "*/*"])
def test_no_preference_gets_the_json_ld_credential(accept: str | None) -> None:
    assert negotiate(accept) == JSON_LD


@pytest.mark.parametrize(
    "media", [JSON_LD, VC_JSON_LD, JSON, VC_JWT, JWT, HTML], ids=lambda media: media
)
def test_each_offered_type_is_given_when_asked_for(media: str) -> None:
    assert negotiate(media) == media


def test_media_types_are_case_insensitive() -> None:
    assert negotiate("Application/VC+JWT") == VC_JWT


def test_the_higher_quality_wins_whatever_the_order() -> None:
    assert negotiate("text/html;q=0.5, application/vc+jwt;q=0.9") == VC_JWT


def test_at_equal_quality_the_clients_order_decides() -> None:
    assert negotiate("application/vc+jwt, text/html") == VC_JWT
    assert negotiate("text/html, application/vc+jwt") == HTML


def test_an_explicit_type_beats_a_wildcard_of_equal_quality() -> None:
    assert negotiate("*/*, application/vc+jwt") == VC_JWT


def test_an_explicit_type_beats_a_subtype_wildcard_of_equal_quality() -> None:
    assert negotiate("application/*, text/html") == HTML


def test_a_subtype_wildcard_gets_the_first_offered_type_of_that_kind() -> None:
    assert negotiate("application/*") == JSON_LD
    assert negotiate("text/*") == HTML


def test_a_wildcard_of_higher_quality_beats_an_explicit_type() -> None:
    assert negotiate("text/html;q=0.2, */*") == JSON_LD


def test_quality_zero_refuses_a_type() -> None:
    assert negotiate("text/html;q=0") is None


def test_quality_zero_refuses_a_type_even_with_a_wildcard_elsewhere() -> None:
    assert negotiate("application/ld+json;q=0, application/vc+jwt;q=0.1") == VC_JWT


def test_quality_zero_refuses_a_type_that_a_wildcard_would_allow() -> None:
    assert negotiate("application/ld+json;q=0, */*") == VC_JSON_LD


def test_quality_zero_refuses_a_type_that_a_subtype_wildcard_would_allow() -> None:
    assert negotiate("application/*, application/ld+json;q=0") == VC_JSON_LD


def test_the_most_specific_range_sets_a_types_quality() -> None:
    assert negotiate("*/*;q=0.9, application/*;q=0.2, text/html;q=0.5") == HTML


def test_a_refused_wildcard_refuses_everything_not_named() -> None:
    assert negotiate("*/*;q=0") is None
    assert negotiate("*/*;q=0, application/jwt;q=0.1") == JWT


def test_an_unreadable_quality_counts_as_zero() -> None:
    assert negotiate("text/html;q=high") is None


def test_quality_above_one_is_capped() -> None:
    assert negotiate("text/html;q=5, application/vc+jwt") == HTML


def test_only_unknown_types_give_none() -> None:
    assert negotiate("image/png, text/plain;q=0.5") is None


def test_unknown_types_are_ignored_beside_known_ones() -> None:
    assert negotiate("image/png, application/vc+ld+json;q=0.3") == VC_JSON_LD


def test_media_type_parameters_other_than_q_are_ignored() -> None:
    assert negotiate("text/html; charset=utf-8; q=0.9, application/jwt; q=0.8") == HTML


def test_empty_list_members_are_skipped() -> None:
    assert negotiate(", ,application/vc+jwt,") == VC_JWT


def test_a_narrower_offer_is_respected() -> None:
    assert negotiate("*/*", offered=(HTML,)) == HTML
    assert negotiate("application/json", offered=(HTML,)) is None
