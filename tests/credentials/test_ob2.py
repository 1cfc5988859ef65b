"""Open Badges 2.0 documents from plain values, and their PNG baking.

Every document is expanded with the pinned OB 2.0 context, which refuses any term it does not
define, so a property the context would silently drop fails here.
"""

from __future__ import annotations

import hashlib
import io
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from PIL import Image

from app.credentials import ob2
from app.credentials.baking import (
    OB2_PNG_KEYWORD,
    ImageNotBaked,
    bake_png,
    extract_from_png,
)
from app.credentials.document_loader import default_document_loader
from app.credentials.jsonld import expand_strict

OBI = "https://w3id.org/openbadges#"
SCHEMA = "http://schema.org/"
BASE = "https://badges.example.org"
ASSERTION_ID = f"{BASE}/ob2/assertions/tok123"
BADGE_ID = f"{BASE}/ob2/badges/5b1c?version=2"
ISSUER_ID = f"{BASE}/ob2/issuers/district"
ISSUED = datetime(2025, 3, 14, 15, 9, 26, 535, tzinfo=UTC)
EMAIL = "ana.lopez@students.example.org"
SALT = "0f3c2a"


def make_assertion(**changes: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "assertion_id": ASSERTION_ID,
        "badge_id": BADGE_ID,
        "email": EMAIL,
        "salt": SALT,
        "issued_on": ISSUED,
    }
    values.update(changes)
    return ob2.assertion(**values)


def make_badge_class(**changes: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "badge_id": BADGE_ID,
        "name": "Linear Equations",
        "description": "Solving one-variable equations.",
        "image": f"{BASE}/achievements/5b1c/image.svg",
        "issuer_id": ISSUER_ID,
        "criteria_narrative": "Show mastery of **each** expectation.",
    }
    values.update(changes)
    return ob2.badge_class(**values)


def make_issuer(**changes: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "issuer_id": ISSUER_ID,
        "name": "Example District",
        "url": "https://district.example.org",
        "email": "badges@district.example.org",
        "revocation_list": f"{ISSUER_ID}/revocations",
    }
    values.update(changes)
    return ob2.issuer_profile(**values)


def expanded_node(document: dict[str, Any]) -> dict[str, Any]:
    [node] = expand_strict(document, default_document_loader())
    return node


# -- Assertion --------------------------------------------------------------------------------


def test_the_recipient_is_the_salted_sha256_of_the_email() -> None:
    recipient = ob2.email_recipient(EMAIL, SALT)
    digest = hashlib.sha256((EMAIL + SALT).encode("utf-8")).hexdigest()
    assert recipient == {
        "type": "email",
        "hashed": True,
        "salt": SALT,
        "identity": f"sha256${digest}",
    }


@pytest.mark.parametrize(("email", "salt"), [("", SALT), (EMAIL, "")])
def test_a_hashed_recipient_needs_an_email_and_a_salt(email: str, salt: str) -> None:
    with pytest.raises(ValueError, match="email and a salt"):
        ob2.email_recipient(email, salt)


def test_a_minimal_assertion_has_every_required_property() -> None:
    assertion = make_assertion()
    assert assertion == {
        "@context": "https://w3id.org/openbadges/v2",
        "type": "Assertion",
        "id": ASSERTION_ID,
        "recipient": ob2.email_recipient(EMAIL, SALT),
        "badge": BADGE_ID,
        "issuedOn": "2025-03-14T15:09:26Z",
        "verification": {"type": "HostedBadge"},
    }


def test_the_assertion_expands_to_the_open_badges_vocabulary() -> None:
    node = expanded_node(make_assertion(expires=ISSUED + timedelta(days=365)))
    assert node["@id"] == ASSERTION_ID
    assert node["@type"] == [f"{OBI}Assertion"]
    assert node[f"{OBI}badge"] == [{"@id": BADGE_ID}]
    [verification] = node[f"{OBI}verify"]
    assert verification["@type"] == [f"{OBI}HostedBadge"]
    [recipient] = node[f"{OBI}recipient"]
    assert recipient["@type"] == [f"{SCHEMA}email"]
    assert recipient[f"{OBI}hashed"] == [
        {"@value": True, "@type": "http://www.w3.org/2001/XMLSchema#boolean"}
    ]
    assert node[f"{OBI}issueDate"][0]["@value"] == "2025-03-14T15:09:26Z"
    assert node["https://w3id.org/security#expiration"][0]["@value"] == "2026-03-14T15:09:26Z"


def test_dates_are_written_in_utc_with_a_zone() -> None:
    local = datetime(2025, 3, 14, 10, 0, tzinfo=timezone(timedelta(hours=-5)))
    assertion = make_assertion(issued_on=local, expires=local + timedelta(days=1))
    assert assertion["issuedOn"] == "2025-03-14T15:00:00Z"
    assert assertion["expires"] == "2025-03-15T15:00:00Z"


def test_a_date_without_a_zone_is_refused() -> None:
    with pytest.raises(ValueError, match="time zone"):
        make_assertion(issued_on=datetime(2025, 3, 14))


def test_optional_assertion_properties_appear_only_when_given() -> None:
    evidence = [{"type": "Evidence", "id": "https://portfolio.example.org/ana", "name": "Work"}]
    assertion = make_assertion(
        image=f"{ASSERTION_ID}/badge.png", evidence=evidence, narrative="Solved *all* of them."
    )
    assert assertion["image"] == f"{ASSERTION_ID}/badge.png"
    assert assertion["evidence"] == evidence
    assert assertion["narrative"] == "Solved *all* of them."
    assert "expires" not in assertion
    assert "revoked" not in assertion
    expanded_node(assertion)


def test_a_revoked_assertion_says_so_and_why() -> None:
    assertion = make_assertion(revoked=True, revocation_reason="Awarded in error.")
    assert assertion["revoked"] is True
    assert assertion["revocationReason"] == "Awarded in error."
    node = expanded_node(assertion)
    assert node[f"{OBI}revoked"][0]["@value"] is True
    assert node[f"{OBI}revocationReason"] == [{"@value": "Awarded in error."}]


def test_a_revoked_assertion_may_give_no_reason() -> None:
    assertion = make_assertion(revoked=True)
    assert assertion["revoked"] is True
    assert "revocationReason" not in assertion


def test_a_reason_without_a_revocation_is_refused() -> None:
    with pytest.raises(ValueError, match="revoked assertion"):
        make_assertion(revocation_reason="Awarded in error.")


# -- BadgeClass -----------------------------------------------------------------------------


def test_a_badge_class_links_its_issuer_and_embeds_its_criteria() -> None:
    badge = make_badge_class(
        criteria_url="https://district.example.org/badges/linear",
        alignment=[{"type": "AlignmentObject", "targetName": "A-CED", "targetUrl": "https://a"}],
        tags=["Algebra", "M101"],
        version=2,
    )
    assert badge["type"] == "BadgeClass"
    assert badge["issuer"] == ISSUER_ID
    assert badge["criteria"] == {
        "id": "https://district.example.org/badges/linear",
        "narrative": "Show mastery of **each** expectation.",
    }
    assert badge["tags"] == ["Algebra", "M101"]
    assert badge["version"] == 2
    node = expanded_node(badge)
    assert node[f"{OBI}issuer"] == [{"@id": ISSUER_ID}]
    assert node[f"{SCHEMA}image"] == [{"@id": f"{BASE}/achievements/5b1c/image.svg"}]
    [alignment] = node[f"{OBI}alignment"]
    assert alignment[f"{SCHEMA}targetName"] == [{"@value": "A-CED"}]
    assert {tag["@value"] for tag in node[f"{SCHEMA}keywords"]} == {"Algebra", "M101"}


def test_criteria_may_be_only_a_page() -> None:
    badge = make_badge_class(criteria_narrative=None, criteria_url="https://d.example.org/c")
    assert badge["criteria"] == {"id": "https://d.example.org/c"}


def test_a_badge_class_without_criteria_is_refused() -> None:
    with pytest.raises(ValueError, match="criteria"):
        make_badge_class(criteria_narrative=None)


def test_optional_badge_class_properties_are_left_out_when_empty() -> None:
    badge = make_badge_class()
    assert not {"alignment", "tags", "version"} & set(badge)


# -- issuer Profile and RevocationList -----------------------------------------------------------


def test_an_issuer_profile_has_the_properties_an_issuer_needs() -> None:
    profile = make_issuer(description="Our district.", image="https://district.example.org/l.png")
    assert profile == {
        "@context": "https://w3id.org/openbadges/v2",
        "type": "Issuer",
        "id": ISSUER_ID,
        "name": "Example District",
        "url": "https://district.example.org",
        "email": "badges@district.example.org",
        "description": "Our district.",
        "image": "https://district.example.org/l.png",
        "revocationList": f"{ISSUER_ID}/revocations",
    }
    node = expanded_node(profile)
    assert node["@type"] == [f"{OBI}Issuer"]
    assert node[f"{OBI}revocationList"] == [{"@id": f"{ISSUER_ID}/revocations"}]


@pytest.mark.parametrize("missing", ["name", "url", "email"])
def test_an_issuer_profile_without_a_required_property_is_refused(missing: str) -> None:
    with pytest.raises(ValueError, match="issuer Profile needs"):
        make_issuer(**{missing: ""})


def test_a_revocation_list_names_each_assertion_with_its_reason() -> None:
    listing = ob2.revocation_list(
        list_id=f"{ISSUER_ID}/revocations",
        issuer_id=ISSUER_ID,
        revoked=[(f"{BASE}/ob2/assertions/a", "Revoked."), (f"{BASE}/ob2/assertions/b", None)],
    )
    assert listing["type"] == "RevocationList"
    assert listing["issuer"] == ISSUER_ID
    assert listing["revokedAssertions"] == [
        {"id": f"{BASE}/ob2/assertions/a", "revocationReason": "Revoked."},
        {"id": f"{BASE}/ob2/assertions/b"},
    ]
    node = expanded_node(listing)
    assert len(node[f"{OBI}revoked"]) == 2


def test_an_empty_revocation_list_still_lists_nothing_explicitly() -> None:
    listing = ob2.revocation_list(list_id="https://x/r", issuer_id="https://x/i", revoked=[])
    assert listing["revokedAssertions"] == []


# -- from OB 3.0 ---------------------------------------------------------------------------------


def test_ob3_evidence_keeps_the_properties_ob2_defines() -> None:
    evidence = ob2.evidence_from_ob3(
        [
            {
                "id": "https://portfolio.example.org/ana",
                "type": ["Evidence"],
                "name": "Ratios project",
                "genre": "Project",
                "audience": "Teachers",
                "description": "A project.",
                "narrative": "How it went.",
            },
            {"type": ["Evidence"]},
        ]
    )
    assert evidence == [
        {
            "type": "Evidence",
            "id": "https://portfolio.example.org/ana",
            "name": "Ratios project",
            "description": "A project.",
            "narrative": "How it went.",
            "genre": "Project",
            "audience": "Teachers",
        }
    ]
    expanded_node(make_assertion(evidence=evidence))


def test_ob3_alignments_keep_the_ob2_terms_and_need_a_name_and_url() -> None:
    alignment = ob2.alignment_from_ob3(
        [
            {
                "type": ["Alignment"],
                "targetName": "Creating Equations",
                "targetUrl": "https://www.thecorestandards.org/Math/Content/HSA/CED/",
                "targetCode": "A-CED",
                "targetFramework": "Common Core",
                "targetDescription": "High-school algebra.",
                "targetType": "CCSS",
            },
            {"type": ["Alignment"], "targetName": "No URL"},
        ]
    )
    assert alignment == [
        {
            "type": "AlignmentObject",
            "targetName": "Creating Equations",
            "targetUrl": "https://www.thecorestandards.org/Math/Content/HSA/CED/",
            "targetDescription": "High-school algebra.",
            "targetFramework": "Common Core",
            "targetCode": "A-CED",
        }
    ]
    node = expanded_node(make_badge_class(alignment=alignment))
    [aligned] = node[f"{OBI}alignment"]
    assert aligned[f"{OBI}targetCode"] == [{"@value": "A-CED"}]
    assert aligned[f"{SCHEMA}educationalFramework"] == [{"@value": "Common Core"}]


# -- baking --------------------------------------------------------------------------------------


def make_png() -> bytes:
    output = io.BytesIO()
    Image.new("RGB", (8, 8), (10, 20, 30)).save(output, "PNG")
    return output.getvalue()


def itxt_chunks(png: bytes) -> list[bytes]:
    """The data of every iTXt chunk, walked by hand."""
    found, offset = [], 8
    while offset < len(png):
        length = int.from_bytes(png[offset : offset + 4], "big")
        if png[offset + 4 : offset + 8] == b"iTXt":
            found.append(png[offset + 8 : offset + 8 + length])
        offset += 12 + length
    return found


def test_an_assertion_bakes_into_an_uncompressed_openbadges_itxt_chunk() -> None:
    assertion = make_assertion()
    baked = bake_png(make_png(), assertion, keyword=OB2_PNG_KEYWORD)
    [data] = itxt_chunks(baked)
    keyword, rest = data.split(b"\0", 1)
    assert keyword == b"openbadges"
    assert rest[:2] == b"\0\0"
    assert extract_from_png(baked, keyword=OB2_PNG_KEYWORD) == assertion
    Image.open(io.BytesIO(baked)).verify()


def test_ob2_and_ob3_chunks_are_told_apart() -> None:
    both = bake_png(
        bake_png(make_png(), {"id": "urn:ob3"}), make_assertion(), keyword=b"openbadges"
    )
    assert extract_from_png(both) == {"id": "urn:ob3"}
    assert extract_from_png(both, keyword=OB2_PNG_KEYWORD) == make_assertion()
    with pytest.raises(ImageNotBaked, match="openbadges iTXt"):
        extract_from_png(make_png(), keyword=OB2_PNG_KEYWORD)


def test_baking_again_replaces_the_assertion() -> None:
    once = bake_png(make_png(), make_assertion(), keyword=OB2_PNG_KEYWORD)
    twice = bake_png(once, make_assertion(revoked=True), keyword=OB2_PNG_KEYWORD)
    assert len(itxt_chunks(twice)) == 1
    assert extract_from_png(twice, keyword=OB2_PNG_KEYWORD)["revoked"] is True


def test_the_recipient_hash_is_of_the_trimmed_lower_cased_email():
    assert ob2.email_recipient("  Ana.Lopez@Students.Example.org ", "salt") == ob2.email_recipient(
        "ana.lopez@students.example.org", "salt"
    )
