"""Signing and verification throughput of the eddsa-rdfc-2022 cryptosuite.

Run ``python bench/sign.py`` (from the repository root, in the project's virtualenv). It builds a
realistic Open Badges 3.0 credential of about 3 KB (an achievement with criteria, alignments, an
image and a result description per competency performance expectation, a result per expectation,
evidence), then measures, on one core, for a few seconds each: credentials signed and verified
per second with the fast engine and with the pyld reference engine, and the time to sign a CLR
bundling 23 such credentials. ``--seconds`` changes the time per measurement, ``--profile`` prints
where the fast path spends its time.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from app.credentials.canonicalize import Engine, canonicalize_detailed
from app.credentials.context_urls import CLR2_CONTEXT, OB3_CONTEXT, VC2_CONTEXT
from app.credentials.data_integrity import resolve_did_key
from app.credentials.did import did_key_from_public_key, did_key_verification_method
from app.credentials.eddsa_rdfc_2022 import sign, verify

CREATED = "2026-01-15T12:00:00Z"
LEVELS = ["Proficient", "Advanced", "Proficient"]
CPES = [
    ("A.REI.1", "Explain each step in solving a simple equation"),
    ("A.REI.3", "Solve linear equations and inequalities in one variable"),
    ("A.CED.1", "Create equations and inequalities in one variable to solve problems"),
]


def build_credential(index: int, issuer_did: str) -> dict[str, Any]:
    """One OB 3.0 AchievementCredential of about 3 KB, different for each ``index``."""
    base = "https://badges.xq.example"
    achievement_id = f"{base}/achievements/algebra-1-unit-{index}"
    return {
        "@context": [VC2_CONTEXT, OB3_CONTEXT],
        "id": f"urn:uuid:7d3c0f7e-5b1a-4c2e-9f0d-{index:012d}",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": f"Algebra I, Unit {index}: Reasoning with Equations",
        "description": "Awarded for demonstrating mastery of the unit's expectations.",
        "issuer": {
            "id": issuer_did,
            "type": ["Profile"],
            "name": "XQ Institute Math Badging",
            "url": "https://xqsuperschool.org/",
            "email": "badges@xq.example",
        },
        "validFrom": "2026-01-15T12:00:00Z",
        "credentialSubject": {
            "id": f"did:example:learner-{index:06d}",
            "type": ["AchievementSubject"],
            "achievement": {
                "id": achievement_id,
                "type": ["Achievement"],
                "achievementType": "Competency",
                "name": f"Reasoning with Equations (Unit {index})",
                "description": "Solve and explain linear equations and inequalities.",
                "humanCode": f"ALG1-U{index}",
                "criteria": {
                    "narrative": "The learner demonstrates each performance expectation on"
                    " a rubric-scored task, reaching at least 'Proficient'."
                },
                "image": {
                    "id": f"{base}/images/algebra-1-unit-{index}.png",
                    "type": "Image",
                    "caption": "Algebra I badge",
                },
                "alignment": [
                    {
                        "type": ["Alignment"],
                        "targetName": f"CCSS.MATH.CONTENT.HSA.{code}",
                        "targetUrl": f"https://www.thecorestandards.org/Math/Content/HSA/{code}",
                        "targetFramework": "Common Core State Standards for Mathematics",
                        "targetCode": code,
                        "targetType": "CFItem",
                    }
                    for code, text in CPES
                ],
                "resultDescription": [
                    {
                        "id": f"{achievement_id}/cpe/{code}",
                        "type": ["ResultDescription"],
                        "name": f"{code}: {text}",
                        "resultType": "RubricCriterionLevel",
                        "allowedValue": ["Beginning", "Developing", "Proficient", "Advanced"],
                        "requiredValue": "Proficient",
                    }
                    for code, text in CPES
                ],
                "tag": ["algebra", "equations", "XQ"],
            },
            "result": [
                {
                    "type": ["Result"],
                    "resultDescription": f"{achievement_id}/cpe/{code}",
                    "value": level,
                    "status": "Completed",
                }
                for (code, _), level in zip(CPES, LEVELS, strict=True)
            ],
        },
        "evidence": [
            {
                "id": f"{base}/evidence/{index}/task-{task}",
                "type": ["Evidence"],
                "name": f"Performance task {task}",
                "narrative": "Rubric-scored performance task, reviewed by two teachers.",
                "genre": "Performance task",
            }
            for task in (1, 2)
        ],
    }


def build_clr(credentials: list[dict[str, Any]], issuer_did: str) -> dict[str, Any]:
    """A CLR 2.0 ClrCredential bundling ``credentials``."""
    return {
        "@context": [VC2_CONTEXT, CLR2_CONTEXT, OB3_CONTEXT],
        "id": "urn:uuid:0c5a1d2e-3f4b-4a6c-8d9e-000000000023",
        "type": ["VerifiableCredential", "ClrCredential"],
        "name": "Algebra I transcript",
        "issuer": {"id": issuer_did, "type": ["Profile"], "name": "XQ Institute Math Badging"},
        "validFrom": "2026-06-01T00:00:00Z",
        "credentialSubject": {
            "id": "did:example:learner-000001",
            "type": ["ClrSubject"],
            "verifiableCredential": credentials,
        },
    }


def rate(action: Callable[[], object], seconds: float) -> float:
    """Calls per second of ``action`` over about ``seconds``."""
    action()
    calls, started = 0, time.perf_counter()
    deadline = started + seconds
    while True:
        action()
        calls += 1
        now = time.perf_counter()
        if now >= deadline:
            return calls / (now - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=3.0, help="time per measurement")
    parser.add_argument("--profile", action="store_true", help="profile the fast sign path")
    arguments = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core

    key = Ed25519PrivateKey.generate()
    issuer = did_key_from_public_key(key.public_key())
    method = did_key_verification_method(issuer)
    credential = build_credential(1, issuer)
    size = len(json.dumps(credential, separators=(",", ":")).encode())
    path = canonicalize_detailed(credential).path
    nquads = canonicalize_detailed(credential).nquads.count("\n")
    print(f"credential: {size} bytes of JSON, {nquads} quads, fast engine path: {path}")

    signed = {
        engine: sign(credential, key, method, created=CREATED, engine=engine) for engine in Engine
    }
    assert len({json.dumps(document, sort_keys=True) for document in signed.values()}) == 1
    secured = signed[Engine.FAST]
    assert verify(secured, resolve_key=resolve_did_key).verified

    figures: dict[str, float] = {}
    for engine in (Engine.FAST, Engine.OXIGRAPH, Engine.REFERENCE):
        seconds = arguments.seconds if engine is not Engine.REFERENCE else max(arguments.seconds, 3)
        figures[f"sign {engine.value}"] = rate(
            lambda engine=engine: sign(credential, key, method, created=CREATED, engine=engine),
            seconds,
        )
        figures[f"verify {engine.value}"] = rate(
            lambda engine=engine: verify(secured, resolve_key=resolve_did_key, engine=engine),
            seconds,
        )
    for name, value in figures.items():
        print(f"{name:>18}: {value:8.1f} /s   ({1000 / value:7.3f} ms each)")
    for action in ("sign", "verify"):
        ratio = figures[f"{action} fast"] / figures[f"{action} reference"]
        print(f"{action} fast / reference: {ratio:.1f}x")

    bundle = build_clr(
        [
            sign(build_credential(index, issuer), key, method, created=CREATED)
            for index in range(1, 24)
        ],
        issuer,
    )
    clr_size = len(json.dumps(bundle, separators=(",", ":")).encode())
    clr_path = canonicalize_detailed(bundle).path
    print(f"CLR of 23 credentials: {clr_size} bytes of JSON, fast engine path: {clr_path}")
    for engine in (Engine.FAST, Engine.REFERENCE):
        per_second = rate(
            lambda engine=engine: sign(bundle, key, method, created=CREATED, engine=engine),
            arguments.seconds,
        )
        print(f"sign CLR {engine.value:>9}: {1000 / per_second:8.2f} ms")
    signed_clr = sign(bundle, key, method, created=CREATED)
    per_second = rate(lambda: verify(signed_clr, resolve_key=resolve_did_key), arguments.seconds)
    print(f"verify CLR      fast: {1000 / per_second:8.2f} ms")

    if arguments.profile:
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(2000):
            sign(credential, key, method, created=CREATED)
        profiler.disable()
        pstats.Stats(profiler).sort_stats("tottime").print_stats(25)


if __name__ == "__main__":
    main()
