"""One Settings object for every service (env prefix RENAMER_).

Development defaults work on a fresh machine with no keys and no network; outside
development the settings refuse the well-known default secrets.
"""

from __future__ import annotations

from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEV_SECRET = "dev-only-secret-change-me-0123456789abcdef"  # noqa: S105  (refused outside dev)
DEV_S3_SECRET = "renamer-dev-secret"  # noqa: S105  (refused outside dev)


class Environment(StrEnum):
    DEV = "dev"
    TEST = "test"
    STAGING = "staging"
    PRODUCTION = "production"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="RENAMER_", env_file=".env", extra="ignore")

    environment: Environment = Environment.DEV
    data_dir: Path = PROJECT_ROOT / ".data"

    # Databases and queue
    # The application's connection: a role that is not superuser, has NOBYPASSRLS, does not own
    # the tables and holds only SELECT/INSERT/UPDATE/DELETE, so row-level security decides which
    # organization's rows it sees (docs/deploy.md, "Database roles"). Locally PostgreSQL trusts
    # 127.0.0.1, so the role needs no password; scripts/services.sh creates it.
    database_url: str = "postgresql+psycopg://renamer_app@127.0.0.1:5432/renamer"
    # The tables' owner: runs the migrations (which grant the app role its rights). Unset while
    # RENAMER_DATABASE_URL is set: the same URL (one role for everything, no isolation by role).
    database_owner_url: str = "postgresql+psycopg://postgres@127.0.0.1:5432/renamer"
    # Work that must see every tenant (sweeps, retention, account deletion, lookups by API key
    # before the tenant is known): a role that bypasses row-level security (superuser or
    # BYPASSRLS). Unset: the owner URL.
    database_maintenance_url: str | None = None
    # A read replica (streaming standby) for the dashboard and listing reads that tolerate lag;
    # unset, everything reads the primary. docs/scaling.md explains the routing.
    database_replica_url: str | None = None
    # A replica further behind than this (or unreachable) is skipped: its reads go to the primary.
    replica_max_lag_seconds: float = 5.0
    # After a write (any non-GET request) the same user reads the primary for this long, so they
    # see their own change; keep it above replica_max_lag_seconds.
    replica_read_your_writes_seconds: int = 15
    # psycopg prepares a query server-side after it runs 5 times on a connection. Behind
    # PgBouncer in transaction pooling the next transaction may get another server connection
    # that lacks it: set false there (PgBouncer 1.21+ with max_prepared_statements copes).
    database_prepared_statements: bool = True
    # Connections each process may hold: pool_size kept open plus max_overflow opened on demand.
    # Size them so that every API and worker process together stay under PostgreSQL's
    # max_connections (or use PgBouncer, docs/scaling.md). A request that waits longer than
    # pool_timeout seconds for a connection gets 503 database_unavailable.
    database_pool_size: int = Field(default=10, ge=1)
    database_max_overflow: int = Field(default=20, ge=0)
    database_pool_timeout: float = Field(default=10.0, gt=0)
    redis_url: str = "redis://127.0.0.1:6379/0"
    broker_url: str | None = None  # defaults to redis_url
    # Seconds before Redis hands an unacknowledged task to another worker; a worker
    # killed mid-task is recovered after this long (the QUEUED sweep is the backstop).
    broker_visibility_timeout: int = 300

    # Object storage (plain S3 API: SeaweedFS in development, MinIO in production)
    s3_endpoint_url: str = "http://127.0.0.1:9000"
    # What browsers use for presigned URLs; defaults to s3_endpoint_url.
    s3_public_endpoint_url: str | None = None
    s3_access_key: str = "renamer"
    s3_secret_key: str = DEV_S3_SECRET
    s3_bucket: str = "renamer"
    s3_region: str = "us-east-1"
    presigned_url_ttl: int = 900

    # Virus scanning
    clamd_socket: Path | None = None  # defaults to data_dir/clamd/clamd.sock
    clamd_host: str | None = None  # TCP instead of the unix socket when set
    clamd_port: int = 3310
    clamd_timeout: float = 30.0
    clamd_chunk_size: int = 1024 * 1024

    # Auth
    secret_key: str = DEV_SECRET
    access_token_ttl_hours: int = 24

    # Sign-in
    # Any OpenID Connect provider (Google: https://accounts.google.com); unset turns OIDC sign-in off.
    oidc_issuer: str | None = None
    oidc_client_id: str | None = None
    oidc_client_secret: SecretStr | None = None
    oidc_redirect_url: str = "http://127.0.0.1:3001/auth/oidc/callback"
    # Where mail links and post-sign-in redirects point.
    frontend_url: str = "http://127.0.0.1:3000"
    # smtp://user:password@host:587 (STARTTLS), smtps://...:465 (TLS), or None: mail is written to
    # the log in dev and test, and dropped with a warning elsewhere (a log must not hold reset links).
    smtp_url: SecretStr | None = None
    smtp_timeout_seconds: float = 10.0
    mail_from: str = "Image Renamer <no-reply@localhost>"
    email_verification_ttl_hours: int = 48
    password_reset_ttl_minutes: int = 60
    session_cookie_name: str = "renamer_session"
    csrf_cookie_name: str = "renamer_csrf"
    # None: Secure everywhere except dev and test, which run over plain http.
    session_cookie_secure: bool | None = None
    # Set for a frontend on a sibling subdomain (e.g. ".example.com"); None: host-only cookies.
    session_cookie_domain: str | None = None
    # How long an invitation to an organization can be accepted.
    invitation_ttl_hours: int = 168

    # Rate limits: sliding windows shared by every API process through Redis; 0 turns one
    # off. A refused request gets 429 with Retry-After. While Redis is unreachable requests
    # go through unlimited (a warning is logged): availability over abuse protection.
    rate_limit_enabled: bool = True
    # Password guessing: 10 a minute keeps a script slow, and an office behind one address
    # rarely has ten people signing in within the same minute (tokens last a day).
    signin_per_ip_per_minute: int = 10
    # Account farming, while still letting a class or an office behind one address join together.
    signup_per_ip_per_hour: int = 100
    # Every authenticated call, uploads included, per caller (an account; later an API key).
    api_per_caller_per_minute: int = 600
    # Upload requests, not files (multipart, presign, complete): the web app sends one file per
    # request, three at a time; scripts can send many files per request.
    uploads_per_caller_per_minute: int = 300
    # Proxies in front of the API that each append the address they saw to X-Forwarded-For
    # (e.g. 1 for one ingress or load balancer). 0: the client address is the connection's,
    # and X-Forwarded-For is ignored, since any client can send that header.
    trusted_proxy_hops: int = 0

    # Upload limits
    max_file_bytes: int = 50 * 1024 * 1024
    max_files_per_batch: int = 5000
    max_files_per_request: int = 1000  # more files in one request: send several requests
    max_image_pixels: int = 160_000_000

    # Naming defaults
    max_name_length: int = 60
    default_language: str = "en"

    # Retention (privacy): originals, thumbnails and ZIPs are deleted this many days after a
    # batch finishes (the batch, its names and alt text stay); the sweep also finishes
    # deletions whose storage step failed.
    retention_days: int = 7
    retention_sweep_interval_seconds: int = 600

    # Processing
    # The provider chain, first choice first, comma-separated: "openai,local". While one
    # provider fails (circuit open) its work moves to the next. Names: local, openai,
    # openai_compatible, google_vision. A batch may pick its own chain from these.
    vision_provider: str = "local"
    # Threads of the I/O worker (queue "vision"): remote provider calls in flight per worker process.
    vision_io_concurrency: int = 48

    # Vision providers: resilience shared by all of them (the chain applies it)
    provider_retry_attempts: int = 3  # tries per provider for one image before falling back
    provider_retry_base_seconds: float = 0.5  # exponential backoff base, full jitter
    provider_retry_max_wait_seconds: float = 30.0  # cap on any one wait, Retry-After included
    provider_breaker_failures: int = 5  # consecutive failures that open the circuit
    provider_breaker_reset_seconds: int = 60  # how long an open circuit sends work elsewhere
    nudenet_enabled: bool = True  # the local analyzer's safety flag
    nudenet_threshold: float = 0.6

    # OpenAI (official SDK). base_url None: api.openai.com.
    openai_api_key: SecretStr | None = None
    openai_base_url: str | None = None
    openai_model: str = "gpt-4o-mini"
    openai_api: Literal["chat", "responses"] = "chat"  # Chat Completions or the Responses API
    openai_timeout_seconds: float = 60.0
    openai_image_detail: Literal["low", "high", "auto"] = "low"
    openai_input_usd_per_million_tokens: float = 0.15
    openai_output_usd_per_million_tokens: float = 0.60
    openai_requests_per_minute: int = 500  # shared by every worker (Redis)
    openai_max_concurrency: int = 64  # calls in flight across every worker (Redis)

    # Any OpenAI-compatible server (Ollama, vLLM, LM Studio, llama.cpp): same client, own settings.
    compatible_base_url: str | None = None  # e.g. http://127.0.0.1:11434/v1
    compatible_api_key: SecretStr | None = None  # most local servers ignore it
    compatible_model: str = "llava"
    compatible_api: Literal["chat", "responses"] = "chat"
    compatible_timeout_seconds: float = 120.0
    compatible_input_usd_per_million_tokens: float = 0.0
    compatible_output_usd_per_million_tokens: float = 0.0
    compatible_requests_per_minute: int = 600
    compatible_max_concurrency: int = 8

    # Google Cloud Vision (official client, REST transport). Credentials: an API key, or a
    # service-account JSON file, or neither (application default credentials).
    google_vision_api_key: SecretStr | None = None
    google_vision_credentials_file: Path | None = None
    google_vision_endpoint: str = "vision.googleapis.com"  # host[:port]; http://127.0.0.1:port for a test server
    google_vision_timeout_seconds: float = 30.0
    google_vision_usd_per_thousand_units: float = 1.5  # one unit per feature per image
    google_vision_requests_per_minute: int = 1800
    google_vision_max_concurrency: int = 64
    stuck_queued_after_seconds: int = 120
    stuck_processing_after_seconds: int = 600
    task_max_retries: int = 5
    sweep_interval_seconds: int = 30
    # A prefork child whose peak RSS passed this (MiB) is replaced after its task (Celery's
    # worker_max_memory_per_child): a backstop against creep; 0 turns it off. Design peak: 300.
    worker_max_memory_mb: int = Field(default=350, ge=0)
    worker_metrics_port: int = 9101
    worker_metrics_host: str = "127.0.0.1"  # 0.0.0.0 in containers, so Prometheus can scrape it
    ocr_enabled: bool = True

    realtime_enabled: bool = True  # publish events for the realtime service
    # Redis pub/sub ignores the database number: separate stacks on one Redis need their own channel.
    realtime_channel: str = "renamer-socketio"
    realtime_port: int = 3002

    api_host: str = "127.0.0.1"
    api_port: int = 3001
    cors_origins: list[str] = Field(default_factory=lambda: ["http://127.0.0.1:3000", "http://localhost:3000"])

    # Observability
    # Development reads text; containers set RENAMER_LOG_FORMAT=json for the log collector.
    log_format: Literal["json", "text"] = "text"
    log_level: str = "INFO"
    # Errors go to Sentry only when a DSN is set. The release is the git revision baked into
    # the image at build time (RENAMER_RELEASE), so an error names the code that raised it.
    sentry_dsn: SecretStr | None = None
    release: str = "dev"
    sentry_error_sample_rate: float = Field(default=1.0, ge=0.0, le=1.0)
    sentry_traces_sample_rate: float = Field(default=0.0, ge=0.0, le=1.0)

    # Billing (core.billing). Plans, their monthly images and prices are rows of the `plans`
    # table; these settings only override them. Quotas work with no Stripe key; without one,
    # checkout and the billing portal answer 503 saying billing is not set up.
    stripe_api_key: SecretStr | None = None
    # Where the Stripe SDK sends API calls; None: api.stripe.com (tests point it at a local server).
    stripe_api_base: str | None = None
    # The signing secret of the webhook endpoint (whsec_...): POST /billing/webhook refuses
    # anything not signed with it, or signed longer ago than the tolerance.
    stripe_webhook_secret: SecretStr | None = None
    stripe_webhook_tolerance_seconds: int = 300
    stripe_timeout_seconds: float = 20.0
    # Stripe Price ids per plan code, since they differ per Stripe account (test or live), e.g.
    # RENAMER_STRIPE_PRICE_IDS='{"PRO": "price_...", "MAX": "price_..."}'; a plan absent here uses
    # plans.stripe_price_id.
    stripe_price_ids: dict[str, str] = Field(default_factory=dict)
    # Images a month per plan code, overriding plans.monthly_images, e.g. '{"BASIC": 100000}'
    # for load tests and benchmarks.
    plan_monthly_images: dict[str, int] = Field(default_factory=dict)

    @property
    def provider_chain(self) -> list[str]:
        return [name.strip() for name in self.vision_provider.split(",") if name.strip()]

    @property
    def effective_database_owner_url(self) -> str:
        # Only the app URL set (an older configuration): that role does everything.
        if "database_url" in self.model_fields_set and "database_owner_url" not in self.model_fields_set:
            return self.database_url
        return self.database_owner_url

    @property
    def effective_database_maintenance_url(self) -> str:
        return self.database_maintenance_url or self.effective_database_owner_url

    @property
    def effective_broker_url(self) -> str:
        return self.broker_url or self.redis_url

    @property
    def effective_clamd_socket(self) -> Path:
        return self.clamd_socket or self.data_dir / "clamd" / "clamd.sock"

    @property
    def effective_s3_public_endpoint_url(self) -> str:
        return self.s3_public_endpoint_url or self.s3_endpoint_url

    @property
    def effective_session_cookie_secure(self) -> bool:
        if self.session_cookie_secure is not None:
            return self.session_cookie_secure
        return self.environment not in (Environment.DEV, Environment.TEST)

    @model_validator(mode="after")
    def _refuse_default_secrets(self) -> Settings:
        if self.environment in (Environment.STAGING, Environment.PRODUCTION):
            if self.secret_key == DEV_SECRET or len(self.secret_key) < 32:
                raise ValueError("RENAMER_SECRET_KEY must be set to a random value of 32+ characters")
            if self.s3_secret_key == DEV_S3_SECRET:
                raise ValueError("RENAMER_S3_SECRET_KEY must be set outside development")
        return self

    @model_validator(mode="after")
    def _billing_needs_its_webhook(self) -> Settings:
        # Without the webhook nothing a customer pays for would ever change their plan.
        deployed = self.environment in (Environment.STAGING, Environment.PRODUCTION)
        has_key = bool(self.stripe_api_key and self.stripe_api_key.get_secret_value())
        has_secret = bool(self.stripe_webhook_secret and self.stripe_webhook_secret.get_secret_value())
        if deployed and has_key and not has_secret:
            raise ValueError("RENAMER_STRIPE_WEBHOOK_SECRET must be set when RENAMER_STRIPE_API_KEY is")
        return self


@lru_cache
def get_settings() -> Settings:
    return Settings()
