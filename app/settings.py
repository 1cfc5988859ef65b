"""Service settings, read from the environment (prefix ``XQB_``) or the home's ``.env`` file.

Relative paths (a SQLite database, the keys folder, the passphrase file) are taken from the data
home (``XQB_HOME``, see app.home), not from the current directory, so every command finds the
same instance wherever it is run. Absolute paths and non-SQLite URLs are used as given.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic.fields import FieldInfo
from pydantic_settings import (
    BaseSettings,
    DotEnvSettingsSource,
    InitSettingsSource,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)
from sqlalchemy.engine import make_url

from app.home import data_home

LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR"]
ENV_FILE_NAME = ".env"


class _HomeSource(PydanticBaseSettingsSource):
    """Fixes ``home`` before the ``.env`` file is read, so that file cannot move the home."""

    def __init__(self, settings_cls: type[BaseSettings], home: Path) -> None:
        super().__init__(settings_cls)
        self.home = home

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        return (self.home, "home", False) if field_name == "home" else (None, field_name, False)

    def __call__(self) -> dict[str, Any]:
        return {"home": self.home}


class Settings(BaseSettings):
    """Everything that differs between a laptop, CI and a state's production deployment."""

    model_config = SettingsConfigDict(env_prefix="XQB_", env_file=None, extra="ignore")

    home: Path = Field(
        default_factory=data_home,
        description="The data home: relative paths below and the .env file are read from it.",
    )
    database_url: str = Field(
        default="sqlite:///var/xqbadges.db",
        description="SQLAlchemy URL; SQLite by default, postgresql+psycopg://... to scale out.",
    )
    public_base_url: str = Field(
        default="http://127.0.0.1:8000",
        description=(
            "The URL the world reaches this service at. With https, issuers get did:web "
            "identifiers; otherwise did:key, so a development instance verifies offline."
        ),
    )
    keys_dir: Path = Field(default=Path("keys"), description="Where private key files live.")
    key_passphrase: SecretStr | None = Field(
        default=None, description="When set, private key files are encrypted with it."
    )
    key_passphrase_file: Path | None = Field(
        default=None,
        description="A file holding the key passphrase (a Docker or Kubernetes secret); its "
        "content, less a final newline, is used when key_passphrase is not set.",
    )
    log_level: LogLevel = "INFO"
    max_body_bytes: int = Field(
        default=5 * 1024 * 1024, gt=0, description="Largest request body accepted (413 beyond)."
    )
    catalog_max_bytes: int = Field(
        default=5 * 1024 * 1024, gt=0, description="Largest catalog upload (413 beyond)"
    )
    catalog_max_badges: int = Field(default=1000, gt=0, description="Badges in one catalog")
    catalog_max_cpes_per_badge: int = Field(default=100, gt=0, description="CPEs of one badge")
    catalog_max_indicators_per_cpe: int = Field(
        default=100, gt=0, description="Indicators of one CPE"
    )
    access_token_ttl_seconds: int = Field(default=3600, gt=0, le=86400)
    webhook_trusted_hosts: list[str] = Field(
        default_factory=list,
        description=(
            "host or host:port values webhooks may reach over http and on private or loopback "
            "addresses (a platform inside the district's network); empty by default"
        ),
    )
    fetch_trusted_hosts: list[str] = Field(
        default_factory=list,
        description=(
            "host or host:port values the verifier may fetch over plain http and on private "
            "or loopback addresses (did:web documents, status lists, credentials); for a "
            "local test issuer only, empty in production"
        ),
    )
    fetch_timeout_seconds: float = Field(
        default=10.0, gt=0, le=60, description="Total time one verification fetch may take"
    )
    fetch_max_bytes: int = Field(
        default=2 * 1024 * 1024, gt=0, description="Largest document the verifier fetches"
    )
    trust_registry_files: list[Path] = Field(
        default_factory=list,
        description=(
            "Issuer registries in the Digital Credentials Consortium's registry.json format, "
            "most authoritative first: the verifier recognises the issuers they list"
        ),
    )
    webhook_max_attempts: int = Field(default=8, ge=1, le=20)
    webhook_retry_base_seconds: float = Field(
        default=30.0, gt=0, description="First retry delay; each next one doubles"
    )
    webhook_poll_seconds: float = Field(default=2.0, gt=0)
    job_lease_seconds: float = Field(
        default=60.0,
        gt=0,
        description="How long an award job stays with the process running it without news; "
        "after that another process may take it over",
    )
    job_poll_seconds: float = Field(
        default=5.0, gt=0, description="How often a process looks for award jobs nobody runs"
    )
    expiry_sweep_seconds: float = Field(
        default=60.0, gt=0, description="How often awards past their validUntil are marked expired"
    )
    database_connect_timeout_seconds: int = Field(
        default=10,
        ge=2,
        le=300,
        description="How long a PostgreSQL connection attempt may take before it is given up",
    )
    rate_limits_enabled: bool = Field(
        default=True,
        description="Whether the open endpoints and token issuance are rate limited (429 with "
        "Retry-After beyond the limits below)",
    )
    rate_limit_verify: str = Field(
        default="60/minute;1000/hour",
        description="Verifications per client address (POST /api/v1/verify, POST "
        "/credentials/verify, the /verify page), in the `limits` notation",
    )
    rate_limit_pages: str = Field(
        default="300/minute",
        description="Public page and document views (credentials, learners, achievements) per "
        "client address",
    )
    rate_limit_token: str = Field(
        default="30/minute;300/hour",
        description="Calls to /oauth/token and /oauth/revoke per client address and per client id",
    )
    default_issuer_slug: str = "xq"
    default_issuer_name: str = "XQ Institute"
    default_issuer_url: str = "https://xqsuperschool.org"
    default_issuer_email: str | None = Field(
        default=None,
        description="Contact email of the default issuer, set when it is created; Open Badges "
        "2.0 issuer profiles require one, so the OB 2.0 export needs it",
    )

    @field_validator("home")
    @classmethod
    def _absolute_home(cls, value: Path) -> Path:
        return value.expanduser().absolute()

    @field_validator("rate_limit_verify", "rate_limit_pages", "rate_limit_token")
    @classmethod
    def _rate_limit_notation(cls, value: str) -> str:
        from limits import parse_many

        try:
            parse_many(value)
        except ValueError as error:
            raise ValueError(
                f"is not a rate limit such as '60/minute;1000/hour': {error}"
            ) from None
        return value

    @field_validator("public_base_url")
    @classmethod
    def _strip_trailing_slash(cls, value: str) -> str:
        parts = urlsplit(value)
        if parts.scheme not in {"http", "https"} or not parts.netloc:
            raise ValueError("public_base_url must be an absolute http(s) URL")
        if parts.query or parts.fragment:
            raise ValueError("public_base_url must not carry a query or fragment")
        return value.rstrip("/")

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        given = (
            init_settings.init_kwargs.get("home")
            if isinstance(init_settings, InitSettingsSource)
            else None
        )
        home = data_home(given)
        if isinstance(dotenv_settings, DotEnvSettingsSource) and dotenv_settings.env_file is None:
            dotenv_settings = DotEnvSettingsSource(settings_cls, env_file=home / ENV_FILE_NAME)
        return (
            init_settings,
            _HomeSource(settings_cls, home),
            env_settings,
            dotenv_settings,
            file_secret_settings,
        )

    @model_validator(mode="after")
    def _complete(self) -> Settings:
        self._resolve_paths()
        self._read_passphrase_file()
        return self

    def _resolve_paths(self) -> None:
        self.keys_dir = self.home / self.keys_dir.expanduser()
        if self.key_passphrase_file is not None:
            self.key_passphrase_file = self.home / self.key_passphrase_file.expanduser()
        if self.is_sqlite:
            url = make_url(self.database_url)
            database = url.database
            if database and database != ":memory:" and not database.startswith("file:"):
                path = Path(database).expanduser()
                if not path.is_absolute():
                    self.database_url = url.set(database=str(self.home / path)).render_as_string(
                        hide_password=False
                    )

    def _read_passphrase_file(self) -> None:
        if self.key_passphrase is None and self.key_passphrase_file is not None:
            try:
                text = self.key_passphrase_file.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as error:
                raise ValueError(f"cannot read key_passphrase_file: {error}") from error
            passphrase = text.removesuffix("\n").removesuffix("\r")
            if not passphrase:
                raise ValueError("key_passphrase_file is empty")
            self.key_passphrase = SecretStr(passphrase)

    @property
    def uses_did_web(self) -> bool:
        return self.public_base_url.startswith("https://")

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def env_file(self) -> Path:
        return self.home / ENV_FILE_NAME

    @property
    def sqlite_file(self) -> Path | None:
        """The SQLite database file, or None for PostgreSQL and in-memory SQLite."""
        if not self.is_sqlite:
            return None
        database = make_url(self.database_url).database
        if not database or database == ":memory:" or database.startswith("file:"):
            return None
        return Path(database)


@lru_cache
def get_settings() -> Settings:
    return Settings()
