//! Mail signals: per SASL account and day, and accounts ranked by how much their worst day
//! looks like a compromised account sending spam.

use polars::prelude::*;

use super::frame::mail_frame;
use super::http::{cap, count_if, f, f64s, i64s, strs};
use super::{Finding, rank};

/// Per account and day: `messages` (distinct queue ids submitted), `recipients` (deliveries of
/// those messages), `client_ips`, `nets_24` (distinct /24), `tlds` (distinct rDNS top-level
/// domains), `bounced`, `bounce_ratio`, `rejects`, `first_seen`/`last_seen` (ms).
///
/// The account is on the smtpd line (`sasl_username=`); deliveries (`to=`, `status=`) are on the
/// qmgr/smtp lines of the same queue id: they are joined on `queue_id`.
fn per_account_day(df: &DataFrame) -> PolarsResult<LazyFrame> {
    let lf = df.clone().lazy();
    let submissions = lf.clone().filter(col("account").is_not_null());
    let owner = submissions
        .clone()
        .filter(col("queue_id").is_not_null())
        .group_by([col("queue_id")])
        .agg([col("account").first().alias("owner")]);
    let deliveries = lf
        .filter(col("recipient").is_not_null().and(col("queue_id").is_not_null()))
        .inner_join(owner, col("queue_id"), col("queue_id"))
        .group_by([col("owner").alias("account"), col("day")])
        .agg([
            len().cast(DataType::Int64).alias("recipients"),
            count_if(col("status").eq(lit("bounced"))).alias("bounced"),
        ]);
    let subs = submissions.group_by([col("account"), col("day")]).agg([
        col("queue_id").n_unique().cast(DataType::Int64).alias("messages_q"),
        col("queue_id").null_count().cast(DataType::Int64).alias("no_queue"),
        col("client_ip").n_unique().cast(DataType::Int64).alias("client_ips"),
        col("net24").drop_nulls().n_unique().cast(DataType::Int64).alias("nets_24"),
        col("tld").drop_nulls().n_unique().cast(DataType::Int64).alias("tlds"),
        count_if(col("reject")).alias("rejects"),
        col("ts").min().alias("first_seen"),
        col("ts").max().alias("last_seen"),
    ]);
    Ok(subs
        .join(
            deliveries,
            [col("account"), col("day")],
            [col("account"), col("day")],
            JoinArgs::new(JoinType::Left),
        )
        .with_columns([
            // n_unique counts the null queue id (a reject has none) as one value.
            (col("messages_q")
                - when(col("no_queue").gt(lit(0i64))).then(lit(1i64)).otherwise(lit(0i64)))
            .alias("messages"),
            col("recipients").fill_null(lit(0i64)),
            col("bounced").fill_null(lit(0i64)),
        ])
        .with_columns([(f("bounced")
            / when(col("recipients").gt(lit(0i64))).then(f("recipients")).otherwise(lit(1.0)))
        .alias("bounce_ratio")]))
}

/// Per account and day table (see [`per_account_day`]), busiest first.
pub fn mail_summary(events: &[serde_json::Value]) -> PolarsResult<DataFrame> {
    let (df, _) = mail_frame(events)?;
    let r = per_account_day(&df)?
        .select([
            col("account"),
            col("day"),
            col("messages"),
            col("recipients"),
            col("client_ips"),
            col("nets_24"),
            col("tlds"),
            col("bounced"),
            col("bounce_ratio"),
            col("rejects"),
            col("first_seen"),
            col("last_seen"),
        ])
        .sort(
            ["recipients", "account", "day"],
            SortMultipleOptions::default()
                .with_order_descending_multi([true, false, false])
                .with_maintain_order(true),
        )
        .collect()?;
    super::output::times_as_text(r, &["first_seen", "last_seen"])
}

/// Accounts ranked by their worst day: recipients far above the account's usual day, many
/// client networks (/24) and rDNS TLDs, bounces and rejects (a stolen password used by a
/// spam botnet).
pub fn mail_signals(events: &[serde_json::Value]) -> PolarsResult<Vec<Finding>> {
    let (df, _) = mail_frame(events)?;
    if df.height() == 0 {
        return Ok(vec![]);
    }
    let days = per_account_day(&df)?;
    // Account-wide distinct networks and TLDs, over all days.
    let wide =
        df.clone().lazy().filter(col("account").is_not_null()).group_by([col("account")]).agg([
            col("net24").drop_nulls().n_unique().cast(DataType::Int64).alias("nets_total"),
            col("tld").drop_nulls().n_unique().cast(DataType::Int64).alias("tlds_total"),
        ]);
    let r = days
        .with_columns([
            col("recipients").sum().over([col("account")])?.alias("acct_rcpt"),
            len().over([col("account")])?.cast(DataType::Int64).alias("acct_days"),
            col("bounced").sum().over([col("account")])?.alias("acct_bounced"),
            col("rejects").sum().over([col("account")])?.alias("acct_rejects"),
            col("first_seen").min().over([col("account")])?.alias("acct_first"),
            col("last_seen").max().over([col("account")])?.alias("acct_last"),
        ])
        .with_columns([((f("acct_rcpt") - f("recipients"))
            / when(col("acct_days").gt(lit(1i64)))
                .then(f("acct_days") - lit(1.0))
                .otherwise(lit(1.0)))
        .alias("usual")])
        .sort(
            ["recipients"],
            SortMultipleOptions::default().with_order_descending(true).with_maintain_order(true),
        )
        .group_by_stable([col("account")])
        .agg([
            col("day").first().alias("peak_day"),
            col("recipients").first().alias("peak_rcpt"),
            col("nets_24").first().alias("peak_nets"),
            col("usual").first().alias("usual"),
            col("acct_rcpt").first().alias("rcpt"),
            col("acct_bounced").first().alias("bounced"),
            col("acct_rejects").first().alias("rejects"),
            col("acct_first").first().alias("first"),
            col("acct_last").first().alias("last"),
            col("messages").sum().alias("messages"),
        ])
        .join(wide, [col("account")], [col("account")], JoinArgs::new(JoinType::Left))
        .with_columns([(f("bounced")
            / when(col("rcpt").gt(lit(0i64))).then(f("rcpt")).otherwise(lit(1.0)))
        .alias("bounce_ratio")])
        .with_columns([(lit(35.0)
            * cap(
                f("peak_rcpt")
                    / (lit(5.0)
                        * when(col("usual").gt(lit(2.0))).then(col("usual")).otherwise(lit(2.0))),
                1.0,
            )
            + lit(25.0) * cap((f("nets_total") - lit(1.0)) / lit(10.0), 1.0)
            + lit(15.0) * cap((f("tlds_total") - lit(1.0)) / lit(5.0), 1.0)
            + lit(15.0) * cap(col("bounce_ratio") / lit(0.3), 1.0)
            + lit(10.0) * cap(f("rejects") / lit(20.0), 1.0))
        .alias("score")])
        .collect()?;
    let (account, peak_day) = (strs(&r, "account")?, strs(&r, "peak_day")?);
    let (peak_rcpt, peak_nets, rcpt, bounced, rejects) = (
        i64s(&r, "peak_rcpt")?,
        i64s(&r, "peak_nets")?,
        i64s(&r, "rcpt")?,
        i64s(&r, "bounced")?,
        i64s(&r, "rejects")?,
    );
    let (first, last, messages, nets, tlds) = (
        i64s(&r, "first")?,
        i64s(&r, "last")?,
        i64s(&r, "messages")?,
        i64s(&r, "nets_total")?,
        i64s(&r, "tlds_total")?,
    );
    let (usual, ratio, score) = (f64s(&r, "usual")?, f64s(&r, "bounce_ratio")?, f64s(&r, "score")?);
    let mut v = vec![];
    for i in 0..r.height() {
        let g = |x: &Vec<i64>| x.get(i).copied().unwrap_or(0);
        v.push(Finding {
            kind: "mail-account".into(),
            subject: account.get(i).cloned().unwrap_or_default(),
            score: score.get(i).copied().unwrap_or(0.0),
            reason: format!(
                "worst day {}: {} recipients from {} /24 networks (usually {:.1} recipients a day); \
                 over all days {} messages, {} recipients, {} /24 networks, {} rDNS TLDs, \
                 {:.0}% bounced, {} rejects",
                peak_day.get(i).map_or("", |s| s.as_str()),
                g(&peak_rcpt),
                g(&peak_nets),
                usual.get(i).copied().unwrap_or(0.0),
                g(&messages),
                g(&rcpt),
                g(&nets),
                g(&tlds),
                ratio.get(i).copied().unwrap_or(0.0) * 100.0,
                g(&rejects),
            ),
            first_seen_ms: g(&first),
            last_seen_ms: g(&last),
            count: g(&messages),
        });
    }
    let _ = bounced;
    rank(&mut v);
    Ok(v)
}
