//! Unit tests of the parent module.

use super::*;
use Voice::*;

/// The contract callers rely on: ranges in order, disjoint, on char boundaries, in bounds.
fn check(s: &str, ranges: &[Range<usize>]) {
    let mut prev = 0;
    for r in ranges {
        assert!(
            r.start >= prev && r.start <= r.end && r.end <= s.len(),
            "{ranges:?} in {s:?}"
        );
        assert!(
            s.is_char_boundary(r.start) && s.is_char_boundary(r.end),
            "{ranges:?} in {s:?}"
        );
        prev = r.end;
    }
}

/// Classifies the sentences of one document; returns each voice with its quoted substrings.
fn doc<'a>(sentences: &[&'a str]) -> Vec<(Voice, Vec<&'a str>)> {
    let mut t = QuoteTracker::new();
    sentences
        .iter()
        .map(|&s| {
            let (v, r) = t.classify(s);
            check(s, &r);
            (v, r.into_iter().map(|r| &s[r]).collect())
        })
        .collect()
}

fn one(s: &str) -> (Voice, Vec<&str>) {
    doc(&[s]).remove(0)
}

fn voice(s: &str) -> Voice {
    one(s).0
}

#[test]
fn labels() {
    let labels: Vec<_> = [Own, PartlyQuoted, Quoted, Attributed]
        .map(Voice::label)
        .into();
    assert_eq!(labels, ["own", "partly_quoted", "quoted", "attributed"]);
}

#[test]
fn plain_sentence_is_own() {
    assert_eq!(
        one("China launched the core module of its space station on Thursday."),
        (Own, vec![])
    );
    assert_eq!(one(""), (Own, vec![]));
}

#[test]
fn quote_with_trailing_tag_is_quoted() {
    let s = r#""We will go," she said."#;
    assert_eq!(one(s), (Quoted, vec![r#""We will go,""#]));
    assert_eq!(one("“No,” he said."), (Quoted, vec!["“No,”"]));
    assert_eq!(
        one("“Hegemony,” the foreign ministry spokesman said on Monday."),
        (Quoted, vec!["“Hegemony,”"])
    );
    assert_eq!(one("“Never,” said Wang Yi."), (Quoted, vec!["“Never,”"]));
}

#[test]
fn quote_with_leading_tag_is_quoted() {
    let s = r#"He said, "we must act now to stop the arms race.""#;
    assert_eq!(
        one(s),
        (Quoted, vec![r#""we must act now to stop the arms race.""#])
    );
    assert_eq!(
        voice("She told reporters on Tuesday: “The talks have failed and we will leave.”"),
        Quoted
    );
    assert_eq!(
        voice("According to the minister, “the plan cannot work without all parties.”"),
        Quoted
    );
    assert_eq!(
        voice("He said that “the door to dialogue remains open to all sides.”"),
        Quoted
    );
}

#[test]
fn quote_inside_own_words_is_partly_quoted() {
    let s = r#"The minister called the plan "a disgraceful attempt to bully small nations" in a speech."#;
    assert_eq!(
        one(s),
        (
            PartlyQuoted,
            vec![r#""a disgraceful attempt to bully small nations""#]
        )
    );
    // The verb introduces a clause of the outlet's own before the quotation.
    assert_eq!(
        voice("He said the plan was “a disgrace to the nation and all of us.”"),
        PartlyQuoted
    );
    // Tags that go on with the outlet's own clause.
    assert_eq!(
        voice("“We will win,” he said, adding that the talks had failed."),
        PartlyQuoted
    );
    assert_eq!(
        voice("“We will win,” he said, but the crowd was not convinced."),
        PartlyQuoted
    );
}

#[test]
fn real_sentences() {
    // VOA: curly opening mark, straight closing mark.
    let voa = "“Currently, Russia’s our only way up to orbit for the International Space Station and for any other human mission.\"";
    assert_eq!(one(voa), (Quoted, vec![voa]));
    // NASA: a quotation broken by its tag, whose speaker description is long.
    let nasa = "“We have had an opportunity to open up this incredibly precious sample that’s been saved for 50 years under vacuum,” said Thomas Zurbuchen, associate administrator of NASA’s Science Mission Directorate in Washington, “and we finally get to see what treasures are held within.”";
    let (v, q) = one(nasa);
    assert_eq!(v, Quoted);
    assert_eq!(q.len(), 2);
    assert!(q[0].starts_with("“We have had") && q[0].ends_with("vacuum,”"));
    assert_eq!(
        q[1],
        "“and we finally get to see what treasures are held within.”"
    );
    // VOA: the outlet's words around a quotation of Xi.
    let xi = r#"China's President Xi Jinping praised the launch as "an important pilot project in the building of a powerful nation in both technology and in space," state media reported."#;
    assert_eq!(
        one(xi),
        (
            PartlyQuoted,
            vec![
                r#""an important pilot project in the building of a powerful nation in both technology and in space,""#
            ]
        )
    );
    // UN News.
    assert_eq!(
        voice("“Outer space does not belong to individual nations. Its peaceful and sustainable use is not subject to national appropriation and must be a place of peace and cooperation for the benefit and in the interest of all countries,” he said."),
        Quoted
    );
    let urge = "Calling on all Member States to help safeguard the UN’s non-proliferation objectives both on Earth and in space, he urged nations to take all necessary steps to “keep the space weapons free”.";
    assert_eq!(
        one(urge),
        (PartlyQuoted, vec!["“keep the space weapons free”"])
    );
}

#[test]
fn scare_quotes_are_not_quotations() {
    assert_eq!(
        one("The so-called “de-risking” is decoupling in disguise."),
        (Own, vec![])
    );
    assert_eq!(
        one("But some are now using another word, “de-risking”."),
        (Own, vec![])
    );
    assert_eq!(
        one(r#"Critics see a "new Cold War" in the making."#),
        (Own, vec![])
    );
    assert_eq!(
        one("They ask how such “de-risking” will be carried out."),
        (Own, vec![])
    );
    // Five words make a quotation even without a verb nearby.
    assert_eq!(
        voice(r#"Critics see "a new Cold War in space" in the making."#),
        PartlyQuoted
    );
    // A short span next to a reporting verb is the speaker's words.
    assert_eq!(
        one("The ministry said it was “unacceptable”."),
        (PartlyQuoted, vec!["“unacceptable”"])
    );
    assert_eq!(
        one("He told reporters that “hegemony” was the problem."),
        (PartlyQuoted, vec!["“hegemony”"])
    );
}

#[test]
fn titles_are_not_quotations() {
    // The seed article: a resolution's title, whatever its length.
    let seed = r#"In addition, the UN General Assembly adopted a resolution "No first deployment in space", sponsored by Russia and China."#;
    assert_eq!(one(seed), (Own, vec![]));
    assert_eq!(
        voice("During the meeting, the Committee approved the draft resolution “Further practical measures for the prevention of an arms race in outer space” (document A/C.1/72/L.54)."),
        Own
    );
    // Title Case after any word.
    assert_eq!(
        one("The Department of Defense released its annual report on “Military and Security Developments Involving the People’s Republic of China.”"),
        (Own, vec![])
    );
    assert_eq!(voice("He spoke on agenda item 28, entitled “Elimination of Unilateral Extraterritorial Coercive Economic Measures as a Means of Political and Economic Compulsion”."), Own);
    assert_eq!(voice("They promote the concept of “a community with a shared future for mankind” everywhere."), Own);
    assert_eq!(
        voice("It is known as “the great wall of sand in the sea” among sailors."),
        Own
    );
}

#[test]
fn multi_sentence_quote() {
    let got = doc(&[
        "“The Russians are partners in the International Space Station.",
        "Therefore, they were deemed reliable to be able to supply services to the space station.",
        "They have the Soyuz, which has been operational for 50 years now.”",
        "Competitors cooperate even during Cold War.",
    ]);
    assert_eq!(
        got[0],
        (
            Quoted,
            vec!["“The Russians are partners in the International Space Station."]
        )
    );
    assert_eq!(got[1], (Quoted, vec!["Therefore, they were deemed reliable to be able to supply services to the space station."]));
    assert_eq!(
        got[2],
        (
            Quoted,
            vec!["They have the Soyuz, which has been operational for 50 years now.”"]
        )
    );
    assert_eq!(got[3], (Own, vec![]));
}

#[test]
fn multi_sentence_quote_with_tags() {
    let got = doc(&[
        "He said: “We will fight.",
        "We will not give up.",
        "We will win,” he added.",
        "The crowd cheered.",
    ]);
    let voices: Vec<_> = got.iter().map(|g| g.0).collect();
    assert_eq!(voices, [Quoted, Quoted, Quoted, Own]);
    assert_eq!(got[0].1, ["“We will fight."]);
    assert_eq!(got[2].1, ["We will win,”"]);
    // The outlet's words after the closing mark.
    let got = doc(&[
        r#""It is over."#,
        r#"We lost," he said, but the party would regroup."#,
    ]);
    assert_eq!(got[1], (PartlyQuoted, vec![r#"We lost,""#]));
}

#[test]
fn paragraph_reopens_a_running_quote() {
    let got = doc(&[
        "“We will fight.",
        "“We will win,” she said.",
        "Then she left.",
    ]);
    assert_eq!(got[0].0, Quoted);
    assert_eq!(got[1], (Quoted, vec!["“We will win,”"]));
    assert_eq!(got[2], (Own, vec![]));
    let got = doc(&[
        r#""We will fight."#,
        r#""We will win," she said."#,
        "Then she left.",
    ]);
    assert_eq!(got[1], (Quoted, vec![r#""We will win,""#]));
    assert_eq!(got[2].0, Own);
}

#[test]
fn lost_closing_mark_is_dropped_at_the_next_quote() {
    let got = doc(&[
        "He said: “We will fight.",
        "The minister called it “a disgraceful attempt to bully small nations” on Monday.",
        "Then he left.",
    ]);
    assert_eq!(
        got[1],
        (
            PartlyQuoted,
            vec!["“a disgraceful attempt to bully small nations”"]
        )
    );
    assert_eq!(got[2], (Own, vec![]));
}

#[test]
fn apostrophes_are_not_quotes() {
    let got = doc(&[
        "China’s space program has grown since the ’90s, and it doesn’t hide it.",
        "The workers’ union and the students' groups met in the '90s.",
        "Rock ’n’ roll and rock 'n' roll arrived in China’s cities.",
        "Lewis said that joint project was important.",
    ]);
    assert_eq!(got[0], (Own, vec![]));
    assert_eq!(got[1], (Own, vec![]));
    assert_eq!(got[2], (Own, vec![]));
    assert_eq!(got[3], (Attributed, vec![]));
    // A stray apostrophe-like opening mark with no closing mark opens nothing.
    assert_eq!(
        doc(&["Give ‘em a chance.", "Nothing is quoted here."])[1],
        (Own, vec![])
    );
    assert_eq!(
        doc(&["Give 'em a chance.", "Nothing is quoted here."])[1],
        (Own, vec![])
    );
}

#[test]
fn single_quotes_as_quotation_marks() {
    assert_eq!(
        one("'We will go,' she said."),
        (Quoted, vec!["'We will go,'"])
    );
    assert_eq!(
        one("‘We will not back down,’ the minister said."),
        (Quoted, vec!["‘We will not back down,’"])
    );
    assert_eq!(
        one("The minister called the plan ‘a disgraceful attempt to bully small nations’."),
        (
            PartlyQuoted,
            vec!["‘a disgraceful attempt to bully small nations’"]
        )
    );
    assert_eq!(one("It was a ‘win-win’ deal."), (Own, vec![]));
    // British style over two sentences.
    let got = doc(&["He said: ‘We will fight.", "We will win.’", "Then he left."]);
    let voices: Vec<_> = got.iter().map(|g| g.0).collect();
    assert_eq!(voices, [Quoted, Quoted, Own]);
}

#[test]
fn nested_quotes() {
    let s = r#""He told me 'no way' yesterday, and I believed him," she said."#;
    assert_eq!(
        one(s),
        (
            Quoted,
            vec![r#""He told me 'no way' yesterday, and I believed him,""#]
        )
    );
    let s =
        "“They call it ‘de-risking’ but it is decoupling by another name,” the ambassador said.";
    assert_eq!(
        one(s),
        (
            Quoted,
            vec![s.strip_suffix(" the ambassador said.").unwrap()]
        )
    );
}

#[test]
fn guillemets() {
    let s = "He said: «We will never accept this kind of pressure from anyone.»";
    assert_eq!(
        one(s),
        (
            Quoted,
            vec!["«We will never accept this kind of pressure from anyone.»"]
        )
    );
    assert_eq!(voice("The «special operation» continued."), Own);
}

#[test]
fn attributed_speech() {
    for s in [
        "The ministry said the move was a provocation.",
        "The talks were constructive, he said.",
        "According to a report by Russia**, the United Nations has adopted a resolution on the issue.",
        "She notes that NASA, the U.S. space agency, depends on Russia to reach the space station.",
        "Lewis says, since 2011, NASA has worked to develop its next generation of spacecraft.",
        "Yet experts note that the two sides continue working together in space.",
        "Chinese space officials say a spacecraft has successfully collected samples from the moon.",
        "The U.S. said the test was irresponsible.",
        "Ambassador Xie noted that every country has national security to take care of.",
        "The spokesman has repeatedly stated that China opposes an arms race.",
        "In the words of the Secretary-General, the situation is dire.",
        "Cuba’s representative said her delegation voted against “L.52” because the Fourth Committee is the appropriate forum.",
        "India’s representative was among delegates who questioned “L.52”, saying that her delegation abstained.",
        "The Assembly President emphasised that the 1967 Outer Space Treaty “clearly prohibits” States parties from placing weapons in orbit.",
        "The report warns of a growing threat.",
        "Beijing's foreign ministry spokesperson said the accusation was groundless.",
    ] {
        assert_eq!(one(s), (Attributed, vec![]), "{s}");
    }
}

#[test]
fn reporting_words_in_other_senses_are_own() {
    for s in [
        "The said agreement entered into force in 1967.",
        "As noted above, the treaty has gaps.",
        "As previously stated, the treaty has gaps.",
        "That said, the treaty has gaps.",
        "It should be noted that the treaty has gaps.",
        "Needless to say, the treaty has gaps.",
        "Member States should refrain from the threat of force.",
        "All member states should refrain from the threat of force.",
        "China's claims in the South China Sea are well known.",
        "The new sanctions added to the tension.",
        "Its stated aim is to deter aggression.",
        "Space activities shall be carried out according to international law.",
        "The launch went according to plan.",
        "The so-called rules-based order serves a few.",
        "We stress that outer space is the common heritage of mankind.",
        "I would like to say a few words about the treaty.",
        "The notes of the meeting were published.",
        "Reported cases rose sharply.",
        "He did not say a word.",
    ] {
        assert_eq!(one(s), (Own, vec![]), "{s}");
    }
}

#[test]
fn quote_and_attribution_is_partly_quoted_not_attributed() {
    let s = "The ministry said the so-called alliance was “an attempt to contain China and divide the region”.";
    assert_eq!(
        one(s),
        (
            PartlyQuoted,
            vec!["“an attempt to contain China and divide the region”"]
        )
    );
}

#[test]
fn stray_and_unbalanced_marks() {
    // A closing mark with nothing open quotes nothing.
    assert_eq!(one("The pipe is 12\" wide and 3’ long.”"), (Own, vec![]));
    // An opening mark left open quotes the rest of the sentence and the next.
    let got = doc(&[
        "The minister warned: “This will not stand.",
        "Nobody doubted her.",
    ]);
    assert_eq!(got[0], (Quoted, vec!["“This will not stand."]));
    assert_eq!(got[1], (Quoted, vec!["Nobody doubted her."]));
    // A lone mark surrounded by spaces is nothing.
    assert_eq!(one("He wrote \" and left."), (Attributed, vec![]));
}

#[test]
fn straight_quotes_pair_by_parity() {
    let s = r#"The leaflets read "Go home" and "Stay out of the region forever, all of you"."#;
    let (v, q) = one(s);
    assert_eq!(v, PartlyQuoted);
    assert_eq!(q, [r#""Stay out of the region forever, all of you""#]);
}

#[test]
fn whole_sentence_quotes_and_middle_tags() {
    assert_eq!(one("“Really?”"), (Quoted, vec!["“Really?”"]));
    assert_eq!(one(r#""Go." he said."#), (Quoted, vec![r#""Go.""#]));
    assert_eq!(one("‘Why?’ asked one."), (Quoted, vec!["‘Why?’"]));
    assert_eq!(one(r#"He said "no"."#), (Quoted, vec![r#""no""#]));
    let s = r#""We will go," she said, "and we will win.""#;
    assert_eq!(
        one(s),
        (Quoted, vec![r#""We will go,""#, r#""and we will win.""#])
    );
    let s = "“This is a clear violation of international law,” said Zhao Lijian, a foreign ministry spokesman, at a daily briefing on Monday.";
    assert_eq!(voice(s), Quoted);
    // A tag verb that is no reporting verb alone.
    assert_eq!(voice("The Chinese economy continued to grow."), Own);
    assert_eq!(
        voice("“Are they really in America’s interest?” he asked."),
        Quoted
    );
}

#[test]
fn tags_across_scare_quotes_and_dashes() {
    let s = "“We will win,” the “hawkish” minister said.";
    assert_eq!(one(s), (Quoted, vec!["“We will win,”"]));
    assert_eq!(
        one("“We will win” — the minister said."),
        (Quoted, vec!["“We will win”"])
    );
    // A reporting verb inside quotation marks is no tag.
    assert_eq!(one("“No” “he said”"), (Own, vec![]));
}

#[test]
fn a_quote_missing_its_closing_mark_runs_one_paragraph_at_most() {
    let mut sentences = vec!["He said: “We will fight."];
    sentences.extend(["Nothing else is quoted."; 12]);
    let voices: Vec<_> = doc(&sentences).into_iter().map(|g| g.0).collect();
    assert_eq!(voices[..=MAX_RUN], [Quoted; MAX_RUN + 1]);
    assert_eq!(voices[MAX_RUN + 1..], [Own, Own]);
    // Re-opening at each paragraph keeps a long quotation going.
    let mut sentences = vec!["He said: “We will fight."];
    for _ in 0..4 {
        sentences.extend(["We will not stop."; 8]);
        sentences.push("“We will go on.");
    }
    assert!(doc(&sentences).iter().all(|g| g.0 == Quoted));
}

#[test]
fn in_quotes_checks_containment() {
    let s = r#"He called the plan "a disgraceful attempt to bully small nations" today."#;
    let (_, ranges) = QuoteTracker::new().classify(s);
    let at = |w: &str| {
        let start = s.find(w).unwrap();
        (start, start + w.len())
    };
    let (a, b) = at("bully");
    assert!(in_quotes(&ranges, a, b));
    let (a, b) = at("a disgraceful attempt to bully small nations");
    assert!(in_quotes(&ranges, a, b));
    let (a, b) = at("plan");
    assert!(!in_quotes(&ranges, a, b));
    // Straddling the closing mark is not inside.
    let (a, _) = at("nations");
    let (_, b) = at("today");
    assert!(!in_quotes(&ranges, a, b));
    assert!(!in_quotes(&[], 0, 1));
}

#[test]
fn multibyte_text() {
    assert_eq!(one("“中国航天，” he said."), (Quoted, vec!["“中国航天，”"]));
    // Unspaced CJK: the marks still pair (one word, so scare quotes by the English rules).
    assert_eq!(
        doc(&["“中国航天，”他说。", "Nothing is quoted."])[1],
        (Own, vec![])
    );
    let s = "Он сказал: «Мы никогда не примем такого давления ни от кого на свете».";
    assert_eq!(
        one(s).1,
        ["«Мы никогда не примем такого давления ни от кого на свете»"]
    );
    assert_eq!(one("😀 “a b c d e” 😀").1, ["“a b c d e”"]);
}

/// Whole articles from `datasets/articles/`, labelled by hand, sentence by sentence.
#[test]
fn real_articles() {
    let data = include_str!("../../../tests/data/quotes/articles.tsv");
    let mut t = QuoteTracker::new();
    let (mut n, mut wrong) = (0, Vec::new());
    for line in data.lines() {
        if line.starts_with("## ") {
            t = QuoteTracker::new();
            continue;
        }
        let Some((label, sentence)) = line.split_once('\t') else {
            continue;
        };
        let (v, ranges) = t.classify(sentence);
        check(sentence, &ranges);
        n += 1;
        if v.label() != label {
            wrong.push(format!("{} (expected {label}): {sentence}", v.label()));
        }
    }
    assert!(n > 60, "{n} sentences");
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn long_sentences_take_linear_time() {
    // Unclosed single openers, reporting verbs and spans everywhere: quadratic rules would
    // take minutes here.
    let s = "‘a said “b” the notes that, 'c according to ".repeat(20_000);
    let started = std::time::Instant::now();
    let (_, ranges) = QuoteTracker::new().classify(&s);
    check(&s, &ranges);
    assert!(started.elapsed().as_secs() < 10);
}

#[test]
fn junk_never_panics() {
    const PIECES: &[&str] = &[
        " ",
        "\"",
        "“",
        "”",
        "„",
        "‘",
        "’",
        "'",
        "«",
        "»",
        ",",
        ".",
        ":",
        "-",
        "—",
        "(",
        "said",
        "Said",
        "he",
        "according",
        "to",
        "in",
        "the",
        "words",
        "of",
        "word",
        "notes",
        "that",
        "resolution",
        "中文",
        "😀",
        "é",
        "s",
        "n't",
        "U.S.",
        "\u{feff}",
        "\0",
    ];
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut t = QuoteTracker::new();
    for _ in 0..5000 {
        let mut s = String::new();
        for _ in 0..(state >> 60) as usize * 2 + 1 {
            // xorshift64: deterministic, no dependency.
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            s.push_str(PIECES[(state % PIECES.len() as u64) as usize]);
        }
        let (_, ranges) = t.classify(&s);
        check(&s, &ranges);
    }
}
