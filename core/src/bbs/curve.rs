//! Safe wrappers over the `blst` C library: the one reviewed module where Civitas uses `unsafe`.
//!
//! Review rules for this file:
//! - every `unsafe` block calls one blst function, with pointers to initialised Rust values of
//!   the exact type blst expects, which outlive the call; no pointer is kept after the call;
//! - every length passed to C is the length of the Rust slice it describes;
//! - input from outside reaches C only through the decoders here, which check the encoding,
//!   the curve equation, subgroup membership and the identity before a point is used.
//!
//! Side channels: scalar multiplication of a single point (`blst_p1_mult`, `blst_p2_mult`) is
//! constant time. The multi-scalar multiplications (`blst_p1s_mult_wbits` with fixed-base
//! tables, and Pippenger) avoid secret-dependent branches but index their tables by scalar
//! digits, so they are not hardened against a co-resident cache-timing attacker. See
//! `docs/threat-model.md`.
#![expect(
    unsafe_code,
    reason = "the one reviewed unsafe module: the blst C API, each call with a SAFETY note"
)]

use blst::{
    BLST_ERROR, blst_bendian_from_scalar, blst_final_exp, blst_fp, blst_fp_from_le_bytes, blst_fp6,
    blst_fp12, blst_fp12_is_one, blst_fp12_mul, blst_fr, blst_fr_add, blst_fr_cneg,
    blst_fr_from_scalar, blst_fr_from_uint64, blst_fr_inverse, blst_fr_mul, blst_fr_sub,
    blst_hash_to_g1, blst_map_to_g1, blst_miller_loop, blst_miller_loop_lines, blst_p1,
    blst_p1_add_or_double, blst_p1_affine, blst_p1_affine_compress, blst_p1_affine_in_g1,
    blst_p1_affine_is_inf, blst_p1_cneg, blst_p1_compress, blst_p1_from_affine, blst_p1_is_inf,
    blst_p1_mult, blst_p1_to_affine, blst_p1_uncompress, blst_p1s_mult_pippenger,
    blst_p1s_mult_pippenger_scratch_sizeof, blst_p1s_mult_wbits, blst_p1s_mult_wbits_precompute,
    blst_p1s_mult_wbits_precompute_sizeof, blst_p2, blst_p2_affine, blst_p2_affine_compress,
    blst_p2_affine_generator, blst_p2_affine_in_g2, blst_p2_affine_is_inf, blst_p2_generator,
    blst_p2_mult, blst_p2_to_affine, blst_p2_uncompress, blst_precompute_lines, blst_scalar,
    blst_scalar_fr_check, blst_scalar_from_be_bytes, blst_scalar_from_bendian, blst_scalar_from_fr,
};
use zeroize::Zeroize;

/// Octets of a serialized scalar.
pub(crate) const SCALAR_LEN: usize = 32;
/// Octets of a compressed G1 point.
pub(crate) const G1_LEN: usize = 48;
/// Octets of a compressed G2 point.
pub(crate) const G2_LEN: usize = 96;
/// Bits of the group order r.
const SCALAR_BITS: usize = 255;

// ---------------------------------------------------------------------------------------------
// Scalars

/// An element of the scalar field: an integer modulo the group order r.
#[derive(Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Scalar(blst_fr);

impl core::fmt::Debug for Scalar {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        // Scalars are often secret (keys, blindings, hidden messages): never print them.
        f.write_str("Scalar([redacted])")
    }
}

impl Zeroize for Scalar {
    fn zeroize(&mut self) {
        self.0.l.zeroize();
    }
}

impl Scalar {
    /// Zero.
    pub(crate) const ZERO: Scalar = Scalar(blst_fr { l: [0; 4] });

    /// The integer `v` as a scalar.
    pub(crate) fn from_u64(v: u64) -> Self {
        let limbs = [v, 0, 0, 0];
        let mut out = blst_fr::default();
        // SAFETY: `limbs` is the 4-limb array blst reads; `out` is a valid blst_fr.
        unsafe { blst_fr_from_uint64(&mut out, limbs.as_ptr()) };
        Scalar(out)
    }

    /// One.
    pub(crate) fn one() -> Self {
        Self::from_u64(1)
    }

    /// `OS2IP(bytes) mod r`, for input of any length (hash_to_scalar and random scalars).
    pub(crate) fn from_be_bytes_reduced(bytes: &[u8]) -> Self {
        let mut s = blst_scalar::default();
        // SAFETY: blst reads exactly `bytes.len()` bytes from `bytes`; `s` is 32 bytes.
        unsafe { blst_scalar_from_be_bytes(&mut s, bytes.as_ptr(), bytes.len()) };
        let out = Self::from_blst_scalar(&s);
        s.zeroize();
        out
    }

    /// A canonical 32-byte big-endian encoding; `None` unless `0 <= value < r`.
    pub(crate) fn from_be_bytes_canonical(bytes: &[u8; SCALAR_LEN]) -> Option<Self> {
        let mut s = blst_scalar::default();
        // SAFETY: `bytes` is 32 bytes, as blst_scalar_from_bendian reads.
        unsafe { blst_scalar_from_bendian(&mut s, bytes.as_ptr()) };
        // SAFETY: `s` is an initialised blst_scalar.
        let in_range = unsafe { blst_scalar_fr_check(&s) };
        let out = in_range.then(|| Self::from_blst_scalar(&s));
        s.zeroize();
        out
    }

    fn from_blst_scalar(s: &blst_scalar) -> Self {
        let mut out = blst_fr::default();
        // SAFETY: both are initialised values of the types blst expects.
        unsafe { blst_fr_from_scalar(&mut out, s) };
        Scalar(out)
    }

    /// The little-endian integer form blst's multiplication routines take.
    fn to_blst_scalar(self) -> blst_scalar {
        let mut s = blst_scalar::default();
        // SAFETY: both are initialised values of the types blst expects.
        unsafe { blst_scalar_from_fr(&mut s, &self.0) };
        s
    }

    /// `I2OSP(value, 32)`.
    pub(crate) fn to_be_bytes(self) -> [u8; SCALAR_LEN] {
        let mut s = self.to_blst_scalar();
        let mut out = [0u8; SCALAR_LEN];
        // SAFETY: `out` is 32 bytes, as blst_bendian_from_scalar writes.
        unsafe { blst_bendian_from_scalar(out.as_mut_ptr(), &s) };
        s.zeroize();
        out
    }

    pub(crate) fn is_zero(&self) -> bool {
        *self == Self::ZERO
    }

    pub(crate) fn add(&self, other: &Scalar) -> Scalar {
        let mut out = blst_fr::default();
        // SAFETY: initialised operands and output of type blst_fr.
        unsafe { blst_fr_add(&mut out, &self.0, &other.0) };
        Scalar(out)
    }

    pub(crate) fn sub(&self, other: &Scalar) -> Scalar {
        let mut out = blst_fr::default();
        // SAFETY: initialised operands and output of type blst_fr.
        unsafe { blst_fr_sub(&mut out, &self.0, &other.0) };
        Scalar(out)
    }

    pub(crate) fn mul(&self, other: &Scalar) -> Scalar {
        let mut out = blst_fr::default();
        // SAFETY: initialised operands and output of type blst_fr.
        unsafe { blst_fr_mul(&mut out, &self.0, &other.0) };
        Scalar(out)
    }

    pub(crate) fn neg(&self) -> Scalar {
        let mut out = blst_fr::default();
        // SAFETY: initialised operand and output of type blst_fr.
        unsafe { blst_fr_cneg(&mut out, &self.0, true) };
        Scalar(out)
    }

    /// The multiplicative inverse, in constant time; `None` for zero.
    pub(crate) fn invert(&self) -> Option<Scalar> {
        if self.is_zero() {
            return None;
        }
        let mut out = blst_fr::default();
        // SAFETY: initialised operand and output of type blst_fr.
        unsafe { blst_fr_inverse(&mut out, &self.0) };
        Some(Scalar(out))
    }
}

// ---------------------------------------------------------------------------------------------
// G1

/// A point of G1 in projective coordinates.
#[derive(Clone, Copy, Default)]
#[repr(transparent)]
pub(crate) struct G1(blst_p1);

/// A point of G1 in affine coordinates.
#[derive(Clone, Copy, Default, PartialEq, Eq)]
#[repr(transparent)]
pub(crate) struct G1Affine(blst_p1_affine);

impl core::fmt::Debug for G1 {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "G1({})", hex_short(&self.compress()))
    }
}

impl core::fmt::Debug for G1Affine {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "G1Affine({})", hex_short(&self.compress()))
    }
}

fn hex_short(bytes: &[u8]) -> String {
    bytes
        .iter()
        .take(8)
        .map(|b| format!("{b:02x}"))
        .collect::<String>()
        + ".."
}

/// Why a point encoding was refused.
pub(crate) type PointError = &'static str;

fn decode_error(err: BLST_ERROR) -> PointError {
    match err {
        BLST_ERROR::BLST_POINT_NOT_ON_CURVE => "point is not on the curve",
        BLST_ERROR::BLST_POINT_NOT_IN_GROUP => "point is not in the prime-order subgroup",
        _ => "malformed point encoding",
    }
}

impl G1 {
    pub(crate) fn identity() -> Self {
        G1(blst_p1::default())
    }

    pub(crate) fn from_affine(p: &G1Affine) -> Self {
        let mut out = blst_p1::default();
        // SAFETY: initialised input and output of the types blst expects.
        unsafe { blst_p1_from_affine(&mut out, &p.0) };
        G1(out)
    }

    #[expect(
        clippy::wrong_self_convention,
        reason = "a blst point is 144 bytes: by reference, as blst takes it"
    )]
    pub(crate) fn to_affine(&self) -> G1Affine {
        let mut out = blst_p1_affine::default();
        // SAFETY: initialised input and output of the types blst expects.
        unsafe { blst_p1_to_affine(&mut out, &self.0) };
        G1Affine(out)
    }

    pub(crate) fn is_identity(&self) -> bool {
        // SAFETY: initialised point.
        unsafe { blst_p1_is_inf(&self.0) }
    }

    pub(crate) fn add(&self, other: &G1) -> G1 {
        let mut out = blst_p1::default();
        // SAFETY: initialised operands and output of type blst_p1.
        unsafe { blst_p1_add_or_double(&mut out, &self.0, &other.0) };
        G1(out)
    }

    pub(crate) fn neg(&self) -> G1 {
        let mut out = self.0;
        // SAFETY: initialised point, negated in place.
        unsafe { blst_p1_cneg(&mut out, true) };
        G1(out)
    }

    /// `self * s`, in constant time.
    pub(crate) fn mul(&self, s: &Scalar) -> G1 {
        let mut k = s.to_blst_scalar();
        let mut out = blst_p1::default();
        // SAFETY: `k.b` holds 32 bytes, of which blst reads the low 255 bits.
        unsafe { blst_p1_mult(&mut out, &self.0, k.b.as_ptr(), SCALAR_BITS) };
        k.zeroize();
        G1(out)
    }

    pub(crate) fn compress(&self) -> [u8; G1_LEN] {
        let mut out = [0u8; G1_LEN];
        // SAFETY: `out` is the 48 bytes blst writes.
        unsafe { blst_p1_compress(out.as_mut_ptr(), &self.0) };
        out
    }

    /// hash_to_curve with `BLS12381G1_XMD:SHA-256_SSWU_RO_` (RFC 9380, section 8.8.1).
    pub(crate) fn hash_to_curve_xmd_sha256(msg: &[u8], dst: &[u8]) -> G1 {
        let mut out = blst_p1::default();
        // SAFETY: each pointer/length pair describes a live slice; no augmentation string.
        unsafe {
            blst_hash_to_g1(
                &mut out,
                msg.as_ptr(),
                msg.len(),
                dst.as_ptr(),
                dst.len(),
                core::ptr::null(),
                0,
            )
        };
        G1(out)
    }

    /// map_to_curve(u0) + map_to_curve(u1), cofactor cleared: the tail of hash_to_curve
    /// (RFC 9380, section 3) for suites whose hash_to_field blst does not provide.
    pub(crate) fn map_to_curve_pair(u0: &Fp, u1: &Fp) -> G1 {
        let mut out = blst_p1::default();
        // SAFETY: initialised field elements and output point.
        unsafe { blst_map_to_g1(&mut out, &u0.0, &u1.0) };
        G1(out)
    }
}

impl G1Affine {
    /// Decode a compressed point: on the curve, in G1, and not the identity.
    pub(crate) fn decompress(bytes: &[u8; G1_LEN]) -> Result<Self, PointError> {
        let mut out = blst_p1_affine::default();
        // SAFETY: `bytes` is the 48 bytes blst reads.
        let err = unsafe { blst_p1_uncompress(&mut out, bytes.as_ptr()) };
        if err != BLST_ERROR::BLST_SUCCESS {
            return Err(decode_error(err));
        }
        // SAFETY: `out` was initialised by the successful decode.
        if unsafe { blst_p1_affine_is_inf(&out) } {
            return Err("point is the identity");
        }
        // SAFETY: as above.
        if !unsafe { blst_p1_affine_in_g1(&out) } {
            return Err("point is not in the prime-order subgroup");
        }
        let point = G1Affine(out);
        // Only the canonical encoding of a point is accepted (no second encoding of it).
        if point.compress() != *bytes {
            return Err("non-canonical point encoding");
        }
        Ok(point)
    }

    pub(crate) fn compress(&self) -> [u8; G1_LEN] {
        let mut out = [0u8; G1_LEN];
        // SAFETY: `out` is the 48 bytes blst writes.
        unsafe { blst_p1_affine_compress(out.as_mut_ptr(), &self.0) };
        out
    }

    pub(crate) fn is_identity(&self) -> bool {
        // SAFETY: initialised point.
        unsafe { blst_p1_affine_is_inf(&self.0) }
    }
}

/// An element of the base field Fp.
#[derive(Clone, Copy, Default)]
pub(crate) struct Fp(blst_fp);

impl Fp {
    /// `OS2IP(bytes) mod p` for a big-endian string of any length (hash_to_field, RFC 9380
    /// section 5.2).
    pub(crate) fn from_be_bytes_reduced(bytes: &[u8]) -> Self {
        let mut le: Vec<u8> = bytes.iter().rev().copied().collect();
        let mut out = blst_fp::default();
        // SAFETY: blst reads exactly `le.len()` bytes.
        unsafe { blst_fp_from_le_bytes(&mut out, le.as_ptr(), le.len()) };
        le.zeroize();
        Fp(out)
    }
}

// ---------------------------------------------------------------------------------------------
// Multi-scalar multiplication

/// `sum(points[i] * scalars[i])` with blst's Pippenger (variable time: for public scalars).
/// Extra entries of the longer slice are ignored.
pub(crate) fn msm(points: &[G1Affine], scalars: &[Scalar]) -> G1 {
    let n = points.len().min(scalars.len());
    if n == 0 {
        return G1::identity();
    }
    let ks: Vec<blst_scalar> = scalars.iter().take(n).map(|s| s.to_blst_scalar()).collect();
    let point_ptrs: Vec<*const blst_p1_affine> = points
        .iter()
        .take(n)
        .map(|p| &p.0 as *const blst_p1_affine)
        .collect();
    let scalar_ptrs: Vec<*const u8> = ks.iter().map(|k| k.b.as_ptr()).collect();
    // SAFETY: pure function of `n`.
    let scratch_bytes = unsafe { blst_p1s_mult_pippenger_scratch_sizeof(n) };
    let mut scratch = vec![0u64; scratch_bytes.div_ceil(8)];
    let mut out = blst_p1::default();
    // SAFETY: `point_ptrs` and `scalar_ptrs` hold `n` pointers to live values (`points`,
    // `ks`), each scalar 32 bytes (255 bits read); `scratch` has the size blst asked for.
    unsafe {
        blst_p1s_mult_pippenger(
            &mut out,
            point_ptrs.as_ptr(),
            n,
            scalar_ptrs.as_ptr(),
            SCALAR_BITS,
            scratch.as_mut_ptr(),
        )
    };
    G1(out)
}

/// Precomputed multiples of a fixed list of points, for fast multi-scalar multiplication
/// over (a prefix of) them: blst's windowed fixed-base method, which shares the doublings
/// between points and adds in batched affine coordinates.
#[derive(Clone)]
pub(crate) struct FixedBaseTable {
    wbits: usize,
    npoints: usize,
    table: Vec<blst_p1_affine>,
}

impl core::fmt::Debug for FixedBaseTable {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("FixedBaseTable")
            .field("wbits", &self.wbits)
            .field("npoints", &self.npoints)
            .finish_non_exhaustive()
    }
}

impl FixedBaseTable {
    /// An empty table with window `wbits` (2..=12).
    pub(crate) fn new(wbits: usize) -> Self {
        Self {
            wbits: wbits.clamp(2, 12),
            npoints: 0,
            table: Vec::new(),
        }
    }

    /// Number of points covered.
    pub(crate) fn len(&self) -> usize {
        self.npoints
    }

    /// Append the tables of `points` (each point's table is independent and contiguous).
    pub(crate) fn extend(&mut self, points: &[G1Affine]) {
        if points.is_empty() {
            return;
        }
        let n = points.len();
        // SAFETY: pure function of its arguments.
        let bytes = unsafe { blst_p1s_mult_wbits_precompute_sizeof(self.wbits, n) };
        let entries = bytes / core::mem::size_of::<blst_p1_affine>();
        let mut part = vec![blst_p1_affine::default(); entries];
        let ptrs: Vec<*const blst_p1_affine> = points
            .iter()
            .map(|p| &p.0 as *const blst_p1_affine)
            .collect();
        // SAFETY: `part` has exactly the number of entries blst asked for; `ptrs` holds `n`
        // pointers to live points.
        unsafe { blst_p1s_mult_wbits_precompute(part.as_mut_ptr(), self.wbits, ptrs.as_ptr(), n) };
        self.table.extend_from_slice(&part);
        self.npoints += n;
    }

    /// `sum(P_i * scalars[i])` over the first `scalars.len()` points of the table.
    /// Scalars beyond the table are ignored (callers split larger sums).
    pub(crate) fn msm(&self, scalars: &[Scalar]) -> G1 {
        let n = scalars.len().min(self.npoints);
        if n == 0 {
            return G1::identity();
        }
        let mut ks: Vec<blst_scalar> = scalars.iter().take(n).map(|s| s.to_blst_scalar()).collect();
        let scalar_ptrs: Vec<*const u8> = ks.iter().map(|k| k.b.as_ptr()).collect();
        let mut out = blst_p1::default();
        // SAFETY: the table holds at least `n` consecutive per-point tables of window
        // `wbits`; `scalar_ptrs` holds `n` pointers to 32-byte scalars in `ks`; a null
        // scratch makes blst use bounded stack space.
        unsafe {
            blst_p1s_mult_wbits(
                &mut out,
                self.table.as_ptr(),
                self.wbits,
                n,
                scalar_ptrs.as_ptr(),
                SCALAR_BITS,
                core::ptr::null_mut(),
            )
        };
        for k in &mut ks {
            k.zeroize();
        }
        G1(out)
    }
}

// ---------------------------------------------------------------------------------------------
// G2 and pairings

/// A point of G2 in affine coordinates, validated.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) struct G2Affine(blst_p2_affine);

impl core::fmt::Debug for G2Affine {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "G2Affine({})", hex_short(&self.compress()))
    }
}

impl G2Affine {
    /// Decode a compressed point: on the curve, in G2, and not the identity.
    pub(crate) fn decompress(bytes: &[u8; G2_LEN]) -> Result<Self, PointError> {
        let mut out = blst_p2_affine::default();
        // SAFETY: `bytes` is the 96 bytes blst reads.
        let err = unsafe { blst_p2_uncompress(&mut out, bytes.as_ptr()) };
        if err != BLST_ERROR::BLST_SUCCESS {
            return Err(decode_error(err));
        }
        // SAFETY: `out` was initialised by the successful decode.
        if unsafe { blst_p2_affine_is_inf(&out) } {
            return Err("point is the identity");
        }
        // SAFETY: as above.
        if !unsafe { blst_p2_affine_in_g2(&out) } {
            return Err("point is not in the prime-order subgroup");
        }
        let point = G2Affine(out);
        if point.compress() != *bytes {
            return Err("non-canonical point encoding");
        }
        Ok(point)
    }

    /// `BP2 * s` (SkToPk), in constant time.
    pub(crate) fn generator_mul(s: &Scalar) -> Self {
        let mut k = s.to_blst_scalar();
        let mut p = blst_p2::default();
        let mut out = blst_p2_affine::default();
        // SAFETY: blst_p2_generator returns a pointer to a static point; `k.b` is 32 bytes.
        unsafe {
            blst_p2_mult(&mut p, blst_p2_generator(), k.b.as_ptr(), SCALAR_BITS);
            blst_p2_to_affine(&mut out, &p);
        }
        k.zeroize();
        G2Affine(out)
    }

    pub(crate) fn compress(&self) -> [u8; G2_LEN] {
        let mut out = [0u8; G2_LEN];
        // SAFETY: `out` is the 96 bytes blst writes.
        unsafe { blst_p2_affine_compress(out.as_mut_ptr(), &self.0) };
        out
    }
}

/// A G2 point with its Miller-loop line functions precomputed.
pub(crate) struct G2Prepared(Box<[blst_fp6; 68]>);

impl core::fmt::Debug for G2Prepared {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("G2Prepared")
    }
}

impl G2Prepared {
    pub(crate) fn new(q: &G2Affine) -> Self {
        let mut lines = Box::new([blst_fp6::default(); 68]);
        // SAFETY: blst writes exactly 68 fp6 line values for one G2 point.
        unsafe { blst_precompute_lines(lines.as_mut_ptr(), &q.0) };
        G2Prepared(lines)
    }

    /// The base point BP2, prepared.
    pub(crate) fn generator() -> Self {
        // SAFETY: blst_p2_affine_generator returns a pointer to a static, valid point.
        let g = G2Affine(unsafe { *blst_p2_affine_generator() });
        Self::new(&g)
    }
}

/// Whether `e(p1, q1) * e(p2, q2) == 1` in GT, with one final exponentiation.
/// An identity G1 input contributes a factor of one.
pub(crate) fn pairing_check(p1: &G1Affine, q1: &G2Affine, p2: &G1Affine, q2: &G2Prepared) -> bool {
    let mut acc = blst_fp12::default();
    let mut have = false;
    if !p1.is_identity() {
        // SAFETY: initialised, validated points.
        unsafe { blst_miller_loop(&mut acc, &q1.0, &p1.0) };
        have = true;
    }
    if !p2.is_identity() {
        let mut ml = blst_fp12::default();
        // SAFETY: `q2.0` holds the 68 precomputed lines blst reads.
        unsafe { blst_miller_loop_lines(&mut ml, q2.0.as_ptr(), &p2.0) };
        if have {
            let prev = acc;
            // SAFETY: initialised fp12 values.
            unsafe { blst_fp12_mul(&mut acc, &prev, &ml) };
        } else {
            acc = ml;
            have = true;
        }
    }
    if !have {
        return true;
    }
    let mut out = blst_fp12::default();
    // SAFETY: initialised fp12 values.
    unsafe { blst_final_exp(&mut out, &acc) };
    // SAFETY: initialised fp12 value.
    unsafe { blst_fp12_is_one(&out) }
}

/// Whether `prod_i e(p_i, q_i) * e(p, q) == 1` in GT: one Miller loop per pair, multiplied,
/// and a single final exponentiation (a multi-pairing). Identity G1 inputs contribute one.
pub(crate) fn pairing_product_check(
    pairs: &[(G1Affine, G2Affine)],
    p: &G1Affine,
    q: &G2Prepared,
) -> bool {
    let mut acc: Option<blst_fp12> = None;
    let mut mul_in = |ml: blst_fp12| {
        acc = Some(match acc {
            None => ml,
            Some(prev) => {
                let mut out = blst_fp12::default();
                // SAFETY: initialised fp12 values.
                unsafe { blst_fp12_mul(&mut out, &prev, &ml) };
                out
            }
        });
    };
    for (p1, q1) in pairs {
        if p1.is_identity() {
            continue;
        }
        let mut ml = blst_fp12::default();
        // SAFETY: initialised, validated points.
        unsafe { blst_miller_loop(&mut ml, &q1.0, &p1.0) };
        mul_in(ml);
    }
    if !p.is_identity() {
        let mut ml = blst_fp12::default();
        // SAFETY: `q.0` holds the 68 precomputed lines blst reads.
        unsafe { blst_miller_loop_lines(&mut ml, q.0.as_ptr(), &p.0) };
        mul_in(ml);
    }
    let Some(acc) = acc else {
        return true;
    };
    let mut out = blst_fp12::default();
    // SAFETY: initialised fp12 values.
    unsafe { blst_final_exp(&mut out, &acc) };
    // SAFETY: initialised fp12 value.
    unsafe { blst_fp12_is_one(&out) }
}

#[cfg(test)]
#[expect(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "tests fail by panicking"
)]
mod tests {
    use super::*;

    fn scalar(v: u64) -> Scalar {
        Scalar::from_u64(v)
    }

    #[test]
    fn scalar_arithmetic_round_trips() {
        let a = Scalar::from_be_bytes_reduced(b"some bytes that are long enough to reduce mod r!");
        let b = scalar(12345);
        assert_eq!(a.add(&b).sub(&b), a);
        assert_eq!(a.mul(&a.invert().unwrap()), Scalar::one());
        assert_eq!(a.add(&a.neg()), Scalar::ZERO);
        assert_eq!(Scalar::from_be_bytes_canonical(&a.to_be_bytes()), Some(a));
        assert!(Scalar::ZERO.invert().is_none());
        // r itself is not canonical.
        let r = hex::decode("73eda753299d7d483339d80809a1d80553bda402fffe5bfeffffffff00000001")
            .unwrap();
        assert!(Scalar::from_be_bytes_canonical(&r.try_into().unwrap()).is_none());
    }

    #[test]
    fn fixed_base_table_matches_pippenger_and_naive_sums() {
        let base = G1::hash_to_curve_xmd_sha256(b"base", b"CIVITAS-TEST-DST");
        let points: Vec<G1Affine> = (1..=40u64)
            .map(|i| base.mul(&scalar(i * 7919 + 1)).to_affine())
            .collect();
        let scalars: Vec<Scalar> = (0..40u64)
            .map(|i| Scalar::from_be_bytes_reduced(&(i * 1_000_003).to_be_bytes()))
            .collect();
        let mut table = FixedBaseTable::new(6);
        table.extend(&points[..17]);
        table.extend(&points[17..]);
        for n in [1usize, 2, 5, 17, 18, 40] {
            let naive = points[..n]
                .iter()
                .zip(&scalars[..n])
                .fold(G1::identity(), |acc, (p, s)| {
                    acc.add(&G1::from_affine(p).mul(s))
                });
            assert_eq!(
                table.msm(&scalars[..n]).compress(),
                naive.compress(),
                "table n={n}"
            );
            assert_eq!(
                msm(&points[..n], &scalars[..n]).compress(),
                naive.compress(),
                "n={n}"
            );
        }
    }
}
