"""Writes the zips the browser tests drop into the page, with exact zip metadata.

Python's zipfile lets a test choose the host byte (create_system) and the external attributes,
which is what the checks are about. Usage: python3 make_fixtures.py OUT_DIR
"""
import sys
import zipfile
from pathlib import Path


def entry(zf, name, data, host=3, mode=0o100755, dos_attrs=0):
    info = zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0))
    info.create_system = host
    info.external_attr = (mode << 16 if host == 3 else 0) | dos_attrs
    info.compress_type = zipfile.ZIP_DEFLATED
    zf.writestr(info, data)


def write(out, name, entries):
    with zipfile.ZipFile(out / name, "w") as zf:
        for args in entries:
            entry(zf, *args[:2], **(args[2] if len(args) > 2 else {}))


def main(out):
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    script = b"#!/bin/bash\nexec ./app\n"
    # Windows Explorer-style: host 0, no attributes, and a CRLF script.
    write(out, "windows.zip", [("bootstrap", b"#!/usr/bin/env bash\r\nnode /code/index.js\r\n", {"host": 0, "dos_attrs": 0x20})])
    write(out, "nested.zip", [("myapp/", b"", {"mode": 0o040755}), ("myapp/bootstrap", script), ("myapp/index.js", b"//", {"mode": 0o100644})])
    write(out, "good.zip", [("bootstrap", script), ("app", b"#!/bin/sh\necho hi\n")])
    # Everything the repair fixes at once: a wrapper folder, Windows host bytes, CRLF, macOS metadata.
    write(out, "messy.zip", [
        ("myfunc/bootstrap", b"#!/bin/bash\r\nexec node index.js\r\n", {"host": 0, "dos_attrs": 0x20}),
        ("myfunc/index.js", b"require('http').createServer((q, s) => s.end('ok')).listen(9000, '0.0.0.0');\n", {"host": 0, "dos_attrs": 0x20}),
        ("__MACOSX/myfunc/._bootstrap", b"\x00\x05\x16\x07", {"mode": 0o100644}),
        ("myfunc/.DS_Store", b"Bud1", {"mode": 0o100644}),
    ])
    # A Mach-O arm64 header as the bootstrap (GOOS=darwin GOARCH=arm64).
    macho = bytes([0xCF, 0xFA, 0xED, 0xFE, 0x0C, 0x00, 0x00, 0x01]) + bytes(56)
    write(out, "macho.zip", [("bootstrap", macho)])
    write(out, "hostile.zip", [('<img src=x onerror="window.__pwned=1">', b"x", {"mode": 0o100644}), ("bootstrap", b"echo no shebang\n")])
    # A Flask app started by the bootstrap with app.run(): Flask's default host is 127.0.0.1.
    write(out, "localhost.zip", [
        ("bootstrap", b"#!/bin/bash\nexec python3 app.py\n"),
        ("app.py", b"from flask import Flask\napp = Flask(__name__)\napp.run(port=9000)\n", {"mode": 0o100644}),
        ("flask/__init__.py", b"", {"mode": 0o100644}),
        ("requirements.txt", b"flask\n", {"mode": 0o100644}),
    ])
    # A Lambda Python package whose function is not the console's default handler name.
    write(out, "lambda-python.zip", [
        ("lambda_function.py", b"import json\n\ndef handler(event, context):\n    return {'statusCode': 200}\n", {"mode": 0o100644}),
    ])
    # A start script that runs 30 CRLF scripts, beside 240 plain files: more findings of one kind
    # and more rows than the page draws at once.
    many = [("bootstrap", b"#!/bin/bash\n" + b"".join(b"./bin/t%d.sh\n" % i for i in range(30)))]
    many += [("bin/t%d.sh" % i, b"#!/bin/sh\r\necho %d\r\n" % i) for i in range(30)]
    many += [("static/f%03d.txt" % i, b"x", {"mode": 0o100644}) for i in range(240)]
    write(out, "many.zip", many)
    (out / "not-a-zip.zip").write_bytes(b"this is plain text pretending to be a zip\n" * 10)
    good = (out / "good.zip").read_bytes()
    (out / "truncated.zip").write_bytes(good[: len(good) // 2])


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "fixtures")
