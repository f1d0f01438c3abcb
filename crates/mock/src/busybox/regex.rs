//! A small regular-expression matcher for `grep`, `[[ =~ ]]` and `expr :`: POSIX basic (BRE)
//! and extended (ERE) syntax with GNU's usual extensions (`\+`, `\?`, `\|` in BRE; `\w`,
//! `\s`). Backtracking with a step budget, so a hostile pattern ends (as a non-match) instead
//! of hanging the page.

use std::cell::{Cell, RefCell};

use super::util::char_class;

/// The most steps one match attempt may take.
const STEP_BUDGET: u64 = 2_000_000;
/// How deep one match attempt may recurse (each character a repetition consumes nests a few
/// frames): past it the attempt fails as a non-match instead of overflowing the stack, which
/// is 1 MiB in the browser. Lines longer than about this many characters under `.*` are where
/// the matcher gives up.
const DEPTH_MAX: u32 = 1_000;

/// A pattern's pieces; `Capture` is a parenthesized group with its number (from 1), for
/// `\1` and submatches.
#[derive(Clone, Debug)]
enum Node {
    Char(char),
    Any,
    Set { items: Vec<SetItem>, negate: bool },
    Start,
    End,
    Group(Vec<Vec<Node>>),
    Repeat { node: Box<Node>, min: u32, max: u32 },
    Capture(usize, Box<Node>),
}

#[derive(Clone, Debug)]
enum SetItem {
    Char(char),
    Range(char, char),
    Class(String),
}

/// A compiled pattern.
#[derive(Clone, Debug)]
pub struct Regex {
    alts: Vec<Vec<Node>>,
    icase: bool,
    groups: usize,
}

impl Regex {
    /// Compiles `pattern`, ERE when `extended`. Errors are `regcomp`'s complaints.
    pub fn new(pattern: &str, extended: bool, icase: bool) -> Result<Regex, String> {
        let chars: Vec<char> = if icase {
            pattern.chars().flat_map(char::to_lowercase).collect()
        } else {
            pattern.chars().collect()
        };
        let mut p = Parser {
            s: &chars,
            i: 0,
            ere: extended,
            groups: 0,
        };
        let alts = p.alternation(0)?;
        if p.i < chars.len() {
            return Err("Unmatched ) or \\)".into());
        }
        let groups = p.groups;
        Ok(Regex {
            alts,
            icase,
            groups,
        })
    }

    pub fn is_match(&self, text: &str) -> bool {
        self.find(text).is_some()
    }

    /// The first (leftmost) match as char offsets `(start, end)`, its end as far as the
    /// backtracking order goes (longest for greedy repeats).
    pub fn find(&self, text: &str) -> Option<(usize, usize)> {
        self.find_at(text, 0)
    }

    pub fn find_at(&self, text: &str, from: usize) -> Option<(usize, usize)> {
        let t: Vec<char> = if self.icase {
            text.chars().flat_map(char::to_lowercase).collect()
        } else {
            text.chars().collect()
        };
        let m = Matcher {
            t: &t,
            steps: Cell::new(0),
            depth: Cell::new(0),
            caps: RefCell::new(Vec::new()),
        };
        for start in from..=t.len() {
            let best = Cell::new(None::<usize>);
            let hit = self.alts.iter().any(|alt| {
                m.m(alt, start, &|end| {
                    best.set(Some(end));
                    true
                })
            });
            if hit {
                return best.get().map(|e| (start, e));
            }
            if m.steps.get() > STEP_BUDGET {
                return None;
            }
        }
        None
    }
}

impl Regex {
    /// Number of parenthesized groups.
    pub fn groups(&self) -> usize {
        self.groups
    }

    /// Like [`Regex::find_at`] with the submatches (`regexec`'s `pmatch`): entry 0 is the
    /// whole match, entry N group N (None when it took no part), as char offsets.
    pub fn captures_at(&self, text: &str, from: usize) -> Option<Vec<Option<(usize, usize)>>> {
        let t: Vec<char> = if self.icase {
            text.chars().flat_map(char::to_lowercase).collect()
        } else {
            text.chars().collect()
        };
        let m = Matcher {
            t: &t,
            steps: Cell::new(0),
            depth: Cell::new(0),
            caps: RefCell::new(vec![None; self.groups + 1]),
        };
        for start in from..=t.len() {
            let best = Cell::new(None::<usize>);
            let hit = self.alts.iter().any(|alt| {
                m.m(alt, start, &|end| {
                    best.set(Some(end));
                    true
                })
            });
            if hit {
                let mut caps = m.caps.into_inner();
                caps.resize(self.groups + 1, None);
                caps[0] = best.get().map(|e| (start, e));
                return Some(caps);
            }
            if m.steps.get() > STEP_BUDGET {
                return None;
            }
            m.caps.borrow_mut().iter_mut().for_each(|c| *c = None);
        }
        None
    }
}

struct Parser<'a> {
    s: &'a [char],
    i: usize,
    ere: bool,
    /// Groups opened so far.
    groups: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Option<char> {
        self.s.get(self.i).copied()
    }

    fn at_alt_bar(&self) -> bool {
        if self.ere {
            self.peek() == Some('|')
        } else {
            self.peek() == Some('\\') && self.s.get(self.i + 1) == Some(&'|')
        }
    }

    fn at_close(&self) -> bool {
        if self.ere {
            self.peek() == Some(')')
        } else {
            self.peek() == Some('\\') && self.s.get(self.i + 1) == Some(&')')
        }
    }

    fn alternation(&mut self, depth: u32) -> Result<Vec<Vec<Node>>, String> {
        if depth > 50 {
            return Err("Regular expression too big".into());
        }
        let mut alts = vec![self.sequence(depth)?];
        while self.at_alt_bar() {
            self.i += if self.ere { 1 } else { 2 };
            alts.push(self.sequence(depth)?);
        }
        Ok(alts)
    }

    fn sequence(&mut self, depth: u32) -> Result<Vec<Node>, String> {
        let mut seq: Vec<Node> = Vec::new();
        let start = self.i;
        while let Some(c) = self.peek() {
            if self.at_alt_bar() || (depth > 0 && self.at_close()) {
                break;
            }
            if self.ere && c == ')' && depth == 0 {
                // An unmatched `)` in an ERE is literal.
                self.i += 1;
                seq.push(Node::Char(')'));
                continue;
            }
            let atom_start = self.i;
            let node = match c {
                '^' if self.ere || self.i == start => {
                    self.i += 1;
                    Node::Start
                }
                '$' if self.ere || self.is_last_in_branch(self.i + 1) => {
                    self.i += 1;
                    Node::End
                }
                '.' => {
                    self.i += 1;
                    Node::Any
                }
                '[' => self.set()?,
                '*' if seq.is_empty() || (!self.ere && atom_start == start) => {
                    self.i += 1;
                    Node::Char('*')
                }
                '(' if self.ere => {
                    self.i += 1;
                    self.groups += 1;
                    let n = self.groups;
                    let alts = self.alternation(depth + 1)?;
                    if self.peek() != Some(')') {
                        return Err("Unmatched ( or \\(".into());
                    }
                    self.i += 1;
                    Node::Capture(n, Box::new(Node::Group(alts)))
                }
                '\\' => {
                    let Some(&n) = self.s.get(self.i + 1) else {
                        return Err("Trailing backslash".into());
                    };
                    self.i += 2;
                    match n {
                        '(' if !self.ere => {
                            self.groups += 1;
                            let n = self.groups;
                            let alts = self.alternation(depth + 1)?;
                            if !(self.peek() == Some('\\') && self.s.get(self.i + 1) == Some(&')'))
                            {
                                return Err("Unmatched ( or \\(".into());
                            }
                            self.i += 2;
                            Node::Capture(n, Box::new(Node::Group(alts)))
                        }
                        'w' | 'W' | 's' | 'S' | 'd' | 'D' => {
                            let class = match n.to_ascii_lowercase() {
                                'w' => "alnum",
                                's' => "space",
                                _ => "digit",
                            };
                            let mut items = vec![SetItem::Class(class.into())];
                            if n.eq_ignore_ascii_case(&'w') {
                                items.push(SetItem::Char('_'));
                            }
                            Node::Set {
                                items,
                                negate: n.is_ascii_uppercase(),
                            }
                        }
                        'n' => Node::Char('\n'),
                        't' => Node::Char('\t'),
                        other => Node::Char(other),
                    }
                }
                other => {
                    self.i += 1;
                    Node::Char(other)
                }
            };
            let node = self.postfix(node)?;
            seq.push(node);
        }
        Ok(seq)
    }

    fn is_last_in_branch(&self, i: usize) -> bool {
        match self.s.get(i) {
            None => true,
            Some('|') if self.ere => true,
            Some(')') if self.ere => true,
            Some('\\') if !self.ere => matches!(self.s.get(i + 1), Some(')') | Some('|')),
            _ => false,
        }
    }

    fn postfix(&mut self, mut node: Node) -> Result<Node, String> {
        loop {
            let (min, max) = match self.peek() {
                Some('*') => {
                    self.i += 1;
                    (0, u32::MAX)
                }
                Some('+') if self.ere => {
                    self.i += 1;
                    (1, u32::MAX)
                }
                Some('?') if self.ere => {
                    self.i += 1;
                    (0, 1)
                }
                Some('{') if self.ere => {
                    self.i += 1;
                    self.interval('}')?
                }
                Some('\\') if !self.ere => match self.s.get(self.i + 1) {
                    Some('+') => {
                        self.i += 2;
                        (1, u32::MAX)
                    }
                    Some('?') => {
                        self.i += 2;
                        (0, 1)
                    }
                    Some('{') => {
                        self.i += 2;
                        self.interval('\\')?
                    }
                    _ => return Ok(node),
                },
                _ => return Ok(node),
            };
            node = Node::Repeat {
                node: Box::new(node),
                min,
                max,
            };
        }
    }

    fn interval(&mut self, close: char) -> Result<(u32, u32), String> {
        let num = |p: &mut Parser| -> Option<u32> {
            let s = p.i;
            while p.peek().is_some_and(|c| c.is_ascii_digit()) {
                p.i += 1;
            }
            let digits: String = p.s[s..p.i].iter().collect();
            digits.parse().ok()
        };
        let min = num(self).ok_or("Invalid content of \\{\\}")?;
        let max = if self.peek() == Some(',') {
            self.i += 1;
            num(self).unwrap_or(u32::MAX)
        } else {
            min
        };
        if close == '\\' {
            if !(self.peek() == Some('\\') && self.s.get(self.i + 1) == Some(&'}')) {
                return Err("Unmatched \\{".into());
            }
            self.i += 2;
        } else {
            if self.peek() != Some('}') {
                return Err("Unmatched \\{".into());
            }
            self.i += 1;
        }
        if max < min || min > 1000 {
            return Err("Invalid content of \\{\\}".into());
        }
        Ok((min, max))
    }

    fn set(&mut self) -> Result<Node, String> {
        self.i += 1;
        let negate = self.peek() == Some('^');
        if negate {
            self.i += 1;
        }
        let mut items = Vec::new();
        let mut first = true;
        loop {
            let Some(c) = self.peek() else {
                return Err("Unmatched [, [^, [:, [., or [=".into());
            };
            if c == ']' && !first {
                self.i += 1;
                break;
            }
            first = false;
            if c == '[' && self.s.get(self.i + 1) == Some(&':') {
                let rest = &self.s[self.i + 2..];
                if let Some(end) = (0..rest.len().saturating_sub(1))
                    .find(|&j| rest[j] == ':' && rest[j + 1] == ']')
                {
                    items.push(SetItem::Class(rest[..end].iter().collect()));
                    self.i += 2 + end + 2;
                    continue;
                }
            }
            self.i += 1;
            if self.peek() == Some('-') && self.s.get(self.i + 1).is_some_and(|h| *h != ']') {
                let hi = self.s[self.i + 1];
                self.i += 2;
                items.push(SetItem::Range(c, hi));
            } else {
                items.push(SetItem::Char(c));
            }
        }
        Ok(Node::Set { items, negate })
    }
}

struct Matcher<'a> {
    t: &'a [char],
    steps: Cell<u64>,
    depth: Cell<u32>,
    /// Submatches of the path being tried (index = group number).
    caps: RefCell<Vec<Option<(usize, usize)>>>,
}

impl Matcher<'_> {
    fn m(&self, nodes: &[Node], pos: usize, k: &dyn Fn(usize) -> bool) -> bool {
        let steps = self.steps.get() + 1;
        self.steps.set(steps);
        if steps > STEP_BUDGET || self.depth.get() >= DEPTH_MAX {
            return false;
        }
        self.depth.set(self.depth.get() + 1);
        let matched = self.m_inner(nodes, pos, k);
        self.depth.set(self.depth.get() - 1);
        matched
    }

    fn m_inner(&self, nodes: &[Node], pos: usize, k: &dyn Fn(usize) -> bool) -> bool {
        let Some((first, rest)) = nodes.split_first() else {
            return k(pos);
        };
        match first {
            Node::Char(c) => self.t.get(pos) == Some(c) && self.m(rest, pos + 1, k),
            Node::Any => self.t.get(pos).is_some_and(|c| *c != '\n') && self.m(rest, pos + 1, k),
            Node::Set { items, negate } => {
                let Some(&c) = self.t.get(pos) else {
                    return false;
                };
                let hit = items.iter().any(|it| match it {
                    SetItem::Char(x) => *x == c,
                    SetItem::Range(lo, hi) => *lo <= c && c <= *hi,
                    SetItem::Class(name) => char_class(name, c),
                });
                hit != *negate && self.m(rest, pos + 1, k)
            }
            Node::Start => pos == 0 && self.m(rest, pos, k),
            Node::End => pos == self.t.len() && self.m(rest, pos, k),
            Node::Group(alts) => alts
                .iter()
                .any(|alt| self.m(alt, pos, &|p| self.m(rest, p, k))),
            Node::Repeat { node, min, max } => {
                self.rep(node, *min, *max, 0, pos, &|p| self.m(rest, p, k))
            }
            Node::Capture(n, inner) => self.m(std::slice::from_ref(inner), pos, &|p| {
                let old = self.caps.borrow().get(*n).copied().flatten();
                self.set_cap(*n, Some((pos, p)));
                self.m(rest, p, k) || {
                    self.set_cap(*n, old);
                    false
                }
            }),
        }
    }

    fn set_cap(&self, n: usize, v: Option<(usize, usize)>) {
        let mut caps = self.caps.borrow_mut();
        if caps.len() <= n {
            caps.resize(n + 1, None);
        }
        caps[n] = v;
    }

    fn rep(
        &self,
        node: &Node,
        min: u32,
        max: u32,
        count: u32,
        pos: usize,
        k: &dyn Fn(usize) -> bool,
    ) -> bool {
        if self.steps.get() > STEP_BUDGET {
            return false;
        }
        if count < max
            && self.m(std::slice::from_ref(node), pos, &|p| {
                (p != pos || count < min) && self.rep(node, min, max, count + 1, p, k)
            })
        {
            return true;
        }
        count >= min && k(pos)
    }
}

#[cfg(test)]
mod tests {
    use super::Regex;

    fn bre(p: &str, t: &str) -> bool {
        Regex::new(p, false, false).unwrap().is_match(t)
    }

    fn ere(p: &str, t: &str) -> bool {
        Regex::new(p, true, false).unwrap().is_match(t)
    }

    #[test]
    fn basic_expressions_match_as_grep_does() {
        assert!(bre("hello", "say hello world"));
        assert!(bre("^say", "say hello"));
        assert!(!bre("^hello", "say hello"));
        assert!(bre("world$", "hello world"));
        assert!(bre("h.llo", "hallo"));
        assert!(bre("ab*c", "ac"));
        assert!(bre("[0-9][0-9]*", "x42"));
        assert!(!bre("[^a-z]", "abc"));
        assert!(bre("a+b", "a+b"));
        assert!(bre("\\(ab\\)*c", "ababc"));
        assert!(bre("*a", "*a"));
        assert!(bre("[[:digit:]]", "a1"));
    }

    #[test]
    fn extended_expressions_have_alternation_and_counts() {
        assert!(ere("cat|dog", "hotdog"));
        assert!(ere("^(ab)+$", "ababab"));
        assert!(!ere("^(ab)+$", "ababa"));
        assert!(ere("colou?r", "color"));
        assert!(ere("a{2,3}", "caaat"));
        assert!(!ere("^a{2,3}$", "aaaa"));
        assert_eq!(
            Regex::new("o+", true, false).unwrap().find("foo bar"),
            Some((1, 3))
        );
    }

    #[test]
    fn a_long_line_under_dot_star_does_not_overflow_a_small_stack() {
        let line = "a".repeat(200_000) + "x";
        let matched = std::thread::Builder::new()
            .stack_size(1 << 20)
            .spawn(move || {
                let short = Regex::new("a.*x", false, false).unwrap().is_match("aaax");
                let long = Regex::new("a.*x", false, false).unwrap().is_match(&line);
                (short, long)
            })
            .unwrap()
            .join()
            .expect("no stack overflow");
        assert!(matched.0);
        // FIXME: a backtracking matcher without the recursion bound would find it; past
        // DEPTH_MAX characters the match is given up (busybox, with glibc's regex, matches).
        assert!(!matched.1);
    }

    #[test]
    fn hostile_patterns_end() {
        let re = Regex::new("(a*)*b", true, false).unwrap();
        assert!(!re.is_match(&"a".repeat(40)));
    }

    #[test]
    fn groups_report_their_submatches() {
        let re = Regex::new("\\([a-z]*\\)=\\([0-9]*\\)", false, false).unwrap();
        let caps = re.captures_at("x key=42 y", 0).unwrap();
        assert_eq!(caps, vec![Some((2, 8)), Some((2, 5)), Some((6, 8))]);
        let re = Regex::new("(a)|(b)", true, false).unwrap();
        assert_eq!(
            re.captures_at("b", 0).unwrap(),
            vec![Some((0, 1)), None, Some((0, 1))]
        );
    }

    #[test]
    fn case_is_ignored_with_icase() {
        assert!(Regex::new("HeLLo", false, true)
            .unwrap()
            .is_match("say hello"));
    }
}
