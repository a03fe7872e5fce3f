//! An LZMA decoder for the site's loader: the page's wasm, lessons,
//! stylesheet and glue ship in one LZMA pack (`xz --format=lzma`, about 17%
//! smaller than gzip -9; README "Performance"), and this unpacks it in the
//! browser before the page's wasm starts. It is built on its own into a
//! small wasm module (`.ci/unlzma-wasm.rs`, which includes this file) that
//! the loader (`www/loader.js`, inlined into `index.html`) runs; here it is
//! also a module of the crate so that native tests check it against `xz`.
//!
//! It reads the "LZMA alone" format: a 13-byte header (the properties byte
//! `lc + 9 * lp + 45 * pb`, the dictionary size, the decoded size), then
//! one range-coded stream. Only `core` is used: no allocation, the caller
//! hands over the output and the scratch space for the probabilities.

/// Why a stream could not be decoded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Error {
    /// Shorter than the header, or properties out of range.
    BadHeader,
    /// The output or scratch space given is smaller than the stream needs.
    NoRoom,
    /// A match reaches back before the start of the output: a corrupt stream.
    BadDistance,
}

/// What the 13-byte header says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Header {
    /// Literal context bits (how many high bits of the previous byte).
    pub lc: u32,
    /// Literal position bits.
    pub lp: u32,
    /// Position bits of the match and length models.
    pub pb: u32,
    /// The decoded size (the packer always writes it).
    pub size: u64,
}

/// Reads the header of an LZMA-alone stream.
pub fn header(src: &[u8]) -> Result<Header, Error> {
    if src.len() < 13 || src[0] >= 9 * 5 * 5 {
        return Err(Error::BadHeader);
    }
    let p = src[0] as u32;
    let mut size = 0u64;
    for &b in src[5..13].iter().rev() {
        size = size << 8 | b as u64;
    }
    Ok(Header { lc: p % 9, lp: p / 9 % 5, pb: p / 45, size })
}

// Where each model's probabilities start in the one scratch array.
const IS_MATCH: usize = 0; // 12 states x 16 position states
const IS_REP: usize = 192; // 12 states each for IS_REP, G0, G1, G2
const G0: usize = 204;
const G1: usize = 216;
const G2: usize = 228;
const REP0_LONG: usize = 240; // 12 x 16
const SLOT: usize = 432; // 4 length states x 64 distance slots
const SPEC: usize = 688; // 115: the reverse-coded low bits of distances < 128
const ALIGN: usize = 803; // 16
const LEN: usize = 819; // 514: choice, choice 2, 16 x 8 low, 16 x 8 mid, 256 high
const REP_LEN: usize = 1333; // 514, the same for rep matches
const LITERAL: usize = 1847; // 0x300 for each literal context

/// How many 16-bit probabilities a stream with this header needs.
pub fn probs_len(h: &Header) -> usize {
    LITERAL + (0x300 << (h.lc + h.lp))
}

/// The range decoder: the adaptive binary coder LZMA puts every bit through.
struct Range<'a> {
    src: &'a [u8],
    at: usize,
    range: u32,
    code: u32,
}

impl Range<'_> {
    /// The next input byte (zero past the end: a truncated stream decodes
    /// to garbage, it does not read out of bounds).
    fn byte(&mut self) -> u32 {
        let b = self.src.get(self.at).copied().unwrap_or(0);
        self.at += 1;
        b as u32
    }

    /// One bit with probability `p[i]` / 2048 of being 0; adapts `p[i]`.
    fn bit(&mut self, p: &mut [u16], i: usize) -> u32 {
        let prob = p[i] as u32;
        let bound = (self.range >> 11) * prob;
        let b = if self.code < bound {
            self.range = bound;
            p[i] = (prob + ((2048 - prob) >> 5)) as u16;
            0
        } else {
            self.range -= bound;
            self.code -= bound;
            p[i] = (prob - (prob >> 5)) as u16;
            1
        };
        if self.range < 1 << 24 {
            self.range <<= 8;
            self.code = self.code << 8 | self.byte();
        }
        b
    }

    /// `bits` bits through a binary tree of probabilities at `base`, most
    /// significant first.
    fn tree(&mut self, p: &mut [u16], base: usize, bits: u32) -> u32 {
        let mut m = 1;
        for _ in 0..bits {
            m = m << 1 | self.bit(p, base + m as usize);
        }
        m - (1 << bits)
    }

    /// The same, least significant bit first.
    fn reverse_tree(&mut self, p: &mut [u16], base: usize, bits: u32) -> u32 {
        let (mut m, mut s) = (1, 0);
        for i in 0..bits {
            let b = self.bit(p, base + m as usize);
            m = m << 1 | b;
            s |= b << i;
        }
        s
    }

    /// A match length less 2 (0..=271) from the length model at `base`.
    fn len(&mut self, p: &mut [u16], base: usize, pos_state: usize) -> u32 {
        if self.bit(p, base) == 0 {
            self.tree(p, base + 2 + pos_state * 8, 3)
        } else if self.bit(p, base + 1) == 0 {
            8 + self.tree(p, base + 130 + pos_state * 8, 3)
        } else {
            16 + self.tree(p, base + 258, 8)
        }
    }

    /// A match distance less 1, for a match of length `len` + 2.
    fn distance(&mut self, p: &mut [u16], len: u32) -> u32 {
        let slot = self.tree(p, SLOT + 64 * len.min(3) as usize, 6);
        if slot < 4 {
            return slot;
        }
        let direct = (slot >> 1) - 1;
        let mut dist = (2 | (slot & 1)) << direct;
        if slot < 14 {
            return dist + self.reverse_tree(p, SPEC + (dist - slot) as usize, direct);
        }
        // Bits at probability one half, then four modelled ones.
        for i in (4..direct).rev() {
            self.range >>= 1;
            if self.code >= self.range {
                self.code -= self.range;
                dist += 1 << i;
            }
            if self.range < 1 << 24 {
                self.range <<= 8;
                self.code = self.code << 8 | self.byte();
            }
        }
        dist + self.reverse_tree(p, ALIGN, 4)
    }
}

/// Decodes the stream `src` (header included) into `out`, which must be
/// exactly the header's size, using `probs` (at least [`probs_len`]) as
/// scratch.
pub fn decode(src: &[u8], out: &mut [u8], probs: &mut [u16]) -> Result<(), Error> {
    let h = header(src)?;
    let need = probs_len(&h);
    if h.size != out.len() as u64 || probs.len() < need {
        return Err(Error::NoRoom);
    }
    let p = &mut probs[..need];
    p.fill(1024);
    // The first byte of the range coder's stream is always 0.
    let mut rc = Range { src, at: 14, range: u32::MAX, code: 0 };
    for _ in 0..4 {
        rc.code = rc.code << 8 | rc.byte();
    }
    let (pb_mask, lp_mask) = ((1 << h.pb) - 1, (1 << h.lp) - 1);
    // The state (0..=6 after a literal) and the last four distances.
    let (mut state, mut reps) = (0usize, [0u32; 4]);
    let mut n = 0;
    while n < out.len() {
        let pos_state = n & pb_mask;
        if rc.bit(p, IS_MATCH + state * 16 + pos_state) == 0 {
            // A literal, in the context of the previous byte's high bits
            // (and, after a match, of the byte at the last distance while
            // the bits agree).
            let prev = if n > 0 { out[n - 1] as usize } else { 0 };
            let base = LITERAL + 0x300 * (((n & lp_mask) << h.lc) + (prev >> (8 - h.lc)));
            let mut s = 1u32;
            if state >= 7 {
                let mut matched = out[n - reps[0] as usize - 1] as u32;
                while s < 0x100 {
                    let mbit = (matched >> 7) & 1;
                    matched <<= 1;
                    let b = rc.bit(p, base + (((1 + mbit) << 8) + s) as usize);
                    s = s << 1 | b;
                    if b != mbit {
                        break;
                    }
                }
            }
            while s < 0x100 {
                s = s << 1 | rc.bit(p, base + s as usize);
            }
            out[n] = s as u8;
            n += 1;
            state = if state < 4 { 0 } else if state < 10 { state - 3 } else { state - 6 };
            continue;
        }
        let len;
        if rc.bit(p, IS_REP + state) == 0 {
            // A match at a new distance.
            len = rc.len(p, LEN, pos_state);
            state = if state < 7 { 7 } else { 10 };
            let dist = rc.distance(p, len);
            reps = [dist, reps[0], reps[1], reps[2]];
        } else {
            if n == 0 {
                return Err(Error::BadDistance);
            }
            if rc.bit(p, G0 + state) == 0 {
                if rc.bit(p, REP0_LONG + state * 16 + pos_state) == 0 {
                    // One byte at the last distance.
                    state = if state < 7 { 9 } else { 11 };
                    out[n] = out[n - reps[0] as usize - 1];
                    n += 1;
                    continue;
                }
            } else {
                let i = if rc.bit(p, G1 + state) == 0 { 1 } else if rc.bit(p, G2 + state) == 0 { 2 } else { 3 };
                reps[..=i].rotate_right(1);
            }
            len = rc.len(p, REP_LEN, pos_state);
            state = if state < 7 { 8 } else { 11 };
        }
        // (In u64: the end marker's distance is u32::MAX, and usize is 32 bits in wasm.)
        if reps[0] as u64 + 1 > n as u64 {
            return Err(Error::BadDistance);
        }
        let from = reps[0] as usize + 1;
        for _ in 0..(len as usize + 2).min(out.len() - n) {
            out[n] = out[n - from];
            n += 1;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;
    use std::process::{Command, Stdio};

    /// `data` packed by `xz --format=lzma` with `options`, with the decoded
    /// size written into the header as the site's packer does.
    fn xz(data: &[u8], options: &str) -> Vec<u8> {
        let mut child = Command::new("xz")
            .args(["--format=lzma", &format!("--lzma1={options}"), "--stdout"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("xz (xz-utils) runs");
        let mut stdin = child.stdin.take().unwrap();
        let input = data.to_vec();
        let writer = std::thread::spawn(move || stdin.write_all(&input).unwrap());
        let mut lz = child.wait_with_output().unwrap().stdout;
        writer.join().unwrap();
        lz[5..13].copy_from_slice(&(data.len() as u64).to_le_bytes());
        lz
    }

    fn unpack(lz: &[u8]) -> Result<Vec<u8>, Error> {
        let h = header(lz)?;
        let mut out = vec![0; h.size as usize];
        let mut probs = vec![0; probs_len(&h)];
        decode(lz, &mut out, &mut probs).map(|_| out)
    }

    /// Bytes with long repeats, near repeats and noise, so every kind of
    /// match (new distance, the four rep distances, short rep) and long
    /// distances (the direct and align bits) turn up.
    fn sample(len: usize) -> Vec<u8> {
        let mut x = 0x9e37_79b9_7f4a_7c15u64;
        let mut out: Vec<u8> = Vec::with_capacity(len);
        while out.len() < len {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            match x % 4 {
                0 if out.len() > 300 => {
                    let back = 1 + (x >> 8) as usize % out.len().min(200_000);
                    let from = out.len() - back;
                    for i in 0..((x >> 40) % 300) as usize {
                        out.push(out[from + i % back]);
                    }
                }
                1 => out.extend_from_slice(b"REPLCONF ACK 12345\r\n"),
                _ => out.push((x >> 32) as u8 % 40 + b'0'),
            }
        }
        out.truncate(len);
        out
    }

    #[test]
    fn decodes_what_xz_packs_with_the_sites_options_and_the_defaults() {
        let data = sample(300_000);
        for options in ["preset=9e,lc=4,lp=0,pb=0", "preset=6", "preset=1,lc=0,lp=2,pb=2", "preset=9,lc=1,lp=3,pb=4"] {
            assert_eq!(unpack(&xz(&data, options)).as_deref(), Ok(&data[..]), "{options}");
        }
    }

    #[test]
    fn decodes_empty_and_tiny_inputs() {
        for data in [&b""[..], b"a", b"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", b"abcabcabcabd"] {
            assert_eq!(unpack(&xz(data, "preset=9e,lc=4,lp=0,pb=0")).as_deref(), Ok(data));
        }
    }

    #[test]
    fn refuses_bad_headers_and_too_little_room() {
        assert_eq!(header(&[0; 12]), Err(Error::BadHeader));
        assert_eq!(header(&[225; 13]), Err(Error::BadHeader));
        let lz = xz(b"hello hello hello", "preset=6");
        let h = header(&lz).unwrap();
        let (mut short, mut probs) = (vec![0; h.size as usize - 1], vec![0; probs_len(&h)]);
        assert_eq!(decode(&lz, &mut short, &mut probs), Err(Error::NoRoom));
        let mut out = vec![0; h.size as usize];
        assert_eq!(decode(&lz, &mut out, &mut probs[..100]), Err(Error::NoRoom));
    }

    #[test]
    fn corrupt_or_truncated_streams_end_in_an_error_or_garbage_never_a_panic() {
        let data = sample(20_000);
        let lz = xz(&data, "preset=9e,lc=4,lp=0,pb=0");
        let mut x = 12345u64;
        for round in 0..200 {
            let mut bad = lz.clone();
            if round % 2 == 0 {
                bad.truncate(14 + round * 37 % (lz.len() - 14));
            } else {
                x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                let at = 14 + (x >> 33) as usize % (lz.len() - 14);
                bad[at] ^= 1 << (x >> 20) % 8;
            }
            if let Ok(out) = unpack(&bad) {
                assert_eq!(out.len(), data.len());
            }
        }
    }
}
