//! Fixed-point text of an `f64`, exactly as `format!("{:.N}", v)` prints it
//! for `N` ≤ 3 and |v| < 2^64, without core's float formatter.
//!
//! Core's formatter (Grisu, Dragon4 and their big-number tables) is one of
//! the larger pieces of the wasm; the engine and the page only ever print
//! a few decimals of modest numbers, which this does with integer arithmetic
//! on the exact binary value (ties round to even, as core does).

/// `v` with `decimals` digits after the point, like `format!("{v:.decimals$}")`.
pub fn fixed(v: f64, decimals: u32) -> String {
    debug_assert!(decimals <= 3, "fixed() handles at most 3 decimals");
    let mut out = String::new();
    if v.is_nan() {
        out.push_str("NaN");
        return out;
    }
    if v.is_sign_negative() {
        out.push('-');
    }
    if v.is_infinite() {
        out.push_str("inf");
        return out;
    }
    let scaled = rounded_scaled(v.abs(), 10u128.pow(decimals));
    let digits = u128_text(scaled);
    let width = decimals as usize + 1;
    let digits = if digits.len() < width { format!("{}{digits}", "0".repeat(width - digits.len())) } else { digits };
    let point = digits.len() - decimals as usize;
    out.push_str(&digits[..point]);
    if decimals > 0 {
        out.push('.');
        out.push_str(&digits[point..]);
    }
    out
}

/// `v` in decimal. Core's `u128` printing is a separate, larger routine in
/// the wasm, and any `u128` division brings compiler-builtins' 128-bit
/// divider (about 1 KB); this divides by 10^9 on 32-bit limbs instead, with
/// native 64-bit divisions.
pub fn u128_text(v: u128) -> String {
    const E9: u64 = 1_000_000_000;
    let mut limbs = [(v >> 96) as u32, (v >> 64) as u32, (v >> 32) as u32, v as u32];
    // Base-10^9 digits of `v`, least significant first.
    let mut chunks = Vec::new();
    loop {
        let mut rem = 0u64;
        for limb in limbs.iter_mut() {
            let cur = (rem << 32) | *limb as u64;
            *limb = (cur / E9) as u32;
            rem = cur % E9;
        }
        chunks.push(rem);
        if limbs == [0; 4] {
            break;
        }
    }
    let mut out = chunks.pop().unwrap_or(0).to_string();
    for c in chunks.iter().rev() {
        // Nine digits with leading zeros: 10^9 + c has them after its "1".
        out.push_str(&(E9 + c).to_string()[1..]);
    }
    out
}

/// `a × scale` rounded to an integer, ties to even, computed exactly from
/// `a = mantissa × 2^exp`.
fn rounded_scaled(a: f64, scale: u128) -> u128 {
    let bits = a.to_bits();
    let raw_exp = ((bits >> 52) & 0x7ff) as i32;
    let frac = bits & ((1 << 52) - 1);
    let (mantissa, exp) = if raw_exp == 0 { (frac, -1074) } else { (frac | (1 << 52), raw_exp - 1075) };
    let product = mantissa as u128 * scale;
    if exp >= 0 {
        return product << exp.min(64);
    }
    let shift = (-exp) as u32;
    if shift >= 128 {
        return 0; // below 2^-75: far less than half a unit of the last digit
    }
    let whole = product >> shift;
    let rest = product & ((1u128 << shift) - 1);
    let half = 1u128 << (shift - 1);
    if rest > half || (rest == half && whole & 1 == 1) { whole + 1 } else { whole }
}

#[cfg(test)]
mod tests {
    use super::fixed;

    #[test]
    fn matches_core_formatting() {
        let mut cases = vec![1.5e19, 1.8446744073709551e19, 0.0, -0.0, 0.05, 0.15, 0.25, 0.35, 0.125, 2.5, 3.5, -0.01, -2.345, 1e-300, 5e-324, 99.95, 999.9995, 1e15, 123456.789, f64::NAN, f64::INFINITY, f64::NEG_INFINITY];
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        for _ in 0..20_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let mag = 10f64.powi((x % 14) as i32 - 4);
            cases.push((x >> 11) as f64 / (1u64 << 53) as f64 * mag);
            cases.push(-((x % 100_000) as f64) / 1000.0 - 0.0005);
            cases.push((x % 100_000) as f64 / 8.0);
        }
        for v in cases {
            for d in 0..=3 {
                assert_eq!(fixed(v, d), format!("{v:.*}", d as usize), "{v:e} with {d} decimals");
            }
        }
    }

    #[test]
    fn prints_u128_like_core() {
        for v in [0u128, 9, 999_999_999, 1_000_000_000, 10u128.pow(27) + 1, u64::MAX as u128, u64::MAX as u128 + 1, 10u128.pow(18), 10u128.pow(19) + 7, 10u128.pow(37) + 5, u128::MAX] {
            assert_eq!(super::u128_text(v), v.to_string());
        }
    }
}
