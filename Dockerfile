# syntax=docker/dockerfile:1
# The Winnerr API image: GraphiQL's assets from the npm lock, the server from requirements/serve.lock (every
# distribution pinned with its hash), run as a non-root user on a slim Python, with a HEALTHCHECK on /ready.
# Build: `docker build -t winnerr .`; run: see docker-compose.yml and docs/operations.md#docker.

ARG PYTHON_IMAGE=python:3.12-slim-bookworm
ARG NODE_IMAGE=node:20-bookworm-slim

# 1. GraphiQL's front-end packages, exactly as graphiql/package-lock.json pins them.
FROM ${NODE_IMAGE} AS assets
WORKDIR /src/graphiql
COPY graphiql/package.json graphiql/package-lock.json graphiql/copy-assets.js ./
RUN npm ci --no-audit --no-fund

# 2. A virtualenv with the locked dependencies and the package itself (its wheel carries the assets).
FROM ${PYTHON_IMAGE} AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PYTHONDONTWRITEBYTECODE=1
WORKDIR /src
RUN python -m venv /opt/winnerr
COPY requirements/serve.lock requirements/serve.lock
RUN /opt/winnerr/bin/pip install --no-cache-dir --require-hashes --requirement requirements/serve.lock
COPY pyproject.toml README.md ./
COPY winnerr winnerr
COPY --from=assets /src/winnerr/graphiql/static/vendor winnerr/graphiql/static/vendor
RUN /opt/winnerr/bin/pip install --no-cache-dir --no-deps --no-build-isolation . \
    && /opt/winnerr/bin/pip check

# 3. The runtime: the virtualenv only, owned by root, run by an unprivileged user.
FROM ${PYTHON_IMAGE}
ENV PATH=/opt/winnerr/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    WINNERR_ENV=production \
    WINNERR_DATA_DIR=/var/lib/winnerr
RUN groupadd --system --gid 10001 winnerr \
    && useradd --system --uid 10001 --gid winnerr --home-dir /var/lib/winnerr --create-home winnerr
COPY --from=build /opt/winnerr /opt/winnerr
USER 10001:10001
WORKDIR /var/lib/winnerr
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/ready', timeout=4)"]
CMD ["winnerr", "serve", "--host", "0.0.0.0", "--port", "8000"]
