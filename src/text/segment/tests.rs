//! Unit tests of the parent module.

use super::*;

fn sents(t: &str) -> Vec<&str> {
    let ranges = split(t);
    check(t, &ranges);
    ranges.into_iter().map(|r| &t[r]).collect()
}

/// The contract every caller relies on.
fn check(t: &str, ranges: &[Range<usize>]) {
    let mut prev_end = 0;
    for r in ranges {
        assert!(
            r.start >= prev_end && r.start < r.end,
            "{r:?} after {prev_end} in {t:?}"
        );
        assert!(t.is_char_boundary(r.start) && t.is_char_boundary(r.end));
        let s = &t[r.clone()];
        assert_eq!(s, s.trim(), "untrimmed {s:?}");
        assert!(s.chars().any(char::is_alphanumeric), "no word in {s:?}");
        assert!(s.len() <= MAX_SENTENCE_BYTES, "{} bytes", s.len());
        prev_end = r.end;
    }
}

/// Whitespace collapsed, to compare sentences of hard-wrapped text.
fn flat(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The body of a corpus file: what follows its `key: value` header and `---` line.
fn body(file: &str) -> &str {
    file.split_once("\n---\n").map_or(file, |(_, b)| b)
}

#[test]
fn empty_and_blank_input() {
    assert!(sents("").is_empty());
    assert!(sents("   \n\n\t \r\n\x0c  ").is_empty());
    assert!(sents("...!!! ??? --- ***").is_empty());
}

#[test]
fn plain_sentences() {
    assert_eq!(
        sents("Hello world. This is a test! Is it? Yes."),
        ["Hello world.", "This is a test!", "Is it?", "Yes."]
    );
    assert_eq!(sents("No punctuation at all"), ["No punctuation at all"]);
    // A stray space before the period, common in UN records.
    assert_eq!(
        sents("into the Schengen Area . We welcome it."),
        ["into the Schengen Area .", "We welcome it."]
    );
    assert_eq!(
        sents("It ended… Then it began again?! 2023 was hard."),
        ["It ended…", "Then it began again?!", "2023 was hard."]
    );
}

#[test]
fn lowercase_after_period_does_not_split() {
    assert_eq!(
        sents("It rose by 5 pct. in May."),
        ["It rose by 5 pct. in May."]
    );
    assert_eq!(sents("Why? because. ok"), ["Why? because. ok"]);
    assert_eq!(
        sents("They said, “Enough!” — of the lies. What of the bargain? — countries such as mine."),
        [
            "They said, “Enough!” — of the lies.",
            "What of the bargain? — countries such as mine."
        ]
    );
}

#[test]
fn headlines_and_paragraphs() {
    let t = "Headline Without a Period\n\nFirst sentence here. Second one.\n\nA Subheading\nBody text starts here.\nAnother paragraph follows";
    assert_eq!(
        sents(t),
        [
            "Headline Without a Period",
            "First sentence here.",
            "Second one.",
            "A Subheading",
            "Body text starts here.",
            "Another paragraph follows"
        ]
    );
}

#[test]
fn list_items() {
    let t = "Key points:\n- First point\n- Second point\n* Third point\n• Fourth point\n1. Numbered item\n2. Another item.\n(a) Lettered item";
    assert_eq!(
        sents(t),
        [
            "Key points:",
            "First point",
            "Second point",
            "Third point",
            "Fourth point",
            "1. Numbered item",
            "2. Another item.",
            "(a) Lettered item"
        ]
    );
}

#[test]
fn list_marker_stays_with_item() {
    assert_eq!(
        sents("1.\nFirst item text.\n\n2.\n\nSecond."),
        ["1.\nFirst item text.", "2.\n\nSecond."]
    );
    assert_eq!(
        sents("12. The Assembly met. It adjourned.\nIV. Technological Hegemony"),
        [
            "12. The Assembly met.",
            "It adjourned.",
            "IV. Technological Hegemony"
        ]
    );
}

#[test]
fn hard_wrapped_lines_join() {
    let t = "The committee said that the\nresolution would pass. It did\nnot pass.";
    assert_eq!(
        sents(t),
        [
            "The committee said that the\nresolution would pass.",
            "It did\nnot pass."
        ]
    );
    // A blank line before a lowercase word is a page or layout gap, not a paragraph.
    assert_eq!(
        sents("On behalf of\n\n\nthe people, thanks."),
        ["On behalf of\n\n\nthe people, thanks."]
    );
}

#[test]
fn wrapped_text_with_capitalised_continuations() {
    // Most line breaks are followed by lowercase words, so the text is hard-wrapped and a
    // capitalised word after a full line ("General\nAssembly") continues the sentence, while
    // a short line ("(spoke in French)") stands alone.
    let t = "First of all, Sir, I offer you my delegation's\nheartiest congratulations on the occasion of your\nelection to the presidency of the fifty-first General\nAssembly. Your rich experience is, for my delegation, a\nguarantee for the success of our work, as stated by\nMr. Smith.\n(spoke in French)\nThe second part of the speech is here.";
    assert_eq!(
        sents(t).iter().map(|s| flat(s)).collect::<Vec<_>>(),
        [
            "First of all, Sir, I offer you my delegation's heartiest congratulations on the occasion of your election to the presidency of the fifty-first General Assembly.",
            "Your rich experience is, for my delegation, a guarantee for the success of our work, as stated by Mr. Smith.",
            "(spoke in French)",
            "The second part of the speech is here."
        ]
    );
}

#[test]
fn wrapped_speech_with_aside_page_number_and_initials() {
    let t = "Thus, the Congolese from Brazzaville were welcomed shortly\nafter the Rwandans were repatriated but, paradoxically,\n(spoke in English)\nthese refugees did not receive the same attention from the\ninternational community. We would also like to thank Mr.\n\n14\n\nHan Seung-soo for his work, and William V.\nS. Tubman of Liberia.\n(spoke in French)\nWe thank him.";
    assert_eq!(
        sents(t).iter().map(|s| flat(s)).collect::<Vec<_>>(),
        [
            "Thus, the Congolese from Brazzaville were welcomed shortly after the Rwandans were repatriated but, paradoxically, (spoke in English) these refugees did not receive the same attention from the international community.",
            "We would also like to thank Mr. 14 Han Seung-soo for his work, and William V. S. Tubman of Liberia.",
            "(spoke in French)",
            "We thank him."
        ]
    );
}

#[test]
fn line_endings() {
    let t = "Title\r\n\r\nFirst line. Second.\rThird line\r\nfourth words.";
    assert_eq!(
        sents(t),
        [
            "Title",
            "First line.",
            "Second.",
            "Third line\r\nfourth words."
        ]
    );
}

#[test]
fn form_feed() {
    assert_eq!(
        sents(
            "getting ready to drive the regime from power, \n\n\n\x0c\nAfghanistan was isolated."
        ),
        ["getting ready to drive the regime from power, \n\n\n\x0c\nAfghanistan was isolated."]
    );
    assert_eq!(
        sents("Page one ends.\x0cPage two."),
        ["Page one ends.", "Page two."]
    );
    assert_eq!(sents("Annex\x0cThe text"), ["Annex", "The text"]);
}

#[test]
fn titles_and_abbreviations() {
    let cases = [
        "Dr. Smith met Mr. Jones, Mrs. Brown and Ms. Lee at 5 p.m. on Jan. 5.",
        "Prof. Li, Gen. Hu, Sen. Cruz, Rep. Lee, Gov. Newsom and Amb. Fu spoke.",
        "Apple Inc. and Sony Corp. signed, e.g. a deal, i.e. a contract, vs. Acme Ltd. rivals.",
        "He lives at No. 5 Main St. in Mt. Vernon near Ft. Worth, says the Dept. of State.",
        "Martin Luther King Jr. and Sr. Agnes met on Sept. 3 and Oct. 4 at 9 a.m. London time.",
        "See Art. 51, para. 3, pp. 12-14 and Vol. II, approx. 40 pages, est. 1990.",
        "The meeting in Feb. Mar. Apr. Jun. Jul. Aug. Sep. Nov. Dec. went on.",
        "John F. Kennedy and George W. Bush met U. S. officials.",
        "The U.S. Congress and the U.N. Security Council agreed with U.K. and E.U. partners.",
        "Dr. He Jiankui and Mr. Hu met.",
        "Nos. 3 and 4 of Acme Co. were sold to Acme Co. Ltd. in Washington, D.C. on Monday.",
    ];
    for c in cases {
        assert_eq!(sents(c), [c]);
    }
}

#[test]
fn acronym_at_sentence_end() {
    assert_eq!(
        sents("Sanctions were imposed by the U.S. The move angered Beijing."),
        [
            "Sanctions were imposed by the U.S.",
            "The move angered Beijing."
        ]
    );
    assert_eq!(
        sents("It went to the U.N. However, nothing changed. Shares of Acme Inc. They fell."),
        [
            "It went to the U.N.",
            "However, nothing changed.",
            "Shares of Acme Inc.",
            "They fell."
        ]
    );
    assert_eq!(
        sents("The meeting ended at 5 p.m. It resumed at 10 a.m. Beijing time."),
        [
            "The meeting ended at 5 p.m.",
            "It resumed at 10 a.m. Beijing time."
        ]
    );
}

#[test]
fn etc_ends_before_a_capital() {
    assert_eq!(
        sents("They sell apples, pears, etc. The store closed. Tea, coffee, etc. and more."),
        [
            "They sell apples, pears, etc.",
            "The store closed.",
            "Tea, coffee, etc. and more."
        ]
    );
}

#[test]
fn numbers_do_not_split() {
    let t = "Chang'e-5 brought 1,731 grams back. Prices rose 3.5% to $2.4 billion in version 2.0 of the plan. It ranks No. 5 of 10.5 in 2011. The end.";
    assert_eq!(
        sents(t),
        [
            "Chang'e-5 brought 1,731 grams back.",
            "Prices rose 3.5% to $2.4 billion in version 2.0 of the plan.",
            "It ranks No. 5 of 10.5 in 2011.",
            "The end."
        ]
    );
}

#[test]
fn quotes() {
    assert_eq!(
        sents(r#"He said, "We will go." Then he left. "Go." he said. "Now!" she shouted."#),
        [
            r#"He said, "We will go.""#,
            "Then he left.",
            r#""Go." he said."#,
            r#""Now!" she shouted."#
        ]
    );
    assert_eq!(
        sents("She said: “It is over.” The crowd cheered. ‘Why?’ asked one. “Really?” Yes."),
        [
            "She said: “It is over.”",
            "The crowd cheered.",
            "‘Why?’ asked one.",
            "“Really?”",
            "Yes."
        ]
    );
    assert_eq!(
        sents("The resolution \"No first deployment in space\", sponsored by Russia. Next."),
        [
            "The resolution \"No first deployment in space\", sponsored by Russia.",
            "Next."
        ]
    );
}

#[test]
fn parentheses() {
    assert_eq!(
        sents("(ibid.) I am sure. It was run by Acme Inc.) Then (R-Ariz.) and others left."),
        [
            "(ibid.)",
            "I am sure.",
            "It was run by Acme Inc.)",
            "Then (R-Ariz.) and others left."
        ]
    );
    assert_eq!(
        sents("The test failed (see below.) Next steps follow. (It was late.) Then it rained."),
        [
            "The test failed (see below.)",
            "Next steps follow.",
            "(It was late.)",
            "Then it rained."
        ]
    );
    assert_eq!(
        sents("It voted (France, United States) with 45 abstentions [see A/C.1/72/L.54]. Done."),
        [
            "It voted (France, United States) with 45 abstentions [see A/C.1/72/L.54].",
            "Done."
        ]
    );
}

#[test]
fn markup() {
    assert_eq!(
        sents("and emphasize no first deployment in space**.\n\nAccording to a report by Russia**, the United Nations has adopted a resolution."),
        [
            "and emphasize no first deployment in space**.",
            "According to a report by Russia**, the United Nations has adopted a resolution."
        ]
    );
    assert_eq!(
        sents("# Heading\n\nText here.\n\n---\n\n***\n\n**\n\n* Bullet one\n- Bullet two\n## Sub heading"),
        ["Heading", "Text here.", "Bullet one", "Bullet two", "Sub heading"]
    );
    assert_eq!(
        sents("**Bold lead.** Next sentence. ** Dangling start."),
        ["**Bold lead.**", "Next sentence.", "Dangling start."]
    );
    // A rule line separates even lowercase text.
    assert_eq!(
        sents("Above the line\n***\nbelow it"),
        ["Above the line", "below it"]
    );
}

#[test]
fn ellipsis() {
    assert_eq!(
        sents("He paused... and then spoke. Later... The end. Wait … really? Yes . . . fine."),
        [
            "He paused... and then spoke.",
            "Later...",
            "The end.",
            "Wait … really?",
            "Yes . . . fine."
        ]
    );
}

#[test]
fn multibyte_text() {
    assert_eq!(
        sents("中国发射了卫星。美国表示关注！好"),
        ["中国发射了卫星。", "美国表示关注！", "好"]
    );
    assert_eq!(
        sents("🚀 Launch day! Émile said “ça va.” Über alles."),
        ["🚀 Launch day!", "Émile said “ça va.”", "Über alles."]
    );
}

#[test]
fn page_numbers_are_not_sentences() {
    let t = "The purpose was, first, to allow the\n2\n\n\nmajor islands to help. Next.\n\n17\n\nNew paragraph.";
    assert_eq!(
        sents(t),
        [
            "The purpose was, first, to allow the\n2\n\n\nmajor islands to help.",
            "Next.",
            "New paragraph."
        ]
    );
}

#[test]
fn long_text_without_punctuation_is_cut_at_whitespace() {
    let words: Vec<String> = (0..10_000).map(|i| format!("word{}", i % 97)).collect();
    let t = words.join(" ");
    let got = sents(&t);
    assert!(got.len() > 1);
    assert!(got.iter().all(|s| s.len() <= MAX_SENTENCE_BYTES));
    let rejoined: Vec<&str> = got.iter().flat_map(|s| s.split(' ')).collect();
    assert_eq!(rejoined, words);
}

#[test]
fn giant_tokens_are_cut_on_char_boundaries() {
    for t in ["x".repeat(10_000), "中".repeat(5_000), "é😀".repeat(3_000)] {
        let got = sents(&t);
        assert_eq!(got.concat(), t);
    }
}

#[test]
fn junk_never_panics() {
    let inputs = [
        "\0\x01\x02 \u{fffd}\u{fffd}",
        "\u{feff}Hello.\u{200b}",
        ". . .\n\n. a",
        "(\n)\n[\n]\n\"\n“",
        "A.\nB.\nC.",
        "1.",
        "a.b.c. d.e.f. G.H.I.",
        "\r\r\r\n\n\x0c\x0c.",
        "Mr.",
        "’s ” ’ » )",
        "x\u{2028}y\u{2029}z.",
    ];
    for t in inputs {
        sents(t);
    }
    // Every prefix of a mixed text, which cuts it at every char boundary.
    let t = "Dr. Lü said “1.5% (est.)…” — *not* ok!\r\n\r\n- 中文。 U.S. 😀\x0c2.\n";
    for (i, _) in t.char_indices() {
        sents(&t[..i]);
        sents(&t[i..]);
    }
}

#[test]
fn random_inputs_keep_the_invariants() {
    const PIECES: &[&str] = &[
        " ", "  ", "\n", "\n\n", "\r\n", "\r", "\x0c", "\t", ".", "...", "!", "?", "…", "。", "\"",
        "“", "”", "’", "'", "(", ")", "[", "]", "*", "**", "-", "—", "#", "•", ",", ":", "word",
        "Word", "THE", "The", "a", "I", "V", "1", "12", "2011", "3.5", "Mr.", "U.S.", "e.g.",
        "etc.", "No.", "F.", "中文", "😀", "é", "\u{feff}", "\0", "---",
    ];
    let mut state: u64 = 0x2545_f491_4f6c_dd1d;
    for _ in 0..3000 {
        let mut t = String::new();
        let len = (state >> 59) as usize + 1;
        for _ in 0..len * 3 {
            // xorshift64: deterministic, no dependency.
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            t.push_str(PIECES[(state % PIECES.len() as u64) as usize]);
        }
        sents(&t);
    }
}

const SEED: &str = include_str!("../../../tests/data/segment/seed.txt");

#[test]
fn seed_article() {
    let got = sents(SEED);
    for want in [
        "NASA, China and other countries jointly introduced a resolution at the UN General Assembly to draw t",
        "Mondo International Updated on 2024-01-28",
        "This shows that the United States is suppressing and blockading China in the space field.",
        "However, under the Wolf Act, passed by Congress in 2011, NASA is not allowed to cooperate with China unless authorized by Congress.",
        "However, Chang'e-5 successfully brought 1,731 grams of lunar soil back to Earth, an important milestone in China's lunar exploration program.",
        "At the same time, China has also actively shared lunar samples and related data with the international community, demonstrating its willingness to carry out cooperation and exchanges.",
        "In addition to the restrictions of the Wolf Act, the U.S. Congress has passed other bills to restrict and regulate China's space technology.",
        "China's space technology continues to grow, while U.S. space policy is undergoing a major shift.",
        "As the United States seeks cooperation with China, China and Russia, among others, have introduced two resolutions at the United Nations General Assembly to ensure transparency in space activities, strengthen confidence-building measures, and emphasize no first deployment in space**.",
        "According to a report by Russia**, the United Nations has adopted a resolution on space activities, proposed by China and Russia on behalf of a number of countries, urging member states to build mutual trust measures in space activities and put these measures into practice.",
        "China's position is clear: If the United States wants to cooperate with China, it must abide by these resolutions, build mutual trust, and ensure the security of China's space program.",
        "Related Pages",
    ] {
        assert!(got.contains(&want), "missing {want:?}");
    }
    assert_eq!(got.len(), 40);
    assert_eq!(got[0], "NASA, China and other countries jointly introduced a resolution at the UN General Assembly to draw t");
    assert_eq!(got[1], "Mondo International Updated on 2024-01-28");
}

const FIXTURES: &[&str] = &[
    include_str!(
        "../../../tests/data/segment/voa-2024-06-chinese-spacecraft-collects-far-side-samples.txt"
    ),
    include_str!(
        "../../../tests/data/segment/uscc-2019-11-china-ambitions-in-space-key-findings.txt"
    ),
    include_str!("../../../tests/data/segment/mfa-2023-02-20-us-hegemony-and-its-perils.txt"),
    include_str!(
        "../../../tests/data/segment/un-2017-gadis3591-first-committee-outer-space-arms-race.txt"
    ),
    include_str!("../../../tests/data/segment/ungdc-VUT-51-1996.txt"),
    include_str!("../../../tests/data/segment/ungdc-AFG-68-2013.txt"),
    SEED,
];

#[test]
fn real_texts_keep_the_invariants() {
    for file in FIXTURES {
        let t = body(file);
        let ranges = split(t);
        check(t, &ranges);
        assert!(ranges.len() >= 5);
        for r in ranges {
            if t[r.clone()].chars().count() < 3 {
                let before = t[..r.start].trim_end_matches([' ', '\t']);
                let after = t[r.end..].trim_start_matches([' ', '\t']);
                assert!(
                    (before.is_empty() || before.ends_with(['\n', '\r', '\x0c']))
                        && (after.is_empty() || after.starts_with(['\n', '\r', '\x0c'])),
                    "short sentence {:?} inside a line",
                    &t[r]
                );
            }
        }
    }
}

#[test]
fn real_article_structure() {
    let mfa = sents(body(FIXTURES[2]));
    assert_eq!(
        mfa[..3],
        [
            "US Hegemony and Its Perils",
            "I. Political Hegemony—Throwing Its Weight Around",
            "II. Military Hegemony—Wanton Use of Force"
        ]
    );
    let uscc = sents(body(FIXTURES[1]));
    assert_eq!(
        uscc[..2],
        [
            "Section 3: China’s Ambitions in Space: Contesting the Final Frontier",
            "Key Findings"
        ]
    );
    assert_eq!(uscc[2], "China’s goal to establish a leading position in the economic and military use of outer space, or what Beijing calls its “space dream,” is a core component of its aim to realize the “great rejuvenation of the Chinese nation.”");
    let voa = sents(body(FIXTURES[0]));
    assert_eq!(voa.len(), 18);
    assert!(voa.contains(&"China's National Space Administration said in a statement that Chang'e-6's success showed it was able to survive \"the test of high temperature on the far side of the moon.\""));
    let un = sents(body(FIXTURES[3]));
    assert!(un.contains(&"The draft resolution “No first placement of weapons in outer space” (document A/C.1/72/L.53) was approved by a recorded vote of 122 in favour to 4 against (Georgia, Israel, Ukraine, United States), with 48 abstentions."));
}

#[test]
fn un_speeches_wrapped_and_page_broken() {
    let vut: Vec<String> = sents(FIXTURES[4]).iter().map(|s| flat(s)).collect();
    for want in [
        "First of all, Sir, I offer you my delegation’s heartiest congratulations on the occasion of your election to the presidency of the fifty-first session of the General Assembly.",
        "I reaffirm here my Government’s support for the principle by which, according to tradition, Africa has a right to a second mandate.",
        "I take this opportunity, on behalf of the people and the Government of the Republic of Vanuatu, to congratulate the United States of America, the French Republic and the United Kingdom of Great Britain and Northern Ireland, which signed the Treaty last year.",
    ] {
        assert!(vut.iter().any(|s| s == want), "missing {want:?}");
    }
    let afg: Vec<String> = sents(FIXTURES[5]).iter().map(|s| flat(s)).collect();
    for want in [
        "I bring to all warm greetings and the good wishes of the Afghan people.",
        "At the end of 2001, when, with the military backing of the United States-led international coalition, we were getting ready to drive the Taliban regime from power, Afghanistan was in near-total isolation from the region and the world community.",
        "For a little more than two decades prior to November 2001, when the Afghan people ousted the Taliban regime from power, with military backing from the United States-led international military coalition, the people of Afghanistan suffered incalculable pain, deprivation and losses through three distinct periods.",
    ] {
        assert!(afg.iter().any(|s| s == want), "missing {want:?}");
    }
}
