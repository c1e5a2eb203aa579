//! The alternative hypothesis of a test, as R's `alternative` argument.

use std::fmt;
use std::str::FromStr;

use crate::error::StatsError;

/// Alternative hypothesis, named as R's `alternative = c("two.sided",
/// "less", "greater")`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Alternative {
    /// Location differs from the null value in either direction.
    #[default]
    TwoSided,
    /// Location is less than the null value.
    Less,
    /// Location is greater than the null value.
    Greater,
}

impl fmt::Display for Alternative {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Alternative::TwoSided => "two.sided",
            Alternative::Less => "less",
            Alternative::Greater => "greater",
        })
    }
}

impl FromStr for Alternative {
    type Err = StatsError;

    /// Parses R's names (case-insensitive); `two-sided` and `two_sided` too.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "two.sided" | "two-sided" | "two_sided" => Ok(Alternative::TwoSided),
            "less" => Ok(Alternative::Less),
            "greater" => Ok(Alternative::Greater),
            _ => Err(StatsError::UnknownAlternative(s.to_string())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_alternative_round_trip() {
        for a in [
            Alternative::TwoSided,
            Alternative::Less,
            Alternative::Greater,
        ] {
            assert_eq!(a.to_string().parse::<Alternative>().unwrap(), a);
        }
        assert!(matches!(
            "both".parse::<Alternative>(),
            Err(StatsError::UnknownAlternative(_))
        ));
    }
}
