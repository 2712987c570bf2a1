"""Deployment files: the Dockerfile passes hadolint at its default threshold and runs as a
numeric non-root user; the kustomize base and the hospital overlay render (kubectl's built-in
kustomize) into manifests that the Kubernetes schemas accept (kubernetes-validate, offline)
and that keep the service's operating rules; the compose file wires PostgreSQL and Redis.

No Docker engine is available here, so the image itself is not built by these tests."""

from __future__ import annotations

import shutil
import subprocess
import sys
from functools import cache
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml

ROOT = Path(__file__).parents[2]
KUBE = ROOT / "deploy" / "kubernetes"
K8S_VERSION = "1.32.0"


def test_dockerfile_is_hadolint_clean() -> None:
    hadolint = Path(sys.executable).parent / "hadolint"
    result = subprocess.run(
        [str(hadolint), "--no-color", str(ROOT / "Dockerfile")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_dockerfile_runs_as_a_numeric_non_root_user() -> None:
    lines = (ROOT / "Dockerfile").read_text().splitlines()
    users = [line.split()[1] for line in lines if line.startswith("USER ")]
    assert users and all(part.isdigit() and int(part) > 0 for part in users[-1].split(":"))
    assert any(line.startswith("ENV") or "TMPDIR=/tmp" in line for line in lines)


def test_dockerignore_keeps_the_image_to_the_packages() -> None:
    ignored = set((ROOT / ".dockerignore").read_text().split())
    assert {".git", ".venv", "tests", "*.sqlite3", "test-artefacts"} <= ignored


@cache
def render(folder: str) -> tuple[dict[str, Any], ...]:
    kubectl = shutil.which("kubectl")
    assert kubectl, "kubectl (with its built-in kustomize) is needed to render deploy/kubernetes"
    result = subprocess.run(
        [kubectl, "kustomize", str(KUBE / folder)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    return tuple(doc for doc in yaml.safe_load_all(result.stdout) if doc)


def by_kind(docs: tuple[dict[str, Any], ...], kind: str) -> dict[str, Any]:
    [doc] = [d for d in docs if d["kind"] == kind]
    return doc


@pytest.mark.parametrize("folder", ["base", "overlays/hospital-example"])
def test_manifests_pass_the_kubernetes_schemas(folder: str) -> None:
    docs = render(folder)
    kinds = sorted(d["kind"] for d in docs)
    assert kinds == sorted(
        [
            "ConfigMap",
            "Deployment",
            "HorizontalPodAutoscaler",
            "NetworkPolicy",
            "PodDisruptionBudget",
            "Service",
            "ServiceAccount",
        ]
    )
    for doc in docs:
        kubernetes_validate.validate(doc, K8S_VERSION, strict=True)


def test_a_broken_manifest_is_refused_by_the_validator() -> None:
    deployment = dict(by_kind(render("base"), "Deployment"))
    deployment["spec"] = {**deployment["spec"], "replicas": "two"}
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(deployment, K8S_VERSION, strict=True)


@pytest.mark.parametrize("folder", ["base", "overlays/hospital-example"])
def test_deployment_keeps_the_operating_rules(folder: str) -> None:
    docs = render(folder)
    deployment = by_kind(docs, "Deployment")
    spec = deployment["spec"]["template"]["spec"]
    assert deployment["spec"]["replicas"] >= 2
    assert spec["securityContext"]["runAsNonRoot"] is True
    assert isinstance(spec["securityContext"]["runAsUser"], int)
    assert spec["securityContext"]["runAsUser"] > 0
    [container] = spec["containers"]
    assert container["securityContext"]["readOnlyRootFilesystem"] is True
    assert container["securityContext"]["allowPrivilegeEscalation"] is False
    assert container["securityContext"]["capabilities"]["drop"] == ["ALL"]
    for probe in ("readinessProbe", "livenessProbe"):
        assert container[probe]["httpGet"]["path"] == "/healthz"
    assert {"cpu", "memory"} <= set(container["resources"]["requests"])
    assert {"cpu", "memory"} <= set(container["resources"]["limits"])
    secrets = {
        e["name"]: e["valueFrom"]["secretKeyRef"]["name"]
        for e in container["env"]
        if "valueFrom" in e
    }
    assert secrets == {
        "HER2CDS_DATABASE_URL": "her2-cds-secrets",
        "HER2CDS_REDIS_URL": "her2-cds-secrets",
    }
    mounts = {m["mountPath"] for m in container["volumeMounts"]}
    assert "/tmp" in mounts  # the only writable path: read-only root file system
    config = by_kind(docs, "ConfigMap")["data"]
    assert config["HER2CDS_AUTH"] == "required"
    assert config["HER2CDS_DEMO"] == "off"
    trusted = Path(config["HER2CDS_TRUSTED_CLIENTS"]).parent
    assert str(trusted) in mounts
    volumes = {v["name"]: v for v in spec["volumes"]}
    assert volumes["trusted-clients"]["secret"]["secretName"] == "her2-cds-trusted-clients"
    assert not [d for d in docs if d["kind"] == "Secret"]  # secrets are referenced, never shipped
    assert by_kind(docs, "HorizontalPodAutoscaler")["spec"]["minReplicas"] >= 2
    assert by_kind(docs, "PodDisruptionBudget")["spec"]["minAvailable"] >= 1


def test_the_overlay_changes_what_a_hospital_changes() -> None:
    base, overlay = render("base"), render("overlays/hospital-example")
    assert {d["metadata"].get("namespace") for d in overlay} == {"her2-cds"}
    image = by_kind(overlay, "Deployment")["spec"]["template"]["spec"]["containers"][0]["image"]
    assert image == "registry.hospital-a.example/cds/her2-cds-hooks:0.1.0"
    config = by_kind(overlay, "ConfigMap")["data"]
    assert config["HER2CDS_PUBLIC_BASE_URL"] == "https://cds.hospital-a.example"
    assert config["HER2CDS_AUTH"] == "required"  # kept from the base
    assert by_kind(overlay, "Deployment")["spec"]["replicas"] == 3
    egress = by_kind(overlay, "NetworkPolicy")["spec"]["egress"]
    non_dns = [rule for rule in egress if {p["port"] for p in rule["ports"]} != {53}]
    assert non_dns and all("to" in rule for rule in non_dns)  # narrowed, not widened
    assert by_kind(base, "Deployment")["spec"]["replicas"] == 2


def test_compose_runs_the_service_with_postgresql_and_redis() -> None:
    compose = yaml.safe_load((ROOT / "deploy" / "compose.yaml").read_text())
    services = compose["services"]
    assert set(services) == {"her2-cds", "postgres", "redis"}
    env = services["her2-cds"]["environment"]
    assert env["HER2CDS_DATABASE_URL"].startswith("postgresql://")
    assert "@postgres:5432/" in env["HER2CDS_DATABASE_URL"]
    assert env["HER2CDS_REDIS_URL"] == "redis://redis:6379/0"
    assert services["her2-cds"]["read_only"] is True
    assert services["her2-cds"]["user"] == "10001:10001"
    assert set(services["her2-cds"]["depends_on"]) == {"postgres", "redis"}
    build = services["her2-cds"]["build"]
    assert (ROOT / "deploy" / build["context"] / build["dockerfile"]).resolve() == (
        ROOT / "Dockerfile"
    )
