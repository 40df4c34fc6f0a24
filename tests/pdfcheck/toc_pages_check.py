#!/usr/bin/env python3
"""Checks that the table of contents of book/'s PDF gives the pages where chapters start.

usage: toc_pages_check.py COLOPHON_BINARY SOURCE_DIR

The TOC entries ("Title . . . . 12") are read from the front-matter pages with
pdftotext -layout; the page labels (roman front matter, then arabic from 1) from
qpdf --json. The physical page labelled N must open with the entry's title, and not
as a running head (the title beside the folio on a chapter's later pages).
"""
import json
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pdfcheck_common as common  # noqa: E402

ENTRY = re.compile(r'^\s*(\S.*?)\s*(?:\.\s*){3,}(\d+)\s*$')


def norm(text):
    """Returns TEXT lower-cased with only its letters and digits."""
    return ''.join(c for c in text.lower() if c.isalnum())


def arabic_start(pdf):
    """Returns (physical index of the first arabic page, its number) from the page labels."""
    out = subprocess.run(['qpdf', '--json', '--json-key=pagelabels', pdf], capture_output=True,
                         text=True, check=True).stdout
    labels = json.loads(out).get('pagelabels', [])
    arabic = [l for l in labels if l['label'].get('/S') == '/D']
    if not arabic or not any(l['label'].get('/S') == '/r' for l in labels):
        sys.exit('FAIL: expected roman then arabic page labels, found %s' % labels)
    return arabic[0]['index'], arabic[0]['label'].get('/St', 1)


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    common.require_tools('pdftotext', 'pdfinfo', 'qpdf')
    colophon, source = sys.argv[1], sys.argv[2]
    failures = 0
    with common.temp_dir() as out:
        pdf = common.build_pdf(colophon, os.path.join(source, 'book'), out)
        first, number = arabic_start(pdf)
        entries = []
        for page in range(1, first + 1):  # the front matter (physical index < first)
            for line in common.page_text(pdf, page, layout=True).splitlines():
                m = ENTRY.match(line)
                if m:
                    entries.append((m.group(1), int(m.group(2))))
        pages = common.page_count(pdf)
        for title, label in entries:
            physical = first + (label - number) + 1  # 1-based
            if not 1 <= physical <= pages:
                print('FAIL: "%s" points to page %d, the book has %d pages' % (title, label, pages))
                failures += 1
                continue
            opening = norm(common.page_text(pdf, physical))
            lines = [l for l in common.page_text(pdf, physical, layout=True).splitlines() if l.strip()]
            # A chapter's later pages start with a running head: the title beside the folio.
            folio = physical - 1 - first + number  # the page's own label
            running_head = bool(lines) and re.search(r'(^|\s)%d(\s|$)' % folio, lines[0])
            if running_head:
                print('FAIL: "%s" listed on page %d, but that page has a running head: %s' %
                      (title, label, lines[0].strip()))
                failures += 1
            elif not opening.startswith(norm(title)):
                print('FAIL: "%s" listed on page %d, but that page (physical %d) opens with: %.60s' %
                      (title, label, physical, common.page_text(pdf, physical).strip()))
                failures += 1
    print('%d contents entries checked, %d wrong' % (len(entries), failures))
    if len(entries) < 10:
        print('FAIL: too few contents entries found (%d)' % len(entries))
        failures += 1
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main())
