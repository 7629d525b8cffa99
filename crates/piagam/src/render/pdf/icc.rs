//! A compact sRGB ICC profile (version 2.1, display class), made here from
//! the published sRGB colorants (IEC 61966-2-1, adapted to the D50 profile
//! connection space) and its tone curve as a 64-point table. PDF/A's output
//! intent names it as the colour space every DeviceRGB colour is in.

/// Entries in the tone curve table: enough that linear interpolation
/// stays within a level of 8-bit sRGB.
const CURVE_POINTS: usize = 64;

fn s15f16(v: f64) -> [u8; 4] {
    ((v * 65536.0).round() as i32).to_be_bytes()
}

fn xyz(x: f64, y: f64, z: f64) -> Vec<u8> {
    let mut t = b"XYZ \0\0\0\0".to_vec();
    for v in [x, y, z] {
        t.extend_from_slice(&s15f16(v));
    }
    t
}

/// The sRGB transfer function, from encoded to linear.
fn srgb_to_linear(v: f64) -> f64 {
    if v <= 0.04045 {
        v / 12.92
    } else {
        ((v + 0.055) / 1.055).powf(2.4)
    }
}

fn curve() -> Vec<u8> {
    let mut t = b"curv\0\0\0\0".to_vec();
    t.extend_from_slice(&(CURVE_POINTS as u32).to_be_bytes());
    for i in 0..CURVE_POINTS {
        let y = srgb_to_linear(i as f64 / (CURVE_POINTS - 1) as f64);
        t.extend_from_slice(&((y * 65535.0).round() as u16).to_be_bytes());
    }
    t
}

fn description(text: &str) -> Vec<u8> {
    let mut t = b"desc\0\0\0\0".to_vec();
    t.extend_from_slice(&(text.len() as u32 + 1).to_be_bytes());
    t.extend_from_slice(text.as_bytes());
    t.push(0);
    // No Unicode and no ScriptCode description: counts of zero, and the
    // ScriptCode's fixed 67 bytes.
    t.extend_from_slice(&[0; 4 + 4 + 2 + 1 + 67]);
    t
}

fn text(text: &str) -> Vec<u8> {
    let mut t = b"text\0\0\0\0".to_vec();
    t.extend_from_slice(text.as_bytes());
    t.push(0);
    t
}

/// The profile's bytes.
pub fn srgb_profile() -> Vec<u8> {
    let curve = curve();
    let tags: Vec<(&[u8; 4], Vec<u8>)> = vec![
        (b"desc", description("sRGB IEC61966-2.1 (piagam)")),
        (b"cprt", text("No copyright, use freely")),
        (b"wtpt", xyz(0.9642, 1.0, 0.8249)),
        (b"rXYZ", xyz(0.436_074_7, 0.222_504_5, 0.013_932_2)),
        (b"gXYZ", xyz(0.385_064_9, 0.716_878_6, 0.097_104_5)),
        (b"bXYZ", xyz(0.143_080_4, 0.060_616_9, 0.714_173_3)),
        (b"rTRC", curve.clone()),
        (b"gTRC", curve.clone()),
        (b"bTRC", curve),
    ];
    let table_len = 4 + 12 * tags.len();
    let mut data = Vec::new();
    let mut table = (tags.len() as u32).to_be_bytes().to_vec();
    // The three curves are the same bytes: stored once, pointed at thrice.
    let mut curve_at: Option<(u32, u32)> = None;
    for (signature, body) in &tags {
        let (offset, size) = match (curve_at, signature.ends_with(b"TRC")) {
            (Some(at), true) => at,
            _ => {
                while data.len() % 4 != 0 {
                    data.push(0);
                }
                let offset = (128 + table_len + data.len()) as u32;
                data.extend_from_slice(body);
                (offset, body.len() as u32)
            }
        };
        if signature.ends_with(b"TRC") {
            curve_at = Some((offset, size));
        }
        table.extend_from_slice(*signature);
        table.extend_from_slice(&offset.to_be_bytes());
        table.extend_from_slice(&size.to_be_bytes());
    }
    while data.len() % 4 != 0 {
        data.push(0);
    }
    let size = (128 + table.len() + data.len()) as u32;
    let mut header = Vec::with_capacity(128);
    header.extend_from_slice(&size.to_be_bytes());
    header.extend_from_slice(&[0; 4]); // preferred CMM: none
    header.extend_from_slice(&[2, 0x10, 0, 0]); // version 2.1
    header.extend_from_slice(b"mntrRGB XYZ ");
    // Created 2026-01-01: fixed, so the profile is the same bytes always.
    for v in [2026u16, 1, 1, 0, 0, 0] {
        header.extend_from_slice(&v.to_be_bytes());
    }
    header.extend_from_slice(b"acsp");
    header.extend_from_slice(&[0; 4 + 4 + 4 + 4 + 8]); // platform, flags, maker, model, attributes
    header.extend_from_slice(&0u32.to_be_bytes()); // perceptual
    for v in [0.9642, 1.0, 0.8249] {
        header.extend_from_slice(&s15f16(v)); // the D50 illuminant
    }
    header.resize(128, 0);
    let mut profile = header;
    profile.extend_from_slice(&table);
    profile.extend_from_slice(&data);
    profile
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_profile_is_a_well_formed_rgb_display_profile() {
        let p = srgb_profile();
        assert_eq!(
            u32::from_be_bytes(p[0..4].try_into().unwrap()) as usize,
            p.len()
        );
        assert_eq!(&p[12..24], b"mntrRGB XYZ ");
        assert_eq!(&p[36..40], b"acsp");
        assert!(p.len() < 1024, "{} bytes", p.len());
        // Every tag lies inside the profile, 4-byte aligned.
        let count = u32::from_be_bytes(p[128..132].try_into().unwrap()) as usize;
        assert_eq!(count, 9);
        for i in 0..count {
            let at = 132 + 12 * i;
            let offset = u32::from_be_bytes(p[at + 4..at + 8].try_into().unwrap()) as usize;
            let size = u32::from_be_bytes(p[at + 8..at + 12].try_into().unwrap()) as usize;
            assert_eq!(offset % 4, 0);
            assert!(offset + size <= p.len());
        }
        // The curve runs from black to white, rising.
        let c = curve();
        let first = u16::from_be_bytes([c[12], c[13]]);
        let last = u16::from_be_bytes([c[c.len() - 2], c[c.len() - 1]]);
        assert_eq!((first, last), (0, 65535));
        assert_eq!(srgb_profile(), p);
    }
}
