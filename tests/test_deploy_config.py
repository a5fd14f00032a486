"""deploy/: every YAML parses, probes and health checks hit /_stcore/health, the ingress keeps a
reader on one pod, and the nginx template renders into a configuration nginx accepts."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
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
    mebi = {k: mebibytes(res[k]["memory"]) for k in res}
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


def ingresses() -> dict[str, dict]:
    """The page's Ingress and the static files' one (a wider request limit), by name."""
    return {i["metadata"]["name"]: i for i in k8s_objects()["Ingress"]}


def test_ingress_keeps_a_reader_on_one_pod_with_long_websocket_timeouts():
    for ingress in ingresses().values():
        notes = ingress["metadata"]["annotations"]
        assert notes["nginx.ingress.kubernetes.io/affinity"] == "cookie"
        assert notes["nginx.ingress.kubernetes.io/session-cookie-name"] == "sm_route"
        assert int(notes["nginx.ingress.kubernetes.io/proxy-read-timeout"]) >= 3600
        assert int(notes["nginx.ingress.kubernetes.io/proxy-send-timeout"]) >= 3600
        for path in ingress["spec"]["rules"][0]["http"]["paths"]:
            assert path["backend"]["service"]["name"] == "situation-map"


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


def location_blocks(text: str) -> dict[str, str]:
    """Each `location ... {` block of a rendered site (the template nests no braces in them)."""
    return dict(re.findall(r"^\s*location ([^{]+?) \{\n(.*?)^\s*\}", text, re.M | re.S))


SECURITY = ("add_header X-Content-Type-Options nosniff always;",
            "add_header Referrer-Policy strict-origin-when-cross-origin always;",
            "add_header Content-Security-Policy \"frame-ancestors 'self' https://news.example\" always;")


@pytest.mark.parametrize("base_path", ["", "/situation"])
def test_nginx_sends_security_headers_on_every_response(base_path):
    """Issue #21 (14): no X-Content-Type-Options, Referrer-Policy or frame-ancestors. nginx inherits
    add_header only into a location that sets none, so each location that sets its own repeats them."""
    text = render(8080, ["a:1"], base_path, framers="https://news.example")
    server = text.split("server {", 1)[1]
    top = re.sub(r"^\s*location [^{]+\{.*?^\s*\}", "", server, flags=re.M | re.S)
    assert all(line in top for line in SECURITY)
    blocks = location_blocks(server)
    assert len(blocks) >= 5
    for name, body in blocks.items():
        assert "add_header" not in body or all(line in body for line in SECURITY), name
        if "add_header" in body:
            assert "X-Upstream" in body and "Set-Cookie" in body, name


def test_frame_ancestors_take_only_sources():
    assert "frame-ancestors 'self' ;" not in render(8080, ["a:1"])
    assert "\"frame-ancestors 'self' \" always;" in render(8080, ["a:1"]), "no sites given: only this one"
    text = render(8080, ["a:1"], framers=" https://a.example  https://*.b.example:8443 ")
    assert "frame-ancestors 'self' https://a.example https://*.b.example:8443\"" in text
    for bad in ("https://a.example;script-src *", "'unsafe-inline'", "\"x", "javascript:alert(1)", "a b\"c"):
        with pytest.raises(ValueError):
            render(8080, ["a:1"], framers=bad)


def test_nginx_limits_requests_connections_and_bodies():
    """Issue #21 (14): no limit_req or limit_conn, and 4 MB uploads went through."""
    text = render(8080, ["a:1"], "/situation")
    assert re.search(r"^limit_req_zone \$binary_remote_addr zone=sm_requests:\S+ rate=\d+r/s;", text, re.M)
    assert re.search(r"^limit_conn_zone \$binary_remote_addr zone=sm_connections:", text, re.M)
    assert re.search(r"^\s+limit_conn sm_connections \d+;", text, re.M)
    assert "client_max_body_size 256k;" in text and "client_max_body_size 5m" not in text
    blocks = location_blocks(text.split("server {", 1)[1])
    assert "limit_req zone=sm_uploads" in blocks["/situation/_stcore/upload_file/"]
    for name in ("/situation/", "= /situation/_stcore/stream"):
        assert "limit_req zone=sm_requests" in blocks[name], name
    # a first view is ~165 requests, ~160 of them static files: those have the wider zone, or a
    # few readers at one address opening a link together were refused chunks of the page
    assert re.search(r"^limit_req_zone \$binary_remote_addr zone=sm_assets:\S+ rate=\d+r/s;", text, re.M)
    for name in ("/situation/static/", "/situation/component/", "/situation/app/static/",
                 "/situation/app/static/generated/"):
        assert "limit_req zone=sm_assets" in blocks[name], name
    assert "limit_req" not in blocks["= /situation/_stcore/health"], "probes are not limited"


def test_the_unprivileged_command_writes_only_under_its_prefix(tmp_path):
    """Issue #21 (14): the README's `--main --prefix` command kept /var/cache/nginx, which an
    ordinary user cannot create (mkdir() "/var/cache/nginx/proxy_temp" failed)."""
    done = subprocess.run([sys.executable, str(DEPLOY / "render_nginx.py"), "--listen", "127.0.0.1:18080",
                           "--upstream", "127.0.0.1:18501", "--main", "--prefix", str(tmp_path)],
                          capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    paths = re.findall(r"(?:_path|pid|error_log|access_log) (/\S+?);?$", done.stdout, re.M)
    assert paths and all(p.startswith(str(tmp_path)) for p in paths), paths
    assert "/var/cache" not in done.stdout
    if nginx_binary() is not None:
        (tmp_path / "nginx.conf").write_text(done.stdout)
        checked = subprocess.run([nginx_binary(), "-t", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf"),
                                  "-e", str(tmp_path / "error.log")], capture_output=True, text=True, timeout=30)
        assert checked.returncode == 0, checked.stderr


def test_serving_pods_are_locked_down():
    """Issue #21 (15): no readOnlyRootFilesystem, no seccompProfile, an auto-mounted token."""
    (deployment,) = k8s_objects()["Deployment"]
    pod = deployment["spec"]["template"]["spec"]
    (container,) = pod["containers"]
    assert pod["automountServiceAccountToken"] is False
    assert pod["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
    guard = container["securityContext"]
    assert guard["readOnlyRootFilesystem"] is True and guard["allowPrivilegeEscalation"] is False
    assert guard["capabilities"]["drop"] == ["ALL"]
    # the one writable place is a bounded temporary volume, and the caches point into it
    mounts = {m["mountPath"]: m["name"] for m in container["volumeMounts"]}
    volumes = {v["name"]: v for v in pod["volumes"]}
    assert volumes[mounts["/tmp"]]["emptyDir"]["sizeLimit"]
    env = {e["name"]: e["value"] for e in container["env"]}
    assert env["MPLCONFIGDIR"].startswith("/tmp/") and env["XDG_CACHE_HOME"].startswith("/tmp/")
    assert not any(path.startswith("/app") for path in mounts), "nothing written into the package"


def mebibytes(quantity: str) -> int:
    number, unit = re.fullmatch(r"(\d+)(Mi|Gi)", quantity).groups()
    return int(number) * (1024 if unit == "Gi" else 1)


def test_autoscaler_scales_on_cpu_and_memory_is_sized_from_what_a_replica_holds():
    """Issue #21 (15): 80 % of a 384 Mi request (307 MiB) was below an idle replica (317 MiB), so
    memory drove the count to the maximum and blocked scaling down."""
    objs = k8s_objects()
    (hpa,) = objs["HorizontalPodAutoscaler"]
    assert [m["resource"]["name"] for m in hpa["spec"]["metrics"]] == ["cpu"]
    notes = (DEPLOY / "README.md").read_text()
    held = {state: int(mib) for state, mib in re.findall(r"^\| (fresh|after three readers|after heavy use)"
                                                       r"[^|]*\| (\d+) \| issue #21", notes, re.M)}
    assert set(held) == {"fresh", "after three readers", "after heavy use"}
    (container,) = objs["Deployment"][0]["spec"]["template"]["spec"]["containers"]
    request = mebibytes(container["resources"]["requests"]["memory"])
    limit = mebibytes(container["resources"]["limits"]["memory"])
    assert held["after heavy use"] <= request < limit


def test_ingress_serves_https_and_limits_clients():
    every = ingresses()
    assert set(every) == {"situation-map", "situation-map-static"}
    for ingress in every.values():
        (tls,) = ingress["spec"]["tls"]
        assert tls["secretName"] and set(tls["hosts"]) == {r["host"] for r in ingress["spec"]["rules"]}
        notes = ingress["metadata"]["annotations"]
        assert notes["nginx.ingress.kubernetes.io/proxy-body-size"] == "256k"
        assert int(notes["nginx.ingress.kubernetes.io/limit-connections"]) > 0
    rps = {name: int(i["metadata"]["annotations"]["nginx.ingress.kubernetes.io/limit-rps"])
           for name, i in every.items()}
    # a first view is ~165 requests, ~160 of them static files: those get the wider limit
    assert 0 < rps["situation-map"] < rps["situation-map-static"]
    paths = {p["path"] for p in every["situation-map-static"]["spec"]["rules"][0]["http"]["paths"]}
    assert paths == {"/static", "/component", "/app/static"}
