"""What a unit of work costs: CPU-seconds and peak memory, measured here, and COSTS.md.

Each figure comes from a fresh child process running the product's own code after a
warm-up, so imports and model loading are not charged to the unit:
  scanned page     `extract` of one-page scanned PDFs (real pages of Debian's PDF manuals,
                   200 dpi grayscale JPEG, as `make bench-corpus` installs them): OCR
  text-layer page  `extract` of a PDF of real manual pages with their text layer
  note             `extract` of Faker-made clinical notes (text/plain)
  report           `publish_report` of one scope PDF at two sizes: fixed + per document
  email            `dispatch_report` (PostgreSQL outbox, SMTP to a local aiosmtpd sink in
                   its own process standing for SES); the database backends' CPU is added
  run              `report-pipeline run` of a near-empty week (one note) on the embedded
                   instance: Dagster start-up, both jobs, every process of the run tree
  batch step       copies of the text-layer PDF run with REPORT_PIPELINE_BATCH_SIZE=1:
                   the CPU of each batch step beyond the near-empty week's one
  idle             `dagster dev` (webserver, daemon with its sensors, code server) once the
                   webserver answers: the always-on shapes' Dagster memory and CPU
CPU-seconds = user + sys of the process and every descendant (this process becomes their
subreaper, so even the forkserver's step processes are counted). Peak memory: the largest
single process (ru_maxrss) and, for runs, all processes at once (sampled every 0.1 s).
Other work on the machine slows wall time more than CPU time; the load average is printed.

Then a check week (scanned, text-layer and note documents) runs through the same path and
its measured CPU is compared with what the figures predict for it.

Usage: python benchmarks/bench_cost.py [--scanned-pages N] [--text-pages N] [--notes N]
       [--report-sizes SMALL LARGE] [--emails N] [--check-notes N] [--step-documents N]
       [--idle-seconds N]
       [--save-figures F.json] [--from-figures F.json] [--write-costs COSTS.md]
`--from-figures benchmarks/cost_figures.json --write-costs COSTS.md` regenerates COSTS.md
(e.g. after a price change in cost_model.py) without measuring.
Last line: `ratio: X.XX` = the check week's measured CPU / the CPU the figures predict.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import json
import os
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import cost_model
from _common import ROOT, adopt_orphans, machine_info, reap_orphans

HERE = Path(__file__).resolve().parent
WEEK = "2024-03-04"


# ---------------------------------------------------------------- measuring helpers


def cpu_seconds(who: int) -> float:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


def own_cpu() -> float:
    return cpu_seconds(resource.RUSAGE_SELF) + cpu_seconds(resource.RUSAGE_CHILDREN)


def peak_mb(who: int = resource.RUSAGE_SELF) -> float:
    return resource.getrusage(who).ru_maxrss / 1024


def load_average() -> str:
    return " ".join(f"{value:.1f}" for value in os.getloadavg())


def run_child(name: str, **arguments: object) -> dict:
    """This script in a fresh process, measuring one unit; its last line is JSON."""
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    command = [sys.executable, __file__, "--child", name, "--arguments", json.dumps(arguments)]
    done = subprocess.run(command, capture_output=True, text=True, env=env)
    if done.returncode != 0:
        raise SystemExit(f"measuring {name} failed:\n{done.stderr[-3000:]}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    if "home" in result:  # a run's product home: measured, no longer needed
        shutil.rmtree(result["home"], ignore_errors=True)
    return result


# ---------------------------------------------------------------- inputs (parent side)


def faker_notes(directory: Path, count: int) -> list[str]:
    """Clinical notes with a Faker patient header: names, addresses, dates, ids."""
    from faker import Faker

    from report_pipeline.tooling.samples import clinical_note_text

    fake = Faker()
    Faker.seed(18)
    paths = []
    for number in range(count):
        header = (
            f"Patient: {fake.name()}  DOB: {fake.date_of_birth()}"
            f"  MRN: {fake.bothify('??######')}\n"
            f"Address: {fake.address().replace(chr(10), ', ')}  Phone: {fake.phone_number()}\n"
            f"Physician: Dr. {fake.last_name()}  Visit: {fake.date_this_year()}\n\n"
        )
        path = directory / f"note-{number:05d}.txt"
        path.write_text(header + clinical_note_text(seed=number) + fake.paragraph(8) + "\n")
        paths.append(str(path))
    return paths


def real_pdfs(directory: Path, scanned: int, text: int) -> tuple[list[str], str, int]:
    """One-page scanned PDFs and one text-layer PDF, from Debian's PDF manuals."""
    from bench_pdf_pages import scanned_pdfs, text_pages, to_bytes

    document = text_pages(text)
    text_path = directory / "manual-text-layer.pdf"
    text_path.write_bytes(to_bytes(document))
    source = text_pages(scanned) if scanned != text else document
    scans = scanned_pdfs(source, 1, directory)
    return [str(path) for path in scans], str(text_path), len(document)


# ---------------------------------------------------------------- children


def child_extract(paths: list[str], content_type: str, repeat: int) -> dict:
    from report_pipeline.extraction import extract

    def one(path: str) -> dict:
        kind, features = extract(Path(path).read_bytes(), content_type, Path(path).name)
        return features

    one(paths[0])  # warm-up: imports, the OCR model
    began = own_cpu()
    sizes = []
    for _ in range(repeat):
        for path in paths:
            sizes.append(len(json.dumps(one(path))))
    return {
        "cpu": own_cpu() - began,
        "documents": len(paths) * repeat,
        "peak_mb": peak_mb(),
        "cache_bytes": sum(sizes) / len(sizes) + 300,  # + the FeatureResult envelope
    }


def child_report(documents: int, repeat: int, pdf_out: str | None) -> dict:
    from bench_report_render import synthetic_week

    from report_pipeline.pipeline.publish import publish_report
    from report_pipeline.storage.object_store import LocalObjectStore

    entries, results = synthetic_week(documents)
    directory = tempfile.mkdtemp(prefix="bench-cost-report-")
    store = LocalObjectStore(Path(directory))
    week, generated = date.fromisoformat(WEEK), datetime(2024, 3, 11, 6, tzinfo=UTC)

    def publish():
        return publish_report(store, week, entries, results, generated)

    publish()  # warm-up: imports, fonts
    began = own_cpu()
    for _ in range(repeat):
        published = publish()
    cpu = (own_cpu() - began) / repeat
    pdf = store.get(published.pdf_key)
    if pdf_out:
        Path(pdf_out).write_bytes(pdf)
    shutil.rmtree(directory, ignore_errors=True)
    return {"cpu": cpu, "documents": documents, "peak_mb": peak_mb(), "pdf_bytes": len(pdf)}


def _backend_cpu(url: str) -> float:
    """CPU-seconds of the PostgreSQL backends serving the benchmark's database (/proc)."""
    import psycopg2

    database = url.rsplit("/", 1)[-1]
    with contextlib.closing(psycopg2.connect(url.replace("+psycopg2", ""))) as connection:
        cursor = connection.cursor()
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            (database,),
        )
        pids = [row[0] for row in cursor.fetchall()]
    total, tick = 0.0, os.sysconf("SC_CLK_TCK")
    for pid in pids:
        with contextlib.suppress(OSError):
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / tick
    return total


def child_email(count: int, pdf_path: str | None) -> dict:
    import bench_email_delivery as mail

    from report_pipeline.delivery import dispatch
    from report_pipeline.delivery.mailers import SmtpMailer
    from report_pipeline.delivery.settings import DeliverySettings
    from report_pipeline.settings import SmtpSettings
    from report_pipeline_tests.services import postgres_server, throwaway_database

    log_path = tempfile.mktemp(prefix="bench-cost-sink-")
    sink, port = mail.start_sink(log_path)
    pdf = Path(pdf_path).read_bytes() if pdf_path else mail.sample_pdf()
    try:
        with postgres_server() as dsn, throwaway_database(dsn) as url:
            app, report_ids = mail.prepare(url, count, 2)
            measured = {}
            for number, size in enumerate((min(20, count), count)):  # warm-up, then measured
                mail.subscribe_round(app, number, size)
                report = dispatch.ReportToSend(
                    report_id=report_ids[number],
                    week=date(2024, 3, 4),
                    summary=mail.SUMMARY,
                    pdf=pdf,
                    pdf_filename="weekly-report-2024-03-04.pdf",
                )
                backend, began = _backend_cpu(url), cpu_seconds(resource.RUSAGE_SELF)
                outcome = dispatch.dispatch_report(
                    app,
                    report,
                    SmtpMailer(SmtpSettings("127.0.0.1", port, "none")),
                    mail.SENDER,
                    settings=DeliverySettings(),
                )
                measured = {
                    "cpu": cpu_seconds(resource.RUSAGE_SELF) - began,
                    "database_cpu": _backend_cpu(url) - backend,
                    "emails": outcome.sent,
                }
            app.engine.dispose()
    finally:
        sink.terminate()
        sink.join(10)
        with contextlib.suppress(OSError):
            os.unlink(log_path)
    assert measured["emails"] == count, measured
    message = len(pdf) * 4 / 3 + 6_000  # base64 attachment + HTML/text parts and headers
    return {**measured, "peak_mb": peak_mb(), "email_bytes": message}


def child_run(documents: list[list[str]], batch_size: int | None = None) -> dict:
    """`report-pipeline run` of a week holding `documents` ([path, type, customer])."""
    from _common import isolated_home

    home = isolated_home("bench-cost-run-")
    os.environ["REPORT_PIPELINE_FIRST_WEEK"] = WEEK
    if batch_size:
        os.environ["REPORT_PIPELINE_BATCH_SIZE"] = str(batch_size)
    from report_pipeline.pipeline.documents import store_document
    from report_pipeline.resources.connections import open_services
    from report_pipeline.settings import load_settings

    services = open_services(load_settings())
    start = datetime.fromisoformat(WEEK).replace(hour=8, tzinfo=UTC)
    for number, (path, content_type, customer) in enumerate(documents):
        data = Path(path).read_bytes()
        moment = start + timedelta(seconds=number)
        store_document(services, data, Path(path).name, content_type, customer, moment)
    adopt_orphans()
    command = [str(Path(sys.executable).parent / "report-pipeline"), "run", "--week", WEEK]
    began_cpu, began = cpu_seconds(resource.RUSAGE_CHILDREN), time.perf_counter()
    process = subprocess.Popen([*command, "--json"], stdout=subprocess.PIPE, text=True)
    tree_peak = _sample_tree(process)
    out = process.communicate()[0]
    wall = time.perf_counter() - began
    unreaped = reap_orphans()
    summary = json.loads(out.strip().splitlines()[-1])
    if process.returncode != 0 or not summary.get("ok"):
        raise SystemExit(f"the run failed: {summary.get('error')}")
    from dagster import DagsterEventType, DagsterInstance

    with DagsterInstance.get() as instance:
        starts = instance.all_logs(summary["report_run_id"], of_type=DagsterEventType.STEP_START)
    return {
        "steps": len(starts),
        "cpu": cpu_seconds(resource.RUSAGE_CHILDREN) - began_cpu,
        "wall": wall,
        "peak_mb": peak_mb(resource.RUSAGE_CHILDREN),
        "tree_peak_mb": tree_peak,
        "documents": summary["documents_total"],
        "scopes": len(summary.get("scopes") or []) or 1,
        "unreaped": unreaped,
        "home": str(home),
    }


def child_idle(seconds: int) -> dict:
    """The always-on Dagster processes (webserver, daemon, code server) idling: RSS, CPU."""
    import psutil
    from _common import isolated_home

    home = isolated_home("bench-cost-idle-")
    port = _free_port()
    command = [
        str(Path(sys.executable).parent / "dagster"),
        "dev",
        "-w",
        str(ROOT / "workspace.yaml"),
    ]
    process = subprocess.Popen(
        [*command, "-p", str(port)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # its own process group, ended below by its id
    )

    def tree() -> tuple[float, float]:
        cpu = rss = 0.0
        for member in [psutil.Process(process.pid), *psutil.Process(process.pid).children(True)]:
            with contextlib.suppress(psutil.Error):
                times = member.cpu_times()
                cpu, rss = cpu + times.user + times.system, rss + member.memory_info().rss
        return cpu, rss / 2**20

    try:
        _wait_for_http(port, timeout=600)
        time.sleep(30)  # the daemon's first sensor ticks and the webserver's first loads
        began, _ = tree()
        time.sleep(seconds)
        ended, rss = tree()
    finally:
        os.killpg(process.pid, signal.SIGINT)  # what `dagster dev` shuts down on
        try:
            process.wait(120)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(30)
        shutil.rmtree(home, ignore_errors=True)
    return {"vcpu": (ended - began) / seconds, "rss_mb": rss}


def _wait_for_http(port: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError):
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        time.sleep(1)
    raise SystemExit(f"the Dagster webserver did not answer on port {port}")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _sample_tree(process: subprocess.Popen) -> float:
    """Largest sum of RSS over every descendant, sampled until the run ends."""
    import psutil

    me, peak = psutil.Process(), 0.0
    while process.poll() is None:
        total = 0
        for child in me.children(recursive=True):
            with contextlib.suppress(psutil.Error):
                total += child.memory_info().rss
        peak = max(peak, total / 2**20)
        time.sleep(0.1)
    return peak


CHILDREN = {
    "extract": child_extract,
    "report": child_report,
    "email": child_email,
    "run": child_run,
    "idle": child_idle,
}


# ---------------------------------------------------------------- the parent


def measure(args: argparse.Namespace, workdir: Path) -> tuple[cost_model.Figures, dict]:
    scans, text_pdf, text_pages = real_pdfs(workdir, args.scanned_pages, args.text_pages)
    notes = faker_notes(workdir, max(args.notes, args.check_notes))
    raw: dict = {"load_before": load_average()}
    print(f"load average before: {raw['load_before']}", flush=True)
    scanned = run_child("extract", paths=scans, content_type="application/pdf", repeat=1)
    _show("scanned page (OCR)", scanned, scanned["documents"], "page")
    text = run_child("extract", paths=[text_pdf], content_type="application/pdf", repeat=5)
    _show("text-layer PDF page", text, text["documents"] * text_pages, "page")
    note = run_child("extract", paths=notes[: args.notes], content_type="text/plain", repeat=1)
    _show("note", note, note["documents"], "note")
    small_size, large_size = args.report_sizes
    pdf_path = str(workdir / "report.pdf")
    small = run_child("report", documents=small_size, repeat=3, pdf_out=pdf_path)
    large = run_child("report", documents=large_size, repeat=3, pdf_out=None)
    for name, item in (("report", small), ("report", large)):
        _show(f"{name} of {item['documents']:,} documents", item, 1, "PDF")
    email = run_child("email", count=args.emails, pdf_path=pdf_path)
    email_cpu = email["cpu"] + email["database_cpu"]
    print(
        f"email: {email['cpu'] / email['emails'] * 1000:.2f} ms sender +"
        f" {email['database_cpu'] / email['emails'] * 1000:.2f} ms PostgreSQL backends"
        f" CPU per email, peak {email['peak_mb']:.0f} MB ({email['emails']} emails)"
    )
    fixed = run_child("run", documents=[[notes[0], "text/plain", "customer-0"]])
    print(
        f"run of a near-empty week (1 note, 2 scope PDFs, 0 emails): {fixed['cpu']:.2f} CPU-s,"
        f" {fixed['wall']:.1f} s wall, largest process {fixed['peak_mb']:.0f} MB, all"
        f" processes at once {fixed['tree_peak_mb']:.0f} MB",
        flush=True,
    )
    step_cpu, steps = step_overhead(args, fixed, text, text_pdf, text_pages, workdir)
    idle = run_child("idle", seconds=args.idle_seconds)
    print(
        f"always-on Dagster (webserver, daemon, code server) idling: {idle['rss_mb']:.0f} MB,"
        f" {idle['vcpu']:.3f} vCPU (over {args.idle_seconds} s)",
        flush=True,
    )
    per_document = (large["cpu"] - small["cpu"]) / (large_size - small_size)
    pdf_per_document = (large["pdf_bytes"] - small["pdf_bytes"]) / (large_size - small_size)
    figures = cost_model.Figures(
        scanned_page_cpu=scanned["cpu"] / scanned["documents"],
        text_page_cpu=text["cpu"] / (text["documents"] * text_pages),
        note_cpu=note["cpu"] / note["documents"],
        report_fixed_cpu=max(small["cpu"] - per_document * small_size, 0.0),
        report_per_document_cpu=per_document,
        email_cpu=email_cpu / email["emails"],
        run_fixed_cpu=fixed["cpu"],
        run_fixed_wall=fixed["wall"],
        step_cpu=step_cpu,
        idle_dagster_mb=idle["rss_mb"],
        idle_dagster_vcpu=idle["vcpu"],
        run_peak_tree_mb=fixed["tree_peak_mb"],
        step_peak_mb=max(scanned["peak_mb"], text["peak_mb"], note["peak_mb"]),
        report_peak_mb_per_1000=max(large["peak_mb"] - small["peak_mb"], 0.0)
        * 1000
        / (large_size - small_size),
        report_peak_base_mb=small["peak_mb"],
        scanned_page_cache_bytes=scanned["cache_bytes"],
        text_pdf_cache_bytes=text["cache_bytes"],
        note_cache_bytes=note["cache_bytes"],
        report_pdf_bytes_fixed=max(small["pdf_bytes"] - pdf_per_document * small_size, 0.0),
        report_pdf_bytes_per_document=pdf_per_document,
        email_bytes=email["email_bytes"],
    )
    raw.update(check_week(args, figures, scans, text_pdf, text_pages, notes, fixed["steps"]))
    raw["steps"] = {"near-empty week": fixed["steps"], "step run": steps}
    raw["peaks_mb"] = {
        "scanned page": scanned["peak_mb"],
        "text-layer page": text["peak_mb"],
        "note": note["peak_mb"],
        "report": large["peak_mb"],
        "email": email["peak_mb"],
        "run": fixed["peak_mb"],
    }
    raw["load_after"] = load_average()
    raw["measured_at"] = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    raw["machine"] = machine_info()
    raw["sizes"] = {
        "scanned_pages": scanned["documents"],
        "text_pages": text_pages,
        "text_repeat": text["documents"],
        "notes": note["documents"],
        "report_sizes": [small_size, large_size],
        "emails": email["emails"],
    }
    return figures, raw


def step_overhead(args, fixed, text, text_pdf, text_pages, workdir) -> tuple[float, int]:
    """CPU of one more batch step: copies of the text-layer PDF, one batch step each."""
    copies = []
    for number in range(args.step_documents):
        path = workdir / f"copy-{number:03d}.pdf"
        # Bytes after %%EOF change the hash (no cache hit), not what a reader sees.
        path.write_bytes(Path(text_pdf).read_bytes() + f"\n% copy {number}\n".encode())
        copies.append([str(path), "application/pdf", "customer-0"])
    run = run_child("run", documents=copies, batch_size=1)
    extraction = len(copies) * text_pages * text["cpu"] / (text["documents"] * text_pages)
    extra = max(run["steps"] - fixed["steps"], 1)
    step_cpu = max(run["cpu"] - fixed["cpu"] - extraction, 0.0) / extra
    print(
        f"batch steps: {len(copies)} text-layer PDFs in {run['steps']} steps vs"
        f" {fixed['steps']} for the near-empty week: {run['cpu']:.2f} CPU-s, i.e."
        f" {step_cpu:.2f} CPU-s per extra step ({run['wall']:.1f} s wall)",
        flush=True,
    )
    return step_cpu, run["steps"]


def check_week(args, figures, scans, text_pdf, text_pages, notes, fixed_steps) -> dict:
    """A small mixed week through the run path: measured vs predicted CPU."""
    customers = 3
    documents = [
        [path, "application/pdf", f"customer-{i % customers}"] for i, path in enumerate(scans)
    ]
    documents.append([text_pdf, "application/pdf", "customer-0"])
    documents += [
        [path, "text/plain", f"customer-{i % customers}"]
        for i, path in enumerate(notes[: args.check_notes])
    ]
    week = run_child("run", documents=documents)
    count = len(documents)
    predicted = (
        figures.run_fixed_cpu
        + len(scans) * figures.scanned_page_cpu
        + text_pages * figures.text_page_cpu
        + args.check_notes * figures.note_cpu
        + (week["scopes"] - 2) * figures.report_fixed_cpu  # the near-empty run had 2 PDFs
        + 2 * count * figures.report_per_document_cpu
        + (week["steps"] - fixed_steps) * figures.step_cpu
    )
    print(
        f"check week ({len(scans)} scanned pages, {text_pages} text-layer pages in one PDF,"
        f" {args.check_notes} notes, {week['scopes']} scope PDFs, {week['steps']} steps):"
        " measured"
        f" {week['cpu']:.2f} CPU-s ({week['wall']:.1f} s wall, all processes at once"
        f" {week['tree_peak_mb']:.0f} MB), the figures predict {predicted:.2f} CPU-s",
        flush=True,
    )
    return {"check_cpu": week["cpu"], "check_predicted": predicted, "check_wall": week["wall"]}


def _show(name: str, item: dict, units: int, unit: str) -> None:
    print(
        f"{name}: {item['cpu'] / units * 1000:.2f} ms CPU per {unit}, largest process"
        f" {item['peak_mb']:.0f} MB ({units} {unit}s)",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scanned-pages", type=int, default=4)
    parser.add_argument("--text-pages", type=int, default=20)
    parser.add_argument("--notes", type=int, default=300)
    parser.add_argument("--report-sizes", type=int, nargs=2, default=[200, 5000])
    parser.add_argument("--emails", type=int, default=300)
    parser.add_argument("--check-notes", type=int, default=200)
    parser.add_argument("--step-documents", type=int, default=8)
    parser.add_argument("--idle-seconds", type=int, default=60)
    parser.add_argument("--save-figures", type=Path, help="write the figures as JSON")
    parser.add_argument("--from-figures", type=Path, help="skip measuring: read this JSON")
    parser.add_argument("--write-costs", type=Path, help="write COSTS.md from the figures")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--arguments", default="{}", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(CHILDREN[args.child](**json.loads(args.arguments))))
        return
    if args.from_figures:
        saved = json.loads(args.from_figures.read_text())
        figures, raw = cost_model.Figures(**saved["figures"]), saved["raw"]
    else:
        print(machine_info(), flush=True)
        with tempfile.TemporaryDirectory(prefix="bench-cost-") as workdir:
            figures, raw = measure(args, Path(workdir))
        print(f"load average after: {raw['load_after']}")
    if args.save_figures:
        body = {"figures": dataclasses.asdict(figures), "raw": raw}
        args.save_figures.write_text(json.dumps(body, indent=1) + "\n")
    estimates = [cost_model.estimate(figures, mix) for mix in cost_model.MIXES]
    print("monthly estimate (USD, AWS us-east-1 list prices, see COSTS.md):")
    print("\n".join(cost_model.summary_table(estimates)))
    if args.write_costs:
        args.write_costs.write_text(cost_model.render_costs_md(figures, raw, estimates))
        print(f"wrote {args.write_costs}")
    print(f"ratio: {raw['check_cpu'] / raw['check_predicted']:.2f}")


if __name__ == "__main__":
    sys.path.insert(0, str(HERE))
    sys.path.insert(0, str(ROOT))
    main()
