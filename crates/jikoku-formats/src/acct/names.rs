//! uid/gid → name tables read from `passwd` and `group` text (for `acct`, `lastcomm`, `wtmp`).

use std::collections::HashMap;

/// Account and group names by number, as a passwd(5) / group(5) file of the host gives them.
///
/// ```
/// use jikoku_formats::acct::IdNames;
/// let ids = IdNames::from_passwd("root:x:0:0:root:/root:/bin/bash\nalice:x:1001:1001::/home/alice:/bin/sh\n")
///     .with_group("root:x:0:\nalice:x:1001:\n");
/// assert_eq!(ids.user(1001), Some("alice"));
/// assert_eq!(ids.group(0), Some("root"));
/// assert_eq!(ids.user(4242), None);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IdNames {
    users: HashMap<u32, String>,
    groups: HashMap<u32, String>,
}

impl IdNames {
    /// Reads `name:passwd:uid:...` lines (passwd(5), also BSD master.passwd); the first name
    /// given a uid wins, as getpwuid() would return it. Comments, blank and NIS `+` lines are skipped.
    pub fn from_passwd(text: &str) -> Self {
        IdNames { users: read_table(text), groups: HashMap::new() }
    }

    /// Adds the group names of a group(5) file (`name:passwd:gid:members`).
    pub fn with_group(mut self, text: &str) -> Self {
        self.groups = read_table(text);
        self
    }

    /// The account name of `uid`.
    pub fn user(&self, uid: u32) -> Option<&str> {
        self.users.get(&uid).map(String::as_str)
    }

    /// The group name of `gid`.
    pub fn group(&self, gid: u32) -> Option<&str> {
        self.groups.get(&gid).map(String::as_str)
    }

    /// The uid of account `name` (reverse lookup, e.g. for `lastcomm` output).
    pub fn uid_of(&self, name: &str) -> Option<u32> {
        self.users.iter().filter(|(_, n)| n.as_str() == name).map(|(id, _)| *id).min()
    }
}

fn read_table(text: &str) -> HashMap<u32, String> {
    let mut m = HashMap::new();
    for line in text.lines() {
        let line = line.trim_end_matches('\r');
        if line.is_empty()
            || line.starts_with('#')
            || line.starts_with('+')
            || line.starts_with('-')
        {
            continue;
        }
        let mut f = line.split(':');
        let (Some(name), Some(_), Some(id)) = (f.next(), f.next(), f.next()) else { continue };
        if name.is_empty() {
            continue;
        }
        if let Ok(id) = id.trim().parse::<u32>() {
            m.entry(id).or_insert_with(|| name.to_string());
        }
    }
    m
}
