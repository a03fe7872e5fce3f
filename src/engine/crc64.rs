//! CRC-64/Jones (`crc64.c`): the checksum Redis appends to every RDB file.
//!
//! Reflected polynomial 0xad93d23594c935a9, initial value 0, no final xor;
//! `crc64(0, "123456789") == 0xe9c6d914c4b8d9ca`.

/// The Jones polynomial in reflected (LSB-first) form.
const POLY_REFLECTED: u64 = 0x95ac_9329_ac4b_c9b5;

const fn make_table() -> [u64; 256] {
    let mut table = [0u64; 256];
    let mut i = 0;
    while i < 256 {
        let mut crc = i as u64;
        let mut bit = 0;
        while bit < 8 {
            crc = if crc & 1 == 1 { (crc >> 1) ^ POLY_REFLECTED } else { crc >> 1 };
            bit += 1;
        }
        table[i] = crc;
        i += 1;
    }
    table
}

/// Built on first use rather than at compile time: a 2 KB table of random
/// bits in the wasm barely compresses, the loop that makes it is tiny.
static TABLE: std::sync::OnceLock<[u64; 256]> = std::sync::OnceLock::new();

/// Continues a Redis CRC-64 (`crc64(crc, s, l)`) over `data`; start with 0.
pub fn crc64(mut crc: u64, data: &[u8]) -> u64 {
    let table = TABLE.get_or_init(make_table);
    for &b in data {
        crc = table[((crc ^ b as u64) & 0xff) as usize] ^ (crc >> 8);
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
}
