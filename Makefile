# The softmax book. Every target bootstraps .venv itself from requirements.lock.
#   make book      build the HTML book into _build/html (executes notebooks, cache mode)
#   make book-student  the same book without the Solutions part, into _build/student/_build/html
#   make pdf       the book as one PDF (LaTeX, xelatex, stored outputs), _build/pdf/softmax-book.pdf
#   make pdf-student   the PDF without the Solutions part, _build/pdf/softmax-book-student.pdf
#   make test      run every test layer (library, notebooks, structure, book build, browser)
#   make execute   re-execute every notebook in place, refreshing stored outputs
#   make bench     time softmaxlab against scipy.special, print ratios
#   make serve     serve _build/html on http://127.0.0.1:8000
#   make workspace copy the exercises you do not have yet into workspace/ (never overwrites yours)
#   make progress  run your notebooks in workspace/ (on copies) and list which exercises pass
#   make lab       JupyterLab on workspace/ (made first), on 127.0.0.1:8888 or the next free port
#   make clean     remove builds and caches (never touches workspace/)

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
JB     := $(VENV)/bin/jupyter-book
STAMP  := $(VENV)/.installed-$(shell cat requirements.lock pyproject.toml | cksum | cut -d' ' -f1)
NOTEBOOKS := $(sort $(wildcard chapters/*.ipynb exercises/*.ipynb solutions/*.ipynb))
# make serve listens on PORT (default 8000); make lab on the first free port from PORT (default 8888).
LAB_PORT := $(if $(filter undefined,$(origin PORT)),8888,$(PORT))
PORT ?= 8000
TIMEOUT ?= 120

.PHONY: book book-student pdf pdf-student test execute bench serve clean lock workspace progress lab

# System programs pip cannot install. $(call require-program,DEBIAN-PACKAGE,PROGRAMS,NEEDED-BY[,HINT])
# goes on when one of PROGRAMS is installed; otherwise tools/require-program installs the Debian
# package with apt-get where that needs no password (as root, or with sudo -n), or stops with the
# exact command to run. A later need takes one line, e.g. $(call require-program,texlive-xetex,xelatex,make pdf).
require-program = tools/require-program --for "$(3)" $(if $(4),--hint "$(4)") $(1) $(2)

# The browser layer's Chromium: any of the names tests/test_book.py looks for. Not needed when
# SOFTMAXLAB_CHROMIUM names another browser, nor when the browser layer is skipped (outside CI).
CHROMIUM_PROGRAMS := chromium chromium-browser google-chrome google-chrome-stable /usr/bin/chromium
CHROMIUM_HINT := Or point SOFTMAXLAB_CHROMIUM at another Chromium binary; or run the other layers without the browser layer (never in CI): SOFTMAXLAB_SKIP_BROWSER=1 make test

# The PDF edition's Debian packages, each as PACKAGE=a program or file it installs: xelatex (its package
# depends on texlive-latex-extra, which Sphinx's LaTeX needs), latexmk, the rsfs and Zapf fonts,
# Latin Modern Math, FreeFont (text), DejaVu Sans Mono (code), poppler-utils (pdftotext, pdfimages and
# pdftoppm, which the PDF tests use). Not needed when the PDF layer is skipped (outside CI).
PDF_TOOLS := texlive-xetex=xelatex latexmk=latexmk \
  texlive-fonts-recommended=/usr/share/texlive/texmf-dist/fonts/tfm/public/rsfs/rsfs10.tfm \
  fonts-lmodern=/usr/share/texmf/fonts/opentype/public/lm-math/latinmodern-math.otf \
  fonts-freefont-otf=/usr/share/fonts/opentype/freefont/FreeSerif.otf \
  fonts-dejavu-core=/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf poppler-utils=pdftotext
PDF_HINT := The PDF edition needs these Debian packages (one install for all): $(foreach t,$(PDF_TOOLS),$(firstword $(subst =, ,$(t))))
PDF_TEST_HINT := $(PDF_HINT). Or run the other layers without the PDF layer (never in CI): SOFTMAXLAB_SKIP_PDF=1 make test
# $(call require-pdf-tools,NEEDED-BY,HINT): require-program for each of PDF_TOOLS, in order.
require-pdf-tools = $(foreach t,$(PDF_TOOLS),$(call require-program,$(firstword $(subst =, ,$(t))),$(lastword $(subst =, ,$(t))),$(1),$(2)) &&) :

$(STAMP):
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade "pip>=24"
	$(PY) -m pip install --quiet -r requirements.lock
	$(PY) -m pip install --quiet --no-deps -e .
	@rm -f $(VENV)/.installed-*
	@touch $@

book: $(STAMP)
	$(JB) build .
	@echo "Book built: $(CURDIR)/_build/html/index.html"

# The student edition: the same book without the Solutions part (config and toc derived from
# _config.yml and _toc.yml by _ext/student_edition.py; stored, nbval-checked outputs, no execution).
book-student: $(STAMP)
	$(PY) _ext/student_edition.py _build/student
	$(JB) build . --config _build/student/_config.yml --toc _build/student/_toc.yml --path-output _build/student
	@echo "Student edition built: $(CURDIR)/_build/student/_build/html/index.html"

# The PDF edition (_ext/pdf_edition.py): Jupyter Book's LaTeX builder over the stored outputs (no
# execution), then latexmk with xelatex; installs the TeX packages it lacks (require-pdf-tools).
pdf: $(STAMP)
	@$(call require-pdf-tools,make pdf,$(PDF_HINT))
	$(PY) _ext/pdf_edition.py full

# The PDF without the Solutions part (toc and config derived as for make book-student).
pdf-student: $(STAMP)
	@$(call require-pdf-tools,make pdf-student,$(PDF_HINT))
	$(PY) _ext/pdf_edition.py student

test: $(STAMP)
	@if [ -n "$$SOFTMAXLAB_CHROMIUM" ] || { [ "$$SOFTMAXLAB_SKIP_BROWSER" = 1 ] && [ -z "$$CI" ] \
	      && [ "$$SOFTMAXLAB_REQUIRE_BROWSER" != 1 ]; }; then :; \
	else $(call require-program,chromium,$(CHROMIUM_PROGRAMS),the browser layer of make test,$(CHROMIUM_HINT)); fi
	@if [ "$$SOFTMAXLAB_SKIP_PDF" = 1 ] && [ -z "$$CI" ] && [ "$$SOFTMAXLAB_REQUIRE_PDF" != 1 ]; then :; \
	else $(call require-pdf-tools,the PDF layer of make test,$(PDF_TEST_HINT)); fi
	$(PY) -m pytest -n 2 --dist loadscope

execute: $(STAMP)
	$(PY) tests/execute_notebooks.py $(NOTEBOOKS)

bench: $(STAMP)
	$(PY) benchmarks/bench_core.py

serve:
	@test -f _build/html/index.html || $(MAKE) book
	$(PYTHON) -m http.server $(PORT) --bind 127.0.0.1 --directory _build/html

# The reader's own copies of the exercises: workspace/ (git-ignored). Existing files are never
# overwritten or deleted, here or by any other target; new exercises from upstream are added.
workspace: $(STAMP)
	$(PY) -m softmaxlab.workspace --exercises exercises --workspace workspace

# Run every notebook of workspace/ on a temporary copy, fresh kernel each, TIMEOUT seconds each.
progress: $(STAMP)
	$(PY) -m softmaxlab.progress workspace --timeout $(TIMEOUT)

# JupyterLab on workspace/ (tools/lab.py): 127.0.0.1 only, a random token, no browser opened, the
# kernel is .venv's Python; its settings, layouts and runtime files stay in .venv/jupyter-state.
# Prints the URL with the token once the server answers; Ctrl+C stops it.
lab: $(STAMP)
	@$(MAKE) --no-print-directory workspace
	@$(PY) tools/lab.py workspace --port $(LAB_PORT)

clean:
	rm -rf _build .jupyter_cache .pytest_cache .hypothesis
	find . -name __pycache__ -not -path './.venv/*' -not -path './workspace/*' -prune -exec rm -rf {} +

lock:
	rm -rf /tmp/softmaxlab-lock && $(PYTHON) -m venv /tmp/softmaxlab-lock
	/tmp/softmaxlab-lock/bin/pip install --quiet ".[book,lab,test]"
	{ echo "# Exact versions of every dependency, so stored notebook outputs reproduce."; \
	  echo "# Regenerate with: make lock   (after changing pyproject.toml)"; \
	  /tmp/softmaxlab-lock/bin/pip freeze --exclude softmaxlab; } > requirements.lock

# Hypothesis explores 2,000 random examples per property test (those without their own
# max_examples) instead of CI's fixed 60; the book builds (HTML and PDF) are left out.
.PHONY: fuzz
fuzz: $(STAMP)
	SOFTMAXLAB_HYPOTHESIS_PROFILE=fuzz $(PY) -m pytest -q -n 2 -p no:cacheprovider tests -m "not browser" \
	  --ignore=tests/test_book.py --ignore=tests/test_student_edition.py --ignore=tests/test_pdf.py
