//! The located YAML tree (`api::yaml`): where nodes are, what scalars become for each type,
//! aliases, merge keys, duplicate keys, budgets; and the same texts read through serde-saphyr,
//! whose behaviour the tree's deserializer mirrors, giving the same values and the same errors.

use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::Pod;
use podplay_engine::api::yaml::{self, Kind, Location, NodeId, Style, Tree};
use serde::de::DeserializeOwned;

fn at(line: u64, column: u64) -> Location {
    Location { line, column }
}

fn read<T: DeserializeOwned>(text: &str) -> Result<T, String> {
    let tree = yaml::parse(text).map_err(|e| e.to_string())?;
    yaml::from_tree(&tree, tree.root()).map_err(|e| e.to_string())
}

fn pod(text: &str) -> Pod {
    read(text).unwrap_or_else(|e| panic!("{e}\n{text}"))
}

/// The node under a path of keys and indexes.
fn find(tree: &Tree<'_>, path: &[&str]) -> NodeId {
    let mut id = tree.root();
    for step in path {
        id = match step.parse::<usize>() {
            Ok(i) => match &tree.node(tree.resolve(id)).kind {
                Kind::Sequence(items) => items[i],
                other => panic!("{step}: not a sequence: {other:?}"),
            },
            Err(_) => tree
                .get(id, step)
                .unwrap_or_else(|| panic!("no {step} in {path:?}")),
        };
    }
    id
}

#[test]
fn every_node_keeps_its_line_and_column() {
    let text = "\
apiVersion: v1
kind: Pod
metadata:
  name: web
  labels: {app: web, tier: front}
spec:
  containers:
  - name: app
    ports:
    - containerPort: 80
    command:
      - sh
      - -c
";
    let tree = yaml::parse(text).unwrap();
    let where_ = |path: &[&str]| tree.node(find(&tree, path)).location;
    assert_eq!(where_(&[]), at(1, 1));
    assert_eq!(where_(&["metadata"]), at(4, 3));
    assert_eq!(where_(&["metadata", "name"]), at(4, 9));
    assert_eq!(where_(&["metadata", "labels"]), at(5, 11));
    assert_eq!(where_(&["metadata", "labels", "tier"]), at(5, 28));
    assert_eq!(where_(&["spec", "containers"]), at(8, 5));
    assert_eq!(where_(&["spec", "containers", "0"]), at(8, 5));
    assert_eq!(where_(&["spec", "containers", "0", "name"]), at(8, 11));
    assert_eq!(
        where_(&["spec", "containers", "0", "ports", "0", "containerPort"]),
        at(10, 22)
    );
    assert_eq!(
        where_(&["spec", "containers", "0", "command", "1"]),
        at(13, 9)
    );
}

#[test]
fn scalars_keep_their_text_style_and_tag() {
    let text = "a: plain\nb: 'single'\nc: \"double\"\nd: |\n  literal\ne: >\n  folded\n  text\nf: !!str 10\ng:\n";
    let tree = yaml::parse(text).unwrap();
    let scalar = |key: &str| match &tree.node(find(&tree, &[key])).kind {
        Kind::Scalar(s) => (s.text.to_string(), s.style, s.tag),
        other => panic!("{other:?}"),
    };
    use yaml::Tag;
    assert_eq!(scalar("a"), ("plain".into(), Style::Plain, Tag::None));
    assert_eq!(
        scalar("b"),
        ("single".into(), Style::SingleQuoted, Tag::None)
    );
    assert_eq!(
        scalar("c"),
        ("double".into(), Style::DoubleQuoted, Tag::None)
    );
    assert_eq!(scalar("d"), ("literal\n".into(), Style::Literal, Tag::None));
    assert_eq!(
        scalar("e"),
        ("folded text\n".into(), Style::Folded, Tag::None)
    );
    assert_eq!(scalar("f"), ("10".into(), Style::Plain, Tag::Str));
    // An omitted value is granit-parser's `~`, a null wherever a type may be null.
    assert_eq!(scalar("g"), ("~".into(), Style::Plain, Tag::None));
}

const POD_HEAD: &str = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n";

#[test]
fn numbers_and_strings_resolve_by_the_field_asking() {
    let p = pod(&format!(
        "{POD_HEAD}  labels:\n    version: 1.10\n    enabled: yes\n    empty: ''\nspec:\n  containers:\n  - name: c\n    stdin: on\n    tty: No\n    ports:\n    - containerPort: \"80\"\n    - containerPort: 0x1F90\n    env:\n    - name: RATIO\n      value: 1.10\n    - name: FLAG\n      value: true\n    resources:\n      limits: {{cpu: 0.5, memory: 1Gi}}\n      requests: {{cpu: 100m}}\n    args:\n    - |\n      line one\n      line two\n    - >\n      folded\n      line\n"
    ));
    let labels = p.metadata.labels.unwrap();
    // A string field reads the text as written: YAML's float 1.10 stays "1.10".
    assert_eq!(labels["version"], "1.10");
    assert_eq!(labels["enabled"], "yes");
    assert_eq!(labels["empty"], "");
    let c = &p.spec.unwrap().containers[0];
    // A boolean field reads YAML 1.1's words.
    assert_eq!((c.stdin, c.tty), (Some(true), Some(false)));
    // An integer field reads quoted digits and other radixes.
    let ports: Vec<i32> = c.ports.iter().flatten().map(|p| p.container_port).collect();
    assert_eq!(ports, [80, 8080]);
    let env: Vec<Option<&str>> = c.env.iter().flatten().map(|e| e.value.as_deref()).collect();
    assert_eq!(env, [Some("1.10"), Some("true")]);
    let resources = c.resources.as_ref().unwrap();
    let limits = resources.limits.as_ref().unwrap();
    assert_eq!(limits["cpu"].0, "0.5");
    assert_eq!(limits["memory"].0, "1Gi");
    assert_eq!(resources.requests.as_ref().unwrap()["cpu"].0, "100m");
    assert_eq!(
        c.args.as_deref().unwrap(),
        ["line one\nline two\n", "folded line\n"]
    );
}

#[test]
fn nulls_are_none_for_optional_fields_and_errors_for_required_strings() {
    let p = pod(&format!(
        "{POD_HEAD}  namespace: ~\n  generateName:\n  uid: null\nspec:\n  containers:\n  - name: c\n    image: NULL\n"
    ));
    assert_eq!(p.metadata.namespace, None);
    assert_eq!(p.metadata.generate_name, None);
    assert_eq!(p.metadata.uid, None);
    assert_eq!(p.spec.unwrap().containers[0].image, None);
    // A quoted null is a string.
    let p = pod(&format!("{POD_HEAD}  namespace: 'null'\n"));
    assert_eq!(p.metadata.namespace.as_deref(), Some("null"));
    // A required string field given a null: k8s-openapi reads it as empty, for both readers.
    let text = format!("{POD_HEAD}spec:\n  containers:\n  - name: ~\n");
    assert_eq!(read::<Pod>(&text), saphyr::<Pod>(&text));
    assert_eq!(pod(&text).spec.unwrap().containers[0].name, "");
    // A string a type must have: a null there is an error at the value.
    expect_test::expect![
        "cannot deserialize null into string; use Option<String> at line 1, column 4"
    ]
    .assert_eq(&read::<std::collections::BTreeMap<String, String>>("a: ~\n").unwrap_err());
}

#[test]
fn wrong_types_fail_where_serde_saphyr_places_them() {
    let check = |tail: &str, expected: expect_test::Expect| {
        let text = format!("{POD_HEAD}{tail}");
        assert_eq!(read::<Pod>(&text), saphyr::<Pod>(&text));
        expected.assert_eq(&read::<Pod>(&text).unwrap_err())
    };
    check(
        "spec:\n  containers:\n  - name: c\n    ports:\n    - containerPort: eighty\n",
        expect_test::expect!["invalid i32 at line 9, column 22"],
    );
    check(
        "spec:\n  containers:\n  - name: c\n    stdin: maybe\n",
        expect_test::expect!["invalid boolean at line 8, column 12"],
    );
    check(
        "spec:\n  containers: {name: c}\n",
        expect_test::expect!["expected sequence start at line 6, column 15"],
    );
    check(
        "spec:\n  containers:\n  - name: [c]\n",
        expect_test::expect!["expected string scalar at line 7, column 11"],
    );
    // serde's own errors: at the key being read.
    // serde's own errors: at the key being read, or the mapping before its first key.
    #[derive(serde::Deserialize, Debug, PartialEq)]
    #[serde(deny_unknown_fields)]
    struct Two {
        _a: String,
        _b: bool,
    }
    for (text, expected) in [
        (
            "_a: x\n",
            expect_test::expect!["missing field `_b` at line 1, column 1"],
        ),
        (
            "{}",
            expect_test::expect!["missing field `_a` at line 1, column 1"],
        ),
        (
            "_a: x\n_b: true\n_c: 1\n",
            expect_test::expect!["unknown field `_c`, expected one of _a, _b at line 3, column 1"],
        ),
    ] {
        let ours = read::<Two>(text);
        assert_eq!(ours, saphyr::<Two>(text));
        expected.assert_eq(&ours.unwrap_err());
    }
    check(
        "spec:\n  containers:\n  - name: c\n    resources:\n      limits:\n        cpu: [1]\n",
        expect_test::expect!["invalid type: sequence, expected Quantity at line 10, column 9"],
    );
}

#[test]
fn aliases_share_their_anchor_and_merge_keys_fill_what_is_missing() {
    let p = pod(&format!(
        "{POD_HEAD}  labels: &labels {{app: web}}\n  annotations: *labels\nspec:\n  containers:\n  - &base\n    name: base\n    image: busybox\n    command: [sleep, '1']\n  - <<: *base\n    name: copy\n  - <<: [{{name: first}}, *base]\n    image: nginx\n"
    ));
    assert_eq!(p.metadata.annotations, p.metadata.labels);
    let containers = p.spec.unwrap().containers;
    let seen: Vec<(&str, Option<&str>, usize)> = containers
        .iter()
        .map(|c| {
            (
                c.name.as_str(),
                c.image.as_deref(),
                c.command.as_ref().map_or(0, Vec::len),
            )
        })
        .collect();
    assert_eq!(
        seen,
        [
            ("base", Some("busybox"), 2),
            ("copy", Some("busybox"), 2),
            ("first", Some("nginx"), 2),
        ]
    );
    expect_test::expect![
        "YAML merge value must be mapping or sequence of mappings at line 7, column 9"
    ]
    .assert_eq(
        &read::<Pod>(&format!(
            "{POD_HEAD}spec:\n  containers:\n  - <<: 3\n    name: c\n"
        ))
        .unwrap_err(),
    );
}

#[test]
fn a_repeated_key_is_refused_at_its_second_place() {
    expect_test::expect!["duplicate mapping key: name, set DuplicateKeyPolicy in Options if acceptable at line 5, column 3"]
        .assert_eq(&read::<Pod>(&format!("{POD_HEAD}  name: q\n")).unwrap_err());
    // `"name"` and `name` are one key; `1` and `0x1` are one integer.
    assert!(read::<serde_json::Value>("name: a\n\"name\": b\n").is_err());
    assert!(read::<serde_json::Value>("1: a\n0x1: b\n").is_err());
    // A key a merge brings that is already there is not a repeat.
    assert!(read::<serde_json::Value>("a: &a {x: 1}\nb: {<<: *a, x: 2}\n").is_ok());
}

#[test]
fn deep_nesting_and_alias_bombs_are_errors_not_crashes() {
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    // The parser's own nesting limit comes first here, as it does for serde-saphyr.
    expect_test::expect!["recursion limit exceeded at line 1, column 256"]
        .assert_eq(&yaml::parse(&deep).unwrap_err().to_string());
    let blocks = (0..70)
        .map(|i| format!("{:i$}- \n", ""))
        .collect::<String>();
    expect_test::expect!["budget breached: Depth { depth: 65 } at line 65, column 65"]
        .assert_eq(&yaml::parse(&blocks).unwrap_err().to_string());
    let nested = (0..5_000)
        .map(|i| format!("{:i$}a:\n", ""))
        .collect::<String>();
    assert!(yaml::parse(&nested).is_err());
    // Within the parse budget, but deeper than 64 once an alias is expanded.
    let half = |name: &str| format!("&{name} {}x{}", "[".repeat(40), "]".repeat(40));
    let text = format!(
        "[{}, {}*a{}]
",
        half("a"),
        "[".repeat(40),
        "]".repeat(40)
    );
    let err = read::<serde_json::Value>(&text).unwrap_err();
    assert!(err.starts_with("budget breached: Depth"), "{err}");
    let bomb = "a: &a [x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\ng: [*f,*f,*f,*f,*f,*f,*f,*f,*f]\n";
    let err = yaml::parse(bomb).unwrap_err().to_string();
    assert!(err.starts_with("alias replay limit exceeded"), "{err}");
    let recursive = read::<serde_json::Value>("a: &a [1, *a]\n").unwrap_err();
    assert!(recursive.starts_with("recursive references"), "{recursive}");
}

// --- the same texts through serde-saphyr ------------------------------------------------------

/// serde-saphyr's answer as the tree's deserializer words it: `message at line L, column C`.
fn saphyr<T: DeserializeOwned>(text: &str) -> Result<T, String> {
    serde_saphyr::from_str_with_options(text, serde_saphyr::Options::default()).map_err(|e| {
        let options = serde_saphyr::render_options! { snippets: serde_saphyr::SnippetMode::Off };
        let rendered = e.without_snippet().render_with_options(options);
        let message = match rendered.rfind(" at line ") {
            Some(i) => &rendered[..i],
            None => &rendered,
        };
        match e.location() {
            Some(l) => format!("{message} at line {}, column {}", l.line(), l.column()),
            None => message.to_string(),
        }
    })
}

/// The location at the end of a rendered error, to order two errors.
fn place(err: &str) -> (u64, u64) {
    let Some(i) = err.rfind(" at line ") else {
        return (0, 0);
    };
    let mut numbers = err[i..]
        .split(|c: char| !c.is_ascii_digit())
        .filter(|n| !n.is_empty())
        .map(|n| n.parse::<u64>().unwrap_or(0));
    (numbers.next().unwrap_or(0), numbers.next().unwrap_or(0))
}

/// Whether both read `text` as `T` alike; the difference when not.
///
/// One difference is by design: the tree is built (and the text's syntax checked) before any
/// type reads it, where serde-saphyr reads while it parses. When the text is broken, serde-saphyr
/// may therefore report a type error found earlier in the text than the syntax error.
fn differ<T: DeserializeOwned + PartialEq + std::fmt::Debug>(text: &str) -> Option<String> {
    let ours = read::<T>(text);
    let theirs = saphyr::<T>(text);
    if let (Err(ours), Err(theirs), Err(_)) = (&ours, &theirs, yaml::parse(text)) {
        if place(theirs) <= place(ours) {
            return None;
        }
    }
    (ours != theirs).then(|| format!("ours:   {ours:?}\ntheirs: {theirs:?}"))
}

/// Every YAML text the project ships or tests with, one document each.
fn corpus() -> Vec<String> {
    let root = env!("CARGO_MANIFEST_DIR");
    let mut texts = Vec::new();
    for dir in ["manifests", "scenarios"] {
        let mut paths: Vec<_> = std::fs::read_dir(format!("{root}/{dir}"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        paths.sort();
        for path in paths {
            texts.push(std::fs::read_to_string(path).unwrap());
        }
    }
    // String literals of the tests that hold YAML documents.
    for file in [
        "manifest",
        "scenario",
        "validation",
        "server",
        "admission",
        "defaults",
    ] {
        let Ok(source) = std::fs::read_to_string(format!("{root}/tests/{file}.rs")) else {
            continue;
        };
        for literal in string_literals(&source) {
            let literal = literal.replace("{POD_HEAD}", POD_HEAD);
            let first = literal.trim_start();
            if ["apiVersion", "kind", "metadata", "{"]
                .iter()
                .any(|p| first.starts_with(p))
            {
                texts.extend(literal.split("\n---").map(str::to_string));
            }
        }
    }
    texts.extend(TRICKY.iter().map(|t| t.to_string()));
    texts
}

const TRICKY: &[&str] = &[
    "a: 1\nb: -2\nc: 1.5\nd: .inf\ne: -.inf\nf: .nan\ng: 0x1F\nh: 0o17\ni: 0b11\nj: 012\nk: 1_000\nl: +5\nm: 1e3\nn: 1e999\n",
    "a: yes\nb: No\nc: ON\nd: off\ne: y\nf: N\ng: True\nh: ~\ni:\nj: null\nk: 'null'\nl: \"\"\nm: !!str 1\nn: !!int '7'\no: !!float 1\np: !!bool 'true'\nq: !!null ''\nr: ! 12\n",
    "a: |\n  one\n  two\n\nb: >-\n  folded\n  more\nc: |+\n  keep\n\nd: 'it''s'\ne: \"tab\\tnew\\nline\"\n",
    "base: &b {x: 1, y: 2}\nother: &o {y: 3, z: 4}\nm1: {<<: *b, x: 9}\nm2: {<<: [*b, *o]}\nm3:\n  <<: *o\n  <<: *b\n",
    "a: &x hello\nb: *x\nc: [*x, *x]\n&k key: v\n",
    "? [a, b]\n: complex\n? {x: 1}\n: map key\n",
    "list:\n- a\n-\n- - nested\n  - more\n- {k: v}\n",
    "a: 1\na: 2\n",
    "x: !!binary aGVsbG8=\n",
    "- !!float 3\n- !!int 0x10\n- !!int -3\n",
    "{\"apiVersion\": \"v1\", \"kind\": \"Pod\", \"metadata\": {\"name\": \"j\"}}",
    "apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\n  labels: [unclosed\n",
    "apiVersion: v1\nkind: Pod\nmetadata:\n  name: b\n bad: indent\n",
    "{\"apiVersion\": \"v1\",\n \"kind\": \"Pod\",,}",
    "a: *nope\n",
    "a: &a [1, *a]\n",
    "\u{feff}a: 1\n",
    "",
    "# only a comment\n",
    "~\n",
    "--- |\n  text\n",
    "a: b: c\n",
    "- a\nb: c\n",
    "a:\n  - b\n  c: d\n",
    "key: 'unterminated\n",
    "key: \"bad \\q escape\"\n",
    "[1, 2\n",
    "{a: 1\n",
    "a: @reserved\n",
    "%YAML 1.2\n---\na: 1\n",
    "a:\t1\n",
    "\t- a\n",
];

/// The contents of the plain and raw string literals in Rust source, unescaped enough for YAML.
fn string_literals(source: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = source;
    while let Some(i) = rest.find('"') {
        let raw = rest[..i].ends_with("r#");
        let body = &rest[i + 1..];
        let (text, next) = if raw {
            match body.find("\"#") {
                Some(end) => (body[..end].to_string(), &body[end + 2..]),
                None => break,
            }
        } else {
            let mut text = String::new();
            let mut chars = body.char_indices();
            let mut end = body.len();
            while let Some((j, c)) = chars.next() {
                match c {
                    '"' => {
                        end = j + 1;
                        break;
                    }
                    '\\' => match chars.next() {
                        Some((_, 'n')) => text.push('\n'),
                        Some((_, 't')) => text.push('\t'),
                        Some((_, '\n')) => {
                            while chars.clone().next().is_some_and(|(_, c)| c.is_whitespace()) {
                                chars.next();
                            }
                        }
                        Some((_, c)) => text.push(c),
                        None => {}
                    },
                    c => text.push(c),
                }
            }
            (text, &body[end.min(body.len())..])
        };
        out.push(text);
        rest = next;
    }
    out
}

#[test]
fn every_corpus_text_reads_as_serde_saphyr_reads_it() {
    let mut differences = Vec::new();
    for text in corpus() {
        if let Some(d) = differ::<serde_json::Value>(&text) {
            differences.push(format!("--- as a value\n{text}\n{d}"));
        }
        if let Some(d) = differ::<Option<Pod>>(&text) {
            differences.push(format!("--- as a Pod\n{text}\n{d}"));
        }
        if let Some(d) = differ::<Option<Deployment>>(&text) {
            differences.push(format!("--- as a Deployment\n{text}\n{d}"));
        }
    }
    assert!(differences.is_empty(), "{}", differences.join("\n"));
}

/// A small deterministic generator (SplitMix64) for the mutations below.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// `text` with a few bytes inserted, deleted or replaced by YAML's significant characters.
fn mutate(rng: &mut Rng, text: &str) -> String {
    const PIECES: &[&str] = &[
        ":", "-", " ", "\n", "\t", "[", "]", "{", "}", ",", "&a", "*a", "<<", "!!", "'", "\"", "|",
        ">", "#", "?", "~", "0x", "1e9", "null", "yes", ".inf", "---", "\u{feff}", "é",
    ];
    let mut chars: Vec<char> = text.chars().collect();
    for _ in 0..1 + rng.below(4) {
        let i = rng.below(chars.len() + 1);
        match rng.below(3) {
            0 if i < chars.len() => {
                chars.remove(i);
            }
            _ => {
                let piece = PIECES[rng.below(PIECES.len())];
                for (k, c) in piece.chars().enumerate() {
                    chars.insert((i + k).min(chars.len()), c);
                }
            }
        }
    }
    chars.into_iter().collect()
}

#[test]
fn mutated_texts_never_panic_and_read_as_serde_saphyr_reads_them() {
    let corpus = corpus();
    let mut rng = Rng(11);
    let mut differences = Vec::new();
    for round in 0..3_000 {
        let text = mutate(&mut rng, &corpus[round % corpus.len()]);
        let _ = podplay_engine::api::parse(&text);
        let _ = podplay_engine::scenario::Scenario::parse(&text);
        if let Some(d) = differ::<serde_json::Value>(&text) {
            differences.push(format!("--- as a value\n{text:?}\n{d}"));
        }
        if let Some(d) = differ::<Option<Pod>>(&text) {
            differences.push(format!("--- as a Pod\n{text:?}\n{d}"));
        }
    }
    assert!(
        differences.is_empty(),
        "{} differences:\n{}",
        differences.len(),
        differences.join("\n")
    );
}

#[test]
fn the_fuzz_entry_point_returns_on_mutated_manifests() {
    let corpus = corpus();
    let mut rng = Rng(7);
    for round in 0..200 {
        podplay_engine::fuzzing::exercise(&mutate(&mut rng, &corpus[round % corpus.len()]));
    }
}
