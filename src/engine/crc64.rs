//! CRC-64/Jones (`crc64.c`): the checksum Redis appends to every RDB file.
//!
//! Reflected polynomial 0xad93d23594c935a9, initial value 0, no final xor;
//! `crc64(0, "123456789") == 0xe9c6d914c4b8d9ca`.

/// The Jones polynomial in reflected (LSB-first) form.
const POLY_REFLECTED: u64 = 0x95ac_9329_ac4b_c9b5;

/// Slicing-by-8 tables: `T[0]` is the classic byte-at-a-time table, and
/// `T[k][b]` is the CRC of byte `b` followed by `k` zero bytes, so eight
/// input bytes fold into the CRC with eight lookups and no carried chain
/// (`crcspeed.c` does the same for Redis).
type Tables = [[u64; 256]; 8];

fn make_tables() -> Box<Tables> {
    let mut t = Box::new([[0u64; 256]; 8]);
    for i in 0..256 {
        let mut crc = i as u64;
        for _ in 0..8 {
            crc = if crc & 1 == 1 { (crc >> 1) ^ POLY_REFLECTED } else { crc >> 1 };
        }
        t[0][i] = crc;
    }
    for k in 1..8 {
        for i in 0..256 {
            let prev = t[k - 1][i];
            t[k][i] = t[0][(prev & 0xff) as usize] ^ (prev >> 8);
        }
    }
    t
}

/// Built on first use rather than at compile time: 16 KB of random bits in
/// the wasm barely compress, the loop that makes them is tiny.
static TABLES: std::sync::OnceLock<Box<Tables>> = std::sync::OnceLock::new();

/// Continues a Redis CRC-64 (`crc64(crc, s, l)`) over `data`; start with 0.
pub fn crc64(mut crc: u64, data: &[u8]) -> u64 {
    let t = TABLES.get_or_init(make_tables);
    let mut words = data.chunks_exact(8);
    for w in &mut words {
        let x = crc ^ u64::from_le_bytes([w[0], w[1], w[2], w[3], w[4], w[5], w[6], w[7]]);
        crc = t[7][(x & 0xff) as usize]
            ^ t[6][((x >> 8) & 0xff) as usize]
            ^ t[5][((x >> 16) & 0xff) as usize]
            ^ t[4][((x >> 24) & 0xff) as usize]
            ^ t[3][((x >> 32) & 0xff) as usize]
            ^ t[2][((x >> 40) & 0xff) as usize]
            ^ t[1][((x >> 48) & 0xff) as usize]
            ^ t[0][(x >> 56) as usize];
    }
    for &b in words.remainder() {
        crc = t[0][((crc ^ b as u64) & 0xff) as usize] ^ (crc >> 8);
    }
    crc
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_values_from_crc64_c() {
        assert_eq!(crc64(0, b"123456789"), 0xe9c6d914c4b8d9ca);
        let li = b"Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed \
do eiusmod tempor incididunt ut labore et dolore magna \
aliqua. Ut enim ad minim veniam, quis nostrud exercitation \
ullamco laboris nisi ut aliquip ex ea commodo consequat. Duis \
aute irure dolor in reprehenderit in voluptate velit esse \
cillum dolore eu fugiat nulla pariatur. Excepteur sint \
occaecat cupidatat non proident, sunt in culpa qui officia \
deserunt mollit anim id est laborum.\0";
        assert_eq!(crc64(0, li), 0xc7794709e69683b3);
        // Incremental use gives the same result.
        let (a, b) = li.split_at(100);
        assert_eq!(crc64(crc64(0, a), b), 0xc7794709e69683b3);
    }

    #[test]
    fn eight_byte_folding_matches_the_bitwise_definition() {
        fn bitwise(mut crc: u64, data: &[u8]) -> u64 {
            for &b in data {
                crc ^= b as u64;
                for _ in 0..8 {
                    crc = if crc & 1 == 1 { (crc >> 1) ^ POLY_REFLECTED } else { crc >> 1 };
                }
            }
            crc
        }
        let data: Vec<u8> = (0..300u32).map(|i| (i.wrapping_mul(2654435761) >> 13) as u8).collect();
        for len in [0, 1, 7, 8, 9, 15, 16, 17, 63, 64, 65, 299, 300] {
            for start in [0, 1, 3] {
                let s = &data[start.min(len)..len];
                assert_eq!(crc64(0x1234, s), bitwise(0x1234, s), "len {len} start {start}");
            }
        }
    }
}
