"""The ``xqbadges`` command: run the service and manage issuers, keys, clients and catalogs."""

from __future__ import annotations

import argparse
import codecs
import hashlib
import json
import sys
import textwrap
import tomllib
from collections.abc import Callable, Sequence
from importlib import metadata
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from app.home import source_checkout
from app.problems import Problem
from app.runtime import Runtime
from app.settings import Settings, get_settings


class CommandError(Exception):
    """An operator's mistake the command explains in one sentence (exit status 2)."""


def _print(data: Any, as_json: bool, human: Callable[[Any], str]) -> None:
    print(json.dumps(data, indent=2, ensure_ascii=False) if as_json else human(data))


def _runtime() -> Runtime:
    """The configured instance, refused when its database is missing or not migrated."""
    from app.instance import require_migrated

    settings = get_settings()
    require_migrated(settings)
    return Runtime.from_settings(settings)


def _version() -> str:
    checkout = source_checkout()
    if checkout is not None:
        project = tomllib.loads((checkout / "pyproject.toml").read_text(encoding="utf-8"))
        return str(project["project"]["version"])
    try:
        return metadata.version("xqbadges")
    except metadata.PackageNotFoundError:
        return "unknown"


def _read_utf8(path: Path, kind: str) -> str:
    data = path.read_bytes()
    skipped = len(codecs.BOM_UTF8) if data.startswith(codecs.BOM_UTF8) else 0
    try:
        return data[skipped:].decode("utf-8")
    except UnicodeDecodeError as error:
        offset = skipped + error.start
        line = data.count(b"\n", 0, offset) + 1
        raise CommandError(
            f"{path} is not UTF-8 text (byte 0x{data[offset]:02x} on line {line}, offset "
            f"{offset}); save it as UTF-8 {kind}"
        ) from error


def _where(settings: Settings) -> str:
    from app.instance import masked_url

    return (
        f"home {settings.home}, database {masked_url(settings.database_url)}, "
        f"keys {settings.keys_dir}"
    )


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from app import gcpause
    from app.bootstrap import bootstrap
    from app.health import key_file_problems
    from app.logs import configure_logging
    from app.main import create_app

    settings = get_settings()
    print(f"xqbadges {_version()}: {_where(settings)}", flush=True)
    with Runtime.from_settings(settings) as runtime:
        configure_logging(runtime.settings.log_level)
        report = bootstrap(runtime)
        refusals = key_file_problems(runtime)
        if refusals:
            for refusal in refusals:
                print(f"error: {refusal}", file=sys.stderr)
            print("refusing to start until the key files are private and readable", file=sys.stderr)
            return 2
        if report.issuer_created:
            print(f"created issuer {runtime.settings.default_issuer_slug!r} with a new signing key")
        if report.catalog_loaded:
            print("loaded the XQ Math catalog (23 badges)")
        served = create_app(runtime=runtime)
        gcpause.settle()
        uvicorn.run(served, host=args.host, port=args.port, log_config=None)
    return 0


def cmd_db_upgrade(args: argparse.Namespace) -> int:
    from app.migrations import upgrade_to_head

    settings = get_settings()
    upgrade_to_head(settings)
    print(f"database schema is at head ({_where(settings)})")
    return 0


def cmd_info(args: argparse.Namespace) -> int:
    from app.instance import describe

    row = {"version": _version(), **describe(get_settings())}
    _print(
        row,
        args.json,
        lambda r: "\n".join(
            [
                f"version          {r['version']}",
                f"home             {r['home']}",
                f"database         {r['databaseUrl']}",
                f"schema revision  {r['schemaRevision']}",
                f"keys             {r['keysDir']}",
                f".env file        {r['envFile']}"
                + ("" if r["envFileUsed"] else " (absent, not used)"),
                f"public base URL  {r['publicBaseUrl']}",
            ]
        ),
    )
    return 0


def cmd_issuers_list(args: argparse.Namespace) -> int:
    from app.issuer.identity import IssuerIdentity
    from app.store.repositories import IssuerRepository

    with _runtime() as runtime, runtime.sessions() as session:
        identity = IssuerIdentity(session, runtime.settings)
        repo = IssuerRepository(session)
        issuers = repo.all()
        slugs = {issuer.id: issuer.slug for issuer in issuers}
        rows = [
            {
                "slug": issuer.slug,
                "name": issuer.name,
                "did": identity.did(issuer),
                "parent": slugs.get(issuer.parent_id) if issuer.parent_id else None,
            }
            for issuer in issuers
        ]
    _print(
        rows,
        args.json,
        lambda data: "\n".join(
            f"{r['slug']:<20} {r['name']:<40} parent={r['parent'] or '-'}" for r in data
        ),
    )
    return 0


def cmd_issuers_create(args: argparse.Namespace) -> int:
    from app.issuer.identity import IssuerIdentity
    from app.issuer.issuers import IssuerDraft, create_issuer

    with _runtime() as runtime, runtime.sessions() as session:
        issuer = create_issuer(
            session,
            runtime.keystore,
            IssuerDraft(
                slug=args.slug,
                name=args.name,
                url=args.url,
                email=args.email,
                description=args.description,
                image_url=args.image_url,
                parent_slug=args.parent,
                status_method=args.status_method,
            ),
        )
        session.commit()
        row = {
            "slug": issuer.slug,
            "name": issuer.name,
            "did": IssuerIdentity(session, runtime.settings).did(issuer),
            "parent": args.parent,
        }
    _print(row, args.json, lambda r: f"created issuer {r['slug']} ({r['did']})")
    return 0


_CLEARABLE = {
    "url": "url",
    "email": "email",
    "description": "description",
    "image-url": "image_url",
}


def cmd_issuers_update(args: argparse.Namespace) -> int:
    from app.issuer.issuers import get_issuer, update_issuer

    changes: dict[str, str | None] = {
        field: getattr(args, field)
        for field in ("name", "url", "email", "description", "image_url")
        if getattr(args, field) is not None
    }
    for option in args.clear or []:
        if _CLEARABLE[option] in changes:
            print(f"error: --{option} and --clear {option} contradict each other", file=sys.stderr)
            return 2
        changes[_CLEARABLE[option]] = None
    if not changes:
        print(
            "error: nothing to change; give --name, --url, --email, --description, --image-url "
            "or --clear",
            file=sys.stderr,
        )
        return 2
    with _runtime() as runtime, runtime.sessions() as session:
        issuer = update_issuer(
            session,
            get_issuer(session, args.slug),
            changes,
            where={name: "--" + name.replace("_", "-") for name in changes},
        )
        session.commit()
        row = {
            "slug": issuer.slug,
            "name": issuer.name,
            "url": issuer.url,
            "email": issuer.email,
            "description": issuer.description,
            "imageUrl": issuer.image_url,
        }
    _print(
        row,
        args.json,
        lambda r: (
            f"updated issuer {r['slug']}: "
            + ", ".join(
                f"{name.replace('_', ' ')} {'cleared' if changes[name] is None else 'set'}"
                for name in changes
            )
        ),
    )
    return 0


def cmd_issuers_show(args: argparse.Namespace) -> int:
    from app.issuer.identity import IssuerIdentity
    from app.issuer.issuers import get_issuer

    with _runtime() as runtime, runtime.sessions() as session:
        profile = IssuerIdentity(session, runtime.settings).profile(
            get_issuer(session, args.slug), with_context=True
        )
    print(json.dumps(profile, indent=2, ensure_ascii=False))
    return 0


def cmd_keys_list(args: argparse.Namespace) -> int:
    from app.issuer.identity import IssuerIdentity
    from app.store.repositories import IssuerRepository, KeyRepository

    with _runtime() as runtime, runtime.sessions() as session:
        identity = IssuerIdentity(session, runtime.settings)
        rows = []
        for issuer in IssuerRepository(session).all():
            if args.issuer and issuer.slug != args.issuer:
                continue
            for key in KeyRepository(session).for_issuer(issuer.id):
                rows.append(
                    {
                        "issuer": issuer.slug,
                        "algorithm": key.algorithm,
                        "verificationMethod": identity.verification_method_id(issuer, key)
                        or "(RSA keys are published only with did:web)",
                        "created": key.created_at.isoformat(),
                        "retired": key.retired_at.isoformat() if key.retired_at else None,
                    }
                )
    _print(
        rows,
        args.json,
        lambda data: "\n".join(
            f"{r['issuer']:<16} {r['algorithm']:<8} {'retired' if r['retired'] else 'active ':<8}"
            f" {r['verificationMethod']}"
            for r in data
        ),
    )
    return 0


def cmd_keys_rotate(args: argparse.Namespace) -> int:
    from app.issuer.identity import IssuerIdentity
    from app.issuer.issuers import get_issuer, rotate_keys

    with _runtime() as runtime, runtime.sessions() as session:
        issuer = get_issuer(session, args.issuer)
        keys = rotate_keys(session, runtime.keystore, issuer)
        session.commit()
        identity = IssuerIdentity(session, runtime.settings)
        row = {
            "issuer": issuer.slug,
            "did": identity.did(issuer),
            "verificationMethods": [
                identity.verification_method_id(issuer, key) or f"{key.algorithm} (unpublished)"
                for key in keys
            ],
        }
    _print(
        row,
        args.json,
        lambda r: f"new signing keys for {r['issuer']}: " + ", ".join(r["verificationMethods"]),
    )
    return 0


def cmd_clients_create(args: argparse.Namespace) -> int:
    from app.access.clients import create_client
    from app.issuer.issuers import get_issuer

    with _runtime() as runtime, runtime.sessions() as session:
        issuer = get_issuer(session, args.issuer)
        created = create_client(
            session,
            issuer,
            name=args.name or f"{issuer.slug} client",
            scopes=args.scopes,
            covers_descendants=args.descendants,
        )
        session.commit()
        row = {
            "client_id": created.client.client_id,
            "client_secret": created.client_secret,
            "issuer": issuer.slug,
            "scopes": created.client.scopes,
        }
    _print(
        row,
        args.json,
        lambda r: (
            f"client_id:     {r['client_id']}\nclient_secret: {r['client_secret']}\n"
            "(the secret is shown once; only its hash is stored)"
        ),
    )
    return 0


def cmd_clients_list(args: argparse.Namespace) -> int:
    from app.store.repositories import ClientRepository, IssuerRepository

    with _runtime() as runtime, runtime.sessions() as session:
        slugs = {issuer.id: issuer.slug for issuer in IssuerRepository(session).all()}
        rows = [
            _client_row(client, slugs[client.issuer_id])
            for client in ClientRepository(session).for_issuer()
        ]
    _print(
        rows,
        args.json,
        lambda data: "\n".join(
            f"{r['client_id']}  {r['issuer']:<16} "
            + ("(disabled) " if r["disabled"] else "")
            + r["scopes"]
            for r in data
        ),
    )
    return 0


def _client_row(client: Any, issuer_slug: str) -> dict[str, Any]:
    return {
        "client_id": client.client_id,
        "name": client.name,
        "issuer": issuer_slug,
        "scopes": client.scopes,
        "disabled": client.disabled_at is not None,
    }


def cmd_clients_update(args: argparse.Namespace) -> int:
    from app.access.clients import update_scopes
    from app.store.repositories import IssuerRepository

    with _runtime() as runtime, runtime.sessions() as session:
        client = update_scopes(session, args.client_id, args.scopes)
        session.commit()
        issuer = IssuerRepository(session).by_id(client.issuer_id)
        assert issuer is not None
        row = _client_row(client, issuer.slug)
    _print(
        row,
        args.json,
        lambda r: (
            f"client {r['client_id']} now has the scopes: {r['scopes']}\n"
            "(tokens issued before keep only the scopes the client still has; "
            "new scopes need a new token)"
        ),
    )
    return 0


def cmd_clients_rotate_secret(args: argparse.Namespace) -> int:
    from app.access.clients import rotate_secret

    with _runtime() as runtime, runtime.sessions() as session:
        rotated = rotate_secret(session, args.client_id)
        session.commit()
        row = {"client_id": rotated.client.client_id, "client_secret": rotated.client_secret}
    _print(
        row,
        args.json,
        lambda r: (
            f"client_id:     {r['client_id']}\nclient_secret: {r['client_secret']}\n"
            "(the secret is shown once; the old secret and every token issued with it "
            "stopped working)"
        ),
    )
    return 0


def cmd_clients_revoke(args: argparse.Namespace) -> int:
    from app.access.clients import disable_client
    from app.store.repositories import IssuerRepository

    with _runtime() as runtime, runtime.sessions() as session:
        client = disable_client(session, args.client_id)
        session.commit()
        issuer = IssuerRepository(session).by_id(client.issuer_id)
        assert issuer is not None
        row = _client_row(client, issuer.slug)
    _print(
        row,
        args.json,
        lambda r: (
            f"client {r['client_id']} is revoked: it gets no more tokens and the ones it held "
            "stopped working"
        ),
    )
    return 0


def cmd_catalog_import(args: argparse.Namespace) -> int:
    from app.achievements.catalog_import import import_catalog
    from app.catalog.loader import load_catalog_file
    from app.issuer.issuers import get_issuer

    path = Path(args.file)
    catalog = load_catalog_file(path)
    with _runtime() as runtime, runtime.sessions() as session:
        issuer = get_issuer(session, args.issuer)
        summary = import_catalog(
            session,
            issuer,
            catalog,
            source_name=path.name,
            source_sha256=hashlib.sha256(path.read_bytes()).hexdigest(),
            actor="cli",
        )
        session.commit()
    row = {
        "issuer": args.issuer,
        "created": summary.created,
        "updated": summary.updated,
        "unchanged": summary.unchanged,
        "badges": [
            {"code": b.code, "uid": b.uid, "version": b.version, "change": b.change}
            for b in summary.badges
        ],
    }
    _print(
        row,
        args.json,
        lambda r: (
            f"imported {path.name} into {r['issuer']}: {r['created']} created, "
            f"{r['updated']} updated, {r['unchanged']} unchanged"
        ),
    )
    return 0


def _progress_bar(done: int, total: int) -> None:
    width = 30
    filled = width * done // max(total, 1)
    end = "\n" if done == total else ""
    print(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total}", end=end, file=sys.stderr)


def cmd_awards_expire(args: argparse.Namespace) -> int:
    from app.awards.expiry import expire_due

    with _runtime() as runtime:
        count = expire_due(runtime.sessions, runtime.settings, runtime.private_keys)
    _print({"expired": count}, args.json, lambda r: f"{r['expired']} awards expired")
    return 0


def cmd_awards_import(args: argparse.Namespace) -> int:
    from app.awards.csv_import import import_csv
    from app.awards.service import Actor, AwardService
    from app.issuer.issuers import get_issuer

    text = _read_utf8(Path(args.file), "CSV")
    with _runtime() as runtime, runtime.sessions() as session:
        issuer = get_issuer(session, args.issuer)
        actor = Actor(
            client_id=f"csv:{issuer.slug}",
            issuer_id=issuer.id,
            may_act_for=lambda other: other.id == issuer.id,
            request_id=f"csv:{Path(args.file).name}",
        )
        service = AwardService(session, runtime.settings, runtime.private_keys)
        summary = import_csv(
            service,
            text,
            actor,
            dry_run=args.dry_run,
            progress=_progress_bar if sys.stderr.isatty() and not args.json else _no_progress,
        )
    row = {
        "file": Path(args.file).name,
        "dryRun": args.dry_run,
        "rows": summary.rows,
        "issued": summary.issued,
        "alreadyIssued": summary.already_issued,
        "failed": summary.failed,
        "problems": summary.problems,
    }
    _print(
        row,
        args.json,
        lambda r: "\n".join(
            [
                *(f"  {problem}" for problem in r["problems"]),
                (
                    f"{r['file']}: {r['rows']} rows, {r['failed']} with problems"
                    + (
                        ""
                        if r["dryRun"]
                        else f", {r['issued']} issued, {r['alreadyIssued']} already issued"
                    )
                    + (" (dry run: nothing issued)" if r["dryRun"] else "")
                ),
            ]
        ),
    )
    return 1 if summary.failed else 0


def _no_progress(done: int, total: int) -> None:
    return None


def cmd_export(args: argparse.Namespace) -> int:
    from app.records.exports import export_awards, plan_export

    request = plan_export(
        issuer=args.issuer,
        format=args.format,
        since=args.since,
        until=args.until,
        out=Path(args.out),
        state=Path(args.state) if args.state else None,
        tree=args.tree,
        as_zip=args.zip,
        overwrite=args.overwrite,
    )
    with _runtime() as runtime, runtime.sessions() as session:
        manifest = export_awards(session, runtime, request)
    for warning in _fixable_skips(manifest.get("skipped", [])):
        print(f"warning: {warning}", file=sys.stderr)
    row = {
        "out": str(request.out),
        "state": str(request.state),
        **{key: manifest[key] for key in ("format", "issuer", "scope", "since", "until")},
        "counts": manifest["counts"],
    }
    _print(
        row,
        args.json,
        lambda r: (
            f"exported {sum(r['counts']['awards'].values())} changed awards of {r['issuer']} "
            f"({r['since']} to {r['until']}) as {r['format']} to {r['out']}: "
            f"{r['counts']['files']} files, {r['counts']['withdrawn']} withdrawn"
            + "".join(
                f", {r['counts'][name]} {label}"
                for name, label in (("skipped", "skipped"), ("noRecord", "without a record"))
                if r["counts"].get(name)
            )
        ),
    )
    return 0


_ISSUER_OPTIONS = {"url": "--url URL", "email": "--email ADDRESS"}


def _fixable_skips(skipped: list[dict[str, Any]]) -> list[str]:
    """One sentence per issuer whose missing details left awards out of an export, naming the
    command that adds them: the export succeeds, but it should not look complete."""
    awards: dict[str, int] = {}
    missing: dict[str, list[str]] = {}
    for item in skipped:
        if item.get("issuerMissing") and "awardId" in item:
            awards[item["issuer"]] = awards.get(item["issuer"], 0) + 1
            missing[item["issuer"]] = item["issuerMissing"]
    return [
        f"{count} award(s) were left out because issuer {slug!r} has no "
        f"{' and no '.join(missing[slug])} on record; add it with "
        f"`xqbadges issuers update {slug} "
        + " ".join(_ISSUER_OPTIONS[name] for name in missing[slug])
        + "` and export again"
        for slug, count in awards.items()
    ]


def cmd_catalog_validate(args: argparse.Namespace) -> int:
    from app.catalog.loader import load_catalog_file

    catalog = load_catalog_file(Path(args.file))
    print(f"{args.file}: valid, {len(catalog.badges)} badges")
    return 0


def cmd_openapi(args: argparse.Namespace) -> int:
    from app.openapi_file import render_openapi

    text = render_openapi()
    target = Path(args.output)
    if args.check:
        if not target.exists() or target.read_text(encoding="utf-8") != text:
            print(f"{target} is out of date; run: xqbadges openapi", file=sys.stderr)
            return 1
        print(f"{target} is up to date")
        return 0
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    print(f"wrote {target}")
    return 0


JSON_HELP = "print JSON instead of text"


def _scopes_help() -> str:
    from app.access.clients import SCOPES

    return 'space-separated, e.g. "awards:write awards:read"; known: ' + ", ".join(SCOPES)


def _csv_columns_help() -> str:
    from app.awards.csv_import import CSV_COLUMNS

    width = max(len(column.name) for column in CSV_COLUMNS)
    lines = [
        f"  {column.name:<{width}}  {'required' if column.required else 'optional'}  "
        f"{column.meaning}"
        for column in CSV_COLUMNS
    ]
    return "CSV columns (any order; unknown columns are refused):\n" + "\n".join(lines)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="xqbadges",
        description=__doc__,
        epilog="Relative paths in the settings are read from the data home (XQB_HOME); "
        "`xqbadges info` shows where this instance keeps its data.",
    )
    parser.add_argument(
        "--version", action="version", version=f"xqbadges {_version()}", help="print the version"
    )
    scopes_help = _scopes_help()
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="migrate, bootstrap and run the HTTP service")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on")
    serve.add_argument("--port", type=int, default=8000, help="TCP port to listen on")
    serve.set_defaults(handler=cmd_serve)

    info = commands.add_parser(
        "info", help="where the data lives: home, database, schema revision, keys, .env"
    )
    info.add_argument("--json", action="store_true", help=JSON_HELP)
    info.set_defaults(handler=cmd_info)

    db = commands.add_parser("db", help="database schema").add_subparsers(dest="sub", required=True)
    db.add_parser("upgrade", help="apply migrations up to head").set_defaults(
        handler=cmd_db_upgrade
    )

    issuers = commands.add_parser("issuers", help="issuers").add_subparsers(
        dest="sub", required=True
    )
    listing = issuers.add_parser("list", help="list issuers")
    listing.add_argument("--json", action="store_true", help=JSON_HELP)
    listing.set_defaults(handler=cmd_issuers_list)
    create = issuers.add_parser("create", help="create an issuer with a new signing key")
    create.add_argument("--slug", required=True, help="short name in URLs, e.g. wake-county")
    create.add_argument("--name", required=True, help="the organisation's name")
    create.add_argument("--parent", help="slug of the parent organisation")
    create.add_argument("--url", help="the organisation's web site")
    create.add_argument("--email", help="contact email (OB 2.0 exports need one)")
    create.add_argument("--description", help="a sentence about the organisation")
    create.add_argument("--image-url", help="URL of its logo")
    create.add_argument(
        "--status-method",
        choices=("BitstringStatusList", "1EdTechRevocationList"),
        default="BitstringStatusList",
        help="the status entry its credentials carry (both lists are served either way)",
    )
    create.add_argument("--json", action="store_true", help=JSON_HELP)
    create.set_defaults(handler=cmd_issuers_create)
    update = issuers.add_parser(
        "update",
        help="change an issuer's details; its slug and DID stay",
        description="Change the details the issuer's Profile publishes. Credentials already "
        "signed keep the profile they were signed with; the served Profile and the OB 2.0 "
        "issuer change at once.",
    )
    update.add_argument("slug", help="slug of the issuer")
    update.add_argument("--name", help="the organisation's name")
    update.add_argument("--url", help="its homepage, an absolute http(s) URL")
    update.add_argument("--email", help="its contact email (Open Badges 2.0 exports need one)")
    update.add_argument("--description", help="a short description")
    update.add_argument("--image-url", help="its logo, an absolute http(s) URL")
    update.add_argument(
        "--clear",
        action="append",
        choices=tuple(_CLEARABLE),
        help="remove an optional detail (repeatable)",
    )
    update.add_argument("--json", action="store_true", help=JSON_HELP)
    update.set_defaults(handler=cmd_issuers_update)
    show = issuers.add_parser("show", help="print the issuer's OB3 Profile")
    show.add_argument("slug", help="the issuer's slug")
    show.set_defaults(handler=cmd_issuers_show)

    keys = commands.add_parser("keys", help="signing keys").add_subparsers(
        dest="sub", required=True
    )
    keys_list = keys.add_parser("list", help="list public keys (never private ones)")
    keys_list.add_argument("--issuer", help="only this issuer's keys (slug)")
    keys_list.add_argument("--json", action="store_true", help=JSON_HELP)
    keys_list.set_defaults(handler=cmd_keys_list)
    rotate = keys.add_parser("rotate", help="sign with a new key; old public keys stay published")
    rotate.add_argument("--issuer", required=True, help="slug of the issuer")
    rotate.add_argument("--json", action="store_true", help=JSON_HELP)
    rotate.set_defaults(handler=cmd_keys_rotate)

    clients = commands.add_parser("clients", help="API clients").add_subparsers(
        dest="sub", required=True
    )
    client_create = clients.add_parser("create", help="register a client; prints its secret once")
    client_create.add_argument("--issuer", required=True, help="slug of the issuer it acts for")
    client_create.add_argument("--scopes", required=True, help=scopes_help)
    client_create.add_argument("--name", help="a label for people (default: ISSUER client)")
    client_create.add_argument(
        "--descendants", action="store_true", help="may also act for issuers below this one"
    )
    client_create.add_argument("--json", action="store_true", help=JSON_HELP)
    client_create.set_defaults(handler=cmd_clients_create)
    client_list = clients.add_parser("list", help="list clients, revoked ones marked disabled")
    client_list.add_argument("--json", action="store_true", help=JSON_HELP)
    client_list.set_defaults(handler=cmd_clients_list)
    client_update = clients.add_parser(
        "update",
        help="replace a client's scopes; tokens issued before lose any scope it no longer has",
    )
    client_update.add_argument("client_id", help="the client's id (xqb_...)")
    client_update.add_argument("--scopes", required=True, help=scopes_help)
    client_update.add_argument("--json", action="store_true", help=JSON_HELP)
    client_update.set_defaults(handler=cmd_clients_update)
    client_rotate = clients.add_parser(
        "rotate-secret",
        help="give a client a new secret, printed once; the old secret and its tokens stop working",
    )
    client_rotate.add_argument("client_id", help="the client's id (xqb_...)")
    client_rotate.add_argument("--json", action="store_true", help=JSON_HELP)
    client_rotate.set_defaults(handler=cmd_clients_rotate_secret)
    client_revoke = clients.add_parser(
        "revoke",
        help="disable a client for good; every token it holds stops working at once",
    )
    client_revoke.add_argument("client_id", help="the client's id (xqb_...)")
    client_revoke.add_argument("--json", action="store_true", help=JSON_HELP)
    client_revoke.set_defaults(handler=cmd_clients_revoke)

    catalog = commands.add_parser("catalog", help="badge catalogs").add_subparsers(
        dest="sub", required=True
    )
    catalog_import = catalog.add_parser("import", help="import a catalog file, all or nothing")
    catalog_import.add_argument("file", help="the catalog, .yaml, .yml or .json")
    catalog_import.add_argument("--issuer", required=True, help="slug of the issuer it belongs to")
    catalog_import.add_argument("--json", action="store_true", help=JSON_HELP)
    catalog_import.set_defaults(handler=cmd_catalog_import)
    validate = catalog.add_parser("validate", help="check a catalog file without importing it")
    validate.add_argument("file", help="the catalog, .yaml, .yml or .json")
    validate.set_defaults(handler=cmd_catalog_validate)

    awards = commands.add_parser("awards", help="awards").add_subparsers(dest="sub", required=True)
    awards_import = awards.add_parser(
        "import",
        help="award from a CSV file (one row per award); re-running issues nothing new",
        description=textwrap.fill(
            "Award from a UTF-8 CSV file, one row per award: every row is checked first; then, "
            "unless --dry-run, the good ones are issued. Re-running issues nothing new."
        ),
        epilog=_csv_columns_help(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    awards_import.add_argument("file", help="the CSV file; its header row names the columns")
    awards_import.add_argument("--issuer", required=True, help="slug of the awarding issuer")
    awards_import.add_argument(
        "--dry-run", action="store_true", help="check every row, issue nothing"
    )
    awards_import.add_argument("--json", action="store_true", help=JSON_HELP)
    awards_import.set_defaults(handler=cmd_awards_import)
    awards_expire = awards.add_parser(
        "expire",
        help="mark awards past their validUntil as expired now (the service does it every minute)",
    )
    awards_expire.add_argument("--json", action="store_true", help=JSON_HELP)
    awards_expire.set_defaults(handler=cmd_awards_expire)

    export = commands.add_parser(
        "export",
        help="write the awards that changed since a date as a folder (or zip) for a platform",
        description=(
            "Write the awards of an issuer whose state changed in [--since, --until) as a folder "
            "or zip file a badge platform can import, with a manifest.json of every file's "
            "size and SHA-256 and of the awards revoked or superseded in that window. Each run "
            "records its window in a state file, so `--since last` continues from the previous "
            "export's --until."
        ),
    )
    export.add_argument("--issuer", required=True, help="slug of the issuer")
    export.add_argument(
        "--since",
        required=True,
        help="ISO date or date-time (UTC unless it has an offset), or `last`: the previous "
        "export's --until, read from the state file",
    )
    export.add_argument("--until", help="ISO date or date-time, not in the future (default: now)")
    export.add_argument(
        "--format",
        required=True,
        choices=("ob3", "ob2", "clr", "csv"),
        help="ob3: signed credentials and baked PNGs; ob2: hosted assertions, BadgeClasses and "
        "issuer; clr: a CLR 2.0 per learner; csv: transcript.csv",
    )
    export.add_argument("--out", required=True, help="the folder (or, with --zip, file) to write")
    export.add_argument("--zip", action="store_true", help="write one .zip file, not a folder")
    export.add_argument(
        "--overwrite", action="store_true", help="replace --out once the new export is complete"
    )
    export.add_argument(
        "--tree", action="store_true", help="also the awards of every organisation under it"
    )
    export.add_argument(
        "--state",
        help="the file recording the last export's window (default: "
        ".xqbadges-export-ISSUER-FORMAT-SCOPE.json beside --out)",
    )
    export.add_argument("--json", action="store_true", help=JSON_HELP)
    export.set_defaults(handler=cmd_export)

    openapi = commands.add_parser("openapi", help="write (or --check) openapi/openapi.json")
    openapi.add_argument(
        "--output", default="openapi/openapi.json", help="where to write it (default: %(default)s)"
    )
    openapi.add_argument(
        "--check", action="store_true", help="exit 1 if the file differs; write nothing"
    )
    openapi.set_defaults(handler=cmd_openapi)
    return parser


def _report_catalog_error(error: Exception) -> None:
    problems = getattr(error, "problems", [])
    print(
        f"error: the catalog has {len(problems)} problem(s); nothing was imported", file=sys.stderr
    )
    for problem in problems:
        print(f"  {problem.location}: {problem.message}", file=sys.stderr)


def _settings_problems(error: ValidationError) -> str:
    return "; ".join(
        f"XQB_{'_'.join(str(part) for part in item['loc']).upper()}: "
        + str(item["msg"]).removeprefix("Value error, ")
        for item in error.errors()
    )


def main(argv: Sequence[str] | None = None) -> int:
    from sqlalchemy.exc import DBAPIError

    from app.catalog.loader import CatalogError
    from app.instance import InstanceNotReady, database_error_sentence
    from app.issuer.keystore import KeyStoreError

    args = build_parser().parse_args(argv)
    try:
        return int(args.handler(args))
    except (CommandError, InstanceNotReady) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except DBAPIError as error:
        print(f"error: {database_error_sentence(error, get_settings())}", file=sys.stderr)
        return 2
    except ValidationError as error:
        if error.title != Settings.__name__:
            raise
        print(f"error: invalid settings: {_settings_problems(error)}", file=sys.stderr)
        return 2
    except CatalogError as error:
        _report_catalog_error(error)
        return 2
    except Problem as problem:
        print(f"error: {problem.detail}", file=sys.stderr)
        for item in problem.errors:
            print(f"  {item.location}: {item.message}", file=sys.stderr)
        return 2
    except (KeyStoreError, OSError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
