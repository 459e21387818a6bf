"""Builds the large package the benchmark measures (nothing from it is committed).

>= 20,000 entries and >= 300 MB: a node_modules-like tree of small sources, hundreds of shell
scripts (some CRLF), hundreds of real ELF shared objects copied from this machine, and large
incompressible blobs stored uncompressed. Usage: python3 make_large_package.py OUT.zip
"""
import glob
import os
import random
import sys
import zipfile


def main(out):
    rng = random.Random(42)
    elfs = []
    for path in sorted(glob.glob("/usr/lib/x86_64-linux-gnu/*.so*")):
        real = os.path.realpath(path)
        if os.path.isfile(real) and real not in elfs:
            with open(real, "rb") as f:
                if f.read(4) == b"\x7fELF":
                    elfs.append(real)
        if len(elfs) == 400:
            break
    with zipfile.ZipFile(out, "w", allowZip64=True) as z:
        def add(name, data, mode=0o100644, method=zipfile.ZIP_DEFLATED):
            info = zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0))
            info.create_system = 3
            info.external_attr = mode << 16
            info.compress_type = method
            z.writestr(info, data)

        add("bootstrap", b"#!/bin/bash\nexport LD_LIBRARY_PATH=$PWD/lib:$LD_LIBRARY_PATH\nexec node index.js\n", 0o100755)
        add("index.js", b"require('http').createServer((q, s) => s.end('ok')).listen(9000, '0.0.0.0');\n")
        words = [b"const", b"function", b"return", b"require", b"module", b"exports", b"value", b"=>", b"{", b"}"]
        for i in range(20000):
            body = b" ".join(rng.choice(words) for _ in range(rng.randint(40, 400)))
            add(f"node_modules/pkg{i // 40:04d}/lib/file{i % 40:02d}.js", body)
        for i in range(300):
            eol = b"\r\n" if i % 10 == 0 else b"\n"
            add(f"bin/tool{i:03d}.sh", b"#!/bin/sh" + eol + b"echo tool " + str(i).encode() + eol, 0o100755)
        for path in elfs:
            with open(path, "rb") as f:
                add("lib/" + os.path.basename(path), f.read(), 0o100755)
        blob = os.urandom(1 << 20)
        for i in range(300):
            add(f"assets/blob{i:03d}.bin", blob[i:] + blob[:i], 0o100644, zipfile.ZIP_STORED)
    print(f"{out}: {os.path.getsize(out)} bytes, {20000 + 300 + len(elfs) + 302} entries, {len(elfs)} ELF objects")


if __name__ == "__main__":
    main(sys.argv[1])
