"""Private key files under the keys directory.

Private keys never enter the database, a log line or a response: the database holds only the
public half and the file name. Files are PKCS#8 PEM, created with mode 0600, and encrypted when a
passphrase is configured. A key file that other users can read is refused, as a leaked signing key
lets anyone issue badges in the issuer's name: the check runs before every signature, not only
when a key is first loaded, so a file whose mode is loosened while the service runs stops signing
at once (503 ``signing-key-unsafe``) until its mode is 0600 again.
"""

from __future__ import annotations

import os
import secrets
import stat
import threading
from pathlib import Path
from typing import Literal

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey

from app.problems import Problem

KeyAlgorithm = Literal["Ed25519", "RSA"]
StoredPrivateKey = Ed25519PrivateKey | RSAPrivateKey
RSA_KEY_BITS = 2048

KEYS_README = """\
# keys/

Private signing keys of this xqbadges instance, one PKCS#8 PEM file per key, mode 0600.
They are encrypted when XQB_KEY_PASSPHRASE is set. Never commit them, copy them into an
image, or paste them anywhere: anyone holding one can issue badges in the issuer's name.
Back this folder up together with the database; a lost key cannot sign again, but
credentials signed with it keep verifying because its public half is kept.
"""

KEYS_GITIGNORE = "*\n!README.md\n!.gitignore\n"


class KeyStoreError(Exception):
    """A key file is missing, unreadable, insecure or outside the keys directory."""


class KeyFileUnsafe(KeyStoreError):
    """A key file other users may read or write."""


class SigningKeyUnsafe(Problem):
    status, code, title = 503, "signing-key-unsafe", "Signing is stopped"


class SigningKeyUnavailable(Problem):
    status, code, title = 503, "signing-key-unavailable", "Signing is stopped"


class KeyStore:
    def __init__(self, directory: Path, passphrase: str | None = None) -> None:
        self.directory = directory
        self._passphrase = passphrase.encode() if passphrase else None

    def ensure_directory(self) -> None:
        """Create the directory with its README and .gitignore so keys are never committed."""
        self.directory.mkdir(parents=True, exist_ok=True)
        for name, text in (("README.md", KEYS_README), (".gitignore", KEYS_GITIGNORE)):
            path = self.directory / name
            if not path.exists():
                path.write_text(text, encoding="utf-8")

    def _path(self, file_name: str) -> Path:
        path = (self.directory / file_name).resolve()
        if path.parent != self.directory.resolve():
            raise KeyStoreError(f"key file name {file_name!r} leaves the keys directory")
        return path

    def create_ed25519(self, label: str) -> tuple[str, Ed25519PrivateKey]:
        key = Ed25519PrivateKey.generate()
        return self._write(label, "ed25519", key), key

    def create_rsa(self, label: str) -> tuple[str, RSAPrivateKey]:
        key = rsa.generate_private_key(public_exponent=65537, key_size=RSA_KEY_BITS)
        return self._write(label, "rsa", key), key

    def _write(self, label: str, kind: str, key: StoredPrivateKey) -> str:
        """Write a key (mode 0600, exclusive create) and return its file name."""
        self.ensure_directory()
        file_name = f"{label}-{secrets.token_hex(6)}.{kind}.pem"
        encryption: serialization.KeySerializationEncryption = (
            serialization.BestAvailableEncryption(self._passphrase)
            if self._passphrase
            else serialization.NoEncryption()
        )
        pem = key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption
        )
        fd = os.open(self._path(file_name), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(pem)
        return file_name

    def check_permissions(self, file_name: str) -> None:
        path = self._path(file_name)
        try:
            mode = path.stat().st_mode
        except FileNotFoundError as exc:
            raise KeyStoreError(f"key file {file_name} is missing from {self.directory}") from exc
        if mode & (stat.S_IRWXG | stat.S_IRWXO):
            raise KeyFileUnsafe(
                f"key file {file_name} is accessible to other users (mode {stat.filemode(mode)}); "
                "run: chmod 600 on it"
            )

    def load(self, file_name: str) -> StoredPrivateKey:
        self.check_permissions(file_name)
        data = self._path(file_name).read_bytes()
        try:
            key = serialization.load_pem_private_key(data, password=self._passphrase)
        except (ValueError, TypeError) as exc:
            raise KeyStoreError(
                f"key file {file_name} cannot be read (wrong or missing XQB_KEY_PASSPHRASE?)"
            ) from exc
        if not isinstance(key, Ed25519PrivateKey | RSAPrivateKey):
            raise KeyStoreError(f"key file {file_name} holds a key type this service does not use")
        return key

    def load_ed25519(self, file_name: str) -> Ed25519PrivateKey:
        key = self.load(file_name)
        if not isinstance(key, Ed25519PrivateKey):
            raise KeyStoreError(f"key file {file_name} does not hold an Ed25519 key")
        return key

    def load_rsa(self, file_name: str) -> RSAPrivateKey:
        key = self.load(file_name)
        if not isinstance(key, RSAPrivateKey):
            raise KeyStoreError(f"key file {file_name} does not hold an RSA key")
        return key


class PrivateKeyCache:
    """Decrypted keys, loaded once per process: decrypting a PEM per request would dominate."""

    def __init__(self, keystore: KeyStore) -> None:
        self._keystore = keystore
        self._keys: dict[str, StoredPrivateKey] = {}
        self._lock = threading.Lock()

    def get(self, file_name: str) -> StoredPrivateKey:
        """The key, once its file is still private; a 503 problem, naming the file, if not."""
        try:
            with self._lock:
                key = self._keys.get(file_name)
                if key is None:
                    key = self._keystore.load(file_name)
                    self._keys[file_name] = key
                else:
                    self._keystore.check_permissions(file_name)
                return key
        except KeyFileUnsafe as error:
            raise SigningKeyUnsafe(
                f"signing is stopped: {error}", headers={"Retry-After": "60"}
            ) from error
        except KeyStoreError as error:
            raise SigningKeyUnavailable(
                f"signing is stopped: {error}", headers={"Retry-After": "60"}
            ) from error
