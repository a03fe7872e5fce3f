//! LZF compression as Redis's bundled liblzf 3.6 does it (`lzf_c.c` with
//! HLOG 16, VERY_FAST, a zeroed hash table; `lzf_d.c`), used for RDB strings
//! longer than 20 bytes when `rdbcompression yes`.
//!
//! Format: `000LLLLL` + L+1 literal bytes; `LLLooooo oooooooo` back reference
//! of L+2 bytes at distance o+1; `111ooooo LLLLLLLL oooooooo` for L+9 bytes.

const HLOG: u32 = 16;
const HSIZE: usize = 1 << HLOG;
const MAX_LIT: usize = 1 << 5;
const MAX_OFF: usize = 1 << 13;
const MAX_REF: usize = (1 << 8) + (1 << 3);

#[inline]
fn idx(h: u32) -> usize {
    ((h >> (3 * 8 - HLOG)).wrapping_sub(h.wrapping_mul(5)) as usize) & (HSIZE - 1)
}

/// `lzf_compress(in, len, out, out_len)`: compresses `input` into at most
/// `out_len` bytes, or returns `None` when it does not fit (liblzf returns 0).
pub fn compress(input: &[u8], out_len: usize) -> Option<Vec<u8>> {
    let in_len = input.len();
    if in_len == 0 || out_len == 0 {
        return None;
    }
    // Slack so the format's "start run" placeholder never indexes out of range;
    // the bounds checks below are liblzf's own.
    let mut out = vec![0u8; out_len + 8];
    // Position + 1 of the last occurrence of each hash (0 = empty / start of
    // input, which liblzf's `ref > in_data` test rejects anyway).
    let mut htab = vec![0usize; HSIZE];
    let byte = |i: usize| -> u32 { input.get(i).copied().unwrap_or(0) as u32 };
    let mut ip = 0usize;
    let mut op = 1usize; // start run
    let mut lit = 0usize;
    let mut hval: u32 = (byte(0) << 8) | byte(1);
    while ip + 2 < in_len {
        hval = (hval << 8) | byte(ip + 2);
        let slot = idx(hval);
        let r = htab[slot];
        htab[slot] = ip;
        if r > 0 && r < ip && ip - r - 1 < MAX_OFF
            && input[r + 2] == input[ip + 2]
            && input[r] == input[ip]
            && input[r + 1] == input[ip + 1]
        {
            let off = ip - r - 1;
            let mut len = 2usize;
            let maxlen = (in_len - ip - len).min(MAX_REF);
            if op + 3 + 1 >= out_len && op - usize::from(lit == 0) + 3 + 1 >= out_len {
                return None;
            }
            out[op - lit - 1] = (lit as u8).wrapping_sub(1); // stop run
            op -= usize::from(lit == 0); // undo run if length is zero
            let mut stopped = false;
            if maxlen > 16 {
                for _ in 0..16 {
                    len += 1;
                    if input[r + len] != input[ip + len] {
                        stopped = true;
                        break;
                    }
                }
            }
            if !stopped {
                loop {
                    len += 1;
                    if !(len < maxlen && input[r + len] == input[ip + len]) {
                        break;
                    }
                }
            }
            len -= 2; // now #octets - 1
            ip += 1;
            if len < 7 {
                out[op] = ((off >> 8) + (len << 5)) as u8;
                op += 1;
            } else {
                out[op] = ((off >> 8) + (7 << 5)) as u8;
                out[op + 1] = (len - 7) as u8;
                op += 2;
            }
            out[op] = off as u8;
            op += 1;
            lit = 0;
            op += 1; // start run
            ip += len + 1;
            if ip + 2 >= in_len {
                break;
            }
            // VERY_FAST: re-hash the last two positions of the match.
            ip -= 2;
            hval = (byte(ip) << 8) | byte(ip + 1);
            hval = (hval << 8) | byte(ip + 2);
            htab[idx(hval)] = ip;
            ip += 1;
            hval = (hval << 8) | byte(ip + 2);
            htab[idx(hval)] = ip;
            ip += 1;
        } else {
            if op >= out_len {
                return None;
            }
            lit += 1;
            out[op] = input[ip];
            op += 1;
            ip += 1;
            if lit == MAX_LIT {
                out[op - lit - 1] = (lit - 1) as u8;
                lit = 0;
                op += 1;
            }
        }
    }
    if op + 3 > out_len {
        return None;
    }
    while ip < in_len {
        lit += 1;
        out[op] = input[ip];
        op += 1;
        ip += 1;
        if lit == MAX_LIT {
            out[op - lit - 1] = (lit - 1) as u8;
            lit = 0;
            op += 1;
        }
    }
    out[op - lit - 1] = (lit as u8).wrapping_sub(1);
    op -= usize::from(lit == 0);
    out.truncate(op);
    Some(out)
}

/// `lzf_decompress`: expands `input` to exactly `out_len` bytes, or `None` if
/// the data is corrupt or does not produce that length. Allocates at most
/// `out_len` bytes, so the caller must bound it.
pub fn decompress(input: &[u8], out_len: usize) -> Option<Vec<u8>> {
    let mut out: Vec<u8> = Vec::with_capacity(out_len);
    let mut ip = 0usize;
    while ip < input.len() {
        let ctrl = input[ip] as usize;
        ip += 1;
        if ctrl < (1 << 5) {
            let len = ctrl + 1;
            if ip + len > input.len() || out.len() + len > out_len {
                return None;
            }
            out.extend_from_slice(&input[ip..ip + len]);
            ip += len;
        } else {
            let mut len = ctrl >> 5;
            if len == 7 {
                len += *input.get(ip)? as usize;
                ip += 1;
            }
            let back = ((ctrl & 0x1f) << 8) + *input.get(ip)? as usize + 1;
            ip += 1;
            len += 2;
            if out.len() + len > out_len || back > out.len() {
                return None;
            }
            let start = out.len() - back;
            for i in 0..len {
                let b = out[start + i];
                out.push(b);
            }
        }
    }
    if out.len() == out_len { Some(out) } else { None }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_shapes() {
        let a = vec![b'a'; 100];
        let c = compress(&a, 96).unwrap();
        // A 2-byte literal run (position 0 never matches: `ref > in_data`),
        // then back references of up to 264 bytes.
        assert_eq!(c[0], 1);
        assert_eq!(c[1], b'a');
        assert!(c.len() < 10);
        assert_eq!(decompress(&c, 100).unwrap(), a);

        let text = b"hello hello hello hello world world world world 0123456789".repeat(5);
        let c = compress(&text, text.len() - 4).unwrap();
        assert_eq!(decompress(&c, text.len()).unwrap(), text);

        // Incompressible data does not fit into len-4.
        let hex = b"2f0c972c88d3eb78dc32c9c72257b5c37e4a1479";
        assert!(compress(hex, hex.len() - 4).is_none());
        // Corrupt input is rejected, not panicked on.
        assert!(decompress(&[0xe0], 10).is_none());
        assert!(decompress(&[0x20, 0x05], 10).is_none());
        assert!(decompress(&[5, 1], 10).is_none());
    }
}
