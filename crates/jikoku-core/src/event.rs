//! The normalized record: [`Event`], shaped after the Elastic Common Schema.
//!
//! Every group is a plain struct of `Option`s, so that absent values are omitted from
//! the JSON (`skip_serializing_if`). Field names follow shared/ARCHITECTURE.md §2;
//! the dotted names used in queries are listed in [`crate::fields`].

use std::borrow::Cow;

use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize, Serializer};
use serde_json::{Map, Value};

/// A static-or-owned string: categorical values (`event.kind`, `event.action`, …) are
/// `'static` and cost no allocation.
pub type Str = Cow<'static, str>;

/// The corrected instant, UTC, with the number of sub-second digits the source had.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize)]
pub struct Timestamp {
    /// The instant.
    pub utc: DateTime<Utc>,
    /// Sub-second digits as written (0 = whole seconds, 3 = millis, 6 = micros, 9 = nanos).
    pub digits: u8,
}

impl Timestamp {
    /// RFC 3339 in UTC with `Z`, keeping the source's sub-second digits.
    pub fn to_rfc3339(&self) -> String {
        let mut out = String::with_capacity(32);
        let digits = match self.digits {
            0 => 0,
            1..=3 => 3,
            4..=6 => 6,
            _ => 9,
        };
        if crate::timefmt::write_datetime(&mut out, &self.utc.naive_utc(), digits) {
            out.push('Z');
            return out;
        }
        let fmt = match self.digits {
            0 => SecondsFormat::Secs,
            1..=3 => SecondsFormat::Millis,
            4..=6 => SecondsFormat::Micros,
            _ => SecondsFormat::Nanos,
        };
        self.utc.to_rfc3339_opts(fmt, true)
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_rfc3339())
    }
}

/// `event.kind` of an event that parsed.
pub const KIND_EVENT: &str = "event";
/// `event.kind` of a line or record that could not be parsed.
pub const KIND_PIPELINE_ERROR: &str = "pipeline_error";

/// One normalized record. Build with [`Event::new`] or [`Event::pipeline_error`].
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Event {
    /// `@timestamp`: the corrected UTC instant (absent only when no year could be established).
    #[serde(rename = "@timestamp", skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<Timestamp>,
    /// `event.*`
    pub event: EventFields,
    /// `message`
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// `error.*` (pipeline errors)
    #[serde(skip_serializing_if = "ErrorFields::is_empty")]
    pub error: ErrorFields,
    /// `host.*`
    #[serde(skip_serializing_if = "HostFields::is_empty")]
    pub host: HostFields,
    /// `user.*`
    #[serde(skip_serializing_if = "UserFields::is_empty")]
    pub user: UserFields,
    /// `group.*`
    #[serde(skip_serializing_if = "GroupFields::is_empty")]
    pub group: GroupFields,
    /// `process.*`
    #[serde(skip_serializing_if = "ProcessFields::is_empty")]
    pub process: ProcessFields,
    /// `source.*`
    #[serde(skip_serializing_if = "Endpoint::is_empty")]
    pub source: Endpoint,
    /// `destination.*`
    #[serde(skip_serializing_if = "Endpoint::is_empty")]
    pub destination: Endpoint,
    /// `email.*`
    #[serde(skip_serializing_if = "EmailFields::is_empty")]
    pub email: EmailFields,
    /// `http.*`
    #[serde(skip_serializing_if = "HttpFields::is_empty")]
    pub http: HttpFields,
    /// `url.*`
    #[serde(skip_serializing_if = "UrlFields::is_empty")]
    pub url: UrlFields,
    /// `user_agent.*`
    #[serde(skip_serializing_if = "UserAgentFields::is_empty")]
    pub user_agent: UserAgentFields,
    /// `log.*` (provenance and syslog header)
    pub log: LogFields,
    /// `jikoku.*`: everything ECS does not define.
    pub jikoku: JikokuFields,
}

macro_rules! is_empty_impl {
    ($t:ty) => {
        impl $t {
            /// True when every field is absent (the group is omitted from JSON).
            pub fn is_empty(&self) -> bool {
                *self == Self::default()
            }
        }
    };
}

/// `event.*`
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct EventFields {
    /// `event` or `pipeline_error`.
    pub kind: Str,
    /// `<family>.<variant>`, e.g. `syslog.rfc3164`, `auth.sshd`.
    pub dataset: Str,
    /// ECS categories.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub category: Vec<Str>,
    /// ECS types.
    #[serde(rename = "type", skip_serializing_if = "Vec::is_empty")]
    pub kind_type: Vec<Str>,
    /// What happened, e.g. `ssh-login`, `sudo-command`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub action: Option<Str>,
    /// `success`, `failure` or `unknown`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub outcome: Option<Str>,
    /// Why an outcome was a failure (e.g. `incorrect password attempts`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The exact source text (escaped rendering for binary records).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub original: Option<String>,
    /// Nanoseconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub duration: Option<i64>,
    /// Severity number where the source has one (syslog severity 0–7).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub severity: Option<i64>,
}

/// `error.*`
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ErrorFields {
    /// Why the record could not be parsed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}
is_empty_impl!(ErrorFields);

/// `host.*`
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct HostFields {
    /// The host that wrote the record.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}
is_empty_impl!(HostFields);

/// `user.*`
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct UserFields {
    /// Who acted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Numeric id, as text (ECS keyword).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// `user.effective.*`
    #[serde(skip_serializing_if = "UserRef::is_empty")]
    pub effective: UserRef,
    /// `user.target.*`: the account acted as or on.
    #[serde(skip_serializing_if = "UserRef::is_empty")]
    pub target: UserRef,
}
is_empty_impl!(UserFields);

/// A reference to another account (`user.target`, `user.effective`).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct UserRef {
    /// Account name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Numeric id, as text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// `.group.name` of the target (sudo `GROUP=`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group: Option<GroupFields>,
}
is_empty_impl!(UserRef);

/// `group.*`
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct GroupFields {
    /// Group name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Numeric id, as text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
}
is_empty_impl!(GroupFields);

/// `process.*`
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ProcessFields {
    /// Program name (syslog tag, acct `ac_comm`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Process id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pid: Option<i64>,
    /// `process.parent.pid`
    #[serde(skip_serializing_if = "ParentProcess::is_empty")]
    pub parent: ParentProcess,
    /// Full command line.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub command_line: Option<String>,
    /// First word of the command line / program path.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub executable: Option<String>,
    /// Working directory.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub working_directory: Option<String>,
    /// Exit status.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exit_code: Option<i64>,
    /// Start instant (RFC 3339 UTC).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start: Option<String>,
    /// End instant (RFC 3339 UTC).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end: Option<String>,
}
is_empty_impl!(ProcessFields);

/// `process.parent.*`
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ParentProcess {
    /// Parent process id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pid: Option<i64>,
}
is_empty_impl!(ParentProcess);

/// `source.*` / `destination.*`
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Endpoint {
    /// The peer as written.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    /// Only when it is an IP address.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ip: Option<String>,
    /// Port.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub port: Option<u16>,
    /// When it is a host name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub domain: Option<String>,
}
is_empty_impl!(Endpoint);

impl Endpoint {
    /// Fills `address`, and `ip` or `domain`, from a peer as written.
    pub fn set_address(&mut self, addr: &str) {
        self.address = Some(addr.to_string());
        let bare = addr.trim_start_matches('[').trim_end_matches(']');
        if bare.parse::<std::net::IpAddr>().is_ok() {
            self.ip = Some(bare.to_string());
        } else if !bare.is_empty() && bare != "unknown" {
            self.domain = Some(bare.to_string());
        }
    }
}

/// `email.*`
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct EmailFields {
    /// `email.from.address`
    #[serde(skip_serializing_if = "Addresses::is_empty")]
    pub from: Addresses,
    /// `email.to.address`
    #[serde(skip_serializing_if = "Addresses::is_empty")]
    pub to: Addresses,
    /// `email.message_id`
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message_id: Option<String>,
    /// `email.subject`
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
}
is_empty_impl!(EmailFields);

/// A list of mail addresses (`email.from.address`, `email.to.address`).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Addresses {
    /// The addresses.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub address: Vec<String>,
}
is_empty_impl!(Addresses);

/// `http.*`
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct HttpFields {
    /// `http.request.*`
    #[serde(skip_serializing_if = "HttpRequest::is_empty")]
    pub request: HttpRequest,
    /// `http.response.*`
    #[serde(skip_serializing_if = "HttpResponse::is_empty")]
    pub response: HttpResponse,
    /// `http.version`
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
}
is_empty_impl!(HttpFields);

/// `http.request.*`
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct HttpRequest {
    /// Method as written.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
    /// Referrer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub referrer: Option<String>,
    /// `http.request.id`
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// `http.request.bytes`
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bytes: Option<i64>,
}
is_empty_impl!(HttpRequest);

/// `http.response.*`
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct HttpResponse {
    /// Status code.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status_code: Option<i64>,
    /// `http.response.body.bytes`
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body: Option<HttpBody>,
    /// `http.response.bytes`
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bytes: Option<i64>,
}
is_empty_impl!(HttpResponse);

/// `http.response.body.*`
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct HttpBody {
    /// Body size in bytes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bytes: Option<i64>,
}

/// `url.*`
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct UrlFields {
    /// As written in the request line.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub original: Option<String>,
    /// Path part.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// Query part (without `?`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub query: Option<String>,
}
is_empty_impl!(UrlFields);

/// `user_agent.*`
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct UserAgentFields {
    /// As written.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub original: Option<String>,
}
is_empty_impl!(UserAgentFields);

/// `log.*`
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct LogFields {
    /// `log.file.path`
    #[serde(skip_serializing_if = "LogFile::is_empty")]
    pub file: LogFile,
    /// Byte offset of the record's first byte in the (decompressed) source.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub offset: Option<u64>,
    /// `log.syslog.*`
    #[serde(skip_serializing_if = "SyslogFields::is_empty")]
    pub syslog: SyslogFields,
    /// `log.level` where the source writes a level word.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub level: Option<String>,
}

/// `log.file.*`
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct LogFile {
    /// Source path, relative to the input root it was found under.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
}
is_empty_impl!(LogFile);

/// `log.syslog.*` (ECS)
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct SyslogFields {
    /// PRI value.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub priority: Option<u8>,
    /// `log.syslog.facility.*`
    #[serde(skip_serializing_if = "Option::is_none")]
    pub facility: Option<CodeName>,
    /// `log.syslog.severity.*`
    #[serde(skip_serializing_if = "Option::is_none")]
    pub severity: Option<CodeName>,
    /// RFC 5424 APP-NAME.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub appname: Option<String>,
    /// RFC 5424 PROCID.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub procid: Option<String>,
    /// RFC 5424 MSGID.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub msgid: Option<String>,
    /// RFC 5424 STRUCTURED-DATA: SD-ID → { PARAM-NAME → value }.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub structured_data: Option<Map<String, Value>>,
    /// RFC 5424 VERSION.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
}
is_empty_impl!(SyslogFields);

/// A numeric code with its name (`log.syslog.facility`, `log.syslog.severity`).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct CodeName {
    /// The number.
    pub code: u8,
    /// The conventional name.
    pub name: Str,
}

/// `jikoku.*`
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct JikokuFields {
    /// 1-based line number (text sources).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u64>,
    /// Terminal (`ttyp0`, `pts/3`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tty: Option<String>,
    /// `jikoku.source.*`
    #[serde(skip_serializing_if = "SourceFields::is_empty")]
    pub source: SourceFields,
    /// `jikoku.time.*`: how `@timestamp` was obtained.
    #[serde(skip_serializing_if = "TimeFields::is_empty")]
    pub time: TimeFields,
    /// `jikoku.mail.*`
    #[serde(skip_serializing_if = "MailFields::is_empty")]
    pub mail: MailFields,
    /// Lines of the source this record spans (multi-line records), when more than one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lines: Option<u64>,
    /// Family-specific fields with no ECS home (`jikoku.sudo.tsid`, `jikoku.acct.*`, …),
    /// keyed by family name.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `jikoku.source.*`
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct SourceFields {
    /// SHA-256 of the source file as read (compressed bytes if compressed).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sha256: Option<String>,
}
is_empty_impl!(SourceFields);

/// `jikoku.mail.*`
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct MailFields {
    /// MTA queue id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub queue_id: Option<String>,
    /// Delivery status (`sent`, `deferred`, `bounced`, …).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// Relay as written.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub relay: Option<String>,
    /// SASL login name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sasl_username: Option<String>,
    /// Other `jikoku.mail.*` details (size, nrcpt, delay, dsn, helo, …), written with
    /// `set_extra("mail", …)`: kept here so that `jikoku.mail` is one JSON object.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}
is_empty_impl!(MailFields);

/// `jikoku.time.*`
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct TimeFields {
    /// The time as the host's clock wrote it, with the offset it was resolved to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub local: Option<String>,
    /// Zone used (`Asia/Tokyo`, or a fixed offset `+09:00` when the record carried one).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub zone: Option<String>,
    /// `record`, `option`, `image` or `default`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub zone_source: Option<Str>,
    /// `record` or `inferred`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub year: Option<Str>,
    /// How an inferred year was found: `option`, `mtime`, `rotation`, `neighbour`, or `unknown`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub year_source: Option<Str>,
    /// Clock correction applied (corrected = clock − skew).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub skew_seconds: Option<f64>,
    /// The local time fell in a DST fold or gap.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ambiguous: Option<bool>,
    /// How an ambiguity (or another time problem) was resolved.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}
is_empty_impl!(TimeFields);

impl Event {
    /// A fresh event of kind `event` for `dataset`.
    pub fn new(dataset: impl Into<Str>) -> Self {
        let mut e = Event::default();
        e.event.kind = Cow::Borrowed(KIND_EVENT);
        e.event.dataset = dataset.into();
        e
    }

    /// A `pipeline_error` event keeping the original bytes and the reason.
    pub fn pipeline_error(
        dataset: impl Into<Str>,
        original: &[u8],
        reason: impl Into<String>,
    ) -> Self {
        let mut e = Event::default();
        e.event.kind = Cow::Borrowed(KIND_PIPELINE_ERROR);
        e.event.dataset = dataset.into();
        e.event.original = Some(crate::escape::bytes_to_text(original));
        e.error.message = Some(reason.into());
        e
    }

    /// True for `pipeline_error` events.
    pub fn is_error(&self) -> bool {
        self.event.kind == KIND_PIPELINE_ERROR
    }

    /// Sets category, type and action in one call.
    pub fn categorize(
        &mut self,
        category: &'static str,
        kind_type: &'static str,
        action: &'static str,
    ) {
        self.event.category = vec![Cow::Borrowed(category)];
        self.event.kind_type = vec![Cow::Borrowed(kind_type)];
        self.event.action = Some(Cow::Borrowed(action));
    }

    /// Sets `event.outcome`.
    pub fn outcome(&mut self, outcome: &'static str) {
        self.event.outcome = Some(Cow::Borrowed(outcome));
    }

    /// Inserts a family-specific field under `jikoku.<family>.<key>`.
    /// The `mail` family goes to [`MailFields::extra`], beside the typed `jikoku.mail` fields.
    pub fn set_extra(&mut self, family: &str, key: &str, value: impl Into<Value>) {
        if family == "mail" {
            self.jikoku.mail.extra.insert(key.to_string(), value.into());
            return;
        }
        // The family's map exists after its first field: found without allocating its name.
        if let Some(Value::Object(m)) = self.jikoku.extra.get_mut(family) {
            m.insert(key.to_string(), value.into());
            return;
        }
        let entry = self
            .jikoku
            .extra
            .entry(family.to_string())
            .or_insert_with(|| Value::Object(Map::new()));
        if let Value::Object(m) = entry {
            m.insert(key.to_string(), value.into());
        }
    }

    /// Reads a family-specific field `jikoku.<family>.<key>`.
    pub fn extra(&self, family: &str, key: &str) -> Option<&Value> {
        if family == "mail" {
            return self.jikoku.mail.extra.get(key);
        }
        self.jikoku.extra.get(family).and_then(|v| v.get(key))
    }

    /// Serializes to one line of JSON.
    pub fn to_json(&self) -> String {
        let mut out = Vec::with_capacity(1024);
        self.write_json(&mut out);
        String::from_utf8(out)
            .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
    }
}
