//! Links made by earlier builds keep opening: every committed link in `golden-links.txt` decodes to
//! the same platform, finding ids and hypothesis causes it did when it was made.

use bootdoctor_core::share::decode_link;

#[test]
fn golden_links_keep_opening() {
    let mut checked = 0;
    for line in include_str!("golden-links.txt").lines().filter(|l| !l.starts_with('#') && !l.trim().is_empty()) {
        let cols: Vec<&str> = line.split('\t').collect();
        assert_eq!(cols.len(), 4, "malformed line: {line:.80}");
        let split = |s: &str| s.split(',').filter(|x| !x.is_empty()).map(str::to_string).collect::<Vec<_>>();
        let state = decode_link(cols[0]).unwrap_or_else(|e| panic!("{e}: {:.80}", cols[0]));
        assert_eq!(state.platform, cols[1]);
        let (report, unknown) = state.to_report();
        assert_eq!(unknown, 0, "ids this build no longer knows");
        assert_eq!(report.findings.iter().map(|f| f.id.to_string()).collect::<Vec<_>>(), split(cols[2]));
        assert_eq!(report.hypotheses.iter().map(|h| h.cause.to_string()).collect::<Vec<_>>(), split(cols[3]));
        assert!(report.findings.iter().all(|f| !f.fix.is_empty() && !f.evidence.is_empty()));
        checked += 1;
    }
    assert!(checked >= 3, "only {checked} golden links");
}
