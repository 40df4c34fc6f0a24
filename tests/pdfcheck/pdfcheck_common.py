"""Shared helpers of the PDF end-to-end checks: tool lookup, building a book, page text."""
import os
import shutil
import subprocess
import sys
import tempfile

SKIP = 77  # ctest's SKIP_RETURN_CODE for these tests


def require_tools(*names):
    """Exits with the skip code, loudly, when a needed program is missing."""
    missing = [n for n in names if shutil.which(n) is None]
    if missing:
        print('SKIPPED: missing %s (install poppler-utils / python3)' % ', '.join(missing))
        sys.exit(SKIP)


def build_pdf(colophon, book_dir, out_dir, extra=()):
    """Builds BOOK_DIR to PDF with the COLOPHON binary and returns the PDF's path."""
    env = dict(os.environ, SOURCE_DATE_EPOCH='1700000000')
    r = subprocess.run([colophon, 'build', book_dir, '--format', 'pdf', '-o', out_dir, *extra],
                       capture_output=True, text=True, env=env)
    if r.returncode != 0:
        print(r.stdout + r.stderr)
        sys.exit('FAIL: colophon build %s exited with %d' % (book_dir, r.returncode))
    pdfs = [f for f in os.listdir(out_dir) if f.endswith('.pdf')]
    if len(pdfs) != 1:
        sys.exit('FAIL: expected one PDF in %s, found %s' % (out_dir, pdfs))
    return os.path.join(out_dir, pdfs[0])


def page_count(pdf):
    """Returns the number of pages of PDF (pdfinfo)."""
    out = subprocess.run(['pdfinfo', pdf], capture_output=True, text=True, check=True).stdout
    for line in out.splitlines():
        if line.startswith('Pages:'):
            return int(line.split()[1])
    sys.exit('FAIL: pdfinfo gives no page count for ' + pdf)


def page_text(pdf, page, layout=False):
    """Returns the text of one physical page (1-based) of PDF."""
    args = ['pdftotext', '-f', str(page), '-l', str(page)] + (['-layout'] if layout else [])
    return subprocess.run(args + [pdf, '-'], capture_output=True, text=True, check=True).stdout


def temp_dir():
    """Returns a fresh temporary directory removed at exit."""
    return tempfile.TemporaryDirectory(prefix='colophon-pdfcheck-')
