use super::*;

fn shipped() -> Gazetteer {
    let base = Path::new(env!("CARGO_MANIFEST_DIR")).join("models/actors.csv");
    Gazetteer::load_layered(&base, &[]).unwrap()
}

fn found(g: &Gazetteer, text: &str) -> Vec<(String, String)> {
    g.find(text)
        .into_iter()
        .map(|h| (text[h.range].to_string(), h.actor))
        .collect()
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
}

#[test]
fn finds_the_design_sentence_actors() {
    let g = shipped();
    assert_eq!(
        found(
            &g,
            "This shows that the United States is suppressing and blockading China in the space field."
        ),
        pairs(&[("United States", "USA"), ("China", "CHN")])
    );
    assert_eq!(
        found(
            &g,
            "However, under the Wolf Act, passed by Congress in 2011, NASA is not allowed to \
             cooperate with China unless authorized by Congress."
        ),
        pairs(&[
            ("Congress", "USA"),
            ("NASA", "NASA"),
            ("China", "CHN"),
            ("Congress", "USA")
        ])
    );
}

#[test]
fn longest_alias_wins_and_words_must_be_whole() {
    let g = shipped();
    assert_eq!(
        found(
            &g,
            "The China National Space Administration and USB makers met."
        ),
        pairs(&[("China National Space Administration", "CNSA")])
    );
    assert_eq!(
        found(
            &g,
            "The People\u{2019}s Liberation Army and the Soviet Union."
        ),
        pairs(&[
            ("People\u{2019}s Liberation Army", "CHN"),
            ("Soviet Union", "SUN")
        ])
    );
    assert_eq!(
        found(&g, "U.S.-China talks resumed; China's envoy spoke."),
        pairs(&[("U.S.", "USA"), ("China", "CHN"), ("China", "CHN")])
    );
}

#[test]
fn places_names_and_compounds_are_not_actors() {
    let g = shipped();
    assert!(found(&g, "The forum was held in Beijing last week.").is_empty());
    assert!(found(&g, "She studied at Beijing Normal University.").is_empty());
    assert!(found(&g, "The Washington Post and China Daily reported it.").is_empty());
    assert!(found(&g, "A Chinese-American engineer was arrested.").is_empty());
    assert_eq!(
        found(&g, "Beijing protested, and Washington said nothing."),
        pairs(&[("Beijing", "CHN"), ("Washington", "USA")])
    );
    assert_eq!(
        found(
            &g,
            "President Biden met Hunter Biden's lawyers, said Biden."
        ),
        pairs(&[("Biden", "JOE_BIDEN"), ("Biden", "JOE_BIDEN")])
    );
}

#[test]
fn user_files_add_replace_and_switch_off() {
    let dir = tempfile::tempdir().unwrap();
    let user = dir.path().join("mine.csv");
    std::fs::write(
        &user,
        "alias,actor,kind,action\nAPSCO,APSCO,international,\nPentagon,DOD,organ,\nChinese,,,off\n",
    )
    .unwrap();
    let base = Path::new(env!("CARGO_MANIFEST_DIR")).join("models/actors.csv");
    let g = Gazetteer::load_layered(&base, &[user]).unwrap();
    assert_eq!(
        found(&g, "APSCO and the Pentagon met Chinese officials."),
        pairs(&[("APSCO", "APSCO"), ("Pentagon", "DOD")])
    );
}

#[test]
fn bad_files_say_where_and_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let base = Path::new(env!("CARGO_MANIFEST_DIR")).join("models/actors.csv");
    let bad = dir.path().join("bad.csv");
    std::fs::write(&bad, "alias,actor,kind\nAPSCO,APSCO,agencyy\n").unwrap();
    let e = Gazetteer::load_layered(&base, std::slice::from_ref(&bad)).unwrap_err();
    assert!(format!("{e:#}").contains("line 2"), "{e:#}");
    std::fs::write(&bad, "name,id\nAPSCO,APSCO\n").unwrap();
    let e = Gazetteer::load_layered(&base, std::slice::from_ref(&bad)).unwrap_err();
    assert!(format!("{e:#}").contains("`alias` and `actor`"), "{e:#}");
    std::fs::write(&bad, "alias,actor,kind,action\nNowhere,,,off\n").unwrap();
    let e = Gazetteer::load_layered(&base, &[bad]).unwrap_err();
    assert!(format!("{e:#}").contains("switched off"), "{e:#}");
}
