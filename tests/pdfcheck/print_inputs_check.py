#!/usr/bin/env python3
"""Checks that the print PDF stays PDF/X-1a:2001 whatever images and fonts a book brings.

usage: print_inputs_check.py COLOPHON_BINARY SOURCE_DIR

Builds a small book in the print profile whose text font is an OpenType font with
name-keyed CFF outlines (URW's Nimbus Roman, Debian's fonts-urw-base35) and whose
figure is a colour JPEG (the test JPEG of tests/pdf/sample_jpeg.h), then checks with
qpdf's JSON and poppler:

- the file is PDF 1.3 and qpdf --check is clean;
- every font is embedded, and every CFF one as a bare CFF program (FontFile3
  /CIDFontType0C, a PDF 1.3 kind), none as an OpenType file (/OpenType needs PDF 1.6);
- the JPEG is still a JPEG (/DCTDecode) and DeviceGray, with one component;
- the text extracts, the "fi" ligature as "fi";
- the page drawn by pdftoppm shows the photograph in grey where it was placed.

Skips (exit 77) when a tool or the font is missing.
"""
import json
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pdfcheck_common as common  # noqa: E402

FONT_DIR = '/usr/share/fonts/opentype/urw-base35'
FONTS = {'regular': 'NimbusRoman-Regular.otf', 'italic': 'NimbusRoman-Italic.otf',
         'bold': 'NimbusRoman-Bold.otf', 'bold-italic': 'NimbusRoman-BoldItalic.otf'}
SENTENCE = 'The first office files of a fine firm stand beside the photograph.'


def sample_jpeg(source):
    """Returns the bytes of the test JPEG written out in tests/pdf/sample_jpeg.h."""
    with open(os.path.join(source, 'tests', 'pdf', 'sample_jpeg.h'), encoding='utf-8') as f:
        body = f.read().split('{', 1)[1].split('}', 1)[0]
    return bytes(int(h, 16) for h in re.findall(r'0x([0-9A-Fa-f]{2})', body))


def make_book(root, source):
    """Writes the test book into ROOT."""
    os.makedirs(os.path.join(root, 'src', 'images'))
    with open(os.path.join(root, 'book.toml'), 'w', encoding='utf-8') as f:
        f.write('[book]\ntitle = "Print Inputs"\nauthors = ["A. Tester"]\nlanguage = "en"\n'
                '[output.pdf]\nprofile = "print"\ntrim = "6x9in"\nstyle = "print.toml"\n')
    with open(os.path.join(root, 'print.toml'), 'w', encoding='utf-8') as f:
        f.write('[fonts.text]\n')
        for style, name in FONTS.items():
            f.write('%s = "%s"\n' % (style, os.path.join(FONT_DIR, name)))
    with open(os.path.join(root, 'src', 'SUMMARY.md'), 'w', encoding='utf-8') as f:
        f.write('# Summary\n\n- [Photograph](photo.md)\n')
    with open(os.path.join(root, 'src', 'photo.md'), 'w', encoding='utf-8') as f:
        f.write('# Photograph\n\n%s\n\n![A red and blue photograph](images/photo.jpg)\n'
                % SENTENCE)
    with open(os.path.join(root, 'src', 'images', 'photo.jpg'), 'wb') as f:
        f.write(sample_jpeg(source))


def main():
    colophon, source = sys.argv[1], sys.argv[2]
    common.require_tools('qpdf', 'pdftotext', 'pdffonts', 'pdftoppm')
    if not all(os.path.isfile(os.path.join(FONT_DIR, n)) for n in FONTS.values()):
        print('SKIPPED: Nimbus Roman (an OpenType CFF font) is missing: install fonts-urw-base35')
        return common.SKIP
    found = []
    with common.temp_dir() as tmp:
        book = os.path.join(tmp, 'book')
        make_book(book, source)
        pdf = common.build_pdf(colophon, book, os.path.join(tmp, 'out'))

        check = subprocess.run(['qpdf', '--check', pdf], capture_output=True, text=True)
        if check.returncode != 0:
            found.append('qpdf --check: ' + check.stdout[-500:] + check.stderr[-500:])
        data = json.loads(subprocess.run(['qpdf', '--json=2', pdf], capture_output=True,
                                         text=True, check=True).stdout)
        meta, objects = data['qpdf'][0], data['qpdf'][1]
        if meta['pdfversion'] != '1.3':
            found.append('PDF version %s, not 1.3 (PDF/X-1a:2001)' % meta['pdfversion'])

        programs, images = [], []
        for key, value in objects.items():
            d = value.get('stream', {}).get('dict', {}) if isinstance(value, dict) else {}
            if d.get('/Subtype') == '/Image':
                images.append((key, d))
            elif d.get('/Subtype') in ('/CIDFontType0C', '/OpenType', '/Type1C'):
                programs.append((key, d['/Subtype']))
        nimbus = [r for r in subprocess.run(['pdffonts', pdf], capture_output=True,
                                            text=True).stdout.splitlines()[2:]
                  if 'NimbusRoman' in r]
        if not nimbus:
            found.append('no Nimbus Roman font in the PDF')
        for row in nimbus:
            if row.split()[-5] != 'yes':
                found.append('font not embedded: ' + row)
        if not programs:
            found.append('no CFF font program in the PDF')
        for key, subtype in programs:
            if subtype != '/CIDFontType0C':
                found.append('%s: font program %s, not a bare CFF (/CIDFontType0C)' % (key, subtype))

        if len(images) != 1:
            found.append('%d images, not the one photograph' % len(images))
        for key, d in images:
            if d.get('/Filter') not in ('/DCTDecode', ['/DCTDecode']):
                found.append('%s: the photograph is %r, no longer a JPEG' % (key, d.get('/Filter')))
            if d.get('/ColorSpace') != '/DeviceGray':
                found.append('%s: the photograph is in %r, not DeviceGray' % (key, d.get('/ColorSpace')))

        text = ' '.join(subprocess.run(['pdftotext', pdf, '-'], capture_output=True, text=True,
                                       check=True).stdout.replace('\ufb01', 'fi').split())
        if SENTENCE not in text:
            found.append('the sentence does not extract: %r' % text[:300])

        # The page with the photograph, drawn in colour: grey pixels where the image is.
        page = next((n for n in range(1, common.page_count(pdf) + 1)
                     if 'photograph' in common.page_text(pdf, n)), None)
        if page is None:
            found.append('no page shows the sentence')
        else:
            ppm = subprocess.run(['pdftoppm', '-r', '20', '-f', str(page), '-l', str(page), pdf],
                                 capture_output=True, check=True).stdout
            header = re.match(rb'P6\s+(\d+)\s+(\d+)\s+255\s', ppm)
            pixels = ppm[header.end():] if header else b''
            dark = [pixels[i:i + 3] for i in range(0, len(pixels) - 2, 3)
                    if max(pixels[i:i + 3]) < 200]
            colour = [p for p in dark if max(p) - min(p) > 8]
            if len(dark) < 10:
                found.append('the page shows no photograph (%d dark pixels)' % len(dark))
            if colour:
                found.append('%d of the page\'s dark pixels are coloured, e.g. %r'
                             % (len(colour), colour[0]))
    if found:
        print('FAIL:\n' + '\n'.join(found[:40]))
        return 1
    print('ok: PDF 1.3, %d CFF font programs bare, the colour JPEG grey and still a JPEG'
          % len(programs))
    return 0


if __name__ == '__main__':
    sys.exit(main())
