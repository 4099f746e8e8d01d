# The two commands a fresh machine needs: `make run` and `make test`.
# Everything they need is installed here, so a new clone works as it is.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | sha1sum | cut -c1-12)

.PHONY: run test bench lint clean system-packages

# Debian packages the tests need (the browser tests drive Debian's Chromium: Playwright
# cannot download its own here). One apt-get line for all of them, run only when one is
# missing, so a machine that has them needs neither root nor the network.
SYSTEM_PACKAGES := chromium
# The storage tests start their own PostgreSQL (initdb and pg_ctl from Debian's
# /usr/lib/postgresql/*/bin) and redis-server on free ports of 127.0.0.1.
SYSTEM_PACKAGES += postgresql redis-server
# The web terminal runs kubectl in a bubblewrap sandbox (clusterviz/dashboard/kubectlsandbox.py).
SYSTEM_PACKAGES += bubblewrap
# Hangul for the Korean pages' screenshots (tests/browser/test_i18n_pages.py), and gettext's
# msgfmt/xgettext for `manage.py makemessages`/`compilemessages` (docs/contributing.md).
SYSTEM_PACKAGES += fonts-noto-cjk gettext

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test]'
	rm -f $(VENV)/.installed-* && touch $@

system-packages:
	@missing=""; for p in $(SYSTEM_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(SYSTEM_PACKAGES); \
	fi

# Three workers on two cores: most of the suite waits (on kubectl, daphne, Chromium, the
# cluster's clock), not computes. A file stays on one worker (--dist loadfile), so its
# module-scoped clusters are built once; each worker starts its own daphne, PostgreSQL and
# Redis on free ports. TEST_WORKERS=0 runs it in one process.
TEST_WORKERS ?= 3

test: $(STAMP) system-packages
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -q -n $(TEST_WORKERS) --dist loadfile

bench: $(STAMP)
	$(BIN)/python -m bench
	$(BIN)/python -m bench.api
	$(BIN)/python -m bench.history
	$(BIN)/python -m bench.dashboard
	$(BIN)/python -m bench.hostile
	$(BIN)/python -m bench.save
	$(BIN)/python -m bench.room
	$(BIN)/python -m bench.classroom

lint: $(STAMP)
	$(BIN)/ruff check .

# HOST=0.0.0.0 serves the room's network: the pages on http://<this machine>:PORT/, the
# Kubernetes API (kubectl) on https://<this machine>:TLS_PORT/ with a local CA's certificate
# for every name and address of the machine (more names: TLS_NAMES=class.local,10.0.0.5).
HOST := 127.0.0.1
PORT ?= 8000
TLS_PORT ?= $(shell expr $(PORT) + 443)
TLS_NAMES ?=
TLS_DIR := $(CURDIR)/$(VENV)/tls
# one file per port: two servers from one checkout keep their own
KUBECONFIG_FILE := $(CURDIR)/$(VENV)/kubeconfig-$(PORT)

# daphne through clusterviz/serve.py: the same, plus a deadline for request headers
# (--header-timeout, 20 s) so slow clients cannot hold connections.
run: export CLUSTERVIZ_BIND := $(HOST)
run: export CLUSTERVIZ_TLS_PORT := $(TLS_PORT)
run: export CLUSTERVIZ_TLS_NAMES := $(TLS_NAMES)
run: export CLUSTERVIZ_TLS_DIR := $(TLS_DIR)
run: $(STAMP)
	$(BIN)/python manage.py migrate --noinput -v0
	$(BIN)/python manage.py ensure_teacher
	$(BIN)/python manage.py ensure_cluster lecture
	$(BIN)/python manage.py ensure_tls --port $(PORT)
	$(BIN)/python manage.py kubeconfig lecture -o $(KUBECONFIG_FILE)
	@echo ""
	@echo "Use the bundled kubectl from another shell in this folder:"
	@echo "    export KUBECONFIG=$(KUBECONFIG_FILE) PATH=$(CURDIR)/$(BIN):\$$PATH"
	@echo "    kubectl get nodes -o wide"
	@echo ""
	$(BIN)/python -m clusterviz.serve -b $(HOST) -p $(PORT) \
	  -e ssl:port=$(TLS_PORT):interface=$(HOST):privateKey=$(TLS_DIR)/server.key:certKey=$(TLS_DIR)/server.crt \
	  clusterviz.asgi:application

clean:
	rm -rf $(VENV)
