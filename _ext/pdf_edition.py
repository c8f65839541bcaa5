"""The PDF edition (``make pdf``, ``make pdf-student``): the book through LaTeX and xelatex.

Two jobs, one file, as in ``student_edition.py``:

1. Run as a script, it builds a PDF:

       python _ext/pdf_edition.py full       # -> _build/pdf/softmax-book.pdf
       python _ext/pdf_edition.py student    # -> _build/pdf/softmax-book-student.pdf

   It derives the edition's Jupyter Book config and toc from the book's own
   (the student edition's through ``student_edition.py``), with notebook
   execution off (the stored outputs, which nbval proves a fresh run
   reproduces) and the LaTeX settings below; runs Jupyter Book's LaTeX
   builder into ``_build/pdf/<edition>/``; runs latexmk with xelatex there;
   and copies the PDF to ``_build/pdf/``. Any LaTeX error stops it with the
   lines of the log that say what went wrong.

2. Loaded by Sphinx (only in those derived configs), it turns each
   kernel-free interactive figure (``softmaxlab.interactive``: HTML sliders,
   which LaTeX cannot show) into its static picture, drawn here with
   matplotlib from the bars the HTML holds, and adds to the figure's caption
   a sentence saying that the HTML edition has the sliders.
"""

from __future__ import annotations

import base64
import html
import io
import json
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

BOOK = Path(__file__).resolve().parent.parent
OUT = BOOK / "_build" / "pdf"
EDITIONS = {"full": "softmax-book.pdf", "student": "softmax-book-student.pdf"}
TEX_NAME = "softmax-book"

#: Appended to the caption of every interactive figure in the PDF.
SLIDERS_NOTE = (
    "In print, a static picture of the figure's initial state; the HTML edition of the book has the sliders."
)

# LaTeX settings (Sphinx's latex_elements and friends). xelatex with FreeSerif/FreeSans (Sphinx's
# defaults for xelatex) and DejaVu Sans Mono for code, which has the glyphs notebooks print (box
# drawing, arrows, math symbols). Code and outputs wrap long lines, also inside a long word or
# number (verbatimforcewraps), instead of running off the page.
PREAMBLE = r"""
% Parts whose chapters the toc does not number set secnumdepth to -1 (_repair_latex_doctree);
% a numbered part restores the depth Sphinx chose.
\AtBeginDocument{\edef\smxsecnumdepth{\arabic{secnumdepth}}}
% A glyph missing from the fonts is reported in the log (latex_errors fails the build on it).
\tracinglostchars=2
% An unnumbered display (Sphinx's equation* with split, SymPy's outputs) wider than the text is
% scaled down to the text width instead of running off the paper; a narrower one prints as before.
\makeatletter
\newsavebox\smx@mathbox
\expandafter\let\csname smx@eqs\expandafter\endcsname\csname equation*\endcsname
\expandafter\let\csname smx@endeqs\expandafter\endcsname\csname endequation*\endcsname
\RenewDocumentEnvironment{equation*}{+b}{%
  \sbox\smx@mathbox{\let\split\aligned\let\endsplit\endaligned$\displaystyle#1$}%
  \ifdim\wd\smx@mathbox>\linewidth
    \sbox\smx@mathbox{\resizebox{\linewidth}{!}{\usebox\smx@mathbox}}%
  \fi
  \smx@eqs\usebox\smx@mathbox\smx@endeqs}{}
\makeatother
"""

LATEX_SETTINGS: dict[str, Any] = {
    "latex_elements": {
        "papersize": "a4paper",
        "pointsize": "11pt",
        "fontpkg": (
            "\\setmainfont{FreeSerif}[Extension=.otf, UprightFont=*, ItalicFont=*Italic,"
            " BoldFont=*Bold, BoldItalicFont=*BoldItalic]\n"
            "\\setsansfont{FreeSans}[Extension=.otf, UprightFont=*, ItalicFont=*Oblique,"
            " BoldFont=*Bold, BoldItalicFont=*BoldOblique]\n"
            "\\setmonofont{DejaVu Sans Mono}[Scale=0.84]\n"
        ),
        "sphinxsetup": ", ".join([
            "verbatimwrapslines=true",
            "verbatimforcewraps=true",
            "verbatimmaxunderfull=2",
            "verbatimhintsturnover=true",
            "hmargin={2.2cm,2.2cm}",
            "vmargin={2.5cm,2.5cm}",
        ]),
        "figure_align": "htbp",
        # The notebooks store each figure with twice the pixels of its displayed width and that
        # width (in px at the figures' 100 dpi) as metadata (softmaxlab.plotting.use_book_style).
        # One px is 1/100 in here (Sphinx's default is 1/96), so a figure prints at the physical
        # size its 100-dpi rendering had, with 200 pixels to the inch.
        "pxunit": "0.72bp",
        "preamble": PREAMBLE,
        "geometry": "\\usepackage[headheight=14pt]{geometry}",
    },
    # makeindex is part of TeX Live's binaries; xindy would be one more Debian package, and the
    # book prints no index.
    "latex_use_xindy": False,
    "latex_show_urls": "no",
}


def _load_student_edition():
    import importlib.util

    spec = importlib.util.spec_from_file_location("student_edition", Path(__file__).with_name("student_edition.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def pdf_config(config: dict[str, Any]) -> dict[str, Any]:
    """The book's config for a PDF: execution off, this extension loaded, the LaTeX settings."""
    config = dict(config)
    execute = dict(config.get("execute") or {})
    execute["execute_notebooks"] = "off"
    config["execute"] = execute
    latex = dict(config.get("latex") or {})
    latex.setdefault("latex_engine", "xelatex")
    documents = dict(latex.get("latex_documents") or {})
    documents.setdefault("targetname", f"{TEX_NAME}.tex")
    latex["latex_documents"] = documents
    config["latex"] = latex
    sphinx = dict(config.get("sphinx") or {})
    local = dict(sphinx.get("local_extensions") or {})
    local["pdf_edition"] = str(Path(__file__).resolve().parent)
    sphinx["local_extensions"] = local
    sphinx_config = dict(sphinx.get("config") or {})
    sphinx_config.update(LATEX_SETTINGS)
    if "extensions" in sphinx_config and "pdf_edition" not in sphinx_config["extensions"]:
        sphinx_config["extensions"] = [*sphinx_config["extensions"], "pdf_edition"]
    sphinx["config"] = sphinx_config
    config["sphinx"] = sphinx
    return config


def write_pdf_files(edition: str, out_dir: Path, book: Path = BOOK) -> tuple[Path, Path]:
    """Write the edition's ``_config.yml`` and ``_toc.yml`` into ``out_dir``; return their paths."""
    import yaml

    if edition not in EDITIONS:
        raise ValueError(f"edition must be one of {sorted(EDITIONS)}, got {edition!r}")
    config = yaml.safe_load((book / "_config.yml").read_text())
    toc = yaml.safe_load((book / "_toc.yml").read_text())
    if edition == "student":
        student_edition = _load_student_edition()
        config, toc = student_edition.student_config(config), student_edition.student_toc(toc)
    config = pdf_config(config)
    out_dir.mkdir(parents=True, exist_ok=True)
    config_path, toc_path = out_dir / "_config.yml", out_dir / "_toc.yml"
    header = "# Generated by _ext/pdf_edition.py from the book's own file; do not edit.\n"
    config_path.write_text(header + yaml.safe_dump(config, sort_keys=False, allow_unicode=True))
    toc_path.write_text(header + yaml.safe_dump(toc, sort_keys=False, allow_unicode=True))
    return config_path, toc_path


# jupyterBook.cls (sphinx-jupyterbook-latex's LaTeX class) loads bbm for its \RR, \NN, ... macros,
# which the book never uses; the package is only in Debian's texlive-fonts-extra (hundreds of MB).
# This stand-in, written beside the .tex, maps \mathbbm to unicode-math's \mathbb.
BBM_STANDIN = (
    "\\NeedsTeXFormat{LaTeX2e}\n"
    "\\ProvidesPackage{bbm}[2026/12/05 stand-in: mathbbm is mathbb]\n"
    "\\providecommand{\\mathbbm}[1]{\\mathbb{#1}}\n"
)


class PdfBuildError(RuntimeError):
    """The Sphinx or the LaTeX step failed; the message holds the relevant log lines."""


def latex_errors(log_text: str) -> list[str]:
    """The error lines of a TeX log (``! ...``, with the line after) and glyphs missing from a font."""
    lines = log_text.splitlines()
    errors = [" ".join(lines[i:i + 2]) for i, line in enumerate(lines) if line.startswith("! ")]
    errors += [line for line in lines if line.startswith("Missing character: There is no")]
    return errors


def build_pdf(edition: str, out: Path = OUT, *, strict: bool = True) -> Path:
    """Build one edition's PDF into ``out``; return its path.

    ``strict`` runs Sphinx with ``-W -n --keep-going`` (every warning and
    broken reference fails the build), as the tests do.
    """
    work = out / edition
    config_path, toc_path = write_pdf_files(edition, work)
    latex_dir = work / "_build" / "latex"
    if latex_dir.exists():
        shutil.rmtree(latex_dir)  # a stale .aux must not hide an unresolved reference
    jupyter_book = Path(sys.executable).with_name("jupyter-book")
    command = [
        str(jupyter_book), "build", str(BOOK), "--builder", "latex",
        "--config", str(config_path), "--toc", str(toc_path), "--path-output", str(work),
    ]
    if strict:
        command += ["-W", "-n", "--keep-going"]
    result = subprocess.run(command, capture_output=True, text=True, cwd=BOOK)
    (work / "sphinx.log").write_text(result.stdout + result.stderr)
    if result.returncode != 0:
        raise PdfBuildError(f"the LaTeX sources do not build:\n{(result.stdout + result.stderr)[-8000:]}")
    tex = latex_dir / f"{TEX_NAME}.tex"
    if not tex.exists():
        raise PdfBuildError(f"Sphinx wrote no {tex}")
    (latex_dir / "bbm.sty").write_text(BBM_STANDIN)
    result = subprocess.run(
        ["latexmk", "-pdfxe", "-interaction=nonstopmode", "-halt-on-error", "-file-line-error", tex.name],
        capture_output=True, text=True, cwd=latex_dir,
    )
    (work / "latexmk.log").write_text(result.stdout + result.stderr)
    log = latex_dir / f"{TEX_NAME}.log"
    errors = latex_errors(log.read_text(errors="replace")) if log.exists() else []
    pdf = latex_dir / f"{TEX_NAME}.pdf"
    if result.returncode != 0 or errors or not pdf.exists():
        detail = "\n".join(errors[:40]) or (result.stdout + result.stderr)[-8000:]
        raise PdfBuildError(f"xelatex failed on {tex} (log: {log}):\n{detail}")
    target = out / EDITIONS[edition]
    shutil.copyfile(pdf, target)
    return target


# ------------------------------------------------------------------ the Sphinx extension

_ROW = re.compile(
    r'<div class="smx-row".*?>(?P<label>.*?)<div class="smx-track".*?'
    r'<div class="(?P<cls>smx-bar[^"]*)"[^>]*data-p="(?P<p>[0-9.eE+-]+)"',
    re.S,
)


def _text(fragment: str) -> str:
    """Plain text of an HTML fragment (tags dropped, entities decoded, spaces collapsed)."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def _label(fragment: str) -> str:
    """A row label as matplotlib mathtext: ``<i>z</i><sub>2</sub> = 1.00`` becomes ``$z_{2}$ = 1.00``."""
    fragment = re.sub(r"<i>(\w+)</i>\s*<sub>(\w+)</sub>", r"$\1_{\2}$", fragment)
    return _text(fragment)


def _row_label(fragment: str) -> str:
    """``$z_{j}$ = score`` from a row's label and, for sliders, the score's ``<output>``."""
    name = re.search(r'class="smx-score-label"[^>]*>(.*?)</(?:label|span)>', fragment, re.S)
    score = re.search(r'<output class="smx-score"[^>]*>(.*?)</output>', fragment, re.S)
    label = _label(name.group(1) if name else fragment)
    return f"{label} = {_text(score.group(1))}" if score else label


def static_picture(figure_html: str) -> bytes:
    """A PNG (300 dpi) of an interactive figure's initial state, from the bars in its HTML."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = [(_row_label(m["label"]), float(m["p"]), "smx-bar-max" in m["cls"]) for m in _ROW.finditer(figure_html)]
    if not rows:
        raise ValueError("no bars found in the interactive figure's HTML")
    temperature = re.search(r'<output class="smx-temperature-value"[^>]*>(.*?)</output>', figure_html)
    summary = re.search(r'<p class="smx-summary">(.*?)</p>', figure_html, re.S)
    title = re.search(r'<p class="smx-title">(.*?)</p>', figure_html, re.S)
    labels, probabilities, largest = zip(*rows)
    fig, ax = plt.subplots(figsize=(5.6, 0.42 * len(rows) + 1.1), dpi=300)
    y = list(range(len(rows)))[::-1]
    ax.barh(y, probabilities, color=["#D55E00" if big else "#0072B2" for big in largest], height=0.6)
    for yi, p in zip(y, probabilities):
        ax.text(p + 0.01, yi, f"{p:.3f}", va="center", fontsize=9)
    ax.set_yticks(y, labels)
    ax.set_xlim(0, 1.08)
    ax.set_xlabel("probability")
    heading = [_text(title.group(1))] if title else []
    if temperature:
        heading.append(f"temperature $T$ = {_text(temperature.group(1))}")
    if heading:
        ax.set_title("   ".join(heading), fontsize=10, loc="left")
    if summary:
        fig.text(0.99, 0.01, _text(summary.group(1)), ha="right", va="bottom", fontsize=8)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    fig.tight_layout(rect=(0, 0.05 if summary else 0, 1, 1))
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=300, facecolor="white")
    plt.close(fig)
    return buffer.getvalue()


def static_interactive_figures(notebook: dict[str, Any]) -> int:
    """Give each interactive figure's output a PNG and its caption the note; return how many."""
    count = 0
    for cell in notebook.get("cells", []):
        for output in cell.get("outputs", []) if cell.get("cell_type") == "code" else []:
            figure_html = "".join(output.get("data", {}).get("text/html", ""))
            if 'class="smx-figure' not in figure_html:
                continue
            output["data"]["image/png"] = base64.b64encode(static_picture(figure_html)).decode()
            output["data"].pop("text/html")
            figure = cell.setdefault("metadata", {}).setdefault("mystnb", {}).setdefault("figure", {})
            figure["caption"] = f"{figure.get('caption', '').rstrip()} {SLIDERS_NOTE}".strip()
            image = cell["metadata"]["mystnb"].setdefault("image", {})
            bars = [f"{_row_label(m['label'])}: {float(m['p']):.3f}" for m in _ROW.finditer(figure_html)]
            alt = "Bars of the probabilities at the initial state, " + "; ".join(bars).replace("$", "")
            image.setdefault("alt", alt)
            count += 1
    return count


def _on_source_read(app, docname: str, source: list[str]) -> None:
    if app.builder.format != "latex" or not str(app.env.doc2path(docname)).endswith(".ipynb"):
        return
    notebook = json.loads(source[0])
    if static_interactive_figures(notebook):
        source[0] = json.dumps(notebook)


def _docname_of(node) -> str | None:
    """The document a node of LaTeX's assembled doctree came from.

    Sphinx marks every section of an inlined document with its ``docname``.
    """
    from docutils import nodes
    from sphinx import addnodes

    while node is not None:
        if isinstance(node, (nodes.section, addnodes.start_of_file)) and node.get("docname"):
            return node["docname"]
        node = node.parent
    return None


def _numbered_parts(app) -> dict[str, bool]:
    """Whether each part (toc caption) numbers its chapters, from sphinx-external-toc's site map."""
    site_map = getattr(app.config, "external_site_map", None)
    if site_map is None:
        return {}
    return {tree.caption: bool(tree.numbered) for tree in site_map.root.subtrees if tree.caption}


def _repair_latex_doctree(app, doctree, docname: str) -> None:
    """Labels, numbers and part numbering that the LaTeX route of the extensions gets wrong.

    - sphinx-proof finds a directive's document (for its number and label) by the document
      title among the names of an enclosing section; a title whose text differs from the
      section's name leaves the theorem without number ("Theorem  (...)"). Each document's top
      section gets its title among its names.
    - sphinx-exercise labels an exercise ``exercise:<label>`` but its references (and Sphinx's
      own ``{ref}``) point at ``<docname>:<label>``: unresolved, "Exercise ??". Each exercise
      gets that label too, carrying its number.
    - A sphinx-proof ``{prf:proof}`` box has no title in LaTeX (an empty bar, then "Proof. ...");
      it gets the title "Proof" instead of the prefix.
    - Only the parts the toc marks ``numbered`` number their chapters, as in the HTML: the
      Exercises, Solutions and Reference parts are unnumbered.
    """
    from docutils import nodes
    from sphinx import addnodes

    if app.builder.format != "latex":
        return
    env = app.env
    for start in doctree.findall(addnodes.start_of_file):
        name = start.get("docname")
        section = next(iter(start.findall(nodes.section)), None)
        if name in env.titles and section is not None:
            title = env.titles[name].astext().lower()
            if title not in section["names"]:
                section["names"].append(title)
    labelled = []
    for node in doctree.findall(nodes.Element):
        label = node.get("label") if isinstance(node.get("label"), str) else None
        package, cls = type(node).__module__.split(".")[0], type(node).__name__
        if label and package == "sphinx_exercise" and cls.startswith("exercise") and node.get("ids"):
            labelled.append(node)
    for node in labelled:
        name = _docname_of(node)
        if name is None:
            continue
        numbers = env.toc_fignumbers.get(name, {})
        number = next((numbers[kind][node["ids"][0]] for kind in numbers if node["ids"][0] in numbers[kind]), ())
        text = ".".join(map(str, number))
        raw = (
            "\\phantomsection\\expandafter\\def\\csname @currentlabel\\endcsname{" + text + "}"
            "\\label{\\detokenize{" + f"{name}:{node['label']}" + "}}\n"
        )
        node.parent.insert(node.parent.index(node), nodes.raw("", raw, format="latex"))
    for proof in [n for n in doctree.findall(nodes.Element) if type(n).__name__ == "proof_node"]:
        for box in proof.findall(nodes.admonition):
            if box.children and isinstance(box[0], nodes.title):
                continue
            kind = (box.get("ids") or ["proof"])[0]
            first = next(iter(box.findall(nodes.Text)), None)
            prefix = f"{kind.title()}. "
            if first is not None and first.astext().startswith(prefix):
                first.parent.replace(first, nodes.Text(first.astext()[len(prefix):]))
            box.insert(0, nodes.title("", kind.title()))
    numbered = _numbered_parts(app)
    if not numbered:
        return
    for start in doctree.findall(addnodes.start_of_file):
        caption = start.get("docname")
        if caption in numbered and caption not in env.titles:  # a part made from a toc caption
            section = next(iter(start.findall(nodes.section)), None)
            if section is not None and section.children and isinstance(section[0], nodes.title):
                depth = "\\smxsecnumdepth" if numbered[caption] else "-1"
                section.insert(1, nodes.raw("", f"\\setcounter{{secnumdepth}}{{{depth}}}\n", format="latex"))


def setup(app) -> dict[str, Any]:
    app.connect("source-read", _on_source_read)
    app.connect("doctree-resolved", _repair_latex_doctree)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}


def main(argv: list[str]) -> int:
    editions = argv or ["full"]
    for edition in editions:
        if edition not in EDITIONS:
            print(f"usage: python _ext/pdf_edition.py [{'|'.join(EDITIONS)}] ...", file=sys.stderr)
            return 2
    for edition in editions:
        start = time.perf_counter()
        try:
            pdf = build_pdf(edition, strict=False)
        except PdfBuildError as error:
            print(error, file=sys.stderr)
            return 1
        print(f"PDF ({edition} edition) built in {time.perf_counter() - start:.0f} s: {pdf}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
