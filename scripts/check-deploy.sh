#!/usr/bin/env bash
# check-deploy.sh (`make check-deploy`): check deploy/'s manifests against the schemas
# they claim to follow, offline once the validators are installed.
#
#   - Kubernetes objects (RuntimeClass, Deployment, Service, Secret): kubernetes-validate,
#     which carries Kubernetes' own JSON schemas, strict (unknown fields are errors).
#   - The SpinApp: jsonschema, against the openAPIV3Schema of the SpinApp CRD vendored
#     in deploy/spinkube/spinapp-crd.yaml, with unknown fields refused as the API server
#     refuses them.
#   - deploy/spinkube/spin.toml: parsed as TOML only. Spin's manifest schema lives in
#     the spin CLI (a GitHub download) and in crates not published on crates.io.
#
# The validators are pinned and installed into a venv under target/ from PyPI.
set -euo pipefail
cd "$(dirname "$0")/.."

venv=$PWD/target/check-deploy
pins=(kubernetes-validate==1.31.0 jsonschema==4.26.0 PyYAML==6.0.3)
if ! "$venv/bin/python" -c 'import kubernetes_validate, jsonschema, yaml' 2>/dev/null; then
    echo "check-deploy: installing ${pins[*]} into target/check-deploy" >&2
    rm -rf "$venv"
    python3 -m venv "$venv" >&2
    "$venv/bin/pip" install --quiet --disable-pip-version-check "${pins[@]}" >&2
fi

echo "check-deploy: Kubernetes objects against Kubernetes 1.31's schemas (strict)"
"$venv/bin/kubernetes-validate" --strict --no-warn -k 1.31.0 \
    deploy/runwasi/fusebox.yaml deploy/spinkube/spinapp.yaml

echo "check-deploy: SpinApp against the vendored SpinApp CRD (v1alpha1)"
"$venv/bin/python" - deploy/spinkube/spinapp-crd.yaml deploy/spinkube/spinapp.yaml <<'PY'
import sys
import jsonschema
import yaml

crd_path, app_path = sys.argv[1:]
crd = next(d for d in yaml.safe_load_all(open(crd_path)) if d)
version = next(v for v in crd["spec"]["versions"] if v["name"] == "v1alpha1")
schema = version["schema"]["openAPIV3Schema"]


def closed(node):
    """Refuse unknown fields, as the API server's structural schemas do."""
    if isinstance(node, dict):
        if node.get("type") == "object" and "properties" in node \
                and "additionalProperties" not in node \
                and not node.get("x-kubernetes-preserve-unknown-fields"):
            node["additionalProperties"] = False
        for value in node.values():
            closed(value)
    elif isinstance(node, list):
        for value in node:
            closed(value)


closed(schema)
group = crd["spec"]["group"]
checked = 0
for doc in yaml.safe_load_all(open(app_path)):
    if not doc or doc.get("apiVersion") != f"{group}/v1alpha1":
        continue
    # metadata is the API server's to check; the CRD's schema leaves it open.
    errors = sorted(jsonschema.Draft7Validator(schema).iter_errors(doc), key=str)
    for error in errors:
        path = ".".join(str(p) for p in error.absolute_path) or "(top)"
        print(f"ERROR {app_path}: {doc['kind']}/{doc['metadata']['name']}: {path}: {error.message}")
    if errors:
        sys.exit(1)
    print(f"INFO {app_path} passed for resource {doc['kind'].lower()}/{doc['metadata']['name']} against the CRD")
    checked += 1
if not checked:
    sys.exit(f"ERROR {app_path}: no {group}/v1alpha1 resource in it")
PY

echo "check-deploy: deploy/spinkube/spin.toml parses as TOML (not checked against Spin's schema)"
python3 -c 'import sys, tomllib; tomllib.load(open(sys.argv[1], "rb"))' deploy/spinkube/spin.toml
echo "check-deploy: all checked"
