"""Tests of the Python bindings of Civitas (plain python3, no packages needed).

Run by bindings/test.sh, which puts this file, the generated civitas_ffi.py and
libcivitas_ffi.so in one folder (ctypes loads the library from the module's folder).
Prints one line per check and, last, "N passed, N failed"; exits 1 if any check failed.
"""

import gc
import json
import os
import subprocess
import sys
import tempfile
import traceback
import urllib.error
import urllib.request

import civitas_ffi
from civitas_ffi import (
    BbsVerifier,
    CivitasError,
    ContextDoc,
    DisclosureRequest,
    HolderBinding,
    IssuerKey,
    PresentationRequest,
    PseudonymUse,
    Verifier,
    Wallet,
    derive_proof,
    live_device_keys,
    live_secret_keys,
    openid4vci_offer,
    parse_openid4vci_offer_url,
    openid4vp_reply,
    parse_openid4vp_url,
)

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
    assert info.did_key.startswith("did:key:zUC")
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


# ---- wallet and verifier (bindings/test.sh issues the diploma and writes the trust file) ----

with open(os.environ["CIVITAS_TEST_CONTEXT_FILE"]) as f:
    CONTEXTS = [ContextDoc(url=os.environ["CIVITAS_TEST_CONTEXT_URL"], json=f.read())]
with open(os.environ["CIVITAS_TEST_CREDENTIAL"]) as f:
    DIPLOMA = f.read()
with open(os.environ["CIVITAS_TEST_TRUST"]) as f:
    TRUST = f.read()
DEGREE = "/credentialSubject/degree/name"


def issued_to(holder_did):
    """The diploma issued by the university (the civitas command) to `holder_did`."""
    with tempfile.TemporaryDirectory() as d:
        with open(os.environ["CIVITAS_TEST_UNSIGNED"]) as f:
            unsigned = json.load(f)
        unsigned["credentialSubject"]["id"] = holder_did
        with open(os.path.join(d, "diploma.json"), "w") as f:
            json.dump(unsigned, f)
        ctx = os.environ["CIVITAS_TEST_CONTEXT_URL"] + "=" + os.environ["CIVITAS_TEST_CONTEXT_FILE"]
        subprocess.run(
            [os.environ["CIVITAS_TEST_CLI"], "--context", ctx, "issue",
             "--key", os.environ["CIVITAS_TEST_ISSUER_KEY"],
             "--mandatory", os.environ["CIVITAS_TEST_MANDATORY"],
             os.path.join(d, "diploma.json"), "-o", os.path.join(d, "signed.json")],
            check=True, capture_output=True)
        with open(os.path.join(d, "signed.json")) as f:
            return f.read()
BIRTH_DATE = "/credentialSubject/birthDate"
DOMAIN = "https://agency.example"


def request(challenge, cred_id):
    return PresentationRequest(
        challenge=challenge,
        domain=DOMAIN,
        disclosures=[DisclosureRequest(credential_id=cred_id, pointers=[DEGREE])],
    )


def expect(kind, fn):
    try:
        fn()
    except kind as e:
        return e
    raise AssertionError(f"{kind.__name__} not raised")


@check("wallet (in memory): import the diploma, list it with its claims")
def _():
    wallet = Wallet.in_memory(CONTEXTS)
    # Issued to this wallet's DID: only a presentation signed by its device key is accepted.
    summary = wallet.import_credential(issued_to(wallet.holder_did()))
    assert "UniversityDegreeCredential" in summary.types
    assert summary.issuer_name == "University of Civitas"
    assert summary.issuer_id.startswith("did:key:zUC")
    degree = [c for c in summary.claims if c.pointer == DEGREE]
    assert degree and degree[0].value == "MSc Computer Science" and degree[0].depth == 2
    assert [s.id for s in wallet.list()] == [summary.id]
    assert wallet.holder_did().startswith("did:key:zDn")
    state.update(wallet=wallet, id=summary.id)


def logged_issue(holder_did):
    """The diploma issued to `holder_did` and recorded in a fresh transparency log: the
    credential, its .tlog-proof, and a policy trusting that log (no witnesses)."""
    cli = os.environ["CIVITAS_TEST_CLI"]
    ctx = os.environ["CIVITAS_TEST_CONTEXT_URL"] + "=" + os.environ["CIVITAS_TEST_CONTEXT_FILE"]
    with tempfile.TemporaryDirectory() as d:
        run = lambda *args: subprocess.run([cli, "--context", ctx, *args], check=True,
                                           capture_output=True, text=True, cwd=d)
        run("keygen", "--alg", "ed25519", "-o", "log.key")
        vkey = run("log", "init", "--key", "log.key", "--origin", "uni.example/log", "log").stdout.strip()
        with open(os.environ["CIVITAS_TEST_UNSIGNED"]) as f:
            unsigned = json.load(f)
        unsigned["credentialSubject"]["id"] = holder_did
        with open(os.path.join(d, "diploma.json"), "w") as f:
            json.dump(unsigned, f)
        run("issue", "--key", os.environ["CIVITAS_TEST_ISSUER_KEY"],
            "--mandatory", os.environ["CIVITAS_TEST_MANDATORY"], "diploma.json",
            "-o", "signed.json", "--log", "log", "--log-key", "log.key")
        with open(os.path.join(d, "signed.json")) as f:
            credential = f.read()
        with open(os.path.join(d, "signed.json.tlog-proof")) as f:
            proof = f.read()
    return credential, proof, f"log {vkey}\nquorum none\n"


@check("wallet: a logged diploma's inclusion proof is checked at import and kept")
def _():
    wallet = Wallet.in_memory(CONTEXTS)
    credential, proof, policy = logged_issue(wallet.holder_did())
    summary = wallet.import_with_tlog_proof(credential, proof, policy)
    assert wallet.tlog_proof(summary.id) == proof
    other = Wallet.in_memory(CONTEXTS)
    tampered = proof.replace("index ", "index 9", 1)
    expect(CivitasError, lambda: other.import_with_tlog_proof(credential, tampered, policy))
    expect(CivitasError.InvalidInput, lambda: other.import_with_tlog_proof(credential, proof, "quorum"))
    assert other.list() == []


def sd_jwt_vc_for(holder_did):
    """A PID as an SD-JWT VC issued (by the civitas command) to `holder_did`'s key, with a
    token status list, and a trust file naming its issuer."""
    cli = os.environ["CIVITAS_TEST_CLI"]
    with tempfile.TemporaryDirectory() as d:
        run = lambda *args: subprocess.run([cli, *args], check=True, capture_output=True,
                                           text=True, cwd=d)
        run("keygen", "--alg", "p256", "-o", "pid.key")
        with open(os.path.join(d, "holder.json"), "w") as f:
            json.dump({"publicKeyMultibase": holder_did.removeprefix("did:key:")}, f)
        with open(os.path.join(d, "claims.json"), "w") as f:
            json.dump({"given_name": "Ada", "family_name": "Lovelace", "birthdate": "1990-12-10"}, f)
        run("status", "create", "--format", "token", "--key", "pid.key", "--id",
            "https://pid.example/status/1", "-o", "status.jwt")
        run("issue", "--format", "sd-jwt-vc", "--key", "pid.key", "--vct", "urn:eudi:pid:1",
            "--holder-jwk", "holder.json", "--status-list", "status.jwt", "--status-index", "2",
            "claims.json", "-o", "pid.sd-jwt")
        with open(os.path.join(d, "pid.key")) as f:
            issuer = json.load(f)["controller"]
        with open(os.path.join(d, "pid.sd-jwt")) as f:
            compact = f.read().strip()
        with open(os.path.join(d, "status.jwt")) as f:
            token = f.read().strip()
    trust = f'[[issuer]]\ndid = "{issuer}"\nname = "PID Provider"\ncredential_types = ["urn:eudi:pid:1"]\n'
    return compact, token, trust


@check("wallet: an SD-JWT VC is imported, shown, and presented with a Key Binding JWT; the verifier accepts only what was asked")
def _():
    wallet = Wallet.in_memory(CONTEXTS)
    compact, token, trust = sd_jwt_vc_for(wallet.holder_did())
    s = wallet.import_sd_jwt_vc(compact, None)
    assert s.vct == "urn:eudi:pid:1" and s.key_bound, s
    assert any(c.pointer == "/given_name" and not c.mandatory for c in s.claims), s.claims
    assert [x.id for x in wallet.sd_jwt_vcs()] == [s.id]
    vp = wallet.present_sd_jwt_vc(s.id, ["/given_name"], "https://desk.example", "n-py")
    verifier = Verifier(trust, CONTEXTS)
    verifier.add_status_list_token(token)
    v = verifier.verify_sd_jwt(vp, "n-py", "https://desk.example", ["/given_name"])
    assert v.is_valid(), v
    [cred] = v.credentials
    assert cred.holder_binding == "key"
    claims = {c.pointer: c.value for c in cred.claims}
    assert claims["/given_name"] == "Ada" and "/birthdate" not in claims, claims
    assert not verifier.verify_sd_jwt(vp, "n-other", "https://desk.example", []).is_valid()
    other = Wallet.in_memory(CONTEXTS)
    expect(CivitasError, lambda: other.import_sd_jwt_vc(compact, None))


@check("consent summary: the degree is disclosed, the birth date stays hidden")
def _():
    consent = state["wallet"].consent_summary(state["id"], [DEGREE], DOMAIN)
    disclosed = {d.pointer: d.value for d in consent.disclosed}
    assert disclosed.get(DEGREE) == "MSc Computer Science", disclosed
    assert BIRTH_DATE not in disclosed
    assert BIRTH_DATE in consent.hidden
    assert consent.pseudonym == PseudonymUse.NONE


@check("present only the degree, identified; the verifier accepts it with the challenge")
def _():
    result = state["wallet"].present_identified(request("challenge-py-1", state["id"]))
    assert result.qr_payload and result.json.startswith("{")
    verifier = Verifier(TRUST, CONTEXTS)
    v = verifier.verify(result.json, "challenge-py-1", DOMAIN, [DEGREE])
    assert v.is_valid(), v
    assert v.holder == state["wallet"].holder_did()
    [cred] = v.credentials
    assert cred.issuer_name == "University of Civitas"
    claims = {c.pointer: c.value for c in cred.claims}
    assert claims[DEGREE] == "MSc Computer Science"
    assert BIRTH_DATE not in claims and "Lovelace" not in result.json
    state.update(vp=result.json, qr=result.qr_payload, verifier=verifier)


@check("the QR payload verifies too; a damaged payload raises InvalidInput")
def _():
    v = state["verifier"].verify_qr_payload(state["qr"], "challenge-py-1", DOMAIN, [DEGREE])
    assert v.is_valid(), v
    expect(CivitasError.InvalidInput, lambda: state["verifier"].verify_qr_payload("not a payload", None, None, []))


@check("another wallet presenting a copy of this diploma is refused (check 'holder-binding')")
def _():
    other = Wallet.in_memory(CONTEXTS)
    copy_id = other.import_credential(issued_to(state["wallet"].holder_did())).id
    forwarded = other.present_identified(request("challenge-py-9", copy_id))
    v = state["verifier"].verify(forwarded.json, "challenge-py-9", DOMAIN, [DEGREE])
    assert v.is_invalid()
    assert [f.check for f in v.failures] == ["holder-binding"], v.failures


@check("a wrong challenge is a normal Invalid result (an enum variant) with check 'challenge'")
def _():
    v = state["verifier"].verify(state["vp"], "another-challenge", DOMAIN, [])
    assert v.is_invalid()
    assert "challenge" in [f.check for f in v.failures], v.failures


@check("a tampered presentation is invalid")
def _():
    vp = json.loads(state["vp"])
    vp["verifiableCredential"][0]["credentialSubject"]["degree"]["name"] = "PhD Computer Science"
    v = state["verifier"].verify(json.dumps(vp), "challenge-py-1", DOMAIN, [])
    assert v.is_invalid() and v.failures


@check("the history has one entry")
def _():
    [entry] = state["wallet"].history()
    assert entry.domain == DOMAIN and entry.credential_id == state["id"]
    assert DEGREE in entry.disclosed_pointers


@check("malformed JSON raises CivitasError.InvalidInput (import and verify)")
def _():
    expect(CivitasError.InvalidInput, lambda: state["wallet"].import_credential("{not json"))
    expect(CivitasError.InvalidInput, lambda: state["verifier"].verify("{not json", None, None, []))


@check("encrypted store: a 31-byte storage key raises InvalidInput; 32 bytes persist")
def _():
    with tempfile.TemporaryDirectory() as d:
        expect(CivitasError.InvalidInput, lambda: Wallet.with_encrypted_store(d, b"k" * 31, CONTEXTS))
        key = os.urandom(32)
        wallet = Wallet.with_encrypted_store(d, key, CONTEXTS)
        cred_id = wallet.import_credential(DIPLOMA).id
        del wallet
        gc.collect()
        reopened = Wallet.with_encrypted_store(d, key, CONTEXTS)
        assert [s.id for s in reopened.list()] == [cred_id]
        assert reopened.consent_summary(cred_id, [DEGREE], None).hidden
        del reopened
        gc.collect()
        try:
            other = Wallet.with_encrypted_store(d, os.urandom(32), CONTEXTS)
            other.list()
        except CivitasError:
            pass
        else:
            raise AssertionError("another storage key read the records")


# ---- anonymous presentations: a diploma bound to the wallet's holder secret ----

def issued_on(request_json):
    """The diploma issued by the university (the civitas command) on a wallet's request."""
    with tempfile.TemporaryDirectory() as d:
        with open(os.environ["CIVITAS_TEST_UNSIGNED"]) as f:
            unsigned = json.load(f)
        unsigned["credentialSubject"].pop("id", None)
        with open(os.path.join(d, "diploma.json"), "w") as f:
            json.dump(unsigned, f)
        with open(os.path.join(d, "request.json"), "w") as f:
            f.write(request_json)
        ctx = os.environ["CIVITAS_TEST_CONTEXT_URL"] + "=" + os.environ["CIVITAS_TEST_CONTEXT_FILE"]
        subprocess.run(
            [os.environ["CIVITAS_TEST_CLI"], "--context", ctx, "issue",
             "--key", os.environ["CIVITAS_TEST_ISSUER_KEY"],
             "--mandatory", os.environ["CIVITAS_TEST_MANDATORY"],
             "--holder-request", os.path.join(d, "request.json"),
             os.path.join(d, "diploma.json"), "-o", os.path.join(d, "signed.json")],
            check=True, capture_output=True)
        with open(os.path.join(d, "signed.json")) as f:
            return f.read()


TAX_OFFICE = "https://tax-office.example"


def request_at(challenge, cred_id, domain):
    return PresentationRequest(
        challenge=challenge,
        domain=domain,
        disclosures=[DisclosureRequest(credential_id=cred_id, pointers=[DEGREE])],
    )


@check("a credential request: fresh each time, no secret in it; the diploma issued on it imports")
def _():
    wallet = Wallet.in_memory(CONTEXTS)
    r1 = wallet.credential_request(None, HolderBinding.HOLDER_SECRET_PSEUDONYM)
    r2 = wallet.credential_request(None, HolderBinding.HOLDER_SECRET_PSEUDONYM)
    assert json.loads(r1)["type"] == "CivitasCredentialRequest"
    assert json.loads(r1)["feature"] == "holder_binding_pseudonym"
    assert r1 != r2
    expect(CivitasError.InvalidInput, lambda: wallet.credential_request(None, HolderBinding.NONE))
    summary = wallet.import_credential(issued_on(r1))
    assert summary.binding == HolderBinding.HOLDER_SECRET_PSEUDONYM
    state.update(anon=wallet, anon_id=summary.id, verifier=Verifier(TRUST, CONTEXTS))


@check("an anonymous presentation is accepted: no holder, bound by the secret, with a pseudonym")
def _():
    wallet, cred_id = state["anon"], state["anon_id"]
    assert wallet.consent_summary(cred_id, [DEGREE], DOMAIN).pseudonym == PseudonymUse.FIRST_TIME
    result = wallet.present(request_at("challenge-anon-1", cred_id, DOMAIN))
    vp = json.loads(result.json)
    assert "holder" not in vp and "proof" not in vp
    v = state["verifier"].verify(result.json, "challenge-anon-1", DOMAIN, [DEGREE])
    assert v.is_valid(), v
    assert v.holder is None and v.dangers == []
    [cred] = v.credentials
    assert cred.holder_binding == "secret" and cred.pseudonym
    state.update(anon_vp=result.json, nym=cred.pseudonym)


@check("the same agency sees the same pseudonym again (and the wallet says so); another agency another")
def _():
    wallet, cred_id = state["anon"], state["anon_id"]
    assert wallet.consent_summary(cred_id, [DEGREE], DOMAIN).pseudonym == PseudonymUse.RETURNING
    assert wallet.consent_summary(cred_id, [DEGREE], TAX_OFFICE).pseudonym == PseudonymUse.FIRST_TIME
    again = wallet.present(request_at("challenge-anon-2", cred_id, DOMAIN))
    v = state["verifier"].verify(again.json, "challenge-anon-2", DOMAIN, [DEGREE])
    assert v.is_valid() and v.credentials[0].pseudonym == state["nym"], v
    tax = wallet.present(request_at("challenge-anon-3", cred_id, TAX_OFFICE))
    v = state["verifier"].verify(tax.json, "challenge-anon-3", TAX_OFFICE, [DEGREE])
    assert v.is_valid(), v
    assert v.credentials[0].pseudonym != state["nym"]


@check("an anonymous presentation replayed, or shown at another agency, is refused")
def _():
    v = state["verifier"].verify(state["anon_vp"], "challenge-anon-9", DOMAIN, [])
    assert v.is_invalid() and "challenge" in [f.check for f in v.failures], v.failures
    v = state["verifier"].verify(state["anon_vp"], "challenge-anon-1", TAX_OFFICE, [])
    assert v.is_invalid()


@check("another wallet cannot import the bound diploma; a DID-bound one cannot go anonymous")
def _():
    wallet = state["anon"]
    signed = issued_on(wallet.credential_request(None, HolderBinding.HOLDER_SECRET))
    other = Wallet.in_memory(CONTEXTS)
    other.credential_request(None, HolderBinding.HOLDER_SECRET)
    expect(CivitasError, lambda: other.import_credential(signed))
    assert other.list() == []
    did_bound = other.import_credential(issued_to(other.holder_did())).id
    expect(CivitasError, lambda: other.present(request_at("c", did_bound, DOMAIN)))


# ---- OpenID4VP over HTTP against a real `civitas serve` (bindings/test.sh starts it) ----

DESK = os.environ.get("CIVITAS_TEST_DESK", "")
# The CA the desk's request-signing certificate chains to (bindings/test.sh makes it).
VERIFIER_CA = open(os.environ["CIVITAS_TEST_VERIFIER_CA"]).read() if DESK else ""


def http(method, url, body=None, content_type=None, accept=None):
    """(status, text) of one HTTP exchange, as the app's own HTTP stack would do it."""
    headers = {}
    if content_type:
        headers["Content-Type"] = content_type
    if accept:
        headers["Accept"] = accept
    data = body.encode() if isinstance(body, str) else body
    req = urllib.request.Request(url, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


def desk_check():
    status, text = http("POST", DESK + "/desk/checks", json.dumps({"check": "diploma"}), "application/json")
    assert status == 201, (status, text)
    return json.loads(text)


def desk_state(check_id):
    status, text = http("GET", DESK + "/desk/checks/" + check_id)
    assert status == 200, (status, text)
    return json.loads(text)


def fetch_request(wallet, url):
    inv = parse_openid4vp_url(url)
    assert inv.is_fetch_request(), inv
    status, jwt = http("POST" if inv.post else "GET", inv.request_uri,
                       b"" if inv.post else None, accept="application/oauth-authz-req+jwt")
    assert status == 200, (status, jwt)
    return inv, wallet.openid4vp_request_trusting(inv.client_id, jwt, VERIFIER_CA)


@check("OpenID4VP over HTTP: the desk's check, answered by this wallet after consent, is valid")
def _():
    assert DESK, "CIVITAS_TEST_DESK is not set (bindings/test.sh starts the desk)"
    wallet = Wallet.in_memory(CONTEXTS)
    wallet.import_credential(issued_on(wallet.credential_request(None, HolderBinding.HOLDER_SECRET_PSEUDONYM)))
    tx = desk_check()
    inv, request = fetch_request(wallet, tx["url"])
    assert request.signed() and request.client_id() == inv.client_id
    assert inv.client_id.startswith("x509_hash:"), inv.client_id
    consent = wallet.openid4vp_consent(request)
    assert consent.answerable and consent.verifier == inv.client_id, consent
    [cred] = consent.credentials
    assert cred.query_id == "diploma"
    shown = [c.pointer for c in cred.summary.disclosed]
    assert DEGREE in shown and BIRTH_DATE not in shown, shown
    assert BIRTH_DATE in cred.summary.hidden
    assert cred.summary.pseudonym == PseudonymUse.FIRST_TIME
    post = wallet.openid4vp_respond(request)
    assert post.content_type == "application/x-www-form-urlencoded" and post.body.startswith("response=")
    status, text = http("POST", post.url, post.body, post.content_type)
    reply = openid4vp_reply(status, text)
    assert reply.is_accepted(), (status, text)
    result = desk_state(tx["id"])
    assert result["state"] == "valid", result
    [shown] = result["result"]["credentials"]
    assert shown["claims"][DEGREE] == "MSc Computer Science"
    assert shown["holder_binding"] == "secret" and shown["pseudonym"]
    # Replayed: refused, and the verdict stands.
    status, text = http("POST", post.url, post.body, post.content_type)
    reply = openid4vp_reply(status, text)
    assert reply.is_refused() and reply.status == 400 and "already answered" in reply.description, reply
    assert desk_state(tx["id"])["state"] == "valid"
    # The next check: the same pseudonym, and the wallet says so.
    tx2 = desk_check()
    _, request2 = fetch_request(wallet, tx2["url"])
    assert wallet.openid4vp_consent(request2).credentials[0].summary.pseudonym == PseudonymUse.RETURNING
    post2 = wallet.openid4vp_respond(request2)
    assert openid4vp_reply(*http("POST", post2.url, post2.body, post2.content_type)).is_accepted()
    assert desk_state(tx2["id"])["result"]["credentials"][0]["pseudonym"] == shown["pseudonym"]


@check("OpenID4VP over HTTP: a wallet without the credential declines; a bad request is refused")
def _():
    wallet = Wallet.in_memory(CONTEXTS)
    tx = desk_check()
    _, request = fetch_request(wallet, tx["url"])
    consent = wallet.openid4vp_consent(request)
    assert not consent.answerable and consent.reason and consent.credentials == [], consent
    expect(CivitasError.InvalidInput, lambda: wallet.openid4vp_respond(request))
    post = wallet.openid4vp_decline(request)
    assert post.body.startswith("error=access_denied")
    assert openid4vp_reply(*http("POST", post.url, post.body, post.content_type)).is_accepted()
    result = desk_state(tx["id"])
    assert result["state"] == "invalid"
    assert "declined" in result["result"]["failures"][0]["reason"], result
    # A Request Object under another client id, or tampered, is refused.
    tx = desk_check()
    inv = parse_openid4vp_url(tx["url"])
    _, jwt = http("GET", inv.request_uri)
    expect(CivitasError.InvalidInput, lambda: wallet.openid4vp_request(
        "decentralized_identifier:did:key:zDnaerx9CtbPJ1q36T5Ln5wYt3MQYeGRG5ehnPAmxcf5mDZpv", jwt))
    head, payload, sig = jwt.split(".")
    expect(CivitasError.InvalidInput, lambda: wallet.openid4vp_request_trusting(
        inv.client_id, head + "." + payload + "." + sig[::-1], VERIFIER_CA))
    # The desk's x509_hash: request without a trust anchor for its chain: refused.
    expect(CivitasError.InvalidInput, lambda: wallet.openid4vp_request(inv.client_id, jwt))
    expect(CivitasError.InvalidInput, lambda: wallet.openid4vp_request_trusting(inv.client_id, jwt, "not a PEM"))
    expect(CivitasError.InvalidInput, lambda: parse_openid4vp_url("https://example.com/not-openid4vp"))


@check("dropping the last reference to a Wallet zeroizes its device key (live_device_keys)")
def _():
    state.clear()
    gc.collect()
    before = live_device_keys()
    wallet = Wallet.in_memory(CONTEXTS)
    assert live_device_keys() == before + 1
    del wallet
    gc.collect()
    assert live_device_keys() == before, (live_device_keys(), before)

# ---- OpenID4VCI over HTTP: the same `civitas serve` issues diplomas ----


def admin_offer(row, by_value=False):
    """An offer and its PIN, made through the issuer's admin endpoint (as civitas offers does)."""
    body = {"configuration": "diploma", "by_value": by_value,
            "rows": [{"id": row, "values": {"given_name": "Ada", "family_name": "Lovelace"}}]}
    req = urllib.request.Request(DESK + "/issuer/offers", data=json.dumps(body).encode(), method="POST",
                                 headers={"Content-Type": "application/json",
                                          "Authorization": "Bearer " + os.environ["CIVITAS_TEST_ADMIN_TOKEN"]})
    with urllib.request.urlopen(req, timeout=30) as r:
        status, text = r.status, r.read().decode()
    assert status == 201, (status, text)
    [made] = json.loads(text)["offers"]
    return made["offer"], made["pin"]


def open_issuer(link):
    """Parse the link, fetch the offer (by reference) and both metadata documents."""
    inv = parse_openid4vci_offer_url(link)
    if inv.is_fetch_offer():
        status, text = http("GET", inv.uri, accept="application/json")
        assert status == 200, (status, text)
        offer = openid4vci_offer(text)
    else:
        offer = inv.offer
    status, text = http("GET", offer.issuer_metadata_url())
    assert status == 200, (status, text)
    issuer = offer.with_issuer_metadata(text)
    status, text = http("GET", issuer.authorization_server_metadata_url())
    assert status == 200, (status, text)
    issuer.set_authorization_server_metadata(text)
    return offer, issuer


def send(post):
    headers = {"Content-Type": post.content_type}
    if post.authorization:
        headers["Authorization"] = post.authorization
    req = urllib.request.Request(post.url, data=post.body.encode(), method="POST", headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


@check("OpenID4VCI over HTTP: an offer is redeemed with its PIN, the diploma bound to this wallet and accepted at the desk")
def _():
    assert DESK, "CIVITAS_TEST_DESK is not set (bindings/test.sh starts the service)"
    link, pin = admin_offer("py-ada")
    assert link.startswith("openid-credential-offer://?credential_offer_uri=")
    offer, issuer = open_issuer(link)
    assert offer.credential_issuer() == DESK
    shown = issuer.display()
    assert shown.issuer_name == "University of Civitas" and shown.credential_name == "University diploma", shown
    assert shown.pin_required and shown.pin_length == len(pin) and shown.pin_numeric, shown
    assert shown.bindings[0] == HolderBinding.HOLDER_SECRET_PSEUDONYM and HolderBinding.NONE in shown.bindings
    assert [c.name for c in shown.claims] == ["Degree"], shown.claims
    wallet = Wallet.in_memory(CONTEXTS)
    issuer.read_token(*send(issuer.token_request(pin)))
    status, text = send(wallet.openid4vci_credential_request(issuer, HolderBinding.HOLDER_SECRET_PSEUDONYM, 2))
    assert status == 200, (status, text)
    imported = wallet.openid4vci_import(issuer, status, text)
    assert len(imported) == 2 and all(c.binding == HolderBinding.HOLDER_SECRET_PSEUDONYM for c in imported), imported
    # The token is used up.
    status, text = send(wallet.openid4vci_credential_request(issuer, HolderBinding.HOLDER_SECRET_PSEUDONYM, 1))
    assert status == 401 and "invalid_token" in text, (status, text)
    # The diploma answers the desk's check.
    tx = desk_check()
    _, request = fetch_request(wallet, tx["url"])
    post = wallet.openid4vp_respond(request)
    assert openid4vp_reply(*http("POST", post.url, post.body, post.content_type)).is_accepted()
    result = desk_state(tx["id"])
    assert result["state"] == "valid", result
    assert result["result"]["credentials"][0]["holder_binding"] == "secret"


@check("OpenID4VCI over HTTP: a wrong PIN is refused with invalid_grant; an identified diploma goes to the wallet's DID")
def _():
    link, pin = admin_offer("py-alan", by_value=True)
    _, issuer = open_issuer(link)
    wrong = "0" * len(pin) if pin != "0" * len(pin) else "1" * len(pin)
    status, text = send(issuer.token_request(wrong))
    err = expect(CivitasError.VerificationFailed, lambda: issuer.read_token(status, text))
    assert "invalid_grant" in str(err) and "attempts left" in str(err), err
    expect(CivitasError.InvalidInput, lambda: issuer.token_request("12"))  # not the offer's length
    wallet = Wallet.in_memory(CONTEXTS)
    issuer.read_token(*send(issuer.token_request(pin)))
    expect(CivitasError.InvalidInput, lambda: wallet.openid4vci_credential_request(issuer, HolderBinding.NONE, 1))
    status, text = http("POST", issuer.nonce_url(), b"")
    issuer.read_nonce(status, text)
    status, text = send(wallet.openid4vci_credential_request(issuer, HolderBinding.NONE, 1))
    assert status == 200, (status, text)
    [got] = wallet.openid4vci_import(issuer, status, text)
    assert got.binding == HolderBinding.NONE
    assert json.loads(text)["credentials"][0]["credential"]["credentialSubject"]["id"] == wallet.holder_did()


print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
