"""The verify page at /verify: the form, ?url= for a hosted credential, and the form's answers
for pasted text and uploaded baked badges."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

from fastapi.testclient import TestClient

from app.pages.view import credential_view
from tests.pages.conftest import Page, path_of, tampered

PROOF_FAILURE = "the signature does not match the document and proof options"


def post_form(client: TestClient, **fields: Any) -> Any:
    """The form as a browser sends it: multipart/form-data."""
    files = {
        name: value if isinstance(value, tuple) else (None, value) for name, value in fields.items()
    }
    return client.post("/verify", files=files)


def test_the_form_has_a_labelled_url_input(client) -> None:
    html = client.get("/verify").text
    assert '<label for="url">Credential URL</label>' in html
    assert '<input id="url" name="url" type="url"' in html


def test_the_form_has_a_labelled_textarea_for_pasting(client) -> None:
    html = client.get("/verify").text
    assert '<label for="credential">JSON or VC-JWT</label>' in html
    assert '<textarea id="credential" name="credential"' in html


def test_the_form_has_a_labelled_file_input(client) -> None:
    html = client.get("/verify").text
    assert '<label for="file">Baked PNG or SVG, or a credential file</label>' in html
    assert '<input id="file" name="file" type="file"' in html


def test_the_form_posts_multipart_to_verify(client) -> None:
    html = client.get("/verify").text
    assert '<form class="verify" method="post" action="/verify" enctype="multipart/form-data">' in (
        html
    )


def test_the_empty_page_shows_no_verdict(client) -> None:
    response = client.get("/verify")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "content-security-policy" in response.headers
    assert Page(response.text).verdicts == []


def test_a_url_of_ours_is_verified_at_once(client, awarded) -> None:
    response = client.get("/verify?" + urlencode({"url": awarded["publicUrl"]}))
    assert response.status_code == 200
    page = Page(response.text)
    assert page.verdicts == ["valid"]
    assert ("h2", "Linear Equations: Concepts and Skills") in page.headings
    assert 'data-verdict="valid">Valid<' in response.text


def test_the_url_stays_in_the_form(client, awarded) -> None:
    response = client.get("/verify?" + urlencode({"url": awarded["publicUrl"]}))
    assert f'value="{awarded["publicUrl"]}"' in response.text


def test_an_unknown_url_of_ours_shows_the_error(client) -> None:
    url = "http://127.0.0.1:8000/credentials/NoSuchCredentialTokenHere0123456"
    response = client.get("/verify?" + urlencode({"url": url}))
    assert response.status_code == 404
    assert "Nothing could be verified" in response.text
    assert Page(response.text).verdicts == []


def test_a_pasted_credential_is_verified(client, awarded) -> None:
    response = post_form(client, credential=json.dumps(awarded["credential"]))
    assert response.status_code == 200
    assert Page(response.text).verdicts == ["valid"]


def test_a_pasted_tampered_credential_is_not_valid(client, awarded) -> None:
    response = post_form(client, credential=json.dumps(tampered(awarded["credential"])))
    assert response.status_code == 200
    assert Page(response.text).verdicts == ["invalid"]
    assert 'data-verdict="invalid">Not valid<' in response.text


def test_a_tampered_credential_gets_the_proof_failure_sentence(client, awarded) -> None:
    html = post_form(client, credential=json.dumps(tampered(awarded["credential"]))).text
    assert f"{PROOF_FAILURE} <code>signature_invalid</code>" in html


def test_a_pasted_vc_jwt_is_verified(client, awarded) -> None:
    jwt = client.get(path_of(f"{awarded['publicUrl']}/credential.jwt")).text
    response = post_form(client, credential=jwt)
    assert Page(response.text).verdicts == ["valid"]


def test_garbage_shows_the_error_section_with_422(client) -> None:
    response = post_form(client, credential="this is not a credential")
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("text/html")
    assert '<section class="status status-invalid" role="alert"' in response.text
    assert "Nothing could be verified" in response.text
    assert Page(response.text).verdicts == []


def test_an_empty_form_shows_the_error_section_with_422(client) -> None:
    response = post_form(client, url="", credential="")
    assert response.status_code == 422
    assert "send a file, a pasted credential or a URL" in response.text


def test_an_uploaded_baked_png_is_verified(client, awarded) -> None:
    png = client.get(path_of(f"{awarded['publicUrl']}/badge.png")).content
    response = post_form(client, file=("badge.png", png, "image/png"))
    assert response.status_code == 200
    assert Page(response.text).verdicts == ["valid"]


def test_an_uploaded_baked_svg_is_verified(client, awarded) -> None:
    svg = client.get(path_of(f"{awarded['publicUrl']}/badge.svg")).content
    response = post_form(client, file=("badge.svg", svg, "image/svg+xml"))
    assert Page(response.text).verdicts == ["valid"]


def test_an_uploaded_image_without_a_credential_shows_the_error(client) -> None:
    plain_png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
    response = post_form(client, file=("plain.png", plain_png, "image/png"))
    assert response.status_code == 422
    assert "Nothing could be verified" in response.text


def test_a_revoked_credential_is_shown_revoked(client, awarded, revoke) -> None:
    revoke(awarded["id"])
    response = post_form(client, credential=json.dumps(awarded["credential"]))
    assert Page(response.text).verdicts == ["revoked"]


def test_the_result_never_shows_the_email_or_student_id(client, awarded) -> None:
    html = post_form(client, credential=json.dumps(awarded["credential"])).text.lower()
    assert "ana.lopez@" not in html
    assert "s-1001" not in html


def test_script_urls_in_a_pasted_credential_never_become_links_or_images(client, awarded) -> None:
    """Only http(s) URLs (and data: images) become links and image sources; the rest is text
    or left out, whatever their case or the whitespace around the scheme."""
    hostile = json.loads(json.dumps(awarded["credential"]))
    hostile["id"] = "javascript:alert('id')"
    hostile["evidence"][0]["id"] = "javascript:alert('evidence')"
    subject = hostile["credentialSubject"]
    subject["achievement"]["image"] = {"id": "JavaScript:alert('image')", "type": "Image"}
    subject["achievement"]["id"] = "\tjavascript:alert('achievement')"
    hostile["issuer"]["url"] = " javascript:alert('issuer')"
    html = post_form(client, credential=json.dumps(hostile)).text
    page = Page(html)
    assert page.verdicts == ["invalid"]
    targets = [href for href, _text in page.links] + [str(img.get("src")) for img in page.images]
    assert targets
    assert not [target for target in targets if "javascript" in target.lower()]
    assert "XQ Institute" in html
    view = credential_view(hostile)
    assert (view.evidence[0].name, view.evidence[0].url) == ("Ratios project", None)
    assert (view.url, view.image_url, view.achievement_url, view.issuer_url) == (None,) * 4


def test_a_data_image_and_https_links_survive(client, awarded) -> None:
    credential = json.loads(json.dumps(awarded["credential"]))
    pixel = "data:image/png;base64,iVBORw0KGgo="
    credential["credentialSubject"]["achievement"]["image"] = {"id": pixel, "type": "Image"}
    page = Page(post_form(client, credential=json.dumps(credential)).text)
    assert [img.get("src") for img in page.images] == [pixel]
    assert credential_view(credential).evidence[0].url == "https://portfolio.example.org/ana/ratios"
