"""deploy/cron/: the scheduled one-shot mode's CronJob and EventBridge Scheduler -> ECS task."""

from __future__ import annotations

import json
import re
from pathlib import Path

import yaml

from report_pipeline.cli.run import run
from report_pipeline.settings import SECRET_VARIABLES
from report_pipeline_tests.production.conftest import DEPLOY

COMMAND = ["report-pipeline", "run", "--week", "last"]
SECRET_NAMES = re.compile(r"PASSWORD|SECRET|MONGO_URI|DATABASE_URL|CELERY_BROKER")


def _read_names() -> set[str]:
    """Every variable the product reads: settings.py, the instance file, and libpq's TLS mode."""
    settings = (Path(__file__).resolve().parents[2] / "report_pipeline" / "settings.py").read_text()
    instance = (DEPLOY / "dagster.yaml").read_text()
    return (
        set(re.findall(r'"((?:REPORT_PIPELINE|AWS|DAGSTER)_[A-Z0-9_]+)"', settings))
        | set(re.findall(r"\{env: ([A-Z0-9_]+)\}", instance))
        | {"PGSSLMODE"}
    )


def _is_secret(name: str) -> bool:
    return name in SECRET_VARIABLES or bool(SECRET_NAMES.search(name))


def _cronjob() -> dict:
    return yaml.safe_load((DEPLOY / "cron" / "cronjob.yaml").read_text())


def _ecs() -> dict:
    return json.loads((DEPLOY / "cron" / "ecs-scheduled-task.json").read_text())


def test_the_command_is_the_run_command_with_the_last_closed_week() -> None:
    from report_pipeline.cli.common import week_or_error
    from report_pipeline.weeks import last_closed_week

    context = run.make_context("run", COMMAND[2:])
    assert context.params["week_text"] == "last"
    assert week_or_error("last") == last_closed_week()


def test_the_cronjob_runs_weekly_once_at_a_time_with_the_deployments_environment() -> None:
    from report_pipeline.defs.schedules import weekly_report_schedule

    cronjob = _cronjob()
    assert cronjob["kind"] == "CronJob" and cronjob["apiVersion"] == "batch/v1"
    spec = cronjob["spec"]
    # the same tick as the always-on deployment's schedule, in UTC like the weeks
    assert spec["schedule"] == weekly_report_schedule.cron_schedule == "0 6 * * 1"
    assert spec["timeZone"] == "Etc/UTC"
    assert spec["concurrencyPolicy"] == "Forbid"
    job = spec["jobTemplate"]["spec"]
    assert job["backoffLimit"] == 0  # a failed or held week is not re-run blindly
    pod = job["template"]["spec"]
    assert pod["restartPolicy"] == "Never"
    [container] = pod["containers"]
    assert container["command"] == COMMAND
    # the same image, ConfigMap and Secret as the Helm deployment
    values = yaml.safe_load((DEPLOY / "helm" / "values.yaml").read_text())
    [deployment] = values["dagster-user-deployments"]["deployments"]
    assert container["image"] == f"{deployment['image']['repository']}:{deployment['image']['tag']}"
    assert pod["serviceAccountName"] == values["serviceAccount"]["name"]
    assert {"configMapRef": {"name": "report-pipeline-config"}} in container["envFrom"]
    assert {"secretRef": {"name": "report-pipeline-secrets"}} in container["envFrom"]
    env = {entry["name"]: entry for entry in container["env"]}
    assert env["REPORT_PIPELINE_EXECUTOR"]["value"] == "multiprocess"  # one process tree
    known = _read_names()
    config_env = dict(
        line.split("=", 1) for line in (DEPLOY / "helm" / "config.env").read_text().split()
    )
    assert set(env) | set(config_env) <= known, (set(env) | set(config_env)) - known
    # the instance file in the image reads these; the password only from a Secret
    instance_names = set(
        re.findall(r"\{env: ([A-Z0-9_]+)\}", (DEPLOY / "dagster.yaml").read_text())
    )
    assert instance_names <= set(env)
    for name, entry in env.items():
        if _is_secret(name):
            assert "value" not in entry, f"{name} must come from a Secret"
            assert entry["valueFrom"]["secretKeyRef"]["name"]
    assert (
        env["DAGSTER_PG_PASSWORD"]["valueFrom"]["secretKeyRef"]["name"]
        == (values["global"]["postgresqlSecretName"])
    )
    # local state on a volume the pod can write
    mounts = {mount["mountPath"] for mount in container["volumeMounts"]}
    assert env["REPORT_PIPELINE_HOME"]["value"] in mounts


def test_the_ecs_task_is_scheduled_weekly_without_retries_and_secrets_from_secrets_manager() -> (
    None
):
    ecs = _ecs()
    task = ecs["taskDefinition"]
    [container] = task["containerDefinitions"]
    assert container["command"] == COMMAND
    environment = {entry["name"]: entry["value"] for entry in container["environment"]}
    secrets = {entry["name"]: entry["valueFrom"] for entry in container["secrets"]}
    known = _read_names()
    assert set(environment) | set(secrets) <= known, (set(environment) | set(secrets)) - known
    assert not any(_is_secret(name) for name in environment)  # no secret value inline
    assert all(_is_secret(name) for name in secrets)
    assert all(arn.startswith("arn:aws:secretsmanager:") for arn in secrets.values())
    instance_names = set(
        re.findall(r"\{env: ([A-Z0-9_]+)\}", (DEPLOY / "dagster.yaml").read_text())
    )
    assert instance_names <= set(environment) | set(secrets)
    # a one-shot container keeps nothing: every generated secret must be provided instead
    assert {
        "REPORT_PIPELINE_DATABASE_URL",
        "REPORT_PIPELINE_UNSUBSCRIBE_SECRET",
        "REPORT_PIPELINE_DOWNLOAD_SECRET",
    } <= set(secrets)
    assert environment["REPORT_PIPELINE_EXECUTOR"] == "multiprocess"
    assert environment["REPORT_PIPELINE_MAILER"] == "ses"
    mounts = {mount["containerPath"] for mount in container["mountPoints"]}
    assert environment["REPORT_PIPELINE_HOME"] in mounts

    schedule = ecs["schedule"]
    assert schedule["ScheduleExpression"] == "cron(0 6 ? * MON *)"  # Monday 06:00, as the CronJob
    assert schedule["ScheduleExpressionTimezone"] == "UTC"
    target = schedule["Target"]
    assert target["RetryPolicy"]["MaximumRetryAttempts"] == 0
    assert target["DeadLetterConfig"]["Arn"].startswith("arn:aws:sqs:")
    parameters = target["EcsParameters"]
    assert parameters["TaskCount"] == 1
    assert parameters["TaskDefinitionArn"].endswith(f"task-definition/{task['family']}")

    # the alarm: the task stopped with any exit status but 0
    pattern = json.loads(ecs["failureAlarm"]["EventPattern"])
    assert pattern["detail"]["lastStatus"] == ["STOPPED"]
    assert pattern["detail"]["group"] == [f"family:{task['family']}"]
    assert pattern["detail"]["containers"] == {
        "name": [container["name"]],
        "exitCode": [{"anything-but": 0}],
    }


def test_no_secret_value_is_written_in_either_file() -> None:
    for path in (DEPLOY / "cron").iterdir():
        text = path.read_text()
        assert not re.search(r"(?i)(password|secret)\s*[:=]\s*['\"]?[A-Za-z0-9+/]{8,}", text), path
        assert "postgresql://" not in text and "mongodb://" not in text, path
