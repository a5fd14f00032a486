"""deploy/: every YAML parses, probes and health checks hit /_stcore/health, the ingress keeps a
reader on one pod, and the nginx template renders into a configuration nginx accepts."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from deploy.render_nginx import PLACEHOLDER, TEMPLATE, nginx_binary, normalise_base_path, render, render_main
from tests.conftest import ROOT

DEPLOY = ROOT / "deploy"
YAMLS = sorted(DEPLOY.rglob("*.yml")) + sorted(DEPLOY.rglob("*.yaml"))


def load_all(path: Path) -> list:
    """Every document of a YAML file. PyYAML where installed; otherwise the YAML parser that
    ships inside srsly (a dependency of spaCy in the runtime lock)."""
    text = path.read_text()
    try:
        import yaml
    except ImportError:
        from srsly.ruamel_yaml import YAML

        return [d for d in YAML(typ="safe", pure=True).load_all(text) if d is not None]
    return [d for d in yaml.safe_load_all(text) if d is not None]


def k8s_objects() -> dict[str, list[dict]]:
    by_kind: dict[str, list[dict]] = {}
    for path in sorted((DEPLOY / "k8s").glob("*.yaml")):
        if path.name == "kustomization.yaml":
            continue
        for doc in load_all(path):
            by_kind.setdefault(doc["kind"], []).append(doc)
    return by_kind


def test_every_yaml_parses_into_objects():
    assert {p.name for p in YAMLS} >= {"docker-compose.yml", "deployment.yaml", "ingress.yaml", "hpa.yaml",
                                       "service.yaml", "update-cronjob.yaml", "kustomization.yaml"}
    for path in YAMLS:
        docs = load_all(path)
        assert docs and all(isinstance(d, dict) for d in docs), path


def test_kustomization_lists_every_manifest():
    kust = load_all(DEPLOY / "k8s" / "kustomization.yaml")[0]
    listed = set(kust["resources"]) | {f for g in kust.get("configMapGenerator", []) for f in g["files"]}
    on_disk = {p.name for p in (DEPLOY / "k8s").iterdir() if p.name != "kustomization.yaml"}
    assert listed == on_disk


def test_deployment_probes_and_resources():
    objs = k8s_objects()
    (deployment,) = objs["Deployment"]
    (container,) = deployment["spec"]["template"]["spec"]["containers"]
    for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
        get = container[probe]["httpGet"]
        assert get["path"] == "/_stcore/health" and get["port"] in ("http", 8501), probe
    assert {"name": "http", "containerPort": 8501} in container["ports"]
    res = container["resources"]
    assert set(res) == {"requests", "limits"} and set(res["requests"]) == {"cpu", "memory"}
    mebi = {k: int(re.fullmatch(r"(\d+)Mi", res[k]["memory"]).group(1)) for k in res}
    assert mebi["requests"] <= mebi["limits"]
    # the replica's measured peak (bench/results_scaleout.md) must fit under the limit
    measured = re.search(r"peak RSS at capacity: (\d+) MB", (ROOT / "bench" / "results_scaleout.md").read_text())
    assert measured and int(measured.group(1)) < mebi["limits"]
    assert deployment["spec"]["strategy"]["rollingUpdate"]["maxUnavailable"] == 0
    # the serving pods mount the data read-only: updates happen elsewhere
    mounts = {m["mountPath"]: m for m in container["volumeMounts"]}
    assert mounts["/data"]["readOnly"] is True
    (service,) = objs["Service"]
    assert service["spec"]["selector"] == deployment["spec"]["selector"]["matchLabels"]


def test_ingress_keeps_a_reader_on_one_pod_with_long_websocket_timeouts():
    (ingress,) = k8s_objects()["Ingress"]
    notes = ingress["metadata"]["annotations"]
    assert notes["nginx.ingress.kubernetes.io/affinity"] == "cookie"
    assert notes["nginx.ingress.kubernetes.io/session-cookie-name"]
    assert int(notes["nginx.ingress.kubernetes.io/proxy-read-timeout"]) >= 3600
    assert int(notes["nginx.ingress.kubernetes.io/proxy-send-timeout"]) >= 3600
    backend = ingress["spec"]["rules"][0]["http"]["paths"][0]["backend"]["service"]
    assert backend["name"] == "situation-map"


def test_autoscaler_targets_the_deployment():
    objs = k8s_objects()
    (hpa,) = objs["HorizontalPodAutoscaler"]
    assert hpa["spec"]["scaleTargetRef"]["name"] == objs["Deployment"][0]["metadata"]["name"]
    assert 2 <= hpa["spec"]["minReplicas"] < hpa["spec"]["maxReplicas"]


def test_data_update_runs_in_its_own_job_not_in_a_replica():
    objs = k8s_objects()
    (cron,) = objs["CronJob"]
    pod = cron["spec"]["jobTemplate"]["spec"]["template"]["spec"]
    (update,) = pod["initContainers"]
    assert update["command"] == ["sh", "/opt/update/update-data.sh"]
    assert any(m["mountPath"] == "/data" and not m.get("readOnly") for m in update["volumeMounts"])
    assert "rollout" in pod["containers"][0]["command"]
    script = (DEPLOY / "k8s" / "update-data.sh").read_text()
    assert "python -m dashboard.update" in script and "python -m dashboard.check" in script
    assert 'mv -T "$root/.current.new" "$root/current"' in script
    (role,) = objs["Role"]
    assert role["rules"][0]["verbs"] == ["get", "patch"]
    # compose: the same script, only in the opt-in `update` profile
    compose = load_all(DEPLOY / "docker-compose.yml")[0]
    assert compose["services"]["update"]["profiles"] == ["update"]
    assert "profiles" not in compose["services"]["app"], "the replicas run without the profile"


def test_compose_replicas_behind_nginx_with_health_checks():
    compose = load_all(DEPLOY / "docker-compose.yml")[0]
    app, proxy = compose["services"]["app"], compose["services"]["proxy"]
    assert app["build"]["dockerfile"] == "Dockerfile" and (DEPLOY / app["build"]["context"] / "Dockerfile").exists()
    assert "_stcore/health" in " ".join(app["healthcheck"]["test"])
    assert "_stcore/health" in " ".join(proxy["healthcheck"]["test"])
    assert proxy["depends_on"]["app"]["condition"] == "service_healthy"
    assert "${REPLICAS" in str(app["deploy"]["replicas"])
    mounted = {v.split(":")[0]: v.split(":")[1] for v in proxy["volumes"]}
    assert mounted["./nginx/situation-map.conf.template"].startswith("/etc/nginx/templates/")
    # every placeholder of the template is set for the image's envsubst step
    assert set(PLACEHOLDER.findall(TEMPLATE.read_text())) <= set(proxy["environment"])


def test_nginx_template_renders_every_placeholder():
    text = render(8080, ["10.0.0.1:8501", "app:8501"], "situation/", "/var/cache/nginx")
    assert not PLACEHOLDER.search(text)
    assert "server 10.0.0.1:8501 max_fails=1" in text and "server app:8501 " in text
    assert "location /situation/ {" in text and "location = /situation/_stcore/stream {" in text
    assert "hash $sm_route consistent;" in text and "Path=/situation/;" in text
    assert "proxy_set_header Upgrade $http_upgrade;" in text and "proxy_read_timeout 3600s;" in text
    root = render(8080, ["a:1"], "")
    assert "location / {" in root and "Path=/;" in root
    assert normalise_base_path("/") == "" and normalise_base_path("/a/b/") == "/a/b"
    with pytest.raises(ValueError):
        render(8080, [], "")
    with pytest.raises(ValueError):
        render(8080, ["a:1; evil"], "")


@pytest.mark.skipif(nginx_binary() is None, reason="nginx is not installed")
@pytest.mark.parametrize("base_path", ["", "/situation"])
def test_nginx_accepts_the_rendered_config(tmp_path, base_path):
    site = render(18080, ["127.0.0.1:18501", "127.0.0.1:18502"], base_path, str(tmp_path))
    conf = tmp_path / "nginx.conf"
    conf.write_text(render_main(tmp_path, site))
    done = subprocess.run([nginx_binary(), "-t", "-p", str(tmp_path), "-c", str(conf), "-e",
                           str(tmp_path / "error.log")], capture_output=True, text=True, timeout=30)
    assert done.returncode == 0, done.stderr
    assert "test is successful" in done.stderr


@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl is not installed")
def test_kustomize_builds_the_manifests():
    done = subprocess.run(["kubectl", "kustomize", str(DEPLOY / "k8s")], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert len(re.findall(r"^kind: ", done.stdout, re.M)) == sum(len(v) for v in k8s_objects().values()) + 1
