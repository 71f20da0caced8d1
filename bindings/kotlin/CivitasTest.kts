// Tests of the Kotlin bindings of Civitas, run on the JVM by bindings/test.sh:
//
//   kotlinc -J-ea -J-Djna.library.path=target/debug \
//     -cp jna.jar:kotlinx-coroutines-core-jvm.jar:civitas-bindings.jar -script CivitasTest.kts
//
// Prints one line per check and, last, "N passed, N failed"; exits 1 if any check failed.

import uniffi.civitas_ffi.BbsVerifier
import uniffi.civitas_ffi.CivitasException
import uniffi.civitas_ffi.ContextDoc
import uniffi.civitas_ffi.CredentialStore
import uniffi.civitas_ffi.DisclosureRequest
import uniffi.civitas_ffi.HolderBinding
import uniffi.civitas_ffi.IssuerKey
import uniffi.civitas_ffi.KeyStore
import uniffi.civitas_ffi.OpenId4VciIssuer
import uniffi.civitas_ffi.OpenId4VciOfferInvocation
import uniffi.civitas_ffi.OpenId4VciPost
import uniffi.civitas_ffi.OpenId4VpInvocation
import uniffi.civitas_ffi.OpenId4VpReply
import uniffi.civitas_ffi.OpenId4VpRequest
import uniffi.civitas_ffi.PresentationRequest
import uniffi.civitas_ffi.PseudonymUse
import uniffi.civitas_ffi.VerificationResult
import uniffi.civitas_ffi.Verifier
import uniffi.civitas_ffi.Wallet
import uniffi.civitas_ffi.civitasVersion
import uniffi.civitas_ffi.deriveProof
import uniffi.civitas_ffi.liveDeviceKeys
import uniffi.civitas_ffi.liveSecretKeys
import uniffi.civitas_ffi.openid4vciOffer
import uniffi.civitas_ffi.openid4vpReply
import uniffi.civitas_ffi.parseOpenid4vciOfferUrl
import uniffi.civitas_ffi.parseOpenid4vpUrl
import java.net.URI
import java.net.http.HttpClient
import java.net.http.HttpRequest
import java.net.http.HttpResponse
import java.io.File
import java.math.BigInteger
import java.security.KeyPairGenerator
import java.security.Signature
import java.security.interfaces.ECPublicKey
import java.security.spec.ECGenParameterSpec
import java.util.concurrent.ConcurrentHashMap
import kotlin.system.exitProcess

var passed = 0
var failed = 0

fun check(name: String, body: () -> Unit) {
    try {
        body()
        passed++
        println("ok - $name")
    } catch (e: Throwable) {
        failed++
        println("FAIL - $name: $e")
        e.printStackTrace()
    }
}

inline fun <reified E : Throwable> assertThrows(body: () -> Unit): E {
    try {
        body()
    } catch (e: Throwable) {
        if (e is E) return e
        throw AssertionError("expected ${E::class.simpleName}, got $e")
    }
    throw AssertionError("expected ${E::class.simpleName}, nothing thrown")
}

val header = "civitas-kotlin-test".toByteArray()
val messages = (0 until 5).map { "claim $it".toByteArray() }
val disclosed = listOf(1u, 3u)
val disclosedMessages = disclosed.map { messages[it.toInt()] }
val nonce = "nonce-kotlin".toByteArray()

check("assertions are enabled (-ea)") {
    var enabled = false
    try {
        assert(false)
    } catch (e: AssertionError) {
        enabled = true
    }
    if (!enabled) throw IllegalStateException("run the JVM with -ea: assert() does nothing")
}

check("version") {
    assert(civitasVersion().count { it == '.' } == 2)
}

val before = liveSecretKeys()
IssuerKey.generate().use { key ->
    check("a generated key is counted as live") {
        assert(liveSecretKeys() == before + 1u)
    }

    val publicKey = key.publicKey()
    val signature = key.sign(header, messages)
    var proof = ByteArray(0)

    check("public key forms: did:key and verification method") {
        assert(publicKey.size == 96)
        val info = key.publicKeyInfo()
        assert(info.publicKey.contentEquals(publicKey))
        assert(info.didKey == key.didKey() && info.didKey.startsWith("did:key:zUC"))
        assert(info.verificationMethodId == info.didKey + "#" + info.didKey.removePrefix("did:key:"))
    }

    BbsVerifier().use { verifier ->
        check("sign 5 messages, verify the signature") {
            assert(signature.size == 80)
            verifier.verifySignature(publicKey, signature, header, messages)
        }

        check("derive a proof disclosing 2 of 5 messages; it verifies") {
            proof = deriveProof(publicKey, signature, header, nonce, messages, disclosed)
            verifier.verifyProof(publicKey, proof, header, nonce, disclosedMessages, disclosed)
        }

        check("wrong presentation header throws CivitasException.VerificationFailed") {
            val e = assertThrows<CivitasException.VerificationFailed> {
                verifier.verifyProof(
                    publicKey, proof, header, "another nonce".toByteArray(),
                    disclosedMessages, disclosed,
                )
            }
            assert(e.reason == "proof is not valid") { e.reason }
        }

        check("malformed public key bytes throw CivitasException.InvalidInput") {
            val e = assertThrows<CivitasException.InvalidInput> {
                verifier.verifyProof(
                    byteArrayOf(1, 2, 3), proof, header, nonce, disclosedMessages, disclosed,
                )
            }
            assert(e.reason == "public key: expected 96 bytes, got 3") { e.reason }
        }

        check("disclosed index out of range throws CivitasException.InvalidInput") {
            assertThrows<CivitasException.InvalidInput> {
                deriveProof(publicKey, signature, header, nonce, messages, listOf(7u))
            }
        }
    }
}

check("leaving use {} dropped and zeroized the key") {
    assert(liveSecretKeys() == before) { "live keys: ${liveSecretKeys()}, before: $before" }
}

check("close() drops and zeroizes the key at once") {
    val before = liveSecretKeys()
    val key = IssuerKey.generate()
    assert(liveSecretKeys() == before + 1u)
    key.close()
    assert(liveSecretKeys() == before)
}

// ---- wallet and verifier (bindings/test.sh issues the diploma and writes the trust file) ----

val contexts = listOf(
    ContextDoc(System.getenv("CIVITAS_TEST_CONTEXT_URL"), File(System.getenv("CIVITAS_TEST_CONTEXT_FILE")).readText()),
)
val diploma = File(System.getenv("CIVITAS_TEST_CREDENTIAL")).readText()
val trustToml = File(System.getenv("CIVITAS_TEST_TRUST")).readText()

/** The diploma issued by the university (the civitas command) to `holderDid`. */
fun issuedTo(holderDid: String): String {
    val dir = kotlin.io.path.createTempDirectory("civitas-issue").toFile()
    try {
        val unsigned = File(System.getenv("CIVITAS_TEST_UNSIGNED")).readText()
            .replace("\"did:example:citizen-ada\"", "\"$holderDid\"")
        File(dir, "diploma.json").writeText(unsigned)
        val ctx = System.getenv("CIVITAS_TEST_CONTEXT_URL") + "=" + System.getenv("CIVITAS_TEST_CONTEXT_FILE")
        val p = ProcessBuilder(
            System.getenv("CIVITAS_TEST_CLI"), "--context", ctx, "issue",
            "--key", System.getenv("CIVITAS_TEST_ISSUER_KEY"),
            "--mandatory", System.getenv("CIVITAS_TEST_MANDATORY"),
            File(dir, "diploma.json").path, "-o", File(dir, "signed.json").path,
        ).redirectErrorStream(true).start()
        val out = p.inputStream.bufferedReader().readText()
        if (p.waitFor() != 0) throw IllegalStateException(out)
        return File(dir, "signed.json").readText()
    } finally {
        dir.deleteRecursively()
    }
}
/** The diploma issued to `holderDid` and recorded in a fresh transparency log: the
 *  credential, its .tlog-proof text, and a policy trusting that log (no witnesses). */
fun loggedIssue(holderDid: String): Triple<String, String, String> {
    val dir = kotlin.io.path.createTempDirectory("civitas-logged").toFile()
    try {
        val ctx = System.getenv("CIVITAS_TEST_CONTEXT_URL") + "=" + System.getenv("CIVITAS_TEST_CONTEXT_FILE")
        fun run(vararg args: String): String {
            val p = ProcessBuilder(System.getenv("CIVITAS_TEST_CLI"), "--context", ctx, *args)
                .directory(dir).redirectError(ProcessBuilder.Redirect.DISCARD).start()
            val out = p.inputStream.bufferedReader().readText()
            if (p.waitFor() != 0) throw IllegalStateException("civitas ${args.joinToString(" ")} failed")
            return out
        }
        run("keygen", "--alg", "ed25519", "-o", "log.key")
        val vkey = run("log", "init", "--key", "log.key", "--origin", "uni.example/log", "log").trim()
        val unsigned = File(System.getenv("CIVITAS_TEST_UNSIGNED")).readText()
            .replace("\"did:example:citizen-ada\"", "\"$holderDid\"")
        File(dir, "diploma.json").writeText(unsigned)
        run("issue", "--key", System.getenv("CIVITAS_TEST_ISSUER_KEY"),
            "--mandatory", System.getenv("CIVITAS_TEST_MANDATORY"), "diploma.json",
            "-o", "signed.json", "--log", "log", "--log-key", "log.key")
        return Triple(
            File(dir, "signed.json").readText(),
            File(dir, "signed.json.tlog-proof").readText(),
            "log $vkey\nquorum none\n",
        )
    } finally {
        dir.deleteRecursively()
    }
}

/** A PID as an SD-JWT VC issued (by the civitas command) to `holderDid`'s key: the
 *  credential, its token status list and a trust file naming its issuer. */
fun sdJwtVcFor(holderDid: String): Triple<String, String, String> {
    val dir = kotlin.io.path.createTempDirectory("civitas-sdjwt").toFile()
    try {
        fun run(vararg args: String) {
            val p = ProcessBuilder(System.getenv("CIVITAS_TEST_CLI"), *args)
                .directory(dir).redirectErrorStream(true).start()
            val out = p.inputStream.bufferedReader().readText()
            if (p.waitFor() != 0) throw IllegalStateException(out)
        }
        run("keygen", "--alg", "p256", "-o", "pid.key")
        File(dir, "holder.json").writeText("{\"publicKeyMultibase\": \"${holderDid.removePrefix("did:key:")}\"}")
        File(dir, "claims.json").writeText("{\"given_name\": \"Ada\", \"family_name\": \"Lovelace\", \"birthdate\": \"1990-12-10\"}")
        run("status", "create", "--format", "token", "--key", "pid.key", "--id", "https://pid.example/status/1", "-o", "status.jwt")
        run("issue", "--format", "sd-jwt-vc", "--key", "pid.key", "--vct", "urn:eudi:pid:1",
            "--holder-jwk", "holder.json", "--status-list", "status.jwt", "--status-index", "2",
            "claims.json", "-o", "pid.sd-jwt")
        val issuer = Regex("\"controller\"\\s*:\\s*\"([^\"]+)\"").find(File(dir, "pid.key").readText())!!.groupValues[1]
        return Triple(
            File(dir, "pid.sd-jwt").readText().trim(),
            File(dir, "status.jwt").readText().trim(),
            "[[issuer]]\ndid = \"$issuer\"\nname = \"PID Provider\"\ncredential_types = [\"urn:eudi:pid:1\"]\n",
        )
    } finally {
        dir.deleteRecursively()
    }
}

/** The Valid variant of a verification result (the result is an enum: both must be handled). */
fun VerificationResult.valid(): VerificationResult.Valid = when (this) {
    is VerificationResult.Valid -> this
    is VerificationResult.Invalid -> throw AssertionError("expected Valid: ${this.failures}")
}

/** The Invalid variant of a verification result. */
fun VerificationResult.invalid(): VerificationResult.Invalid = when (this) {
    is VerificationResult.Invalid -> this
    is VerificationResult.Valid -> throw AssertionError("expected Invalid")
}

val degree = "/credentialSubject/degree/name"
val birthDate = "/credentialSubject/birthDate"
val domain = "https://agency.example"

/** The diploma issued by the university (the civitas command) on a wallet's credential request. */
fun issuedOn(requestJson: String): String {
    val dir = kotlin.io.path.createTempDirectory("civitas-issue").toFile()
    try {
        // Bound by the holder secret: no subject DID.
        val unsigned = File(System.getenv("CIVITAS_TEST_UNSIGNED")).readText()
            .replace(Regex("\"id\"\\s*:\\s*\"did:example:citizen-ada\"\\s*,"), "")
        assert("did:example:citizen-ada" !in unsigned)
        File(dir, "diploma.json").writeText(unsigned)
        File(dir, "request.json").writeText(requestJson)
        val ctx = System.getenv("CIVITAS_TEST_CONTEXT_URL") + "=" + System.getenv("CIVITAS_TEST_CONTEXT_FILE")
        val p = ProcessBuilder(
            System.getenv("CIVITAS_TEST_CLI"), "--context", ctx, "issue",
            "--key", System.getenv("CIVITAS_TEST_ISSUER_KEY"),
            "--mandatory", System.getenv("CIVITAS_TEST_MANDATORY"),
            "--holder-request", File(dir, "request.json").path,
            File(dir, "diploma.json").path, "-o", File(dir, "signed.json").path,
        ).redirectErrorStream(true).start()
        val out = p.inputStream.bufferedReader().readText()
        if (p.waitFor() != 0) throw IllegalStateException(out)
        return File(dir, "signed.json").readText()
    } finally {
        dir.deleteRecursively()
    }
}
val taxOffice = "https://tax-office.example"

/** A KeyStore the way an app writes one over Android Keystore: here java.security P-256. */
class JavaKeyStore : KeyStore {
    private val pair = KeyPairGenerator.getInstance("EC")
        .apply { initialize(ECGenParameterSpec("secp256r1")) }
        .generateKeyPair()

    /** 33-byte compressed SEC1 point: 02/03 (parity of y) || x. */
    override fun publicKey(): ByteArray {
        val w = (pair.public as ECPublicKey).w
        val prefix = if (w.affineY.testBit(0)) 3 else 2
        return byteArrayOf(prefix.toByte()) + fixed32(w.affineX)
    }

    /** SHA256withECDSA gives ASN.1 DER; Civitas wants P1363 r || s (32 + 32 bytes). */
    override fun sign(message: ByteArray): ByteArray {
        val der = Signature.getInstance("SHA256withECDSA").run {
            initSign(pair.private)
            update(message)
            sign()
        }
        return derToP1363(der)
    }
}

fun fixed32(n: BigInteger): ByteArray {
    val bytes = n.toByteArray().dropWhile { it == 0.toByte() }.toByteArray()
    require(bytes.size <= 32)
    return ByteArray(32 - bytes.size) + bytes
}

/** SEQUENCE { INTEGER r, INTEGER s } (lengths below 128 for P-256) to r || s. */
fun derToP1363(der: ByteArray): ByteArray {
    require(der[0] == 0x30.toByte())
    var i = if (der[1].toInt() and 0x80 != 0) 2 + (der[1].toInt() and 0x7f) else 2
    val ints = (0 until 2).map {
        require(der[i] == 0x02.toByte())
        val len = der[i + 1].toInt()
        val value = BigInteger(1, der.copyOfRange(i + 2, i + 2 + len))
        i += 2 + len
        fixed32(value)
    }
    return ints[0] + ints[1]
}

/** A CredentialStore the way an app writes one over its own storage: here a map. */
class MapStore : CredentialStore {
    val records = ConcurrentHashMap<String, ByteArray>()
    override fun put(id: String, record: ByteArray) { records[id] = record.copyOf() }
    override fun get(id: String): ByteArray? = records[id]?.copyOf()
    override fun list(): List<String> = records.keys.toList()
    override fun delete(id: String) { records.remove(id) }
}

fun request(challenge: String, credentialId: String) = PresentationRequest(
    challenge = challenge,
    domain = domain,
    disclosures = listOf(DisclosureRequest(credentialId, listOf(degree))),
)

val devicesBefore = liveDeviceKeys()
Verifier(trustToml, contexts).use { verifier ->
    Wallet.inMemory(contexts).use { wallet ->
        check("a wallet's device key is counted as live") {
            assert(liveDeviceKeys() == devicesBefore + 1u)
        }

        // Issued to this wallet's DID: only a presentation signed by its device key is accepted.
        val summary = wallet.importCredential(issuedTo(wallet.holderDid()))
        check("import the diploma; its claims are listed flat with depths") {
            assert("UniversityDegreeCredential" in summary.types)
            assert(summary.issuerName == "University of Civitas")
            val claim = summary.claims.single { it.pointer == degree }
            assert(claim.value == "MSc Computer Science" && claim.depth == 2u)
            assert(wallet.list().map { it.id } == listOf(summary.id))
        }

        check("a logged diploma's inclusion proof is checked at import and kept for the holder") {
            Wallet.inMemory(contexts).use { holder ->
                val (credential, proof, policy) = loggedIssue(holder.holderDid())
                val logged = holder.importWithTlogProof(credential, proof, policy)
                assert(holder.tlogProof(logged.id) == proof)
                Wallet.inMemory(contexts).use { other ->
                    assertThrows<CivitasException> {
                        other.importWithTlogProof(credential, proof.replaceFirst("index ", "index 9"), policy)
                    }
                    assertThrows<CivitasException.InvalidInput> { other.importWithTlogProof(credential, proof, "quorum") }
                    assert(other.list().isEmpty())
                }
            }
        }

        check("an SD-JWT VC is imported and presented with a Key Binding JWT; the verifier accepts only what was asked") {
            Wallet.inMemory(contexts).use { holder ->
                val (compact, token, trust) = sdJwtVcFor(holder.holderDid())
                val s = holder.importSdJwtVc(compact, null)
                assert(s.vct == "urn:eudi:pid:1" && s.keyBound)
                assert(s.claims.any { it.pointer == "/given_name" && !it.mandatory })
                val vp = holder.presentSdJwtVc(s.id, listOf("/given_name"), "https://desk.example", "n-kt")
                Verifier(trust, contexts).use { v ->
                    v.addStatusListToken(token)
                    val ok = v.verifySdJwt(vp, "n-kt", "https://desk.example", listOf("/given_name")).valid()
                    val cred = ok.credentials.single()
                    assert(cred.holderBinding == "key")
                    assert(cred.claims.any { it.pointer == "/given_name" && it.value == "Ada" })
                    assert(cred.claims.none { it.pointer == "/birthdate" })
                    v.verifySdJwt(vp, "n-other", "https://desk.example", listOf()).invalid()
                }
                Wallet.inMemory(contexts).use { other ->
                    assertThrows<CivitasException> { other.importSdJwtVc(compact, null) }
                }
            }
        }

        check("consent summary: the degree is disclosed, the birth date stays hidden") {
            val consent = wallet.consentSummary(summary.id, listOf(degree), domain)
            assert(consent.pseudonym == PseudonymUse.NONE)
            assert(consent.disclosed.any { it.pointer == degree && it.value == "MSc Computer Science" })
            assert(consent.disclosed.none { it.pointer == birthDate })
            assert(birthDate in consent.hidden)
        }

        var presentation = ""
        check("present only the degree, identified with the device key; the verifier accepts it") {
            val result = wallet.presentIdentified(request("challenge-kt-1", summary.id))
            assert(result.qrPayload.isNotEmpty())
            val verified = verifier.verify(result.json, "challenge-kt-1", domain, listOf(degree))
            val ok = verified.valid()
            assert(ok.holder == wallet.holderDid())
            val credential = ok.credentials.single()
            assert(credential.issuerName == "University of Civitas")
            assert(credential.claims.single { it.pointer == degree }.value == "MSc Computer Science")
            assert(credential.claims.none { it.pointer == birthDate })
            presentation = result.json
        }

        check("a wrong challenge is a normal invalid result with check \"challenge\"") {
            val replayed = verifier.verify(presentation, "another-challenge", domain, emptyList())
            val bad = replayed.invalid()
            assert(bad.failures.any { it.check == "challenge" }) { bad.failures.toString() }
        }

        check("a tampered presentation is invalid") {
            val tampered = presentation.replace("MSc Computer Science", "PhD Computer Science")
            assert(tampered != presentation)
            val verified = verifier.verify(tampered, "challenge-kt-1", domain, emptyList())
            assert(verified.invalid().failures.isNotEmpty())
        }

        check("the history has one entry") {
            val entry = wallet.history().single()
            assert(entry.domain == domain && entry.credentialId == summary.id)
            assert(degree in entry.disclosedPointers)
        }

        check("present with a KeyStore written in Kotlin (SHA256withECDSA, DER to P1363)") {
            val keyStore = JavaKeyStore()
            val signed = wallet.presentWithKeyStore(request("challenge-kt-2", summary.id), keyStore)
            val verifiedSigned = verifier.verify(signed.json, "challenge-kt-2", domain, listOf(degree))
            // The KeyStore's signature verifies; the diploma was issued to the wallet's own
            // device key, not to this one, so the only failure is the holder binding.
            val bad = verifiedSigned.invalid()
            assert(bad.failures.map { it.check } == listOf("holder-binding")) { bad.failures.toString() }
            assert(wallet.history().size == 2)
        }

        check("a KeyStore that throws: CivitasException.Internal, nothing recorded") {
            val refusing = object : KeyStore {
                val inner = JavaKeyStore()
                override fun publicKey() = inner.publicKey()
                override fun sign(message: ByteArray): ByteArray = throw IllegalStateException("user cancelled")
            }
            val e = assertThrows<CivitasException.Internal> {
                wallet.presentWithKeyStore(request("challenge-kt-3", summary.id), refusing)
            }
            assert("user cancelled" !in e.reason) { e.reason }
            assert(wallet.history().size == 2)
        }

        check("malformed JSON throws CivitasException.InvalidInput") {
            assertThrows<CivitasException.InvalidInput> { wallet.importCredential("{not json") }
            assertThrows<CivitasException.InvalidInput> {
                verifier.verify("{not json", null, null, emptyList())
            }
        }
    }
}

// ---- anonymous presentations: a diploma bound to the wallet's holder secret ----

fun requestAt(challenge: String, credentialId: String, at: String) = PresentationRequest(
    challenge = challenge,
    domain = at,
    disclosures = listOf(DisclosureRequest(credentialId, listOf(degree))),
)

Verifier(trustToml, contexts).use { verifier ->
    Wallet.inMemory(contexts).use { wallet ->
        val req = wallet.credentialRequest(null, HolderBinding.HOLDER_SECRET_PSEUDONYM)
        check("credential requests are fresh and name their feature") {
            assert("\"holder_binding_pseudonym\"" in req && "CivitasCredentialRequest" in req)
            assert(wallet.credentialRequest(null, HolderBinding.HOLDER_SECRET_PSEUDONYM) != req)
            assertThrows<CivitasException.InvalidInput> { wallet.credentialRequest(null, HolderBinding.NONE) }
        }
        val summary = wallet.importCredential(issuedOn(req))
        check("the diploma issued on the request imports, bound to the wallet's secret") {
            assert(summary.binding == HolderBinding.HOLDER_SECRET_PSEUDONYM)
        }
        var first = ""
        var nym = ""
        check("an anonymous presentation is accepted: no holder, bound by the secret, a pseudonym") {
            assert(wallet.consentSummary(summary.id, listOf(degree), domain).pseudonym == PseudonymUse.FIRST_TIME)
            val result = wallet.present(requestAt("challenge-anon-1", summary.id, domain))
            assert("\"holder\"" !in result.json)
            val verified = verifier.verify(result.json, "challenge-anon-1", domain, listOf(degree))
            val ok = verified.valid()
            assert(ok.holder == null && ok.dangers.isEmpty())
            val credential = ok.credentials.single()
            assert(credential.holderBinding == "secret")
            nym = credential.pseudonym!!
            first = result.json
        }
        check("the same agency sees the same pseudonym again; the tax office another") {
            assert(wallet.consentSummary(summary.id, listOf(degree), domain).pseudonym == PseudonymUse.RETURNING)
            val again = wallet.present(requestAt("challenge-anon-2", summary.id, domain))
            val v = verifier.verify(again.json, "challenge-anon-2", domain, listOf(degree))
            assert(v.valid().credentials.single().pseudonym == nym) { v.toString() }
            val tax = wallet.present(requestAt("challenge-anon-3", summary.id, taxOffice))
            val t = verifier.verify(tax.json, "challenge-anon-3", taxOffice, listOf(degree))
            assert(t.valid().credentials.single().pseudonym != nym) { t.toString() }
        }
        check("replayed, or shown at another agency: refused") {
            val replayed = verifier.verify(first, "challenge-anon-9", domain, emptyList())
            assert(replayed.invalid().failures.any { it.check == "challenge" }) { replayed.toString() }
            verifier.verify(first, "challenge-anon-1", taxOffice, emptyList()).invalid()
        }
        check("another wallet cannot import the bound diploma") {
            val signed = issuedOn(wallet.credentialRequest(null, HolderBinding.HOLDER_SECRET))
            Wallet.inMemory(contexts).use { other ->
                other.credentialRequest(null, HolderBinding.HOLDER_SECRET)
                assertThrows<CivitasException> { other.importCredential(signed) }
                assert(other.list().isEmpty())
            }
        }
    }
}

// ---- OpenID4VP over HTTP against a real `civitas serve` (bindings/test.sh starts it) ----

val desk = System.getenv("CIVITAS_TEST_DESK") ?: ""
/** The CA the desk's request-signing certificate chains to (bindings/test.sh makes it). */
val verifierCa = System.getenv("CIVITAS_TEST_VERIFIER_CA")?.let { java.io.File(it).readText() } ?: ""
val http: HttpClient = HttpClient.newBuilder().connectTimeout(java.time.Duration.ofSeconds(10)).build()

/** One HTTP exchange with the platform's own client, as an Android app would do it. */
fun exchange(method: String, url: String, body: String? = null, contentType: String? = null): Pair<Int, String> {
    val b = HttpRequest.newBuilder(URI.create(url)).timeout(java.time.Duration.ofSeconds(30))
    if (contentType != null) b.header("Content-Type", contentType)
    b.header("Accept", "application/oauth-authz-req+jwt, application/json")
    b.method(method, if (body == null) HttpRequest.BodyPublishers.noBody() else HttpRequest.BodyPublishers.ofString(body))
    val r = http.send(b.build(), HttpResponse.BodyHandlers.ofString())
    return r.statusCode() to r.body()
}

/** A new check at the desk: its id and openid4vp:// URL (read from the desk's JSON). */
fun deskCheck(): Pair<String, String> {
    val (status, text) = exchange("POST", "$desk/desk/checks", "{\"check\": \"diploma\"}", "application/json")
    assert(status == 201) { "$status $text" }
    val id = Regex("\"id\":\"([^\"]+)\"").find(text)!!.groupValues[1]
    val url = Regex("\"url\":\"([^\"]+)\"").find(text)!!.groupValues[1]
    return id to url
}

fun deskState(id: String): String {
    val (status, text) = exchange("GET", "$desk/desk/checks/$id")
    assert(status == 200) { "$status $text" }
    return text
}

fun fetchRequest(wallet: Wallet, url: String): Pair<OpenId4VpInvocation.FetchRequest, OpenId4VpRequest> {
    val inv = when (val i = parseOpenid4vpUrl(url)) {
        is OpenId4VpInvocation.FetchRequest -> i
        is OpenId4VpInvocation.ByValue -> throw AssertionError("expected a request_uri")
    }
    val (status, jwt) = exchange(if (inv.post) "POST" else "GET", inv.requestUri)
    assert(status == 200) { "$status $jwt" }
    return inv to wallet.openid4vpRequestTrusting(inv.clientId, jwt, verifierCa)
}

Wallet.inMemory(contexts).use { wallet ->
    wallet.importCredential(issuedOn(wallet.credentialRequest(null, HolderBinding.HOLDER_SECRET_PSEUDONYM)))
    var firstPost: uniffi.civitas_ffi.OpenId4VpPost? = null
    var firstId = ""
    check("OpenID4VP over HTTP: the desk's check, answered after consent, is valid") {
        assert(desk.isNotEmpty()) { "CIVITAS_TEST_DESK is not set (bindings/test.sh starts the desk)" }
        val (id, url) = deskCheck()
        val (inv, request) = fetchRequest(wallet, url)
        request.use {
            assert(request.signed() && request.clientId() == inv.clientId)
            val consent = wallet.openid4vpConsent(request)
            assert(consent.answerable && consent.verifier.startsWith("x509_hash:")) { consent.verifier }
            // Without a trust anchor for the desk's x5c chain the request is refused.
            val (_, jwt) = exchange("GET", inv.requestUri)
            try {
                wallet.openid4vpRequest(inv.clientId, jwt).close()
                throw AssertionError("an x509_hash: request was read without trust anchors")
            } catch (e: CivitasException.InvalidInput) {
                assert("invalid_client" in e.reason) { e.reason }
            }
            val shown = consent.credentials.single().summary
            assert(shown.disclosed.any { it.pointer == degree } && shown.disclosed.none { it.pointer == birthDate })
            assert(shown.pseudonym == PseudonymUse.FIRST_TIME)
            val post = wallet.openid4vpRespond(request)
            val (status, text) = exchange("POST", post.url, post.body, post.contentType)
            assert(openid4vpReply(status.toUShort(), text) is OpenId4VpReply.Accepted) { "$status $text" }
            val state = deskState(id)
            assert("\"state\":\"valid\"" in state && "MSc Computer Science" in state) { state }
            assert("\"holder_binding\":\"secret\"" in state && "Lovelace" !in state) { state }
            firstPost = post
            firstId = id
        }
    }
    check("OpenID4VP over HTTP: the same response replayed is refused; the verdict stands") {
        val post = firstPost!!
        val (status, text) = exchange("POST", post.url, post.body, post.contentType)
        when (val reply = openid4vpReply(status.toUShort(), text)) {
            is OpenId4VpReply.Refused -> assert(reply.status.toInt() == 400 && "already answered" in (reply.description ?: "")) { reply.toString() }
            is OpenId4VpReply.Accepted -> throw AssertionError("a replay was accepted")
        }
        assert("\"state\":\"valid\"" in deskState(firstId))
    }
}

check("OpenID4VP over HTTP: a wallet without the credential declines; the desk shows it") {
    Wallet.inMemory(contexts).use { wallet ->
        val (id, url) = deskCheck()
        val (_, request) = fetchRequest(wallet, url)
        request.use {
            val consent = wallet.openid4vpConsent(request)
            assert(!consent.answerable && consent.reason != null)
            assertThrows<CivitasException.InvalidInput> { wallet.openid4vpRespond(request) }
            val post = wallet.openid4vpDecline(request)
            val (status, text) = exchange("POST", post.url, post.body, post.contentType)
            assert(openid4vpReply(status.toUShort(), text) is OpenId4VpReply.Accepted)
            val state = deskState(id)
            assert("\"state\":\"invalid\"" in state && "declined" in state) { state }
        }
        assertThrows<CivitasException.InvalidInput> { parseOpenid4vpUrl("https://example.com/") }
    }
}

check("leaving use {} closed the Wallet and zeroized its device key") {
    assert(liveDeviceKeys() == devicesBefore) { "live: ${liveDeviceKeys()}, before: $devicesBefore" }
}

check("a 31-byte storage key throws CivitasException.InvalidInput") {
    val dir = kotlin.io.path.createTempDirectory("civitas-wallet").toFile()
    try {
        val e = assertThrows<CivitasException.InvalidInput> {
            Wallet.withEncryptedStore(dir.path, ByteArray(31), contexts)
        }
        assert(e.reason == "storage key: expected 32 bytes, got 31") { e.reason }
    } finally {
        dir.deleteRecursively()
    }
}

check("a wallet over a CredentialStore written in Kotlin keeps its records there") {
    val store = MapStore()
    Wallet.withStore(store, contexts).use { wallet ->
        val id = wallet.importCredential(diploma).id
        assert(id in store.records.keys)
        wallet.delete(id)
        assert(wallet.list().isEmpty() && id !in store.records.keys)
    }
}

// ---- OpenID4VCI over HTTP: the same `civitas serve` issues diplomas ----

/** An offer link and its PIN, made through the issuer's admin endpoint (as civitas offers does). */
fun adminOffer(row: String, byValue: Boolean = false): Pair<String, String> {
    val body = "{\"configuration\": \"diploma\", \"by_value\": $byValue, \"rows\": [{\"id\": \"$row\", \"values\": {\"given_name\": \"Ada\", \"family_name\": \"Lovelace\"}}]}"
    val request = HttpRequest.newBuilder(URI.create("$desk/issuer/offers"))
        .header("Content-Type", "application/json")
        .header("Authorization", "Bearer " + System.getenv("CIVITAS_TEST_ADMIN_TOKEN"))
        .POST(HttpRequest.BodyPublishers.ofString(body)).build()
    val response = http.send(request, HttpResponse.BodyHandlers.ofString())
    val (status, text) = response.statusCode() to response.body()
    assert(status == 201) { "$status $text" }
    val link = Regex("\"offer\":\"([^\"]+)\"").find(text)!!.groupValues[1]
    val pin = Regex("\"pin\":\"([0-9]+)\"").find(text)!!.groupValues[1]
    return link to pin
}

/** Parse the link, fetch the offer (by reference) and both metadata documents. */
fun openIssuer(link: String): OpenId4VciIssuer {
    val offer = when (val inv = parseOpenid4vciOfferUrl(link)) {
        is OpenId4VciOfferInvocation.ByValue -> inv.offer
        is OpenId4VciOfferInvocation.FetchOffer -> {
            val (status, text) = exchange("GET", inv.uri)
            assert(status == 200) { "$status $text" }
            openid4vciOffer(text)
        }
    }
    val (s1, metadata) = exchange("GET", offer.issuerMetadataUrl())
    assert(s1 == 200) { "$s1 $metadata" }
    val issuer = offer.withIssuerMetadata(metadata)
    val (s2, server) = exchange("GET", issuer.authorizationServerMetadataUrl())
    assert(s2 == 200) { "$s2 $server" }
    issuer.setAuthorizationServerMetadata(server)
    return issuer
}

fun send(post: OpenId4VciPost): Pair<Int, String> {
    val b = HttpRequest.newBuilder(URI.create(post.url)).timeout(java.time.Duration.ofSeconds(30))
    b.header("Content-Type", post.contentType)
    post.authorization?.let { b.header("Authorization", it) }
    b.POST(HttpRequest.BodyPublishers.ofString(post.body))
    val r = http.send(b.build(), HttpResponse.BodyHandlers.ofString())
    return r.statusCode() to r.body()
}

check("OpenID4VCI over HTTP: an offer is redeemed with its PIN, the diploma bound to this wallet and accepted at the desk") {
    val (link, pin) = adminOffer("kt-ada")
    val issuer = openIssuer(link)
    val shown = issuer.display()
    assert(shown.issuerName == "University of Civitas" && shown.credentialName == "University diploma") { shown.toString() }
    assert(shown.pinRequired && shown.pinLength?.toInt() == pin.length && shown.pinNumeric)
    assert(shown.bindings.first() == HolderBinding.HOLDER_SECRET_PSEUDONYM)
    Wallet.inMemory(contexts).use { wallet ->
        val (ts, tt) = send(issuer.tokenRequest(pin))
        issuer.readToken(ts.toUShort(), tt)
        val (status, text) = send(wallet.openid4vciCredentialRequest(issuer, HolderBinding.HOLDER_SECRET_PSEUDONYM, 1u))
        assert(status == 200) { "$status $text" }
        val imported = wallet.openid4vciImport(issuer, status.toUShort(), text)
        assert(imported.single().binding == HolderBinding.HOLDER_SECRET_PSEUDONYM)
        val (id, url) = deskCheck()
        val (_, request) = fetchRequest(wallet, url)
        request.use {
            val post = wallet.openid4vpRespond(request)
            val (ps, pt) = exchange("POST", post.url, post.body, post.contentType)
            assert(openid4vpReply(ps.toUShort(), pt) is OpenId4VpReply.Accepted) { "$ps $pt" }
        }
        val state = deskState(id)
        assert("\"state\":\"valid\"" in state && "\"holder_binding\":\"secret\"" in state) { state }
    }
}

check("OpenID4VCI over HTTP: a wrong PIN is refused with invalid_grant; a used offer cannot be redeemed again") {
    val (link, pin) = adminOffer("kt-alan", byValue = true)
    val issuer = openIssuer(link)
    val wrong = if (pin.all { it == '0' }) "1".repeat(pin.length) else "0".repeat(pin.length)
    val (ws, wt) = send(issuer.tokenRequest(wrong))
    val e = assertThrows<CivitasException.VerificationFailed> { issuer.readToken(ws.toUShort(), wt) }
    assert("invalid_grant" in e.toString()) { e.toString() }
    val (ts, tt) = send(issuer.tokenRequest(pin))
    issuer.readToken(ts.toUShort(), tt)
    val (again, text) = send(issuer.tokenRequest(pin))
    assertThrows<CivitasException.VerificationFailed> { issuer.readToken(again.toUShort(), text) }
}

println("$passed passed, $failed failed")
if (failed > 0) exitProcess(1)
