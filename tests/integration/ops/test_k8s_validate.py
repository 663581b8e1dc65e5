"""`make k8s-validate` (deploy/k8s/validate.py): both overlays render and every object validates,
the operators' custom resources against their CRD schemas included; and it fails on a broken
manifest, on a reference to a Secret that names nothing, and on the dev overlay without its wiring
(the prefix renames the clusters, so the operator-made secrets the pods read would not exist)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[3]
K8S = ROOT / "deploy" / "k8s"


def _validate(*overlays: Path) -> subprocess.CompletedProcess:
    assert shutil.which("kubectl"), "kubectl is missing: `make test` installs it (make ops-tools)"
    return subprocess.run([sys.executable, str(K8S / "validate.py"), *map(str, overlays)],
                          capture_output=True, text=True, timeout=300)


def _copy(tmp_path: Path) -> Path:
    tree = tmp_path / "k8s"
    shutil.copytree(K8S, tree)
    return tree


def test_both_overlays_render_and_validate():
    done = _validate(K8S / "overlays" / "dev", K8S / "overlays" / "prod")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "2 overlay(s) valid" in done.stderr


def test_every_kind_rendered_is_checked_against_a_schema():
    rendered = subprocess.run(["kubectl", "kustomize", str(K8S / "overlays" / "prod")], capture_output=True,
                              text=True, check=True).stdout
    kinds = {doc["kind"] for doc in yaml.safe_load_all(rendered) if doc}
    assert {"Cluster", "ScheduledBackup", "RabbitmqCluster", "PodMonitor", "PrometheusRule", "Deployment",
            "HorizontalPodAutoscaler", "PodDisruptionBudget", "NetworkPolicy", "Job", "Ingress"} <= kinds


def test_a_misspelt_field_of_a_custom_resource_fails(tmp_path):
    tree = _copy(tmp_path)
    rabbit = tree / "base" / "rabbitmq.yaml"
    rabbit.write_text(rabbit.read_text(encoding="utf-8").replace("  replicas: 3", "  replica: 3"), encoding="utf-8")
    done = _validate(tree / "overlays" / "prod")
    assert done.returncode == 1
    assert "RabbitmqCluster/courtmed-rabbitmq: spec: Additional properties are not allowed ('replica'" in done.stdout


def test_a_broken_core_manifest_fails(tmp_path):
    tree = _copy(tmp_path)
    routing = tree / "base" / "routing.yaml"
    routing.write_text(routing.read_text(encoding="utf-8").replace("  replicas: 2", '  replicas: "two"'),
                      encoding="utf-8")
    done = _validate(tree / "overlays" / "prod")
    assert done.returncode == 1
    assert "Deployment/routing: spec/replicas: 'two' is not of type 'integer'" in done.stdout


def test_a_manifest_kustomize_cannot_render_fails(tmp_path):
    tree = _copy(tmp_path)
    (tree / "base" / "notify.yaml").write_text("kind: Deployment\nmetadata: [unclosed\n", encoding="utf-8")
    done = _validate(tree / "overlays" / "dev")
    assert done.returncode == 1 and "kustomize failed" in done.stdout


def test_a_secret_reference_that_names_nothing_fails(tmp_path):
    tree = _copy(tmp_path)
    kustomization = tree / "overlays" / "prod" / "environment" / "kustomization.yaml"
    spec = yaml.safe_load(kustomization.read_text(encoding="utf-8"))
    spec["patches"].append({"target": {"kind": "Deployment", "name": "routing"}, "patch": (
        "- op: replace\n"
        "  path: /spec/template/spec/containers/0/env/1/valueFrom/secretKeyRef/name\n"
        "  value: courtmed-jwt-secret\n")})
    kustomization.write_text(yaml.safe_dump(spec), encoding="utf-8")
    done = _validate(tree / "overlays" / "prod")
    assert done.returncode == 1
    assert ("Deployment/routing container routing env JWT_SECRET: Secret 'courtmed-jwt-secret' is neither "
            "rendered, created by an operator, nor listed") in done.stdout


def test_a_key_the_secret_does_not_have_fails(tmp_path):
    tree = _copy(tmp_path)
    provided = tree / "overlays" / "prod" / "operations-secrets.yaml"
    secrets = yaml.safe_load(provided.read_text(encoding="utf-8"))
    secrets["courtmed-notify-credentials"].remove("sms-api-key")
    provided.write_text(yaml.safe_dump(secrets), encoding="utf-8")
    done = _validate(tree / "overlays" / "prod")
    assert done.returncode == 1
    assert "Secret 'courtmed-notify-credentials' has no key 'sms-api-key'" in done.stdout


def test_dev_without_its_wiring_fails_as_the_prefixed_clusters_secrets_do_not_exist(tmp_path):
    tree = _copy(tmp_path)
    (tree / "overlays" / "dev" / "kustomization.yaml").write_text(
        "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: [environment]\n",
        encoding="utf-8")
    done = _validate(tree / "overlays" / "dev")
    assert done.returncode == 1
    assert "Secret 'courtmed-intake-app' is neither rendered" in done.stdout
    assert "RABBITMQ_HOST 'courtmed-rabbitmq' names no RabbitmqCluster" in done.stdout
    assert "NetworkPolicy/dev-intake: an egress peer selects no pod" in done.stdout


def test_two_overlays_in_one_namespace_fail(tmp_path):
    tree = _copy(tmp_path)
    kustomization = tree / "overlays" / "dev" / "environment" / "kustomization.yaml"
    kustomization.write_text(kustomization.read_text(encoding="utf-8").replace(
        "namespace: courtmed-dev", "namespace: courtmed-prod"), encoding="utf-8")
    done = _validate(tree / "overlays" / "dev", tree / "overlays" / "prod")
    assert done.returncode == 1 and "share the namespace 'courtmed-prod'" in done.stdout


def test_a_pod_that_would_fail_pod_security_restricted_fails(tmp_path):
    tree = _copy(tmp_path)
    mediation = tree / "base" / "mediation.yaml"
    mediation.write_text(mediation.read_text(encoding="utf-8").replace("capabilities: {drop: [ALL]}", "capabilities: {}"),
                         encoding="utf-8")
    done = _validate(tree / "overlays" / "prod")
    assert done.returncode == 1 and "container mediation: does not drop all capabilities" in done.stdout
