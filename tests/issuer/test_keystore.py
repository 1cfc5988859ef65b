from __future__ import annotations

import stat
from pathlib import Path

import pytest

from app.issuer.keystore import KeyStore, KeyStoreError


@pytest.fixture
def keystore(tmp_path: Path) -> KeyStore:
    return KeyStore(tmp_path / "keys")


def test_new_key_file_is_readable_by_owner_only(keystore: KeyStore) -> None:
    file_name, _ = keystore.create_ed25519("xq")
    mode = (keystore.directory / file_name).stat().st_mode
    assert stat.S_IMODE(mode) == 0o600


def test_key_directory_gets_readme_and_gitignore_that_excludes_keys(keystore: KeyStore) -> None:
    keystore.create_ed25519("xq")
    gitignore = (keystore.directory / ".gitignore").read_text()
    assert gitignore.splitlines()[0] == "*"
    assert (keystore.directory / "README.md").exists()


def test_key_round_trips_through_its_file(keystore: KeyStore) -> None:
    file_name, key = keystore.create_ed25519("xq")
    loaded = keystore.load_ed25519(file_name)
    assert loaded.public_key().public_bytes_raw() == key.public_key().public_bytes_raw()


def test_plain_key_file_is_unencrypted_pkcs8(keystore: KeyStore) -> None:
    file_name, _ = keystore.create_ed25519("xq")
    assert (keystore.directory / file_name).read_text().startswith("-----BEGIN PRIVATE KEY-----")


def test_passphrase_encrypts_the_key_file(tmp_path: Path) -> None:
    store = KeyStore(tmp_path / "keys", passphrase="correct horse")
    file_name, _ = store.create_ed25519("xq")
    text = (store.directory / file_name).read_text()
    assert text.startswith("-----BEGIN ENCRYPTED PRIVATE KEY-----")
    assert store.load_ed25519(file_name) is not None


def test_wrong_passphrase_is_refused_with_a_hint(tmp_path: Path) -> None:
    file_name, _ = KeyStore(tmp_path / "keys", passphrase="one").create_ed25519("xq")
    with pytest.raises(KeyStoreError, match="PASSPHRASE"):
        KeyStore(tmp_path / "keys", passphrase="two").load_ed25519(file_name)


@pytest.mark.parametrize("mode", [0o640, 0o604, 0o644, 0o666])
def test_key_file_readable_by_others_is_refused(keystore: KeyStore, mode: int) -> None:
    file_name, _ = keystore.create_ed25519("xq")
    (keystore.directory / file_name).chmod(mode)
    with pytest.raises(KeyStoreError, match="accessible to other users"):
        keystore.load_ed25519(file_name)


@pytest.mark.parametrize("name", ["../outside.pem", "/etc/passwd", "sub/dir.pem"])
def test_file_names_outside_the_directory_are_refused(keystore: KeyStore, name: str) -> None:
    keystore.ensure_directory()
    with pytest.raises(KeyStoreError, match="leaves the keys directory"):
        keystore.load_ed25519(name)


def test_missing_key_file_is_reported(keystore: KeyStore) -> None:
    keystore.ensure_directory()
    with pytest.raises(KeyStoreError, match="missing"):
        keystore.load_ed25519("nope.pem")
