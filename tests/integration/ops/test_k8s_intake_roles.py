"""Kubernetes runs intake as two Deployments, as `make run-distributed` runs it as two processes
(composition/registry.py, SPLIT_SERVICES): `intake` (`--role api`) behind the Service, the HPA and the
PDB, and `intake-worker` (`--role worker`: the outbox relay and the consumer), one replica, which
serves the outbox's ops endpoints and is scraped like the APIs."""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
K8S = ROOT / "deploy" / "k8s"
_spec = importlib.util.spec_from_file_location("k8s_validate", K8S / "validate.py")
assert _spec and _spec.loader
validate = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(validate)


@pytest.fixture(scope="module", params=["dev", "prod"])
def rendered(request) -> tuple[str, dict[tuple[str, str], dict]]:
    assert shutil.which("kubectl"), "kubectl is missing: `make test` installs it (make ops-tools)"
    prefix = "dev-" if request.param == "dev" else ""
    objects = validate.render(K8S / "overlays" / request.param)
    return prefix, {(obj["kind"], obj["metadata"]["name"]): obj for obj in objects}


def _pod_labels(objects: dict, kind: str, name: str) -> dict:
    return objects[(kind, name)]["spec"]["template"]["metadata"]["labels"]


def _release(objects: dict, prefix: str) -> str:
    """The release Job's name, which ends in the image tag (components/wiring)."""
    return next(name for kind, name in objects if kind == "Job" and name.startswith(f"{prefix}intake-release-"))


def _container(deployment: dict) -> dict:
    (container,) = deployment["spec"]["template"]["spec"]["containers"]
    return container


def test_the_api_and_the_worker_run_their_roles(rendered):
    prefix, objects = rendered
    api, worker = objects[("Deployment", f"{prefix}intake")], objects[("Deployment", f"{prefix}intake-worker")]
    assert _container(api)["command"][3:6] == ["intake", "--role", "api"]
    assert _container(worker)["command"] == ["python", "-m", "composition.run", "intake", "--role", "worker",
                                             "--host", "0.0.0.0", "--port", "8000"]
    assert worker["spec"]["replicas"] == 1 and worker["spec"]["strategy"] == {"type": "Recreate"}
    assert ("HorizontalPodAutoscaler", f"{prefix}intake-worker") not in objects
    # the same settings and secrets, and the same probes; the broker's credentials only where the
    # broker is used (the API never connects to it)
    env = {var["name"]: var for var in _container(api)["env"]}
    worker_env = {var["name"]: var for var in _container(worker)["env"]}
    assert set(worker_env) - set(env) == {"RABBITMQ_USER", "RABBITMQ_PASSWORD", "RABBITMQ_HOST", "BUS_URL"}
    assert {name: worker_env[name] for name in env} == env
    assert worker_env["RABBITMQ_HOST"]["value"] == f"{prefix}courtmed-rabbitmq"
    for probe in ("startupProbe", "livenessProbe", "readinessProbe"):
        assert _container(worker)[probe]["httpGet"] == _container(api)[probe]["httpGet"]


def test_the_apis_service_autoscaler_and_budget_leave_the_worker_out(rendered):
    prefix, objects = rendered
    api = _pod_labels(objects, "Deployment", f"{prefix}intake")
    worker = _pod_labels(objects, "Deployment", f"{prefix}intake-worker")
    service = {"matchLabels": objects[("Service", f"{prefix}intake")]["spec"]["selector"]}
    budget = objects[("PodDisruptionBudget", f"{prefix}intake")]["spec"]["selector"]
    for selector in (service, budget):
        assert validate._matches(selector, api) and not validate._matches(selector, worker)
    hpa = objects[("HorizontalPodAutoscaler", f"{prefix}intake")]["spec"]["scaleTargetRef"]
    assert hpa["name"] == f"{prefix}intake"
    ops = {"matchLabels": objects[("Service", f"{prefix}intake-worker")]["spec"]["selector"]}
    assert validate._matches(ops, worker) and not validate._matches(ops, api)
    # one replica: a budget that let no pod go would block every node drain
    assert objects[("PodDisruptionBudget", f"{prefix}intake-worker")]["spec"]["maxUnavailable"] == 1


def test_the_outbox_ops_endpoints_go_to_the_worker_the_rest_to_the_api(rendered):
    prefix, objects = rendered
    paths = {p["path"]: p["backend"]["service"]["name"]
             for rule in objects[("Ingress", f"{prefix}courtmed")]["spec"]["rules"] for p in rule["http"]["paths"]}
    assert paths["/v1/ops/intake"] == f"{prefix}intake-worker"
    assert paths["/v1/cases"] == f"{prefix}intake"


def test_prometheus_scrapes_the_worker_and_the_api(rendered):
    prefix, objects = rendered
    selector = objects[("PodMonitor", f"{prefix}courtmed")]["spec"]["selector"]
    assert validate._matches(selector, _pod_labels(objects, "Deployment", f"{prefix}intake-worker"))
    assert validate._matches(selector, _pod_labels(objects, "Deployment", f"{prefix}intake"))
    assert not validate._matches(selector, _pod_labels(objects, "Job", _release(objects, prefix)))


def _allowed(objects: dict, kind: str, name: str) -> tuple[list[dict], set[str]]:
    """What the network policies selecting the pods of `name` let them reach (the pods each egress
    peer selects), and the namespaces they take connections from."""
    labels = _pod_labels(objects, kind, name)
    chosen = [obj for (k, _), obj in objects.items() if k == "NetworkPolicy" and obj["spec"]["podSelector"]
              and validate._matches(obj["spec"]["podSelector"], labels)]
    egress = [peer.get("podSelector", {}).get("matchLabels", {}) for p in chosen
              for rule in p["spec"].get("egress", []) for peer in rule["to"]]
    sources = {peer["namespaceSelector"]["matchLabels"]["kubernetes.io/metadata.name"] for p in chosen
               for rule in p["spec"].get("ingress", []) for peer in rule["from"]}
    return egress, sources


def test_the_api_and_the_worker_reach_the_database_and_the_broker_and_take_ingress_and_scrapes(rendered):
    prefix, objects = rendered
    for name in (f"{prefix}intake", f"{prefix}intake-worker"):
        egress, sources = _allowed(objects, "Deployment", name)
        assert {"k8s-app": "kube-dns"} in egress, name
        assert {"cnpg.io/cluster": f"{prefix}courtmed-intake"} in egress, name
        assert {"app.kubernetes.io/name": f"{prefix}courtmed-rabbitmq"} in egress, name
        assert {"ingress-nginx", "monitoring"} <= sources, name


def test_the_release_job_still_reaches_the_database(rendered):
    prefix, objects = rendered
    egress, _ = _allowed(objects, "Job", _release(objects, prefix))
    assert {"k8s-app": "kube-dns"} in egress
    assert {"cnpg.io/cluster": f"{prefix}courtmed-intake"} in egress
