# One openmaas server process; compose.yaml runs several of them behind nginx, as `openmaas cluster up`
# does on one host. Settings come from OPENMAAS_* variables (see README.md).
FROM python:3.11-slim

WORKDIR /src
COPY pyproject.toml README.md ./
COPY src ./src
RUN pip install --no-cache-dir . \
    && useradd --system --create-home --home-dir /var/lib/openmaas openmaas

USER openmaas
WORKDIR /var/lib/openmaas
ENV OPENMAAS_DATA_DIR=/var/lib/openmaas
EXPOSE 8080
# SIGTERM drains in-flight requests (up to 30 s) before the process exits.
STOPSIGNAL SIGTERM
CMD ["openmaas", "serve", "--host", "0.0.0.0", "--port", "8080"]
