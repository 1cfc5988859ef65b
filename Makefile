.PHONY: run test lint typecheck bench openapi install

install:
	scripts/install.sh

run: install
	.venv/bin/xqbadges serve

test:
	scripts/test.sh

lint: install
	.venv/bin/ruff check .

typecheck: install
	.venv/bin/mypy

openapi: install
	.venv/bin/xqbadges openapi

bench: install
	.venv/bin/python bench/sign.py
	.venv/bin/python bench/awards.py
	.venv/bin/python bench/verify.py
	.venv/bin/python bench/clr.py
