//! zlib streams for `/FlateDecode`: one buffer on one core, or a large one
//! on every core.

/// zlib-wrapped deflate, as `/FlateDecode` reads it. Each thread keeps
/// its compressor: making one takes a few hundred kilobytes of tables,
/// and a page needs two.
pub(super) fn deflate(data: &[u8], level: u32) -> Vec<u8> {
    use std::cell::RefCell;
    thread_local! {
        // One per level: a page's content and its QR code use different ones.
        static KEPT: RefCell<[Option<flate2::Compress>; 10]> = RefCell::new(Default::default());
    }
    KEPT.with(|kept| {
        let mut kept = kept.borrow_mut();
        let level = level.min(9);
        let z = match &mut kept[level as usize] {
            Some(z) => {
                z.reset();
                z
            }
            slot => slot.insert(flate2::Compress::new(flate2::Compression::new(level), true)),
        };
        let mut out = Vec::with_capacity(data.len() / 2 + 64);
        loop {
            let consumed = z.total_in() as usize;
            if out.capacity() - out.len() < 64 {
                out.reserve(out.capacity().max(256));
            }
            match z.compress_vec(&data[consumed..], &mut out, flate2::FlushCompress::Finish) {
                Ok(flate2::Status::StreamEnd) => return out,
                Ok(_) => {}
                // Deflating into memory does not fail; if it did, an empty
                // stream would show, and the tests would see it.
                Err(_) => return Vec::new(),
            }
        }
    })
}

/// zlib-wrapped deflate of a large buffer on every core: each slice is
/// deflated on its own and ended on a byte boundary (a sync flush), so the
/// pieces join into one stream, as pigz does. A little larger than one
/// pass, and as many times faster as there are cores.
pub(super) fn deflate_parallel(data: &[u8], level: u32) -> Vec<u8> {
    use rayon::prelude::*;
    const SLICE: usize = 1 << 20;
    if data.len() <= SLICE {
        return deflate(data, level);
    }
    let slices: Vec<&[u8]> = data.chunks(SLICE).collect();
    let last = slices.len() - 1;
    let pieces: Vec<Vec<u8>> = slices
        .par_iter()
        .enumerate()
        .map(|(i, slice)| {
            let mut z = flate2::Compress::new(flate2::Compression::new(level), false);
            let mut out = Vec::with_capacity(slice.len() / 2 + 1024);
            let flush = if i == last {
                flate2::FlushCompress::Finish
            } else {
                flate2::FlushCompress::Sync
            };
            loop {
                let consumed = z.total_in() as usize;
                if out.capacity() - out.len() < 1024 {
                    out.reserve(out.capacity().max(4096));
                }
                match z.compress_vec(&slice[consumed..], &mut out, flush) {
                    Ok(flate2::Status::StreamEnd) => break,
                    Ok(_) if z.total_in() as usize == slice.len() && i != last => {
                        // A sync flush is complete once output stops growing.
                        if out.capacity() > out.len() {
                            break;
                        }
                    }
                    Ok(_) => {}
                    Err(_) => return Vec::new(),
                }
            }
            out
        })
        .collect();
    if pieces.iter().any(Vec::is_empty) {
        return deflate(data, level);
    }
    let mut out = Vec::with_capacity(pieces.iter().map(Vec::len).sum::<usize>() + 6);
    out.extend_from_slice(&[0x78, 0x9c]);
    for piece in pieces {
        out.extend_from_slice(&piece);
    }
    out.extend_from_slice(&adler32(data).to_be_bytes());
    out
}

/// The zlib checksum.
fn adler32(data: &[u8]) -> u32 {
    const MOD: u32 = 65_521;
    let (mut a, mut b) = (1u32, 0u32);
    // 5552 bytes is the most that cannot overflow before the modulo.
    for block in data.chunks(5552) {
        for &byte in block {
            a += u32::from(byte);
            b += a;
        }
        a %= MOD;
        b %= MOD;
    }
    (b << 16) | a
}

#[cfg(test)]
mod tests {
    use std::io::Read;

    use super::*;

    #[test]
    fn deflating_in_slices_gives_one_valid_zlib_stream() {
        let mut state = 7u32;
        for len in [0, 1, 1 << 20, (1 << 20) + 1, 3 * (1 << 20) + 12_345] {
            // Compressible but not trivial: runs of pseudo-random bytes.
            let data: Vec<u8> = (0..len)
                .map(|i| {
                    if i % 64 == 0 {
                        state = state.wrapping_mul(1_103_515_245).wrapping_add(12_345);
                    }
                    (state >> 16) as u8
                })
                .collect();
            let packed = deflate_parallel(&data, 6);
            let mut again = Vec::new();
            flate2::read::ZlibDecoder::new(deflate(&data, 1).as_slice())
                .read_to_end(&mut again)
                .unwrap();
            assert_eq!(again, data, "one pass, length {len}");
            let mut back = Vec::new();
            flate2::read::ZlibDecoder::new(packed.as_slice())
                .read_to_end(&mut back)
                .unwrap();
            assert_eq!(back, data, "length {len}");
        }
        assert_eq!(adler32(b"Wikipedia"), 0x11E6_0398);
    }
}
