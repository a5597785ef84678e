//! `mix.lock` (Elixir, Mix): an Elixir map literal, one entry per line:
//! `"name": {:hex, :name, "1.2.3", "<inner sha256>", [:mix], [deps], "hexpm", "<outer sha256>"}`
//! or `{:git, "url", "sha", opts}`. Only this literal subset is read (strings, atoms, lists,
//! tuples, keyword pairs, maps), never evaluated. Hex packages get `pkg:hex` purls and the outer
//! checksum (SHA-256 of the package tarball); each dependency tuple `{:dep, "~> 1.0", [hex: :dep,
//! …, optional: true]}` is an edge. Dependencies only for `:dev`/`:test` are not written to
//! the lockfile by Mix: every component is `Required`.

use super::{Builder, Package, key, syntax_line};
use crate::{Format, Sbom, SbomError};

/// The literal subset of Elixir terms a mix.lock uses.
#[derive(Debug)]
enum Term {
    Str(String),
    Atom(String),
    List(Vec<Term>),
    Tuple(Vec<Term>),
    /// `key: value` inside a list or map.
    Pair(Box<Term>),
    /// `%{…}`.
    Map(Vec<Term>),
}

struct Parser<'a> {
    s: &'a [u8],
    pos: usize,
    depth: usize,
}

const MAX_DEPTH: usize = 64;

impl Parser<'_> {
    fn ws(&mut self) {
        while self.pos < self.s.len() && (self.s[self.pos].is_ascii_whitespace()) {
            self.pos += 1;
        }
    }

    fn err(&self, m: &str) -> String {
        format!("{m} at byte {}", self.pos)
    }

    fn ident(&mut self) -> String {
        let start = self.pos;
        while self.pos < self.s.len()
            && (self.s[self.pos].is_ascii_alphanumeric()
                || matches!(self.s[self.pos], b'_' | b'?' | b'!' | b'.'))
        {
            self.pos += 1;
        }
        String::from_utf8_lossy(&self.s[start..self.pos]).into_owned()
    }

    fn string(&mut self) -> Result<String, String> {
        self.pos += 1;
        let mut out = Vec::new();
        while self.pos < self.s.len() {
            match self.s[self.pos] {
                b'"' => {
                    self.pos += 1;
                    return Ok(String::from_utf8_lossy(&out).into_owned());
                }
                b'\\' if self.pos + 1 < self.s.len() => {
                    out.push(self.s[self.pos + 1]);
                    self.pos += 2;
                }
                c => {
                    out.push(c);
                    self.pos += 1;
                }
            }
        }
        Err(self.err("unterminated string"))
    }

    fn seq(&mut self, close: u8) -> Result<Vec<Term>, String> {
        let mut items = Vec::new();
        loop {
            self.ws();
            if self.s.get(self.pos) == Some(&close) {
                self.pos += 1;
                return Ok(items);
            }
            items.push(self.term()?);
            self.ws();
            match self.s.get(self.pos) {
                Some(b',') => self.pos += 1,
                Some(&c) if c == close => {}
                _ => return Err(self.err("expected `,` or a closing bracket")),
            }
        }
    }

    fn term(&mut self) -> Result<Term, String> {
        self.ws();
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(self.err("nested too deeply"));
        }
        let t = match self.s.get(self.pos) {
            Some(b'"') => {
                let s = self.string()?;
                // `"name": value` (a map key written as a string).
                if self.s.get(self.pos) == Some(&b':') {
                    self.pos += 1;
                    {
                        let _key = s;
                        Term::Pair(Box::new(self.term()?))
                    }
                } else {
                    Term::Str(s)
                }
            }
            Some(b':') => {
                self.pos += 1;
                if self.s.get(self.pos) == Some(&b'"') {
                    Term::Atom(self.string()?)
                } else {
                    Term::Atom(self.ident())
                }
            }
            Some(b'[') => {
                self.pos += 1;
                Term::List(self.seq(b']')?)
            }
            Some(b'{') => {
                self.pos += 1;
                Term::Tuple(self.seq(b'}')?)
            }
            Some(b'%') if self.s.get(self.pos + 1) == Some(&b'{') => {
                self.pos += 2;
                Term::Map(self.seq(b'}')?)
            }
            Some(c) if c.is_ascii_alphanumeric() || *c == b'_' => {
                let id = self.ident();
                if self.s.get(self.pos) == Some(&b':') {
                    self.pos += 1;
                    {
                        let _key = id;
                        Term::Pair(Box::new(self.term()?))
                    }
                } else {
                    Term::Atom(id) // true, false, nil, numbers
                }
            }
            _ => return Err(self.err("unexpected character")),
        };
        self.depth -= 1;
        Ok(t)
    }
}

pub(crate) fn read(text: &str, source: &str) -> Result<Sbom, SbomError> {
    let mut p = Parser {
        s: text.as_bytes(),
        pos: 0,
        depth: 0,
    };
    let doc = p.term().map_err(|m| {
        let (line, _) = crate::input::line_column(text.as_bytes(), p.pos);
        syntax_line(source, line as usize, m)
    })?;
    let Term::Map(entries) = doc else {
        return Err(syntax_line(source, 1, "a mix.lock is a map literal `%{…}`"));
    };
    let mut b = Builder::new(source, Format::MixLock, "");
    let mut edges = Vec::new();
    let mut keys = std::collections::BTreeMap::new();
    for e in &entries {
        let Term::Pair(value) = e else { continue };
        let Term::Tuple(t) = value.as_ref() else {
            continue;
        };
        // {:hex, :name, "version", "inner", [managers], [deps], "repo", "outer"}
        let (Some(Term::Atom(kind)), Some(Term::Atom(name)), Some(Term::Str(version))) =
            (t.first(), t.get(1), t.get(2))
        else {
            continue; // git and path dependencies: not registry packages
        };
        if kind != "hex" {
            continue;
        }
        let mut pkg = Package::new("hex", name, Some(version));
        if let Some(Term::Str(outer)) = t.get(7)
            && outer.len() == 64
            && outer.bytes().all(|c| c.is_ascii_hexdigit())
        {
            pkg.hashes
                .push(("SHA-256".into(), outer.to_ascii_lowercase()));
        }
        if let Some(Term::Str(repo)) = t.get(6)
            && repo != "hexpm"
        {
            pkg.qualifiers.push(("repository_url".into(), repo.clone()));
        }
        let k = key(name, Some(version));
        b.add(&k, pkg)?;
        keys.insert(name.clone(), k.clone());
        if let Some(Term::List(deps)) = t.get(5) {
            for d in deps {
                if let Term::Tuple(dt) = d
                    && let Some(Term::Atom(dep)) = dt.first()
                {
                    edges.push((k.clone(), dep.clone()));
                }
            }
        }
    }
    for (from, dep) in edges {
        if let Some(to) = keys.get(&dep) {
            b.edge(&from, to);
        }
    }
    Ok(b.finish())
}
