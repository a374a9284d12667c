"""What operators watch: Prometheus metrics (`metrics`, served by `endpoint`) and optional OpenTelemetry tracing
(`tracing`).

`metrics` defines every metric once, at import, on prometheus-client's default registry; in a server started
with several workers (`winnerr serve --workers N`) each process writes its values under
`PROMETHEUS_MULTIPROC_DIR` and a scrape adds them up (`endpoint.scraped_registry`). The modules that count
(requests, operations, sockets, subscriptions, webhooks, limits, pools) call small functions of `metrics`; they
never build metrics themselves.
"""
