# HER2 CDS Hooks service: slim Python, numeric non-root user, gunicorn, health check.
# Runs with a read-only root file system: the only writable paths are TMPDIR (/tmp) and the
# SQLite folder (/var/lib/her2cds), both volumes; with PostgreSQL (HER2CDS_DATABASE_URL) only
# /tmp needs to be writable. Build: docker build -t her2-cds-hooks:0.1.0 .
FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY cds_service ./cds_service
COPY fhir_mappings ./fhir_mappings
COPY cards ./cards
RUN pip install --no-cache-dir --prefix=/install .

FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    TMPDIR=/tmp \
    HER2CDS_DATABASE_URL=sqlite:////var/lib/her2cds/feedback.sqlite3
COPY --from=build /install /usr/local
RUN groupadd --system --gid 10001 her2cds \
    && useradd --system --uid 10001 --gid 10001 --home-dir /var/lib/her2cds --create-home her2cds
# Numeric, so Kubernetes' runAsNonRoot can check it without reading /etc/passwd.
USER 10001:10001
WORKDIR /var/lib/her2cds
VOLUME ["/var/lib/her2cds", "/tmp"]
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=3s --start-period=20s --retries=3 \
  CMD ["python", "-c", "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8080/healthz', timeout=2).status == 200 else 1)"]
CMD ["her2-cds", "serve", "--host", "0.0.0.0", "--port", "8080", "--workers", "2"]
