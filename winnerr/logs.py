"""Logging: one line per record, with the request id when there is one."""

from __future__ import annotations

import logging
import logging.config

from asgi_correlation_id import CorrelationIdFilter


def configure_logging(level: str) -> None:
    logging.config.dictConfig(
        {
            "version": 1,
            "disable_existing_loggers": False,
            "filters": {"request_id": {"()": CorrelationIdFilter, "uuid_length": 32, "default_value": "-"}},
            "formatters": {
                "line": {"format": "%(asctime)s %(levelname)s [%(correlation_id)s] %(name)s: %(message)s"}
            },
            "handlers": {
                "console": {"class": "logging.StreamHandler", "filters": ["request_id"], "formatter": "line"}
            },
            "loggers": {"winnerr": {"handlers": ["console"], "level": level.upper(), "propagate": False}},
        }
    )
