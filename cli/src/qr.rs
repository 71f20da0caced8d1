//! QR images of compact presentation payloads: write a PNG, read a PNG or JPEG.
//!
//! Encoding puts a payload made only of QR alphanumeric characters (`0-9 A-Z space $ % * + - .
//! / :`, which is every `CIV1:` payload of [`civitas_core::compact`]) in one alphanumeric
//! segment, at error correction level M (15 % of the codewords recoverable: a scuffed print or
//! a glare spot). Any other text goes in byte mode. The image has [`RenderOptions::default`]:
//! 8 pixels a module and the standard 4-module quiet zone, so a version 26 symbol (121 modules)
//! is a 1,032-pixel square, sharp on a screen and about 8.7 cm wide printed at 300 dpi.
//!
//! Decoding reads PNG or JPEG (the format is taken from the content, not the file name),
//! converts to grey and runs `rxing`'s QR reader (a Rust port of ZXing) in "try harder" mode,
//! looking for every QR code in the picture: a photo that holds two codes is refused rather
//! than silently answered with one of them.
//!
//! Measured on the representative presentation of `civitas_core::compact` by
//! `tests/qr.rs::representative_presentation` (dev profile, dependencies at opt-level 3, one
//! core): the 1,681-character payload is a version 28 symbol (129 modules), a 1,096-pixel PNG
//! of 25 KB. Decoding, file reading included, took 17 ms as written, 8 ms at 0.5x, 50 ms at
//! 1.5x, 3 ms at 0.35x (2.8 pixels a module), 31 ms blurred (sigma 1.5), 20 ms with ±60 noise,
//! and 85 ms for a photo-like picture (0.7x, blurred, off centre on an unevenly lit background,
//! lower contrast, noise), as PNG or as a quality-70 JPEG.

use std::collections::BTreeSet;
use std::path::Path;

use image::{GrayImage, ImageFormat, ImageReader, Luma};
use qrcode::bits::Bits;
use qrcode::{EcLevel, QrCode, Version};
use rxing::{BarcodeFormat, DecodeHints, Exceptions};

/// The characters of the QR alphanumeric mode.
const ALPHANUMERIC: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";

/// Errors of [`encode_png`] and [`decode_image`]. None carries the payload.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum QrError {
    /// The payload does not fit the largest QR symbol (version 40) at level M.
    #[error("payload of {chars} characters does not fit a QR code at error correction M")]
    TooLong {
        /// The payload length in characters.
        chars: usize,
    },
    /// The QR encoder refused the payload for another reason.
    #[error("QR encoding failed: {0}")]
    Encode(String),
    /// The output image could not be written.
    #[error("cannot write the image: {0}")]
    Write(#[source] image::ImageError),
    /// The input file could not be opened or read.
    #[error("cannot read the image file: {0}")]
    Unreadable(#[source] std::io::Error),
    /// The file is not a PNG or JPEG image, or is damaged.
    #[error("not a PNG or JPEG image: {0}")]
    NotAnImage(String),
    /// No QR code was found in the image.
    #[error("no QR code found in the image")]
    NoCode,
    /// A QR code was found but its data could not be recovered (damaged or blurred).
    #[error("a QR code was found but could not be read: {0}")]
    CodeUnreadable(&'static str),
    /// The image holds more than one QR code; which to use is ambiguous.
    #[error("the image holds {count} different QR codes; show only one")]
    MultipleCodes {
        /// How many distinct codes were read.
        count: usize,
    },
    /// The QR code holds binary data or control characters, not a text payload.
    #[error("the QR code does not hold text")]
    NotText,
}

/// How a QR code was encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QrInfo {
    /// The symbol version, 1 to 40.
    pub version: u8,
    /// Modules on a side (`17 + 4 × version`), quiet zone not included.
    pub modules: usize,
    /// The side of the square image in pixels, quiet zone included.
    pub image_px: u32,
    /// Whether the payload went in one alphanumeric segment (otherwise byte mode).
    pub alphanumeric: bool,
}

/// Rendering parameters for [`encode_png_with`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RenderOptions {
    /// Pixels per module side (at least 1).
    pub module_px: u32,
    /// Quiet zone in modules on each side (the standard asks for 4).
    pub quiet_zone: u32,
}

impl Default for RenderOptions {
    fn default() -> Self {
        Self {
            module_px: 8,
            quiet_zone: 4,
        }
    }
}

/// Builds the QR symbol for `payload` at level M: one alphanumeric segment if every character
/// allows it, else the encoder's optimal segmentation (byte mode for general text).
pub fn symbol(payload: &str) -> Result<(QrCode, bool), QrError> {
    let data = payload.as_bytes();
    let too_long = QrError::TooLong {
        chars: payload.chars().count(),
    };
    if !data.iter().all(|c| ALPHANUMERIC.contains(c)) {
        let code = QrCode::with_error_correction_level(data, EcLevel::M).map_err(|e| match e {
            qrcode::types::QrError::DataTooLong => too_long,
            other => QrError::Encode(other.to_string()),
        })?;
        return Ok((code, false));
    }
    for v in 1..=40 {
        let mut bits = Bits::new(Version::Normal(v));
        if bits.push_alphanumeric_data(data).is_err() || bits.push_terminator(EcLevel::M).is_err() {
            continue;
        }
        let code =
            QrCode::with_bits(bits, EcLevel::M).map_err(|e| QrError::Encode(e.to_string()))?;
        return Ok((code, true));
    }
    Err(too_long)
}

/// Writes `payload` as a QR code PNG with [`RenderOptions::default`].
///
/// # Errors
/// [`QrError::TooLong`] if it does not fit, [`QrError::Write`] if the file cannot be written.
pub fn encode_png(payload: &str, out: &Path) -> Result<QrInfo, QrError> {
    encode_png_with(payload, out, &RenderOptions::default())
}

/// Writes `payload` as a QR code PNG with the given rendering.
///
/// # Errors
/// As [`encode_png`].
pub fn encode_png_with(
    payload: &str,
    out: &Path,
    options: &RenderOptions,
) -> Result<QrInfo, QrError> {
    let (img, info) = render(payload, options)?;
    img.save_with_format(out, ImageFormat::Png)
        .map_err(QrError::Write)?;
    Ok(info)
}

/// Renders `payload` as a grey image (black modules on white) without writing it.
///
/// # Errors
/// [`QrError::TooLong`] if it does not fit.
pub fn render(payload: &str, options: &RenderOptions) -> Result<(GrayImage, QrInfo), QrError> {
    let (code, alphanumeric) = symbol(payload)?;
    let version = match code.version() {
        Version::Normal(v) => u8::try_from(v).unwrap_or(0),
        Version::Micro(_) => 0,
    };
    let modules = code.width();
    let module_px = options.module_px.max(1);
    let side_modules = u32::try_from(modules)
        .ok()
        .and_then(|m| m.checked_add(options.quiet_zone.checked_mul(2)?))
        .ok_or(QrError::Encode("image too large".into()))?;
    let image_px = side_modules
        .checked_mul(module_px)
        .filter(|&px| px <= 1 << 15)
        .ok_or(QrError::Encode("image too large".into()))?;
    let colors = code.to_colors();
    let img = GrayImage::from_fn(image_px, image_px, |x, y| {
        let mx = (x / module_px).checked_sub(options.quiet_zone);
        let my = (y / module_px).checked_sub(options.quiet_zone);
        let dark = match (mx, my) {
            (Some(mx), Some(my)) if (mx as usize) < modules && (my as usize) < modules => colors
                .get(my as usize * modules + mx as usize)
                .is_some_and(|c| *c == qrcode::Color::Dark),
            _ => false,
        };
        Luma([if dark { 0 } else { 255 }])
    });
    Ok((
        img,
        QrInfo {
            version,
            modules,
            image_px,
            alphanumeric,
        },
    ))
}

/// `payload` as an SVG image (black modules on white, the standard 4-module quiet zone, one
/// unit per module, so it scales to any size without blur), with how it was encoded; its
/// `image_px` is the side in SVG units (modules plus quiet zone), not in pixels.
///
/// # Errors
/// [`QrError::TooLong`] if it does not fit.
pub fn svg(payload: &str) -> Result<(String, QrInfo), QrError> {
    use std::fmt::Write as _;
    let (code, alphanumeric) = symbol(payload)?;
    let version = match code.version() {
        Version::Normal(v) => u8::try_from(v).unwrap_or(0),
        Version::Micro(_) => 0,
    };
    let modules = code.width();
    let side = modules + 8;
    let mut path = String::new();
    for (i, c) in code.to_colors().iter().enumerate() {
        if *c == qrcode::Color::Dark {
            let _ = write!(path, "M{} {}h1v1h-1z", i % modules + 4, i / modules + 4);
        }
    }
    let text = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {side} {side}\" shape-rendering=\"crispEdges\" role=\"img\" aria-label=\"QR code\"><rect width=\"{side}\" height=\"{side}\" fill=\"#fff\"/><path fill=\"#000\" d=\"{path}\"/></svg>"
    );
    let image_px = u32::try_from(side).unwrap_or(u32::MAX);
    Ok((
        text,
        QrInfo {
            version,
            modules,
            image_px,
            alphanumeric,
        },
    ))
}

/// Reads the one QR code in a PNG or JPEG file and returns its text.
///
/// # Errors
/// [`QrError::Unreadable`], [`QrError::NotAnImage`], [`QrError::NoCode`],
/// [`QrError::CodeUnreadable`], [`QrError::MultipleCodes`], [`QrError::NotText`].
pub fn decode_image(path: &Path) -> Result<String, QrError> {
    let size = std::fs::metadata(path).map_err(QrError::Unreadable)?.len();
    if size > MAX_IMAGE_BYTES {
        return Err(QrError::NotAnImage(format!(
            "the file has {size} bytes; at most {MAX_IMAGE_BYTES} are read"
        )));
    }
    let mut reader = ImageReader::open(path)
        .map_err(QrError::Unreadable)?
        .with_guessed_format()
        .map_err(QrError::Unreadable)?;
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(MAX_IMAGE_SIDE);
    limits.max_image_height = Some(MAX_IMAGE_SIDE);
    limits.max_alloc = Some(MAX_IMAGE_ALLOC);
    reader.limits(limits);
    match reader.format() {
        Some(ImageFormat::Png | ImageFormat::Jpeg) => {}
        _ => return Err(QrError::NotAnImage("unrecognized format".into())),
    }
    let img = reader.decode().map_err(|e| match e {
        // A PNG or JPEG cut short or corrupted reports itself as an I/O error.
        image::ImageError::IoError(io)
            if !matches!(
                io.kind(),
                std::io::ErrorKind::UnexpectedEof | std::io::ErrorKind::InvalidData
            ) =>
        {
            QrError::Unreadable(io)
        }
        image::ImageError::Limits(_) => QrError::NotAnImage(format!(
            "larger than {MAX_IMAGE_SIDE} pixels a side or {} MiB decoded; downscale the photo",
            MAX_IMAGE_ALLOC >> 20
        )),
        other => QrError::NotAnImage(other.to_string()),
    })?;
    let mut luma = img.to_luma8();
    drop(img);
    // A phone photo's QR code stays readable at a few megapixels, and the decoder's time
    // grows with the pixel count: scale large images down first.
    let pixels = u64::from(luma.width()) * u64::from(luma.height());
    if pixels > MAX_DECODE_PIXELS {
        #[expect(
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss,
            reason = "a ratio below 1 of dimensions that fit in u32"
        )]
        let scale = |d: u32| {
            ((f64::from(d) * (MAX_DECODE_PIXELS as f64 / pixels as f64).sqrt()) as u32).max(1)
        };
        luma = image::imageops::resize(
            &luma,
            scale(luma.width()),
            scale(luma.height()),
            image::imageops::FilterType::Triangle,
        );
    }
    decode_luma(&luma)
}

/// Largest image file read.
const MAX_IMAGE_BYTES: u64 = 16 << 20;
/// Largest image side, in pixels (a 48-megapixel photo is 8,000 pixels wide).
const MAX_IMAGE_SIDE: u32 = 8192;
/// Most memory the image decoder may allocate (a 24-megapixel RGB photo needs 72 MiB).
const MAX_IMAGE_ALLOC: u64 = 160 << 20;
/// Images with more pixels are scaled down to this many before the QR decoder runs.
const MAX_DECODE_PIXELS: u64 = 4_000_000;

/// Reads the one QR code in a grey image and returns its text.
///
/// # Errors
/// As [`decode_image`], less the file errors.
pub fn decode_luma(img: &GrayImage) -> Result<String, QrError> {
    let (width, height) = img.dimensions();
    if width == 0 || height == 0 {
        return Err(QrError::NoCode);
    }
    let mut hints = DecodeHints {
        PossibleFormats: Some([BarcodeFormat::QR_CODE].into_iter().collect()),
        TryHarder: Some(true),
        ..DecodeHints::default()
    };
    let results = rxing::helpers::detect_multiple_in_luma_with_hints(
        img.as_raw().clone(),
        width,
        height,
        &mut hints,
    )
    .map_err(|e| match e {
        Exceptions::NotFoundException(_) => QrError::NoCode,
        Exceptions::ChecksumException(_) => QrError::CodeUnreadable("error correction failed"),
        Exceptions::FormatException(_) => QrError::CodeUnreadable("malformed symbol"),
        _ => QrError::CodeUnreadable("decoder error"),
    })?;
    // The multiple-code reader may see one symbol twice (from overlapping sub-regions).
    let texts: BTreeSet<&str> = results
        .iter()
        .filter(|r| *r.getBarcodeFormat() == BarcodeFormat::QR_CODE)
        .map(rxing::RXingResult::getText)
        .collect();
    let mut texts = texts.into_iter();
    match (texts.next(), texts.next()) {
        (None, _) => Err(QrError::NoCode),
        (Some(text), None) => {
            if text
                .chars()
                .any(|c| c == '\u{fffd}' || (c.is_control() && !matches!(c, '\t' | '\n' | '\r')))
            {
                Err(QrError::NotText)
            } else {
                Ok(text.to_owned())
            }
        }
        (Some(_), Some(_)) => Err(QrError::MultipleCodes {
            count: 2 + texts.count(),
        }),
    }
}
