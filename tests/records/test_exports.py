"""Platform exports: the awards that changed in a window, in each format, with a manifest."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import zipfile
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.credentials.baking import OB2_PNG_KEYWORD, extract_from_png
from app.issuer.issuers import get_issuer
from app.pages.credential_page import CredentialPages
from app.problems import InvalidRequest, NotFound
from app.records import exports
from app.records.exports import ExportRefused, export_awards, plan_export
from app.runtime import Runtime
from app.store.repositories import AwardRepository
from app.verifier.service import VerificationService
from tests.helpers import bearer

EPOCH = "2000-01-01"
BO = {"email": "bo.chen@students.example.org", "studentId": "S-2002", "name": "Bo Chen"}
NO_EMAIL = {"studentId": "S-3003", "name": "Cy Diaz"}

Give = Callable[..., dict[str, Any]]
Export = Callable[..., tuple[Path, dict[str, Any]]]


@pytest.fixture
def writer(make_token) -> dict[str, str]:
    return bearer(make_token("awards:write awards:read awards:revoke"))


@pytest.fixture
def give(award: Give) -> Give:
    """Award a badge through the API as this module's writer (the shared ``award`` fixture)."""
    return award


@pytest.fixture
def revoke(client: TestClient, writer: dict[str, str]) -> Callable[[str], None]:
    def revoke_award(uid: str) -> None:
        response = client.post(
            f"/api/v1/awards/{uid}/revoke", json={"reason": "awarded in error"}, headers=writer
        )
        assert response.status_code == 200, response.text

    return revoke_award


@pytest.fixture
def export(runtime: Runtime, tmp_path: Path) -> Export:
    """Run an export of issuer ``xq`` into ``tmp_path/<out>``; the path and its manifest."""

    def run(
        fmt: str, since: str = EPOCH, out: str = "export", **options: Any
    ) -> tuple[Path, dict[str, Any]]:
        request = plan_export(
            issuer=options.pop("issuer", "xq"),
            format=fmt,
            since=since,
            until=options.pop("until", None),
            out=tmp_path / out,
            **options,
        )
        with runtime.sessions() as session:
            manifest = export_awards(session, runtime, request)
        return request.out, manifest

    return run


def set_issuer_contact(runtime: Runtime, email: str | None, url: str | None) -> None:
    with runtime.sessions() as session:
        issuer = get_issuer(session, "xq")
        issuer.email, issuer.url = email, url
        session.commit()


def read_manifest(folder: Path) -> dict[str, Any]:
    return dict(json.loads((folder / "manifest.json").read_text(encoding="utf-8")))


def files_in(folder: Path) -> dict[str, bytes]:
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in folder.rglob("*")
        if path.is_file()
    }


def assert_checksums(manifest: dict[str, Any], files: dict[str, bytes]) -> None:
    """The manifest lists every file but itself, with its true size and SHA-256."""
    listed = {entry["path"]: entry for entry in manifest["files"]}
    assert set(listed) == set(files) - {"manifest.json"}
    for path, data in files.items():
        if path != "manifest.json":
            assert listed[path]["size"] == len(data), path
            assert listed[path]["sha256"] == hashlib.sha256(data).hexdigest(), path
    assert manifest["counts"]["files"] == len(listed)


# -- ob3 ------------------------------------------------------------------------------------------


def test_ob3_exports_each_credential_with_its_baked_image(
    export: Export, give: Give, revoke, runtime: Runtime
) -> None:
    kept = give()
    gone = give(recipient=dict(BO))
    revoke(gone["id"])
    folder, manifest = export("ob3")

    files = files_in(folder)
    assert set(files) == {
        "manifest.json",
        f"credentials/{kept['id']}.json",
        f"images/{kept['id']}.png",
    }
    assert_checksums(manifest, files)
    assert read_manifest(folder) == manifest
    credential = json.loads(files[f"credentials/{kept['id']}.json"])
    assert credential == kept["credential"]
    assert extract_from_png(files[f"images/{kept['id']}.png"]) == credential
    with runtime.sessions() as session:
        assert VerificationService(session, runtime).verify(credential).verified
        award = AwardRepository(session).by_uid(kept["id"])
        assert award is not None
        assert files[f"images/{kept['id']}.png"] == CredentialPages(session, runtime).png(award)

    assert (manifest["format"], manifest["issuer"], manifest["scope"]) == ("ob3", "xq", "issuer")
    assert manifest["since"] == "2000-01-01T00:00:00Z"
    assert manifest["counts"]["awards"] == {
        "active": 1,
        "revoked": 1,
        "superseded": 0,
        "expired": 0,
    }
    assert manifest["counts"]["learners"] == 2
    [withdrawn] = manifest["withdrawn"]
    assert withdrawn["awardId"] == gone["id"]
    assert withdrawn["credentialId"] == gone["publicUrl"]
    assert withdrawn["status"] == "revoked"
    assert datetime.fromisoformat(withdrawn["changedAt"]) < datetime.fromisoformat(
        manifest["until"]
    )


def test_the_zip_holds_the_same_files_as_the_folder(export: Export, give: Give) -> None:
    give()
    give(recipient=dict(BO))
    folder, manifest = export("ob3")
    archive, zipped_manifest = export("ob3", out="export.zip", as_zip=True, until=manifest["until"])
    with zipfile.ZipFile(archive) as bundle:
        zipped = {name: bundle.read(name) for name in bundle.namelist()}
    assert_checksums(zipped_manifest, zipped)
    assert json.loads(zipped["manifest.json"]) == zipped_manifest
    assert zipped_manifest["files"] == manifest["files"]
    assert set(zipped) == set(files_in(folder))


def test_a_superseded_award_is_withdrawn_and_its_replacement_exported(
    export: Export, give: Give, client: TestClient, writer: dict[str, str]
) -> None:
    old = give()
    response = client.post(
        f"/api/v1/awards/{old['id']}/reissue",
        json={"name": "Ana María López", "reason": "name corrected"},
        headers=writer,
    )
    assert response.status_code == 201, response.text
    new = response.json()
    folder, manifest = export("ob3")
    assert [item["awardId"] for item in manifest["withdrawn"]] == [old["id"]]
    assert manifest["withdrawn"][0]["status"] == "superseded"
    assert sorted(files_in(folder)) == [
        f"credentials/{new['id']}.json",
        f"images/{new['id']}.png",
        "manifest.json",
    ]


def test_awards_are_read_in_chunks(
    export: Export, give: Give, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(exports, "CHUNK_SIZE", 2)
    awarded = [give(recipient={**BO, "studentId": f"S-{n}"}) for n in range(5)]
    _folder, manifest = export("ob3")
    paths = [entry["path"] for entry in manifest["files"]]
    assert sorted(paths) == sorted(
        [f"credentials/{item['id']}.json" for item in awarded]
        + [f"images/{item['id']}.png" for item in awarded]
    )
    assert manifest["counts"]["awards"]["active"] == 5


# -- incremental and repeatable -------------------------------------------------------------------


def test_the_next_export_holds_only_what_changed_since_the_last(
    export: Export, give: Give, revoke
) -> None:
    first = give()
    second = give(recipient=dict(BO))
    _folder, before = export("ob3", out="first")
    assert before["counts"]["awards"]["active"] == 2

    third = give(recipient={**BO, "studentId": "S-9"})
    revoke(first["id"])
    folder, after = export("ob3", since="last", out="second")

    assert after["since"] == before["until"]
    assert sorted(files_in(folder)) == [
        f"credentials/{third['id']}.json",
        f"images/{third['id']}.png",
        "manifest.json",
    ]
    assert [item["awardId"] for item in after["withdrawn"]] == [first["id"]]
    assert after["counts"]["awards"] == {"active": 1, "revoked": 1, "superseded": 0, "expired": 0}
    assert second["id"] not in json.dumps(after)


def test_the_same_window_gives_the_same_files(export: Export, give: Give, revoke) -> None:
    give()
    revoke(give(recipient=dict(BO))["id"])
    _one, first = export("ob3", out="one")
    give(recipient={**BO, "studentId": "S-9"})
    _two, again = export("ob3", out="two", until=first["until"])
    assert again["files"] == first["files"]
    assert again["withdrawn"] == first["withdrawn"]
    assert (again["since"], again["until"]) == (first["since"], first["until"])


def test_since_last_without_an_earlier_export_is_refused(export: Export) -> None:
    with pytest.raises(ExportRefused, match="no earlier export is recorded"):
        export("ob3", since="last")


def test_the_state_file_records_the_window(export: Export, give: Give, tmp_path: Path) -> None:
    give()
    _folder, manifest = export("ob2")
    state = json.loads((tmp_path / ".xqbadges-export-xq-ob2-issuer.json").read_text())
    assert state["until"] == manifest["until"]
    assert (state["issuer"], state["format"], state["scope"]) == ("xq", "ob2", "issuer")


@pytest.mark.parametrize(
    ("since", "until", "message"),
    [
        ("yesterday", None, "--since 'yesterday' is not an ISO 8601 date"),
        ("2026-02-30", None, "--since '2026-02-30' is not an ISO 8601 date"),
        (EPOCH, "2999-01-01", "is in the future"),
        ("2020-01-02", "2020-01-01", "is not before --until"),
    ],
)
def test_bad_windows_are_refused(since: str, until: str | None, message: str) -> None:
    with pytest.raises(InvalidRequest, match=message):
        plan_export(issuer="xq", format="ob3", since=since, until=until, out=Path("x"))


def test_dates_and_offsets_are_read_as_utc() -> None:
    assert exports.parse_moment("2026-05-01", "--since") == datetime(2026, 5, 1, tzinfo=UTC)
    assert exports.parse_moment("2026-05-01T10:00:00+02:00", "--since") == datetime(
        2026, 5, 1, 8, tzinfo=UTC
    )
    assert exports.parse_moment("2026-05-01T08:00:00Z", "--since").tzinfo == UTC


# -- safety ---------------------------------------------------------------------------------------


def test_an_existing_output_is_kept_unless_overwrite(export: Export, give: Give) -> None:
    give()
    folder, _manifest = export("ob3")
    (folder / "marker").write_text("old")
    with pytest.raises(ExportRefused, match="already exists"):
        export("ob3")
    assert (folder / "marker").exists()
    _folder, manifest = export("ob3", overwrite=True)
    assert not (folder / "marker").exists()
    assert_checksums(manifest, files_in(folder))


def test_a_failed_export_leaves_the_old_one_and_no_partial_folder(
    export: Export, give: Give, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    give()
    folder, before = export("ob3")

    def broken(self: CredentialPages, award: object) -> bytes:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(CredentialPages, "png", broken)
    with pytest.raises(RuntimeError, match="disk on fire"):
        export("ob3", overwrite=True)
    assert read_manifest(folder) == before
    assert sorted(path.name for path in tmp_path.iterdir() if path.name.startswith(".export")) == []


def test_an_unknown_issuer_is_refused_before_anything_is_written(
    export: Export, tmp_path: Path
) -> None:
    with pytest.raises(NotFound, match="there is no issuer 'nobody'"):
        export("ob3", issuer="nobody")
    assert not (tmp_path / "export").exists()


# -- ob2 ------------------------------------------------------------------------------------------


def test_ob2_exports_assertions_badges_and_the_issuer(
    export: Export, give: Give, runtime: Runtime
) -> None:
    set_issuer_contact(runtime, "badges@xq.example.org", "https://xqsuperschool.org")
    kept = give(recipient=dict(BO))
    nameless = give(recipient=dict(NO_EMAIL))
    folder, manifest = export("ob2")

    files = files_in(folder)
    assert_checksums(manifest, files)
    achievement = kept["credential"]["credentialSubject"]["achievement"]["id"].rsplit("/", 1)[1]
    assert set(files) == {
        "manifest.json",
        "issuer.json",
        f"assertions/{kept['id']}.json",
        f"images/{kept['id']}.png",
        f"badges/{achievement}-v1.json",
    }
    assertion = json.loads(files[f"assertions/{kept['id']}.json"])
    assert assertion["type"] == "Assertion"
    assert assertion["badge"].endswith(f"/ob2/badges/{achievement}?version=1")
    baked = extract_from_png(files[f"images/{kept['id']}.png"], keyword=OB2_PNG_KEYWORD)
    assert baked == assertion
    badge = json.loads(files[f"badges/{achievement}-v1.json"])
    assert badge["id"] == assertion["badge"]
    issuer = json.loads(files["issuer.json"])
    assert badge["issuer"] == issuer["id"]
    assert issuer["email"] == "badges@xq.example.org"

    [skipped] = manifest["skipped"]
    assert skipped["awardId"] == nameless["id"]
    assert "hashed email address" in skipped["reason"]
    assert manifest["counts"]["skipped"] == 1


def test_ob2_without_issuer_contact_lists_every_item_as_skipped(export: Export, give: Give) -> None:
    awarded = give()
    folder, manifest = export("ob2")
    assert sorted(files_in(folder)) == ["manifest.json"]
    reasons = {item.get("awardId") or item["path"]: item["reason"] for item in manifest["skipped"]}
    assert set(reasons) == {awarded["id"], "issuer.json"}
    assert all("contact email" in reason for reason in reasons.values())


def test_ob2_lists_a_revoked_assertion_as_withdrawn(
    export: Export, give: Give, revoke, runtime: Runtime
) -> None:
    set_issuer_contact(runtime, "badges@xq.example.org", "https://xqsuperschool.org")
    gone = give()
    revoke(gone["id"])
    folder, manifest = export("ob2")
    [withdrawn] = manifest["withdrawn"]
    token = gone["publicUrl"].rsplit("/", 1)[1]
    assert withdrawn["assertionId"].endswith(f"/ob2/assertions/{token}")
    assert not any(path.startswith("assertions/") for path in files_in(folder))


# -- clr and csv ----------------------------------------------------------------------------------


def test_clr_has_one_signed_record_per_learner_and_names_the_empty_ones(
    export: Export, give: Give, revoke, runtime: Runtime
) -> None:
    first = give(achievement="M101")
    second = give(achievement="M102", results=[])
    gone = give(recipient=dict(BO))
    revoke(gone["id"])
    folder, manifest = export("clr")

    files = files_in(folder)
    assert_checksums(manifest, files)
    assert set(files) == {"manifest.json", f"clr/{first['learnerId']}.json"}
    clr = json.loads(files[f"clr/{first['learnerId']}.json"])
    assert "ClrCredential" in clr["type"]
    embedded = {item["id"] for item in clr["credentialSubject"]["verifiableCredential"]}
    assert embedded == {first["publicUrl"], second["publicUrl"]}
    with runtime.sessions() as session:
        assert VerificationService(session, runtime).verify(clr).verified
    assert [item["learnerId"] for item in manifest["noRecord"]] == [gone["learnerId"]]
    assert manifest["counts"]["learners"] == 2
    assert any("differ between runs" in note for note in manifest["notes"])


def test_csv_has_a_row_per_current_badge_of_each_changed_learner(
    export: Export, give: Give, revoke
) -> None:
    give(achievement="M101")
    give(achievement="M102", results=[])
    revoke(give(recipient=dict(BO))["id"])
    folder, manifest = export("csv")

    files = files_in(folder)
    assert_checksums(manifest, files)
    assert set(files) == {"manifest.json", "transcript.csv"}
    rows = list(csv.DictReader(io.StringIO(files["transcript.csv"].decode("utf-8"))))
    assert [(row["studentId"], row["badgeCode"]) for row in rows] == [
        ("S-1001", "M101"),
        ("S-1001", "M102"),
    ]
    assert len(manifest["noRecord"]) == 1


def test_csv_in_chunks_writes_the_header_once(
    export: Export, give: Give, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(exports, "CHUNK_SIZE", 1)
    for n in range(3):
        give(recipient={**BO, "studentId": f"S-{n}", "email": f"s{n}@students.example.org"})
    folder, _manifest = export("csv")
    text = (folder / "transcript.csv").read_text(encoding="utf-8")
    assert text.count("learnerId,") == 1
    assert len(list(csv.DictReader(io.StringIO(text)))) == 3


# -- the organisation tree ------------------------------------------------------------------------


def test_tree_adds_the_awards_of_the_organisations_below(
    export: Export, give: Give, client: TestClient, make_token
) -> None:
    admin = bearer(make_token("admin awards:read", covers_descendants=True))
    response = client.post(
        "/api/v1/issuers",
        json={"slug": "hs-12", "name": "High School 12", "parent": "xq"},
        headers=admin,
    )
    assert response.status_code == 201, response.text
    school = bearer(make_token("awards:write awards:read", issuer="hs-12"))
    at_state = give(achievement="M101")
    at_school = give(headers=school, achievement="M151", results=[], recipient=dict(BO))

    _own, own = export("ob3", out="own")
    _tree, tree = export("ob3", out="tree", tree=True)
    assert own["scope"] == "issuer"
    assert tree["scope"] == "tree"
    assert {entry["path"] for entry in own["files"]} == {
        f"credentials/{at_state['id']}.json",
        f"images/{at_state['id']}.png",
    }
    assert {entry["path"] for entry in tree["files"]} == {
        f"credentials/{award['id']}.json" for award in (at_state, at_school)
    } | {f"images/{award['id']}.png" for award in (at_state, at_school)}


def test_an_empty_window_still_writes_a_manifest(export: Export, give: Give) -> None:
    give()
    until = datetime.now(UTC) - timedelta(days=1)
    folder, manifest = export("ob3", until=until.isoformat())
    assert sorted(files_in(folder)) == ["manifest.json"]
    assert manifest["counts"]["awards"] == dict.fromkeys(exports.STATUSES, 0)
    assert manifest["files"] == []
