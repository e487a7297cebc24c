"""The production Helm chart (helm/mbn), rendered and linted offline with helm-python-sdk.

helm-python-sdk embeds Helm's Go SDK (no helm binary, no cluster, no network). Rendered manifests
are parsed with the SDK's own YAML reader (`values_from_yaml`, Helm's sigs.k8s.io/yaml), so the
test needs no YAML library. Run: `pytest tests/helm -q`.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Any

import helm_python as helm
import pytest

CHART = Path(__file__).resolve().parents[2] / "helm" / "mbn"
RELEASE = "mbn"
QUEUES = {"default", "notifications", "imports", "provisioning", "timetable"}

Manifest = dict[str, Any]
# The shape of a PEM private key (the chart never reads it).
PEM = "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----\n"


def render(values: dict[str, Any] | None = None) -> list[Manifest]:
    """Render the chart as `helm template mbn helm/mbn -n ent` would, one dict per object."""
    with helm.Chart.load(CHART) as chart:
        rendered = chart.render(values, name=RELEASE, namespace="ent")
    objects = []
    for path, text in rendered.items():
        if not path.endswith(".yaml"):
            continue
        for document in re.split(r"^---\s*$", text, flags=re.MULTILINE):
            obj = helm.values_from_yaml(document)
            if obj:
                objects.append(obj)
    return objects


@cache
def _default_objects() -> tuple[Manifest, ...]:
    return tuple(render())


def default_render() -> list[Manifest]:
    return list(_default_objects())


def of_kind(objects: list[Manifest], kind: str) -> list[Manifest]:
    return [o for o in objects if o["kind"] == kind]


def named(objects: list[Manifest], kind: str, name: str) -> Manifest:
    matches = [o for o in of_kind(objects, kind) if o["metadata"]["name"] == name]
    assert len(matches) == 1, f"expected one {kind} {name}, found {len(matches)}"
    return matches[0]


def containers(workload: Manifest) -> list[Manifest]:
    spec = workload["spec"]["template"]["spec"]
    return list(spec.get("initContainers", [])) + list(spec["containers"])


def env_value(container: Manifest, name: str) -> Manifest:
    entries = [e for e in container.get("env", []) if e["name"] == name]
    assert len(entries) == 1, f"{name} not set exactly once in {container['name']}"
    return entries[0]


def workloads(objects: list[Manifest]) -> list[Manifest]:
    return [o for o in objects if o["kind"] in {"Deployment", "Job"}]


# ------------------------------------------------------------------------------------------ lint


def test_chart_lints_without_errors_or_warnings() -> None:
    # given the chart with its default values, and with PgBouncer on
    for values in (None, {"pgbouncer": {"enabled": True}}):
        # when helm lint runs in strict mode
        report = helm.lint(CHART, values, strict=True, namespace="ent")

        # then it reports no error and nothing above "info"
        assert report["errors"] == []
        assert [m for m in report["messages"] if m["severity"] >= 2] == []
        assert report["total_charts_linted"] == 1


# ------------------------------------------------------------------------------------------ web


def test_web_runs_granian_with_liveness_on_healthz_and_readiness_on_readyz() -> None:
    # given the default render
    objects = default_render()

    # when looking at the web Deployment
    web = named(objects, "Deployment", f"{RELEASE}-web")
    (container,) = web["spec"]["template"]["spec"]["containers"]

    # then granian serves the WSGI app on 8000 and the probes hit the host-less health endpoints
    assert container["command"] == [
        "granian", "--interface", "wsgi", "--host", "0.0.0.0", "--port", "8000",  # noqa: S104
        "--workers", "2", "mbn.wsgi:application",
    ]  # fmt: skip
    assert container["livenessProbe"]["httpGet"] == {"path": "/healthz", "port": "http"}
    assert container["readinessProbe"]["httpGet"] == {"path": "/readyz", "port": "http"}
    assert "headers" not in str(container["livenessProbe"]) + str(container["readinessProbe"])
    assert container["resources"]["requests"]["cpu"]
    assert container["resources"]["limits"]["memory"]
    service = named(objects, "Service", f"{RELEASE}-web")
    assert service["spec"]["selector"].items() <= web["spec"]["template"]["metadata"]["labels"].items()


def test_web_is_autoscaled_on_cpu_and_protected_by_a_pdb() -> None:
    # given the default render
    objects = default_render()
    web = named(objects, "Deployment", f"{RELEASE}-web")
    pod_labels = web["spec"]["template"]["metadata"]["labels"]

    # when looking at the web HPA and PDB
    hpa = named(objects, "HorizontalPodAutoscaler", f"{RELEASE}-web")
    pdb = named(objects, "PodDisruptionBudget", f"{RELEASE}-web")

    # then the HPA (autoscaling/v2) drives the web Deployment on CPU, which leaves replicas to it
    assert hpa["apiVersion"] == "autoscaling/v2"
    assert hpa["spec"]["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment", "name": "mbn-web"}
    assert hpa["spec"]["metrics"][0]["resource"]["name"] == "cpu"
    assert hpa["spec"]["minReplicas"] >= 2
    assert "replicas" not in web["spec"]
    # and the PDB selects the web pods and only those
    assert pdb["apiVersion"] == "policy/v1"
    assert pdb["spec"]["selector"]["matchLabels"].items() <= pod_labels.items()
    assert pdb["spec"]["selector"]["matchLabels"]["app.kubernetes.io/component"] == "web"


def test_ingress_serves_the_public_host_and_every_school_host_with_tls() -> None:
    # given a base domain, a public host and TLS secret names
    values = {
        "config": {"baseDomain": "ent.grandest.fr", "publicHosts": ["ent.grandest.fr"]},
        "ingress": {
            "className": "traefik",
            "tls": {"publicSecretName": "public-tls", "wildcardSecretName": "schools-tls"},
        },
    }

    # when rendering
    ingress = named(render(values), "Ingress", RELEASE)

    # then the public host and the wildcard school host both route to the web Service
    hosts = [rule["host"] for rule in ingress["spec"]["rules"]]
    assert hosts == ["ent.grandest.fr", "*.ent.grandest.fr"]
    backends = {r["http"]["paths"][0]["backend"]["service"]["name"] for r in ingress["spec"]["rules"]}
    assert backends == {"mbn-web"}
    assert ingress["spec"]["ingressClassName"] == "traefik"
    assert ingress["spec"]["tls"] == [
        {"secretName": "public-tls", "hosts": ["ent.grandest.fr"]},
        {"secretName": "schools-tls", "hosts": ["*.ent.grandest.fr"]},
    ]


# ------------------------------------------------------------------------------------------ celery


def test_one_worker_deployment_per_queue_and_timetable_runs_one_solve_at_a_time() -> None:
    # given the default render
    objects = default_render()

    # when collecting the worker Deployments
    workers = {
        d["metadata"]["name"].removeprefix(f"{RELEASE}-worker-"): d
        for d in of_kind(objects, "Deployment")
        if d["metadata"]["name"].startswith(f"{RELEASE}-worker-")
    }

    # then each queue has its own Deployment consuming exactly that queue
    assert set(workers) == QUEUES
    for queue, deployment in workers.items():
        (container,) = deployment["spec"]["template"]["spec"]["containers"]
        command = container["command"]
        assert command[:6] == ["celery", "-A", "mbn.celery", "worker", "-Q", queue]
        assert command[6] == "--concurrency"
    timetable = workers["timetable"]["spec"]["template"]["spec"]["containers"][0]["command"]
    assert timetable[7] == "1"
    assert workers["default"]["spec"]["template"]["spec"]["containers"][0]["command"][7] != "1"


def test_workers_get_hpa_and_pdb_only_where_more_than_one_pod_runs() -> None:
    # given the default render (default and notifications autoscale from 2 pods; timetable runs 1)
    objects = default_render()

    # when listing worker HPAs and PDBs
    hpas = {o["metadata"]["name"] for o in of_kind(objects, "HorizontalPodAutoscaler")}
    pdbs = {o["metadata"]["name"] for o in of_kind(objects, "PodDisruptionBudget")}

    # then the scaled queues have both, the single-pod timetable worker has neither
    assert {"mbn-worker-default", "mbn-worker-notifications"} <= hpas
    assert {"mbn-worker-default", "mbn-worker-notifications"} <= pdbs
    assert "mbn-worker-timetable" not in hpas | pdbs


def test_a_queue_setting_overrides_worker_defaults_even_when_false() -> None:
    # given autoscaling on by default for workers, and explicitly off for the imports queue
    values = {
        "worker": {
            "defaults": {"autoscaling": {"enabled": True}},
            "queues": {"imports": {"autoscaling": {"enabled": False}, "replicas": 3}},
        }
    }

    # when rendering
    objects = render(values)

    # then imports keeps a fixed replica count and no HPA (false is not lost in the merge) ...
    hpas = {o["metadata"]["name"] for o in of_kind(objects, "HorizontalPodAutoscaler")}
    assert named(objects, "Deployment", "mbn-worker-imports")["spec"]["replicas"] == 3
    assert "mbn-worker-imports" not in hpas
    # ... while a queue without its own setting inherits the default
    assert "mbn-worker-provisioning" in hpas
    assert "replicas" not in named(objects, "Deployment", "mbn-worker-provisioning")["spec"]


def test_beat_is_a_single_replica_recreated_never_rolled() -> None:
    # given the default render
    objects = default_render()

    # when looking at the beat Deployment
    beat = named(objects, "Deployment", f"{RELEASE}-beat")

    # then exactly one scheduler runs, replaced with Recreate
    assert beat["spec"]["replicas"] == 1
    assert beat["spec"]["strategy"] == {"type": "Recreate"}
    assert beat["spec"]["template"]["spec"]["containers"][0]["command"][:4] == [
        "celery", "-A", "mbn.celery", "beat",
    ]  # fmt: skip
    assert f"{RELEASE}-beat" not in {
        o["metadata"]["name"] for o in of_kind(objects, "HorizontalPodAutoscaler")
    }


# ------------------------------------------------------------------------------------------ migrations


def test_migrate_job_is_a_pre_install_and_pre_upgrade_hook() -> None:
    # given the default render (no provisioning wave)
    objects = default_render()

    # when looking at the migrate Job
    job = named(objects, "Job", f"{RELEASE}-migrate")

    # then Helm runs it before installing or upgrading, replacing the previous run
    annotations = job["metadata"]["annotations"]
    assert annotations["helm.sh/hook"] == "pre-install,pre-upgrade"
    assert annotations["helm.sh/hook-delete-policy"] == "before-hook-creation"
    assert [c["command"] for c in containers(job)] == [["mbn", "migrate"]]
    assert job["spec"]["template"]["spec"]["restartPolicy"] == "Never"
    # and what it reads exists before it: hook copies of the ConfigMap/Secret/ServiceAccount
    for kind in ("ConfigMap", "Secret", "ServiceAccount"):
        copy = named(objects, kind, f"{RELEASE}-migrate")
        assert copy["metadata"]["annotations"]["helm.sh/hook"] == "pre-install,pre-upgrade"
        assert int(copy["metadata"]["annotations"]["helm.sh/hook-weight"]) < int(
            annotations["helm.sh/hook-weight"]
        )
    (container,) = containers(job)
    assert {ref.get("configMapRef", ref.get("secretRef"))["name"] for ref in container["envFrom"]} == {
        "mbn-migrate"
    }
    assert job["spec"]["template"]["spec"]["serviceAccountName"] == "mbn-migrate"


def test_migrate_job_provisions_the_wave_after_migrating_when_one_is_set() -> None:
    # given a provisioning wave
    values = {"migrate": {"provisionWave": "rentree-2026"}}

    # when rendering
    job = named(render(values), "Job", f"{RELEASE}-migrate")

    # then migrate runs first (init container), then provisioning of that wave
    spec = job["spec"]["template"]["spec"]
    assert [c["command"] for c in spec["initContainers"]] == [["mbn", "migrate"]]
    assert [c["command"] for c in spec["containers"]] == [
        ["mbn", "schools", "provision", "--wave", "rentree-2026"]
    ]


# ------------------------------------------------------------------------------------------ config


def test_configmap_and_secret_carry_the_environment_and_every_pod_reads_both() -> None:
    # given explicit secrets and settings
    values = {
        "config": {"baseDomain": "ent.grandest.fr", "publicHosts": ["ent.grandest.fr", "admin.grandest.fr"]},
        "secrets": {
            "djangoSecretKey": "k" * 50,
            "sentryDsn": "https://x@sentry.example/1",
            "metricsToken": "t0k",
            "edtPrivateKey": PEM,
        },
        "database": {"url": "postgres://mbn:pw@db:5432/mbn"},
        "redis": {"url": "redis://redis:6379/0"},
    }

    # when rendering
    objects = render(values)

    # then non-secret settings are in the ConfigMap, secret ones only in the Secret
    config = named(objects, "ConfigMap", RELEASE)["data"]
    assert config["MBN_ENV"] == "prod"
    assert config["MBN_BASE_DOMAIN"] == "ent.grandest.fr"
    assert config["MBN_PUBLIC_HOSTS"] == "ent.grandest.fr,admin.grandest.fr"
    assert config["MBN_LOG_FORMAT"] == "json"
    assert config["TENANT_MULTIPROCESSING_MAX_PROCESSES"] == "4"
    assert config["MBN_EDT_PARTNER_NAME"] == "MBN"
    secret = named(objects, "Secret", RELEASE)["stringData"]
    assert secret == {
        "DJANGO_SECRET_KEY": "k" * 50,
        "DATABASE_URL": "postgres://mbn:pw@db:5432/mbn",
        "REDIS_URL": "redis://redis:6379/0",
        "SENTRY_DSN": "https://x@sentry.example/1",
        "MBN_METRICS_TOKEN": "t0k",
        "MBN_EDT_PRIVATE_KEY": PEM,  # kept whole, line breaks included
    }
    assert "MBN_EDT_PRIVATE_KEY" not in named(default_render(), "Secret", RELEASE)["stringData"]
    assert not set(secret) & set(config)
    # and every long-running pod loads both through envFrom
    for deployment in of_kind(objects, "Deployment"):
        for container in containers(deployment):
            refs = container["envFrom"]
            assert {"configMapRef": {"name": RELEASE}} in refs
            assert {"secretRef": {"name": RELEASE}} in refs


def test_default_database_url_is_assembled_from_the_cnpg_password_secret() -> None:
    # given the default values (CloudNativePG conventions: service mbn-db-rw, secret mbn-db-app)
    objects = default_render()

    # when looking at the web container's environment
    web = named(objects, "Deployment", f"{RELEASE}-web")
    (container,) = containers(web)

    # then the password comes from the CNPG secret and DATABASE_URL is built in the pod
    password = env_value(container, "DATABASE_PASSWORD")
    assert password["valueFrom"]["secretKeyRef"] == {"name": "mbn-db-app", "key": "password"}
    assert (
        env_value(container, "DATABASE_URL")["value"]
        == "postgres://mbn:$(DATABASE_PASSWORD)@mbn-db-rw:5432/mbn"
    )
    names = [e["name"] for e in container["env"]]
    assert names.index("DATABASE_PASSWORD") < names.index("DATABASE_URL")  # $(VAR) needs it defined first
    secret = named(objects, "Secret", RELEASE)["stringData"]
    assert {"DJANGO_SECRET_KEY", "REDIS_URL"} <= set(secret)
    assert "DATABASE_URL" not in secret


def test_pods_roll_when_the_configmap_changes() -> None:
    # given two renders differing only in one ConfigMap value
    before = named(default_render(), "Deployment", f"{RELEASE}-web")
    after = named(render({"config": {"logFormat": "console"}}), "Deployment", f"{RELEASE}-web")

    # when comparing the pod template annotations
    before_annotations = before["spec"]["template"]["metadata"]["annotations"]
    after_annotations = after["spec"]["template"]["metadata"]["annotations"]

    # then the config checksum changed, so Kubernetes rolls the pods
    assert before_annotations["checksum/config"] != after_annotations["checksum/config"]
    assert set(before_annotations) >= {"checksum/config", "checksum/secret"}


def test_existing_secret_suppresses_the_chart_secret() -> None:
    # given a Secret managed outside the chart holding DATABASE_URL and the rest
    values = {
        "secrets": {"existingSecret": "mbn-env"},
        "database": {"host": "", "passwordSecret": {"name": ""}},
    }

    # when rendering
    objects = render(values)

    # then the chart writes no Secret at all, and every pod (the hook Job too) reads the existing one
    assert of_kind(objects, "Secret") == []
    assert workloads(objects)
    for workload in workloads(objects):
        for container in containers(workload):
            assert {"secretRef": {"name": "mbn-env"}} in container["envFrom"]


# ------------------------------------------------------------------------------------------ pgbouncer


@pytest.mark.parametrize("mode", ["transaction", "statement"])
def test_pgbouncer_refuses_to_render_without_session_pooling(mode: str) -> None:
    # given PgBouncer in a pool mode that would leak search_path between schools
    values = {"pgbouncer": {"enabled": True, "poolMode": mode}}

    # when rendering, then Helm fails with an explanation
    with pytest.raises(helm.HelmRenderError, match=r"poolMode must be \"session\""):
        render(values)


def test_pgbouncer_in_session_mode_fronts_the_app_but_not_the_migration() -> None:
    # given PgBouncer enabled with the default (session) pool mode
    objects = render({"pgbouncer": {"enabled": True}})

    # when looking at the pooler and at the DATABASE_URL of the pods
    ini = named(objects, "ConfigMap", f"{RELEASE}-pgbouncer")["data"]["pgbouncer.ini"]
    web = containers(named(objects, "Deployment", f"{RELEASE}-web"))[0]
    job = containers(named(objects, "Job", f"{RELEASE}-migrate"))[0]

    # then it pools in session mode, the app goes through it, the pre-install Job goes direct
    assert re.search(r"^pool_mode = session$", ini, flags=re.MULTILINE)
    assert "@mbn-pgbouncer:6432/mbn" in env_value(web, "DATABASE_URL")["value"]
    assert "@mbn-db-rw:5432/mbn" in env_value(job, "DATABASE_URL")["value"]
    named(objects, "Service", f"{RELEASE}-pgbouncer")
    named(objects, "Deployment", f"{RELEASE}-pgbouncer")


# ------------------------------------------------------------------------------------------ hardening


def test_every_container_is_locked_down_and_every_object_is_labelled() -> None:
    # given the default render, plus PgBouncer so that its pod is checked too
    objects = render({"pgbouncer": {"enabled": True}})

    # when walking every workload and every object
    checked = 0
    for workload in workloads(objects):
        pod = workload["spec"]["template"]["spec"]
        assert pod["securityContext"]["runAsNonRoot"] is True
        for container in containers(workload):
            # then containers run as non-root, read-only, without capabilities
            security = container["securityContext"]
            assert security["runAsNonRoot"] is True
            assert security["readOnlyRootFilesystem"] is True
            assert security["capabilities"]["drop"] == ["ALL"]
            assert security["allowPrivilegeEscalation"] is False
            checked += 1
    assert checked >= 9  # web, 5 workers, beat, migrate, pgbouncer
    # and the pods run under the chart's ServiceAccount
    named(objects, "ServiceAccount", RELEASE)
    assert (
        named(objects, "Deployment", f"{RELEASE}-web")["spec"]["template"]["spec"]["serviceAccountName"]
        == RELEASE
    )
    # and every object carries the chart label from _helpers.tpl
    assert all(o["metadata"]["labels"]["helm.sh/chart"] == "mbn-0.1.0" for o in objects)


def test_image_comes_from_values() -> None:
    # given an image repository and tag
    values = {"image": {"repository": "harbor.grandest.fr/mbn/app", "tag": "2026.09.1"}}

    # when rendering
    objects = render(values)

    # then every application container uses it
    images = {c["image"] for w in workloads(objects) for c in containers(w)}
    assert images == {"harbor.grandest.fr/mbn/app:2026.09.1"}
