"""Open Badges 3.0 baking: a credential carried inside its PNG or SVG badge image.

A PNG carries it in one ``iTXt`` chunk with the keyword ``openbadgecredential``, placed before
the image data; an SVG in one ``<openbadges:credential>`` element, the first child of the root,
in the namespace ``https://purl.imsglobal.org/ob/v3p0``. The text is the credential as JSON, or a
VC-JWT compact JWS (in the SVG, as the ``verify`` attribute of an empty element). An image must
not carry two, so baking replaces any credential already there.

Open Badges 2.0 bakes PNGs the same way under the keyword ``openbadges`` (its Baking
Specification 1.0, where the text is the assertion as JSON or a JWS), so the PNG functions take
the keyword.

Extraction reads images uploaded by anyone: sizes are capped before any work, every PNG chunk's
length and CRC is checked, compressed text is inflated only up to a cap, and an SVG is refused
as soon as it declares a DTD, so no entity can be defined, expanded or fetched.
"""

from __future__ import annotations

import json
import re
import struct
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from xml.parsers import expat

from app.credentials.errors import NotJson, _FixedCodeError
from app.credentials.strict_json import loads_strict

OB3_NAMESPACE = "https://purl.imsglobal.org/ob/v3p0"
SVG_NAMESPACE = "http://www.w3.org/2000/svg"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
PNG_KEYWORD = b"openbadgecredential"
OB2_PNG_KEYWORD = b"openbadges"
SVG_PREFIX = "openbadges"
MAX_IMAGE_BYTES = 5 * 1024 * 1024
MAX_CREDENTIAL_BYTES = 1024 * 1024

Baked = dict[str, Any] | str

_MAX_CHUNK_LENGTH = 2**31 - 1
_CREDENTIAL_NAME = f"{OB3_NAMESPACE} credential"
_SVG_ROOT_NAMES = frozenset({f"{SVG_NAMESPACE} svg", "svg"})
_COMPACT_JWS = re.compile(r"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+")
_LONE_SURROGATES = re.compile("[\ud800-\udfff]")
_NOT_XML_CHARS = re.compile("[\ud800-\udfff\ufffe\uffff]")
_TAG = re.compile(rb"<[^\"'>]*(?:(?:\"[^\"]*\"|'[^']*')[^\"'>]*)*>")
_AFTER_TAG_NAME = re.compile(rb"[\s/>]")


class BakingError(_FixedCodeError):
    code = "baking_error"


class ImageUnreadable(BakingError):
    """Not a PNG or SVG, corrupt, truncated, too large, or an SVG declaring a DTD."""

    code = "image_unreadable"


class ImageNotBaked(BakingError):
    code = "image_not_baked"


class BakedCredentialMalformed(BakingError):
    """The baked text is neither a JSON object nor a compact JWS."""

    code = "baked_credential_malformed"


def bake_png(
    png: bytes, credential: Mapping[str, Any] | str, *, keyword: bytes = PNG_KEYWORD
) -> bytes:
    """`png` with `credential` in an uncompressed iTXt chunk right after IHDR, replacing any
    chunk of that keyword."""
    text = _escape_json(_credential_text(credential), _LONE_SURROGATES)
    chunks = _png_chunks(png)
    kept = b"".join(chunk.raw for chunk in chunks[1:] if not chunk.carries(keyword))
    return PNG_SIGNATURE + chunks[0].raw + _itxt_chunk(text.encode("utf-8"), keyword) + kept


def extract_from_png(
    data: bytes, max_bytes: int = MAX_IMAGE_BYTES, *, keyword: bytes = PNG_KEYWORD
) -> Baked:
    """The credential of the first iTXt chunk of `keyword`: a JSON object or a JWS."""
    _check_size(len(data), max_bytes)
    chunk = next((chunk for chunk in _png_chunks(data) if chunk.carries(keyword)), None)
    if chunk is None:
        raise ImageNotBaked(f"the PNG carries no {keyword.decode()} iTXt chunk")
    return _parse_baked(_itxt_text(chunk.data, keyword))


def bake_svg(svg: str, credential: Mapping[str, Any] | str) -> str:
    """`svg` with `credential` in an openbadges:credential first child of the root, replacing
    any credential element already in it."""
    raw = _utf8(svg)
    scan = _scan_svg(raw, "utf-8")
    prefix = scan.ob3_prefix()
    root_tag = raw[scan.root_start : scan.root_tag_end]
    empty_root = root_tag.endswith(b"/>")
    opening = root_tag[:-2] if empty_root else root_tag[:-1]
    if prefix not in scan.root_namespaces:
        opening += f' xmlns:{prefix}="{OB3_NAMESPACE}"'.encode()
    baked = [raw[: scan.root_start], opening, b">", _svg_element(prefix, credential).encode()]
    if empty_root:
        baked.append(b"</" + _AFTER_TAG_NAME.split(root_tag[1:], maxsplit=1)[0] + b">")
    cursor = scan.root_tag_end
    for start, end in scan.credential_spans(raw):
        baked.append(raw[cursor:start])
        cursor = end
    baked.append(raw[cursor:])
    return b"".join(baked).decode("utf-8")


def extract_from_svg(data: bytes | str, max_bytes: int = MAX_IMAGE_BYTES) -> Baked:
    """The credential of the first openbadges:credential element: a JSON object or a JWS."""
    raw, encoding = (_utf8(data), "utf-8") if isinstance(data, str) else (data, None)
    _check_size(len(raw), max_bytes)
    scan = _scan_svg(raw, encoding)
    if scan.first_text is None:
        raise ImageNotBaked("the SVG carries no openbadges:credential element")
    if scan.first_verify is None:
        return _parse_baked(scan.first_text)
    jws = scan.first_verify.strip()
    if not _COMPACT_JWS.fullmatch(jws):
        raise BakedCredentialMalformed("the verify attribute is not a compact JWS")
    return jws


def extract_baked(data: bytes, max_bytes: int = MAX_IMAGE_BYTES) -> Baked:
    """The credential baked into a PNG (told by its signature) or else an SVG image."""
    if data.startswith(PNG_SIGNATURE):
        return extract_from_png(data, max_bytes)
    return extract_from_svg(data, max_bytes)


def _check_size(size: int, max_bytes: int) -> None:
    if size > max_bytes:
        raise ImageUnreadable(f"the image is {size} bytes, more than the {max_bytes} accepted")


def _credential_text(credential: Mapping[str, Any] | str) -> str:
    if isinstance(credential, str):
        if not _COMPACT_JWS.fullmatch(credential):
            raise BakedCredentialMalformed("a credential given as text must be a compact JWS")
        return credential
    try:
        return json.dumps(
            dict(credential), separators=(",", ":"), ensure_ascii=False, allow_nan=False
        )
    except (TypeError, ValueError, RecursionError) as error:
        raise NotJson(f"the credential cannot be written as JSON: {error}") from None


def _escape_json(text: str, characters: re.Pattern[str]) -> str:
    """Writes `characters` as JSON escapes, which only ever occur inside JSON strings, so the
    text stays the same JSON while becoming encodable (UTF-8) or legal (XML)."""
    return characters.sub(lambda match: f"\\u{ord(match.group()):04x}", text)


def _parse_baked(text: str) -> Baked:
    stripped = text.strip()
    if stripped.startswith("{"):
        try:
            value: dict[str, Any] = loads_strict(stripped)
        except (ValueError, RecursionError) as error:
            raise BakedCredentialMalformed(f"the baked JSON is not valid: {error}") from None
        return value
    if _COMPACT_JWS.fullmatch(stripped):
        return stripped
    raise BakedCredentialMalformed("the baked text is neither a JSON object nor a compact JWS")


@dataclass(frozen=True, slots=True)
class _Chunk:
    kind: bytes
    data: bytes
    raw: bytes

    def carries(self, keyword: bytes) -> bool:
        return self.kind == b"iTXt" and self.data.startswith(keyword + b"\0")


def _png_chunks(data: bytes) -> list[_Chunk]:
    """Every chunk up to IEND, each checked; whatever follows IEND is dropped."""
    if not data.startswith(PNG_SIGNATURE):
        raise ImageUnreadable("the image is not a PNG: its signature is missing")
    chunks: list[_Chunk] = []
    offset = len(PNG_SIGNATURE)
    while not chunks or chunks[-1].kind != b"IEND":
        chunk = _png_chunk(data, offset)
        if not chunks and chunk.kind != b"IHDR":
            raise ImageUnreadable("the PNG does not start with an IHDR chunk")
        chunks.append(chunk)
        offset += len(chunk.raw)
    return chunks


def _png_chunk(data: bytes, offset: int) -> _Chunk:
    if offset + 12 > len(data):
        raise ImageUnreadable(f"the PNG is truncated at byte {offset}, before its IEND chunk")
    length, kind = struct.unpack_from(">I4s", data, offset)
    if length > _MAX_CHUNK_LENGTH or not kind.isalpha():
        raise ImageUnreadable(f"the PNG chunk at byte {offset} has a bad length or type")
    end = offset + 12 + length
    if end > len(data):
        raise ImageUnreadable(f"the PNG is truncated inside its {kind.decode()} chunk")
    body = data[offset + 8 : end - 4]
    (crc,) = struct.unpack_from(">I", data, end - 4)
    if zlib.crc32(kind + body) != crc:
        raise ImageUnreadable(f"the PNG {kind.decode()} chunk at byte {offset} fails its CRC")
    return _Chunk(kind, body, data[offset:end])


def _itxt_chunk(text: bytes, keyword: bytes) -> bytes:
    data = keyword + b"\0\0\0\0\0" + text
    return (
        struct.pack(">I", len(data))
        + b"iTXt"
        + data
        + struct.pack(">I", zlib.crc32(b"iTXt" + data))
    )


def _itxt_text(data: bytes, keyword: bytes) -> str:
    """The text of an iTXt chunk: keyword, NUL, compression flag and method, language tag,
    NUL, translated keyword, NUL, text."""
    header = data[len(keyword) + 1 : len(keyword) + 3]
    fields = data[len(keyword) + 3 :].split(b"\0", 2)
    if len(header) < 2 or len(fields) < 3:
        raise ImageUnreadable(f"the {keyword.decode()} iTXt chunk is cut short")
    compressed, method = header
    if compressed not in (0, 1) or (compressed and method != 0):
        raise ImageUnreadable(f"the {keyword.decode()} iTXt chunk uses an unknown compression")
    text = _inflate(fields[2]) if compressed else fields[2]
    try:
        return text.decode("utf-8")
    except UnicodeDecodeError:
        raise BakedCredentialMalformed("the baked credential is not UTF-8 text") from None


def _inflate(data: bytes) -> bytes:
    inflater = zlib.decompressobj()
    try:
        text = inflater.decompress(data, MAX_CREDENTIAL_BYTES + 1)
    except zlib.error as error:
        raise ImageUnreadable(f"the compressed credential does not inflate: {error}") from None
    if len(text) > MAX_CREDENTIAL_BYTES:
        raise ImageUnreadable(
            f"the compressed credential inflates to more than {MAX_CREDENTIAL_BYTES} bytes"
        )
    if not inflater.eof:
        raise ImageUnreadable("the compressed credential is cut short")
    return text


def _utf8(text: str) -> bytes:
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        raise ImageUnreadable("the SVG text holds a lone surrogate") from None


def _svg_element(prefix: str, credential: Mapping[str, Any] | str) -> str:
    name = f"{prefix}:credential"
    if isinstance(credential, str):
        return f'<{name} verify="{_credential_text(credential)}"></{name}>'
    text = _escape_json(_credential_text(credential), _NOT_XML_CHARS)
    return f"<{name}><![CDATA[{text.replace(']]>', ']]]]><![CDATA[>')}]]></{name}>"


@dataclass(slots=True)
class _SvgScan:
    """What baking and extraction need from one pass of expat over an SVG.

    Offsets are byte offsets into the parsed bytes: the root start tag's ``<`` and the end of
    that tag, and for each outermost credential element its start tag's ``<`` and, unless the
    element is empty, its end tag's ``<``.
    """

    root_start: int = -1
    root_tag_end: int = -1
    root_namespaces: dict[str, str] = field(default_factory=dict)
    credentials: list[tuple[int, int]] = field(default_factory=list)
    first_text: str | None = None
    first_verify: str | None = None

    def ob3_prefix(self) -> str:
        """A prefix the root binds to the OB 3.0 namespace, else one it leaves free."""
        for prefix, uri in self.root_namespaces.items():
            if prefix and uri == OB3_NAMESPACE:
                return prefix
        number = 1
        prefix = SVG_PREFIX
        while prefix in self.root_namespaces:
            number += 1
            prefix = f"{SVG_PREFIX}{number}"
        return prefix

    def credential_spans(self, raw: bytes) -> list[tuple[int, int]]:
        spans = []
        for start, end_tag in self.credentials:
            start_tag_end = _tag_end(raw, start)
            empty = raw[start_tag_end - 2 : start_tag_end] == b"/>"
            spans.append((start, start_tag_end if empty else _tag_end(raw, end_tag)))
        return spans


class _SvgScanner:
    def __init__(self, encoding: str | None) -> None:
        self.scan = _SvgScan()
        self.parser = expat.ParserCreate(encoding=encoding, namespace_separator=" ")
        self.parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
        self.parser.StartDoctypeDeclHandler = self.refuse_dtd
        self.parser.EntityDeclHandler = self.refuse_dtd
        self.parser.ExternalEntityRefHandler = self.refuse_dtd
        self.parser.StartNamespaceDeclHandler = self.namespace
        self.parser.StartElementHandler = self.start
        self.parser.EndElementHandler = self.end
        self.parser.CharacterDataHandler = self.characters
        self.depth = 0
        self.inside = 0
        self.credential_start = -1
        self.text: list[str] | None = None

    def refuse_dtd(self, *_: object) -> Any:
        raise ImageUnreadable("the SVG declares a DTD, which is refused")

    def namespace(self, prefix: str | None, uri: str) -> None:
        if self.depth == 0:
            self.scan.root_namespaces[prefix or ""] = uri

    def start(self, name: str, attributes: dict[str, str]) -> None:
        if self.depth == 0:
            if name not in _SVG_ROOT_NAMES:
                raise ImageUnreadable("the XML document's root is not an svg element")
            self.scan.root_start = self.parser.CurrentByteIndex
        self.depth += 1
        if self.inside:
            self.inside += 1
        elif name == _CREDENTIAL_NAME:
            self.inside = 1
            self.credential_start = self.parser.CurrentByteIndex
            if not self.scan.credentials:
                self.text = []
                self.scan.first_verify = attributes.get("verify")

    def end(self, name: str) -> None:
        self.depth -= 1
        if not self.inside:
            return
        self.inside -= 1
        if self.inside == 0:
            self.scan.credentials.append((self.credential_start, self.parser.CurrentByteIndex))
            if self.text is not None:
                self.scan.first_text = "".join(self.text)
                self.text = None

    def characters(self, text: str) -> None:
        if self.text is not None:
            self.text.append(text)


def _scan_svg(raw: bytes, encoding: str | None) -> _SvgScan:
    scanner = _SvgScanner(encoding)
    try:
        scanner.parser.Parse(raw, True)
    except expat.ExpatError as error:
        raise ImageUnreadable(f"the image is not a well-formed SVG: {error}") from None
    scan = scanner.scan
    scan.root_tag_end = _tag_end(raw, scan.root_start)
    return scan


def _tag_end(raw: bytes, start: int) -> int:
    match = _TAG.match(raw, start)
    if match is None:
        raise ImageUnreadable(f"the SVG tag at byte {start} cannot be delimited")
    return match.end()
