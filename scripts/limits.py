#!/usr/bin/env python3
"""Resource-limit sweep: hostile inputs of up to 16 MiB against the `civitas` command.

Every case is a file an attacker could hand a desk (or a wallet); each is run through the
release binary in its own process, and the wall time and peak memory (ru_maxrss of that
process, from wait4) are recorded. The aim is an answer (a verdict or a clear error, never
a crash) in under 1 s and 256 MiB for any input of 16 MiB or less.

    scripts/limits.py [--smoke] [--bin target/release/civitas] [--json OUT]

--smoke builds smaller cases and checks only that every answer is a clean verdict or error
(exit 1 or 2, no panic); it runs in the test command. Without it, the full sweep also fails
when a case exceeds the time or memory aim, and writes its figures to
target/bench/limits.json.
"""
import argparse
import json
import os
import struct
import subprocess
import sys
import tempfile
import time
import zlib

MiB = 1 << 20
TIME_AIM_S = 1.0
MEM_AIM_KIB = 256 * 1024
V2 = "https://www.w3.org/ns/credentials/v2"


def vc(subject, context=None, extra=None):
    doc = {
        "@context": context if context is not None else [V2],
        "type": ["VerifiableCredential"],
        "issuer": "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK",
        "credentialSubject": subject,
        "proof": {"type": "DataIntegrityProof", "cryptosuite": "bbs-2023",
                  "verificationMethod": "did:key:z#z", "proofPurpose": "assertionMethod",
                  "proofValue": "u2V0DhVhQ"},
    }
    if extra:
        doc.update(extra)
    return doc


def fill_to(n_bytes, unit):
    """How many `unit`s fit in `n_bytes`, less a margin for the document around them."""
    return max(1, (n_bytes - 64 * 1024) // len(unit))


def cases(size):
    """(name, file bytes, kind) with kind 'json' or 'qr'."""
    # 1. Many distinct type-scoped contexts, each node with its own type (context cloning).
    n = fill_to(size, json.dumps({"T00000": {"@id": "urn:t:00000", "@context": {"p": "urn:p:00000"}}})
                + json.dumps({"type": "T00000", "p": "x"}) + ", ") * 95 // 100
    ctx = {f"T{i}": {"@id": f"urn:t:{i}", "@context": {"p": f"urn:p:{i}"}} for i in range(n)}
    subj = {"items": [{"type": f"T{i}", "p": "x"} for i in range(n)]}
    ctx["items"] = "urn:items"
    yield ("type-scoped contexts", json.dumps(vc(subj, [V2, ctx])), "json")
    # 2. An inline context with many unused terms.
    n = fill_to(size, '"t0000000": "urn:t:0000000", ')
    ctx = {f"t{i}": f"urn:t:{i}" for i in range(n)}
    yield ("unused context terms", json.dumps(vc({"id": "did:example:a"}, [V2, ctx])), "json")
    # 3. Many blank subjects.
    n = fill_to(size, '{}, ')
    yield ("blank subjects", json.dumps(vc([{} for _ in range(n)])), "json")
    # 4. Many members in one object.
    n = fill_to(size, '"k0000000": 1, ')
    yield ("object members", json.dumps(vc({f"k{i}": 1 for i in range(n)})), "json")
    # 5. Deep nesting.
    depth = size // 2
    yield ("deep nesting", "[" * depth + "]" * depth, "json")
    # 6. One huge string.
    yield ("long string", json.dumps(vc({"name": "x" * (size - 64 * 1024)})), "json")
    # 7. Many credentials in one presentation.
    one = vc({"name": "a"})
    n = fill_to(size, json.dumps(one) + ", ")
    vp = {"@context": [V2], "type": ["VerifiablePresentation"], "verifiableCredential": [one] * n,
          "proof": {"type": "DataIntegrityProof", "cryptosuite": "ecdsa-rdfc-2019",
                    "verificationMethod": "did:key:zDnaerDaTF5BXEavCrfRZEk316dpbLsfPDZ3WJ5hRTPFU2169#zDnaerDaTF5BXEavCrfRZEk316dpbLsfPDZ3WJ5hRTPFU2169",
                    "proofPurpose": "authentication", "challenge": "c", "domain": "d",
                    "proofValue": "z" + "1" * 80}}
    yield ("credentials in a presentation", json.dumps(vp), "json")
    # 7b. Under the JSON value limit, still far more credentials than a desk asks for.
    yield ("1,000 credentials in a presentation", json.dumps(dict(vp, verifiableCredential=[one] * 1000)), "json")
    # 8. Many distinct numbers (parser allocation).
    n = fill_to(size, "1234567, ")
    yield ("array of numbers", json.dumps(vc({"n": list(range(n))})), "json")
    # 9. A QR image of huge dimensions that compresses small (decompression bomb).
    side = 20000 if size >= MiB else 4000
    yield ("QR image pixels", png_gray(side, side), "qr")
    # 10. A large but acceptable photo (24 megapixels): scaled down, then decoded.
    yield ("24-megapixel photo", png_gray(6000, 4000), "qr")


def png_gray(w, h):
    """An all-white 8-bit grayscale PNG of w x h pixels, compressed."""
    row = b"\x00" + b"\xff" * w
    comp = zlib.compressobj(9)
    data = b"".join(comp.compress(row) for _ in range(h)) + comp.flush()

    def chunk(t, d):
        return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d) & 0xFFFFFFFF)

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", data) + chunk(b"IEND", b""))


# A small process that forks the command and reports that child's own rusage: measuring
# from this (large) interpreter would count its memory too, since Linux carries the
# high-water mark of the memory image a child was forked from across exec.
WRAPPER = r"""
import os, sys, json
pid = os.fork()
if pid == 0:
    os.execv(sys.argv[1], sys.argv[1:])
_, status, usage = os.wait4(pid, 0)
sys.stderr.write("\n@@rusage " + json.dumps([os.waitstatus_to_exitcode(status), usage.ru_maxrss]) + "\n")
"""


def run_measured(binary, path, kind):
    """Runs one case; returns (exit code, seconds, peak KiB, stdout, stderr)."""
    args = [binary, "verify", "--dangerous-allow-any-issuer", "--format", "json"]
    args += ["--qr", path] if kind == "qr" else [path]
    start = time.monotonic()
    p = subprocess.run([sys.executable, "-c", WRAPPER] + args, capture_output=True, stdin=subprocess.DEVNULL)
    elapsed = time.monotonic() - start
    err, _, tail = p.stderr.rpartition(b"\n@@rusage ")
    code, kib = json.loads(tail)
    return code, elapsed, kib, p.stdout, err


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--smoke", action="store_true")
    ap.add_argument("--bin", default=os.path.join(os.path.dirname(__file__), "..", "target", "release", "civitas"))
    ap.add_argument("--json", default=None)
    a = ap.parse_args()
    size = MiB if a.smoke else 16 * MiB
    rows, bad = [], []
    with tempfile.TemporaryDirectory() as d:
        for name, data, kind in cases(size):
            path = os.path.join(d, "case.png" if kind == "qr" else "case.json")
            with open(path, "wb") as f:
                f.write(data.encode() if isinstance(data, str) else data)
            code, secs, kib, out, err = run_measured(a.bin, path, kind)
            first = (out.decode(errors="replace") + err.decode(errors="replace")).strip()
            reason = ""
            try:
                reason = json.loads(out)["results"][0]["error"] or "; ".join(
                    f["reason"] for f in json.loads(out)["results"][0]["failures"])
            except Exception:
                reason = first.splitlines()[-1] if first else ""
            row = {"case": name, "input_bytes": len(data), "exit": code,
                   "seconds": round(secs, 3), "peak_mib": round(kib / 1024, 1),
                   "answer": reason[:140]}
            rows.append(row)
            print(f"{name:32} {len(data) / MiB:6.2f} MiB  exit {code}  {secs:6.3f} s  "
                  f"{kib / 1024:7.1f} MiB  {reason[:90]}", flush=True)
            if code not in (1, 2) or b"panicked" in err:
                bad.append(f"{name}: exit {code} (a verdict or an error was expected)")
            elif not a.smoke and (secs > TIME_AIM_S or kib > MEM_AIM_KIB):
                bad.append(f"{name}: {secs:.2f} s, {kib / 1024:.0f} MiB (aim < 1 s, < 256 MiB)")
    target = a.json or (None if a.smoke else os.path.join(os.path.dirname(a.bin), "..", "bench", "limits.json"))
    if target:
        os.makedirs(os.path.dirname(os.path.abspath(target)), exist_ok=True)
        with open(target, "w") as f:
            json.dump(rows, f, indent=1)
    for b in bad:
        print("over the aim:", b)
    print(f"{len(rows) - len(bad)} passed, {len(bad)} failed")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
