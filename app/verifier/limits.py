"""How much one verification may ask of other servers and of the CPU.

A submitted credential (and a status list its issuer serves) is written by someone else: every
proof names a key to resolve (a fetch) and costs a canonicalization, every status entry a fetch
of up to the fetch time limit. Without a bound, one request could make the service send
thousands of requests or canonicalize a document thousands of times. The limits are well above
what an issuer needs: OB 3.0 has one proof and one ``credentialStatus`` object; a VC may add a
second proof or a suspension list. A CLR multiplies all of this by the credentials it carries.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

MAX_PROOFS = 4
MAX_STATUS_ENTRIES = 4
MAX_EMBEDDED_CREDENTIALS = 64
"""Credentials of one CLR that are checked; a learner's whole XQ record is 23 badges."""


def too_many_proofs(document: Mapping[str, Any]) -> str | None:
    """Why the document's proofs are not checked at all, or None when there are few enough."""
    proofs = document.get("proof")
    if isinstance(proofs, list) and len(proofs) > MAX_PROOFS:
        return f"it carries {len(proofs)} proofs; at most {MAX_PROOFS} are checked, so none was"
    return None
