# HER2 CDS Hooks service: slim Python, non-root, gunicorn, health check.
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
    HER2CDS_DATABASE_URL=sqlite:////var/lib/her2cds/feedback.sqlite3
COPY --from=build /install /usr/local
RUN useradd --system --uid 10001 --home-dir /var/lib/her2cds --create-home her2cds
USER her2cds
WORKDIR /var/lib/her2cds
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=3s --start-period=10s --retries=3 \
  CMD ["python", "-c", "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8080/healthz', timeout=2).status == 200 else 1)"]
CMD ["her2-cds", "serve", "--host", "0.0.0.0", "--port", "8080", "--workers", "2"]
