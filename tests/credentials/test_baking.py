"""Baking credentials into PNG and SVG badge images, and reading them back.

The PNG chunks are walked here with ``struct`` and the SVGs parsed with ElementTree, not with
the module's own readers, so a bug shared by baking and extraction cannot hide.
"""

from __future__ import annotations

import io
import json
import struct
import xml.etree.ElementTree as ET
import zlib
from typing import Any

import pytest
from PIL import Image

from app.catalog.badge_image import badge_svg
from app.credentials.baking import (
    MAX_CREDENTIAL_BYTES,
    bake_png,
    bake_svg,
    extract_baked,
    extract_from_png,
    extract_from_svg,
)
from app.credentials.errors import CredentialError

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
OB3 = "https://purl.imsglobal.org/ob/v3p0"
SVG_ROOT = "{http://www.w3.org/2000/svg}svg"
CREDENTIAL_TAG = f"{{{OB3}}}credential"

CREDENTIAL: dict[str, Any] = {
    "@context": ["https://www.w3.org/ns/credentials/v2"],
    "id": "urn:uuid:1b5d6c1e-6a4e-4e4b-9f1e-0c6f1a2b3c4d",
    "name": "Álgebra — «Ecuaciones» 数学 🎓",
    "credentialSubject": {"achievement": {"name": "Ends a CDATA ]]> here", "level": [1, 2.5]}},
}
OTHER_CREDENTIAL: dict[str, Any] = {"id": "urn:uuid:other", "name": "Second"}
JWS = "eyJhbGciOiJFUzI1NiJ9.eyJpc3MiOiJkaWQ6ZXhhbXBsZToxIn0.c2lnbmF0dXJlLWJ5dGVz"


def compact(credential: dict[str, Any]) -> str:
    return json.dumps(credential, separators=(",", ":"), ensure_ascii=False)


def make_png() -> bytes:
    image = Image.new("RGBA", (24, 16))
    image.putdata([(x * 10, y * 15, (x + y) % 256, 255) for y in range(16) for x in range(24)])
    output = io.BytesIO()
    image.save(output, "PNG")
    return output.getvalue()


def chunks(png: bytes) -> list[tuple[bytes, bytes]]:
    assert png[:8] == PNG_SIGNATURE
    found, offset = [], 8
    while offset < len(png):
        length, kind = struct.unpack(">I4s", png[offset : offset + 8])
        data = png[offset + 8 : offset + 8 + length]
        (crc,) = struct.unpack(">I", png[offset + 8 + length : offset + 12 + length])
        assert crc == zlib.crc32(kind + data)
        found.append((kind, data))
        offset += 12 + length
    return found


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def itxt(text: bytes, compressed: int = 0, keyword: bytes = b"openbadgecredential") -> bytes:
    return png_chunk(b"iTXt", keyword + b"\0" + bytes([compressed, 0]) + b"\0\0" + text)


def with_chunks_after_ihdr(png: bytes, *extra: bytes) -> bytes:
    ihdr_end = 8 + 12 + 13
    return png[:ihdr_end] + b"".join(extra) + png[ihdr_end:]


def credential_chunks(png: bytes) -> list[bytes]:
    return [data for kind, data in chunks(png) if kind == b"iTXt" and data.startswith(b"openbadge")]


def credential_elements(svg: str) -> list[ET.Element]:
    return list(ET.fromstring(svg.encode("utf-8")).iter(CREDENTIAL_TAG))


def pixels(png: bytes) -> bytes:
    with Image.open(io.BytesIO(png)) as image:
        image.load()
        return image.tobytes()


def error_code(call: Any, *args: Any) -> str:
    with pytest.raises(CredentialError) as raised:
        call(*args)
    return raised.value.code


def test_a_json_credential_round_trips_through_a_png():
    assert extract_from_png(bake_png(make_png(), CREDENTIAL)) == CREDENTIAL


def test_a_jws_round_trips_through_a_png():
    assert extract_from_png(bake_png(make_png(), JWS)) == JWS


def test_the_png_chunk_holds_the_compact_json_uncompressed():
    [data] = credential_chunks(bake_png(make_png(), CREDENTIAL))
    assert data == b"openbadgecredential\0\0\0\0\0" + compact(CREDENTIAL).encode("utf-8")


def test_the_png_chunk_holds_the_jws_as_is():
    [data] = credential_chunks(bake_png(make_png(), JWS))
    assert data.endswith(b"\0\0\0\0\0" + JWS.encode("ascii"))


def test_the_credential_chunk_comes_before_the_first_idat():
    kinds = [kind for kind, _ in chunks(bake_png(make_png(), CREDENTIAL))]
    assert kinds[0] == b"IHDR"
    assert kinds.index(b"iTXt") < kinds.index(b"IDAT")


def test_baking_a_png_keeps_its_pixels():
    png = make_png()
    assert pixels(bake_png(png, CREDENTIAL)) == pixels(png)


def test_baking_a_baked_png_leaves_one_chunk_with_the_new_credential():
    twice = bake_png(bake_png(make_png(), CREDENTIAL), OTHER_CREDENTIAL)
    assert len(credential_chunks(twice)) == 1
    assert extract_from_png(twice) == OTHER_CREDENTIAL


def test_baking_replaces_every_credential_chunk_of_a_crafted_png():
    crafted = with_chunks_after_ihdr(make_png(), itxt(b'{"a":1}'), itxt(b'{"b":2}'))
    assert len(credential_chunks(bake_png(crafted, JWS))) == 1


def test_the_first_of_two_credential_chunks_is_read():
    crafted = with_chunks_after_ihdr(make_png(), itxt(b'{"first":1}'), itxt(b'{"second":2}'))
    assert extract_from_png(crafted) == {"first": 1}


def test_other_itxt_chunks_are_ignored_and_kept():
    comment = png_chunk(b"iTXt", b"Comment\0\0\0\0\0hello")
    baked = bake_png(with_chunks_after_ihdr(make_png(), comment), JWS)
    assert (b"iTXt", comment[8:-4]) in chunks(baked)
    assert extract_from_png(baked) == JWS


def test_a_zlib_compressed_chunk_is_read():
    text = zlib.compress(compact(CREDENTIAL).encode("utf-8"))
    assert extract_from_png(with_chunks_after_ihdr(make_png(), itxt(text, 1))) == CREDENTIAL


def test_a_zip_bomb_is_refused():
    bomb = zlib.compress(b"{" + b" " * (MAX_CREDENTIAL_BYTES + 10) + b"}", 9)
    assert len(bomb) < 10_000
    crafted = with_chunks_after_ihdr(make_png(), itxt(bomb, 1))
    assert error_code(extract_from_png, crafted) == "image_unreadable"


def test_a_bad_crc_is_refused():
    baked = bytearray(bake_png(make_png(), CREDENTIAL))
    baked[baked.index(b"openbadgecredential") + 30] ^= 0x01
    assert error_code(extract_from_png, bytes(baked)) == "image_unreadable"


@pytest.mark.parametrize("keep", [8, 20, 60, -13, -1])
def test_a_truncated_png_is_refused(keep):
    baked = bake_png(make_png(), CREDENTIAL)
    assert error_code(extract_from_png, baked[:keep]) == "image_unreadable"


def test_a_chunk_longer_than_the_file_is_refused():
    png = make_png()
    lying = png[:8] + struct.pack(">I", 2**31 - 1) + png[12:]
    assert error_code(extract_from_png, lying) == "image_unreadable"


def test_a_png_over_the_size_cap_is_refused():
    baked = bake_png(make_png(), CREDENTIAL)
    assert error_code(extract_from_png, baked, len(baked) - 1) == "image_unreadable"


@pytest.mark.parametrize("data", [b"", b"GIF89a\x01\x00", b"hello, world", b"\x00" * 64])
def test_bytes_that_are_no_image_are_refused(data):
    assert error_code(extract_baked, data) == "image_unreadable"


def test_an_unbaked_png_is_reported():
    assert error_code(extract_from_png, make_png()) == "image_not_baked"


@pytest.mark.parametrize(
    "text", [b"not a credential", b"[1, 2]", b'{"a": 1', b'{"a": 1, "a": 2}', b"\xff\xfe"]
)
def test_malformed_baked_text_in_a_png_is_reported(text):
    crafted = with_chunks_after_ihdr(make_png(), itxt(text))
    assert error_code(extract_from_png, crafted) == "baked_credential_malformed"


def test_baking_text_that_is_no_jws_is_refused():
    assert error_code(bake_png, make_png(), "not a jws") == "baked_credential_malformed"


def test_baking_a_credential_json_cannot_carry_is_refused():
    assert error_code(bake_png, make_png(), {"when": {1, 2}}) == "not_json"


def test_a_json_credential_round_trips_through_an_svg():
    assert extract_from_svg(bake_svg(badge_svg("M101", "Linear"), CREDENTIAL)) == CREDENTIAL


def test_a_jws_round_trips_through_an_svg():
    assert extract_from_svg(bake_svg(badge_svg("M101", "Linear"), JWS)) == JWS


def test_the_baked_svg_is_well_formed_with_the_credential_first():
    root = ET.fromstring(bake_svg(badge_svg("M101", "Linear"), CREDENTIAL).encode("utf-8"))
    assert root.tag == SVG_ROOT
    assert root[0].tag == CREDENTIAL_TAG
    assert json.loads(root[0].text or "") == CREDENTIAL


def test_the_svg_declares_the_openbadges_prefix_on_the_root():
    baked = bake_svg(badge_svg("M101", "Linear"), CREDENTIAL)
    assert f'xmlns:openbadges="{OB3}"' in baked.split("\n")[1]
    assert "<openbadges:credential><![CDATA[" in baked


def test_a_jws_is_the_verify_attribute_of_an_empty_element():
    [element] = credential_elements(bake_svg(badge_svg("M101", "Linear"), JWS))
    assert element.get("verify") == JWS
    assert element.text is None
    assert len(element) == 0


def test_a_cdata_end_in_the_json_is_split():
    baked = bake_svg(badge_svg("M1", "T"), CREDENTIAL)
    assert "Ends a CDATA ]]]]><![CDATA[> here" in baked
    [element] = credential_elements(baked)
    assert element.text == compact(CREDENTIAL)


def test_baking_a_baked_svg_leaves_one_element_with_the_new_credential():
    svg = badge_svg("M101", "Linear")
    twice = bake_svg(bake_svg(svg, CREDENTIAL), OTHER_CREDENTIAL)
    assert len(credential_elements(twice)) == 1
    assert twice.count("xmlns:openbadges=") == 1
    assert extract_from_svg(twice) == OTHER_CREDENTIAL
    assert twice == bake_svg(svg, OTHER_CREDENTIAL)


def test_baking_replaces_credentials_with_any_prefix_anywhere():
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg"><g><ob:credential xmlns:ob="{OB3}" '
        f'verify="{JWS}"/></g><credential xmlns="{OB3}">{{"a":1}}</credential></svg>'
    )
    baked = bake_svg(svg, OTHER_CREDENTIAL)
    assert len(credential_elements(baked)) == 1
    assert extract_from_svg(baked) == OTHER_CREDENTIAL


def test_an_svg_with_a_prolog_and_an_empty_root_is_baked():
    svg = (
        '<?xml version="1.0"?>\n<!-- <svg> in a comment -->\n'
        '<svg xmlns="http://www.w3.org/2000/svg" data-x="a>b" />'
    )
    baked = bake_svg(svg, JWS)
    assert baked.startswith('<?xml version="1.0"?>\n<!-- <svg> in a comment -->\n<svg ')
    assert ET.fromstring(baked).get("data-x") == "a>b"
    assert extract_from_svg(baked) == JWS


def test_the_first_of_two_credential_elements_is_read():
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" xmlns:o="{OB3}">'
        '<o:credential>{"first":1}</o:credential><o:credential>{"second":2}</o:credential></svg>'
    )
    assert extract_from_svg(svg) == {"first": 1}


def test_a_utf16_svg_is_read():
    baked = bake_svg(
        '<?xml version="1.0" encoding="UTF-16"?><svg xmlns="http://www.w3.org/2000/svg"/>', JWS
    )
    assert extract_baked(baked.encode("utf-16")) == JWS


def test_extract_baked_tells_png_from_svg():
    assert extract_baked(bake_png(make_png(), JWS)) == JWS
    assert extract_baked(bake_svg(badge_svg("M1", "T"), CREDENTIAL).encode("utf-8")) == CREDENTIAL


BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE svg [
  <!ENTITY lol "lol">
  <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<svg xmlns="http://www.w3.org/2000/svg" xmlns:o="https://purl.imsglobal.org/ob/v3p0">
<o:credential>&lol3;</o:credential></svg>"""

EXTERNAL_ENTITY = """<?xml version="1.0"?>
<!DOCTYPE svg [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<svg xmlns="http://www.w3.org/2000/svg" xmlns:o="https://purl.imsglobal.org/ob/v3p0">
<o:credential>&secret;</o:credential></svg>"""

PLAIN_DOCTYPE = '<!DOCTYPE svg><svg xmlns="http://www.w3.org/2000/svg"/>'


@pytest.mark.parametrize("svg", [BILLION_LAUGHS, EXTERNAL_ENTITY, PLAIN_DOCTYPE])
def test_an_svg_with_a_dtd_is_refused(svg):
    assert error_code(extract_baked, svg.encode("utf-8")) == "image_unreadable"


@pytest.mark.parametrize(
    "svg",
    [
        '<svg xmlns="http://www.w3.org/2000/svg"><g></svg>',
        '<html xmlns="http://www.w3.org/1999/xhtml"/>',
        "<svg>&undefined;</svg>",
    ],
)
def test_a_broken_or_foreign_xml_document_is_refused(svg):
    assert error_code(extract_from_svg, svg) == "image_unreadable"


def test_an_svg_over_the_size_cap_is_refused():
    baked = bake_svg(badge_svg("M1", "T"), JWS).encode("utf-8")
    assert error_code(extract_from_svg, baked, len(baked) - 1) == "image_unreadable"


def test_an_unbaked_svg_is_reported():
    assert error_code(extract_from_svg, badge_svg("M1", "T")) == "image_not_baked"


@pytest.mark.parametrize(
    "element",
    [
        "<o:credential>not a credential</o:credential>",
        "<o:credential>[1]</o:credential>",
        '<o:credential verify="not a jws"/>',
    ],
)
def test_malformed_baked_text_in_an_svg_is_reported(element):
    svg = f'<svg xmlns="http://www.w3.org/2000/svg" xmlns:o="{OB3}">{element}</svg>'
    assert error_code(extract_from_svg, svg) == "baked_credential_malformed"


def test_characters_xml_forbids_survive_an_svg_round_trip():
    credential = {"odd": "\ufffe\uffff"}
    baked = bake_svg(badge_svg("M1", "T"), credential)
    assert ET.fromstring(baked.encode("utf-8")).tag == SVG_ROOT
    assert extract_from_svg(baked) == credential


def test_a_lone_surrogate_baked_into_an_svg_is_read_as_malformed():
    baked = bake_svg(badge_svg("M1", "T"), {"lone": "\ud800"})
    assert ET.fromstring(baked.encode("utf-8")).tag == SVG_ROOT
    assert error_code(extract_from_svg, baked) == "baked_credential_malformed"


def test_a_lone_surrogate_baked_into_a_png_is_read_as_malformed():
    baked = bake_png(make_png(), {"lone": "\udc00"})
    assert error_code(extract_from_png, baked) == "baked_credential_malformed"


@pytest.mark.parametrize("compressed", [2, 255])
def test_an_unknown_compression_flag_is_refused(compressed):
    crafted = with_chunks_after_ihdr(make_png(), itxt(b'{"a":1}', compressed))
    assert error_code(extract_from_png, crafted) == "image_unreadable"


@pytest.mark.parametrize("text", [b"not zlib at all", zlib.compress(b'{"a":1}')[:-3]])
def test_broken_compressed_text_is_refused(text):
    crafted = with_chunks_after_ihdr(make_png(), itxt(text, 1))
    assert error_code(extract_from_png, crafted) == "image_unreadable"
