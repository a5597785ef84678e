//! The generic order, for ecosystems without a known scheme (and the `vers` "generic" scheme).
//!
//! The version is read as a sequence of tokens: digit runs (numbers) and letter runs (words,
//! compared case-insensitively); every other character only separates tokens. Sequences
//! compare token by token, with this rank: word < end of version < number. So `1.0` < `1.0.1`
//! (a number beats the end), `1.0beta` < `1.0` (a word is below the end, the usual pre-release
//! reading), `1.9` < `1.10`. Numbers compare numerically, words alphabetically. Versions equal
//! token by token compare by bytes, so the order is total and equality is string equality.

use super::cmp_digits;
use std::cmp::Ordering;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Tok<'a> {
    Word(&'a str),
    End,
    Num(&'a str),
}

/// Reads the next token, skipping separators.
fn next_tok<'b>(s: &mut &'b str) -> Tok<'b> {
    let t = s.trim_start_matches(|c: char| !c.is_ascii_alphanumeric());
    let (d, r) = super::split_digits(t);
    if !d.is_empty() {
        *s = r;
        return Tok::Num(d);
    }
    let (w, r) = super::split_alpha(t);
    if !w.is_empty() {
        *s = r;
        return Tok::Word(w);
    }
    *s = "";
    Tok::End
}

fn rank(t: &Tok) -> u8 {
    match t {
        Tok::Word(_) => 0,
        Tok::End => 1,
        Tok::Num(_) => 2,
    }
}

/// Generic order.
pub(crate) fn compare(a: &str, b: &str) -> Ordering {
    let (mut x, mut y) = (a, b);
    loop {
        let (p, q) = (next_tok(&mut x), next_tok(&mut y));
        let o = rank(&p).cmp(&rank(&q)).then_with(|| match (p, q) {
            (Tok::Num(m), Tok::Num(n)) => cmp_digits(m, n),
            (Tok::Word(m), Tok::Word(n)) => super::nuget::cmp_ignore_case(m, n),
            _ => Ordering::Equal,
        });
        if o != Ordering::Equal {
            return o;
        }
        if p == Tok::End && q == Tok::End {
            return a.cmp(b);
        }
    }
}
