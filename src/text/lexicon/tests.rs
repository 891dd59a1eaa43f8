//! Unit tests of the parent module.

use super::*;

const SHIPPED: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/models/lexicon.csv");
const SEED: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/lexicon/seed.txt");

fn entry(term: &str, category: &str) -> Entry {
    Entry {
        term: term.into(),
        category: category.into(),
        note: String::new(),
    }
}

fn lex(terms: &[&str]) -> Lexicon {
    Lexicon::from_entries(terms.iter().map(|t| entry(t, "emotive")).collect()).unwrap()
}

/// (surface, term) of each hit, checking offsets on the way.
fn found(l: &Lexicon, text: &str) -> Vec<(String, String)> {
    l.find(text)
        .into_iter()
        .map(|h| {
            assert!(text.is_char_boundary(h.start) && text.is_char_boundary(h.end));
            assert_eq!(h.origin, Origin::Lexicon);
            assert_eq!(h.score, 1.0);
            (text[h.start..h.end].to_string(), h.term)
        })
        .collect()
}

fn pairs(v: &[(&str, &str)]) -> Vec<(String, String)> {
    v.iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
}

fn shipped() -> Lexicon {
    Lexicon::load(Path::new(SHIPPED)).unwrap()
}

#[test]
fn lexicon_is_send_and_sync() {
    fn check<T: Send + Sync>() {}
    check::<Lexicon>();
}

#[test]
fn shipped_file_is_valid() {
    let l = shipped();
    assert!(l.len() >= 350, "only {} entries", l.len());
    let mut per_category = HashMap::new();
    for e in l.entries() {
        assert!(CATEGORIES.contains(&e.category.as_str()), "{e:?}");
        let mut spans = Vec::new();
        tokenize(&e.term, &mut spans);
        assert!((1..=MAX_WORDS).contains(&spans.len()), "{e:?}");
        *per_category.entry(e.category.as_str()).or_insert(0) += 1;
    }
    // Duplicates after normalisation are rejected by `load`; every category is in use.
    for c in CATEGORIES {
        assert!(
            per_category.get(c).copied().unwrap_or(0) >= 10,
            "few entries for {c}: {per_category:?}"
        );
    }
}

#[test]
fn inflections_match() {
    let l = lex(&[
        "suppress", "blockade", "bully", "hype", "smear", "slam", "lie",
    ]);
    let text = "Suppressing, blockaded, bullies, bullied, bullying, hyped, hyping, hypes, smeared, slammed, lying.";
    let got: Vec<String> = found(&l, text).into_iter().map(|(s, _)| s).collect();
    assert_eq!(
        got,
        [
            "Suppressing",
            "blockaded",
            "bullies",
            "bullied",
            "bullying",
            "hyped",
            "hyping",
            "hypes",
            "smeared",
            "slammed",
            "lying"
        ]
    );
}

#[test]
fn stem_relatives_do_not_match() {
    let l = lex(&[
        "historic",
        "threat",
        "containment",
        "radical",
        "hegemonic",
        "mentality",
    ]);
    for text in [
        "history",
        "historical reasons",
        "threatened",
        "container",
        "radically",
        "hegemony",
        "mental",
    ] {
        assert!(l.find(text).is_empty(), "{text} matched");
    }
    assert_eq!(found(&l, "a historic deal").len(), 1);
    assert_eq!(found(&l, "threats").len(), 1);
    assert_eq!(found(&l, "Cold War mentalities").len(), 1);
}

#[test]
fn case_hyphens_and_possessive() {
    let l = lex(&["win-win", "long-arm jurisdiction", "bully"]);
    let text = "Win-Win, win win, WIN–WIN, win-\nwin; long arm jurisdiction; the bully's";
    let got = found(&l, text);
    assert_eq!(
        got,
        pairs(&[
            ("Win-Win", "win-win"),
            ("win win", "win-win"),
            ("WIN–WIN", "win-win"),
            ("win-\nwin", "win-win"),
            ("long arm jurisdiction", "long-arm jurisdiction"),
            ("bully's", "bully"),
        ])
    );
}

#[test]
fn phrases_do_not_cross_punctuation() {
    let l = lex(&["win-win", "heated discussion"]);
    assert!(l.find("win. Win").is_empty());
    assert!(l.find("win, win").is_empty());
    assert!(l.find("heated; discussions").is_empty());
    assert_eq!(
        found(&l, "heated discussions"),
        pairs(&[("heated discussions", "heated discussion")])
    );
}

#[test]
fn longest_match_and_no_overlap() {
    let l = lex(&[
        "hegemonic",
        "hegemonic mentality",
        "mentality",
        "Cold War mentality",
        "cold war",
    ]);
    let text = "the hegemonic mentality and a Cold War mentality";
    let got = found(&l, text);
    assert_eq!(
        got,
        pairs(&[
            ("hegemonic mentality", "hegemonic mentality"),
            ("Cold War mentality", "Cold War mentality")
        ])
    );
    // Earlier start wins: "cold war" starts before "war crime" could.
    let l = lex(&["cold war", "war crime"]);
    assert_eq!(
        found(&l, "cold war crime"),
        pairs(&[("cold war", "cold war")])
    );
    // An exact form beats an inflection of another entry.
    let l = lex(&["bully", "bullying"]);
    assert_eq!(found(&l, "bullying"), pairs(&[("bullying", "bullying")]));
}

#[test]
fn offsets_are_bytes_into_text() {
    let l = lex(&["blockade", "so-called"]);
    let text = "“中国” said the “so-called” blockade’s end — Blockading";
    let hits = l.find(text);
    assert_eq!(hits.len(), 3);
    assert_eq!(&text[hits[0].start..hits[0].end], "so-called");
    assert_eq!(&text[hits[1].start..hits[1].end], "blockade’s");
    assert_eq!(&text[hits[2].start..hits[2].end], "Blockading");
}

#[test]
fn hits_do_not_start_inside_compounds() {
    let l = lex(&[
        "aggression",
        "bully",
        "distort",
        "free world",
        "radical",
        "anti-China",
    ]);
    let text = "a non-aggression pact, anti-bullying rules, trade-distorting subsidies, a nuclear-weapon-free world";
    assert!(l.find(text).is_empty(), "{:?}", found(&l, text));
    assert_eq!(
        found(
            &l,
            "naked aggression, ultra-radical, pro- and anti-China, the free world"
        ),
        pairs(&[
            ("aggression", "aggression"),
            ("radical", "radical"),
            ("anti-China", "anti-China"),
            ("free world", "free world"),
        ])
    );
}

#[test]
fn multibyte_text_does_not_panic() {
    let l = shipped();
    for text in [
        "",
        "’",
        "“”",
        "中国航天取得了巨大成就",
        "İstanbul’s ‘hegemonic’ ﬁre",
        "e\u{301}lan — ’s",
        "a\u{2019}",
        "ß-ß",
    ] {
        for h in l.find(text) {
            assert!(text.is_char_boundary(h.start) && text.is_char_boundary(h.end));
        }
    }
}

#[test]
fn seed_sentence() {
    let l = shipped();
    let text =
        "This shows that the United States is suppressing and blockading China in the space field.";
    let got: Vec<String> = found(&l, text).into_iter().map(|(s, _)| s).collect();
    assert_eq!(got, ["suppressing", "blockading"]);
}

#[test]
fn codebook_neutral_terms_are_not_hits() {
    let l = shipped();
    for text in [
        "The General Assembly adopted a resolution.",
        "export controls on Chinese space technology",
        "China has also actively shared lunar samples and related data.",
        "He said, according to officials, that the deal was signed.",
        "the Moon's geological history and historical reasons",
        "Chang'e-5 returned 1,731 grams of lunar soil.",
        "The security of cooperation, sanctions and deterrence was discussed.",
        "a storage container and a non-aggression pact",
    ] {
        assert!(found(&l, text).is_empty(), "{text}: {:?}", found(&l, text));
    }
}

#[test]
fn seed_article_yields_required_phrases() {
    let l = shipped();
    let text = std::fs::read_to_string(SEED).unwrap();
    let got: Vec<String> = found(&l, &text)
        .into_iter()
        .map(|(s, _)| s.to_lowercase())
        .collect();
    for want in [
        "suppressing",
        "blockading",
        "hegemonic mentality",
        "heated discussions",
        "strong strength",
        "remarkable achievements",
        "win-win",
        "major breakthroughs",
    ] {
        assert!(got.iter().any(|g| g == want), "{want} not found in {got:?}");
    }
}

#[test]
fn load_errors_name_the_line() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.csv");
    let check = |body: &str, want: &[&str]| {
        std::fs::write(&path, body).unwrap();
        let msg = format!("{:#}", Lexicon::load(&path).unwrap_err());
        for w in want {
            assert!(msg.contains(w), "{msg:?} lacks {w:?}");
        }
    };
    check(
        "term,category,note\nbully,pejorative,\nsmear,emotve,x\n",
        &["bad.csv", "line 3", "emotve", "pejorative, laudatory"],
    );
    check(
        "term,category,note\n,emotive,x\n",
        &["line 2", "empty term"],
    );
    check(
        "term,category,note\na b c d e f,emotive,\n",
        &["line 2", "6 words", "at most 5"],
    );
    check(
        "term,category,note\nwin-win,stock_phrase,\n\"Win Win\",stock_phrase,\n",
        &["line 3", "line 2", "duplicates"],
    );
    std::fs::write(&path, "term,category\nbully,pejorative\n").unwrap();
    assert_eq!(Lexicon::load(&path).unwrap().entries()[0].note, "");
    check(
        "word,kind\nbully,pejorative\n",
        &["line 1", "term,category,note"],
    );
    check(
        "term,category,note\nbully,pejorative,a,b\n",
        &["line 2", "columns"],
    );
    assert!(Lexicon::load(&dir.path().join("missing.csv")).is_err());
    let err = Lexicon::from_entries(vec![entry("ok", "emotive"), entry("x", "bogus")]).unwrap_err();
    assert!(err.to_string().contains("entry 2"), "{err}");
}

/// Writes `files` (name, body) into a temporary folder and returns it with their paths.
fn user_files(files: &[(&str, &str)]) -> (tempfile::TempDir, Vec<PathBuf>) {
    let dir = tempfile::tempdir().unwrap();
    let paths = files
        .iter()
        .map(|(name, body)| {
            let path = dir.path().join(name);
            std::fs::write(&path, body).unwrap();
            path
        })
        .collect();
    (dir, paths)
}

fn layered(files: &[(&str, &str)]) -> Result<Lexicon> {
    let (_dir, paths) = user_files(files);
    Lexicon::load_layered(Path::new(SHIPPED), &paths)
}

/// (surface, term, category) of each hit.
fn found_with_category(l: &Lexicon, text: &str) -> Vec<(String, String, String)> {
    l.find(text)
        .into_iter()
        .map(|h| (text[h.start..h.end].to_string(), h.term, h.category))
        .collect()
}

fn triples(v: &[(&str, &str, &str)]) -> Vec<(String, String, String)> {
    v.iter()
        .map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string()))
        .collect()
}

#[test]
fn layered_without_user_files_is_the_shipped_lexicon() {
    let l = Lexicon::load_layered(Path::new(SHIPPED), &[]).unwrap();
    assert_eq!(l.entries(), shipped().entries());
}

#[test]
fn user_file_adds_a_phrase_that_matches_with_inflections() {
    let l = layered(&[(
        "mine.csv",
        "term,category,note,action\nchip war,stock_phrase,,add\nstrangle innovation,emotive,,\n",
    )])
    .unwrap();
    assert_eq!(l.len(), shipped().len() + 2);
    assert_eq!(
        found_with_category(
            &l,
            "The Chip Wars are strangling innovation and suppressing rivals."
        ),
        triples(&[
            ("Chip Wars", "chip war", "stock_phrase"),
            ("strangling innovation", "strangle innovation", "emotive"),
            ("suppressing", "suppress", "emotive"),
        ])
    );
    // Without the user file, only the shipped single word matches.
    assert_eq!(
        found(&shipped(), "strangling innovation"),
        pairs(&[("strangling", "strangle")])
    );
}

#[test]
fn user_file_recategorises_a_shipped_entry() {
    // Matched by normalised words: `Win Win` is the shipped `win-win`.
    let l = layered(&[(
        "mine.csv",
        "term,category,note\nWin Win,laudatory,praise in our coding\n",
    )])
    .unwrap();
    assert_eq!(l.len(), shipped().len());
    let e = l.entries().iter().find(|e| e.term == "win-win").unwrap();
    assert_eq!(
        (e.category.as_str(), e.note.as_str()),
        ("laudatory", "praise in our coding")
    );
    assert_eq!(
        found_with_category(&l, "a win-win deal"),
        triples(&[("win-win", "win-win", "laudatory")])
    );
}

#[test]
fn user_file_switches_off_a_shipped_entry() {
    let text = "De-risking is not suppressing trade.";
    assert_eq!(
        found(&shipped(), text),
        pairs(&[("De-risking", "de-risking"), ("suppressing", "suppress")])
    );
    // Category may be empty; case and hyphen/space do not matter.
    let l = layered(&[("off.csv", "term,category,note,action\nDe Risking,,,off\n")]).unwrap();
    assert_eq!(l.len(), shipped().len() - 1);
    assert!(l.entries().iter().all(|e| e.term != "de-risking"));
    assert_eq!(found(&l, text), pairs(&[("suppressing", "suppress")]));
    // An action-only file needs no category column.
    let l = layered(&[("off.csv", "term,action\nde-risking,OFF\n")]).unwrap();
    assert_eq!(found(&l, text), pairs(&[("suppressing", "suppress")]));
}

#[test]
fn later_files_win() {
    let first = "term,category,note,action\nchip war,stock_phrase,,\nwin-win,laudatory,,\nde-risking,,,off\nbully,,,off\n";
    let second = "term,category,note,action\nchip war,,,off\nwin-win,intensifier,,\nde-risking,pejorative,,add\nbully,,,off\n";
    let l = layered(&[("first.csv", first), ("second.csv", second)]).unwrap();
    let category = |term: &str| {
        l.entries()
            .iter()
            .find(|e| e.term == term)
            .map(|e| e.category.clone())
    };
    // Added by one file, switched off by the next.
    assert_eq!(category("chip war"), None);
    // Re-categorised twice: the last one counts.
    assert_eq!(category("win-win").as_deref(), Some("intensifier"));
    // Switched off, then back on with a new category, in its shipped place.
    assert_eq!(category("de-risking").as_deref(), Some("pejorative"));
    let shipped = shipped();
    let at = |l: &Lexicon| l.entries().iter().position(|e| e.term == "de-risking");
    assert_eq!(at(&l), at(&shipped).map(|i| i - 1)); // `bully` (earlier) is off
                                                     // Switching off what an earlier file switched off is not an error.
    assert_eq!(category("bully"), None);
    assert!(l.find("bullying").is_empty());
    assert_eq!(l.len(), shipped.len() - 1);
    // The other order gives the other result.
    let l = layered(&[
        ("second.csv", &second.replace("chip war,,,off\n", "")),
        ("first.csv", first),
    ])
    .unwrap();
    assert_eq!(
        l.entries()
            .iter()
            .find(|e| e.term == "win-win")
            .unwrap()
            .category,
        "laudatory"
    );
    assert!(l.entries().iter().all(|e| e.term != "de-risking"));
}

#[test]
fn user_file_columns_in_any_order() {
    let l = layered(&[(
        "mine.csv",
        "\u{feff}Action,Note,Term,Category\n,a note,chip war,Stock_Phrase\noff,,de-risking,\n",
    )])
    .unwrap();
    let e = l.entries().last().unwrap();
    assert_eq!(
        (e.term.as_str(), e.category.as_str(), e.note.as_str()),
        ("chip war", "stock_phrase", "a note")
    );
    assert!(l.entries().iter().all(|e| e.term != "de-risking"));
}

#[test]
fn user_file_errors_name_the_file_and_line() {
    let check = |files: &[(&str, &str)], want: &[&str]| {
        let msg = format!("{:#}", layered(files).unwrap_err());
        for w in want {
            assert!(msg.contains(w), "{msg:?} lacks {w:?}");
        }
    };
    check(
        &[(
            "mine.csv",
            "term,category,note,action\nchip war,stock_phrase,,\n# note\nfoo bar,,,off\n",
        )],
        &[
            "mine.csv",
            "line 4",
            "'foo bar' is not in the lexicon, so it cannot be switched off; check the spelling",
        ],
    );
    // Not in the lexicon after the earlier file: added later in the same run does not count.
    check(
        &[
            ("a.csv", "term,category,note,action\nchip war,,,off\n"),
            ("b.csv", "term,category\nchip war,stock_phrase\n"),
        ],
        &["a.csv", "line 2", "'chip war' is not in the lexicon"],
    );
    check(
        &[(
            "mine.csv",
            "term,category,note,action\nchip war,stock_phrase,,remove\n",
        )],
        &["mine.csv", "line 2", "unknown action `remove`", "`off`"],
    );
    check(
        &[
            ("ok.csv", "term,category\nchip war,stock_phrase\n"),
            (
                "dup.csv",
                "term,category,note,action\nwin-win,laudatory,,\nWin Win,,,off\n",
            ),
        ],
        &["dup.csv", "line 3", "line 2", "duplicates"],
    );
    check(
        &[("mine.csv", "term,category,note,action\nchip war,,,\n")],
        &["mine.csv", "line 2", "no category for `chip war`"],
    );
    check(
        &[(
            "mine.csv",
            "term,category,note,action\nchip war,propaganda,,\n",
        )],
        &["mine.csv", "line 2", "unknown category `propaganda`"],
    );
    check(
        &[(
            "mine.csv",
            "term,category,note,action\na b c d e f,emotive,,\n",
        )],
        &["line 2", "6 words"],
    );
    check(
        &[(
            "mine.csv",
            "term,category,comment\nchip war,stock_phrase,x\n",
        )],
        &["mine.csv", "line 1", "term,category,note", "any order"],
    );
    check(
        &[("mine.csv", "term,category,term\nchip war,stock_phrase,x\n")],
        &["line 1", "each once"],
    );
    check(
        &[(
            "mine.csv",
            "term,category,action\nchip war,stock_phrase,add,x\n",
        )],
        &["line 2", "4 columns, expected 3"],
    );
    // Line numbers count comment and blank lines, and rows of empty cells are skipped.
    check(
        &[(
            "mine.csv",
            "# mine\n\nterm,category,note,action\n# a comment\n,,,\n\nchip war,stock_phrase,,\n  \n#x\n\r\n# y\nfoo,emotive,,drop\n",
        )],
        &["line 12", "unknown action `drop`"],
    );
    check(
        &[(
            "mine.csv",
            "term,category,note\nchip war,stock_phrase,\"two\nlines\"\nbar,bogus\n",
        )],
        &["line 4", "unknown category `bogus`"],
    );
    check(
        &[("mine.csv", "term,category,note,action\n,,,off\n")],
        &["line 2", "empty term"],
    );
    let msg = format!(
        "{:#}",
        Lexicon::load_layered(
            Path::new(SHIPPED),
            &[PathBuf::from("/nonexistent/mine.csv")]
        )
        .unwrap_err()
    );
    assert!(msg.contains("mine.csv"), "{msg}");
    // The base file is read as `load` reads it: nothing to switch off yet.
    let (_dir, paths) = user_files(&[("base.csv", "term,category,note,action\nbully,,,off\n")]);
    let msg = format!("{:#}", Lexicon::load(&paths[0]).unwrap_err());
    assert!(msg.contains("'bully' is not in the lexicon"), "{msg}");
}

#[test]
fn shipped_user_example() {
    // The worked example of LEXICON.md, "Your own entries".
    let example = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/lexicon/user-example.csv"
    );
    // LEXICON.md shows the file as it is.
    let doc =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/models/LEXICON.md")).unwrap();
    let body = std::fs::read_to_string(example).unwrap();
    assert!(
        doc.contains(&format!("```csv\n{body}```")),
        "LEXICON.md does not show {example} as it is"
    );
    let l = Lexicon::load_layered(Path::new(SHIPPED), &[PathBuf::from(example)]).unwrap();
    assert_eq!(l.len(), shipped().len() + 2 - 1);
    let text = "Calling de-risking a win-win, they said the chip wars were strangling innovation.";
    assert_eq!(
        found_with_category(&l, text),
        triples(&[
            ("win-win", "win-win", "laudatory"),
            ("chip wars", "chip war", "stock_phrase"),
            ("strangling innovation", "strangle innovation", "emotive"),
        ])
    );
    assert_eq!(
        found_with_category(&shipped(), text),
        triples(&[
            ("de-risking", "de-risking", "euphemism"),
            ("win-win", "win-win", "stock_phrase"),
            ("strangling", "strangle", "emotive"),
        ])
    );
}
