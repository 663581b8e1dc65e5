# Court-annexed mediation platform. `make run` and `make test` are all a new machine needs.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
# Reinstalled whenever the declared pins or the locked ones change.
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml requirements.lock | sha1sum | cut -c1-12)

PG_URL ?= postgresql://postgres@127.0.0.1:5432
AMQP_URL ?= amqp://guest:guest@127.0.0.1:5672/
DISTRIBUTED_ENV = BUS_URL=$${BUS_URL:-$(AMQP_URL)} \
	INTAKE_DATABASE_URL=$${INTAKE_DATABASE_URL:-$(PG_URL)/courtmed_intake} \
	ROUTING_DATABASE_URL=$${ROUTING_DATABASE_URL:-$(PG_URL)/courtmed_routing} \
	MEDIATION_DATABASE_URL=$${MEDIATION_DATABASE_URL:-$(PG_URL)/courtmed_mediation} \
	NOTIFY_DATABASE_URL=$${NOTIFY_DATABASE_URL:-$(PG_URL)/courtmed_notify}

.PHONY: help install lock run run-distributed migrate seed lint test test-unit bench chaos mutation token clean browser k8s-validate ops-tools

help:
	@echo "make run               all four services in one process on :8000 (SQLite, in-process bus, demo data)"
	@echo "make test              the whole test suite (unit, integration on PostgreSQL/RabbitMQ, end-to-end), after make lint"
	@echo "make lint              ruff and mypy over services/, shared/ and composition/ (the first step of make test)"
	@echo "make run-distributed   four processes on RabbitMQ and PostgreSQL (:8001-:8004)"
	@echo "make lock              requirements.lock from pyproject.toml, after changing a dependency (LOCK_ARGS=--upgrade moves every pin)"
	@echo "make token ROLE=clerk COURT=370202 | ROLE=partner PARTNER=P12 | ROLE=mediator PARTNER=P12 MEDIATOR=P12-M01 | ROLE=ops | ROLE=bureau"
	@echo "make k8s-validate      render deploy/k8s/overlays/{dev,prod} and validate every object; promtool on the alert rules (make test runs it)"
	@echo "make bench             the whole platform under wrk, routing and intake benchmarks; writes docs/BENCHMARKS.md (BENCH_ARGS=--quick for a short run)"
	@echo "make mutation          mutation testing of the outbox, inbox, numbering, routing, deadline and webhook rules; writes docs/TESTING.md"
	@echo "make chaos             50 cases/s on make run-distributed while broker, database, each service and a partner fail in turn; writes docs/RELIABILITY.md"

# The locked versions first, every transitive dependency included; then the project itself, which
# must bring nothing more (tests/unit/test_lockfile.py: pyproject's pins are the lock's).
$(STAMP): pyproject.toml requirements.lock
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@$(PY) -m pip install --quiet --upgrade pip >&2
	@$(PY) -m pip install --quiet -r requirements.lock >&2
	@$(PY) -m pip install --quiet --no-deps -e '.[dev]' >&2
	@rm -f $(VENV)/.installed-*; touch $(STAMP)

install: $(STAMP)

# uv keeps every pin the lock already has unless pyproject.toml asks for another (LOCK_ARGS=--upgrade:
# the newest each may be).
lock: $(STAMP)
	$(VENV)/bin/uv pip compile pyproject.toml --extra dev --python-version 3.11 --no-header --quiet $(LOCK_ARGS) -o requirements.lock
	@sed -i '1i # Every dependency of courtmed pinned, transitive ones included, for Python 3.11: what make run and\n# make test install. Regenerate it with `make lock` after changing pyproject.toml (uv pip compile).' requirements.lock

migrate: $(STAMP)
	$(PY) -m composition.migrate

seed: $(STAMP)
	$(PY) -m composition.seed

run: $(STAMP)
	$(PY) -m composition.devrun

run-distributed: $(STAMP)
	$(DISTRIBUTED_ENV) $(PY) -m composition.distributed

# Static checks, the first step of make test: ruff (style, imports, likely bugs), then mypy (its files
# and settings are pyproject.toml's [tool.mypy]).
lint: $(STAMP)
	$(PY) -m ruff check services shared composition
	$(PY) -m mypy

test: $(STAMP) lint browser k8s-validate
	$(PY) -m pytest -q -p no:cacheprovider $(PYTEST_ARGS)

# Both Kubernetes overlays rendered and validated (schemas of every kind, the operators' CRDs
# included; references; Pod Security), and the alert rules through promtool (deploy/k8s/validate.py,
# tests/integration/ops/). kubectl renders the kustomizations: it comes with this kind of machine
# (its apt source), promtool with Debian's prometheus package.
k8s-validate: $(STAMP) ops-tools
	$(PY) deploy/k8s/validate.py deploy/k8s/overlays/dev deploy/k8s/overlays/prod
	@rm -rf var/promtool && mkdir -p var/promtool
	@$(PY) -c "import yaml; spec = yaml.safe_load(open('deploy/k8s/base/monitoring/prometheusrule.yaml'))['spec']; yaml.safe_dump(spec, open('var/promtool/rules.yaml', 'w'))"
	@cp deploy/k8s/base/monitoring/alerts.test.yaml var/promtool/
	cd var/promtool && promtool check rules rules.yaml && promtool test rules alerts.test.yaml

ops-tools:
	@command -v promtool >/dev/null || (apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends prometheus)
	@command -v kubectl >/dev/null || (apt-get update && apt-get install -y kubectl) \
		|| (echo "kubectl is needed to render deploy/k8s (kubectl kustomize)" >&2; exit 1)

# The browser tests drive Debian's Chromium (Playwright never downloads a browser of its own here);
# a CJK font so that the screenshots under var/screenshots/ are readable. A no-op when present.
browser:
	@command -v chromium >/dev/null && command -v chromedriver >/dev/null && fc-list | grep -qi "wqy-microhei" \
		|| (apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium chromium-driver fonts-wqy-microhei)

test-unit: $(STAMP)
	$(PY) -m pytest -q -p no:cacheprovider tests/unit

# The platform benchmark drives intake with wrk: installed from Debian's packages when missing.
bench: $(STAMP)
	@command -v wrk >/dev/null || (apt-get update && apt-get install -y wrk)
	$(PY) -m bench.run $(BENCH_ARGS)

# The chaos drill (bench/chaos.py): the servers are shared, so faults go through TCP proxies of its own.
chaos: $(STAMP)
	@command -v wrk >/dev/null || (apt-get update && apt-get install -y wrk)
	$(PY) -m bench.chaos $(CHAOS_ARGS)

# Mutation testing (mutmut) of the modules that carry a promise, each against the tests that cover
# it, in copies of the tree under var/mutation; writes the scores and survivors to docs/TESTING.md.
mutation: $(STAMP)
	$(PY) tools/mutation.py $(MUTATION_ARGS)

token: $(STAMP)
	@$(PY) -m composition.token --role "$(ROLE)" $(if $(COURT),--court "$(COURT)") $(if $(PARTNER),--partner "$(PARTNER)") $(if $(MEDIATOR),--mediator "$(MEDIATOR)")

clean:
	rm -rf var .pytest_cache
