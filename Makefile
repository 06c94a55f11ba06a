# Two commands on a fresh Debian/Ubuntu machine with Python 3.11+: `make demo`, `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export REPORT_PIPELINE_HOME ?= $(CURDIR)/var
export DAGSTER_HOME ?= $(REPORT_PIPELINE_HOME)/dagster
PYTEST_ARGS ?=

.PHONY: install tesseract pdf-tools bench-corpus test-services dagster-home demo lint docs test test-fast ui validate bench clean

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test]'
	touch $@

# Tesseract comes from apt; installed automatically when we are root or have passwordless sudo.
# OCR languages: REPORT_PIPELINE_OCR_LANGUAGES ("eng", "eng+deu"); osd finds turned pages.
comma := ,
OCR_LANGUAGES := $(subst +, ,$(subst $(comma), ,$(or $(REPORT_PIPELINE_OCR_LANGUAGES),eng)))
TESSERACT_PACKAGES := tesseract-ocr tesseract-ocr-osd \
	$(foreach lang,$(OCR_LANGUAGES),tesseract-ocr-$(subst _,-,$(lang)))
# Debian packages that ship the PDFs of the real-page OCR benchmark, and poppler to render them.
BENCH_PACKAGES := poppler-utils bzip2-doc libtasn1-doc

# Installs what is missing (dpkg -s), as root or through passwordless sudo.
define apt_install
	@missing=; for p in $(1); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	[ -z "$$missing" ] || { \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; \
	  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then SUDO=sudo; \
	  else echo "missing:$$missing: run 'sudo apt-get install -y$$missing'" >&2; exit 1; fi; \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq $$missing >/dev/null; }
endef

tesseract:
	$(call apt_install,$(TESSERACT_PACKAGES))

bench-corpus:
	$(call apt_install,$(BENCH_PACKAGES))

# pdftoppm (poppler-utils) is the raw baseline of the PDF benchmark; the product uses pypdfium2.
pdf-tools:
	@command -v pdftoppm >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; \
	  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then SUDO=sudo; \
	  else echo "pdftoppm is missing: run 'sudo apt-get install -y poppler-utils'" >&2; exit 1; fi; \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq poppler-utils >/dev/null; }

# The tests start a throwaway PostgreSQL and Redis when none answers; they need the binaries.
test-services:
	@{ command -v redis-server >/dev/null 2>&1 && ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; } || { \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; \
	  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then SUDO=sudo; \
	  else echo "missing: run 'sudo apt-get install -y redis-server postgresql'" >&2; exit 1; fi; \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq redis-server postgresql >/dev/null; }

dagster-home: $(DAGSTER_HOME)/dagster.yaml

$(DAGSTER_HOME)/dagster.yaml: dagster.yaml
	mkdir -p $(DAGSTER_HOME)
	cp dagster.yaml $@

demo: install tesseract dagster-home
	$(BIN)/report-pipeline demo

LINTED := report_pipeline report_pipeline_tests benchmarks

# Style (ruff lint + format check) and the layer contracts: domain code never imports Dagster
# (lint-imports) and never fetches settings itself (tooling/layers.py).
lint: install
	$(BIN)/ruff check $(LINTED)
	$(BIN)/ruff format --check $(LINTED)
	$(BIN)/lint-imports
	$(BIN)/python -m report_pipeline.tooling.layers

# The whole suite: the CI command. The real-page OCR tests need the bench corpus.
test: lint tesseract test-services bench-corpus
	$(BIN)/python -m pytest -n 2 $(PYTEST_ARGS)

# The edit loop: unit and fast integration tests only, in parallel.
test-fast: install
	$(BIN)/python -m pytest -m "not slow" -n auto -q $(PYTEST_ARGS)

validate: install
	$(BIN)/dagster definitions validate -w workspace.yaml

# The stores first: `dagster dev` creates a fresh DAGSTER_HOME's storage without the
# lock a `report-pipeline` command started at the same time (cron) takes.
ui: install tesseract dagster-home
	$(BIN)/report-pipeline instance prepare
	$(BIN)/dagster dev -w workspace.yaml

# Small defaults (a few minutes); larger sizes through the scripts' options, see BENCHMARKS.md.
bench: install tesseract pdf-tools bench-corpus
	$(BIN)/python benchmarks/bench_ocr_throughput.py --pages $(or $(PAGES),96)
	$(BIN)/python benchmarks/bench_pdf_pages.py --pages 8 --pages-per-pdf 2
	$(BIN)/python benchmarks/bench_ocr_real_pages.py --pages 3
	$(BIN)/python benchmarks/bench_hard_scans.py --pages 4
	$(BIN)/python benchmarks/bench_mixed_week.py --text-pages 30 --scanned-pages 8 --photos 4 --notes 30
	$(BIN)/python benchmarks/bench_pdf_memory.py --pages 500 --page-height 1.5
	$(BIN)/python benchmarks/bench_pdf_memory.py --pages 60 --page-height 11 --scan-dpi 300
	$(BIN)/python benchmarks/bench_week.py --measure cold --images 20 --texts 20
	$(BIN)/python benchmarks/bench_week.py --measure warm --images 20 --texts 20
	$(BIN)/python benchmarks/bench_week.py --measure memory --images 10 --texts 2000
	$(BIN)/python benchmarks/bench_read_ahead.py --measure latency --texts 200 --scanned 14
	$(BIN)/python benchmarks/bench_read_ahead.py --measure cpu --texts 300 --scanned 14 --instance postgres
	$(BIN)/python benchmarks/bench_read_ahead.py --measure cpu --texts 300 --scanned 14 --instance sqlite
	$(BIN)/python benchmarks/bench_read_ahead.py --measure big --texts 5000
	$(BIN)/python benchmarks/bench_report_render.py --documents 10000 --repeat 3
	$(BIN)/python benchmarks/bench_report_scopes.py --documents 2000 --customers 10 --repeat 1
	$(BIN)/python benchmarks/bench_feature_memory.py --sizes 1000 2000 --large-every 500 --large-mb 20
	$(BIN)/python benchmarks/bench_email_delivery.py --recipients 1000 --rounds 3
	$(BIN)/python benchmarks/bench_sender_workers.py --messages 400 --rounds 1 --limited 2000 --rate 50 --stores redis
	$(BIN)/python benchmarks/bench_registered_users.py --rows 100000 --repeat 30
	$(BIN)/python benchmarks/bench_classifier_training.py --documents 5000 --holdout 1000
	$(BIN)/python benchmarks/bench_cost.py --scanned-pages 4 --notes 300 --emails 300
	$(BIN)/python benchmarks/bench_classification.py --documents 200
	$(BIN)/python benchmarks/bench_classification.py --set dev --dev 200

clean:
	rm -rf var

docs: install
	$(BIN)/python -m report_pipeline.tooling.config_docs
