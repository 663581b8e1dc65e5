"""`make k8s-validate`: render each overlay with `kubectl kustomize` and check what it would apply.

    python deploy/k8s/validate.py deploy/k8s/overlays/dev deploy/k8s/overlays/prod

1. Every object against its schema, strictly (an unknown field is an error): Kubernetes' own kinds
   with kubernetes-validate, the operators' custom resources (CloudNativePG, RabbitMQ, Prometheus
   Operator) against the CRD schemas vendored in deploy/k8s/schemas/. A kind with no schema fails.
2. Every reference resolves inside the overlay: Secrets and ConfigMaps read by pods (env, envFrom,
   volumes), with the key, against what is rendered, what the operators create from a rendered
   cluster (`<Cluster>-app`, `<RabbitmqCluster>-default-user`) and what the overlay's
   `operations-secrets.yaml` says operations create; Services the Ingress routes to (and their
   ports), pods a Service, PDB, NetworkPolicy or PodMonitor selects, the Deployment an HPA scales,
   the cluster a ScheduledBackup backs up, the broker host the services connect to.
3. Each overlay is an environment of its own: one namespace per overlay, different from the others'.
4. Pods pass Pod Security "restricted" and have what production needs: probes, resources, a
   termination grace period, no service-account token.

Exit status 1 and one line per problem when anything fails.
"""

from __future__ import annotations

import functools
import json
import subprocess
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path

import jsonschema
import yaml
from kubernetes_validate import utils as kubernetes_schemas

HERE = Path(__file__).resolve().parent
SCHEMAS = HERE / "schemas"
KUBERNETES_VERSION = "1.31.0"
# Secrets the operators create for a cluster they run, with the keys the services may read.
CNPG_APP_KEYS = {"username", "password", "host", "port", "dbname", "uri", "jdbc-uri", "pgpass", "fqdn-uri",
                 "fqdn-jdbc-uri"}
RABBITMQ_USER_KEYS = {"username", "password", "host", "port", "provider", "type", "default_user.conf",
                      "connection_string"}
POD_KINDS = {"Deployment", "StatefulSet", "DaemonSet", "Job", "ReplicaSet"}


def render(overlay: Path) -> list[dict]:
    done = subprocess.run(["kubectl", "kustomize", str(overlay)], capture_output=True, text=True, timeout=120)
    if done.returncode != 0:
        raise RenderError(done.stderr.strip() or done.stdout.strip())
    return [doc for doc in yaml.safe_load_all(done.stdout) if doc]


class RenderError(Exception):
    pass


def _crd_schema(obj: dict) -> Path:
    group, _, version = obj["apiVersion"].rpartition("/")
    return SCHEMAS / group / f"{obj['kind'].lower()}_{version}.json"


@functools.cache
def _strict_schema(path: Path) -> dict:
    """The CRD's schema with every object closed to fields it does not declare, as kubeconform's
    -strict does: the API server prunes an unknown field silently, so a misspelt one would be lost."""
    def close(node):
        if isinstance(node, dict):
            node = {k: close(v) for k, v in node.items()}
            if "properties" in node and "additionalProperties" not in node \
                    and not node.get("x-kubernetes-preserve-unknown-fields"):
                node["additionalProperties"] = False
            return node
        if isinstance(node, list):
            return [close(v) for v in node]
        return node
    return close(json.loads(path.read_text(encoding="utf-8")))


def schema_problems(obj: dict) -> list[str]:
    name = f"{obj.get('kind')}/{obj.get('metadata', {}).get('name')}"
    group = obj.get("apiVersion", "").rpartition("/")[0]
    if "." in group and not group.endswith(".k8s.io"):
        path = _crd_schema(obj)
        if not path.exists():
            return [f"{name}: no schema for {obj['apiVersion']} {obj['kind']} (vendor it in {SCHEMAS.name}/)"]
        validator = jsonschema.Draft7Validator(_strict_schema(path))
        return [f"{name}: {'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(obj)]
    try:
        kubernetes_schemas.validate(obj, KUBERNETES_VERSION, strict=True)
    except kubernetes_schemas.ValidationError as exc:  # a jsonschema.ValidationError
        return [f"{name}: {'/'.join(map(str, exc.absolute_path))}: {exc.message}"]
    except kubernetes_schemas.SchemaNotFoundError:
        return [f"{name}: no Kubernetes schema for {obj.get('apiVersion')} {obj.get('kind')}"]
    return []


def _pod_spec(obj: dict) -> dict | None:
    if obj["kind"] in POD_KINDS:
        return obj["spec"]["template"]["spec"]
    if obj["kind"] == "CronJob":
        return obj["spec"]["jobTemplate"]["spec"]["template"]["spec"]
    return None


def _pod_labels(obj: dict) -> dict:
    return obj["spec"]["template"].get("metadata", {}).get("labels", {})


def _containers(spec: dict) -> Iterator[dict]:
    yield from spec.get("initContainers", [])
    yield from spec.get("containers", [])


def _matches(selector: dict, labels: dict) -> bool:
    for key, value in (selector.get("matchLabels") or {}).items():
        if labels.get(key) != value:
            return False
    for expr in selector.get("matchExpressions") or []:
        present, value = expr["key"] in labels, labels.get(expr["key"])
        op = expr["operator"]
        if (op == "Exists" and not present) or (op == "DoesNotExist" and present) or \
           (op == "In" and value not in expr["values"]) or (op == "NotIn" and value in expr["values"]):
            return False
    return True


class Overlay:
    """What an overlay renders, indexed for the reference checks."""

    def __init__(self, path: Path, objects: list[dict]) -> None:
        self.path, self.objects = path, objects
        self.secrets: dict[str, set[str] | None] = {}
        self.configmaps: dict[str, set[str]] = {}
        for obj in objects:
            name, kind = obj["metadata"]["name"], obj["kind"]
            if kind == "Secret":
                self.secrets[name] = set(obj.get("data", {})) | set(obj.get("stringData", {}))
            elif kind == "ConfigMap":
                self.configmaps[name] = set(obj.get("data", {})) | set(obj.get("binaryData", {}))
            elif kind == "Cluster" and obj["apiVersion"].startswith("postgresql.cnpg.io/"):
                self.secrets[f"{name}-app"] = CNPG_APP_KEYS
            elif kind == "RabbitmqCluster":
                self.secrets[f"{name}-default-user"] = RABBITMQ_USER_KEYS
        provided = path / "operations-secrets.yaml"
        if provided.exists():
            for name, keys in (yaml.safe_load(provided.read_text(encoding="utf-8")) or {}).items():
                self.secrets[name] = set(keys)
        self.pods = [(obj, _pod_labels(obj)) for obj in objects if obj["kind"] in POD_KINDS]

    def of_kind(self, kind: str) -> Iterator[dict]:
        return (obj for obj in self.objects if obj["kind"] == kind)

    def named(self, kind: str, name: str) -> dict | None:
        return next((obj for obj in self.of_kind(kind) if obj["metadata"]["name"] == name), None)


def _secret_ref(overlay: Overlay, where: str, name: str, key: str | None, optional: bool) -> list[str]:
    if optional:
        return []
    if name not in overlay.secrets:
        return [f"{where}: Secret {name!r} is neither rendered, created by an operator, nor listed in "
                f"{overlay.path.name}/operations-secrets.yaml"]
    keys = overlay.secrets[name]
    if key is not None and keys is not None and key not in keys:
        return [f"{where}: Secret {name!r} has no key {key!r}"]
    return []


def _configmap_ref(overlay: Overlay, where: str, name: str, key: str | None, optional: bool) -> list[str]:
    if optional:
        return []
    if name not in overlay.configmaps:
        return [f"{where}: ConfigMap {name!r} is not rendered"]
    if key is not None and key not in overlay.configmaps[name]:
        return [f"{where}: ConfigMap {name!r} has no key {key!r}"]
    return []


def reference_problems(overlay: Overlay) -> list[str]:
    problems: list[str] = []
    brokers = {obj["metadata"]["name"] for obj in overlay.of_kind("RabbitmqCluster")}
    for obj in overlay.objects:
        spec = _pod_spec(obj)
        if spec is None:
            continue
        owner = f"{obj['kind']}/{obj['metadata']['name']}"
        for volume in spec.get("volumes", []):
            if "secret" in volume:
                problems += _secret_ref(overlay, owner, volume["secret"]["secretName"], None,
                                        volume["secret"].get("optional", False))
            if "configMap" in volume:
                problems += _configmap_ref(overlay, owner, volume["configMap"]["name"], None,
                                           volume["configMap"].get("optional", False))
        for container in _containers(spec):
            where = f"{owner} container {container['name']}"
            for source in container.get("envFrom", []):
                if "secretRef" in source:
                    problems += _secret_ref(overlay, where, source["secretRef"]["name"], None,
                                            source["secretRef"].get("optional", False))
                if "configMapRef" in source:
                    problems += _configmap_ref(overlay, where, source["configMapRef"]["name"], None,
                                               source["configMapRef"].get("optional", False))
            for var in container.get("env", []):
                ref = var.get("valueFrom", {})
                if "secretKeyRef" in ref:
                    r = ref["secretKeyRef"]
                    problems += _secret_ref(overlay, f"{where} env {var['name']}", r["name"], r["key"],
                                            r.get("optional", False))
                if "configMapKeyRef" in ref:
                    r = ref["configMapKeyRef"]
                    problems += _configmap_ref(overlay, f"{where} env {var['name']}", r["name"], r["key"],
                                               r.get("optional", False))
                if var["name"] == "RABBITMQ_HOST" and var.get("value") not in brokers:
                    problems.append(f"{where}: RABBITMQ_HOST {var.get('value')!r} names no RabbitmqCluster "
                                    f"(rendered: {sorted(brokers)})")
    problems += _selection_problems(overlay)
    return problems


def _selection_problems(overlay: Overlay) -> list[str]:
    problems: list[str] = []
    services = {obj["metadata"]["name"]: obj for obj in overlay.of_kind("Service")}
    for svc in services.values():
        selector = {"matchLabels": svc["spec"].get("selector") or {}}
        chosen = [pod for pod, labels in overlay.pods if pod["kind"] == "Deployment" and _matches(selector, labels)]
        if len(chosen) != 1:
            problems.append(f"Service/{svc['metadata']['name']}: selects {len(chosen)} Deployments' pods, not one")
            continue
        ports = {p.get("name") for c in _containers(_pod_spec(chosen[0])) for p in c.get("ports", [])}
        for port in svc["spec"]["ports"]:
            if isinstance(port.get("targetPort"), str) and port["targetPort"] not in ports:
                problems.append(f"Service/{svc['metadata']['name']}: targetPort {port['targetPort']!r} is no container port")
    for ingress in overlay.of_kind("Ingress"):
        for rule in ingress["spec"].get("rules", []):
            for path in rule.get("http", {}).get("paths", []):
                backend = path["backend"]["service"]
                svc = services.get(backend["name"])
                port_names = {p.get("name") for p in svc["spec"]["ports"]} if svc else set()
                if svc is None:
                    problems.append(f"Ingress/{ingress['metadata']['name']} {path['path']}: no Service {backend['name']!r}")
                elif "name" in backend.get("port", {}) and backend["port"]["name"] not in port_names:
                    problems.append(f"Ingress/{ingress['metadata']['name']} {path['path']}: Service "
                                    f"{backend['name']!r} has no port {backend['port']['name']!r}")
        annotations = ingress["metadata"].get("annotations", {})
        for tls in ingress["spec"].get("tls", []):
            if "cert-manager.io/cluster-issuer" not in annotations and "cert-manager.io/issuer" not in annotations:
                problems += _secret_ref(overlay, f"Ingress/{ingress['metadata']['name']} tls", tls["secretName"],
                                        None, False)
    for pdb in overlay.of_kind("PodDisruptionBudget"):
        if not any(_matches(pdb["spec"]["selector"], labels) for _, labels in overlay.pods):
            problems.append(f"PodDisruptionBudget/{pdb['metadata']['name']}: selects no pod")
    for hpa in overlay.of_kind("HorizontalPodAutoscaler"):
        target = hpa["spec"]["scaleTargetRef"]
        if overlay.named(target["kind"], target["name"]) is None:
            problems.append(f"HorizontalPodAutoscaler/{hpa['metadata']['name']}: no {target['kind']} {target['name']!r}")
    for monitor in overlay.of_kind("PodMonitor"):
        chosen = [pod for pod, labels in overlay.pods if _matches(monitor["spec"]["selector"], labels)]
        ports = {p.get("name") for pod in chosen for c in _containers(_pod_spec(pod)) for p in c.get("ports", [])}
        if not chosen:
            problems.append(f"PodMonitor/{monitor['metadata']['name']}: selects no pod")
        for endpoint in monitor["spec"].get("podMetricsEndpoints", []):
            if endpoint.get("port") and endpoint["port"] not in ports:
                problems.append(f"PodMonitor/{monitor['metadata']['name']}: no pod port {endpoint['port']!r}")
    clusters = {obj["metadata"]["name"] for obj in overlay.of_kind("Cluster")}
    for backup in overlay.of_kind("ScheduledBackup"):
        if backup["spec"]["cluster"]["name"] not in clusters:
            problems.append(f"ScheduledBackup/{backup['metadata']['name']}: no Cluster {backup['spec']['cluster']['name']!r}")
    operator_pods = _operator_pod_labels(overlay)
    for policy in overlay.of_kind("NetworkPolicy"):
        name = policy["metadata"]["name"]
        selector = policy["spec"]["podSelector"]
        if selector and not any(_matches(selector, labels) for labels in [*(l for _, l in overlay.pods), *operator_pods]):
            problems.append(f"NetworkPolicy/{name}: its podSelector selects no pod")
        for rule in policy["spec"].get("egress", []):
            for peer in rule.get("to", []):
                if "podSelector" in peer and "namespaceSelector" not in peer and peer["podSelector"] and not any(
                        _matches(peer["podSelector"], labels) for labels in [*(l for _, l in overlay.pods), *operator_pods]):
                    problems.append(f"NetworkPolicy/{name}: an egress peer selects no pod ({peer['podSelector']})")
    for ref in overlay.of_kind("Cluster"):
        creds = ref["spec"].get("backup", {}).get("barmanObjectStore", {}).get("s3Credentials", {})
        for part in creds.values():
            problems += _secret_ref(overlay, f"Cluster/{ref['metadata']['name']} backup", part["name"], part["key"], False)
    return problems


def _operator_pod_labels(overlay: Overlay) -> list[dict]:
    """The labels the operators put on the pods they run for the rendered clusters."""
    labels = [{"cnpg.io/cluster": c["metadata"]["name"]} for c in overlay.of_kind("Cluster")]
    labels += [{"app.kubernetes.io/name": r["metadata"]["name"]} for r in overlay.of_kind("RabbitmqCluster")]
    return labels


def pod_problems(overlay: Overlay) -> list[str]:
    """Pod Security "restricted", and what a production pod must declare."""
    problems: list[str] = []
    for obj in overlay.objects:
        spec = _pod_spec(obj)
        if spec is None:
            continue
        owner = f"{obj['kind']}/{obj['metadata']['name']}"
        pod_security = spec.get("securityContext", {})
        if spec.get("automountServiceAccountToken") is not False:
            problems.append(f"{owner}: mounts a service-account token")
        for container in _containers(spec):
            where = f"{owner} container {container['name']}"
            security = container.get("securityContext", {})
            if not (security.get("runAsNonRoot", pod_security.get("runAsNonRoot"))):
                problems.append(f"{where}: may run as root")
            if security.get("allowPrivilegeEscalation") is not False:
                problems.append(f"{where}: allows privilege escalation")
            if "ALL" not in security.get("capabilities", {}).get("drop", []):
                problems.append(f"{where}: does not drop all capabilities")
            seccomp = security.get("seccompProfile", pod_security.get("seccompProfile", {})).get("type")
            if seccomp not in ("RuntimeDefault", "Localhost"):
                problems.append(f"{where}: no seccomp profile")
            resources = container.get("resources", {})
            if not resources.get("requests") or not resources.get("limits"):
                problems.append(f"{where}: no resource requests and limits")
        if obj["kind"] == "Deployment":
            for container in spec["containers"]:
                for probe in ("startupProbe", "livenessProbe", "readinessProbe"):
                    if probe not in container:
                        problems.append(f"{owner} container {container['name']}: no {probe}")
            if "terminationGracePeriodSeconds" not in spec:
                problems.append(f"{owner}: no terminationGracePeriodSeconds")
    return problems


def namespace_problems(overlays: list[Overlay]) -> list[str]:
    problems: list[str] = []
    seen: dict[str, Path] = {}
    for overlay in overlays:
        namespaces = {obj["metadata"].get("namespace") for obj in overlay.objects if obj["kind"] != "Namespace"}
        declared = {obj["metadata"]["name"] for obj in overlay.of_kind("Namespace")}
        if len(namespaces) != 1 or None in namespaces:
            problems.append(f"{overlay.path}: objects in namespaces {sorted(map(str, namespaces))}, not one")
            continue
        (namespace,) = namespaces
        if namespace not in declared:
            problems.append(f"{overlay.path}: namespace {namespace!r} is not rendered as a Namespace")
        if namespace in seen:
            problems.append(f"{overlay.path} and {seen[namespace]} share the namespace {namespace!r}")
        seen[namespace] = overlay.path
    return problems


def validate(paths: Iterable[Path]) -> list[str]:
    problems: list[str] = []
    overlays: list[Overlay] = []
    for path in paths:
        try:
            objects = render(path)
        except RenderError as exc:
            problems.append(f"{path}: kustomize failed: {exc}")
            continue
        overlay = Overlay(path, objects)
        overlays.append(overlay)
        for obj in objects:
            problems += [f"{path}: {p}" for p in schema_problems(obj)]
        problems += [f"{path}: {p}" for p in reference_problems(overlay)]
        problems += [f"{path}: {p}" for p in pod_problems(overlay)]
        print(f"{path}: {len(objects)} objects rendered", file=sys.stderr)
    problems += namespace_problems(overlays)
    return problems


def main(argv: list[str]) -> int:
    paths = [Path(arg) for arg in argv] or [HERE / "overlays" / "dev", HERE / "overlays" / "prod"]
    problems = validate(paths)
    for problem in problems:
        print(problem)
    if problems:
        print(f"{len(problems)} problem(s)", file=sys.stderr)
        return 1
    print(f"{len(paths)} overlay(s) valid", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
