"""Hand-offs for badge platforms (Credly, SkillStack, Canvas Credentials): what an issuer's
awards became in a time window, as a folder or zip file a platform administrator imports.

An award is in an export when its ``changed_at`` falls in ``[since, until)``: issued, revoked,
superseded or expired in that window. Running again from the previous ``until`` picks up where
that export ended, and the same window always selects the same awards. The formats:

- ``ob3``: ``credentials/<award>.json``, the signed OpenBadgeCredential as stored, and
  ``images/<award>.png``, the badge with it baked in;
- ``ob2``: ``assertions/<award>.json`` and ``images/<award>.png`` (baked under ``openbadges``),
  ``badges/<achievement>-v<version>.json``, ``issuer.json``, and ``issuers/<slug>.json`` for any
  other issuer that defines an exported badge;
- ``clr``: ``clr/<learnerId>.json``, a CLR 2.0 of each learner's current badges;
- ``csv``: ``transcript.csv``, one row per current badge of those learners.

Every export has a ``manifest.json`` listing each file with its size and SHA-256, and the awards
revoked or superseded in the window under ``withdrawn``, so the platform can withdraw them; their
credentials are never exported as if valid. Stored credentials give the same bytes on every run;
CLRs are assembled and signed when the export runs, so theirs differ. CLRs and transcripts hold
each learner's record at the time of the export, not at ``until``.

The export is written beside its destination and renamed into place once complete, so a failed
run never leaves half a folder, and ``--overwrite`` replaces an old export only with a whole one.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import uuid
import zipfile
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any, Final, Literal, Protocol, cast, get_args

from sqlalchemy.orm import Session

from app.issuer.issuers import get_issuer
from app.pages.credential_page import CredentialPages
from app.problems import Conflict, InvalidRequest
from app.records.learner_records import ClrSigner, LearnerRecord, LearnerRecords, Scope
from app.records.ob2_export import Ob2Export, Ob2Unavailable, missing_issuer_details
from app.records.transcripts import transcript_csv, transcript_rows
from app.runtime import Runtime
from app.store.models import Achievement, Award, Issuer, Learner
from app.store.repositories import AwardRepository, IssuerRepository

Format = Literal["ob3", "ob2", "clr", "csv"]
FORMATS: Final[tuple[str, ...]] = get_args(Format)
STATUSES: Final = ("active", "revoked", "superseded", "expired")
WITHDRAWN: Final = frozenset({"revoked", "superseded"})
MANIFEST: Final = "manifest.json"
CHUNK_SIZE: Final = 500
_ZIP_EPOCH: Final = datetime(1980, 1, 1, tzinfo=UTC)
_NO_RECORD = (
    "the learner holds no current badges (every award was revoked, superseded or expired), "
    "so there is no record to export"
)
_NOTES: Final[dict[str, tuple[str, ...]]] = {
    "ob3": (
        "Credentials are the signed documents as issued; exporting again gives the same bytes.",
    ),
    "ob2": (
        "Assertions use hosted verification: each id is the URL it answers at.",
        "Awards with no Open Badges 2.0 form are listed under skipped with the reason; "
        "issuerMissing names the issuer details to add (xqbadges issuers update).",
    ),
    "clr": (
        "Each CLR is assembled and signed when the export runs, so its bytes (id, validFrom, "
        "proof) differ between runs; the credentials inside are the stored ones.",
    ),
    "csv": ("Rows are the learners' current badges at the time of the export.",),
}


class ExportRefused(Conflict):
    code, title = "export-refused", "The export cannot be written"


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def parse_moment(text: str, option: str) -> datetime:
    """An ISO 8601 date (its midnight UTC) or date and time (UTC unless it names an offset)."""
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise InvalidRequest(
            f"{option} {text!r} is not an ISO 8601 date or date and time, "
            "e.g. 2026-05-01 or 2026-05-01T08:30:00Z"
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


# -- what to export --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ExportRequest:
    issuer: str
    format: Format
    since: datetime
    until: datetime
    out: Path
    state: Path
    tree: bool = False
    as_zip: bool = False
    overwrite: bool = False
    started_at: datetime = field(default_factory=lambda: datetime.now(UTC))

    @property
    def scope(self) -> Scope:
        return "tree" if self.tree else "issuer"


def default_state_path(out: Path, issuer: str, format: str, tree: bool) -> Path:
    """Where the window of the last export is kept unless ``--state`` names a file: beside the
    output, so successive exports into one folder continue from each other."""
    scope = "tree" if tree else "issuer"
    return out.parent / f".xqbadges-export-{issuer}-{format}-{scope}.json"


def plan_export(
    *,
    issuer: str,
    format: str,
    since: str,
    until: str | None,
    out: Path,
    state: Path | None = None,
    tree: bool = False,
    as_zip: bool = False,
    overwrite: bool = False,
) -> ExportRequest:
    """The request from command-line text; ``since`` may be ``last``: the previous export's
    ``until``, read from the state file."""
    if format not in FORMATS:
        raise InvalidRequest(f"--format must be one of {', '.join(FORMATS)}")
    started = datetime.now(UTC)
    state = state or default_state_path(out, issuer, format, tree)
    end = started if until is None else parse_moment(until, "--until")
    if end > started:
        raise InvalidRequest(
            f"--until {iso(end)} is in the future; awards could still change in that window"
        )
    if since.strip().lower() == "last":
        start = _last_until(state, issuer, format, "tree" if tree else "issuer")
    else:
        start = parse_moment(since, "--since")
    if start >= end:
        raise InvalidRequest(f"--since {iso(start)} is not before --until {iso(end)}")
    return ExportRequest(
        issuer=issuer,
        format=cast(Format, format),
        since=start,
        until=end,
        out=out,
        state=state,
        tree=tree,
        as_zip=as_zip,
        overwrite=overwrite,
        started_at=started,
    )


def _last_until(state: Path, issuer: str, format: str, scope: str) -> datetime:
    try:
        recorded = json.loads(state.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ExportRefused(
            f"--since last: no earlier export is recorded in {state}; give --since DATE for the "
            "first export (or --state FILE if the last one was recorded elsewhere)"
        ) from None
    except (OSError, ValueError) as error:
        raise ExportRefused(f"--since last: cannot read {state}: {error}") from None
    wanted = {"issuer": issuer, "format": format, "scope": scope}
    found = {key: recorded.get(key) for key in wanted} if isinstance(recorded, dict) else {}
    if found != wanted:
        raise ExportRefused(f"--since last: {state} records another export ({found}), not {wanted}")
    return parse_moment(str(recorded.get("until")), f"the until recorded in {state}")


def _record_state(request: ExportRequest, manifest: Mapping[str, Any]) -> None:
    recorded = {
        key: manifest[key] for key in ("issuer", "format", "scope", "since", "until", "createdAt")
    }
    recorded["output"] = str(request.out.resolve())
    request.state.parent.mkdir(parents=True, exist_ok=True)
    partial = request.state.with_name(f".{request.state.name}.{uuid.uuid4().hex[:8]}")
    partial.write_text(json.dumps(recorded, indent=2) + "\n", encoding="utf-8")
    os.replace(partial, request.state)


# -- where it goes ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class FileEntry:
    path: str
    size: int
    sha256: str

    def as_dict(self) -> dict[str, Any]:
        return {"path": self.path, "size": self.size, "sha256": self.sha256}


class Bundle:
    """The export's files, written into a folder or a zip file and hashed as they are written."""

    def __init__(self, target: Path, as_zip: bool, moment: datetime) -> None:
        self.target = target
        self.entries: list[FileEntry] = []
        self._zip: zipfile.ZipFile | None = None
        stamp = max(moment, _ZIP_EPOCH)
        self._date_time = (
            stamp.year,
            stamp.month,
            stamp.day,
            stamp.hour,
            stamp.minute,
            stamp.second,
        )
        if as_zip:
            self._zip = zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED)
        else:
            target.mkdir()

    def add(self, path: str, data: bytes) -> None:
        with self.stream(path) as write:
            write(data)

    @contextmanager
    def stream(self, path: str) -> Iterator[Callable[[bytes], None]]:
        digest, size = hashlib.sha256(), 0
        with self._open(path) as handle:

            def write(data: bytes) -> None:
                nonlocal size
                digest.update(data)
                size += len(data)
                handle.write(data)

            yield write
        self.entries.append(FileEntry(path, size, digest.hexdigest()))

    def _open(self, path: str) -> IO[bytes]:
        if self._zip is not None:
            info = zipfile.ZipInfo(path, date_time=self._date_time)
            info.compress_type = zipfile.ZIP_DEFLATED
            return self._zip.open(info, "w")
        file = self.target / path
        file.parent.mkdir(parents=True, exist_ok=True)
        return file.open("xb")

    def close(self) -> None:
        if self._zip is not None:
            self._zip.close()


def _exists(path: Path) -> bool:
    return path.exists() or path.is_symlink()


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    elif _exists(path):
        path.unlink()


def _refuse_existing(out: Path) -> None:
    raise ExportRefused(
        f"{out} already exists; choose another --out, or pass --overwrite to replace it"
    )


def _move_into_place(partial: Path, out: Path, overwrite: bool) -> None:
    """Rename the finished export to ``out``; an old one is set aside first and removed only
    once the new one is in place."""
    if not _exists(out):
        os.rename(partial, out)
        return
    if not overwrite:
        _refuse_existing(out)
    aside = out.with_name(f".{out.name}.old-{uuid.uuid4().hex[:8]}")
    os.rename(out, aside)
    try:
        os.rename(partial, out)
    except OSError:
        os.rename(aside, out)
        raise
    _remove(aside)


# -- the formats -----------------------------------------------------------------------------------


class _FormatWriter(Protocol):
    def award(self, award: Award) -> None: ...

    def finish(self, learner_ids: Sequence[int]) -> None: ...

    def withdrawn(self, award: Award) -> dict[str, Any]: ...

    def report(self) -> dict[str, Any]: ...


class _Ob3Writer:
    def __init__(self, export: AwardExport) -> None:
        self.bundle = export.bundle
        self.pages = CredentialPages(export.session, export.runtime)

    def award(self, award: Award) -> None:
        if award.status in WITHDRAWN:
            return
        self.bundle.add(f"credentials/{award.uid}.json", _json(award.credential))
        self.bundle.add(f"images/{award.uid}.png", self.pages.png(award))

    def finish(self, learner_ids: Sequence[int]) -> None:
        return None

    def withdrawn(self, award: Award) -> dict[str, Any]:
        return {}

    def report(self) -> dict[str, Any]:
        return {}


class _Ob2Writer:
    def __init__(self, export: AwardExport) -> None:
        self.session = export.session
        self.bundle = export.bundle
        self.issuer = export.issuer
        self.ob2 = Ob2Export(export.session, export.runtime.settings)
        self.badges: set[tuple[str, int]] = set()
        self.badge_issuers: set[int] = set()
        self.skipped: list[dict[str, Any]] = []

    def award(self, award: Award) -> None:
        if award.status in WITHDRAWN:
            return
        reason = self.ob2.unavailable_reason(award)
        if reason is not None:
            issuer, missing = self.ob2.badge_issuer_missing(award)
            fix = {"issuer": issuer.slug, "issuerMissing": missing} if missing else {}
            self.skipped.append({**_award_ref(award), "reason": reason, **fix})
            return
        self.bundle.add(f"assertions/{award.uid}.json", _json(self.ob2.assertion(award).document))
        self.bundle.add(f"images/{award.uid}.png", self.ob2.baked_png(award))
        achievement = self.session.get(Achievement, award.achievement_id)
        assert achievement is not None
        self.badges.add((achievement.uid, award.achievement_version))
        self.badge_issuers.add(achievement.issuer_id)

    def finish(self, learner_ids: Sequence[int]) -> None:
        for uid, version in sorted(self.badges):
            self.bundle.add(
                f"badges/{uid}-v{version}.json", _json(self.ob2.badge_class(uid, version))
            )
        self._issuer_profile(self.issuer, "issuer.json")
        for issuer_id in sorted(self.badge_issuers - {self.issuer.id}):
            other = self.session.get(Issuer, issuer_id)
            assert other is not None
            self._issuer_profile(other, f"issuers/{other.slug}.json")

    def _issuer_profile(self, issuer: Issuer, path: str) -> None:
        try:
            self.bundle.add(path, _json(self.ob2.issuer_profile(issuer.slug)))
        except Ob2Unavailable as gap:
            self.skipped.append(
                {
                    "path": path,
                    "issuer": issuer.slug,
                    "reason": gap.detail,
                    "issuerMissing": missing_issuer_details(issuer),
                }
            )

    def withdrawn(self, award: Award) -> dict[str, Any]:
        if self.ob2.unavailable_reason(award) is not None:
            return {}
        return {"assertionId": self.ob2.assertion_url(award.credential_token)}

    def report(self) -> dict[str, Any]:
        return {"skipped": self.skipped}


class _RecordWriter:
    """Shared by ``clr`` and ``csv``: the current record of each learner with a changed award."""

    def __init__(self, export: AwardExport) -> None:
        self.export = export
        self.records = LearnerRecords(export.session, export.runtime.settings)
        self.no_record: list[dict[str, Any]] = []

    def award(self, award: Award) -> None:
        return None

    def withdrawn(self, award: Award) -> dict[str, Any]:
        return {}

    def report(self) -> dict[str, Any]:
        return {"noRecord": self.no_record}

    def _records(self, learner_ids: Sequence[int]) -> Iterator[LearnerRecord]:
        """Each learner's record, one at a time; learners whose record is empty are listed
        under ``noRecord`` instead."""
        export = self.export
        for learner_id in learner_ids:
            learner = export.session.get(Learner, learner_id)
            assert learner is not None
            record = self.records.record(
                learner, export.issuer, export.request.scope, now=export.request.started_at
            )
            if record.entries:
                yield record
            else:
                self.no_record.append({"learnerId": learner.public_id, "reason": _NO_RECORD})


class _ClrWriter(_RecordWriter):
    def __init__(self, export: AwardExport) -> None:
        super().__init__(export)
        self.signer = ClrSigner(
            export.session, export.runtime.settings, export.runtime.private_keys
        )

    def finish(self, learner_ids: Sequence[int]) -> None:
        for record in self._records(learner_ids):
            signed = self.signer.signed(record)
            self.export.bundle.add(f"clr/{record.learner.public_id}.json", _json(signed))


class _CsvWriter(_RecordWriter):
    def finish(self, learner_ids: Sequence[int]) -> None:
        settings = self.export.runtime.settings
        with self.export.bundle.stream("transcript.csv") as write:
            write(transcript_csv([]).encode("utf-8"))
            for record in self._records(learner_ids):
                rows = transcript_csv([(record, transcript_rows(record, settings))])
                write(rows.partition("\r\n")[2].encode("utf-8"))


_WRITERS: Final[dict[str, Callable[[AwardExport], _FormatWriter]]] = {
    "ob3": _Ob3Writer,
    "ob2": _Ob2Writer,
    "clr": _ClrWriter,
    "csv": _CsvWriter,
}


def _json(document: Mapping[str, Any]) -> bytes:
    return (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def _award_ref(award: Award) -> dict[str, Any]:
    return {"awardId": award.uid, "credentialId": award.credential.get("id")}


# -- the export ------------------------------------------------------------------------------------


class AwardExport:
    """One run: selects the changed awards page by page and hands them to the format."""

    def __init__(
        self,
        session: Session,
        runtime: Runtime,
        request: ExportRequest,
        issuer: Issuer,
        bundle: Bundle,
    ) -> None:
        self.session = session
        self.runtime = runtime
        self.request = request
        self.issuer = issuer
        self.bundle = bundle
        self.awards = AwardRepository(session)

    def issuer_ids(self) -> set[int]:
        ids = {self.issuer.id}
        if self.request.tree:
            ids |= IssuerRepository(self.session).descendant_ids(self.issuer.id)
        return ids

    def changed(self) -> Iterator[Award]:
        """The awards changed in the window, oldest change first, ``CHUNK_SIZE`` at a time."""
        issuer_ids = self.issuer_ids()
        after: tuple[datetime, int] | None = None
        while True:
            page = self.awards.changed_between(
                issuer_ids,
                self.request.since,
                self.request.until,
                after=after,
                limit=CHUNK_SIZE,
            )
            yield from page
            if len(page) < CHUNK_SIZE:
                return
            after = (page[-1].changed_at, page[-1].id)

    def run(self) -> dict[str, Any]:
        writer = _WRITERS[self.request.format](self)
        statuses: Counter[str] = Counter({status: 0 for status in STATUSES})
        learner_ids: set[int] = set()
        withdrawn: list[dict[str, Any]] = []
        for award in self.changed():
            statuses[award.status] += 1
            learner_ids.add(award.learner_id)
            if award.status in WITHDRAWN:
                withdrawn.append(
                    {
                        **_award_ref(award),
                        "status": award.status,
                        "changedAt": iso(award.changed_at),
                        **writer.withdrawn(award),
                    }
                )
            writer.award(award)
        writer.finish(sorted(learner_ids))
        extra = writer.report()
        return self._manifest(dict(statuses), len(learner_ids), withdrawn, extra)

    def _manifest(
        self,
        statuses: dict[str, int],
        learners: int,
        withdrawn: list[dict[str, Any]],
        extra: dict[str, Any],
    ) -> dict[str, Any]:
        request = self.request
        files = sorted(self.bundle.entries, key=lambda entry: entry.path)
        return {
            "generator": "xqbadges export",
            "format": request.format,
            "issuer": self.issuer.slug,
            "scope": request.scope,
            "since": iso(request.since),
            "until": iso(request.until),
            "createdAt": iso(request.started_at),
            "counts": {
                "awards": statuses,
                "learners": learners,
                "files": len(files),
                "withdrawn": len(withdrawn),
                **{name: len(items) for name, items in extra.items()},
            },
            "notes": list(_NOTES[request.format]),
            "files": [entry.as_dict() for entry in files],
            "withdrawn": withdrawn,
            **extra,
        }


def export_awards(session: Session, runtime: Runtime, request: ExportRequest) -> dict[str, Any]:
    """Write the export to ``request.out``, record its window in ``request.state`` and return
    the manifest, which lists every file of the export but ``manifest.json`` itself."""
    issuer = get_issuer(session, request.issuer)
    if _exists(request.out) and not request.overwrite:
        _refuse_existing(request.out)
    request.out.parent.mkdir(parents=True, exist_ok=True)
    partial = request.out.with_name(f".{request.out.name}.partial-{uuid.uuid4().hex[:8]}")
    try:
        bundle = Bundle(partial, request.as_zip, request.until)
        try:
            manifest = AwardExport(session, runtime, request, issuer, bundle).run()
            bundle.add(MANIFEST, _json(manifest))
        finally:
            bundle.close()
        _move_into_place(partial, request.out, request.overwrite)
    except BaseException:
        _remove(partial)
        raise
    _record_state(request, manifest)
    return manifest
