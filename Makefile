.PHONY: run test lint typecheck bench openapi install install-dev conformance

install:
	scripts/install.sh

install-dev:
	scripts/install.sh dev

run: install
	.venv/bin/xqbadges serve

test:
	scripts/test.sh

lint: install-dev
	.venv/bin/ruff check .

typecheck: install-dev
	.venv/bin/mypy

openapi: install
	.venv/bin/xqbadges openapi

bench: install
	.venv/bin/python bench/sign.py
	.venv/bin/python bench/awards.py
	.venv/bin/python bench/verify.py
	.venv/bin/python bench/clr.py

# The W3C conformance suites against a fresh local service: make conformance [XQB_CONFORMANCE_DIR=...]
conformance: install
	scripts/conformance.sh $(XQB_CONFORMANCE_DIR)
