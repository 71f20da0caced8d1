//! QR image round trips: encode a payload to PNG, damage the picture the way a camera would,
//! decode it back.
use std::path::{Path, PathBuf};
use std::time::Instant;

use civitas_cli::qr::{QrError, RenderOptions, decode_image, decode_luma, encode_png, render};
use image::imageops::{self, FilterType};
use image::{GrayImage, ImageFormat, Luma};

const PRESENTATION: &str = include_str!("../../../core/tests/data/compact_presentation.json");

/// A scratch directory for one test, removed when the test passes (kept for inspection when
/// it fails).
struct Scratch(PathBuf);

impl Scratch {
    fn join(&self, name: impl AsRef<Path>) -> PathBuf {
        self.0.join(name)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        if !std::thread::panicking() {
            let _ = std::fs::remove_dir_all(&self.0);
            // The per-process parent goes when the last test's directory has gone.
            if let Some(parent) = self.0.parent() {
                let _ = std::fs::remove_dir(parent);
            }
        }
    }
}

fn scratch(name: &str) -> Scratch {
    let dir = std::env::temp_dir()
        .join(format!("civitas-qr-tests-{}", std::process::id()))
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    Scratch(dir)
}

fn representative_payload() -> String {
    civitas_core::compact::encode_bytes(PRESENTATION.as_bytes()).unwrap()
}

/// An alphanumeric payload of `n` characters (deterministic, Base45-like).
fn payload_of_len(n: usize) -> String {
    let alphabet = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";
    let mut x: u32 = 12345;
    let mut s = String::from("CIV1:");
    while s.len() < n {
        x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
        s.push(char::from(alphabet[(x >> 16) as usize % alphabet.len()]));
    }
    s
}

/// Deterministic pseudo-random noise of amplitude `amp` added to every pixel.
fn add_noise(img: &mut GrayImage, amp: i32, seed: u32) {
    let mut x = seed | 1;
    for p in img.pixels_mut() {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        let n = (x % (2 * amp as u32 + 1)) as i32 - amp;
        p.0[0] = (i32::from(p.0[0]) + n).clamp(0, 255) as u8;
    }
}

/// Places `code` on a larger, unevenly lit grey background, off centre, as a photo of a phone
/// screen or a printout would show it.
fn photo_like(code: &GrayImage) -> GrayImage {
    let (w, h) = code.dimensions();
    let (bw, bh) = (w * 3 / 2 + 37, h * 4 / 3 + 53);
    let mut bg = GrayImage::from_fn(bw, bh, |x, y| {
        // A lighting gradient from 200 to 120, left to right and top to bottom.
        Luma([(200 - (40 * x / bw) - (40 * y / bh)) as u8])
    });
    // Lower contrast: black prints as dark grey, white as light grey, dimmer to the right.
    let mut dim = code.clone();
    for (x, _, p) in dim.enumerate_pixels_mut() {
        let shade = 230 - 30 * x / w;
        p.0[0] = if p.0[0] < 128 { 45 } else { shade as u8 };
    }
    imageops::overlay(&mut bg, &dim, i64::from(bw / 5), i64::from(bh / 7));
    bg
}

fn save(img: &GrayImage, path: &Path, format: ImageFormat) {
    img.save_with_format(path, format).unwrap();
}

fn save_jpeg(img: &GrayImage, path: &Path, quality: u8) {
    let file = std::fs::File::create(path).unwrap();
    let mut enc = image::codecs::jpeg::JpegEncoder::new_with_quality(file, quality);
    enc.encode_image(img).unwrap();
}

/// Decodes and returns the text and the time taken, in milliseconds.
fn timed_decode(path: &Path) -> (Result<String, QrError>, f64) {
    let start = Instant::now();
    let r = decode_image(path);
    (r, start.elapsed().as_secs_f64() * 1e3)
}

#[test]
fn round_trip_at_several_sizes() {
    let dir = scratch("sizes");
    for n in [10, 100, 400, 800, 1500, 2500] {
        let payload = payload_of_len(n);
        let path = dir.join(format!("{n}.png"));
        let info = encode_png(&payload, &path).unwrap();
        assert!(info.alphanumeric);
        assert_eq!(info.modules, 17 + 4 * usize::from(info.version));
        let (text, ms) = timed_decode(&path);
        assert_eq!(text.unwrap(), payload, "{n} characters");
        println!(
            "{n} chars: version {}, {} px, decoded in {ms:.1} ms",
            info.version, info.image_px
        );
    }
}

/// The capacity table used for the figures in `civitas_core::compact` agrees with the encoder.
#[test]
fn alphanumeric_capacity_at_m() {
    let capacity_m = [
        20, 38, 61, 90, 122, 154, 178, 221, 262, 311, 366, 419, 483, 528, 600, 656, 734, 816, 909,
        970, 1035, 1134, 1248, 1326, 1451, 1542, 1637, 1732, 1839, 1994, 2113, 2238, 2369, 2506,
        2632, 2780, 2894, 3054, 3220, 3391,
    ];
    for (i, &cap) in capacity_m.iter().enumerate() {
        let version = i + 1;
        let (code, alnum) = civitas_cli::qr::symbol(&payload_of_len(cap)).unwrap();
        assert!(alnum);
        assert_eq!(
            code.version(),
            qrcode::Version::Normal(version as i16),
            "{cap}"
        );
        if version < 40 {
            let (code, _) = civitas_cli::qr::symbol(&payload_of_len(cap + 1)).unwrap();
            assert_eq!(code.version(), qrcode::Version::Normal(version as i16 + 1));
        }
    }
    assert!(matches!(
        civitas_cli::qr::symbol(&payload_of_len(3392)),
        Err(QrError::TooLong { chars: 3392 })
    ));
}

#[test]
fn byte_mode_for_other_text() {
    let dir = scratch("byte");
    let path = dir.join("b.png");
    let info = encode_png("hello, wörld {json}", &path).unwrap();
    assert!(!info.alphanumeric);
    assert_eq!(decode_image(&path).unwrap(), "hello, wörld {json}");
}

/// The representative presentation: its QR version, and decoding after rescaling, blur, noise
/// and a photo-like JPEG. Run with `--nocapture` for the figures.
#[test]
fn representative_presentation() {
    let dir = scratch("representative");
    let payload = representative_payload();
    let path = dir.join("vp.png");
    let info = encode_png(&payload, &path).unwrap();
    println!(
        "payload {} chars -> version {} ({} modules), {} px PNG of {} bytes",
        payload.len(),
        info.version,
        info.modules,
        info.image_px,
        std::fs::metadata(&path).unwrap().len()
    );
    assert!(info.alphanumeric);
    let (text, ms) = timed_decode(&path);
    assert_eq!(text.unwrap(), payload);
    println!("  as written: {ms:.1} ms");
    assert_eq!(
        civitas_core::compact::decode(&payload).unwrap(),
        serde_json::from_str::<serde_json::Value>(PRESENTATION).unwrap()
    );

    let original = image::open(&path).unwrap().to_luma8();
    let (w, h) = original.dimensions();
    let mut cases: Vec<(&str, GrayImage)> = vec![
        // At 0.5x a module is 4 pixels.
        (
            "0.5x",
            imageops::resize(&original, w / 2, h / 2, FilterType::Triangle),
        ),
        (
            "1.5x",
            imageops::resize(&original, w * 3 / 2, h * 3 / 2, FilterType::CatmullRom),
        ),
        // Non-integer scale: modules of 2.8 pixels, unevenly sampled.
        (
            "0.35x",
            imageops::resize(&original, w * 35 / 100, h * 35 / 100, FilterType::Triangle),
        ),
        ("blur 1.5", imageops::blur(&original, 1.5)),
    ];
    let mut noisy = original.clone();
    add_noise(&mut noisy, 60, 7);
    cases.push(("noise ±60", noisy));
    let mut photo = imageops::resize(&original, w * 7 / 10, h * 7 / 10, FilterType::Triangle);
    photo = imageops::blur(&photo, 1.0);
    let mut photo = photo_like(&photo);
    add_noise(&mut photo, 20, 99);
    cases.push(("photo-like", photo));
    for (name, img) in &cases {
        let file = dir.join(format!("{}.png", name.replace([' ', '±', '.'], "_")));
        save(img, &file, ImageFormat::Png);
        let (text, ms) = timed_decode(&file);
        assert_eq!(
            text.as_deref().ok(),
            Some(payload.as_str()),
            "{name}: {text:?}"
        );
        println!(
            "  {name} ({}x{} PNG): {ms:.1} ms",
            img.width(),
            img.height()
        );
    }
    // The photo-like picture as a camera JPEG.
    let jpeg = dir.join("photo.jpg");
    save_jpeg(&cases[cases.len() - 1].1, &jpeg, 70);
    let (text, ms) = timed_decode(&jpeg);
    assert_eq!(text.unwrap(), payload);
    println!("  photo-like JPEG q70: {ms:.1} ms");
}

#[test]
fn no_code_found() {
    let dir = scratch("none");
    let mut img = GrayImage::from_fn(400, 300, |x, y| Luma([((x * 7 + y * 3) % 256) as u8]));
    add_noise(&mut img, 30, 3);
    let png = dir.join("none.png");
    save(&img, &png, ImageFormat::Png);
    assert!(matches!(decode_image(&png), Err(QrError::NoCode)));
    let jpg = dir.join("none.jpg");
    save_jpeg(&img, &jpg, 80);
    assert!(matches!(decode_image(&jpg), Err(QrError::NoCode)));
    let blank = GrayImage::from_pixel(64, 64, Luma([255]));
    assert!(matches!(decode_luma(&blank), Err(QrError::NoCode)));
}

#[test]
fn two_codes_are_refused() {
    let opts = RenderOptions::default();
    let (a, _) = render("CIV1:FIRST", &opts).unwrap();
    let (b, _) = render("CIV1:SECOND", &opts).unwrap();
    let (aw, ah) = a.dimensions();
    let mut both = GrayImage::from_pixel(aw + b.width() + 40, ah.max(b.height()) + 40, Luma([255]));
    imageops::overlay(&mut both, &a, 20, 20);
    imageops::overlay(&mut both, &b, i64::from(aw) + 20, 20);
    assert!(matches!(
        decode_luma(&both),
        Err(QrError::MultipleCodes { count: 2 })
    ));
}

#[test]
fn file_errors() {
    let dir = scratch("files");
    assert!(matches!(
        decode_image(&dir.join("missing.png")),
        Err(QrError::Unreadable(_))
    ));
    let text = dir.join("text.png");
    std::fs::write(&text, b"CIV1:not an image").unwrap();
    assert!(matches!(decode_image(&text), Err(QrError::NotAnImage(_))));
    // A PNG signature followed by garbage.
    let broken = dir.join("broken.png");
    std::fs::write(&broken, b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDRgarbage").unwrap();
    assert!(matches!(decode_image(&broken), Err(QrError::NotAnImage(_))));
    // A format we do not read (here: BMP header).
    let bmp = dir.join("x.bmp");
    std::fs::write(&bmp, b"BM\0\0\0\0\0\0\0\0").unwrap();
    assert!(matches!(decode_image(&bmp), Err(QrError::NotAnImage(_))));
}

#[test]
fn binary_payload_is_not_text() {
    // A code in byte mode carrying control bytes.
    let code = qrcode::QrCode::with_error_correction_level(
        b"\x00\x01\x02binary\x7f\x1b",
        qrcode::EcLevel::M,
    )
    .unwrap();
    let modules = code.width() as u32;
    let colors = code.to_colors();
    let px = 8;
    let side = (modules + 8) * px;
    let img = GrayImage::from_fn(side, side, |x, y| {
        let (mx, my) = ((x / px).wrapping_sub(4), (y / px).wrapping_sub(4));
        let dark = mx < modules
            && my < modules
            && colors[(my * modules + mx) as usize] == qrcode::Color::Dark;
        Luma([if dark { 0 } else { 255 }])
    });
    assert!(matches!(decode_luma(&img), Err(QrError::NotText)));
}
