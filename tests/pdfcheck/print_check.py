#!/usr/bin/env python3
"""Checks the print profile on a book: what KDP and IngramSpark ask of an interior PDF.

usage: print_check.py COLOPHON_BINARY SOURCE_DIR [BOOK_DIR]

Builds BOOK_DIR (default: the user guide, book/) with [output.pdf] profile = "print",
trim = "6x9in" and bleed = "0.125in" (the book is copied, its book.toml given those
keys), then checks, with qpdf's JSON and poppler:

- qpdf --check is clean and every font is embedded;
- every page's TrimBox is 6 x 9 in, its BleedBox and MediaBox 0.125 in beyond it on the
  three outer edges (right on odd pages, left on even ones; top and bottom on both);
- no page has /Annots and the catalog has no /Outlines;
- the page count is even and the last page is blank;
- the text block's inside edge is the KDP inside margin for the page count
  (24-150 pages 0.375 in, 151-300 0.5, 301-500 0.625, 501-700 0.75, 701+ 0.875);
- every image is DeviceGray with no soft mask or colour-key mask;
- PDF/X-1a:2001: version 1.3, GTS_PDFXVersion and GTS_PDFXConformance in the info
  dictionary, /Trapped /False, an OutputIntent of /S /GTS_PDFX, a trailer /ID.
  (No PDF/X checker is packaged in Debian or on npm; these are its keys, read with qpdf.)

Skips (exit 77) when a tool, or the book, is missing.
"""
import json
import os
import re
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pdfcheck_common as common  # noqa: E402

INCH = 72.0
TRIM = (6 * INCH, 9 * INCH)
BLEED = 0.125 * INCH
KDP_INSIDE = [(150, 0.375), (300, 0.5), (500, 0.625), (700, 0.75)]  # up to N pages: inches
KDP_INSIDE_MAX = 0.875
SLACK = 0.6  # points of rounding allowed in boxes and margins


def kdp_inside(pages):
    """Returns KDP's inside margin for a book of PAGES pages, in points."""
    for limit, inches in KDP_INSIDE:
        if pages <= limit:
            return inches * INCH
    return KDP_INSIDE_MAX * INCH


def with_print_keys(toml):
    """Returns the book.toml text TOML with the print keys in its [output.pdf] table."""
    keys = 'profile = "print"\ntrim = "6x9in"\nbleed = "0.125in"\n'
    lines = [l for l in toml.split('\n') if not re.match(r'\s*(profile|trim|bleed)\s*=', l)
             or not in_pdf_table(toml, l)]
    text = '\n'.join(lines)
    if re.search(r'^\[output\.pdf\]\s*$', text, re.M):
        return re.sub(r'^\[output\.pdf\]\s*$', '[output.pdf]\n' + keys.rstrip('\n'), text,
                      count=1, flags=re.M)
    return text + '\n[output.pdf]\n' + keys


def in_pdf_table(toml, line):
    """Tells whether LINE of TOML lies in its [output.pdf] table."""
    table = None
    for l in toml.split('\n'):
        m = re.match(r'\s*\[([^\]]+)\]', l)
        if m:
            table = m.group(1)
        if l == line:
            return table == 'output.pdf'
    return False


def close(a, b):
    return abs(a - b) <= SLACK


def main():
    colophon, source = sys.argv[1], sys.argv[2]
    book = sys.argv[3] if len(sys.argv) > 3 else os.path.join(source, 'book')
    common.require_tools('qpdf', 'pdftotext', 'pdffonts', 'pdfinfo')
    if not os.path.isfile(os.path.join(book, 'book.toml')):
        print('SKIPPED: %s is absent' % book)
        return common.SKIP
    found = []
    with common.temp_dir() as tmp:
        copy = os.path.join(tmp, 'book')
        shutil.copytree(book, copy)
        toml_path = os.path.join(copy, 'book.toml')
        with open(toml_path, encoding='utf-8') as f:
            toml = f.read()
        with open(toml_path, 'w', encoding='utf-8') as f:
            f.write(with_print_keys(toml))
        env = dict(os.environ, SOURCE_DATE_EPOCH='1700000000')
        r = subprocess.run([colophon, 'build', copy, '--format', 'pdf', '-o',
                            os.path.join(tmp, 'out'), '--missing-anchors=warning'],
                           capture_output=True, text=True, env=env)
        if r.returncode != 0:
            print(r.stderr)
            sys.exit('FAIL: colophon exited with %d' % r.returncode)
        out = os.path.join(tmp, 'out')
        pdf = os.path.join(out, [f for f in os.listdir(out) if f.endswith('.pdf')][0])

        check = subprocess.run(['qpdf', '--check', pdf], capture_output=True, text=True)
        if check.returncode != 0:
            found.append('qpdf --check: ' + check.stdout[-500:] + check.stderr[-500:])
        for row in subprocess.run(['pdffonts', pdf], capture_output=True,
                                  text=True).stdout.splitlines()[2:]:
            if row.split()[-5] != 'yes':
                found.append('font not embedded: ' + row)

        data = json.loads(subprocess.run(['qpdf', '--json=2', pdf], capture_output=True,
                                         text=True, check=True).stdout)
        meta, objects = data['qpdf'][0], data['qpdf'][1]

        def obj(ref):
            return objects.get('obj:' + ref, {}).get('value', {})

        def deref(v):
            return obj(v) if isinstance(v, str) and v.endswith(' R') else v

        trailer = objects['trailer']['value']
        catalog = obj(trailer['/Root'])
        info = obj(trailer['/Info'])
        pages = data['pages']
        count = len(pages)

        # PDF/X-1a:2001.
        if meta['pdfversion'] != '1.3':
            found.append('PDF version %s, not 1.3 (PDF/X-1a:2001)' % meta['pdfversion'])
        if info.get('/GTS_PDFXVersion') != 'u:PDF/X-1:2001':
            found.append('GTS_PDFXVersion is %r' % info.get('/GTS_PDFXVersion'))
        if info.get('/GTS_PDFXConformance') != 'u:PDF/X-1a:2001':
            found.append('GTS_PDFXConformance is %r' % info.get('/GTS_PDFXConformance'))
        if info.get('/Trapped') != '/False':
            found.append('/Trapped is %r, not /False' % info.get('/Trapped'))
        if not str(info.get('/Title', '')).strip('u:'):
            found.append('no /Title in the info dictionary')
        intents = [deref(i) for i in deref(catalog.get('/OutputIntents', []))]
        if not any(i.get('/S') == '/GTS_PDFX' and i.get('/OutputConditionIdentifier')
                   for i in intents):
            found.append('no /GTS_PDFX output intent with an OutputConditionIdentifier: %r'
                         % intents)
        if '/ID' not in trailer:
            found.append('no /ID in the trailer')
        if '/Outlines' in catalog:
            found.append('the catalog has /Outlines')

        # Page boxes and annotations.
        for n, page in enumerate(pages, 1):
            p = obj(page['object'])
            trim, bleed, media = p.get('/TrimBox'), p.get('/BleedBox'), p.get('/MediaBox')
            if not trim or not bleed:
                found.append('page %d has no TrimBox or BleedBox' % n)
                continue
            if not (close(trim[2] - trim[0], TRIM[0]) and close(trim[3] - trim[1], TRIM[1])):
                found.append('page %d: TrimBox %r is not 6 x 9 in' % (n, trim))
            outer_right = n % 2 == 1
            want = [trim[0] - (0 if outer_right else BLEED), trim[1] - BLEED,
                    trim[2] + (BLEED if outer_right else 0), trim[3] + BLEED]
            for name, box in (('BleedBox', bleed), ('MediaBox', media)):
                if not box or not all(close(a, b) for a, b in zip(box, want)):
                    found.append('page %d: %s %r, not %r' % (n, name, box, want))
            if '/Annots' in p:
                found.append('page %d has /Annots' % n)
            if len(found) > 20:
                break

        # Page count and the blank last page.
        if count % 2:
            found.append('the page count %d is odd' % count)
        last = common.page_text(pdf, count).strip()
        if last:
            found.append('the last page is not blank: %r' % last[:80])

        # Inside margin: the text block's edge nearest the spine, over all pages.
        inside = kdp_inside(count)
        bbox = subprocess.run(['pdftotext', '-bbox', pdf, '-'], capture_output=True,
                              text=True, check=True).stdout
        recto_min, verso_max = [], []
        for n, block in enumerate(re.split(r'<page ', bbox)[1:], 1):
            xs = [(float(a), float(b)) for a, b in
                  re.findall(r'<word xMin="([0-9.]+)" yMin="[0-9.]+" xMax="([0-9.]+)"', block)]
            if len(xs) < 20:  # title, blank and nearly empty pages say nothing of margins
                continue
            trim = obj(pages[n - 1]['object'])['/TrimBox']
            if n % 2 == 1:
                recto_min.append(min(a for a, _ in xs) - trim[0])
            else:
                verso_max.append(trim[2] - max(b for _, b in xs))
        got = min(recto_min + verso_max) if recto_min or verso_max else None
        if got is None or abs(got - inside) > 1.0:
            found.append('inside margin %s pt for %d pages; KDP asks %.1f pt'
                         % ('none' if got is None else '%.1f' % got, count, inside))

        # Images.
        images = 0
        for key, value in objects.items():
            d = value.get('stream', {}).get('dict', {}) if isinstance(value, dict) else {}
            if d.get('/Subtype') != '/Image':
                continue
            images += 1
            if d.get('/ColorSpace') not in ('/DeviceGray', '/DeviceCMYK'):
                found.append('%s: image in %r' % (key, d.get('/ColorSpace')))
            for mask in ('/SMask', '/Mask'):
                if mask in d:
                    found.append('%s: image has %s' % (key, mask))
    if found:
        print('FAIL (%s):\n' % os.path.basename(book.rstrip('/')) + '\n'.join(found[:40]))
        return 1
    print('ok: %s: %d pages, inside margin %.1f pt, %d images in gray, PDF/X-1a keys present'
          % (os.path.basename(book.rstrip('/')), count, inside, images))
    return 0


if __name__ == '__main__':
    sys.exit(main())
