"""Post-condition checks of the attack corpus (tests/data/attacks/cases.tsv, run by
tests/cli/attacks.sh): `attacks_checks.py CHECK PATH` exits 0 when the check holds, else prints
why and exits 1."""
import csv
import re
import sys
import zipfile
import xml.etree.ElementTree as ET

NUMBER = re.compile(r"^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$")


def csv_neutral(path):
    rows = list(csv.reader(open(path, newline="", encoding="utf-8")))
    if not rows:
        return "no rows"
    for i, r in enumerate(rows):
        if len(r) != len(rows[0]):
            return "row %d has %d fields, the header %d: %r" % (i + 1, len(r), len(rows[0]), r)
        for v in r:
            if v[:1] in ("=", "+", "-", "@", "\t", "\r") and not NUMBER.match(v):
                return "a cell starts a formula: %r" % v
    return None


def md_safe(path):
    md = open(path, encoding="utf-8").read()
    for tag in ("<script", "<img", "<b>", "](https://example.com"):
        if tag in md:
            return "the Markdown holds " + repr(tag)
    if "\r" in md or "\x1b" in md:
        return "the Markdown holds a CR or ESC"
    cells = lambda l: len(re.findall(r"(?<!\\)\|", l))
    header = None
    for l in md.split("\n"):
        if not l.startswith("|"):
            header = None
            continue
        if not l.endswith("|"):
            return "a table row is cut: %r" % l
        if header is None:
            header = cells(l)
        elif cells(l) != header:
            return "a row with %d cells under a header with %d: %r" % (cells(l), header, l)
    if "&lt;script>" not in md:
        return "the hostile name is not in the report at all"
    return None


def html_safe(path):
    html = open(path, encoding="utf-8").read()
    # The report's own overview maps are its only images: inline PNG, an alt text without markup.
    html = re.sub(r'<img class="map" alt="[^"<>]*" src="data:image/png;base64,[A-Za-z0-9+/=]+">', "", html)
    for tag in ("<script", "<img", "<b>"):
        if tag in html:
            return "the HTML holds " + repr(tag)
    if "&lt;script&gt;alert(1)&lt;/script&gt;" not in html:
        return "the hostile name is not in the report, escaped"
    return None


def qgz_safe(path):
    z = zipfile.ZipFile(path)
    root = ET.fromstring(z.read(z.namelist()[0]))
    names = {l.findtext("layername"): l.findtext("datasource") for l in root.iter("maplayer")}
    a, b = 'wonen & werken "<x>', 'ctx|subset="fid" < 0'
    if a not in names or b not in names:
        return "layer names not read back: %r" % list(names)
    for n, ds in names.items():
        if ds and "subset=" in ds:
            return "a data source holds a filter: %r" % ds
    return None


def main():
    check, path = sys.argv[1], sys.argv[2]
    why = {"csv-neutral": csv_neutral, "md-safe": md_safe, "html-safe": html_safe, "qgz-safe": qgz_safe}[check](path)
    if why:
        print(why)
        sys.exit(1)


main()
