#!/usr/bin/env python3
"""Runs DAISY Ace on the guide's EPUB and on the Kobo target's EPUB of it; fails on any violation.

usage: ace_check.py COLOPHON_BINARY BOOK_DIR ACE_DIR

ACE_DIR is where `tools/dev` installed Ace from npm (node_modules/.bin/ace-cli). Ace
drives a browser through puppeteer: Debian's chromium, named by PUPPETEER_EXECUTABLE_PATH
(default /usr/bin/chromium). Both EPUBs come from one build; Ace checks them at the same
time. Every assertion Ace reports (WCAG, EPUB accessibility metadata), whatever its
impact, fails the test, listed with its file, rule and description.

Skips (exit 77), saying what to install, when Ace, node or chromium is missing.
"""
import glob
import json
import os
import shutil
import subprocess
import sys
import tempfile

SKIP = 77
TIMEOUT = 240  # seconds for one Ace run: only a hang takes this long


def skip(why):
    print('SKIPPED: ' + why + ' (tools/dev deps installs Ace with chromium and node)')
    sys.exit(SKIP)


def violations(report):
    """Returns one line per assertion of an Ace report.json."""
    with open(report, encoding='utf-8') as f:
        data = json.load(f)
    out = []
    for doc in data.get('assertions', []):
        where = doc.get('earl:testSubject', {}).get('url', '?')
        for a in doc.get('assertions', []):
            test = a.get('earl:test', {})
            result = a.get('earl:result', {})
            out.append('%s: %s [%s, %s]: %s' % (
                where, test.get('dct:title', '?'), test.get('earl:impact', '?'),
                result.get('earl:outcome', '?'),
                ' '.join(str(result.get('dct:description', '')).split())[:300]))
    outcome = data.get('earl:result', {}).get('earl:outcome')
    if outcome != 'pass' and not out:
        out.append('Ace says %r without an assertion' % outcome)
    return out


def main():
    colophon, book, ace_dir = sys.argv[1:4]
    ace = os.path.join(ace_dir, 'node_modules', '.bin', 'ace-cli')
    browser = os.environ.get('PUPPETEER_EXECUTABLE_PATH', '/usr/bin/chromium')
    if not os.access(ace, os.X_OK):
        skip('DAISY Ace is not installed in %s' % ace_dir)
    if shutil.which('node') is None:
        skip('node is missing (Debian package nodejs)')
    if not os.access(browser, os.X_OK):
        skip('no browser at %s (Debian package chromium)' % browser)
    env = dict(os.environ, PUPPETEER_EXECUTABLE_PATH=browser, SOURCE_DATE_EPOCH='1700000000')
    with tempfile.TemporaryDirectory(prefix='colophon-ace-') as tmp:
        out = os.path.join(tmp, 'out') + os.sep
        r = subprocess.run([colophon, 'build', book, '--target', 'epub,kobo', '-o', out, '-q'],
                           capture_output=True, text=True, env=env)
        if r.returncode != 0:
            print(r.stdout + r.stderr)
            sys.exit('FAIL: colophon build exited with %d' % r.returncode)
        epubs = sorted(glob.glob(os.path.join(out, '*.epub')))
        if len(epubs) != 2:
            sys.exit('FAIL: expected the EPUB and the Kobo EPUB, found %s' % epubs)
        runs = []
        for i, epub in enumerate(epubs):
            report = os.path.join(tmp, 'report-%d' % i)
            log = open(os.path.join(tmp, 'ace-%d.log' % i), 'w+', encoding='utf-8')
            proc = subprocess.Popen([ace, '--silent', '--force', '--outdir', report, epub],
                                    stdout=log, stderr=subprocess.STDOUT, env=env)
            runs.append((epub, report, log, proc))
        failed = []
        for epub, report, log, proc in runs:
            name = os.path.basename(epub)
            try:
                code = proc.wait(timeout=TIMEOUT)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
                failed.append('%s: Ace did not finish in %d s' % (name, TIMEOUT))
                continue
            log.seek(0)
            text = log.read()
            log.close()
            path = os.path.join(report, 'report.json')
            if code != 0 or not os.path.isfile(path):
                failed.append('%s: Ace exited with %d:\n%s' % (name, code, text[-2000:]))
                continue
            found = violations(path)
            failed += ['%s: %s' % (name, v) for v in found]
            if not found:
                print('ok: %s: Ace reports no violation' % name)
    if failed:
        print('FAIL:\n' + '\n'.join(failed[:60]))
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
