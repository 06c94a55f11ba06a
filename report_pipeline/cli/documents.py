"""`report-pipeline documents add|show|label|train`."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import click

from report_pipeline.appdb.audit import record_audit
from report_pipeline.appdb.labels import get_label, set_label
from report_pipeline.appdb.read_audit import cli_actor, cli_event, record_cli_read
from report_pipeline.classify import ModelError, Taxonomy, TaxonomyError, load_taxonomy
from report_pipeline.cli.common import UserError, services
from report_pipeline.pipeline import documents as documents_service
from report_pipeline.pipeline.labels import (
    UnknownDocument,
    UnknownType,
    check_label,
    labeled_type,
)
from report_pipeline.pipeline.type_model import train_deployment
from report_pipeline.settings import load_settings


@click.group()
def documents() -> None:
    """Add documents and inspect what was extracted."""


def _parse_created_at(text: str | None) -> datetime:
    if text is None:
        return datetime.now(UTC)
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise UserError(f"invalid --created-at {text!r}: expected ISO 8601") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@documents.command("add")
@click.argument("paths", nargs=-1, required=True)
@click.option("--customer", default="default", show_default=True, help="customer id")
@click.option("--created-at", help="ISO 8601 time of arrival (default: now, UTC)")
@click.option(
    "--follow-symlinks",
    is_flag=True,
    help="store the file a symbolic link points to (refused by default)",
)
def documents_add(
    paths: tuple[str, ...], customer: str, created_at: str | None, follow_symlinks: bool
) -> None:
    """Store each file and catalog it; prints one document id per line."""
    moment = _parse_created_at(created_at)
    files = [Path(p) for p in paths]
    try:
        documents_service.validate_customer(customer)
        for path in files:  # every path is checked before anything is stored
            documents_service.open_document(path, follow_symlinks=follow_symlinks).close()
    except ValueError as error:
        raise UserError(str(error)) from None
    opened = services()
    limit = load_settings().max_document_bytes
    for path in files:
        try:
            record = documents_service.add_document(
                opened, path, customer, moment, max_bytes=limit, follow_symlinks=follow_symlinks
            )
        except documents_service.DocumentRefused as error:
            raise UserError(str(error)) from None
        click.echo(record.document_id)


@documents.command("show")
@click.argument("document_id")
@click.option("--json", "as_json", is_flag=True, help="print JSON")
@click.option("--as", "as_name", help="who is reading, for the audit log (default: OS user)")
def documents_show(document_id: str, as_json: bool, as_name: str | None) -> None:
    """A document's record and its extracted features (OCR text: patient data, audited)."""
    opened = services()
    limit = load_settings().max_pages
    view = documents_service.describe_document(opened, document_id, page_limit=limit)
    # The read is logged before anything is shown, found or not.
    record_cli_read(
        opened.app,
        cli_actor(as_name),
        "documents show",
        f"document:{document_id}",
        "success" if view else "not_found",
    )
    if view is None:
        raise UserError(f"unknown document id {document_id!r}")
    label = get_label(opened.app, document_id)
    if label is not None:
        view["label"] = {
            "type": label.doc_type,
            "by": label.labeled_by,
            "at": label.labeled_at.isoformat(),
        }
        _type_from_label(view, label.doc_type)
    if as_json:
        click.echo(json.dumps(view, indent=2, default=str))
        return
    click.echo(documents_service.format_document(view))


def _type_from_label(view: dict, doc_type: str) -> None:
    """The label is the document's type, as in the report (the classifier's answer kept)."""
    features = view.get("features")
    try:
        taxonomy = load_taxonomy(load_settings().document_types)
    except TaxonomyError:
        return  # show still shows the document; settings and runs name the bad file
    if features and doc_type in taxonomy.keys:
        found = features.get("document_type")
        features["document_type"] = labeled_type(found, doc_type, taxonomy)


def _taxonomy() -> Taxonomy:
    try:
        return load_taxonomy(load_settings().document_types)
    except TaxonomyError as error:
        raise UserError(str(error)) from None


@documents.command("label")
@click.argument("document_id")
@click.argument("doc_type", metavar="TYPE")
@click.option("--as", "as_name", help="who is labeling, for the audit log (default: OS user)")
def documents_label(document_id: str, doc_type: str, as_name: str | None) -> None:
    """Set a document's type (a key of the taxonomy); audited, learned by `documents train`."""
    taxonomy, opened, actor = _taxonomy(), services(), cli_actor(as_name)
    try:
        check_label(opened.catalog, taxonomy, document_id, doc_type)
    except (UnknownType, UnknownDocument) as error:
        outcome = "not_found" if isinstance(error, UnknownDocument) else "rejected"
        target = f"document:{document_id} label:{doc_type}"
        record_audit(opened.app, cli_event("documents label", actor, target, outcome))
        raise UserError(str(error)) from None
    event = cli_event("documents label", actor, "", "success")
    previous = set_label(opened.app, document_id, doc_type, actor, audit=event)
    was = f" (was {taxonomy.label(previous)})" if previous else ""
    click.echo(f"{document_id}: {taxonomy.label(doc_type)}{was}")
    click.echo(
        "the next report counts it as this type; the type model learns it at the next"
        " `report-pipeline documents train`"
    )


@documents.command("train")
@click.option("--force", is_flag=True, help="train even when the model of these labels is current")
@click.option("--json", "as_json", is_flag=True, help="print JSON")
@click.option("--as", "as_name", help="who is training, for the audit log (default: OS user)")
def documents_train(force: bool, as_json: bool, as_name: str | None) -> None:
    """Train the document-type model on every label, from the text extraction cached."""
    taxonomy, opened = _taxonomy(), services()
    try:
        training = train_deployment(opened, taxonomy, force=force)
    except ModelError as error:
        raise UserError(str(error)) from None
    # Training reads labeled documents' text: audited like a read of them.
    target = f"type model:{training.version} documents:{training.learned}"
    record_cli_read(opened.app, cli_actor(as_name), "documents train", target, "success")
    if as_json:
        click.echo(json.dumps(vars(training), indent=2))
        return
    verb = "trained" if training.trained else "already current:"
    click.echo(
        f"type model {training.version} {verb} {training.learned} of {training.labels}"
        f" labeled documents in {training.seconds:g} s"
    )
    click.echo("per type: " + ", ".join(f"{k} {n}" for k, n in training.per_type.items()))
    if training.skipped:
        click.echo(
            f"{len(training.skipped)} labeled documents have no cached text yet (not"
            " processed, or failed); a run that extracts them lets the next training use them"
        )


COMMANDS = (documents,)
