"""What the deploy tests check the Kubernetes manifests with, offline: render (kubectl's
kustomize), read YAML strictly, validate each object against its schema, find secrets written
in clear. Used by the tests in this folder on the rendered overlays and on the deliberately
broken manifests of broken/ (which must fail here, each for its stated reason).

Schemas:
  - the operators' custom resources (Flink Kubernetes Operator 1.15, Strimzi 1.2, CloudNativePG
    1.30): the JSON Schemas in <repository>/../shared/k8s-schemas (see its PROVENANCE.md), in
    kubeconform's layout <group>/<kind>_<version>.json, strict (additionalProperties: false
    wherever properties are listed), checked with the `jsonschema` package (draft 7);
  - Kubernetes' own kinds: the `kubernetes-validate` package's schemas, strict, for the oldest and
    the newest Kubernetes release that all three operators support (1.34 and 1.36).
An object of any other group has no schema here and is an error, never a silent pass.
"""
from __future__ import annotations

import json
import re
import shutil
import subprocess
from functools import lru_cache
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[2]
DEPLOY = REPO / "deploy"
K8S = DEPLOY / "k8s"
OVERLAYS = ("dev", "prod")
SCHEMAS = REPO.parent / "shared" / "k8s-schemas"
# Kinds the shared folder lacks (CloudNativePG's ScheduledBackup), same layout: see its PROVENANCE.md.
LOCAL_SCHEMAS = REPO / "tests" / "deploy" / "schemas"
CUSTOM_GROUPS = ("flink.apache.org", "kafka.strimzi.io", "postgresql.cnpg.io", "barmancloud.cnpg.io")
KUBERNETES_VERSIONS = ("1.34", "1.36")
# No flag: everything an overlay reads is inside deploy/k8s (the schema is a checked copy,
# base/sql/postgres), so kustomize's default load restrictor holds, as for `kubectl apply -k`.
KUSTOMIZE = ("kubectl", "kustomize")
# The copy of sql/postgres the schema ConfigMap is generated from, and how to regenerate it.
SCHEMA_COPY = K8S / "base" / "sql" / "postgres"
SCHEMA_REGENERATE = "make k8s-schema (it copies sql/postgres/*.sql to deploy/k8s/base/sql/postgres/)"


class RenderError(Exception):
    pass


# ----------------------------------------------------------------------------- YAML

class _StrictLoader(yaml.SafeLoader):
    """SafeLoader that refuses a key twice in one mapping (PyYAML keeps the last one silently;
    the API server's strict decoding and kubeconform -strict refuse it)."""


def _mapping(loader: _StrictLoader, node: yaml.MappingNode, deep: bool = False):
    loader.flatten_mapping(node)
    seen = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise yaml.constructor.ConstructorError(None, None, f"duplicate key {key!r}", key_node.start_mark)
        seen.add(key)
    return loader.construct_mapping(node, deep=deep)


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)


def load_all(text: str) -> list[dict]:
    return [doc for doc in yaml.load_all(text, Loader=_StrictLoader) if doc is not None]


# ----------------------------------------------------------------------------- rendering

def kubectl() -> str:
    found = shutil.which("kubectl")
    if not found:
        raise RenderError("kubectl is not installed (it carries kustomize); every machine image of this project has it")
    return found


def render_text(path: Path) -> str:
    r = subprocess.run([kubectl(), *KUSTOMIZE[1:], str(path)], capture_output=True, text=True, timeout=120)
    if r.returncode != 0:
        raise RenderError(r.stderr.strip() or r.stdout.strip())
    return r.stdout


@lru_cache(maxsize=None)
def _rendered(overlay: str) -> str:
    return render_text(K8S / "overlays" / overlay)


def render(overlay: str) -> list[dict]:
    """The overlay's objects, rendered once per session and loaded strictly (a fresh copy each time)."""
    return load_all(_rendered(overlay))


def object_id(obj: dict) -> str:
    return f"{obj.get('kind')}/{obj.get('metadata', {}).get('name')}"


# ----------------------------------------------------------------------------- schemas

def group_version(obj: dict) -> tuple[str, str]:
    api = str(obj.get("apiVersion", ""))
    group, _, version = api.rpartition("/")
    return group, version


def is_custom(obj: dict) -> bool:
    group, _ = group_version(obj)
    return "." in group and not group.endswith(".k8s.io")


def schema_path(obj: dict) -> Path:
    group, version = group_version(obj)
    name = f"{str(obj.get('kind', '')).lower()}_{version}.json"
    shared, local = SCHEMAS / group / name, LOCAL_SCHEMAS / group / name
    return local if not shared.is_file() and local.is_file() else shared


@lru_cache(maxsize=None)
def _custom_validator(path: Path):
    import jsonschema
    schema = json.loads(path.read_text())
    jsonschema.Draft7Validator.check_schema(schema)
    return jsonschema.Draft7Validator(schema)


def _where(path) -> str:
    return "/".join(str(p) for p in path) or "(root)"


def schema_errors(obj: dict) -> list[str]:
    """Every reason the object is not valid for its kind; [] when it is."""
    if not isinstance(obj, dict) or "apiVersion" not in obj or "kind" not in obj:
        return ["not a Kubernetes object (apiVersion and kind are required)"]
    if is_custom(obj):
        path = schema_path(obj)
        group, _ = group_version(obj)
        if group not in CUSTOM_GROUPS or not path.is_file():
            return [f"no schema for {obj['apiVersion']} {obj['kind']} (looked for {path}): "
                    f"not a resource of the operators this project deploys with"]
        validator = _custom_validator(path)
        return sorted(f"{_where(e.absolute_path)}: {e.message}" for e in validator.iter_errors(obj))
    return core_errors(obj)


def core_errors(obj: dict) -> list[str]:
    try:
        import kubernetes_validate
    except ImportError as e:  # a missing validator must fail the run, never skip it
        raise RuntimeError("the kubernetes-validate package is missing: "
                           ".venv/bin/pip install -r requirements-dev.txt") from e
    errors = []
    for version in KUBERNETES_VERSIONS:
        try:
            kubernetes_validate.validate(obj, version, strict=True)
        except kubernetes_validate.SchemaNotFoundError as e:
            errors.append(f"no schema for {obj['apiVersion']} {obj['kind']} in Kubernetes {version}: {e.message}")
        except kubernetes_validate.ValidationError as e:
            errors.append(f"Kubernetes {version}: {_where(e.absolute_path)}: {e.message}")
    return errors


# ----------------------------------------------------------------------------- secrets in clear

# Names of variables and keys that hold a secret.
SECRET_NAME = re.compile(r"PASS(WORD|WD)?\b|PASSWORD|SECRET|TOKEN|JAAS|CREDENTIAL|PRIVATE|ACCESS_?KEY|API_?KEY",
                         re.I)
# Secrets inside any string: credentials in a URL or connection string, a JAAS line's password,
# a PEM private key, a role created or altered with a password written out in SQL.
SECRET_TEXT = (
    (re.compile(r"[?&;\s]password=(?!\$\(|\$\{)[^&;\s\"']+", re.I), "a password in a connection string"),
    (re.compile(r"://[^/\s:@]+:[^/\s@]+@"), "user:password@ in a URL"),
    (re.compile(r"\bpassword\s*=\s*\"(?![$<])[^\"]+\"", re.I), "a password in a JAAS line"),
    (re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----"), "a private key"),
    (re.compile(r"\bPASSWORD\s+'[^']+'", re.I), "a password literal in SQL"),
)


def _strings(node, path=()):
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _strings(v, (*path, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _strings(v, (*path, i))
    elif isinstance(node, str):
        yield path, node


def _env_lists(node, path=()):
    """Every container env list (and anything shaped like one) anywhere in the object."""
    if isinstance(node, dict):
        for k, v in node.items():
            if k == "env" and isinstance(v, list):
                yield (*path, k), v
            yield from _env_lists(v, (*path, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _env_lists(v, (*path, i))


def secret_literals(obj: dict) -> list[str]:
    """Where the object carries a secret in clear; [] when secrets are only referenced."""
    found = []
    kind = obj.get("kind")
    if kind == "Secret" and (obj.get("data") or obj.get("stringData")):
        found.append("a Secret with its values in the manifest (create it with kubectl, see docs/kubernetes.md)")
    for path, env in _env_lists(obj):
        for item in env:
            if isinstance(item, dict) and SECRET_NAME.search(str(item.get("name", ""))) and item.get("value"):
                found.append(f"{_where(path)}: {item['name']} has a value instead of valueFrom.secretKeyRef")
    if kind == "ConfigMap":
        for key in {**(obj.get("data") or {}), **(obj.get("binaryData") or {})}:
            if SECRET_NAME.search(key):
                found.append(f"data/{key}: a secret in a ConfigMap")
    if kind == "FlinkDeployment":
        for key in (obj.get("spec", {}).get("flinkConfiguration") or {}):
            if SECRET_NAME.search(key.replace("-", "_").replace(".", "_")):
                found.append(f"spec/flinkConfiguration/{key}: a secret in Flink's configuration "
                             f"(its config.yaml is a readable ConfigMap): use an env var from a Secret")
    for path, text in _strings(obj):
        for pattern, what in SECRET_TEXT:
            if pattern.search(text):
                found.append(f"{_where(path)}: {what}")
    return found
