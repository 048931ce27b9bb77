//! Dotted version numbers as tools print them (`4.8.3`, `mdbook v0.5.1`), compared numerically
//! so that 4.10 counts as newer than 4.8.

/// The numeric components of the first word that looks like a version: `mdbook v0.5.1` gives
/// `[0, 5, 1]`, `0.5.0-beta.1` gives `[0, 5, 0]`.
pub fn parse(text: &str) -> Option<Vec<u64>> {
    let word = text
        .split_whitespace()
        .map(|word| word.strip_prefix('v').unwrap_or(word))
        .find(|word| word.starts_with(|c: char| c.is_ascii_digit()))?;
    let mut parts = Vec::new();
    for part in word.split('.') {
        let digits = part.find(|c: char| !c.is_ascii_digit()).unwrap_or(part.len());
        let Ok(number) = part[..digits].parse() else { break };
        parts.push(number);
        // A suffix such as `-beta` ends the numeric part; what follows is a pre-release tag.
        if digits < part.len() {
            break;
        }
    }
    Some(parts)
}

/// Whether `found` is `min` or newer; missing trailing components count as zero.
pub fn at_least(found: &[u64], min: &[u64]) -> bool {
    let len = found.len().max(min.len());
    let padded = |v: &[u64]| (0..len).map(|i| v.get(i).copied().unwrap_or(0)).collect::<Vec<_>>();
    padded(found) >= padded(min)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_what_the_tools_print() {
        assert_eq!(parse("4.8.3"), Some(vec![4, 8, 3]));
        assert_eq!(parse("mdbook v0.5.1"), Some(vec![0, 5, 1]));
        assert_eq!(parse("mdbook 0.5.0-beta.1"), Some(vec![0, 5, 0]));
        assert_eq!(parse("4.10"), Some(vec![4, 10]));
        assert_eq!(parse("no version here"), None);
    }

    #[test]
    fn compares_numerically_not_as_text() {
        assert!(at_least(&[4, 10, 0], &[4, 8]));
        assert!(at_least(&[4, 8, 3], &[4, 8]));
        assert!(at_least(&[4, 8], &[4, 8, 0]));
        assert!(at_least(&[5], &[4, 8]));
        assert!(!at_least(&[4, 6, 9], &[4, 8]));
        assert!(!at_least(&[3, 99], &[4, 8]));
    }
}
