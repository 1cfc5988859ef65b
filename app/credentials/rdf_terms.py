"""RDF terms as canonical N-Quads text, and the checks that keep that text unambiguous.

A Data Integrity signature covers the bytes of the canonical N-Quads, so those bytes must name one
dataset and only one. pyld writes IRIs, datatypes and language tags into N-Quads exactly as the
document spells them: a language tag such as ``en .\\n<https://a.example/s> <https://a.example/p>
"x"`` turns one literal into what reads as two quads, and a document with two plain quads can then
share its canonical bytes, and so its signature, with a document holding that single literal.
Every term is therefore checked before it is written:

* an IRI must be absolute and hold none of the characters the N-Quads ``IRIREF`` production
  excludes (controls, space, ``<>"{}|^`` and the backtick, backslash);
* a language tag must be a well-formed BCP 47 tag (letters, digits and hyphens);
* a literal may not hold the control characters U+0000-U+0008, U+000B, U+000C, U+000E-U+001F
  or U+007F: RDFC-1.0 writes them as escapes (``\\u0000``, ``\\b``, ``\\f``) while pyld writes
  them raw, so the two canonical forms, and any signature over them, would disagree.

The escaping itself is pyld's (backslash, tab, line feed, carriage return, double quote), which for
every string that passes the checks is also what RDFC-1.0 prescribes.
"""

from __future__ import annotations

import re

from app.credentials.errors import ControlCharacter, InvalidLanguageTag, UnsafeIri
from app.credentials.iris import is_absolute_iri

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDF_TYPE = RDF + "type"
RDF_FIRST = RDF + "first"
RDF_REST = RDF + "rest"
RDF_NIL = RDF + "nil"
RDF_LANGSTRING = RDF + "langString"
RDF_JSON = RDF + "JSON"
XSD = "http://www.w3.org/2001/XMLSchema#"
XSD_STRING = XSD + "string"
XSD_BOOLEAN = XSD + "boolean"
XSD_INTEGER = XSD + "integer"
XSD_DOUBLE = XSD + "double"

_IRI_FORBIDDEN = re.compile(r'[\x00-\x20<>"{}|^`\\\x7f]')
_LANGUAGE_TAG = re.compile(r"[A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8})*")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r", '"': '\\"'})
_DOUBLE_EXPONENT = re.compile(r"(\d)0*E\+?(-)?0*(\d)")

MAX_SHOWN = 80


def is_safe_iri(value: str) -> bool:
    """An absolute IRI that N-Quads can carry between angle brackets exactly as written."""
    return is_absolute_iri(value) and _IRI_FORBIDDEN.search(value) is None


def check_iri(value: str) -> str:
    """``value`` unchanged, or UnsafeIri."""
    if not is_safe_iri(value):
        raise UnsafeIri(f"{_shown(value)} is not an absolute IRI that N-Quads can carry as is")
    return value


def is_language_tag(value: str) -> bool:
    return _LANGUAGE_TAG.fullmatch(value) is not None


def check_language_tag(value: str) -> str:
    if not is_language_tag(value):
        raise InvalidLanguageTag(f"{_shown(value)} is not a well-formed BCP 47 language tag")
    return value


def has_control_character(text: str) -> bool:
    return _CONTROL.search(text) is not None


def check_literal_text(text: str) -> str:
    found = _CONTROL.search(text)
    if found is not None:
        raise ControlCharacter(
            f"a string holds the control character U+{ord(found.group()):04X}, which RDF"
            " canonicalizers escape in different ways; remove it"
        )
    return text


def escape_literal(text: str) -> str:
    """The body of an N-Quads string literal (checked text only)."""
    return text.translate(_ESCAPES)


def literal_term(text: str, datatype: str, language: str | None = None) -> str:
    """A literal in canonical N-Quads form (its parts already checked)."""
    body = '"' + escape_literal(text) + '"'
    if language is not None:
        return body + "@" + language
    if datatype == XSD_STRING:
        return body
    return body + "^^<" + datatype + ">"


def canonical_double(value: float) -> str:
    """The canonical xsd:double lexical form JSON-LD 1.1 gives a number (``1.5E0``)."""
    return _DOUBLE_EXPONENT.sub(r"\1E\2\3", f"{value:1.15E}")


def _shown(value: str) -> str:
    return repr(value if len(value) <= MAX_SHOWN else value[:MAX_SHOWN] + "...")
