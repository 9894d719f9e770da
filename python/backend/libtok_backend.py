"""PEP 517 build backend for the libtok Python package.

Why hand-written: pip builds in an isolated environment and these machines
reach no Python package index, so setuptools/wheel cannot be fetched for the
build.  The package is one C extension and a few .py files: compile the
extension with the C compiler Python was built with, zip the wheel.

libtok is taken from the source tree when ../build/libtok.a exists (run
`make` first), else from an installed libtok found by pkg-config;
LIBTOK_PREFIX=DIR points at another build or install.
"""
import base64
import hashlib
import os
import shlex
import subprocess
import sys
import sysconfig
import tempfile
import zipfile

NAME = "libtok"
VERSION = "0.1.0"
HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))  # python/
ROOT = os.path.dirname(HERE)                                          # the libtok tree
DEPS = "libpcre2-8 libutf8proc libzstd jansson libxxhash"
MOD_DEPS = "zlib icu-uc icu-i18n openblas"
MODULES = ("analyzers", "vocab", "corpora")   # highest first, as they link


def _pkgconfig(args):
    try:
        out = subprocess.run(["pkg-config"] + args, check=True, capture_output=True, text=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    return shlex.split(out)


def _libtok_flags():
    prefix = os.environ.get("LIBTOK_PREFIX")
    cands = [prefix] if prefix else [os.path.join(ROOT, "build")]
    for d in cands:
        lib = os.path.join(d, "libtok.a")
        if not os.path.exists(lib):
            lib = os.path.join(d, "lib", "libtok.a")
        if os.path.exists(lib):
            intree = os.path.exists(os.path.join(ROOT, "libtok", "tok.h"))
            inc = ROOT if intree else os.path.join(d, "include")
            mods = [os.path.join(os.path.dirname(lib), f"libtok_{m}.a") for m in MODULES]
            libs = _pkgconfig(["--libs", *DEPS.split()]) or ["-lpcre2-8", "-lutf8proc", "-lzstd", "-ljansson", "-lxxhash"]
            mlibs = _pkgconfig(["--libs", *MOD_DEPS.split()]) or ["-lz", "-licui18n", "-licuuc", "-licudata", "-lopenblas"]
            flags = ["-I" + inc] + ([] if intree else ["-I" + os.path.join(inc, "libtok")])
            return flags, mods + [lib] + libs + mlibs + ["-lm", "-pthread"]
    cflags = _pkgconfig(["--cflags", "libtok"])
    libs = _pkgconfig(["--libs", "libtok"])
    if cflags is not None and libs is not None:
        inc = [f[2:] for f in cflags if f.startswith("-I")]
        cflags = cflags + ["-I" + os.path.join(i, "libtok") for i in inc] + ["-I/usr/include/libtok", "-I/usr/local/include/libtok"]
        libs = [f"-ltok_{m}" for m in MODULES] + libs + (_pkgconfig(["--libs", *MOD_DEPS.split()]) or [])
    if cflags is None or libs is None:
        raise RuntimeError("libtok not found: run `make` in the libtok tree first "
                           f"(looked for {cands[0]}/libtok.a), or install it (make install) so that "
                           "pkg-config finds libtok, or set LIBTOK_PREFIX")
    return cflags, libs + ["-pthread"]


def _tag():
    impl = "cp" if sys.implementation.name == "cpython" else sys.implementation.name[:2]
    py = f"{impl}{sys.version_info[0]}{sys.version_info[1]}"
    plat = sysconfig.get_platform().replace("-", "_").replace(".", "_")
    return py, py, plat


def _compile(outdir):
    cc = shlex.split(sysconfig.get_config_var("CC") or "cc")
    inc = sysconfig.get_paths()["include"]
    cflags, libs = _libtok_flags()
    ext = sysconfig.get_config_var("EXT_SUFFIX") or ".so"
    out = os.path.join(outdir, "_libtok" + ext)
    cmd = cc + ["-shared", "-fPIC", "-O2", "-std=c11", "-D_GNU_SOURCE", "-Wall", "-I" + inc, *cflags,
                os.path.join(HERE, "src", "_libtok.c"), "-o", out, *libs]
    print("libtok_backend:", " ".join(cmd), file=sys.stderr)
    subprocess.run(cmd, check=True)
    return out


def _metadata():
    readme = os.path.join(HERE, "README.md")
    desc = open(readme, encoding="utf-8").read() if os.path.exists(readme) else ""
    return (f"Metadata-Version: 2.1\nName: {NAME}\nVersion: {VERSION}\n"
            "Summary: Exact, fast tokenizers: tiktoken- and HF tokenizers-style interfaces on libtok\n"
            "Requires-Python: >=3.8\nDescription-Content-Type: text/markdown\n\n" + desc)


def _record_line(arc, data):
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{arc},sha256={digest},{len(data)}"


def get_requires_for_build_wheel(config_settings=None):
    return []


def get_requires_for_build_sdist(config_settings=None):
    return []


def prepare_metadata_for_build_wheel(metadata_directory, config_settings=None):
    di = f"{NAME}-{VERSION}.dist-info"
    os.makedirs(os.path.join(metadata_directory, di), exist_ok=True)
    with open(os.path.join(metadata_directory, di, "METADATA"), "w", encoding="utf-8") as f:
        f.write(_metadata())
    return di


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    py, abi, plat = _tag()
    tag = f"{py}-{abi}-{plat}"
    name = f"{NAME}-{VERSION}-{tag}.whl"
    di = f"{NAME}-{VERSION}.dist-info"
    files = []
    with tempfile.TemporaryDirectory() as tmp:
        so = _compile(tmp)
        files.append((f"libtok/{os.path.basename(so)}", open(so, "rb").read()))
    pkg = os.path.join(HERE, "src", "libtok")
    for fn in sorted(os.listdir(pkg)):
        if fn.endswith(".py"):
            files.append((f"libtok/{fn}", open(os.path.join(pkg, fn), "rb").read()))
    files.append((f"{di}/METADATA", _metadata().encode()))
    files.append((f"{di}/WHEEL", f"Wheel-Version: 1.0\nGenerator: libtok_backend\nRoot-Is-Purelib: false\nTag: {tag}\n".encode()))
    record = [_record_line(a, d) for a, d in files] + [f"{di}/RECORD,,"]
    files.append((f"{di}/RECORD", ("\n".join(record) + "\n").encode()))
    path = os.path.join(wheel_directory, name)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for arc, data in files:
            z.writestr(arc, data)
    return name


def build_sdist(sdist_directory, config_settings=None):
    import tarfile
    name = f"{NAME}-{VERSION}"
    path = os.path.join(sdist_directory, name + ".tar.gz")
    with tarfile.open(path, "w:gz") as t:
        for rel in ["pyproject.toml", "README.md", "backend/libtok_backend.py", "src/_libtok.c"] + \
                   [f"src/libtok/{f}" for f in os.listdir(os.path.join(HERE, "src", "libtok")) if f.endswith(".py")]:
            full = os.path.join(HERE, rel)
            if os.path.exists(full):
                t.add(full, arcname=f"{name}/{rel}")
        info = tarfile.TarInfo(f"{name}/PKG-INFO")
        data = _metadata().encode()
        info.size = len(data)
        import io
        t.addfile(info, io.BytesIO(data))
    return name + ".tar.gz"
