"""OpenTelemetry tracing, on when its standard environment variables ask for it (and the `tracing` extra is
installed, as the locks install it).

`OTEL_TRACES_EXPORTER` (e.g. `otlp`, `console`), `OTEL_EXPORTER_OTLP_ENDPOINT` or
`OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` turn it on, unless `OTEL_SDK_DISABLED=true`; every other `OTEL_*` variable
(service name, resource attributes, sampler, headers, batch delays) means what the OpenTelemetry SDK says. The
SDK is configured by the OpenTelemetry distro's own configurator, from those variables, once per process; traces
only: Prometheus has the metrics (`OTEL_METRICS_EXPORTER` and `OTEL_LOGS_EXPORTER` default to `none`), and OTLP
defaults to `http/protobuf`, the exporter the locks carry. The official instrumentations make the spans: ASGI
(each HTTP request and websocket), SQLAlchemy (each statement of the app's engine) and asyncpg.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping

from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.middleware import Middleware

logger = logging.getLogger("winnerr.tracing")

SWITCHES = ("OTEL_TRACES_EXPORTER", "OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")
DEFAULTS = {
    "OTEL_METRICS_EXPORTER": "none",
    "OTEL_LOGS_EXPORTER": "none",
    "OTEL_EXPORTER_OTLP_PROTOCOL": "http/protobuf",
    "OTEL_SERVICE_NAME": "winnerr",
}
_configured: list[bool] = []


def wanted(environ: Mapping[str, str] = os.environ) -> bool:
    """Whether the environment asks for traces."""
    if environ.get("OTEL_SDK_DISABLED", "").strip().lower() == "true":
        return False
    if environ.get("OTEL_TRACES_EXPORTER", "").strip().lower() == "none":
        return False
    return any(environ.get(name) for name in SWITCHES)


def configure() -> bool:
    """Set the SDK up from the environment, once per process; whether tracing is on."""
    if _configured:
        return _configured[0]
    on = wanted() and _configure_sdk()
    _configured.append(on)
    return on


def _configure_sdk() -> bool:
    try:
        from opentelemetry.distro import OpenTelemetryConfigurator
        from opentelemetry.instrumentation.asyncpg import AsyncPGInstrumentor
    except ImportError:
        logger.warning("OTEL_* variables are set but OpenTelemetry is not installed: pip install 'winnerr[tracing]'")
        return False
    for name, value in DEFAULTS.items():
        os.environ.setdefault(name, value)
    OpenTelemetryConfigurator().configure()  # type: ignore[no-untyped-call]
    AsyncPGInstrumentor().instrument()  # type: ignore[no-untyped-call]
    logger.info("Tracing on", extra={"exporter": os.environ.get("OTEL_TRACES_EXPORTER", "otlp")})
    return True


def middleware() -> list[Middleware]:
    """The ASGI instrumentation, outermost, when tracing is on; nothing otherwise."""
    if not configure():
        return []
    from opentelemetry.instrumentation.asgi import OpenTelemetryMiddleware

    return [Middleware(OpenTelemetryMiddleware)]


def trace_engine(engine: AsyncEngine) -> None:
    """Spans for the statements of `engine`, when tracing is on."""
    if not configure():
        return
    from opentelemetry.instrumentation.sqlalchemy import SQLAlchemyInstrumentor

    # Its package declares SQLAlchemy < 2.1; the engine events it listens to are unchanged in 2.1, and
    # tests/test_metrics.py sees its spans, so its version check is skipped (its own documented switch).
    SQLAlchemyInstrumentor().instrument(engine=engine.sync_engine, skip_dep_check=True)
