//! Shared benchmark support: timing and the arithmetic floor built from plain blst calls.
#![allow(
    dead_code,
    reason = "shared by all core benches, each using part of it: what is dead differs per bench"
)]
#![expect(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "benchmark support fails by panicking on bad setup"
)]

use std::hint::black_box;
use std::time::{Duration, Instant};

use blst::{MultiPoint, blst_fp12, blst_p1_affine, blst_p2_affine};
use civitas_core::bbs::{Ciphersuite, SecretKey};
use civitas_core::hazmat;

const CS: Ciphersuite = Ciphersuite::Bls12381Sha256;

/// Median of per-call times, after a warm-up, running at least `min_iters` calls and at
/// least `min_time`.
pub(crate) fn median_us(min_iters: usize, min_time: Duration, mut f: impl FnMut()) -> f64 {
    for _ in 0..2 {
        f();
    }
    let mut samples = Vec::new();
    let start = Instant::now();
    while samples.len() < min_iters || (start.elapsed() < min_time && samples.len() < 2000) {
        let t = Instant::now();
        f();
        samples.push(t.elapsed().as_secs_f64() * 1e6);
    }
    samples.sort_by(f64::total_cmp);
    samples[samples.len() / 2]
}

/// Raw blst inputs of the right sizes for the floor measurements.
pub(crate) struct Floor {
    g1: Vec<blst_p1_affine>,
    g2: Vec<blst_p2_affine>,
    scalars: Vec<u8>,
}

impl Floor {
    pub(crate) fn new(max_points: usize) -> Floor {
        // Any valid points will do: take the ciphersuite's generators and two public keys.
        let g1 = hazmat::create_generators(CS, max_points)
            .unwrap()
            .iter()
            .map(|b| blst_p1_affine::from(blst::min_sig::Signature::uncompress(b).unwrap()))
            .collect();
        let g2 = (1..=2u8)
            .map(|i| {
                let pk = SecretKey::key_gen(CS, &[i; 32], b"", None)
                    .unwrap()
                    .public_key();
                blst_p2_affine::from(blst::min_sig::PublicKey::uncompress(&pk.to_bytes()).unwrap())
            })
            .collect();
        // Little-endian scalars below r (top byte cleared).
        let scalars = (0..max_points * 32)
            .map(|i| {
                if i % 32 == 31 {
                    0x3f
                } else {
                    (i * 131 + 7) as u8
                }
            })
            .collect();
        Floor { g1, g2, scalars }
    }

    pub(crate) fn msm(&self, n: usize) {
        black_box(self.g1[..n].mult(&self.scalars[..n * 32], 255));
    }

    pub(crate) fn mul(&self) {
        black_box(self.g1[..1].mult(&self.scalars[..32], 255));
    }

    pub(crate) fn pairing2(&self) {
        let ml = blst_fp12::miller_loop_n(&self.g2, &self.g1[..2]);
        black_box(ml.final_exp());
    }

    pub(crate) fn keygen(&self) {
        let sk = blst::min_sig::SecretKey::from_bytes(&[0x11; 32]).unwrap();
        black_box(sk.sk_to_pk().compress());
    }
}

impl Floor {
    /// ProofVerify's arithmetic for `l` messages: MSMs over 3 (T1) and L+3 (T2) points and a
    /// 2-pairing product.
    pub(crate) fn proof_verify(&self, l: usize) {
        self.msm(3);
        self.msm(l + 3);
        self.pairing2();
    }
}

/// The fixed-base floor: blst's windowed multi-scalar multiplication over points whose tables
/// were precomputed once (`blst_p1s_mult_wbits`), as a verifier does for the ciphersuite's
/// generators, which never change.
pub(crate) struct FixedFloor {
    table: Vec<blst_p1_affine>,
    wbits: usize,
    scalars: Vec<blst::blst_scalar>,
}

impl FixedFloor {
    /// Tables of window `wbits` for the first `n` points of `floor`.
    #[expect(
        unsafe_code,
        reason = "the blst C API, called as its documentation says"
    )]
    pub(crate) fn new(floor: &Floor, n: usize, wbits: usize) -> FixedFloor {
        let points = &floor.g1[..n];
        // SAFETY: pure function of its arguments.
        let bytes = unsafe { blst::blst_p1s_mult_wbits_precompute_sizeof(wbits, n) };
        let mut table =
            vec![blst_p1_affine::default(); bytes / std::mem::size_of::<blst_p1_affine>()];
        let ptrs: Vec<*const blst_p1_affine> = points.iter().map(|p| p as *const _).collect();
        // SAFETY: `table` has the size blst asked for; `ptrs` holds `n` live points.
        unsafe {
            blst::blst_p1s_mult_wbits_precompute(table.as_mut_ptr(), wbits, ptrs.as_ptr(), n)
        };
        let scalars = floor.scalars[..n * 32]
            .chunks_exact(32)
            .map(|c| {
                let mut s = blst::blst_scalar::default();
                s.b.copy_from_slice(c);
                s
            })
            .collect();
        FixedFloor {
            table,
            wbits,
            scalars,
        }
    }

    /// The MSM over the first `n` points.
    #[expect(
        unsafe_code,
        reason = "the blst C API, called as its documentation says"
    )]
    pub(crate) fn msm(&self, n: usize) {
        let ptrs: Vec<*const u8> = self.scalars[..n].iter().map(|k| k.b.as_ptr()).collect();
        let mut out = blst::blst_p1::default();
        // SAFETY: the table covers at least `n` points of window `wbits`; `ptrs` holds `n`
        // pointers to 32-byte scalars; a null scratch makes blst use stack space.
        unsafe {
            blst::blst_p1s_mult_wbits(
                &mut out,
                self.table.as_ptr(),
                self.wbits,
                n,
                ptrs.as_ptr(),
                255,
                std::ptr::null_mut(),
            );
        }
        black_box(out);
    }
}

/// `target/` at the workspace root (or `$CARGO_TARGET_DIR`).
pub(crate) fn target_dir() -> std::path::PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../target"))
}

/// Write `json` to `target/bench/<name>` and say where.
pub(crate) fn write_json(name: &str, json: &str) {
    let dir = target_dir().join("bench");
    let path = dir.join(name);
    match std::fs::create_dir_all(&dir).and_then(|()| std::fs::write(&path, json)) {
        Ok(()) => println!("\nwrote {}", path.display()),
        Err(e) => {
            eprintln!("cannot write {}: {e}", path.display());
            std::process::exit(2);
        }
    }
}
