// Tests of the Kotlin bindings of Civitas, run on the JVM by bindings/test.sh:
//
//   kotlinc -J-ea -J-Djna.library.path=target/debug \
//     -cp jna.jar:kotlinx-coroutines-core-jvm.jar:civitas-bindings.jar -script CivitasTest.kts
//
// Prints one line per check and, last, "N passed, N failed"; exits 1 if any check failed.

import uniffi.civitas_ffi.BbsVerifier
import uniffi.civitas_ffi.CivitasException
import uniffi.civitas_ffi.IssuerKey
import uniffi.civitas_ffi.civitasVersion
import uniffi.civitas_ffi.deriveProof
import uniffi.civitas_ffi.liveSecretKeys
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
        assert(info.didKey == key.didKey() && info.didKey.startsWith("did:key:zUC7"))
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

println("$passed passed, $failed failed")
if (failed > 0) exitProcess(1)
