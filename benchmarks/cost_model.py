"""Monthly cost from measured per-unit figures: the prices, the assumed mix, the arithmetic.

Pure functions and data only (no measuring, no I/O): `bench_cost.py` measures the figures
and calls `render_costs_md` to write COSTS.md, so the document always matches a run.
Change a price or an assumption here, then regenerate:

    .venv/bin/python benchmarks/bench_cost.py \
        --from-figures benchmarks/cost_figures.json --write-costs COSTS.md
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

PRICE_DATE = "mid-2024"  # when these list prices were known to the author; verify before quoting
REGION = "us-east-1"
HOURS_PER_MONTH = 730  # AWS's own monthly convention
WEEKS_PER_MONTH = 4.35  # 365.25 / 7 / 12
RETENTION_WEEKS = 57  # REPORT_PIPELINE_RETENTION_DAYS default 400 days


@dataclass(frozen=True)
class Price:
    value: float
    unit: str
    what: str


# One table of public list prices (AWS, us-east-1, on-demand, Linux).
PRICES: dict[str, Price] = {
    "fargate_vcpu_hour": Price(
        0.04048, "vCPU-hour", "ECS Fargate vCPU, Linux/x86, per second, 1 min minimum"
    ),
    "fargate_gb_hour": Price(0.004445, "GB-hour", "ECS Fargate memory"),
    "t3.medium": Price(0.0416, "hour", "EC2 t3.medium (2 vCPU, 4 GiB, burstable)"),
    "t3.large": Price(0.0832, "hour", "EC2 t3.large (2 vCPU, 8 GiB, burstable)"),
    "t3.xlarge": Price(0.1664, "hour", "EC2 t3.xlarge (4 vCPU, 16 GiB, burstable)"),
    "m6i.xlarge": Price(0.192, "hour", "EC2 m6i.xlarge (4 vCPU, 16 GiB)"),
    "m6i.2xlarge": Price(0.384, "hour", "EC2 m6i.2xlarge (8 vCPU, 32 GiB)"),
    "c6i.xlarge": Price(0.17, "hour", "EC2 c6i.xlarge (4 vCPU, 8 GiB), EKS step nodes"),
    "c6i.2xlarge": Price(0.34, "hour", "EC2 c6i.2xlarge (8 vCPU, 16 GiB)"),
    "t3_surplus_vcpu_hour": Price(0.05, "vCPU-hour", "t3 unlimited mode, CPU beyond the credits"),
    "ebs_gp3_gb_month": Price(0.08, "GB-month", "EBS gp3 volume"),
    "public_ipv4_hour": Price(0.005, "hour", "public IPv4 address (charged since 2024-02-01)"),
    "eks_cluster_hour": Price(0.10, "hour", "EKS control plane, standard support"),
    "alb_hour": Price(0.0225, "hour", "Application Load Balancer (plus LCUs, ~0 here)"),
    "rds_t4g_micro_hour": Price(0.016, "hour", "RDS PostgreSQL db.t4g.micro, single-AZ"),
    "rds_gp2_gb_month": Price(0.115, "GB-month", "RDS gp2 storage"),
    "s3_gb_month": Price(0.023, "GB-month", "S3 Standard storage, first 50 TB"),
    "s3_put_1000": Price(0.005, "1,000 requests", "S3 PUT, COPY, POST, LIST"),
    "s3_get_1000": Price(0.0004, "1,000 requests", "S3 GET, HEAD and other reads"),
    "ses_1000": Price(0.10, "1,000 emails", "SES outbound email"),
    "ses_attachment_gb": Price(0.12, "GB", "SES attachment data"),
    "transfer_out_gb": Price(
        0.09, "GB", "data transfer out to the internet, after 100 GB/month free"
    ),
    "ecr_gb_month": Price(0.10, "GB-month", "ECR image storage"),
}


@dataclass(frozen=True)
class Figures:
    """Per-unit costs measured on one machine (CPU-seconds, MB, bytes)."""

    scanned_page_cpu: float
    text_page_cpu: float
    note_cpu: float
    report_fixed_cpu: float  # one scope PDF, whatever its size
    report_per_document_cpu: float
    email_cpu: float  # sender process (+ database backend when measured)
    run_fixed_cpu: float  # a near-empty week through `report-pipeline run`
    run_fixed_wall: float
    step_cpu: float  # one more batch step of the run (process, Dagster events, hand-over)
    idle_dagster_mb: float  # webserver + daemon + code server, idle (the always-on shapes)
    idle_dagster_vcpu: float
    run_peak_tree_mb: float  # all processes of that run at once (sampled)
    step_peak_mb: float  # the largest extraction process (OCR)
    report_peak_mb_per_1000: float  # report process RSS growth per 1,000 documents
    report_peak_base_mb: float
    scanned_page_cache_bytes: float  # feature-cache JSON per document kind
    text_pdf_cache_bytes: float
    note_cache_bytes: float
    report_pdf_bytes_fixed: float
    report_pdf_bytes_per_document: float
    email_bytes: float  # one message with the PDF attached


@dataclass(frozen=True)
class Mix:
    """What a week of `documents` looks like (assumptions, stated in COSTS.md)."""

    documents: int
    customers: int
    note_share: float = 0.50
    text_pdf_share: float = 0.30
    scanned_share: float = 0.20  # scanned PDFs, faxes and page images
    text_pdf_pages: float = 3.0
    scanned_pages: float = 2.0
    subscribers_per_customer: int = 3
    subscribers_all: int = 5  # the operator's `all` report
    note_kb: float = 3.0  # bytes of the document itself (only for the optional storage line)
    text_pdf_kb: float = 150.0
    scanned_page_kb: float = 120.0

    @property
    def notes(self) -> float:
        return self.documents * self.note_share

    @property
    def text_pages(self) -> float:
        return self.documents * self.text_pdf_share * self.text_pdf_pages

    @property
    def scanned(self) -> float:
        return self.documents * self.scanned_share * self.scanned_pages

    @property
    def scopes(self) -> int:
        return self.customers + 1

    @property
    def emails(self) -> int:
        return self.customers * self.subscribers_per_customer + self.subscribers_all


MIXES = [Mix(1_000, customers=5), Mix(10_000, customers=20), Mix(100_000, customers=100)]

# Assumptions of the shapes (not measured here; see COSTS.md).
PARALLEL_EFFICIENCY = 0.9  # OCR over N processes vs N x one process (BENCHMARKS.md #1: ~0.94)
DEADLINE_HOURS = 6.0  # the schedule starts 06:00, the deadline alert fires at 12:00
ONE_SHOT_TARGET_HOURS = 2.0  # a one-shot task gets enough vCPUs to finish in this
# Beside the measured Dagster processes, compose runs PostgreSQL, Redis, a Celery worker,
# the API, oauth2-proxy and nginx: an estimate, not measured (no Docker here).
COMPOSE_OTHER_MB = 600
MEMORY_HEADROOM = 1.25
FARGATE_SHAPES = [(1, 2, 8), (2, 4, 16), (4, 8, 30), (8, 16, 60), (16, 32, 120)]  # vCPU, GB range
# name, vCPU, GiB, t3 credits earned per hour (0: not burstable)
VMS = [
    ("t3.medium", 2, 4, 24),
    ("t3.large", 2, 8, 36),
    ("t3.xlarge", 4, 16, 96),
    ("m6i.xlarge", 4, 16, 0),
    ("c6i.2xlarge", 8, 16, 0),
    ("m6i.2xlarge", 8, 32, 0),
]
VM_DISK_GB = 30
EKS_SYSTEM_NODE = "t3.medium"  # webserver, daemon, code server, API, oauth2-proxy
EKS_STEP_NODE = ("c6i.xlarge", 4, 8)
EKS_NODE_START_HOURS = 5 / 60  # a node's boot and image pull per run, billed
RDS_STORAGE_GB = 20
IMAGE_GB = 1.5
S3_GETS_PER_DOCUMENT = 4  # manifest hash, cache lookup in planning, lookup + read in the batch
S3_PUTS_PER_DOCUMENT = 1  # the feature cache entry
S3_PUTS_PER_SCOPE = 5  # PDF, versioned manifest, manifest, latest, summary
S3_GETS_PER_SCOPE = 12  # history: up to 11 earlier summaries, and the PDF for the emails
S3_REQUESTS_PER_RUN = 100  # week manifest, features, step hand-over, compute logs (PUT + GET)


@dataclass
class Line:
    shape: str
    item: str
    formula: str
    monthly: float


@dataclass
class Estimate:
    mix: Mix
    parts: dict[str, float]  # CPU-seconds of one week by part
    lines: list[Line] = field(default_factory=list)

    @property
    def weekly_cpu(self) -> float:
        return sum(self.parts.values())

    def total(self, shape: str) -> float:
        return sum(line.monthly for line in self.lines if line.shape in (shape, "shared"))


def price(name: str) -> float:
    return PRICES[name].value


def weekly_cpu(figures: Figures, mix: Mix) -> dict[str, float]:
    """CPU-seconds of one week by part; reports: every scope, `all` covers every document."""
    reports = (
        mix.scopes * figures.report_fixed_cpu + 2 * mix.documents * figures.report_per_document_cpu
    )
    return {
        "run": figures.run_fixed_cpu + (planned_steps(mix) - 1) * figures.step_cpu,
        "scanned pages": mix.scanned * figures.scanned_page_cpu,
        "text-layer pages": mix.text_pages * figures.text_page_cpu,
        "notes": mix.notes * figures.note_cpu,
        "reports": reports,
        "emails": mix.emails * figures.email_cpu,
    }


# The product's batch planning (pipeline/features.py, extraction/cost.py): work is
# estimated in scanned pages from sizes alone, a PDF as one page per 100 KiB, a note
# 0.002; one batch step per REPORT_PIPELINE_BATCH_SIZE (16) of it.
BATCH_SIZE = 16
PDF_PAGE_BYTES = 100 * 1024
NOTE_COST = 0.002


def planned_steps(mix: Mix) -> int:
    """Batch steps of a week (the near-empty week has one)."""
    cost = (
        mix.notes * NOTE_COST
        + mix.documents * mix.text_pdf_share * mix.text_pdf_kb * 1000 / PDF_PAGE_BYTES
        + mix.documents
        * mix.scanned_share
        * mix.scanned_pages
        * mix.scanned_page_kb
        * 1000
        / PDF_PAGE_BYTES
    )
    return max(1, math.ceil(cost / BATCH_SIZE))


def wall_hours(figures: Figures, cpu_seconds: float, vcpus: int) -> float:
    """The run's start-up, then the work spread over the vCPUs."""
    work = max(cpu_seconds - figures.run_fixed_cpu, 0.0)
    return (figures.run_fixed_wall + work / (vcpus * PARALLEL_EFFICIENCY)) / 3600


def peak_mb(figures: Figures, mix: Mix, slots: int) -> float:
    """The run's processes, one extraction process per slot, or the report step if larger."""
    extraction = figures.run_peak_tree_mb + slots * figures.step_peak_mb
    report = (
        figures.run_peak_tree_mb
        + figures.report_peak_base_mb
        + figures.report_peak_mb_per_1000 * mix.documents / 1000
    )
    return max(extraction, report) * MEMORY_HEADROOM


def fargate_shape(figures: Figures, mix: Mix, cpu_seconds: float) -> tuple[int, int, float]:
    """Fewest vCPUs that finish within ONE_SHOT_TARGET_HOURS; memory to fit, whole GB."""
    for vcpus, low, high in FARGATE_SHAPES:
        memory = max(low, math.ceil(peak_mb(figures, mix, vcpus) / 1024))
        hours = wall_hours(figures, cpu_seconds, vcpus)
        if memory <= high and (hours <= ONE_SHOT_TARGET_HOURS or vcpus == 16):
            return vcpus, memory, hours
    raise ValueError("no Fargate shape fits")


def pick_vm(figures: Figures, mix: Mix, cpu_seconds: float) -> tuple[str, int, int, int, float]:
    """The cheapest listed VM whose memory fits and whose CPUs finish within the deadline."""
    fits = []
    for name, vcpus, gib, credits in VMS:
        memory = figures.idle_dagster_mb + COMPOSE_OTHER_MB + peak_mb(figures, mix, vcpus)
        hours = wall_hours(figures, cpu_seconds, vcpus)
        if memory <= gib * 1024 and hours <= DEADLINE_HOURS:
            fits.append((price(name), name, vcpus, gib, credits, hours))
    if not fits:
        raise ValueError("no listed VM fits")
    _, name, vcpus, gib, credits, hours = min(fits)
    return name, vcpus, credits, gib, hours


def estimate(figures: Figures, mix: Mix) -> Estimate:
    result = Estimate(mix, weekly_cpu(figures, mix))
    cpu = result.weekly_cpu
    _shared_lines(result, figures, mix)
    _one_shot_lines(result, figures, mix, cpu)
    _compose_lines(result, figures, mix, cpu)
    _kubernetes_lines(result, figures, mix, cpu)
    return result


def _add(result: Estimate, shape: str, item: str, formula: str, monthly: float) -> None:
    result.lines.append(Line(shape, item, formula, monthly))


def _shared_lines(result: Estimate, figures: Figures, mix: Mix) -> None:
    """Costs every shape pays: S3 writes and reads, stored results, SES."""
    w = WEEKS_PER_MONTH
    gets = mix.documents * S3_GETS_PER_DOCUMENT + mix.scopes * S3_GETS_PER_SCOPE
    puts = mix.documents * S3_PUTS_PER_DOCUMENT + mix.scopes * S3_PUTS_PER_SCOPE
    gets += S3_REQUESTS_PER_RUN / 2
    puts += S3_REQUESTS_PER_RUN / 2
    _add(
        result,
        "shared",
        "S3 PUT",
        f"{puts:,.0f} per week x {w} x ${price('s3_put_1000')}/1,000",
        puts * w * price("s3_put_1000") / 1000,
    )
    _add(
        result,
        "shared",
        "S3 GET/HEAD",
        f"{gets:,.0f} per week x {w} x ${price('s3_get_1000')}/1,000",
        gets * w * price("s3_get_1000") / 1000,
    )
    cache = (
        mix.notes * figures.note_cache_bytes
        + mix.documents * mix.text_pdf_share * figures.text_pdf_cache_bytes
        + mix.documents * mix.scanned_share * figures.scanned_page_cache_bytes * mix.scanned_pages
    )
    pdfs = (
        mix.scopes * figures.report_pdf_bytes_fixed
        + 2 * mix.documents * figures.report_pdf_bytes_per_document
    )
    stored_gb = (cache + pdfs) * RETENTION_WEEKS / 1e9
    _add(
        result,
        "shared",
        "S3 storage (feature cache + report PDFs)",
        f"({cache / 1e6:,.1f} MB + {pdfs / 1e6:,.1f} MB) per week x {RETENTION_WEEKS} weeks"
        f" kept = {stored_gb:,.2f} GB x ${price('s3_gb_month')}",
        stored_gb * price("s3_gb_month"),
    )
    _add(
        result,
        "shared",
        "SES emails",
        f"{mix.emails:,} per week x {w} x ${price('ses_1000')}/1,000",
        mix.emails * w * price("ses_1000") / 1000,
    )
    attached_gb = mix.emails * w * figures.email_bytes / 1e9
    _add(
        result,
        "shared",
        "SES attachments",
        f"{mix.emails:,} x {figures.email_bytes / 1e3:,.0f} kB x {w} = {attached_gb:.3f} GB"
        f" x ${price('ses_attachment_gb')}",
        attached_gb * price("ses_attachment_gb"),
    )
    _add(
        result,
        "shared",
        "data transfer out",
        "UI/API use by a few operators, well under the 100 GB/month free",
        0.0,
    )
    _add(
        result,
        "shared",
        "ECR image",
        f"{IMAGE_GB} GB x ${price('ecr_gb_month')}",
        IMAGE_GB * price("ecr_gb_month"),
    )


def _rds_lines(result: Estimate, shape: str) -> None:
    hour, gb = price("rds_t4g_micro_hour"), price("rds_gp2_gb_month")
    _add(
        result,
        shape,
        "RDS PostgreSQL db.t4g.micro (Dagster instance + app database)",
        f"{HOURS_PER_MONTH} h x ${hour} + {RDS_STORAGE_GB} GB x ${gb}",
        HOURS_PER_MONTH * hour + RDS_STORAGE_GB * gb,
    )


def _one_shot_lines(result: Estimate, figures: Figures, mix: Mix, cpu: float) -> None:
    vcpus, memory, hours = fargate_shape(figures, mix, cpu)
    billed = max(hours, 1 / 60)
    rate = vcpus * price("fargate_vcpu_hour") + memory * price("fargate_gb_hour")
    _add(
        result,
        "one-shot",
        f"Fargate task {vcpus} vCPU / {memory} GB, {hours * 60:,.1f} min a week",
        f"{billed:.3f} h x ({vcpus} x ${price('fargate_vcpu_hour')} + {memory} x"
        f" ${price('fargate_gb_hour')}) x {WEEKS_PER_MONTH}",
        billed * rate * WEEKS_PER_MONTH,
    )
    _rds_lines(result, "one-shot")
    ipv4 = billed * WEEKS_PER_MONTH * price("public_ipv4_hour")
    _add(
        result,
        "one-shot",
        "public IPv4 of the task (public subnet, no NAT gateway)",
        f"{billed:.3f} h x {WEEKS_PER_MONTH} x ${price('public_ipv4_hour')}",
        ipv4,
    )


def _compose_lines(result: Estimate, figures: Figures, mix: Mix, cpu: float) -> None:
    name, vcpus, credits, gib, hours = pick_vm(figures, mix, cpu)
    _add(
        result,
        "compose",
        f"EC2 {name} ({vcpus} vCPU, {gib} GiB), always on; the week takes {hours:.1f} h",
        f"{HOURS_PER_MONTH} h x ${price(name)}",
        HOURS_PER_MONTH * price(name),
    )
    if credits:
        # A full balance is 24 h of earnings; the always-on processes' idle CPU is
        # spent from what is earned, during the run too.
        net = credits / 60 - figures.idle_dagster_vcpu
        free = max(net, 0.0) * (24 + hours)
        surplus = max(cpu / 3600 - free, 0.0)
        _add(
            result,
            "compose",
            "t3 CPU beyond the credit balance",
            f"max(0, {cpu / 3600:,.2f} vCPU-h - ({credits / 60:.2f} earned -"
            f" {figures.idle_dagster_vcpu:.3f} idle) vCPU x {24 + hours:.1f} h) x"
            f" ${price('t3_surplus_vcpu_hour')} x {WEEKS_PER_MONTH}",
            surplus * price("t3_surplus_vcpu_hour") * WEEKS_PER_MONTH,
        )
    _add(
        result,
        "compose",
        f"EBS gp3 {VM_DISK_GB} GB (PostgreSQL in compose, images, logs)",
        f"{VM_DISK_GB} GB x ${price('ebs_gp3_gb_month')}",
        VM_DISK_GB * price("ebs_gp3_gb_month"),
    )
    _add(
        result,
        "compose",
        "public IPv4 of the VM",
        f"{HOURS_PER_MONTH} h x ${price('public_ipv4_hour')}",
        HOURS_PER_MONTH * price("public_ipv4_hour"),
    )


def _kubernetes_lines(result: Estimate, figures: Figures, mix: Mix, cpu: float) -> None:
    hours = HOURS_PER_MONTH
    _add(
        result,
        "kubernetes",
        "EKS control plane",
        f"{hours} h x ${price('eks_cluster_hour')}",
        hours * price("eks_cluster_hour"),
    )
    system = EKS_SYSTEM_NODE
    _add(
        result,
        "kubernetes",
        f"system node {system} (webserver, daemon, code server, API) + 20 GB gp3 + IPv4",
        f"{hours} h x (${price(system)} + ${price('public_ipv4_hour')}) + 20 x"
        f" ${price('ebs_gp3_gb_month')}",
        hours * (price(system) + price("public_ipv4_hour")) + 20 * price("ebs_gp3_gb_month"),
    )
    node, node_vcpus, _ = EKS_STEP_NODE
    nodes = max(1, math.ceil(cpu / 3600 / PARALLEL_EFFICIENCY / node_vcpus / DEADLINE_HOURS))
    node_hours = cpu / 3600 / PARALLEL_EFFICIENCY / node_vcpus + nodes * EKS_NODE_START_HOURS
    _add(
        result,
        "kubernetes",
        f"step nodes {node} scaled from zero ({nodes} at a time) for the run's pods",
        f"({cpu / 3600:,.2f} vCPU-h / {PARALLEL_EFFICIENCY} / {node_vcpus} + {nodes} x"
        f" {EKS_NODE_START_HOURS:.3f} h start) x ${price(node)} x {WEEKS_PER_MONTH}",
        node_hours * price(node) * WEEKS_PER_MONTH,
    )
    _add(
        result,
        "kubernetes",
        "ALB for the UI and API ingress",
        f"{hours} h x ${price('alb_hour')}",
        hours * price("alb_hour"),
    )
    _rds_lines(result, "kubernetes")


SHAPES = [
    ("one-shot", "(a) one-shot: EventBridge Scheduler -> ECS Fargate task, weekly"),
    ("compose", "(b) always-on docker compose on one EC2 VM"),
    ("kubernetes", "(c) Kubernetes: EKS + the Helm chart"),
]


def summary_table(estimates: list[Estimate]) -> list[str]:
    head = "| documents a week | CPU per week | " + " | ".join(s for s, _ in SHAPES) + " |"
    rows = [head, "|---" * (2 + len(SHAPES)) + "|"]
    for item in estimates:
        totals = " | ".join(f"${item.total(shape):,.2f}" for shape, _ in SHAPES)
        rows.append(f"| {item.mix.documents:,} | {item.weekly_cpu / 3600:,.2f} CPU-h | {totals} |")
    return rows


def document_bytes_per_week(mix: Mix) -> float:
    """The documents themselves (only for the optional line: their bucket may be the customer's)."""
    return 1000 * (
        mix.notes * mix.note_kb
        + mix.documents * mix.text_pdf_share * mix.text_pdf_kb
        + mix.scanned * mix.scanned_page_kb
    )


def cheapest(item: Estimate) -> str:
    return min(SHAPES, key=lambda shape: item.total(shape[0]))[0]


def _load_caveat(raw: dict) -> str:
    """What the machine's load before the measurement means for the figures."""
    try:
        load = float(str(raw.get("load_before", "")).split()[0])
    except (IndexError, ValueError):
        return ""
    if load < 2.0:  # the benchmark itself keeps 2 vCPUs about this busy
        return ": nothing else was running"
    return (
        ": other work was running; CPU-seconds hold up under load far better than wall"
        " time, but shared caches and the hypervisor still inflate them somewhat, so these"
        " figures lean high"
    )


def render_costs_md(figures: Figures, raw: dict, estimates: list[Estimate]) -> str:
    """COSTS.md: every number below comes from `figures` and the tables in this module."""
    out = [
        "# What it costs",
        "",
        "<!-- Generated by benchmarks/bench_cost.py --write-costs COSTS.md; do not edit the"
        " numbers by hand: change prices or assumptions in benchmarks/cost_model.py and"
        " regenerate (`--from-figures benchmarks/cost_figures.json` skips measuring). -->",
        "",
        f"A monthly estimate for 1,000, 10,000 and 100,000 documents a week, from CPU-seconds"
        f" and memory **measured on one machine** ({raw.get('measured_at', '?')}, load average"
        f" {raw.get('load_before', '?')} before and {raw.get('load_after', '?')} after on 2"
        f" vCPUs{_load_caveat(raw)}) and AWS {REGION} public list prices. Every price is the"
        f" **list price as of {PRICE_DATE}, verify before quoting**. The customer's"
        " DocumentDB is theirs and is not in any sum.",
        "",
        f"`{raw.get('machine', '')}`",
        "",
        "## Monthly total (USD)",
        "",
        *summary_table(estimates),
        "",
        *_choice(estimates),
        "",
        "## Measured per unit (benchmarks/bench_cost.py)",
        "",
        *_figures_table(figures, raw),
        "",
        *_mix_table(estimates),
        "",
        "## Prices used",
        "",
        f"AWS public list prices, {REGION}, on-demand, Linux; list price as of {PRICE_DATE},"
        " verify before quoting (they change, and free tiers, Savings Plans or reserved"
        " instances lower them).",
        "",
        "| key | price | per | what |",
        "|---|---|---|---|",
        *[
            f"| `{key}` | ${item.value:g} | {item.unit} | {item.what} |"
            for key, item in PRICES.items()
        ],
        "",
        "## Line items: the arithmetic",
        "",
        f"A month is {WEEKS_PER_MONTH} weeks and {HOURS_PER_MONTH} hours. `shared` lines are"
        " paid by every shape and are included in each shape's total.",
        "",
    ]
    for item in estimates:
        out += [f"### {item.mix.documents:,} documents a week", ""]
        out += ["| shape | item | formula | USD / month |", "|---|---|---|---|"]
        out += [
            f"| {line.shape} | {line.item} | {line.formula} | {line.monthly:,.2f} |"
            for line in item.lines
        ]
        stored = document_bytes_per_week(item.mix) * RETENTION_WEEKS / 1e9
        out += [
            "",
            f"Not summed: if the documents' own bucket is billed to this deployment, add"
            f" {document_bytes_per_week(item.mix) / 1e9:,.2f} GB a week x {RETENTION_WEEKS}"
            f" weeks = {stored:,.1f} GB x ${price('s3_gb_month')} ="
            f" **${stored * price('s3_gb_month'):,.2f}** a month.",
            "",
        ]
    out += _assumptions(figures)
    return "\n".join(out) + "\n"


def _choice(estimates: list[Estimate]) -> list[str]:
    lines = ["Cheapest shape per size, by these figures:"]
    for item in estimates:
        best = cheapest(item)
        label = dict(SHAPES)[best]
        lines.append(
            f"- {item.mix.documents:,} documents a week: {label}, ${item.total(best):,.2f}"
            f" a month (its week needs {item.weekly_cpu / 3600:,.2f} CPU-hours)."
        )
    api = HOURS_PER_MONTH * (0.25 * price("fargate_vcpu_hour") + 0.5 * price("fargate_gb_hour"))
    rds = HOURS_PER_MONTH * price("rds_t4g_micro_hour") + RDS_STORAGE_GB * price("rds_gp2_gb_month")
    stopped = RDS_STORAGE_GB * price("rds_gp2_gb_month")
    stopped += ONE_SHOT_TARGET_HOURS * WEEKS_PER_MONTH * price("rds_t4g_micro_hour")
    lines += [
        "",
        f"In the one-shot shape compute is cents to a few dollars; the floor is the managed"
        f" PostgreSQL (${rds:,.2f}). Stopping the RDS instance between runs (the weekly job"
        f" starts it first and stops it after; a stopped instance restarts by itself after 7"
        f" days, so it must be stopped each week) leaves its storage and the run's hours:"
        f" {RDS_STORAGE_GB} GB x ${price('rds_gp2_gb_month')} + {ONE_SHOT_TARGET_HOURS:g} h x"
        f" {WEEKS_PER_MONTH} x ${price('rds_t4g_micro_hour')} = ${stopped:,.2f}, i.e."
        f" **${estimates[0].total('one-shot') - rds + stopped:,.2f}** a month at"
        f" {estimates[0].mix.documents:,} documents a week (not automated by this project).",
        "",
        "Which to pick:",
        "- **One-shot (a)** whenever the deployment exists for this report alone: compute is"
        " paid by the second for the hour or so a week needs, so the bill is the small"
        " managed PostgreSQL (Dagster instance + app database) plus S3 and SES. It gives up"
        " the sensors between runs and the deadline alert (the scheduler's own failure alarm"
        " replaces it), and the API (unsubscribe links, SES events, the UI) is not running"
        " between runs: if subscribers must be able to unsubscribe at any time, add an"
        " always-on API task, e.g. 0.25 vCPU / 0.5 GB on Fargate = 730 h x (0.25 x"
        f" ${price('fargate_vcpu_hour')} + 0.5 x ${price('fargate_gb_hour')}) = ${api:,.2f}"
        " a month.",
        "- **Compose on one VM (b)** when the always-on UI, sensors, API and deadline alert"
        " are wanted and one machine can do the week within the deadline: it is a flat"
        " price that grows only in steps of instance size; burstable t3 instances fit this"
        " workload (idle all week, one burst) as long as the burst stays within the credits.",
        "- **Kubernetes (c)** only where an EKS cluster already exists (then the control"
        " plane, the system node and the load balancer are shared and the marginal cost is"
        " the step nodes, which scale from zero for the run) or where the week must spread"
        " over many machines to meet the deadline; as a dedicated cluster it is the most"
        " expensive shape at every size here.",
    ]
    return lines


def _figures_table(figures: Figures, raw: dict) -> list[str]:
    sizes, peaks, steps = raw.get("sizes", {}), raw.get("peaks_mb", {}), raw.get("steps", {})
    ms = 1000
    report_sizes = " and ".join(f"{n:,}" for n in sizes.get("report_sizes", []))

    def peak(name: str) -> str:
        return f"{peaks[name]:.0f} MB" if name in peaks else ""

    rows = [
        (
            "scanned page (OCR)",
            f"{figures.scanned_page_cpu:.2f} CPU-s",
            f"{figures.step_peak_mb:.0f} MB",
            f"{sizes.get('scanned_pages', '?')} real manual pages, 200 dpi JPEG, one-page PDFs;"
            f" cache entry {figures.scanned_page_cache_bytes / 1000:.1f} kB",
        ),
        (
            "text-layer PDF page",
            f"{figures.text_page_cpu * ms:.2f} ms CPU",
            peak("text-layer page"),
            f"a PDF of {sizes.get('text_pages', '?')} real manual pages, read"
            f" {sizes.get('text_repeat', '?')} times; cache entry"
            f" {figures.text_pdf_cache_bytes / 1000:.1f} kB per PDF",
        ),
        (
            "note (text/plain)",
            f"{figures.note_cpu * ms:.2f} ms CPU",
            peak("note"),
            f"{sizes.get('notes', '?')} Faker clinical notes; cache entry"
            f" {figures.note_cache_bytes / 1000:.1f} kB",
        ),
        (
            "report (one scope PDF)",
            f"{figures.report_fixed_cpu:.3f} CPU-s + {figures.report_per_document_cpu * ms:.4f}"
            " ms per document",
            f"{figures.report_peak_base_mb:.0f} MB + {figures.report_peak_mb_per_1000:.1f} MB"
            " per 1,000 documents",
            f"publish_report at {report_sizes} documents, a straight line through both; PDF"
            f" {figures.report_pdf_bytes_fixed / 1000:.0f} kB +"
            f" {figures.report_pdf_bytes_per_document:.0f} B per document",
        ),
        (
            "email",
            f"{figures.email_cpu * ms:.2f} ms CPU",
            peak("email"),
            f"{sizes.get('emails', '?')} emails, sender + PostgreSQL backends; message"
            f" {figures.email_bytes / 1000:.0f} kB with the PDF attached",
        ),
        (
            "run (fixed)",
            f"{figures.run_fixed_cpu:.2f} CPU-s, {figures.run_fixed_wall:.1f} s wall",
            f"{figures.run_peak_tree_mb:.0f} MB all its processes at once; largest {peak('run')}",
            "`report-pipeline run` of a near-empty week (1 note): Dagster start-up, report and"
            " email runs, step processes, 2 scope PDFs; wall time is the loaded machine's",
        ),
        (
            "batch step (each one more)",
            f"{figures.step_cpu:.2f} CPU-s",
            "",
            f"a week of copies of the text-layer PDF with REPORT_PIPELINE_BATCH_SIZE=1"
            f" ({steps.get('step run', '?')} steps in all, the near-empty week"
            f" {steps.get('near-empty week', '?')}), minus the near-empty week and the pages'"
            " extraction; a week makes about (estimated pages / 16) batch steps",
        ),
        (
            "always-on Dagster, idle",
            f"{figures.idle_dagster_vcpu:.3f} vCPU all the time",
            f"{figures.idle_dagster_mb:.0f} MB (all its processes)",
            "`dagster dev`: webserver, daemon (schedule and sensors ticking), code server,"
            " once the webserver answers; the compose and Kubernetes shapes run these",
        ),
    ]
    table = [
        "Largest single process (ru_maxrss) unless said otherwise; CPU = user + sys of every"
        " process involved.",
        "",
        "| unit | CPU | peak memory | measured on |",
        "|---|---|---|---|",
    ]
    table += [f"| {a} | {b} | {c} | {d} |" for a, b, c, d in rows]
    if "check_cpu" in raw:
        table += [
            "",
            f"Check: a small mixed week (scanned pages, a text-layer PDF, notes, three"
            f" customers) through `report-pipeline run` measured {raw['check_cpu']:.2f} CPU-s;"
            f" the figures above predict {raw['check_predicted']:.2f} CPU-s for it (ratio"
            f" {raw['check_cpu'] / raw['check_predicted']:.2f}, the last line of the"
            " benchmark).",
        ]
    return table


def _mix_table(estimates: list[Estimate]) -> list[str]:
    mix = estimates[0].mix
    lines = [
        "## The assumed week",
        "",
        f"Documents: {mix.note_share:.0%} notes, {mix.text_pdf_share:.0%} PDFs with a text"
        f" layer ({mix.text_pdf_pages:g} pages each), {mix.scanned_share:.0%} scanned"
        f" (scanned PDFs, faxes, page images; {mix.scanned_pages:g} pages each, every page"
        f" OCR'd); {mix.subscribers_per_customer} subscribers per customer plus"
        f" {mix.subscribers_all} for the `all` report, one email per subscriber and week."
        f" All documents are new each week (no feature-cache hits).",
        "",
        "| documents a week | customers (scope PDFs) | scanned pages | text-layer pages | notes"
        " | batch steps | CPU-s: run + steps / OCR / text pages / notes / reports / emails"
        " | total |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for item in estimates:
        m = item.mix
        parts = " / ".join(f"{value:,.0f}" for value in item.parts.values())
        lines.append(
            f"| {m.documents:,} | {m.customers} ({m.scopes}) | {m.scanned:,.0f} |"
            f" {m.text_pages:,.0f} | {m.notes:,.0f} | {m.emails:,} | {planned_steps(m):,} |"
            f" {parts} |"
            f" {item.weekly_cpu:,.0f} CPU-s = {item.weekly_cpu / 3600:,.2f} CPU-h |"
        )
    return lines


def _assumptions(figures: Figures) -> list[str]:
    return [
        "## Assumptions and what is left out",
        "",
        f"- Work spreads over the vCPUs at {PARALLEL_EFFICIENCY:.0%} efficiency (one OCR"
        " process per core, BENCHMARKS.md #1). A run must finish within"
        f" {DEADLINE_HOURS:g} h (schedule 06:00, deadline alert 12:00); the one-shot task gets"
        f" the fewest vCPUs that finish in {ONE_SHOT_TARGET_HOURS:g} h.",
        f"- Memory: the measured run tree plus one extraction process per vCPU (or the report"
        f" step, if larger), x {MEMORY_HEADROOM}. Compose adds the always-on Dagster processes"
        f" (webserver, daemon, code server: {figures.idle_dagster_mb:,.0f} MB measured idle)"
        f" and {COMPOSE_OTHER_MB:,} MB for PostgreSQL, Redis, a Celery worker, the API,"
        " oauth2-proxy and nginx (an estimate: not measured here, no Docker on this machine).",
        "- t3 instances run in unlimited mode: a full credit balance is 24 hours of earned"
        " credits, refilled during the idle week; the always-on Dagster processes spend"
        f" {figures.idle_dagster_vcpu:.3f} vCPU of them all the time (measured idle, the"
        " daemon's sensor ticks); CPU beyond the balance is billed per vCPU-hour.",
        f"- S3 requests per new document: {S3_GETS_PER_DOCUMENT} reads (manifest hash, cache"
        f" lookups, the bytes) and {S3_PUTS_PER_DOCUMENT} write (cache entry); per scope"
        f" {S3_PUTS_PER_SCOPE} writes and {S3_GETS_PER_SCOPE} reads; {S3_REQUESTS_PER_RUN}"
        " more per run (manifests, step hand-over, compute logs). Counted from the code, not"
        " measured. Feature cache and report PDFs are kept for the retention period"
        f" ({RETENTION_WEEKS} weeks = REPORT_PIPELINE_RETENTION_DAYS 400).",
        "- The one-shot task and the VM sit in a public subnet (public IPv4, no NAT gateway)."
        " A NAT gateway would add 730 h x $0.045 = $32.85 a month plus $0.045/GB (list price"
        f" as of {PRICE_DATE}, verify before quoting); VPC endpoints for S3 (gateway, free)"
        " avoid most of its traffic.",
        "- Not in the sums: the customer's DocumentDB; the documents' own storage (see the"
        " line under each size); CloudWatch logs and alarms (cents at these volumes);"
        " KMS keys ($1 a key-month) when SSE-KMS is used; Secrets Manager ($0.40 a secret-month)"
        " if secrets are kept there; backups beyond RDS's free automated ones; support plans;"
        " taxes; free tiers.",
        f"- Batch steps: the product plans a week's work in scanned-page units from sizes"
        f" alone (a PDF one per {PDF_PAGE_BYTES // 1024} KiB, a note {NOTE_COST}) and makes"
        f" one batch step per {BATCH_SIZE} of them (REPORT_PIPELINE_BATCH_SIZE); each step"
        " beyond the near-empty week's one costs the measured step CPU.",
        "- The scanned-page figure comes from dense pages of software manuals (500+ words);"
        " a 300-word page costs about 0.9 CPU-s (BENCHMARKS.md #1), so a clinic's letters and"
        " forms likely cost less. The run's wall time was measured on the loaded machine;"
        " it only matters for the per-second Fargate bill, where it is cents.",
        "- Emails carry the PDF (SES attachment charge); with link-only delivery that line"
        " drops to zero and the API must be reachable for the links.",
        "- The fixed cost of a run is a near-empty week (its two small reports included, so"
        " reports are counted slightly twice); SES accepts the messages, so the SMTP sink's"
        " CPU is not counted, the PostgreSQL backends' is.",
    ]
