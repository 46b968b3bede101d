//! HTTP signals: webshells, CMS admin logins, form-spam bursts, scanners.

use polars::prelude::*;

use super::frame::http_frame;
use super::{Finding, ms_text, rank};

/// Bucket of the form-burst signal (10 minutes).
pub const BURST_WINDOW_MS: i64 = 600_000;

/// `e` capped at `max` (as f64), without polars' `round_series` feature.
pub(crate) fn cap(e: Expr, max: f64) -> Expr {
    let e = e.cast(DataType::Float64);
    when(e.clone().gt(lit(max))).then(lit(max)).otherwise(e)
}

pub(crate) fn f(name: &str) -> Expr {
    col(name).cast(DataType::Float64)
}

pub(crate) fn count_if(cond: Expr) -> Expr {
    cond.cast(DataType::Int64).sum()
}

pub(crate) fn strs(df: &DataFrame, name: &str) -> PolarsResult<Vec<String>> {
    let c = df.column(name)?.cast(&DataType::String)?;
    Ok(c.str()?.iter().map(|o| o.unwrap_or("").to_string()).collect())
}

pub(crate) fn i64s(df: &DataFrame, name: &str) -> PolarsResult<Vec<i64>> {
    let c = df.column(name)?.cast(&DataType::Int64)?;
    Ok(c.i64()?.iter().map(|o| o.unwrap_or(0)).collect())
}

pub(crate) fn f64s(df: &DataFrame, name: &str) -> PolarsResult<Vec<f64>> {
    let c = df.column(name)?.cast(&DataType::Float64)?;
    Ok(c.f64()?.iter().map(|o| o.unwrap_or(0.0)).collect())
}

fn post() -> Expr {
    col("method").eq(lit("POST"))
}

fn status_is(code: i64) -> Expr {
    col("status").eq(lit(code))
}

/// Ranked HTTP signals over request events (see the module docs of [`super`]).
pub fn http_signals(events: &[serde_json::Value]) -> PolarsResult<Vec<Finding>> {
    let (df, _) = http_frame(events)?;
    http_signals_frame(&df)
}

/// As [`http_signals`], on a frame from [`http_frame`].
pub fn http_signals_frame(df: &DataFrame) -> PolarsResult<Vec<Finding>> {
    if df.height() == 0 {
        return Ok(vec![]);
    }
    let ts = i64s(df, "ts")?;
    let t0 = ts.iter().copied().min().unwrap_or(0);
    let t1 = ts.iter().copied().max().unwrap_or(0);
    let mut out = vec![];
    out.extend(webshells(df, t0, t1)?);
    out.extend(admin_logins(df)?);
    out.extend(form_bursts(df)?);
    out.extend(scanners(df)?);
    rank(&mut out);
    Ok(out)
}

/// POSTs to `.php` files that few clients ever requested and that first appeared late in the
/// data: a script dropped by an attacker (uploads directory) and driven by one client.
fn webshells(df: &DataFrame, t0: i64, t1: i64) -> PolarsResult<Vec<Finding>> {
    let span = t1.saturating_sub(t0).max(1) as f64;
    let ok = col("status").lt(lit(400i64));
    let r = df
        .clone()
        .lazy()
        .filter(col("php").and(col("login").not()))
        .group_by([col("path")])
        .agg([
            col("client").n_unique().cast(DataType::Int64).alias("clients"),
            count_if(post()).alias("posts"),
            count_if(post().and(ok)).alias("posts_ok"),
            col("client").filter(post()).first().alias("poster"),
            col("ts").min().alias("first"),
            col("ts").max().alias("last"),
            len().cast(DataType::Int64).alias("count"),
            col("upload_dir").first().alias("upload_dir"),
        ])
        .filter(col("posts").gt(lit(0i64)).and(col("clients").lt_eq(lit(3i64))))
        .with_columns([((f("first") - lit(t0 as f64)) / lit(span)).alias("recency")])
        .with_columns([(lit(35.0) * col("recency")
            + lit(30.0) / f("clients")
            + lit(15.0) * cap(col("posts_ok"), 5.0) / lit(5.0)
            + when(col("upload_dir")).then(lit(20.0)).otherwise(lit(0.0)))
        .alias("score")])
        .collect()?;
    let (path, clients, posts, posts_ok, poster) = (
        strs(&r, "path")?,
        i64s(&r, "clients")?,
        i64s(&r, "posts")?,
        i64s(&r, "posts_ok")?,
        strs(&r, "poster")?,
    );
    let (first, last, count, recency, score, up) = (
        i64s(&r, "first")?,
        i64s(&r, "last")?,
        i64s(&r, "count")?,
        f64s(&r, "recency")?,
        f64s(&r, "score")?,
        i64s(&r, "upload_dir")?,
    );
    let mut v = vec![];
    for i in 0..r.height() {
        let g = |x: &Vec<i64>| x.get(i).copied().unwrap_or(0);
        let c = g(&clients);
        let who = if c == 1 {
            format!("requested by one client only ({})", poster.get(i).map_or("", |s| s.as_str()))
        } else {
            format!("requested by {c} clients only")
        };
        let rec = recency.get(i).copied().unwrap_or(0.0);
        v.push(Finding {
            kind: "webshell".into(),
            subject: path.get(i).cloned().unwrap_or_default(),
            score: score.get(i).copied().unwrap_or(0.0),
            reason: format!(
                "{} POSTs ({} answered < 400) to a .php {who}; first seen {}% into the data{}",
                g(&posts),
                g(&posts_ok),
                (rec * 100.0).round(),
                if g(&up) != 0 { "; under an upload directory" } else { "" }
            ),
            first_seen_ms: g(&first),
            last_seen_ms: g(&last),
            count: g(&count),
        });
    }
    Ok(v)
}

/// Logins to CMS admin paths per client, outcome guessed from status: a POST answered 3xx
/// (redirect to the dashboard) or a GET of an admin page answered 200 is a success; a POST to a
/// login form answered 200 (form shown again), 401 or 403 a failure.
fn admin_logins(df: &DataFrame) -> PolarsResult<Vec<Finding>> {
    let attempt = post().and(col("admin_page").not());
    let fail = attempt
        .clone()
        .and(status_is(401).or(status_is(403)).or(status_is(200).and(col("login_form"))));
    let redirect = col("status").gt_eq(lit(300i64)).and(col("status").lt(lit(400i64)));
    let succ = attempt
        .clone()
        .and(redirect)
        .or(col("method").eq(lit("GET")).and(col("admin_page")).and(status_is(200)));
    let r = df
        .clone()
        .lazy()
        .filter(col("login"))
        .group_by([col("client")])
        .agg([
            count_if(attempt).alias("attempts"),
            count_if(fail.clone()).alias("fails"),
            count_if(succ.clone()).alias("succ"),
            col("ts").filter(succ).min().alias("first_succ"),
            col("ts").filter(fail).max().alias("last_fail"),
            col("path").filter(post()).first().alias("path"),
            col("path").n_unique().cast(DataType::Int64).alias("paths"),
            col("ts").min().alias("first"),
            col("ts").max().alias("last"),
            len().cast(DataType::Int64).alias("count"),
        ])
        .filter(col("attempts").gt_eq(lit(3i64)))
        .with_columns([(lit(55.0) * cap(col("fails"), 50.0) / lit(50.0)
            + when(col("succ").gt(lit(0i64)).and(col("fails").gt_eq(lit(5i64))))
                .then(lit(35.0))
                .otherwise(lit(0.0))
            + lit(5.0) * cap(col("attempts"), 100.0) / lit(100.0))
        .alias("score")])
        .filter(col("score").gt_eq(lit(5.0)))
        .collect()?;
    let (client, path, attempts, fails, succ, paths) = (
        strs(&r, "client")?,
        strs(&r, "path")?,
        i64s(&r, "attempts")?,
        i64s(&r, "fails")?,
        i64s(&r, "succ")?,
        i64s(&r, "paths")?,
    );
    let (first_succ, first, last, count, score) = (
        i64s(&r, "first_succ")?,
        i64s(&r, "first")?,
        i64s(&r, "last")?,
        i64s(&r, "count")?,
        f64s(&r, "score")?,
    );
    let mut v = vec![];
    for i in 0..r.height() {
        let g = |x: &Vec<i64>| x.get(i).copied().unwrap_or(0);
        let s = g(&succ);
        let success = if s > 0 {
            format!(
                "{s} look successful (redirect, or admin page 200), first at {}",
                ms_text(g(&first_succ))
            )
        } else {
            "none looks successful".to_string()
        };
        v.push(Finding {
            kind: "admin-login".into(),
            subject: client.get(i).cloned().unwrap_or_default(),
            score: score.get(i).copied().unwrap_or(0.0),
            reason: format!(
                "{} login POSTs to CMS admin paths ({} distinct, e.g. {}): {} look failed (form shown again, 401, 403); {success}",
                g(&attempts),
                g(&paths),
                path.get(i).map_or("", |s| s.as_str()),
                g(&fails),
            ),
            first_seen_ms: g(&first),
            last_seen_ms: g(&last),
            count: g(&count),
        });
    }
    Ok(v)
}

/// Bursts of POSTs to one endpoint (contact forms abused to send spam): the busiest 10-minute
/// window of each path against that path's usual POSTs per active window.
fn form_bursts(df: &DataFrame) -> PolarsResult<Vec<Finding>> {
    let r = df
        .clone()
        .lazy()
        .filter(post().and(col("login").not()))
        .with_columns([(col("ts") / lit(BURST_WINDOW_MS)).alias("bucket")])
        .group_by([col("path"), col("bucket")])
        .agg([
            len().cast(DataType::Int64).alias("posts"),
            col("client").n_unique().cast(DataType::Int64).alias("clients"),
            col("ts").min().alias("first"),
            col("ts").max().alias("last"),
            col("form").first().alias("form"),
        ])
        .with_columns([
            col("posts").sum().over([col("path")])?.alias("path_posts"),
            len().over([col("path")])?.cast(DataType::Int64).alias("path_windows"),
        ])
        .with_columns([((f("path_posts") - f("posts"))
            / when(col("path_windows").gt(lit(1i64)))
                .then(f("path_windows") - lit(1.0))
                .otherwise(lit(1.0)))
        .alias("baseline")])
        .filter(col("posts").gt_eq(lit(20i64)).and(f("posts").gt_eq(lit(5.0) * col("baseline"))))
        .with_columns([(lit(45.0) * cap(col("posts"), 100.0) / lit(100.0)
            + lit(25.0) * cap(f("posts") / f("clients"), 20.0) / lit(20.0)
            + when(col("form")).then(lit(15.0)).otherwise(lit(0.0))
            + lit(10.0) * (lit(1.0) - cap(lit(5.0) * col("baseline") / f("posts"), 1.0)))
        .alias("score")])
        .sort(
            ["score"],
            SortMultipleOptions::default().with_order_descending(true).with_maintain_order(true),
        )
        .collect()?;
    let (path, posts, clients, first, last) = (
        strs(&r, "path")?,
        i64s(&r, "posts")?,
        i64s(&r, "clients")?,
        i64s(&r, "first")?,
        i64s(&r, "last")?,
    );
    let (baseline, score, form) = (f64s(&r, "baseline")?, f64s(&r, "score")?, i64s(&r, "form")?);
    let mut seen = std::collections::HashMap::<String, usize>::new();
    let mut v: Vec<Finding> = vec![];
    for i in 0..r.height() {
        let g = |x: &Vec<i64>| x.get(i).copied().unwrap_or(0);
        let p = path.get(i).cloned().unwrap_or_default();
        if let Some(&k) = seen.get(&p) {
            // Later windows of a path already reported: counted in its reason.
            if let Some(f) = v.get_mut(k) {
                f.reason.push_str(&format!(
                    "; another burst of {} at {}",
                    g(&posts),
                    ms_text(g(&first))
                ));
            }
            continue;
        }
        seen.insert(p.clone(), v.len());
        let mins = (g(&last).saturating_sub(g(&first)) as f64 / 60_000.0).ceil().max(1.0);
        v.push(Finding {
            kind: "form-burst".into(),
            subject: p,
            score: score.get(i).copied().unwrap_or(0.0),
            reason: format!(
                "{} POSTs in {mins} min from {} clients (usually {:.1} per active 10-min window){}",
                g(&posts),
                g(&clients),
                baseline.get(i).copied().unwrap_or(0.0),
                if g(&form) != 0 { "; a form endpoint" } else { "" }
            ),
            first_seen_ms: g(&first),
            last_seen_ms: g(&last),
            count: g(&posts),
        });
    }
    Ok(v)
}

/// Clients with many 404s over many distinct paths.
fn scanners(df: &DataFrame) -> PolarsResult<Vec<Finding>> {
    let nf = status_is(404);
    let r = df
        .clone()
        .lazy()
        .group_by([col("client")])
        .agg([
            len().cast(DataType::Int64).alias("count"),
            count_if(nf.clone()).alias("n404"),
            col("path").filter(nf).n_unique().cast(DataType::Int64).alias("p404"),
            col("ts").min().alias("first"),
            col("ts").max().alias("last"),
            col("user_agent").first().alias("ua"),
        ])
        .filter(col("n404").gt_eq(lit(20i64)).and(col("p404").gt_eq(lit(10i64))))
        .with_columns([(lit(45.0) * f("n404") / f("count") * cap(col("p404"), 100.0) / lit(100.0)
            + lit(5.0) * cap(col("n404"), 1000.0) / lit(1000.0))
        .alias("score")])
        .collect()?;
    let (client, count, n404, p404, first, last) = (
        strs(&r, "client")?,
        i64s(&r, "count")?,
        i64s(&r, "n404")?,
        i64s(&r, "p404")?,
        i64s(&r, "first")?,
        i64s(&r, "last")?,
    );
    let (ua, score) = (strs(&r, "ua")?, f64s(&r, "score")?);
    let mut v = vec![];
    for i in 0..r.height() {
        let g = |x: &Vec<i64>| x.get(i).copied().unwrap_or(0);
        let c = g(&count).max(1);
        v.push(Finding {
            kind: "scanner".into(),
            subject: client.get(i).cloned().unwrap_or_default(),
            score: score.get(i).copied().unwrap_or(0.0),
            reason: format!(
                "{} of {} requests answered 404 ({}%), over {} distinct paths; user agent {:?}",
                g(&n404),
                c,
                g(&n404) * 100 / c,
                g(&p404),
                ua.get(i).map_or("", |s| s.as_str())
            ),
            first_seen_ms: g(&first),
            last_seen_ms: g(&last),
            count: c,
        });
    }
    Ok(v)
}

/// Per-client (`by = "client"`) or per-path (`by = "path"`) table: requests, POSTs, 404s,
/// distinct paths / clients, first and last seen; busiest first.
pub fn http_summary(events: &[serde_json::Value], by: &str) -> PolarsResult<DataFrame> {
    let (df, _) = http_frame(events)?;
    let (key, other) = match by {
        "client" => ("client", "path"),
        "path" => ("path", "client"),
        other => {
            return Err(PolarsError::InvalidOperation(
                format!("--by {other:?}: http knows signal, client, path").into(),
            ));
        }
    };
    let r = df
        .lazy()
        .group_by([col(key)])
        .agg([
            len().cast(DataType::Int64).alias("requests"),
            count_if(post()).alias("posts"),
            count_if(status_is(404)).alias("status_404"),
            col("status").gt_eq(lit(500i64)).cast(DataType::Int64).sum().alias("status_5xx"),
            col(other).n_unique().cast(DataType::Int64).alias(format!("{other}s")),
            col("user_agent").n_unique().cast(DataType::Int64).alias("user_agents"),
            col("ts").min().alias("first_seen"),
            col("ts").max().alias("last_seen"),
        ])
        .sort(
            ["requests", key],
            SortMultipleOptions::default()
                .with_order_descending_multi([true, false])
                .with_maintain_order(true),
        )
        .collect()?;
    super::output::times_as_text(r, &["first_seen", "last_seen"])
}
