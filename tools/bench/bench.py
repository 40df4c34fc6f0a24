#!/usr/bin/env python3
"""Prints colophon's build time and peak memory beside the targets of issues 2 and 3.

    tools/bench/bench.py [--colophon EXE] [--build-dir DIR] [--runs 9] [--pandoc-runs 3]
                         [--no-pandoc] [--pdf-only [--baseline EXE]] [--only NAME ...]

Builds colophon in release mode (unless --colophon names an executable), then builds
the corpus book (../shared/corpus/ten-days from the repository root; skipped loudly when
absent) and the generated large book at scale 1 and 2 (tools/bench/gen_large_book.py)
with --format epub, pdf and all; then the guide (book/), the corpus and the large book
with each output target alone (--target NAME) and every target at once. Each figure is the median of --runs runs (9: a 40 ms
build on a shared machine varies by a few milliseconds from run to run, so a median
of three is not enough to judge a 50x target; pandoc, at seconds a run, gets 3): wall
time and peak resident memory (getrusage of the child). When pandoc is installed, it also
times pandoc converting the same chapters to EPUB. It also times mdBook's guide
(../shared/corpus/mdbook) with and without its preprocessors, to show what includes
and preprocessing add. Not a test: it prints figures and
marks each target "ok" or "MISSED" (judged on wall time, as the issues state them; CPU
time is printed beside it because a shared machine inflates wall time). The exit code
is 0 unless the tool itself failed. --pdf-only times only the PDF of the corpus and the
large books, with their page counts, the time a 2,000-page book takes at the large
books' time per page, and (--baseline EXE) the corpus's time over that of another
executable, such as one built before text shaping (issue 11). --only NAME (repeatable)
times only the cases of those names, as the headings and targets print them: corpus,
large-x1, large-x2, mdbook (mdBook's guide) and guide (this repository's guide, timed
by target); `--only mdbook --runs 1` is a quick look at mdBook's guide alone.
"""

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CORPUS = os.path.join(os.path.dirname(REPO), "shared", "corpus", "ten-days")
MDBOOK = os.path.join(os.path.dirname(REPO), "shared", "corpus", "mdbook")
FORMATS = ("epub", "pdf", "all")
CASES = ("corpus", "large-x1", "large-x2", "mdbook", "guide")  # the names --only takes
EPOCH = "1700000000"  # fixed SOURCE_DATE_EPOCH: every run writes the same bytes

# Targets from the issues (seconds, megabytes, ratios).
PANDOC_SPEEDUP_MIN = 50.0         # issue 2: at least 50 times faster than pandoc
LARGE_EPUB_PEAK_MB_MAX = 100.0    # issue 2: large book EPUB under 100 MB
LINEAR_RATIO_MAX = 2.2            # issue 2: double the book, at most 2.2 times the time
CORPUS_PDF_S_MAX = 1.0            # issue 3: corpus to PDF in at most 1 s
LARGE_PDF_S_MAX = 3.0             # issue 3: 2 MB book to PDF in at most 3 s
PDF_PEAK_MB_MAX = 300.0           # issue 3: peak memory under 300 MB
ALL_OVER_SLOWER_MAX = 1.3         # issue 3: EPUB+PDF at most 1.3 times the slower alone
EVERY_OVER_SLOWEST_MAX = 1.5      # issue 10: every target at most 1.5 times the slowest alone
PREPROCESS_ADDED_MAX = 0.10       # issue 9: includes and preprocessing add under 10%
SHAPING_OVER_BASELINE_MAX = 1.2   # issue 11: the corpus PDF at most 1.2 times its time before shaping
BIG_BOOK_PAGES = 2000             # issue 11: a War-and-Peace-sized book ...
BIG_BOOK_PDF_S_MAX = 3.0          # ... to PDF in under 3 s


class Run:
    """One measured process: wall and CPU seconds, peak RSS in MB, exit code, an error line."""

    def __init__(self, seconds, cpu, peak_mb, code, tail):
        self.seconds, self.cpu, self.peak_mb = seconds, cpu, peak_mb
        self.code, self.tail = code, tail


def measure(cmd, cwd=None, env_extra=None):
    """Runs CMD once and returns its Run (wall time and the child's own peak memory)."""
    env = dict(os.environ, SOURCE_DATE_EPOCH=EPOCH, **(env_extra or {}))
    with tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        err.seek(0)
        lines = err.read().decode("utf-8", "replace").strip().splitlines()
    errors = [l for l in lines if "error" in l]
    tail = (errors or lines or [""])[0]
    cpu = usage.ru_utime + usage.ru_stime
    return Run(seconds, cpu, usage.ru_maxrss / 1024.0, proc.returncode, tail)


def median_run(cmd, runs, cwd=None, env_extra=None, ok_codes=(0,)):
    """Runs CMD RUNS times; returns the median figures, or the first failing Run."""
    results = []
    for _ in range(runs):
        r = measure(cmd, cwd, env_extra)
        if r.code not in ok_codes:
            return r
        results.append(r)
    return Run(statistics.median(r.seconds for r in results),
               statistics.median(r.cpu for r in results),
               statistics.median(r.peak_mb for r in results), 0, "")


def build_colophon(build_dir):
    """Configures and builds the release colophon executable; returns its path."""
    subprocess.run(["cmake", "-S", REPO, "-B", build_dir, "-G", "Ninja",
                    "-DCMAKE_BUILD_TYPE=Release"], check=True, stdout=subprocess.DEVNULL)
    subprocess.run(["cmake", "--build", build_dir, "--target", "colophon", "-j2"], check=True)
    for rel in ("tools/cli/colophon", "colophon"):
        exe = os.path.join(build_dir, rel)
        if os.access(exe, os.X_OK):
            return exe
    sys.exit(f"bench: built, but no colophon executable under {build_dir}")


def summary_files(book):
    """Lists the chapter files of BOOK in SUMMARY.md order (for pandoc)."""
    src = os.path.join(book, "src")
    with open(os.path.join(src, "SUMMARY.md"), encoding="utf-8") as f:
        names = re.findall(r"\]\(([^)#]+\.md)\)", f.read())
    seen, files = set(), []
    for n in names:
        if n not in seen:
            seen.add(n)
            files.append(n)
    return src, files


def verdict(ok):
    return "ok" if ok else "MISSED"


def fmt_run(r):
    if r is None:
        return "skipped"
    if r.code != 0:
        return f"FAILED (exit {r.code}: {r.tail[:70]})"
    return f"{r.seconds:7.3f} s wall  {r.cpu:7.3f} s CPU  {r.peak_mb:7.1f} MB peak"


def mdbook_books(work):
    """Copies mdBook's guide into two git work trees under WORK: as it is, and with its
    preprocessors off ([build] use-default-preprocessors = false, no [preprocessor.*])
    but `index`, which only renames README.md to index.md and which the guide's links to
    .../index.html need (without it they find no chapter, in mdBook too); returns the
    two guide folders."""
    out = []
    for kind in ("as-is", "plain"):
        tree = os.path.join(work, f"mdbook-{kind}")
        if not os.path.isdir(tree):
            shutil.copytree(MDBOOK, tree)
            subprocess.run(["git", "init", "-q", tree], check=True)
            if kind == "plain":
                toml = os.path.join(tree, "guide", "book.toml")
                with open(toml, encoding="utf-8") as f:
                    text = f.read()
                text = re.sub(r"\[preprocessor\.[^\]]*\][^\[]*", "", text)
                text = text.replace("[build]\n", "[build]\nuse-default-preprocessors = false\n")
                text += "\n[preprocessor.index]\n"
                with open(toml, "w", encoding="utf-8") as f:
                    f.write(text)
        out.append(os.path.join(tree, "guide"))
    return out


def path_without(program):
    """Returns PATH without the folders that hold PROGRAM."""
    return os.pathsep.join(d for d in os.environ.get("PATH", "").split(os.pathsep)
                           if d and not os.path.exists(os.path.join(d, program)))


def bench_mdbook(exe, work, runs):
    """Prints what the links and index preprocessors (includes, escapes) and the custom
    preprocessor's lookup add to building mdBook's guide; returns (label, value, target,
    verdict) rows. Its preprocessor is a cargo command: cargo is kept off PATH, as on a
    machine without it. Until the guide builds without error (raw <img>, issue 9 point 5),
    `check` (read and passes, where preprocessing happens) is timed instead of the EPUB."""
    if not os.path.isfile(os.path.join(MDBOOK, "guide", "book.toml")):
        print(f"\n*** SKIPPED mdBook's guide: {MDBOOK} is absent ***\n")
        return []
    as_is, plain = mdbook_books(work)
    env = {"PATH": path_without("cargo")}
    out = os.path.join(work, "out", "mdbook")
    probe = measure([exe, "build", as_is, "-o", out, "--format", "epub", "-q"], env_extra=env)
    if probe.code == 0:
        what, args, codes = "EPUB build", ["build", "--format", "epub", "-o", out, "-q"], (0,)
    else:
        print(f"  (the guide does not build yet: {probe.tail}; timing `check`)")
        what, args, codes = "check", ["check", "-q"], (0, 1)
    print(f"\n== mdBook's guide: {what} with and without its preprocessors")
    r_with = median_run([exe] + args + [as_is], runs, env_extra=env, ok_codes=codes)
    r_without = median_run([exe] + args + [plain], runs, env_extra=env, ok_codes=codes)
    print(f"  with links, index, guide-helper   {fmt_run(r_with)}")
    print(f"  without preprocessors (but index) {fmt_run(r_without)}")
    if r_with.code not in codes or r_without.code not in codes:
        return [("mdbook: preprocessing adds", "n/a", f"< {PREPROCESS_ADDED_MAX:.0%}",
                 "NOT MEASURED (a build failed)")]
    added = r_with.seconds / r_without.seconds - 1
    added_cpu = r_with.cpu / max(r_without.cpu, 1e-6) - 1
    return [(f"mdbook: preprocessing adds ({what})", f"{added:+.1%}",
             f"< {PREPROCESS_ADDED_MAX:.0%}",
             verdict(added < PREPROCESS_ADDED_MAX) + f" (CPU time: {added_cpu:+.1%})")]


def target_names(exe):
    """Returns the names of the targets colophon lists in `build --help`."""
    text = subprocess.run([exe, "build", "--help"], capture_output=True, text=True).stdout
    return re.findall(r"^\s+([a-z][a-z0-9-]*)\s+.*\((\.[a-z.]+)", text, re.M)


def bench_targets(exe, work, runs, books):
    """Prints each target alone and every target at once for each of BOOKS ((name, path));
    returns the rows comparing every target at once with the slowest alone."""
    names = [name for name, _ in target_names(exe)]
    rows = []
    if not names:
        print("\n*** SKIPPED targets: `colophon build --help` lists none ***")
        return rows
    for name, book in books:
        print(f"\n== {name}: each target alone, then all {len(names)} at once")
        extra = ["--missing-anchors=warning"] if name == "corpus" else []
        alone = {}
        for target in names + [",".join(names)]:
            out = os.path.join(work, "out", name, "targets", target.replace(",", "+"))
            shutil.rmtree(out, ignore_errors=True)
            r = median_run([exe, "build", book, "-o", out, "--target", target, "-q"] + extra, runs)
            alone[target] = r
            print(f"  --target {target:<24s} {fmt_run(r)}")
        every = alone.pop(",".join(names))
        if every.code != 0 or any(r.code != 0 for r in alone.values()):
            rows.append((f"{name}: every target / slowest alone", "n/a",
                         f"<= {EVERY_OVER_SLOWEST_MAX}x", "NOT MEASURED (a build failed)"))
            continue
        slowest = max(alone, key=lambda t: alone[t].seconds)
        ratio = every.seconds / alone[slowest].seconds
        cpu = every.cpu / max(sum(r.cpu for r in alone.values()), 1e-6)
        rows.append((f"{name}: every target / slowest alone ({slowest})", f"{ratio:.2f}x",
                     f"<= {EVERY_OVER_SLOWEST_MAX}x",
                     verdict(ratio <= EVERY_OVER_SLOWEST_MAX) +
                     f" (CPU time: every / sum of alone {cpu:.2f}x)"))
    return rows


def pdf_pages(pdf):
    """Returns the page count of PDF (pdfinfo), or 0 when it cannot tell."""
    if not shutil.which("pdfinfo"):
        return 0
    out = subprocess.run(["pdfinfo", pdf], capture_output=True, text=True).stdout
    m = re.search(r"^Pages:\s+(\d+)", out, re.M)
    return int(m.group(1)) if m else 0


def bench_pdf(exe, baseline, work, runs, cases):
    """Prints the PDF figures of issue 11: each book's pages, time and memory, the time
    of a 2,000-page book (from the large books' time per page), and with BASELINE the
    ratio of the corpus's time to that executable's."""
    rows, per_page = [], []
    for name, book in cases:
        extra = ["--missing-anchors=warning"] if name == "corpus" else []
        figures = {}
        for label, program in (("now", exe), ("baseline", baseline)):
            if not program:
                continue
            out = os.path.join(work, "out", name, "pdf-" + label)
            shutil.rmtree(out, ignore_errors=True)
            r = median_run([program, "build", book, "-o", out, "--format", "pdf", "-q"] + extra,
                           runs)
            pdfs = [f for f in os.listdir(out) if f.endswith(".pdf")] if os.path.isdir(out) else []
            pages = pdf_pages(os.path.join(out, pdfs[0])) if pdfs else 0
            figures[label] = r
            print(f"  {name:9s} PDF ({label:8s}) {pages:5d} pages  {fmt_run(r)}")
            if label == "now" and r.code == 0 and pages and name.startswith("large"):
                per_page.append((r.seconds / pages, r.cpu / pages))
        now, base = figures.get("now"), figures.get("baseline")
        if name == "corpus" and now and base and now.code == 0 and base.code == 0:
            ratio, cpu_ratio = now.seconds / base.seconds, now.cpu / max(base.cpu, 1e-6)
            rows.append(("corpus: PDF time / baseline", f"{ratio:.2f}x",
                         f"<= {SHAPING_OVER_BASELINE_MAX}x",
                         verdict(ratio <= SHAPING_OVER_BASELINE_MAX) + f" (CPU time: {cpu_ratio:.2f}x)"))
    if per_page:
        wall = max(p[0] for p in per_page) * BIG_BOOK_PAGES
        cpu = max(p[1] for p in per_page) * BIG_BOOK_PAGES
        rows.append((f"{BIG_BOOK_PAGES} pages: PDF time (large books' time per page)",
                     f"{wall:.2f} s", f"< {BIG_BOOK_PDF_S_MAX} s",
                     verdict(wall < BIG_BOOK_PDF_S_MAX) + f" (CPU time: {cpu:.2f} s)"))
    print("\n== targets")
    width = max((len(r[0]) for r in rows), default=0)
    for label, value, target, mark in rows:
        print(f"  {label:<{width}}  {value:>10}  target {target:<9}  {mark}")
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--colophon", help="use this executable instead of building one")
    ap.add_argument("--build-dir", default=os.path.join(REPO, "build-bench"))
    ap.add_argument("--runs", type=int, default=9)
    ap.add_argument("--pandoc-runs", type=int, default=3, help="0: do not time pandoc")
    ap.add_argument("--no-pandoc", action="store_true")
    ap.add_argument("--work", help="keep generated books and outputs here")
    ap.add_argument("--pdf-only", action="store_true",
                    help="only the PDF of the corpus and the large books: pages, time, memory")
    ap.add_argument("--baseline", help="with --pdf-only: another colophon executable (one "
                    "built before a change, such as shaping) timed on the same books")
    ap.add_argument("--only", action="append", choices=CASES, metavar="NAME",
                    help="time only this case; repeatable; one of " + ", ".join(CASES) +
                    " (default: every case)")
    args = ap.parse_args()
    only = set(args.only or CASES)
    if args.pdf_only and not only & {"corpus", "large-x1", "large-x2"}:
        ap.error("--pdf-only times corpus, large-x1 and large-x2: --only names none of them")
    if args.runs < 1:
        ap.error("--runs must be at least 1")
    pandoc_runs = args.pandoc_runs  # 0 (or less) times pandoc not at all, as --no-pandoc

    exe = os.path.abspath(args.colophon) if args.colophon else build_colophon(args.build_dir)
    work = args.work or tempfile.mkdtemp(prefix="colophon-bench-")
    os.makedirs(work, exist_ok=True)
    pandoc = None if args.no_pandoc or pandoc_runs < 1 else shutil.which("pandoc")
    print(f"colophon: {exe}")
    print(f"runs: median of {args.runs}; work dir: {work}")
    load, cores = os.getloadavg()[0], os.cpu_count() or 1
    print(f"load average {load:.1f} on {cores} cores" +
          ("  *** BUSY MACHINE: wall times are inflated; CPU times are steadier ***"
           if load > cores else ""))
    if pandoc:
        version = subprocess.run([pandoc, "--version"], capture_output=True, text=True)
        print(f"pandoc: {version.stdout.splitlines()[0]} (median of {pandoc_runs})")
    else:
        print("pandoc: not installed (or --no-pandoc, --pandoc-runs 0): no comparison "
              "(apt-get install pandoc to compare)")

    if args.only:
        print("only: " + ", ".join(c for c in CASES if c in only))

    cases = []
    if "corpus" in only and os.path.isfile(os.path.join(CORPUS, "book.toml")):
        cases.append(("corpus", CORPUS))
    elif "corpus" in only:
        print(f"\n*** SKIPPED the corpus book: {CORPUS} is absent ***\n")
    for scale in (1, 2):
        if f"large-x{scale}" not in only:
            continue
        book = os.path.join(work, f"large-x{scale}")
        if not os.path.isdir(book):
            subprocess.run([sys.executable, os.path.join(REPO, "tools/bench/gen_large_book.py"),
                            book, "--scale", str(scale)], check=True)
        cases.append((f"large-x{scale}", book))

    if args.pdf_only:
        return bench_pdf(exe, args.baseline and os.path.abspath(args.baseline), work,
                         args.runs, cases)

    results = {}  # (case, format) -> Run
    pandoc_results = {}
    for name, book in cases:
        mb = sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(book)
                 for f in fs if f.endswith(".md")) / 1e6
        print(f"\n== {name}: {book} ({mb:.2f} MB of Markdown)")
        for fmt in FORMATS:
            out = os.path.join(work, "out", name, fmt)
            shutil.rmtree(out, ignore_errors=True)
            # The corpus keeps two links to ids its conversion lost: build it as a user would.
            extra = ["--missing-anchors=warning"] if name == "corpus" else []
            r = median_run([exe, "build", book, "-o", out, "--format", fmt, "-q"] + extra,
                           args.runs)
            results[(name, fmt)] = r
            print(f"  colophon --format {fmt:4s}  {fmt_run(r)}")
        if pandoc:
            src, files = summary_files(book)
            os.makedirs(os.path.join(work, "out", name), exist_ok=True)
            out = os.path.join(work, "out", name, "pandoc.epub")
            cmd = [pandoc, "-f", "markdown", "-t", "epub3", "-o", out,
                   "--metadata", f"title={name}", "--resource-path", src] + files
            r = median_run(cmd, pandoc_runs, cwd=src)
            pandoc_results[name] = r
            print(f"  pandoc -> epub3         {fmt_run(r)}")

    def ok(name, fmt):
        r = results.get((name, fmt))
        return r is not None and r.code == 0

    mdbook_rows = bench_mdbook(exe, work, args.runs) if "mdbook" in only else []
    target_books = [c for c in cases if c[0] in ("corpus", "large-x1")]
    if "guide" in only:
        target_books.insert(0, ("guide", os.path.join(REPO, "book")))
    target_rows = bench_targets(exe, work, args.runs, target_books) if target_books else []

    print("\n== targets")
    rows = list(mdbook_rows) + target_rows
    for name, _ in cases:
        if ok(name, "epub") and ok(name, "pdf") and ok(name, "all"):
            slower = max(results[(name, "epub")].seconds, results[(name, "pdf")].seconds)
            ratio = results[(name, "all")].seconds / slower
            rows.append((f"{name}: all / slower alone", f"{ratio:.2f}x",
                         f"<= {ALL_OVER_SLOWER_MAX}x", verdict(ratio <= ALL_OVER_SLOWER_MAX)))
        else:
            rows.append((f"{name}: all / slower alone", "n/a", f"<= {ALL_OVER_SLOWER_MAX}x",
                         "NOT MEASURED (a build failed)"))
        if pandoc and name in pandoc_results and ok(name, "epub"):
            p = pandoc_results[name]
            if p.code == 0:
                e = results[(name, "epub")]
                f, fc = p.seconds / e.seconds, p.cpu / max(e.cpu, 1e-6)
                rows.append((f"{name}: speed-up over pandoc (EPUB)", f"{f:.1f}x",
                             f">= {PANDOC_SPEEDUP_MIN:.0f}x",
                             verdict(f >= PANDOC_SPEEDUP_MIN) + f" (CPU time: {fc:.1f}x)"))
    if ok("corpus", "pdf"):
        s = results[("corpus", "pdf")].seconds
        rows.append(("corpus: PDF time", f"{s:.3f} s", f"<= {CORPUS_PDF_S_MAX} s",
                     verdict(s <= CORPUS_PDF_S_MAX)))
    if ok("large-x1", "epub"):
        m = results[("large-x1", "epub")].peak_mb
        rows.append(("large-x1: EPUB peak memory", f"{m:.1f} MB",
                     f"< {LARGE_EPUB_PEAK_MB_MAX:.0f} MB", verdict(m < LARGE_EPUB_PEAK_MB_MAX)))
    if ok("large-x1", "pdf"):
        r = results[("large-x1", "pdf")]
        rows.append(("large-x1: PDF time", f"{r.seconds:.3f} s", f"<= {LARGE_PDF_S_MAX} s",
                     verdict(r.seconds <= LARGE_PDF_S_MAX)))
    for name, _ in cases:
        for fmt in ("pdf", "all"):
            if ok(name, fmt):
                m = results[(name, fmt)].peak_mb
                rows.append((f"{name}: {fmt} peak memory", f"{m:.1f} MB",
                             f"< {PDF_PEAK_MB_MAX:.0f} MB", verdict(m < PDF_PEAK_MB_MAX)))
    if {"large-x1", "large-x2"} <= only:  # linearity: the one book at two sizes
        for fmt in FORMATS:
            if ok("large-x1", fmt) and ok("large-x2", fmt):
                a, b = results[("large-x1", fmt)], results[("large-x2", fmt)]
                lin, lin_cpu = b.seconds / a.seconds, b.cpu / max(a.cpu, 1e-6)
                rows.append((f"linearity {fmt}: x2 time / x1 time", f"{lin:.2f}x",
                             f"<= {LINEAR_RATIO_MAX}x",
                             verdict(lin <= LINEAR_RATIO_MAX) + f" (CPU time: {lin_cpu:.2f}x)"))
            else:
                rows.append((f"linearity {fmt}: x2 time / x1 time", "n/a",
                             f"<= {LINEAR_RATIO_MAX}x", "NOT MEASURED (a build failed)"))
    width = max((len(r[0]) for r in rows), default=0)
    for label, value, target, mark in rows:
        print(f"  {label:<{width}}  {value:>10}  target {target:<9}  {mark}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
