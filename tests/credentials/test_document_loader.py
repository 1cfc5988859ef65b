from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest

from app.credentials.document_loader import PinnedDocumentLoader, default_document_loader
from app.credentials.errors import ContextIntegrityError, ContextNotAllowed

PACKAGE_CONTEXTS = Path(__file__).resolve().parents[2] / "app" / "credentials" / "contexts"
OB_303 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"


URL_TABLE: dict[str, str] = json.loads((PACKAGE_CONTEXTS / "urls.json").read_text("utf-8"))


@pytest.fixture
def contexts_copy(tmp_path: Path) -> Path:
    copy = tmp_path / "contexts"
    shutil.copytree(PACKAGE_CONTEXTS, copy)
    return copy


def test_pins_are_the_sha256_of_the_shipped_files():
    pins = json.loads((PACKAGE_CONTEXTS / "pins.json").read_text("utf-8"))
    expected = {
        url: hashlib.sha256((PACKAGE_CONTEXTS / name).read_bytes()).hexdigest()
        for url, name in URL_TABLE.items()
    }
    assert pins == expected


def test_serves_every_pinned_url_as_its_file_parsed():
    loader = default_document_loader()
    for url, name in URL_TABLE.items():
        remote = loader(url)
        assert remote == {
            "contextUrl": None,
            "documentUrl": url,
            "document": json.loads((PACKAGE_CONTEXTS / name).read_bytes()),
        }


def test_lists_exactly_the_pinned_urls():
    assert default_document_loader().urls == set(URL_TABLE)


def test_refuses_an_unknown_url():
    with pytest.raises(ContextNotAllowed) as refused:
        default_document_loader()("https://www.w3.org/ns/credentials/examples/v2")
    assert refused.value.code == "context_not_allowed"
    assert refused.value.url == "https://www.w3.org/ns/credentials/examples/v2"


@pytest.mark.parametrize(
    "near_miss",
    [
        OB_303 + "#",
        OB_303 + "?v=1",
        OB_303.replace("https://", "http://"),
        OB_303.upper(),
        "https://www.w3.org/ns/credentials/v2/",
        " https://www.w3.org/ns/credentials/v2",
        "contexts/credentials-v2.jsonld",
        "urls.json",
        "pins.json",
    ],
)
def test_matches_urls_exactly(near_miss):
    with pytest.raises(ContextNotAllowed):
        default_document_loader()(near_miss)


def test_refuses_a_file_that_does_not_match_its_pin(contexts_copy):
    target = contexts_copy / "ob-v3p0-context-3.0.3.json"
    target.write_bytes(target.read_bytes().replace(b"achievement", b"achievemenT", 1))
    loader = PinnedDocumentLoader.from_directory(contexts_copy)
    with pytest.raises(ContextIntegrityError) as refused:
        loader(OB_303)
    assert refused.value.code == "context_integrity_failed"


def test_keeps_refusing_a_tampered_file(contexts_copy):
    target = contexts_copy / "multikey-v1.jsonld"
    target.write_bytes(target.read_bytes() + b" ")
    loader = PinnedDocumentLoader.from_directory(contexts_copy)
    for _ in range(2):
        with pytest.raises(ContextIntegrityError):
            loader("https://w3id.org/security/multikey/v1")


def test_checks_only_the_file_it_is_asked_for(contexts_copy):
    (contexts_copy / "multikey-v1.jsonld").write_bytes(b"{}")
    loader = PinnedDocumentLoader.from_directory(contexts_copy)
    assert loader(OB_303)["documentUrl"] == OB_303


def test_refuses_a_table_pointing_outside_its_directory(contexts_copy):
    table = json.loads((contexts_copy / "urls.json").read_text("utf-8"))
    table[OB_303] = "../ob-v3p0-context-3.0.3.json"
    (contexts_copy / "urls.json").write_text(json.dumps(table), "utf-8")
    with pytest.raises(ContextIntegrityError):
        PinnedDocumentLoader.from_directory(contexts_copy)


def test_refuses_a_table_entry_without_a_pin(contexts_copy):
    table = json.loads((contexts_copy / "urls.json").read_text("utf-8"))
    table["https://example.com/unpinned"] = "multikey-v1.jsonld"
    (contexts_copy / "urls.json").write_text(json.dumps(table), "utf-8")
    with pytest.raises(ContextIntegrityError):
        PinnedDocumentLoader.from_directory(contexts_copy)


def test_hands_out_private_copies():
    loader = default_document_loader()
    first = loader(OB_303)["document"]
    first["@context"]["name"] = "https://evil.example/name"
    assert loader(OB_303)["document"]["@context"]["name"] != "https://evil.example/name"


def test_default_loader_is_shared():
    assert default_document_loader() is default_document_loader()


def test_ignores_pyld_options():
    remote = default_document_loader()(OB_303, {"headers": {"Accept": "text/html"}})
    assert remote["documentUrl"] == OB_303
