"""Tests of the Python bindings of Civitas (plain python3, no packages needed).

Run by bindings/test.sh, which puts this file, the generated civitas_ffi.py and
libcivitas_ffi.so in one folder (ctypes loads the library from the module's folder).
Prints one line per check and, last, "N passed, N failed"; exits 1 if any check failed.
"""

import gc
import sys
import traceback

import civitas_ffi
from civitas_ffi import BbsVerifier, CivitasError, IssuerKey, derive_proof, live_secret_keys

passed = 0
failed = 0


def check(name):
    """Runs the decorated function as one check and counts it."""

    def run(fn):
        global passed, failed
        try:
            fn()
        except Exception:  # noqa: BLE001 - any failure of a check is reported and counted
            failed += 1
            print(f"FAIL - {name}")
            traceback.print_exc()
        else:
            passed += 1
            print(f"ok - {name}")
        return fn

    return run


HEADER = b"civitas-python-test"
MESSAGES = [f"claim {i}".encode() for i in range(5)]
DISCLOSED = [1, 3]
NONCE = b"nonce-python"

# Shared by the checks below; they run in order.
state = {}


@check("version")
def _():
    assert civitas_ffi.civitas_version().count(".") == 2


@check("generate a key, sign 5 messages, verify the signature")
def _():
    key = IssuerKey.generate()
    pk = key.public_key()
    assert isinstance(pk, bytes) and len(pk) == 96
    sig = key.sign(HEADER, MESSAGES)
    assert len(sig) == 80
    BbsVerifier().verify_signature(pk, sig, HEADER, MESSAGES)
    state.update(key=key, pk=pk, sig=sig)


@check("public key forms: did:key and verification method")
def _():
    key = state["key"]
    info = key.public_key_info()
    assert info.public_key == state["pk"]
    assert info.did_key == key.did_key()
    assert info.did_key.startswith("did:key:zUC7")
    assert info.verification_method_id == info.did_key + "#" + info.did_key[len("did:key:"):]


@check("derive a proof disclosing 2 of 5 messages; it verifies")
def _():
    proof = derive_proof(state["pk"], state["sig"], HEADER, NONCE, MESSAGES, DISCLOSED)
    BbsVerifier().verify_proof(
        state["pk"], proof, HEADER, NONCE, [MESSAGES[i] for i in DISCLOSED], DISCLOSED
    )
    state["proof"] = proof


@check("wrong presentation header raises CivitasError.VerificationFailed")
def _():
    try:
        BbsVerifier().verify_proof(
            state["pk"], state["proof"], HEADER, b"another nonce",
            [MESSAGES[i] for i in DISCLOSED], DISCLOSED,
        )
    except CivitasError.VerificationFailed as e:
        assert isinstance(e, CivitasError)
        assert "proof is not valid" in str(e), str(e)
    else:
        raise AssertionError("no error raised")


@check("a tampered disclosed message raises CivitasError.VerificationFailed, without the claim")
def _():
    try:
        BbsVerifier().verify_proof(
            state["pk"], state["proof"], HEADER, NONCE, [MESSAGES[1], b"claim X"], DISCLOSED
        )
    except CivitasError.VerificationFailed as e:
        assert "claim" not in str(e) and "claim" not in e.reason, str(e)
    else:
        raise AssertionError("no error raised")


@check("malformed public key bytes raise CivitasError.InvalidInput (no key bytes in message)")
def _():
    try:
        BbsVerifier().verify_proof(
            b"\x01\x02\x03", state["proof"], HEADER, NONCE,
            [MESSAGES[i] for i in DISCLOSED], DISCLOSED,
        )
    except CivitasError.InvalidInput as e:
        assert "public key: expected 96 bytes, got 3" in str(e), str(e)
    else:
        raise AssertionError("no error raised")


@check("disclosed index out of range raises CivitasError.InvalidInput")
def _():
    try:
        derive_proof(state["pk"], state["sig"], HEADER, NONCE, MESSAGES, [7])
    except CivitasError.InvalidInput:
        pass
    else:
        raise AssertionError("no error raised")


@check("dropping the last reference to an IssuerKey zeroizes it (live_secret_keys)")
def _():
    state.clear()
    gc.collect()
    before = live_secret_keys()
    key = IssuerKey.generate()
    assert live_secret_keys() == before + 1
    del key
    gc.collect()
    assert live_secret_keys() == before, (live_secret_keys(), before)


print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
