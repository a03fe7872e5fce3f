//! Change signatures: what a panel showed last, as a string that
//! [`View::changed`](super::app::View::changed) compares, so a panel is
//! rebuilt only when it would look different.
//!
//! Building them with `format!("{:?}")` would keep core's `Debug` machinery
//! (tuple, list and option printers, string escaping) in the wasm for
//! nothing: a signature is never shown. [`Sig`] writes the values plainly
//! instead, each followed by a separator (a string after its length) so that two different lists of
//! values never give the same string.

use std::fmt::Write;

/// A value that can go into a change signature.
pub trait Sig {
    /// Appends this value to `out`.
    fn sig(&self, out: &mut String);
}

/// The signature of `value`, ready for `View::changed`.
pub fn sig(value: &impl Sig) -> String {
    let mut out = String::new();
    value.sig(&mut out);
    out
}

/// Writes `n` and a separator.
fn number(out: &mut String, n: u64) {
    let _ = write!(out, "{n},");
}

impl Sig for u64 {
    fn sig(&self, out: &mut String) {
        number(out, *self);
    }
}

impl Sig for usize {
    fn sig(&self, out: &mut String) {
        number(out, *self as u64);
    }
}

impl Sig for u16 {
    fn sig(&self, out: &mut String) {
        number(out, u64::from(*self));
    }
}

impl Sig for u8 {
    fn sig(&self, out: &mut String) {
        number(out, u64::from(*self));
    }
}

impl Sig for bool {
    fn sig(&self, out: &mut String) {
        out.push(if *self { 'T' } else { 'F' });
    }
}

impl Sig for str {
    fn sig(&self, out: &mut String) {
        // Length first: any bytes may follow (a config value can hold a
        // NUL), and two different lists still never give the same string.
        number(out, self.len() as u64);
        out.push_str(self);
    }
}

impl Sig for String {
    fn sig(&self, out: &mut String) {
        self.as_str().sig(out);
    }
}

impl Sig for crate::engine::handshake::ReplState {
    fn sig(&self, out: &mut String) {
        number(out, *self as u64);
    }
}

impl<T: Sig + ?Sized> Sig for &T {
    fn sig(&self, out: &mut String) {
        (**self).sig(out);
    }
}

impl<T: Sig> Sig for Option<T> {
    fn sig(&self, out: &mut String) {
        match self {
            None => out.push('-'),
            Some(v) => {
                out.push('+');
                v.sig(out);
            }
        }
    }
}

impl<T: Sig> Sig for [T] {
    fn sig(&self, out: &mut String) {
        out.push('[');
        for v in self {
            v.sig(out);
        }
        out.push(']');
    }
}

impl<T: Sig> Sig for Vec<T> {
    fn sig(&self, out: &mut String) {
        self.as_slice().sig(out);
    }
}

impl<T: Sig, const N: usize> Sig for [T; N] {
    fn sig(&self, out: &mut String) {
        self.as_slice().sig(out);
    }
}

/// Tuples: each field in turn.
macro_rules! tuple_sig {
    ($($t:ident $i:tt),+) => {
        impl<$($t: Sig),+> Sig for ($($t,)+) {
            fn sig(&self, out: &mut String) {
                $(self.$i.sig(out);)+
            }
        }
    };
}
tuple_sig!(A 0, B 1);
tuple_sig!(A 0, B 1, C 2);
tuple_sig!(A 0, B 1, C 2, D 3);
tuple_sig!(A 0, B 1, C 2, D 3, E 4);
tuple_sig!(A 0, B 1, C 2, D 3, E 4, F 5);
