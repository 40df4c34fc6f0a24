#!/usr/bin/env python3
"""End-to-end tests of the colophon executable, one ctest test per case.

    run.py --colophon EXE --source REPO CASE     run one case (exit 0 pass, 1 fail, 77 skip)
    run.py --list                                print every case name, one a line

Cases are GROUP:NAME. Groups: epubcheck:<book>, pdf:<book> (qpdf, pdffonts, pdftotext),
usage:<error> (exit 2), cli:<command>, determinism:<format>. Broken, hostile and accepted
input is in the error catalogue, tests/catalogue/catalogue.py.
Books: sample (the repository's book/), torture (tests/books/gen_torture.py), corpus
(../shared/corpus/ten-days, skipped when absent), scaffold (`colophon new`) and single
(one Markdown file). Set KEEP=1 to keep the work folder of a passing case.
"""

import argparse
import glob
import hashlib
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import tomllib

SKIP = 77  # ctest SKIP_RETURN_CODE
EPOCH = "1700000000"
VERSION_LINE = "colophon 0.1.0"


class Skip(Exception):
    """Raised to skip a case whose prerequisite (a tool, the corpus) is missing."""


class Fail(Exception):
    """Raised when a case fails; the message says what was expected and what came."""


def check(cond, message):
    if not cond:
        raise Fail(message)


class Ctx:
    """What every case needs: the executable, the repository and a private work folder."""

    def __init__(self, exe, source, work):
        self.exe, self.source, self.work = exe, source, work

    def colophon(self, args, cwd=None, env=None, limit_file_bytes=None, timeout=300):
        """Runs colophon with ARGS; returns the CompletedProcess (text stdout/stderr)."""
        full_env = dict(os.environ, SOURCE_DATE_EPOCH=EPOCH, TZ="UTC")
        full_env.update(env or {})

        def limit():
            if limit_file_bytes is not None:
                resource.setrlimit(resource.RLIMIT_FSIZE, (limit_file_bytes, limit_file_bytes))

        proc = subprocess.run([self.exe] + args, cwd=cwd or self.work, env=full_env,
                              capture_output=True, timeout=timeout, preexec_fn=limit)
        proc.stdout = proc.stdout.decode("utf-8", "replace")
        proc.stderr = proc.stderr.decode("utf-8", "replace")
        return proc

    def build(self, book, out, fmt="epub", cwd=None, env=None, expect=0, **kw):
        """Builds BOOK into OUT; fails the case unless the exit code is EXPECT."""
        args = ["build", book, "-o", out, "--format", fmt] + getattr(self, "build_flags", [])
        proc = self.colophon(args, cwd=cwd, env=env, **kw)
        check(proc.returncode == expect,
              f"`colophon build {book} -o {out} --format {fmt}` exited {proc.returncode}, "
              f"expected {expect}; stderr:\n{proc.stderr}")
        return proc


def describe(proc):
    return f"exit {proc.returncode}\n--- stderr:\n{proc.stderr}--- stdout:\n{proc.stdout[:2000]}"


def need_tool(*names):
    for name in names:
        if not shutil.which(name):
            raise Skip(f"{name} is not installed")


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def snapshot(folder):
    """Returns {file name: sha256} of every file in FOLDER (recursively)."""
    out = {}
    for d, _, files in os.walk(folder):
        for f in files:
            p = os.path.join(d, f)
            out[os.path.relpath(p, folder)] = sha256(p)
    return out


def only_file(folder, ext):
    found = sorted(glob.glob(os.path.join(folder, "*." + ext)))
    check(len(found) == 1, f"expected one .{ext} in {folder}, found {found}")
    return found[0]


def write(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data.encode("utf-8") if isinstance(data, str) else data)


def read(path):
    with open(path, "rb") as f:
        return f.read()


# --------------------------------------------------------------------------- books

SINGLE_FILE = """# An Essay on Margins

Margins frame the text block.[^m] A page without them reads like a shout.

## Proportions

The classic canon puts the inner margin at half the outer one; see
[the start](#an-essay-on-margins).

[^m]: Tschichold measured many medieval books to find the canon.
"""


def prepare_book(ctx, kind):
    """Makes book KIND under the work folder; returns (input argument, words in its text)."""
    if kind == "sample":
        src = os.path.join(ctx.source, "book")
        check(os.path.isfile(os.path.join(src, "book.toml")), f"{src}/book.toml is missing")
        shutil.copytree(src, os.path.join(ctx.work, "book"), symlinks=True)
        with open(os.path.join(src, "book.toml"), "rb") as f:
            title = tomllib.load(f).get("book", {}).get("title", "")
        words = [w for w in re.findall(r"[A-Za-z]{4,}", title)][:3]
        check(words, f"the sample book's title {title!r} has no word to look for")
        return "book", words
    if kind == "torture":
        gen = os.path.join(ctx.source, "tests", "books", "gen_torture.py")
        subprocess.run([sys.executable, gen, os.path.join(ctx.work, "book")], check=True)
        return "book", ["Quillwort", "Marchpane", "Zephyrine", "Torture"]
    if kind == "corpus":
        corpus = os.path.normpath(os.path.join(ctx.source, "..", "shared", "corpus", "ten-days"))
        if not os.path.isfile(os.path.join(corpus, "book.toml")):
            raise Skip(f"the corpus book is absent ({corpus})")
        # Two of its links point at ids its conversion dropped (#chapter-3-p-6,
        # #chapter-11-blockquote-8): an error by default, so build it as a user would.
        ctx.build_flags = ["--missing-anchors=warning"]
        return corpus, ["Petrograd", "Smolny", "Kerensky"]
    if kind == "scaffold":
        proc = ctx.colophon(["new", "book"])
        check(proc.returncode == 0, f"`colophon new book` failed: {describe(proc)}")
        return "book", ["Preface", "Second", "Chapter"]
    if kind == "single":
        write(os.path.join(ctx.work, "essay.md"), SINGLE_FILE)
        return "essay.md", ["Margins", "Proportions", "Tschichold"]
    raise Fail(f"unknown book {kind}")


BOOKS = ["sample", "torture", "corpus", "scaffold", "single"]

# --------------------------------------------------------------------------- epubcheck


def case_epubcheck(ctx, kind, target="epub"):
    need_tool("java")
    jar = "/usr/bin/epubcheck"
    if not os.path.isfile(jar):
        raise Skip("epubcheck is not installed (apt-get install epubcheck)")
    book, _ = prepare_book(ctx, kind)
    if target == "epub":
        ctx.build(book, "out")
    else:
        args = ["build", book, "-o", "out", "--target", target] + getattr(ctx, "build_flags", [])
        proc = ctx.colophon(args)
        check(proc.returncode == 0, f"`colophon {' '.join(args)}` failed: {describe(proc)}")
    epub = only_file(os.path.join(ctx.work, "out"), "epub")
    report = os.path.join(ctx.work, "epubcheck.json")
    proc = subprocess.run(["java", "-jar", jar, epub, "--json", report],
                          capture_output=True, text=True, timeout=600)
    check(os.path.isfile(report), f"epubcheck wrote no report: {proc.stdout}{proc.stderr}")
    with open(report, encoding="utf-8") as f:
        messages = json.load(f).get("messages", [])
    bad = [m for m in messages if m.get("severity") in ("FATAL", "ERROR", "WARNING")]
    lines = []
    for m in bad:
        where = ", ".join(f"{loc.get('path')}:{loc.get('line')}:{loc.get('column')}"
                          for loc in m.get("locations", [])[:3])
        lines.append(f"  {m.get('severity')} {m.get('ID')}: {m.get('message')} [{where}]")
    check(not bad, f"epubcheck found {len(bad)} errors/warnings in {epub}:\n" + "\n".join(lines))
    check(proc.returncode == 0, f"epubcheck exited {proc.returncode}:\n{proc.stdout}{proc.stderr}")
    print(f"epubcheck: {os.path.basename(epub)}: 0 errors, 0 warnings")


# --------------------------------------------------------------------------- PDF


def pdf_words(text):
    """Joins words hyphenated across lines and collapses white space."""
    text = text.replace("\u00ad", "").replace("\ufb01", "fi").replace("\ufb02", "fl")
    text = re.sub(r"-\s*\n\s*", "", text)
    return re.sub(r"\s+", " ", text)


def case_pdf(ctx, kind):
    need_tool("qpdf", "pdffonts", "pdftotext")
    book, words = prepare_book(ctx, kind)
    proc = ctx.build(book, "out", fmt="pdf")
    pdf = only_file(os.path.join(ctx.work, "out"), "pdf")
    if kind in ("sample", "corpus"):
        # Real prose cuts no word between letters: table columns are made wide enough for
        # their widest word, and these books have no word wider than the text block.
        cut = [l for l in proc.stderr.splitlines() if "wider than the line" in l]
        check(not cut, "words cut between letters:\n" + "\n".join(cut))
    if kind == "sample":
        # The guide is our front page: its PDF builds without a single warning (its SVG
        # figure is printed from the PNG beside it, not as a placeholder).
        warnings = [l for l in proc.stderr.splitlines() if ": warning: " in l]
        check(not warnings, "the guide's PDF build warns:\n" + "\n".join(warnings))

    q = subprocess.run(["qpdf", "--check", pdf], capture_output=True, text=True)
    check(q.returncode == 0 and "No syntax or stream encoding errors" in q.stdout,
          f"qpdf --check exited {q.returncode}:\n{q.stdout}{q.stderr}")

    f = subprocess.run(["pdffonts", pdf], capture_output=True, text=True)
    check(f.returncode == 0, f"pdffonts failed: {f.stderr}")
    rows = f.stdout.splitlines()
    check(len(rows) >= 3, f"pdffonts lists no font:\n{f.stdout}")
    col = rows[0].index("emb")
    not_embedded = [r for r in rows[2:] if r[col:col + 3] != "yes"]
    check(not not_embedded, "fonts not embedded:\n" + "\n".join(not_embedded))

    t = subprocess.run(["pdftotext", "-enc", "UTF-8", pdf, "-"], capture_output=True)
    text = pdf_words(t.stdout.decode("utf-8", "replace"))
    check(t.returncode == 0 and text.strip(), f"pdftotext gave no text (exit {t.returncode})")
    missing = [w for w in words if w not in text]
    check(not missing, f"pdftotext output lacks {missing}; it begins: {text[:600]!r}")
    print(f"pdf: {os.path.basename(pdf)}: qpdf clean, {len(rows) - 2} fonts embedded, "
          f"{len(text)} characters of text")


# Bad, hostile and accepted input (bad:, hostile:, accept: before) is the error
# catalogue now: tests/catalogue/catalogue.py, one ctest test catalogue.<entry> each.


# --------------------------------------------------------------------------- usage and CLI

USAGE_CASES = {
    "unknown-option": ["build", "--frobnicate"],
    "bad-format": ["build", "--format", "docx"],
    "no-command": [],
    "unknown-command": ["publish"],
    "unknown-target": ["build", "--target", "epub,docx"],
    "format-and-target": ["build", "--format", "epub", "--target", "pdf"],
    "check-unknown-target": ["check", "--target", "mobi"],
}


def case_usage(ctx, name):
    check(name in USAGE_CASES, f"unknown case usage:{name}")
    proc = ctx.colophon(USAGE_CASES[name])
    check(proc.returncode == 2, f"expected exit 2, got {describe(proc)}")
    check(proc.stderr.strip(), "a usage error printed nothing on stderr")


def case_cli(ctx, name):
    if name.startswith("help-"):
        command = name[len("help-"):]
        args = ["--help"] if command == "main" else [command, "--help"]
        proc = ctx.colophon(args)
        check(proc.returncode == 0, f"`colophon {' '.join(args)}` gave {describe(proc)}")
        expected = "build" if command == "main" else command
        check(expected in proc.stdout, f"the help text does not mention {expected!r}:\n{proc.stdout}")
    elif name == "version":
        proc = ctx.colophon(["--version"])
        check(proc.returncode == 0 and proc.stdout.strip() == VERSION_LINE,
              f"expected {VERSION_LINE!r} on stdout, got {describe(proc)}")
    elif name == "new-then-build":
        proc = ctx.colophon(["new", "fresh"])
        check(proc.returncode == 0, f"new failed: {describe(proc)}")
        ctx.build("fresh", "out")
        only_file(os.path.join(ctx.work, "out"), "epub")
        check_proc = ctx.colophon(["check", "fresh"])
        check(check_proc.returncode == 0, f"check failed: {describe(check_proc)}")
    elif name == "new-nonempty":
        write(os.path.join(ctx.work, "full", "notes.txt"), "keep me\n")
        proc = ctx.colophon(["new", "full"])
        check(proc.returncode == 1, f"expected exit 1, got {describe(proc)}")
        check(os.listdir(os.path.join(ctx.work, "full")) == ["notes.txt"] and
              read(os.path.join(ctx.work, "full", "notes.txt")) == b"keep me\n",
              "new changed a non-empty directory")
    elif name == "check-writes-nothing":
        ctx.colophon(["new", "book"])
        before = snapshot(ctx.work)
        proc = ctx.colophon(["check", "book"])
        check(proc.returncode == 0, f"check failed: {describe(proc)}")
        check(snapshot(ctx.work) == before, "check wrote files")
    elif name == "targets":
        # Which targets a build writes: the [output.NAME] tables, else epub and pdf;
        # --target overrides both.
        ctx.colophon(["new", "book"])
        toml_path = os.path.join(ctx.work, "book", "book.toml")
        toml = read(toml_path).decode("utf-8")
        check("[output.epub]" in toml and "[output.pdf]" in toml,
              f"`colophon new` names no epub and pdf tables:\n{toml}")

        def built(out, args=()):
            proc = ctx.colophon(["build", "book", "-o", out, *args])
            check(proc.returncode == 0, f"build {list(args)} failed: {describe(proc)}")
            return sorted(os.listdir(os.path.join(ctx.work, out)))

        got = built("both")
        check([f.rsplit(".", 1)[1] for f in got] == ["epub", "pdf"], f"tables epub+pdf gave {got}")
        write(toml_path, toml.replace("[output.pdf]", ""))
        got = built("epub-table")
        check(len(got) == 1 and got[0].endswith(".epub"), f"table epub only gave {got}")
        got = built("pdf-flag", ["--target", "pdf"])
        check(len(got) == 1 and got[0].endswith(".pdf"), f"--target pdf gave {got}")
        write(toml_path, "[book]\ntitle = \"No Tables\"\n[output.html]\n")
        got = built("default")
        check(got == ["no-tables.epub", "no-tables.pdf"], f"no colophon table gave {got}")
        got = built("list", ["-t", "pdf,epub"])
        check(got == ["no-tables.epub", "no-tables.pdf"], f"-t pdf,epub gave {got}")
        proc = ctx.colophon(["build", "book", "-o", "bad", "--target", "epub,nope"])
        check(proc.returncode == 2 and "unknown target 'nope'" in proc.stderr and
              "epub, pdf" in proc.stderr, f"an unknown target gave {describe(proc)}")
        check(not os.path.exists(os.path.join(ctx.work, "bad")), "a usage error wrote files")
    elif name == "cover":
        # A book without a cover gets a generated one in the EPUB (marked cover-image)
        # and, with cover-page, as the PDF's first page; cover = false means none.
        import zipfile
        need_tool("pdfinfo", "pdfimages")
        ctx.colophon(["new", "book"])
        toml_path = os.path.join(ctx.work, "book", "book.toml")
        toml = read(toml_path).decode("utf-8")

        def opf_of(out):
            with zipfile.ZipFile(only_file(os.path.join(ctx.work, out), "epub")) as z:
                return z.read("EPUB/package.opf").decode("utf-8"), z.namelist()

        def pages_of(out):
            info = subprocess.run(["pdfinfo", only_file(os.path.join(ctx.work, out), "pdf")],
                                  capture_output=True, text=True).stdout
            return int(re.search(r"Pages:\s+(\d+)", info).group(1))

        ctx.build("book", "plain", fmt="all")
        opf, names = opf_of("plain")
        check(re.search(r'href="images/cover\.png" media-type="image/png" '
                        r'properties="cover-image"', opf) and "EPUB/cover.xhtml" in names,
              f"no generated cover-image in the OPF:\n{opf}")
        write(toml_path, toml.replace("[output.pdf]", "[output.pdf]\ncover-page = true"))
        ctx.build("book", "cover-page", fmt="all")
        check(pages_of("cover-page") == pages_of("plain") + 2,
              f"cover-page gave {pages_of('cover-page')} pages, without {pages_of('plain')}")
        images = subprocess.run(["pdfimages", "-list", "-f", "1", "-l", "1",
                                 only_file(os.path.join(ctx.work, "cover-page"), "pdf")],
                                capture_output=True, text=True).stdout
        check(re.search(r"\b1600\s+2560\b", images), f"page 1 holds no cover image:\n{images}")
        write(toml_path, toml.replace("[book]", "[book]\ncover = false"))
        ctx.build("book", "none", fmt="all")
        opf, names = opf_of("none")
        check("cover-image" not in opf and "EPUB/cover.xhtml" not in names,
              f"cover = false still has a cover:\n{opf}")
    elif name == "fonts":
        # Embedded fonts are packed under fonts/ and tell Apple Books to use them; a file
        # that is no font is refused at its place in book.toml.
        font = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
        if not os.path.isfile(font):
            raise Skip(f"{font} is not installed (fonts-dejavu-core)")
        files = dict(TWO_CHAPTERS)
        files["extra.css"] = ('@font-face { font-family: "Body"; '
                              'src: url("../fonts/DejaVuSans.ttf"); }\nbody { font-family: "Body", serif; }\n')
        files["type/DejaVuSans.ttf"] = read(font)
        toml = ('[book]\ntitle = "Kindle Test"\n[output.epub]\nextra-css = ["extra.css"]\n'
                'fonts = ["type/DejaVuSans.ttf"]\n')
        book = make_book(ctx, files, toml)
        ctx.build(book, "out")
        out = epub_files(os.path.join(ctx.work, "out", "kindle-test.epub"))
        check('href="fonts/DejaVuSans.ttf" media-type="font/ttf"' in out["EPUB/package.opf"],
              f"the font is not in the manifest:\n{out['EPUB/package.opf']}")
        options = out.get("META-INF/com.apple.ibooks.display-options.xml", "")
        check('<option name="specified-fonts">true</option>' in options,
              f"no Apple display options for embedded fonts: {options!r}")
        make_book(ctx, TWO_CHAPTERS)
        ctx.build(book, "plain")
        check("META-INF/com.apple.ibooks.display-options.xml" not in
              epub_files(os.path.join(ctx.work, "plain", "kindle-test.epub")),
              "display options without embedded fonts")
        write(os.path.join(ctx.work, "book", "type", "fake.ttf"), "not a font\n")
        make_book(ctx, TWO_CHAPTERS, '[book]\ntitle = "Kindle Test"\n[output.epub]\n'
                                     'fonts = ["type/fake.ttf"]\n')
        proc = ctx.colophon(["build", book, "-o", "bad"])
        check(proc.returncode == 1 and re.search(r"book/book\.toml:4:\d+: error: 'fonts': "
                                                 r"'type/fake\.ttf' is not a ttf font", proc.stderr),
              f"a fake font was not refused: {describe(proc)}")
    elif name == "dump":
        ctx.colophon(["new", "book"])
        proc = ctx.colophon(["dump", "book"])
        check(proc.returncode == 0, f"dump failed: {describe(proc)}")
        check("The First Chapter" in proc.stdout, f"dump lacks a chapter title:\n{proc.stdout[:1500]}")
    else:
        raise Fail(f"unknown case cli:{name}")


# --------------------------------------------------------------------------- mdBook books

def epubcheck_clean(epub):
    """Runs epubcheck on EPUB; fails unless it reports 0 errors and 0 warnings."""
    need_tool("java")
    jar = "/usr/bin/epubcheck"
    if not os.path.isfile(jar):
        raise Skip("epubcheck is not installed (apt-get install epubcheck)")
    proc = subprocess.run(["java", "-jar", jar, epub], capture_output=True, text=True,
                          timeout=600)
    out = proc.stdout + proc.stderr
    check(proc.returncode == 0 and "No errors or warnings detected" in out,
          f"epubcheck is not clean on {epub}:\n{out[-3000:]}")


def epub_text(epub):
    """Returns the text of every XHTML file of EPUB, tags removed, entities undone."""
    import html
    import zipfile
    parts = []
    with zipfile.ZipFile(epub) as z:
        for name in sorted(z.namelist()):
            if name.endswith(".xhtml"):
                xml = z.read(name).decode("utf-8")
                parts.append(html.unescape(re.sub(r"<[^>]+>", "", xml)))
    return "\n".join(parts)


def pdf_text(pdf, first=None, last=None):
    args = ["pdftotext", "-enc", "UTF-8"]
    if first:
        args += ["-f", str(first), "-l", str(last or first)]
    t = subprocess.run(args + [pdf, "-"], capture_output=True)
    check(t.returncode == 0, f"pdftotext failed on {pdf}")
    return t.stdout.decode("utf-8", "replace")


def squeeze(text):
    """Collapses white space (and joins words broken at line ends, and code lines the
    PDF wraps with a ↪ mark) for comparisons."""
    return re.sub(r"\s+", " ", pdf_words(text.replace("\u21aa", " ")))


def path_without(program):
    """Returns PATH without the folders that hold PROGRAM."""
    keep = [d for d in os.environ.get("PATH", "").split(os.pathsep)
            if d and not os.path.exists(os.path.join(d, program))]
    return os.pathsep.join(keep)


# Text of each file mdBook's guide includes (its whole text or the part it takes), as it
# must appear in both outputs: {{#include}} of whole files, a part taken by an anchor
# with {{#rustdoc_include}}, files outside the book (../../../examples), a playground.
MDBOOK_INCLUDED = {
    "src/cli/arg-watcher.md": "There are different backends used to determine when a file has changed.",
    "src/SUMMARY.md": "- [Creating a book](guide/creating.md)",
    "examples/nop-preprocessor.rs": "A basic example of a preprocessor that does nothing.",
    "examples/remove-emphasis/mdbook-remove-emphasis/src/main.rs":
        "fn remove_emphasis(num_removed_items: &mut usize, chapter: &mut Chapter) -> Result<String> {",
    "src/format/example.rs": 'println!("Hello World!");',
}


def case_mdbook(ctx, name):
    check(name == "corpus", f"unknown case mdbook:{name}")
    need_tool("git", "qpdf", "pdftotext")
    corpus = os.path.normpath(os.path.join(ctx.source, "..", "shared", "corpus", "mdbook"))
    if not os.path.isfile(os.path.join(corpus, "guide", "book.toml")):
        raise Skip(f"mdBook's guide is absent ({corpus})")
    # In a git work tree, as its authors keep it: its includes reach ../../../examples.
    tree = os.path.join(ctx.work, "mdBook")
    shutil.copytree(corpus, tree)
    subprocess.run(["git", "init", "-q", tree], check=True)
    guide = os.path.join(tree, "guide")
    # Its preprocessor is a cargo command; without cargo on PATH it is reported once.
    proc = ctx.colophon(["build", guide, "-o", os.path.join(ctx.work, "out")],
                        env={"PATH": path_without("cargo")})
    raw_img = "images in raw HTML are not packed" in proc.stderr
    if proc.returncode != 0 and raw_img and proc.stderr.count(": error: ") == 1:
        raise Skip("raw <img> in HTML is not packed yet (issue 9 point 5, being built): "
                   + proc.stderr.strip().splitlines()[-1])
    check(proc.returncode == 0 and ": error: " not in proc.stderr,
          f"mdBook's guide does not build: {describe(proc)}")
    not_found = [l for l in proc.stderr.splitlines() if "preprocessor 'guide-helper'" in l]
    check(len(not_found) == 1 and "not found" in not_found[0],
          f"its preprocessor is not reported once as not found: {not_found}")
    epub = only_file(os.path.join(ctx.work, "out"), "epub")
    pdf = only_file(os.path.join(ctx.work, "out"), "pdf")
    epubcheck_clean(epub)
    q = subprocess.run(["qpdf", "--check", pdf], capture_output=True, text=True)
    check(q.returncode == 0 and "No syntax or stream encoding errors" in q.stdout,
          f"qpdf --check exited {q.returncode}:\n{q.stdout}{q.stderr}")
    texts = {"EPUB": squeeze(epub_text(epub)), "PDF": squeeze(pdf_text(pdf))}
    for path, line in MDBOOK_INCLUDED.items():
        check(os.path.isfile(os.path.join(tree, "guide", path) if path.startswith("src")
                             else os.path.join(tree, path)), f"{path} is not in the corpus")
        for kind, text in texts.items():
            check(squeeze(line) in text, f"the text included from {path} is not in the {kind}: "
                  f"{line!r}")
    # Every escaped directive prints as written, without its backslash.
    escaped = set()
    for md in glob.glob(os.path.join(guide, "src", "**", "*.md"), recursive=True):
        with open(md, encoding="utf-8") as f:
            escaped.update(re.findall(r"\\(\{\{#[^}]*\}\})", f.read()))
    check(len(escaped) >= 10, f"expected the guide's escaped directives, found {escaped}")
    for kind, text in texts.items():
        check("\\{{#" not in text, f"the {kind} shows an escape's backslash")
        missing = [e for e in sorted(escaped) if squeeze(e) not in text]
        check(not missing, f"the {kind} lacks escaped directives as written: {missing}")
    # No directive is left unexpanded (the escaped ones are in code, as written).
    for kind, text in texts.items():
        for directive in ("{{#include ../", "{{#rustdoc_include ../", "{{#playground example.rs}}"):
            check(directive not in text, f"the {kind} shows an unexpanded {directive!r}")
    print(f"mdbook: {len(MDBOOK_INCLUDED)} included files and {len(escaped)} escaped "
          f"directives in both outputs; epubcheck and qpdf clean")


def readme_manuscript(source):
    """Returns the README's single-file example: its first ```markdown block that
    starts with a YAML metadata block."""
    text = read(os.path.join(source, "README.md")).decode("utf-8")
    for block in re.findall(r"```markdown\n(.*?)```", text, re.S):
        if block.startswith("---\n"):
            return block
    raise Fail("README.md has no ```markdown example starting with a YAML block")


def case_manuscript(ctx, name):
    check(name == "readme", f"unknown case manuscript:{name}")
    need_tool("pdftotext", "pdfinfo")
    text = readme_manuscript(ctx.source)
    meta = dict(re.findall(r"^(title|author|lang): (.*)$", text.split("\n---\n")[0], re.M))
    check(set(meta) == {"title", "author", "lang"}, f"the README example's block gives {meta}")
    write(os.path.join(ctx.work, "essay.md"), text)
    ctx.build("essay.md", "out", fmt="all")
    epub = only_file(os.path.join(ctx.work, "out"), "epub")
    pdf = only_file(os.path.join(ctx.work, "out"), "pdf")
    import zipfile
    with zipfile.ZipFile(epub) as z:
        opf = next(z.read(n).decode("utf-8") for n in z.namelist() if n.endswith(".opf"))
    check(f"<dc:title id=\"title\">{meta['title']}</dc:title>" in opf or
          f">{meta['title']}</dc:title>" in opf, f"the OPF lacks the title:\n{opf}")
    check(f">{meta['author']}</dc:creator>" in opf, f"the OPF lacks the author:\n{opf}")
    check(f"<dc:language>{meta['lang']}</dc:language>" in opf, f"the OPF lacks the language:\n{opf}")
    info = subprocess.run(["pdfinfo", pdf], capture_output=True, text=True).stdout
    check(re.search(r"^Title:\s+" + re.escape(meta["title"]) + "$", info, re.M),
          f"the PDF's Title is not {meta['title']!r}:\n{info}")
    check(re.search(r"^Author:\s+" + re.escape(meta["author"]) + "$", info, re.M),
          f"the PDF's Author is not {meta['author']!r}:\n{info}")
    catalog = subprocess.run(["qpdf", "--json", "--json-key=qpdf", pdf], capture_output=True,
                             text=True).stdout
    check(f'"/Lang": "u:{meta["lang"]}"' in catalog or f'"/Lang": "{meta["lang"]}"' in catalog,
          f"the PDF catalog has no /Lang {meta['lang']!r}")
    first_page = squeeze(pdf_text(pdf, 1))
    check(meta["title"] in first_page and meta["author"] in first_page,
          f"the PDF's title page lacks the title or author: {first_page[:300]!r}")
    epub_all = epub_text(epub)
    check(meta["title"] in epub_all and meta["author"] in epub_all,
          "the EPUB's title page lacks the title or author")
    for kind, t in (("EPUB", epub_all), ("PDF", pdf_text(pdf))):
        check("title:" not in t and "author:" not in t,
              f"the {kind} shows the metadata block as text")
    print(f"manuscript: {meta} in the OPF, the PDF's metadata and both title pages")
# --------------------------------------------------------------------------- kindle
# One case per cause Amazon's Send to Kindle or KDP is known to refuse a book for (or
# show it badly): each builds a book made to trip it, and checks that the "kindle"
# target either avoids the cause in what it writes or reports it.


def make_book(ctx, files, toml='[book]\ntitle = "Kindle Test"\nauthors = ["A. Writer"]\n'):
    """Writes a book of FILES ({path: text}) under the work folder; returns its folder."""
    write(os.path.join(ctx.work, "book", "book.toml"), toml)
    for path, text in files.items():
        write(os.path.join(ctx.work, "book", path), text)
    return "book"


def epub_files(path):
    """Returns {name: text} of the text files of the EPUB at PATH."""
    import zipfile
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n).decode("utf-8") for n in z.namelist()
                if n.endswith((".xhtml", ".opf", ".ncx", ".xml", ".css"))}


def kindle_build(ctx, book, expect=0):
    """Builds the kindle target of BOOK into out/; returns (process, {name: text})."""
    proc = ctx.colophon(["build", book, "-o", "out", "--target", "kindle"])
    check(proc.returncode == expect, f"kindle build: expected exit {expect}, got {describe(proc)}")
    if expect != 0:
        return proc, {}
    return proc, epub_files(os.path.join(ctx.work, "out", "kindle-test.kindle.epub"))


def spine_files(files):
    opf = files["EPUB/package.opf"]
    hrefs = dict(re.findall(r'<item id="([^"]+)" href="([^"]+)"', opf))
    return [hrefs[i] for i in re.findall(r'<itemref idref="([^"]+)"', opf)]


TWO_CHAPTERS = {
    "src/SUMMARY.md": "- [One](one.md)\n- [Two](two.md)\n",
    "src/one.md": "# One\n\nSee [two](two.md) and [its section](two.md#later).[^n]\n\n"
                  "[^n]: A note.\n",
    "src/two.md": "# Two\n\nText.\n\n## Later\n\nMore.\n",
}


def case_kindle(ctx, cause):
    if cause == "language":
        # dc:language must be one Amazon lists; Russian is not, British English is.
        book = make_book(ctx, TWO_CHAPTERS, '[book]\ntitle = "Kindle Test"\nlanguage = "ru"\n')
        proc = ctx.colophon(["check", book, "--target", "kindle"])
        check(proc.returncode == 0 and "language 'ru'" in proc.stderr and "E999" in proc.stderr,
              f"check --target kindle did not report the language: {describe(proc)}")
        proc = ctx.colophon(["check", book])
        check("language 'ru'" not in proc.stderr, "plain check reported a Kindle-only rule")
        make_book(ctx, TWO_CHAPTERS, '[book]\ntitle = "Kindle Test"\nlanguage = "en-GB"\n')
        proc = ctx.colophon(["check", book, "--target", "kindle"])
        check("language" not in proc.stderr, f"en-GB was reported: {describe(proc)}")
    elif cause == "image-without-src":
        files = dict(TWO_CHAPTERS)
        files["src/two.md"] = "# Two\n\nText.\n\n<img alt=\"a lost picture\">\n\n## Later\n"
        book = make_book(ctx, files)
        proc = ctx.colophon(["check", book, "--target", "kindle"])
        check(proc.returncode == 1 and re.search(r"src/two\.md:5:1: error: an <img> without src",
                                                 proc.stderr),
              f"check --target kindle did not refuse the <img>: {describe(proc)}")
        kindle_build(ctx, book, expect=1)
        check(not os.path.exists(os.path.join(ctx.work, "out", "kindle-test.kindle.epub")),
              "a book Kindle refuses was written")
    elif cause == "email-size":
        # 51 MB: over Send to Kindle's e-mail limit (50 MB), under its upload limit. A PNG
        # is stored in the EPUB as it is, so a large comment chunk makes a large book.
        import struct, zlib
        def chunk(kind, data):
            return (struct.pack(">I", len(data)) + kind + data +
                    struct.pack(">I", zlib.crc32(kind + data) & 0xffffffff))
        png = (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)) +
               chunk(b"tEXt", b"Comment\0" + b"x" * 51_000_000) +
               chunk(b"IDAT", zlib.compress(b"\0\0")) + chunk(b"IEND", b""))
        files = dict(TWO_CHAPTERS)
        files["src/two.md"] = "# Two\n\n![A large picture](big.png)\n\n## Later\n"
        files["src/big.png"] = png
        book = make_book(ctx, files)
        proc, _ = kindle_build(ctx, book)
        check("too large to e-mail" in proc.stderr, f"no size warning: {describe(proc)}")
        proc = ctx.colophon(["check", book, "--target", "kindle"])
        check("too large to e-mail" in proc.stderr, f"check gave no size warning: {describe(proc)}")
    elif cause == "body-id-links":
        # A link to a <body> id shows as a broken link on Kindle: no body has an id, and
        # links to a chapter's start name only its file.
        _, files = kindle_build(ctx, make_book(ctx, TWO_CHAPTERS))
        for name, text in files.items():
            if name.endswith(".xhtml"):
                check(not re.search(r"<body[^>]*\sid=", text), f"{name}: <body> has an id")
        one = files["EPUB/one.xhtml"]
        check('href="two.xhtml"' in one and 'href="two.xhtml#later"' in one,
              f"links to chapter two are not as expected:\n{one}")
    elif cause == "spine-order":
        # The contents must follow the spine: parts, nesting and a book-level notes file.
        files = {
            "src/SUMMARY.md": "[Preface](pre.md)\n\n# Part A\n\n- [One](one.md)\n"
                              "    - [One.One](one1.md)\n\n# Part B\n\n- [Two](two.md)\n\n"
                              "[Afterword](after.md)\n",
            "src/pre.md": "# Preface\n\nP.[^a]\n\n[^a]: Note a.\n",
            "src/one.md": "# One\n\n## Section\n\nText.\n",
            "src/one1.md": "# One.One\n\nText.[^b]\n\n[^b]: Note b.\n",
            "src/two.md": "# Two\n\nText.\n",
            "src/after.md": "# Afterword\n\nText.\n",
        }
        toml = '[book]\ntitle = "Kindle Test"\n[output.epub]\nnotes = "book"\n'
        _, out = kindle_build(ctx, make_book(ctx, files, toml))
        spine = spine_files(out)
        for doc in ("EPUB/nav.xhtml", "EPUB/toc.ncx"):
            pattern = r'<a href="([^"#]+)' if doc.endswith("xhtml") else r'<content src="([^"#]+)'
            toc = re.findall(pattern, out[doc].split('epub:type="landmarks"')[0])
            order = [spine.index(f) for f in toc]
            check(order == sorted(order), f"{doc} disagrees with the spine: {toc} vs {spine}")
    elif cause == "encoding":
        # Send to Kindle reads a file without an encoding declaration as Latin-1.
        files = dict(TWO_CHAPTERS)
        files["src/two.md"] = "# Zwei – Ωμέγα\n\nÜbergrößenträger “quoted”.\n\n## Later\n"
        _, out = kindle_build(ctx, make_book(ctx, files))
        for name, text in out.items():
            if name.endswith((".xhtml", ".opf", ".ncx")):
                check(text.startswith('<?xml version="1.0" encoding="UTF-8"?>'),
                      f"{name} does not declare UTF-8: {text[:80]!r}")
    elif cause == "contents-levels":
        # Kindle shows two levels of contents: every chapter stays, lifted; deeper
        # sections are left out.
        files = {
            "src/SUMMARY.md": "# Part\n\n- [One](one.md)\n    - [Deep](deep.md)\n"
                              "        - [Deeper](deeper.md)\n",
            "src/one.md": "# One\n\n## Section\n\n### Subsection\n\nText.\n",
            "src/deep.md": "# Deep\n\nText.\n",
            "src/deeper.md": "# Deeper\n\nText.\n",
        }
        toml = '[book]\ntitle = "Kindle Test"\n[output.epub]\ntoc-depth = 3\n'
        _, out = kindle_build(ctx, make_book(ctx, files, toml))
        nav = out["EPUB/nav.xhtml"].split('epub:type="landmarks"')[0]
        depth = deepest = 0
        for tag in re.findall(r"</?ol>", nav):
            depth += 1 if tag == "<ol>" else -1
            deepest = max(deepest, depth)
        check(deepest == 2, f"the Kindle contents have {deepest} levels:\n{nav}")
        for chapter in ("one.xhtml", "deep.xhtml", "deeper.xhtml"):
            check(f'href="{chapter}"' in nav, f"{chapter} is missing from the contents:\n{nav}")
        check(re.search(r'<meta name="dtb:depth" content="2"', out["EPUB/toc.ncx"]),
              "toc.ncx is deeper than two levels")
    elif cause == "css":
        files = dict(TWO_CHAPTERS)
        files["extra.css"] = ("/* an author's additions */\np.hang {\n  text-indent: -2em;\n}\n"
                              ".pull { margin-left: -3em; }\n.box { position: absolute; }\n"
                              "p.tight { line-height: -1; }\n.fine { text-indent: -1em; "
                              "padding-left: 1em; margin: 0 auto; }\n")
        toml = '[book]\ntitle = "Kindle Test"\n[output.epub]\nextra-css = ["extra.css"]\n'
        book = make_book(ctx, files, toml)
        proc = ctx.colophon(["check", book, "--target", "kindle"])
        found = re.findall(r"book/extra\.css:(\d+):\d+: warning", proc.stderr)
        check(found == ["3", "5", "6", "7"], f"expected warnings at lines 3, 5, 6, 7: {describe(proc)}")
        # colophon's own stylesheet has none of it.
        css = epub_files_of_build(ctx, book)["EPUB/css/epub.css"].split("/* extra.css */")[0]
        write(os.path.join(ctx.work, "own.css"), css)
        make_book(ctx, TWO_CHAPTERS, '[book]\ntitle = "Kindle Test"\n[output.epub]\n'
                                     'extra-css = ["../own.css"]\n'.replace("../own.css", "own.css"))
        shutil.copy(os.path.join(ctx.work, "own.css"), os.path.join(ctx.work, "book", "own.css"))
        proc = ctx.colophon(["check", book, "--target", "kindle"])
        check(proc.returncode == 0 and "own.css" not in proc.stderr,
              f"colophon's stylesheet has CSS Kindle breaks on: {describe(proc)}")
    else:
        raise Fail(f"unknown case kindle:{cause}")


def epub_files_of_build(ctx, book):
    _, files = kindle_build(ctx, book)
    return files


KINDLE_CAUSES = ["language", "image-without-src", "email-size", "body-id-links", "spine-order",
                 "encoding", "contents-levels", "css"]


# --------------------------------------------------------------------------- determinism


def case_determinism(ctx, fmt):
    prepare_book(ctx, "torture")
    shutil.copytree(os.path.join(ctx.work, "book"), os.path.join(ctx.work, "elsewhere", "copy"))
    runs = {
        "first (TZ=UTC)": ("book", {"TZ": "UTC"}),
        "second (TZ=UTC)": ("book", {"TZ": "UTC"}),
        "TZ=Asia/Tokyo": ("book", {"TZ": "Asia/Tokyo"}),
        "a copy in another folder": ("elsewhere/copy", {"TZ": "UTC"}),
    }
    digests = {}
    for i, (label, (book, env)) in enumerate(runs.items()):
        out = f"out{i}"
        ctx.build(book, out, fmt=fmt, env=env)
        digests[label] = sha256(only_file(os.path.join(ctx.work, out), fmt))
    first = digests["first (TZ=UTC)"]
    differ = [label for label, d in digests.items() if d != first]
    check(not differ, f"the {fmt.upper()} differs from the first build for: {differ} "
          f"(outputs kept in {ctx.work}/out*)")
    print(f"determinism: {len(digests)} builds, one {fmt.upper()}: {first[:16]}")


# --------------------------------------------------------------------------- driver

GROUPS = {
    "epubcheck": (case_epubcheck, BOOKS),
    "pdf": (case_pdf, BOOKS + ["determinism"]),
    "usage": (case_usage, list(USAGE_CASES)),
    "cli": (case_cli, ["help-main", "help-build", "help-check", "help-new", "help-dump",
                       "version", "new-then-build", "new-nonempty", "check-writes-nothing",
                       "targets", "cover", "fonts", "dump"]),
    "determinism": (case_determinism, ["epub"]),
    "mdbook": (case_mdbook, ["corpus"]),
    "manuscript": (case_manuscript, ["readme"]),
    "kindle": (case_kindle, KINDLE_CAUSES),
    # Every EPUB target passes epubcheck on the real books (the plain one: "epubcheck").
    "epubcheck-kindle": (lambda ctx, kind: case_epubcheck(ctx, kind, "kindle"),
                         ["sample", "torture", "corpus"]),
}


def all_cases():
    return [f"{g}:{n}" for g, (_, names) in GROUPS.items() for n in names]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--colophon")
    ap.add_argument("--source", default=os.path.dirname(os.path.dirname(
        os.path.dirname(os.path.abspath(__file__)))))
    ap.add_argument("--work-root", help="folder for work folders (default: system temp)")
    ap.add_argument("--list", action="store_true")
    ap.add_argument("case", nargs="?")
    args = ap.parse_args()
    if args.list:
        print("\n".join(all_cases()))
        return 0
    if not args.case or not args.colophon:
        ap.error("give --colophon EXE and a CASE (see --list)")
    group, _, name = args.case.partition(":")
    if group not in GROUPS or name not in GROUPS[group][1]:
        ap.error(f"unknown case {args.case!r} (see --list)")
    if args.work_root:
        os.makedirs(args.work_root, exist_ok=True)
    work = tempfile.mkdtemp(prefix=args.case.replace(":", "-") + "-", dir=args.work_root)
    ctx = Ctx(os.path.abspath(args.colophon), os.path.abspath(args.source), work)
    if group == "pdf" and name == "determinism":
        func, arg = case_determinism, "pdf"
    else:
        func, arg = GROUPS[group][0], name
    try:
        func(ctx, arg)
    except Skip as e:
        print(f"*** SKIPPED {args.case}: {e} ***")
        shutil.rmtree(work, ignore_errors=True)
        return SKIP
    except (Fail, subprocess.CalledProcessError, subprocess.TimeoutExpired) as e:
        print(f"FAILED {args.case}: {e}\n(work folder kept: {work})")
        return 1
    if os.environ.get("KEEP"):
        print(f"work folder kept: {work}")
    else:
        shutil.rmtree(work, ignore_errors=True)
    print(f"PASSED {args.case}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
