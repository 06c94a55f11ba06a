"""deploy/: what can be checked without a container engine or a cluster."""

from __future__ import annotations

import re
import runpy

import yaml
from dagster._core.run_coordinator import QueuedRunCoordinator
from dagster_aws.s3.compute_log_manager import S3ComputeLogManager
from dagster_postgres import PostgresRunStorage

from report_pipeline_tests.production.conftest import DEPLOY

SECRET_NAMES = re.compile(r"PASSWORD|SECRET|MONGO_URI|DATABASE_URL|CELERY_BROKER")


def _load(name: str) -> dict:
    return yaml.safe_load((DEPLOY / name).read_text())


def test_deploy_dagster_yaml_is_a_working_instance_on_postgres(production) -> None:
    with production.instance() as instance:
        assert isinstance(instance.run_storage, PostgresRunStorage)
        assert instance.get_runs() == []  # the schema was created in the throwaway database
        coordinator = instance.run_coordinator
        assert isinstance(coordinator, QueuedRunCoordinator)
        assert [
            dict(limit) for limit in coordinator.get_run_queue_config().tag_concurrency_limits
        ] == [
            {"key": "dagster/partition", "value": {"applyLimitPerUniqueValue": True}, "limit": 1},
            # One read-ahead pass at a time: it never takes both run slots from a weekly run.
            {"key": "report_pipeline/kind", "value": "read_ahead", "limit": 1},
        ]
        assert instance.run_retries_enabled and instance.run_retries_max_retries == 2
        assert instance.run_retries_retry_on_asset_or_op_failure is False
        assert instance.run_monitoring_enabled
        assert isinstance(instance.compute_log_manager, S3ComputeLogManager)


def test_compose_runs_every_role_from_one_image_without_literal_secrets() -> None:
    compose = _load("docker-compose.yaml")
    services = compose["services"]
    assert {
        "postgres",
        "webserver",
        "daemon",
        "user-code",
        "api",
        "celery-worker",
        "redis",
        "migrate",
    } <= set(services)
    commands = {name: " ".join(service.get("command", [])) for name, service in services.items()}
    assert commands["webserver"].startswith("dagster-webserver")
    assert commands["daemon"].startswith("dagster-daemon run")
    assert commands["user-code"].startswith("dagster code-server start")
    assert commands["api"].startswith("report-pipeline api")
    assert commands["celery-worker"].startswith("celery -A dagster_celery.app worker")
    for name in ("webserver", "daemon", "user-code", "api", "celery-worker", "migrate"):
        service = services[name]
        assert service["build"]["dockerfile"] == "deploy/docker/Dockerfile"
        env = service["environment"]
        assert env["REPORT_PIPELINE_OBJECT_STORE"] == "s3"
        for key, value in env.items():
            if SECRET_NAMES.search(key) and value and "redis://redis" not in value:
                assert "${" in value, f"{name}: {key} must come from the environment"


PREPARE = ["report-pipeline", "instance", "prepare"]


def test_compose_prepares_the_stores_before_any_role_starts() -> None:
    services = _load("docker-compose.yaml")["services"]
    assert services["migrate"]["command"] == PREPARE
    assert services["migrate"]["restart"] == "no"
    for name in ("user-code", "webserver", "daemon", "celery-worker", "sender", "api"):
        depends = services[name]["depends_on"]
        assert depends["migrate"] == {"condition": "service_completed_successfully"}, name


def test_the_image_has_tesseract_and_the_celery_config() -> None:
    dockerfile = (DEPLOY / "docker" / "Dockerfile").read_text()
    assert "tesseract-ocr tesseract-ocr-eng" in dockerfile
    assert "OMP_THREAD_LIMIT=1" in dockerfile
    assert "deploy/celery" in dockerfile
    workspace = _load("docker/workspace.yaml")
    assert workspace["load_from"][0]["grpc_server"]["host"] == "user-code"


def test_the_image_user_owns_the_product_home() -> None:
    # Compose and the cron files use /opt/dagster/state; the image runs as `app`.
    dockerfile = (DEPLOY / "docker" / "Dockerfile").read_text()
    assert "REPORT_PIPELINE_HOME=/opt/dagster/state" in dockerfile
    assert 'chown -R app "$DAGSTER_HOME" "$REPORT_PIPELINE_HOME"' in dockerfile
    assert dockerfile.index("chown -R app") < dockerfile.index("USER app")


def test_helm_values_for_the_official_chart() -> None:
    values = _load("helm/values.yaml")
    [deployment] = values["dagster-user-deployments"]["deployments"]
    assert deployment["dagsterApiGrpcArgs"] == ["-m", "report_pipeline.definitions"]
    assert {"name": "report-pipeline-secrets"} in deployment["envSecrets"]
    assert values["runLauncher"]["type"] == "K8sRunLauncher"
    launcher = values["runLauncher"]["config"]["k8sRunLauncher"]
    assert {"name": "report-pipeline-secrets"} in launcher["envSecrets"]
    daemon = values["dagsterDaemon"]
    assert daemon["runRetries"] == {
        "enabled": True,
        "maxRetries": 2,
        "retryOnAssetOrOpFailure": False,
    }
    [limit] = daemon["runCoordinator"]["config"]["queuedRunCoordinator"]["tagConcurrencyLimits"]
    assert limit == {
        "key": "dagster/partition",
        "value": {"applyLimitPerUniqueValue": True},
        "limit": 1,
    }
    assert values["computeLogManager"]["type"] == "S3ComputeLogManager"
    config = dict(
        line.split("=", 1) for line in (DEPLOY / "helm" / "config.env").read_text().split()
    )
    assert config["REPORT_PIPELINE_EXECUTOR"] == "k8s"
    assert not any(SECRET_NAMES.search(key) for key in config)  # those live in the Secret
    job = _load("helm/migrate-job.yaml")
    [container] = job["spec"]["template"]["spec"]["containers"]
    assert container["command"] == PREPARE
    # on the chart's own Dagster instance, the storage its webserver and daemon use
    env = {item["name"]: item for item in container["env"]}
    home = env["DAGSTER_HOME"]["value"]
    [mount] = container["volumeMounts"]
    assert mount["mountPath"] == f"{home}/dagster.yaml"
    [volume] = job["spec"]["template"]["spec"]["volumes"]
    assert volume["name"] == mount["name"] and volume["configMap"]["name"] == "dagster-instance"
    secret = env["DAGSTER_PG_PASSWORD"]["valueFrom"]["secretKeyRef"]
    assert secret["name"] == values["global"]["postgresqlSecretName"]
    assert container["image"].endswith(":" + deployment["image"]["tag"])
    assert {"secretRef": {"name": "report-pipeline-secrets"}} in container["envFrom"]


def test_the_celery_worker_config_reads_the_broker_from_the_environment(monkeypatch) -> None:
    monkeypatch.setenv("REPORT_PIPELINE_CELERY_BROKER", "redis://:pw@redis:6379/0")
    monkeypatch.delenv("REPORT_PIPELINE_CELERY_BACKEND", raising=False)
    config = runpy.run_path(str(DEPLOY / "celery" / "dagster_celery_config.py"))
    assert config["broker_url"] == config["result_backend"] == "redis://:pw@redis:6379/0"
    assert config["worker_prefetch_multiplier"] == 1


def test_prometheus_scrapes_the_api_and_loads_the_alert_rules() -> None:
    alerts = _load("prometheus/alerts.yaml")
    names = {rule["alert"] for group in alerts["groups"] for rule in group["rules"]}
    assert {
        "ReportPipelineWeekNotReported",
        "ReportPipelineDeadDelivery",
        "ReportPipelineFailedShareOverLimit",
        "ReportPipelineApi5xxRate",
    } <= names
    # compose: the API serves metrics on its own port, Prometheus scrapes it and loads the rules
    services = _load("docker-compose.yaml")["services"]
    port = services["api"]["environment"]["REPORT_PIPELINE_METRICS_PORT"]
    assert f"9100:{port}" not in str(services["api"].get("ports"))  # never published
    prometheus = _load("prometheus/prometheus.yml")
    [job] = prometheus["scrape_configs"]
    assert job["static_configs"][0]["targets"] == [f"api:{port}"]
    mounted = {
        volume.split(":")[1]
        for volume in services["prometheus"]["volumes"]
        if volume.startswith("./")
    }
    assert set(prometheus["rule_files"]) <= mounted
    # Kubernetes: the same rules as a PrometheusRule, a ServiceMonitor on the metrics port
    documents = {
        doc["kind"]: doc for doc in yaml.safe_load_all((DEPLOY / "helm" / "api.yaml").read_text())
    }
    assert documents["PrometheusRule"]["spec"]["groups"] == alerts["groups"]
    [endpoint] = documents["ServiceMonitor"]["spec"]["endpoints"]
    service_ports = {p["name"]: p["port"] for p in documents["Service"]["spec"]["ports"]}
    config = dict(
        line.split("=", 1) for line in (DEPLOY / "helm" / "config.env").read_text().split()
    )
    assert service_ports[endpoint["port"]] == int(config["REPORT_PIPELINE_METRICS_PORT"])
    [container] = documents["Deployment"]["spec"]["template"]["spec"]["containers"]
    assert {"configMapRef": {"name": "report-pipeline-config"}} in container["envFrom"]


def test_every_metric_an_alert_uses_is_exported(settings, monkeypatch) -> None:
    from datetime import date

    from fastapi.testclient import TestClient

    from report_pipeline.api.app import create_app
    from report_pipeline.appdb.store import ReportResult
    from report_pipeline.settings import load_settings

    monkeypatch.setenv("REPORT_PIPELINE_METRICS_TOKEN", "t" * 40)
    client = TestClient(create_app(load_settings()))
    # a reported week, so the gauges about the newest week exist too
    client.app.state.context.store.record_report(
        ReportResult(date(2024, 3, 4), "succeeded", documents_total=10, documents_failed=1)
    )
    client.get("/healthz")
    exported = client.get("/metrics", headers={"Authorization": "Bearer " + "t" * 40}).text
    alerts = (DEPLOY / "prometheus" / "alerts.yaml").read_text()
    used = set(re.findall(r"report_pipeline_[a-z_]+", alerts))
    assert len(used) >= 6
    missing = {
        name
        for name in used
        if f"# HELP {name} " not in exported
        and f"# HELP {name.removesuffix('_total')} " not in exported
    }
    assert not missing


def test_the_alert_rules_fire_as_intended() -> None:
    import shutil
    import subprocess

    import pytest

    promtool = shutil.which("promtool")
    if promtool is None:
        pytest.skip("promtool not installed (Debian package `prometheus`)")
    for args in (["check", "rules", "alerts.yaml"], ["test", "rules", "alerts.test.yaml"]):
        done = subprocess.run(
            [promtool, *args], cwd=DEPLOY / "prometheus", capture_output=True, text=True
        )
        assert done.returncode == 0, done.stdout + done.stderr


def test_compose_puts_sign_in_and_tls_in_front_of_the_ui_and_the_api() -> None:
    services = _load("docker-compose.yaml")["services"]
    published = {name for name, service in services.items() if service.get("ports")}
    assert published <= {"edge", "prometheus"}  # the UI and the API only through the edge
    assert all(port.startswith("127.0.0.1:") for port in services["prometheus"]["ports"])
    assert sorted(services["edge"]["ports"]) == ["443:443", "80:80"]
    proxy = " ".join(services["oauth2-proxy"]["command"])
    assert "--upstream=http://webserver:3000/" in proxy and "--cookie-secure=true" in proxy
    for name, value in services["oauth2-proxy"]["environment"].items():
        assert value.startswith("${") and ":?" in value, name  # secrets only from .env
    template = (DEPLOY / "proxy" / "nginx.conf.template").read_text()
    assert "proxy_pass http://oauth2-proxy:4180" in template
    assert "proxy_pass http://api:8000" in template
    assert "proxy_pass http://webserver" not in template  # the UI only through sign-in
    assert "return 301 https://" in template and "listen 443 ssl" in template
    assert "$uri" in template and '$request_uri" $status' not in template  # no query in logs
    api = services["api"]["environment"]
    edge_address = services["edge"]["networks"]["default"]["ipv4_address"]
    assert api["REPORT_PIPELINE_API_TRUSTED_PROXIES"] == edge_address
    assert api["REPORT_PIPELINE_API_RATE_LIMIT_STORAGE"].startswith("redis://redis:")
    for key, value in api.items():
        if SECRET_NAMES.search(key) and value and "redis://redis" not in value:
            assert "${" in value, key


def test_helm_ui_is_behind_oauth2_proxy_and_tls() -> None:
    values = _load("helm/values.yaml")
    ingress = values["ingress"]
    assert ingress["enabled"] and ingress["dagsterWebserver"]["tls"]["enabled"]
    annotations = ingress["annotations"]
    assert "oauth2/auth" in annotations["nginx.ingress.kubernetes.io/auth-url"]
    assert "oauth2/start" in annotations["nginx.ingress.kubernetes.io/auth-signin"]
    assert annotations["nginx.ingress.kubernetes.io/force-ssl-redirect"] == "true"
    assert values["dagsterWebserver"]["service"]["type"] == "ClusterIP"
    proxy = _load("helm/oauth2-proxy-values.yaml")
    assert proxy["config"]["existingSecret"] and "clientSecret" not in proxy["config"]
    assert proxy["extraArgs"]["cookie-secure"] is True
    ingress_doc = yaml.safe_load((DEPLOY / "helm" / "api-ingress.yaml").read_text())
    assert ingress_doc["kind"] == "Ingress"
    [tls] = ingress_doc["spec"]["tls"]
    assert tls["secretName"] and tls["hosts"] == [ingress_doc["spec"]["rules"][0]["host"]]
    [path] = ingress_doc["spec"]["rules"][0]["http"]["paths"]
    api_docs = {
        doc["kind"]: doc for doc in yaml.safe_load_all((DEPLOY / "helm" / "api.yaml").read_text())
    }
    assert path["backend"]["service"]["name"] == api_docs["Service"]["metadata"]["name"]
    assert api_docs["Service"]["spec"].get("type", "ClusterIP") == "ClusterIP"
    config = dict(
        line.split("=", 1) for line in (DEPLOY / "helm" / "config.env").read_text().split()
    )
    assert config["REPORT_PIPELINE_API_TRUSTED_PROXIES"]


def test_compose_and_helm_run_sender_workers_in_replicas() -> None:
    from click.testing import CliRunner

    from report_pipeline.cli.deliveries import work
    from report_pipeline.settings import load_settings

    services = _load("docker-compose.yaml")["services"]
    sender = services["sender"]
    command = sender["command"]
    assert command[:3] == ["report-pipeline", "deliveries", "work"]
    assert sender["build"]["dockerfile"] == "deploy/docker/Dockerfile"
    assert sender["deploy"]["replicas"] >= 2
    assert sender["stop_signal"] == "SIGTERM"
    assert {"migrate", "redis"} <= set(sender["depends_on"])
    # Every role shares the environment: the email run (user-code, Celery) waits for the
    # senders, and everybody paces against the same bucket in the compose Redis.
    for name in ("sender", "user-code", "celery-worker", "daemon"):
        env = services[name]["environment"]
        assert env["REPORT_PIPELINE_SENDERS"] == "${REPORT_PIPELINE_SENDERS:-workers}"
        assert env["REPORT_PIPELINE_REDIS_URL"].startswith("redis://redis:6379/")
    compose_env = {
        key: value.split(":-", 1)[1].rstrip("}") if value.startswith("${") else value
        for key, value in sender["environment"].items()
        if key.startswith("REPORT_PIPELINE_SEND") or key == "REPORT_PIPELINE_REDIS_URL"
    }
    assert load_settings(compose_env).delivery.senders == "workers"
    # The command's options are the CLI's own (parsed, not run).
    work.make_context("work", list(command[3:]))
    assert "--until-idle" in CliRunner().invoke(work, ["--help"]).output

    documents = {
        doc["kind"]: doc
        for doc in yaml.safe_load_all((DEPLOY / "helm" / "sender.yaml").read_text())
    }
    deployment = documents["Deployment"]
    assert deployment["spec"]["replicas"] >= 2
    pod = deployment["spec"]["template"]["spec"]
    [container] = pod["containers"]
    assert container["command"][:3] == ["report-pipeline", "deliveries", "work"]
    work.make_context("work", list(container["command"][3:]))
    assert {"configMapRef": {"name": "report-pipeline-config"}} in container["envFrom"]
    assert {"secretRef": {"name": "report-pipeline-secrets"}} in container["envFrom"]
    values = _load("helm/values.yaml")
    [user_code] = values["dagster-user-deployments"]["deployments"]
    assert container["image"].endswith(":" + user_code["image"]["tag"])
    assert pod["terminationGracePeriodSeconds"] >= 30  # time to finish the message in hand
    config = dict(
        line.split("=", 1) for line in (DEPLOY / "helm" / "config.env").read_text().split()
    )
    assert config["REPORT_PIPELINE_SENDERS"] == "workers"
    assert "REPORT_PIPELINE_REDIS_URL" not in config  # it may carry a password: the Secret
