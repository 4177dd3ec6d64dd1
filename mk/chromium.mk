# mk/chromium.mk — Debian's Chromium for the report's browser test (internal/report opens the
# reconciliation report in real headless Chromium through chromedp). Included by the Makefile.

CHROMIUM_BIN := /usr/bin/chromium

.PHONY: chromium

## chromium: install Debian's chromium package when /usr/bin/chromium is missing (once; sudo
## only when not root). The browser test skips without it unless LEDGERBRIDGE_REQUIRE_TOOLS=1.
chromium:
	@if [ -x "$(CHROMIUM_BIN)" ]; then \
		echo "chromium: $(CHROMIUM_BIN) is installed ($$($(CHROMIUM_BIN) --version 2>/dev/null || echo 'version unknown'))"; \
	else \
		if [ "$$(id -u)" = 0 ]; then sudo=""; \
		elif command -v sudo >/dev/null 2>&1; then sudo="sudo"; \
		else echo "chromium: $(CHROMIUM_BIN) is missing and this user is not root and has no sudo: install Debian's chromium package" >&2; exit 1; fi; \
		echo "chromium: $(CHROMIUM_BIN) is missing; installing Debian's chromium: $${sudo:+$$sudo }apt-get update && $${sudo:+$$sudo }apt-get install -y --no-install-recommends chromium"; \
		$$sudo apt-get update && $$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium || exit 1; \
		echo "chromium: installed $$($(CHROMIUM_BIN) --version 2>/dev/null)"; \
	fi

# make test runs the browser test with LEDGERBRIDGE_REQUIRE_TOOLS=1: chromium must be there first.
test: chromium
