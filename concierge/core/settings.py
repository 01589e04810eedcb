"""Configuration from the environment: the only module that reads it."""

import ipaddress
from functools import lru_cache
from typing import Literal
from urllib.parse import unquote, urlsplit

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Every knob of the concierge, with defaults that run on one machine without any account."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    database_url: str = "sqlite:///./concierge.db"
    db_pool_size: int = 5
    public_url: str = "http://127.0.0.1:8000"

    twilio_account_sid: str | None = None
    twilio_auth_token: SecretStr | None = None
    twilio_api_base_url: str = "https://api.twilio.com"
    # "enforce" rejects bad signatures with 403; "log-only" logs the reason and accepts (first deployments only).
    twilio_signature_mode: Literal["enforce", "log-only"] = "enforce"
    twilio_timeout_seconds: float = 10.0

    # The guest simulator lets anyone speak as any guest: on by default only while Twilio is not configured.
    simulator_enabled: bool | None = None

    llm_providers: str = "offline"
    llm_offline_first: bool = True
    # The model router (concierge/llm/): deadlines, retries, breaker, budget, prompt pinning.
    llm_turn_deadline_seconds: float = Field(default=12.0, gt=0)
    llm_call_timeout_seconds: float = Field(default=8.0, gt=0)
    llm_max_retries: int = Field(default=2, ge=0)
    llm_retry_base_seconds: float = 0.5
    llm_breaker_failures: int = Field(default=3, ge=1)
    llm_breaker_reset_seconds: float = 30.0
    llm_offline_confidence: float = Field(default=0.9, ge=0.0, le=1.0)
    llm_daily_budget_usd: float | None = None  # per property; None: no limit
    llm_prices_file: str | None = None  # None: the table shipped in concierge/llm/prices.toml
    llm_prompt_version: int | None = None  # None: the newest prompt file; set to roll back
    # The knowledge a model is given per turn, in estimated tokens: past it, the best-ranked entries in full and
    # the titles of the rest (concierge/llm/context.py).
    llm_context_tokens: int = Field(default=6000, ge=200)
    # Console translation lines: the page waits at most this long for missing ones, and asks for at most this many.
    console_translate_timeout_seconds: float = Field(default=3.0, gt=0)
    console_translate_max: int = Field(default=20, ge=0)
    # The providers' own variables (read here because this is the only module that reads the environment).
    openai_api_key: SecretStr | None = None
    openai_base_url: str | None = None
    anthropic_api_key: SecretStr | None = None
    anthropic_base_url: str | None = None
    google_api_key: SecretStr | None = None
    google_base_url: str | None = None
    deepseek_api_key: SecretStr | None = None
    deepseek_base_url: str = "https://api.deepseek.com"
    ollama_base_url: str = "http://127.0.0.1:11434"
    llm_compatible_base_url: str | None = None  # any OpenAI-compatible server: vLLM, Groq, OpenRouter …
    llm_compatible_api_key: SecretStr | None = None

    # Worker and outbox tuning.
    worker_in_process: bool | None = None  # None: on for SQLite, off for PostgreSQL
    worker_poll_seconds: float = 0.5
    # Turns one worker process runs at once (a conversation's messages are still answered one at a time, in
    # order), and replies it sends at once (a conversation's replies still leave in order).
    worker_concurrency: int = Field(default=16, ge=1, le=256)
    sender_concurrency: int = Field(default=8, ge=1, le=64)
    # Of those turns, how many run Python at once outside their model calls (one process runs one thread's Python at
    # a time anyway: more CPU-bound turns only switch more, and slow the acknowledgements; docs/benchmarks.md).
    worker_cpu_turns: int = Field(default=1, ge=1, le=256)
    # `concierge worker --health-port`: unhealthy once a loop has not come round for this long (a stuck turn).
    worker_stall_seconds: float = Field(default=300.0, gt=0)
    # `serve` on SQLite runs the worker as child processes at this lower CPU priority (nice), so acks go first.
    worker_process_nice: int = Field(default=10, ge=0, le=19)
    # True: also under Linux's SCHED_BATCH policy (where the kernel permits it): a waking child does not preempt the
    # web process; once running it keeps its slice. Off by default: in alternating quiet load runs it gave the worse
    # ack p99 in 3 of 3 pairs (docs/benchmarks.md, eighth pass, the integrator's runs).
    worker_process_batch: bool = False
    # How many: one runs one thread's Python at a time (the GIL), so one child uses at most one core.
    worker_processes: int = Field(default=1, ge=1, le=16)
    job_lease_seconds: float = 60.0
    job_max_attempts: int = 5
    # A reply is retried (backoff from the base, each wait at most the max) for this long, then it has failed:
    # staff get an escalation with its text. Hours, so a Twilio outage delays replies instead of losing them.
    outbox_retry_hours: float = Field(default=24.0, gt=0)
    outbox_retry_base_seconds: float = 2.0
    outbox_retry_max_seconds: float = Field(default=300.0, gt=0)
    # Backpressure: above this many replies waiting to leave, /readyz says "degraded" and turns skip the models.
    outbox_backlog_degraded: int = 1000
    # Once the oldest undelivered reply is this old, /readyz says "degraded" (still 200).
    outbox_age_degraded_seconds: float = Field(default=600.0, gt=0)
    # SIGTERM: in-flight work gets this long to finish; unfinished turns are then released to other workers.
    shutdown_timeout_seconds: float = 20.0

    retrieval_threshold: float = Field(default=0.7, ge=0.0, le=1.0)
    history_messages: int = 10
    max_inbound_chars: int = 2000

    # Guardrails: messages per sender per window before replies pause (one notice), and body retention.
    rate_limit_messages: int = Field(default=20, ge=1)
    rate_limit_window_seconds: float = Field(default=600.0, gt=0)
    message_retention_days: int = Field(default=365, ge=1)
    # `concierge purge` deletes traces, finished jobs, delivered outbox rows and sent notifications older than this.
    trace_retention_days: int = Field(default=90, ge=1)
    # Escalations (escalation/): SLA minutes per urgency before re-notifying the next staff member, and the
    # optional email and signed-webhook notifications.
    escalation_sla_minutes: str = "emergency:5,high:15,normal:60"
    # While a person owns a conversation: a guest who writes after nobody from the team has for this long (since
    # the hand-off or the last staff message) hears "your message is with our team", at most once per interval.
    handoff_ack_minutes: float = Field(default=2.0, ge=0)
    handoff_ack_interval_minutes: float = Field(default=30.0, ge=0)
    smtp_host: str | None = None
    smtp_port: int = 25
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_starttls: bool = False
    smtp_from: str = "concierge@localhost"
    notify_email_to: str | None = None  # comma-separated addresses
    notify_webhook_url: str | None = None
    notify_webhook_secret: SecretStr | None = None
    notify_max_attempts: int = 5
    notify_retry_base_seconds: float = 5.0

    # Alerts (concierge/alerts/): measured over the last ALERT_WINDOW_MINUTES and told to admins at most once
    # per window per kind (also "resolved" once back under). Recipients: ALERT_SMS_TO (SMS through the outbox),
    # email to ALERT_EMAIL_TO (default NOTIFY_EMAIL_TO, else every admin user) when SMTP is set, the webhook.
    alerts_enabled: bool = True
    alert_window_minutes: float = Field(default=60.0, gt=0)
    alert_check_seconds: float = Field(default=60.0, gt=0)  # how often the worker evaluates them
    alert_fallback_rate: float = Field(default=0.25, ge=0.0, le=1.0)  # share of model turns a fallback answered
    alert_fallback_min_turns: int = Field(default=10, ge=1)  # fewer model turns in the window: no verdict
    alert_output_check_failures: int = Field(default=5, ge=1)  # turns whose reply an output check blocked
    alert_outbox_age_seconds: float = Field(default=600.0, gt=0)  # the oldest reply still waiting to leave
    alert_unclaimed_escalations: int = Field(default=1, ge=1)  # open escalations nobody claimed …
    alert_unclaimed_minutes: float = Field(default=30.0, gt=0)  # … for this long
    alert_sms_to: str | None = None  # comma-separated admin phone numbers
    alert_email_to: str | None = None
    alert_language: str = "en"

    # Web sign-in (admin pages, console). Unset SESSION_SECRET: a random one per process (sessions end on restart).
    session_secret: SecretStr | None = None
    session_cookie_secure: bool | None = None  # None: Secure when PUBLIC_URL is https
    session_max_age_seconds: int = 12 * 3600
    # Sign-in throttling (concierge/users/throttle.py): accounts are never locked. Every failure is answered after
    # LOGIN_FAILURE_SECONDS (one timing for every kind of failure); past LOGIN_MAX_FAILURES consecutive failures an
    # account's failures are answered later and later (at most LOGIN_MAX_DELAY_SECONDS); an address with
    # LOGIN_ADDRESS_FAILURES failures in LOGIN_ADDRESS_WINDOW_SECONDS is refused without a password check for the
    # rest of the window; at most LOGIN_CONCURRENT_HASHES passwords are checked at once (argon2 is CPU and memory).
    login_max_failures: int = Field(default=5, ge=1)
    login_max_delay_seconds: float = Field(default=8.0, ge=0)
    login_failure_seconds: float = Field(default=1.0, ge=0)  # above argon2's time, even on a busy machine
    login_address_failures: int = Field(default=20, ge=1)
    login_address_window_seconds: float = Field(default=900.0, gt=0)
    login_concurrent_hashes: int = Field(default=2, ge=1)

    # Surfaces: the interactive API docs (/docs, /redoc, /openapi.json) only when asked for; /metrics answers
    # loopback clients, and others only with `Authorization: Bearer METRICS_TOKEN`.
    api_docs: bool = False
    metrics_token: str | None = None

    sentry_dsn: SecretStr | None = None
    log_level: str = "INFO"
    # OpenTelemetry: with an OTLP/HTTP collector's base URL (e.g. http://127.0.0.1:4318) every finished turn is
    # exported as spans (needs the `otel` extra). Headers: "key=value,key2=value2", values URL-encoded.
    otel_exporter_otlp_endpoint: str | None = None
    otel_exporter_otlp_headers: str | None = None
    otel_service_name: str = "guest-concierge"
    otel_export_timeout_seconds: float = Field(default=5.0, gt=0)  # per batch, in the exporter's own thread

    @property
    def is_sqlite(self) -> bool:
        """True when the database is SQLite (single process, in-process worker)."""
        return self.database_url.startswith("sqlite")

    @property
    def run_worker_in_process(self) -> bool:
        """Whether `serve` runs the turn worker and sender itself."""
        return self.is_sqlite if self.worker_in_process is None else self.worker_in_process

    @property
    def simulator_on(self) -> bool:
        """Whether the guest simulator pages are served."""
        return not self.twilio_enabled if self.simulator_enabled is None else self.simulator_enabled

    @property
    def cookie_secure(self) -> bool:
        """Whether session cookies carry the Secure flag."""
        if self.session_cookie_secure is None:
            return self.public_url.startswith("https://")
        return self.session_cookie_secure

    @property
    def otel_headers(self) -> dict[str, str]:
        """OTEL_EXPORTER_OTLP_HEADERS as a dict (W3C-baggage-like `key=value` pairs; malformed pairs ignored)."""
        headers: dict[str, str] = {}
        for pair in (self.otel_exporter_otlp_headers or "").split(","):
            key, sep, value = pair.partition("=")
            if sep and key.strip():
                headers[unquote(key.strip()).lower()] = unquote(value.strip())
        return headers

    @property
    def public_url_is_loopback(self) -> bool:
        """Whether PUBLIC_URL names this machine only (localhost, 127.0.0.0/8, ::1): a developer's setup."""
        host = urlsplit(self.public_url).hostname or ""
        if host == "localhost":
            return True
        try:
            return ipaddress.ip_address(host).is_loopback
        except ValueError:
            return False

    def configuration_problem(self) -> str | None:
        """What stops a web server from starting safely, in one line (None: nothing)."""
        if self.session_secret is None and not self.public_url_is_loopback:
            return (
                f"SESSION_SECRET is required when PUBLIC_URL ({self.public_url}) is not a loopback address: set it "
                "to one long random value shared by every web process (sign-ins would end at every restart)"
            )
        return None

    @property
    def twilio_enabled(self) -> bool:
        """Twilio is used only when both credentials are configured."""
        return bool(self.twilio_account_sid and self.twilio_auth_token)


def reveal(secret: SecretStr | None) -> str | None:
    """The value of a secret setting, where it is used (it prints as '**********' everywhere else)."""
    return None if secret is None else secret.get_secret_value()


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings (tests clear the cache after changing the environment)."""
    return Settings()
