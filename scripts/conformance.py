"""Helper for scripts/conformance.sh: the W3C conformance suites against a fresh local service.

Subcommands (each called by the shell script, one step of the run):

- ``prepare WORK DEPS``: point every suite's ``github:`` dependency at the packed tarball;
- ``config WORK BASE_URL ISSUER_DID CLIENT_ID``: write each suite's ``localConfig.cjs``;
- ``cert DIR``: a self-signed certificate for localhost and 127.0.0.1;
- ``serve``: migrate, bootstrap and serve the app over https (uvicorn terminates TLS);
- ``report RESULTS EXPECTED LOG``: per-suite counts, expected failures, 5xx answers.

The suites are test material written elsewhere; nothing of theirs is copied into the project.
"""

from __future__ import annotations

import argparse
import datetime
import ipaddress
import json
import sys
from pathlib import Path
from typing import Any

SUITES: dict[str, str] = {
    "vc-di-eddsa": "w3c--vc-di-eddsa-test-suite/vc-di-eddsa-test-suite",
    "vc-data-model-2.0": "w3c--vc-data-model-2.0-test-suite/vc-data-model-2.0-test-suite",
    "vc-bitstring-status-list": (
        "w3c--vc-bitstring-status-list-test-suite/vc-bitstring-status-list-test-suite"
    ),
    "vc-api-issuer": "w3c-ccg--vc-api-issuer-test-suite/vc-api-issuer-test-suite",
    "vc-api-verifier": "w3c-ccg--vc-api-verifier-test-suite/vc-api-verifier-test-suite",
}

# The tags each suite selects implementations by (see the suites' tests and READMEs).
TAGS = [
    "eddsa-rdfc-2022",
    "vc2.0",
    "BitstringStatusList",
    "vc-api",
    "localhost",
]

SECRET_ENV = "XQB_CONFORMANCE_CLIENT_SECRET"


def _fail(message: str) -> int:
    print(f"conformance: {message}", file=sys.stderr)
    return 2


def cmd_prepare(args: argparse.Namespace) -> int:
    """Replaces ``github:owner/name`` dependencies by ``file:`` tarballs from DEPS/owner--name/."""
    work: Path = args.work
    deps: Path = args.deps
    for suite, folder in SUITES.items():
        package_file = work / folder / "package.json"
        package = json.loads(package_file.read_text(encoding="utf-8"))
        for section in ("dependencies", "devDependencies"):
            entries: dict[str, str] = package.get(section, {})
            for name, spec in entries.items():
                if not spec.startswith("github:"):
                    continue
                owner_repo = spec.removeprefix("github:").split("#", 1)[0]
                tarballs = sorted((deps / owner_repo.replace("/", "--")).glob("*.tgz"))
                if len(tarballs) != 1:
                    return _fail(f"{suite}: no packed tarball for {spec}")
                entries[name] = f"file:{tarballs[0].resolve()}"
        package_file.write_text(json.dumps(package, indent=2) + "\n", encoding="utf-8")
    return 0


def _endpoint(base_url: str, path: str, issuer_did: str, oauth2: dict[str, str]) -> dict[str, Any]:
    return {
        "id": issuer_did,
        "endpoint": f"{base_url}{path}",
        "supports": {"vc": ["1.1", "2.0"]},
        "tags": TAGS,
        "oauth2": oauth2,
    }


def cmd_config(args: argparse.Namespace) -> int:
    base_url: str = args.base_url.rstrip("/")
    oauth2 = {
        "clientId": args.client_id,
        "clientSecret": SECRET_ENV,
        "tokenEndpoint": f"{base_url}/oauth/token",
        "tokenAudience": base_url,
    }
    implementation = {
        "name": "XQ Institute",
        "implementation": "xqbadges",
        "issuers": [_endpoint(base_url, "/credentials/issue", args.issuer_did, oauth2)],
        "verifiers": [_endpoint(base_url, "/credentials/verify", args.issuer_did, oauth2)],
        "vpVerifiers": [_endpoint(base_url, "/presentations/verify", args.issuer_did, oauth2)],
    }
    config = {
        "settings": {"enableInteropTests": False, "testAllImplementations": False},
        "implementations": [implementation],
    }
    text = "// Written by xqbadges scripts/conformance.py for one run.\nmodule.exports = "
    text += json.dumps(config, indent=2) + ";\n"
    for folder in SUITES.values():
        (args.work / folder / "localConfig.cjs").write_text(text, encoding="utf-8")
    return 0


def cmd_cert(args: argparse.Namespace) -> int:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    directory: Path = args.dir
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [
                    x509.DNSName("localhost"),
                    x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
                ]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    key_file = directory / "tls-key.pem"
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    key_file.chmod(0o600)
    (directory / "tls-cert.pem").write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    """What ``xqbadges serve`` does, with uvicorn terminating TLS."""
    import uvicorn

    from app.bootstrap import bootstrap
    from app.logs import configure_logging
    from app.main import create_app
    from app.runtime import Runtime
    from app.settings import get_settings

    with Runtime.from_settings(get_settings()) as runtime:
        configure_logging(runtime.settings.log_level)
        bootstrap(runtime)
        uvicorn.run(
            create_app(runtime=runtime),
            host=args.host,
            port=args.port,
            log_config=None,
            ssl_keyfile=str(args.ssl_keyfile),
            ssl_certfile=str(args.ssl_certfile),
        )
    return 0


def _tests(results: dict[str, Any]) -> tuple[list[str], dict[str, str], list[str]]:
    passed = [test["fullTitle"] for test in results.get("passes", [])]
    failed = {
        test["fullTitle"]: str((test.get("err") or {}).get("message", "")).strip()
        for test in results.get("failures", [])
    }
    pending = [test["fullTitle"] for test in results.get("pending", [])]
    return passed, failed, pending


def _titles(dry_run: Path) -> set[str]:
    """Every test a suite declares (mocha --dry-run), to count those a failed hook skipped."""
    if not dry_run.exists() or dry_run.stat().st_size == 0:
        return set()
    results = json.loads(dry_run.read_text(encoding="utf-8"))
    return {test["fullTitle"] for test in results.get("tests", [])}


def _server_errors(log: Path) -> list[str]:
    errors: list[str] = []
    for line in log.read_text(encoding="utf-8", errors="replace").splitlines():
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        status = entry.get("status") if isinstance(entry, dict) else None
        if isinstance(status, int) and status >= 500:
            errors.append(f"{status} {entry.get('method')} {entry.get('path')}")
    return errors


def cmd_report(args: argparse.Namespace) -> int:
    expected: dict[str, list[dict[str, str]]] = {}
    if args.expected.exists():
        expected = json.loads(args.expected.read_text(encoding="utf-8"))
    seeded: dict[str, list[dict[str, str]]] = {}
    unexpected: list[str] = []
    now_passing: list[str] = []
    totals = [0, 0, 0, 0]
    for suite in SUITES:
        result_file: Path = args.results / f"{suite}.json"
        if not result_file.exists() or result_file.stat().st_size == 0:
            print(f"{suite}: no results (mocha did not run)")
            unexpected.append(f"{suite}: no results")
            continue
        passed, failed, pending = _tests(json.loads(result_file.read_text(encoding="utf-8")))
        not_run = _titles(args.results / f"{suite}.dry.json") - {*passed, *failed, *pending}
        line = f"{suite}: {len(passed)} passed, {len(failed)} failed, {len(pending)} pending"
        if not_run:
            line += f" ({len(not_run)} more not run: a failed before-all hook skipped them)"
        print(line)
        totals[3] += len(not_run)
        totals[0] += len(passed)
        totals[1] += len(failed)
        totals[2] += len(pending)
        listed = {entry["title"] for entry in expected.get(suite, [])}
        unexpected += [f"{suite}: {title}" for title in failed if title not in listed]
        now_passing += [f"{suite}: {title}" for title in listed if title not in failed]
        seeded[suite] = [
            {
                "title": title,
                "reason": "not yet conformant: " + " ".join(message.split())[:160],
            }
            for title, message in sorted(failed.items())
        ]
    print(f"{totals[0]} passed, {totals[1]} failed")
    if totals[2] or totals[3]:
        print(f"({totals[2]} pending, {totals[3]} not run)")
    if args.seed:
        args.expected.write_text(json.dumps(seeded, indent=2) + "\n", encoding="utf-8")
        print(f"wrote today's failures to {args.expected}")
        unexpected, now_passing = [], []
    server_errors = _server_errors(args.log)
    print(f"{len(server_errors)} requests answered 5xx")
    for line in server_errors:
        print(f"  {line}")
    for title in unexpected:
        print(f"UNEXPECTED FAILURE  {title}")
    for title in now_passing:
        print(f"NOW PASSES (remove it from {args.expected.name})  {title}")
    return 1 if unexpected or now_passing or server_errors else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    commands = parser.add_subparsers(dest="command", required=True)

    prepare = commands.add_parser("prepare")
    prepare.add_argument("work", type=Path)
    prepare.add_argument("deps", type=Path)
    prepare.set_defaults(handler=cmd_prepare)

    config = commands.add_parser("config")
    config.add_argument("work", type=Path)
    config.add_argument("base_url")
    config.add_argument("issuer_did")
    config.add_argument("client_id")
    config.set_defaults(handler=cmd_config)

    cert = commands.add_parser("cert")
    cert.add_argument("dir", type=Path)
    cert.set_defaults(handler=cmd_cert)

    serve = commands.add_parser("serve")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, required=True)
    serve.add_argument("--ssl-keyfile", type=Path, required=True)
    serve.add_argument("--ssl-certfile", type=Path, required=True)
    serve.set_defaults(handler=cmd_serve)

    report = commands.add_parser("report")
    report.add_argument("results", type=Path)
    report.add_argument("expected", type=Path)
    report.add_argument("log", type=Path)
    report.add_argument("--seed", action="store_true", help="write today's failures as expected")
    report.set_defaults(handler=cmd_report)

    args = parser.parse_args(argv)
    handler = args.handler
    result: int = handler(args)
    return result


if __name__ == "__main__":
    sys.exit(main())
