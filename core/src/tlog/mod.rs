//! Transparency logs as C2SP specifies them, transport-free, so that a register of issuer
//! keys, status-list versions and issued credentials cannot be rewritten without anyone
//! noticing: Merkle tree hashing and proofs ([`inclusion_proof`], [`verify_consistency`], RFC 9162), signed notes and witness
//! cosignatures ([`Note`]), checkpoints ([`Checkpoint`]), tiles and entry bundles ([`TileId`], [`parse_tile`]), a log that appends and signs ([`LogStore`], [`append`]), what Civitas puts in it ([`LogEntry`]),
//! witness quorum policies ([`Policy`], c2sp.org/tlog-policy) and the witness itself
//! ([`Witness`], c2sp.org/tlog-witness), offline inclusion proofs ([`TlogProof`],
//! c2sp.org/tlog-proof) and following a log as a verifier or monitor does ([`LogView`]).
//!
//! Pinned versions: c2sp.org/signed-note v1.0.0, tlog-checkpoint v1.0.0, tlog-cosignature
//! v1.0.1, tlog-witness v1.0.0, tlog-tiles v0.1.0 (texts in `../shared/specs/c2sp/`).

mod checkpoint;
mod entry;
mod follow;
mod log;
mod merkle;
mod note;
mod policy;
mod proof;
mod tiles;
mod witness;

pub use checkpoint::{Checkpoint, SignedCheckpoint, open_checkpoint};
pub use entry::{ENTRY_MAGIC, KeyEvent, LogEntry, commit_credential, credential_commitment};
pub use follow::{
    FollowError, KeyState, ListVersion, LogSource, LogView, MAX_UPDATE, Misbehaviour,
};
pub use log::{
    LogError, LogStore, MAX_APPEND, Staged, StoreTiles, append, current, init, publish,
    publish_note, recosign, stage,
};
pub use merkle::{
    Frontier, Hash, HashSource, MAX_PROOF_HASHES, ProofError, consistency_proof, empty_root,
    inclusion_proof, leaf_hash, mth, node_hash, root_from_inclusion, verify_consistency,
    verify_inclusion,
};
pub use note::{
    MAX_NOTE_LEN, MAX_SIGNATURES, Note, NoteError, NoteSignature, NoteSigner, NoteVerifier,
    TYPE_COSIGNATURE, TYPE_ED25519, VerifiedSignature, cosignature_message, ed25519_public_key,
    key_id, valid_key_name,
};
pub use policy::{
    MAX_POLICY_ENTRIES, Policy, PolicyCheckpoint, PolicyError, PolicyLog, PolicyWitness,
};
pub use proof::{MAX_PROOF_LEN, PROOF_HEADER, TlogProof, TlogProofError};
pub use tiles::{
    MAX_ENTRY_LEN, MAX_TILE_LEVEL, TILE_WIDTH, TileHashes, TileId, TileReader, bundle_bytes,
    parse_bundle, parse_tile, tile_bytes, tile_from_leaves, tiles_of,
};
pub use witness::{
    AddCheckpoint, Cosigned, MAX_PROOF_LINES, MAX_WITNESS_REQUEST_LEN, Witness, WitnessError,
    merge_cosignatures,
};

const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Standard base64 with padding (RFC 4648 §4), as C2SP uses it.
pub fn b64_encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk.first().copied().unwrap_or(0),
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                let idx = usize::try_from((n >> (18 - 6 * i)) & 63).unwrap_or(0);
                out.push(char::from(B64.get(idx).copied().unwrap_or(b'A')));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Strict standard base64 with padding: the length a multiple of four, canonical (the bits
/// after the last byte zero); `None` otherwise.
pub fn b64_decode(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(4) {
        return None;
    }
    let body = s
        .strip_suffix("==")
        .or_else(|| s.strip_suffix('='))
        .unwrap_or(s);
    let pad = s.len() - body.len();
    let mut out = Vec::with_capacity(s.len() / 4 * 3);
    let (mut acc, mut bits) = (0u32, 0u32);
    for c in body.bytes() {
        let v = u32::try_from(B64.iter().position(|&a| a == c)?).ok()?;
        acc = (acc << 6) | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push(u8::try_from((acc >> bits) & 0xff).ok()?);
        }
    }
    // Canonical: the leftover bits are zero, and the padding is what the length needs.
    if acc & ((1 << bits) - 1) != 0 || (pad > 0 && bits != 2 * u32::try_from(pad).ok()?) {
        return None;
    }
    Some(out)
}

#[cfg(test)]
#[expect(clippy::unwrap_used, reason = "tests fail by panicking")]
mod tests {
    use super::*;

    #[test]
    fn base64_round_trips_and_is_strict() {
        for n in 0..40usize {
            let bytes: Vec<u8> = (0..n)
                .map(|i| u8::try_from(i * 37 % 256).unwrap())
                .collect();
            assert_eq!(b64_decode(&b64_encode(&bytes)).unwrap(), bytes);
        }
        assert_eq!(b64_encode(b"foobar"), "Zm9vYmFy");
        assert_eq!(b64_encode(b"fo"), "Zm8=");
        assert!(b64_decode("Zm9=").is_none(), "non-canonical trailing bits");
        assert!(b64_decode("Zm8").is_none(), "unpadded");
        assert!(b64_decode("Zm-_").is_none(), "base64url alphabet");
    }
}
