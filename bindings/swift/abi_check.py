"""ABI check of the Swift bindings without a Swift toolchain (run by bindings/test.sh).

  python3 bindings/swift/abi_check.py SWIFT_DIR LIBRARY WORK_DIR

1. Every `uniffi_*` / `ffi_*` function that the generated C header (civitas_ffiFFI.h)
   declares is exported by the library (`nm -D --defined-only`).
2. The contract version and every API checksum that the generated Swift file compares at
   load time equal what the library's own functions return: a C program, compiled with gcc
   against the generated header and linked to the library, calls them.

Prints one line per check and, last, "N passed, N failed"; exits 1 if any check failed.
"""

import pathlib
import re
import subprocess
import sys

swift_dir, library, work = (pathlib.Path(a) for a in sys.argv[1:4])
work.mkdir(parents=True, exist_ok=True)
passed = 0
failed = 0


def result(ok, name, detail=""):
    global passed, failed
    if ok:
        passed += 1
        print(f"ok - {name}")
    else:
        failed += 1
        print(f"FAIL - {name}{': ' + detail if detail else ''}")


headers = sorted(swift_dir.glob("*FFI.h"))
swift_files = sorted(swift_dir.glob("*.swift"))
if len(headers) != 1 or len(swift_files) != 1:
    result(False, "one generated header and one Swift file", f"{headers} {swift_files}")
    print(f"{passed} passed, {failed} failed")
    sys.exit(1)
header, swift = headers[0], swift_files[0]
header_text = header.read_text()
swift_text = swift.read_text()

# 1. Declared functions are exported.
declared = set(re.findall(r"\b((?:uniffi|ffi)_[A-Za-z0-9_]+)\s*\(", header_text))
nm = subprocess.run(
    ["nm", "-D", "--defined-only", str(library)], check=True, capture_output=True, text=True
)
exported = {line.split()[-1] for line in nm.stdout.splitlines() if line.strip()}
missing = sorted(declared - exported)
result(
    bool(declared) and not missing,
    f"all {len(declared)} functions the header declares are exported by the library",
    "missing: " + ", ".join(missing) if missing else "the header declares none",
)

# 2. Checksums and contract version, as the Swift file checks them at load time.
checksums = re.findall(r"if \((uniffi_[A-Za-z0-9_]+_checksum_[A-Za-z0-9_]+)\(\) != (\d+)\)", swift_text)
contract = re.search(r"let bindings_contract_version = (\d+)", swift_text)
contract_fn = re.search(r"let scaffolding_contract_version = ((?:ffi|uniffi)_[A-Za-z0-9_]+)\(\)", swift_text)
if not checksums or not contract or not contract_fn:
    result(False, "the Swift file's load-time checks were found", "format of the generated Swift changed?")
else:
    calls = [(contract_fn.group(1), int(contract.group(1)))] + [(n, int(v)) for n, v in checksums]
    program = ['#include <stdio.h>', f'#include "{header.name}"', "int main(void) {"]
    program += [f'    printf("%s %lu\\n", "{n}", (unsigned long){n}());' for n, _ in calls]
    program += ["    return 0;", "}"]
    src = work / "abi_check.c"
    exe = work / "abi_check"
    src.write_text("\n".join(program) + "\n")
    lib_dir = library.resolve().parent
    subprocess.run(
        ["gcc", "-std=c11", "-Wall", "-Werror", "-D_Nonnull=", "-D_Nullable=",
         f"-I{swift_dir}", str(src), "-o", str(exe),
         f"-L{lib_dir}", "-lcivitas_ffi", f"-Wl,-rpath,{lib_dir}"],
        check=True,
    )
    out = subprocess.run([str(exe)], check=True, capture_output=True, text=True).stdout
    got = dict((n, int(v)) for n, v in (line.split() for line in out.splitlines()))
    for name, want in calls:
        what = "contract version" if name == contract_fn.group(1) else name.split("_checksum_")[1]
        result(got.get(name) == want, f"Swift expects {what} = {want}; library returns {got.get(name)}")

print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
