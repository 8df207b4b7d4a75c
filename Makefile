# The two commands: `make run` and `make test`. Both work on a fresh machine with Python 3.11.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat requirements/base.txt requirements/dev.txt | cksum | cut -d' ' -f1)

.PHONY: install run test migrate demo bench clean messages

$(STAMP): requirements/base.txt requirements/dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --disable-pip-version-check -q -r requirements/dev.txt
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

install: $(STAMP)

migrate: install
	mkdir -p var
	$(BIN)/python manage.py migrate --noinput -v0

demo: migrate
	$(BIN)/python manage.py load_demo

run: demo
	@echo "Serving on http://127.0.0.1:8000 (Ctrl-C to stop)"
	$(BIN)/python manage.py runserver 127.0.0.1:8000

test: install
	mkdir -p var
	$(BIN)/python -m pytest

bench: migrate
	$(BIN)/python manage.py bench_tree

# Needs GNU gettext (msgfmt); the compiled catalogue is committed so nobody else does.
messages: install
	$(BIN)/python manage.py makemessages -l zh_Hans --no-obsolete --no-location -i ".venv/*" -i "var/*" -i "tests/*"
	$(BIN)/python manage.py compilemessages -l zh_Hans

clean:
	rm -rf $(VENV) var .pytest_cache
