# The registry's service image (docs/deployment.md). Three stages: the two web builds (the
# offline verifier page and GraphiQL, from their locked npm dependencies), the Python install,
# and the runtime: no compiler, no npm, no package manager cache, a user without a login.
# Run it with a read-only root filesystem (compose.yaml does): it writes only to its data
# volume and /tmp. The database is a MongoDB replica set (REGISTRY_MONGODB_URI); the embedded
# SecantusDB server is not in the image (it is the demo's, and GPL-2.0).
#
# Pin the base images by digest in your own registry (ARG values below are tags).
ARG PYTHON_IMAGE=python:3.11-slim-bookworm
ARG NODE_IMAGE=node:20-bookworm-slim

FROM ${NODE_IMAGE} AS web
WORKDIR /src
COPY credentials/schemas/ credentials/schemas/
COPY web/verifier/ web/verifier/
COPY web/graphiql/ web/graphiql/
# Exactly the locked versions, no install scripts (as scripts/setup-browser.sh and
# scripts/setup-graphiql.sh build them).
RUN cd web/verifier && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error \
    && node build.mjs \
    && cd ../graphiql && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error \
    && node build.mjs

FROM ${PYTHON_IMAGE} AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
COPY pyproject.toml README.md ./
COPY credentials/ credentials/
COPY registry/ registry/
COPY resolvers/ resolvers/
COPY schema/ schema/
COPY service/ service/
RUN python -m venv /opt/venv \
    && /opt/venv/bin/pip install --no-compile . \
    && /opt/venv/bin/python -m compileall -q /opt/venv/lib

FROM ${PYTHON_IMAGE} AS runtime
# A fixed uid/gid without a shell or a home: volumes and secrets are given to 10001.
RUN groupadd --gid 10001 registry \
    && useradd --uid 10001 --gid registry --no-create-home \
       --home-dir /nonexistent --shell /usr/sbin/nologin registry \
    && mkdir -p /var/lib/dte-registry \
    && chown registry:registry /var/lib/dte-registry && chmod 0700 /var/lib/dte-registry
COPY --from=build /opt/venv /opt/venv
COPY --from=web /src/web/verifier/dist/ /opt/dte-registry/web/verifier/
COPY --from=web /src/web/graphiql/dist/ /opt/dte-registry/web/graphiql/
# Root-owned and executable (its mode in git): the registry user cannot change it.
COPY deploy/entrypoint.sh /usr/local/bin/registry-entrypoint
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    REGISTRY_HOST=0.0.0.0 \
    REGISTRY_PORT=8000 \
    REGISTRY_DATA_DIR=/var/lib/dte-registry \
    REGISTRY_MASTER_KEY_FILE=/run/secrets/master_key \
    REGISTRY_VERIFIER_PAGE_DIR=/opt/dte-registry/web/verifier \
    REGISTRY_GRAPHIQL_DIR=/opt/dte-registry/web/graphiql
USER 10001:10001
WORKDIR /var/lib/dte-registry
VOLUME ["/var/lib/dte-registry"]
EXPOSE 8000
# Liveness: the process answers (/healthz). Readiness, the database answering, is /readyz:
# compose.yaml's healthcheck and a load balancer's probe use that one.
HEALTHCHECK --interval=15s --timeout=3s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('REGISTRY_PORT', '8000'), timeout=2)"]
STOPSIGNAL SIGTERM
ENTRYPOINT ["registry-entrypoint"]
CMD ["serve"]
