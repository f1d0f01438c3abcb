//! The mock shell against the real busybox: every script of `data/busybox-corpus.txt` runs as
//! `sh -c SCRIPT` in a fresh [`Harness`] and must print what Debian's busybox 1.35 printed for
//! it in Docker (stdout and stderr interleaved) and exit with the same code. The recording
//! comes from `scripts/busybox-corpus --record`, which also re-verifies it against Docker.

use podplay_mock::harness::Harness;

/// One script of the corpus and what the real busybox did with it.
struct Case {
    name: String,
    script: String,
    output: Vec<String>,
    code: i32,
}

/// Parses the corpus: `=== NAME`, the script, `--- output`, the output, `--- exit CODE`;
/// lines before the first case are comments.
fn corpus() -> Vec<Case> {
    enum Section {
        Header,
        Script,
        Output,
        Done,
    }
    let text = include_str!("data/busybox-corpus.txt");
    let mut cases: Vec<Case> = Vec::new();
    let mut section = Section::Header;
    for line in text.lines() {
        if let Some(name) = line.strip_prefix("=== ") {
            cases.push(Case {
                name: name.to_string(),
                script: String::new(),
                output: Vec::new(),
                code: -1,
            });
            section = Section::Script;
            continue;
        }
        let Some(case) = cases.last_mut() else {
            continue;
        };
        if line == "--- output" {
            section = Section::Output;
        } else if let Some(code) = line.strip_prefix("--- exit ") {
            case.code = code.parse().expect("the recorded exit code is a number");
            section = Section::Done;
        } else {
            match section {
                Section::Script => {
                    case.script.push_str(line);
                    case.script.push('\n');
                }
                Section::Output => case.output.push(line.to_string()),
                Section::Header | Section::Done => {}
            }
        }
    }
    for case in &mut cases {
        case.script
            .truncate(case.script.trim_end_matches('\n').len());
    }
    cases
}

/// Where the mock's run differs from the recording, as a readable report (None when equal).
fn difference(case: &Case) -> Option<String> {
    let run = Harness::new().sh(&case.script);
    let code = run.code.unwrap_or(-1);
    if run.out == case.output && code == case.code {
        return None;
    }
    let mut report = format!("=== {}\n{}\n", case.name, case.script);
    if code != case.code {
        report.push_str(&format!("exit code: busybox {}, mock {code}\n", case.code));
    }
    if run.out != case.output {
        report.push_str("--- busybox\n");
        for line in &case.output {
            report.push_str(&format!("{line:?}\n"));
        }
        report.push_str("+++ mock\n");
        for line in &run.out {
            report.push_str(&format!("{line:?}\n"));
        }
    }
    Some(report)
}

#[test]
fn the_corpus_is_recorded() {
    let cases = corpus();
    assert!(cases.len() >= 100, "{} cases", cases.len());
    for case in &cases {
        assert!(case.code >= 0, "{} has no recorded exit code", case.name);
    }
}

#[test]
fn every_corpus_script_prints_and_exits_as_busybox_does() {
    // BUSYBOX_CORPUS=NAME runs one case (while fixing it).
    let only = std::env::var("BUSYBOX_CORPUS").ok();
    let cases = corpus();
    let differences: Vec<String> = cases
        .iter()
        .filter(|c| only.as_deref().is_none_or(|n| n == c.name))
        .filter_map(difference)
        .collect();
    assert!(
        differences.is_empty(),
        "{} of {} scripts differ from busybox:\n\n{}",
        differences.len(),
        cases.len(),
        differences.join("\n")
    );
}
