//! The dashboard's pages, rendered on the server from a [`Board`]. Every number shown sits in an element with
//! a `data-cell` name, so a browser test can read it back and compare it with the SDK.
use super::{board::{short, Board}, svg};
use serde_json::Value;
use std::fmt::Write;

/// Escapes text for HTML content and attribute values.
pub fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;").replace('\'', "&#39;")
}

/// `x` with `dp` decimals and thousands separators; `–` for none.
pub fn num(x: Option<f64>, dp: usize) -> String {
    let Some(x) = x.filter(|x| x.is_finite()) else { return "–".into() };
    let text = format!("{:.*}", dp, x.abs());
    let (int, frac) = text.split_once('.').map_or((text.as_str(), None), |(i, f)| (i, Some(f)));
    let mut grouped = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    let sign = if x < 0.0 && text.chars().any(|c| c.is_ascii_digit() && c != '0') { "-" } else { "" };
    match frac {
        Some(f) => format!("{sign}{grouped}.{f}"),
        None => format!("{sign}{grouped}"),
    }
}

/// A fraction as a percentage with two decimals.
pub fn pct(x: Option<f64>) -> String {
    match x.filter(|x| x.is_finite()) {
        Some(x) => format!("{}%", num(Some(100.0 * x), 2)),
        None => "–".into(),
    }
}

/// How much of a limit is used, or `none` when there is no limit.
pub fn used(x: Option<f64>, none: &str) -> String {
    if x.is_some() { format!("{} used", pct(x)) } else { none.into() }
}

/// Liquidation health with four decimals, or `no debt`.
pub fn health(h: Option<f64>) -> String {
    h.map(|h| num(Some(h), 4)).unwrap_or_else(|| "no debt".into())
}

/// A signed price move (fraction of spot): `−12.34%`, `+5.00%`, `now` for none needed, `never` for none.
pub fn price_move(m: Option<f64>) -> String {
    match m {
        None => "never".into(),
        Some(m) if m == 0.0 => "now".into(),
        Some(m) => format!("{}{}%", if m < 0.0 { "−" } else { "+" }, num(Some(100.0 * m.abs()), 2)),
    }
}

/// Seconds as the largest whole unit: `45 s`, `12 min`, `3 h`, `2 d`.
pub fn duration(secs: i64) -> String {
    match secs.max(0) {
        s if s < 120 => format!("{s} s"),
        s if s < 7_200 => format!("{} min", s / 60),
        s if s < 172_800 => format!("{} h", s / 3_600),
        s => format!("{} d", s / 86_400),
    }
}

/// A cell holding a number, named for tests.
fn cell(name: &str, shown: &str) -> String {
    format!(r#"<td class="n" data-cell="{}">{}</td>"#, esc(name), esc(shown))
}

/// The reserve's FLAG_* bits by name.
pub fn flags(bits: u64) -> String {
    use ballast_sdk::ballast::state::*;
    let names = [
        (FLAG_BORROW_ENABLED, "borrow"),
        (FLAG_COLLATERAL_ENABLED, "collateral"),
        (FLAG_FLASH_ENABLED, "flash"),
        (FLAG_PAUSED, "PAUSED"),
        (FLAG_REDUCE_ONLY, "REDUCE-ONLY"),
        (FLAG_ISOLATED, "isolated"),
        (FLAG_SECONDARY_ONLY, "secondary-only"),
        (FLAG_SINGLE_SOURCE_RISK, "single-source"),
    ];
    let on: Vec<&str> = names.iter().filter(|(b, _)| bits & *b as u64 != 0).map(|(_, n)| *n).collect();
    if on.is_empty() { "none".into() } else { on.join(" ") }
}

const STYLE: &str = "body{font:14px/1.4 system-ui,sans-serif;margin:0;color:#111;background:#fff}header{background:#0f172a;color:#fff;padding:10px 20px}header a{color:#cbd5e1;margin-right:16px;text-decoration:none}header a.on{color:#fff;font-weight:600}main{padding:12px 20px}table{border-collapse:collapse;margin:8px 0 18px}th,td{padding:3px 8px;border-bottom:1px solid #e5e7eb;text-align:left;white-space:nowrap}th{white-space:normal;vertical-align:bottom}table.wide{font-size:12.5px}td.n{text-align:right;font-variant-numeric:tabular-nums}.bad{color:#b91c1c;font-weight:600}.ok{color:#15803d}.charts{display:flex;flex-wrap:wrap;gap:16px}.chart .t{font-weight:600;font-size:13px}.chart .l,.chart .v,.chart .a,.chart .k{font-size:12px}.chart .a{text-anchor:end}footer{color:#666;padding:8px 20px;font-size:12px}";

/// Replaces `<main>` with the same page fetched again every `data-refresh-ms`, and counts refreshes.
const REFRESH_JS: &str = "(function(){var b=document.body,ms=+b.dataset.refreshMs;if(!(ms>0))return;setInterval(function(){fetch(location.href,{cache:'no-store'}).then(function(r){return r.ok?r.text():Promise.reject(r.status)}).then(function(t){var d=new DOMParser().parseFromString(t,'text/html');document.querySelector('main').replaceWith(d.querySelector('main'));document.querySelector('footer').replaceWith(d.querySelector('footer'));b.dataset.refreshed=(+b.dataset.refreshed||0)+1}).catch(function(){})},ms)})();";

/// The page around `body`: navigation, the refresh script, and a footer saying where the numbers come from.
pub fn layout(board: &Board, title: &str, active: &str, body: &str) -> String {
    let mut nav = String::new();
    for (href, name) in [("/", "Market"), ("/at-risk", "At risk"), ("/obligations", "Obligations"), ("/activity", "Liquidations & write-offs"), ("/stress", "Stress")] {
        let _ = write!(nav, r#"<a href="{href}"{}>{name}</a>"#, if name == active { r#" class="on""# } else { "" });
    }
    format!(
        r#"<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{} · Ballast</title><style>{STYLE}</style></head><body data-refresh-ms="{}" data-refreshed="0"><header><strong>Ballast</strong> &nbsp; {nav}</header><main><h2>{}</h2>{body}</main><footer data-cell="footer">source {} · slot <span data-cell="slot">{}</span> · clock {} · {} · read in {} ms · JSON at <a href="/api/board">/api/board</a></footer><script>{REFRESH_JS}</script></body></html>"#,
        esc(title),
        board.refresh_ms,
        esc(title),
        esc(&board.source),
        board.slot,
        board.now,
        esc(&board.status),
        board.build_ms,
    )
}

/// Per reserve: deposits, borrows, utilization, APRs, insurance, fees, LCR, caps, outflow, flags, oracles.
pub fn market(board: &Board) -> String {
    let m = &board.market;
    let mut s = format!(
        r#"<p>Market <code>{}</code> · close factor {} bps · timelock {} s · {} obligations · {}</p>"#,
        esc(m["market"].as_str().unwrap_or("")),
        m["close_factor_bps"],
        m["config_timelock_secs"],
        m["obligations"],
        if m["emergency"] == true { r#"<span class="bad" data-cell="emergency">EMERGENCY MODE</span>"# } else { r#"<span class="ok" data-cell="emergency">normal</span>"# },
    );
    s.push_str("<table class=\"wide\"><tr><th>asset</th><th>price</th><th>deposits</th><th>borrowed</th><th>available</th><th>utilization</th><th>supply APR</th><th>borrow APR</th><th>insurance fund</th><th>protocol fees</th><th>LCR</th><th>deposit cap</th><th>borrow cap</th><th>outflow limit</th><th>flags</th><th>oracle (status, price age)</th><th>refresh crank</th></tr>");
    for r in &board.reserves {
        let sym = r["symbol"].as_str().unwrap_or("");
        let f = |k: &str| r[k].as_f64();
        let source = |o: &Value, name: &str| {
            let st = &o["status"];
            let age = st["age_secs"].as_i64().map(|a| format!(" {a} s old")).unwrap_or_default();
            format!("{name} {}{age}", if st["valid"] == true { "ok" } else { "INVALID" })
        };
        let mut oracle_text = source(&r["oracle"]["primary"], "pyth");
        if !r["oracle"]["secondary"].is_null() {
            oracle_text = format!("{oracle_text}, {}", source(&r["oracle"]["secondary"], "switchboard"));
        }
        let age = r["cached_price"]["age_secs"].as_i64().map(|a| format!("{a} s ago")).unwrap_or_else(|| "never run".into());
        let _ = write!(
            s,
            "<tr><td>{}</td>{}{}{}{}{}{}{}{}{}{}{}{}{}<td data-cell=\"{}.flags\">{}</td><td data-cell=\"{}.oracle\" class=\"{}\">{}</td><td data-cell=\"{}.crank\">{}</td></tr>",
            esc(sym),
            cell(&format!("{sym}.price"), &num(f("price"), 4)),
            cell(&format!("{sym}.deposits"), &num(f("deposits"), 2)),
            cell(&format!("{sym}.borrowed"), &num(f("borrowed"), 2)),
            cell(&format!("{sym}.available"), &num(f("available_liquidity"), 2)),
            cell(&format!("{sym}.utilization"), &pct(f("utilization"))),
            cell(&format!("{sym}.supply_apr"), &pct(f("supply_apr"))),
            cell(&format!("{sym}.borrow_apr"), &pct(f("borrow_apr"))),
            cell(&format!("{sym}.insurance_fund"), &num(f("insurance_fund"), 4)),
            cell(&format!("{sym}.protocol_fees"), &num(f("protocol_fees"), 4)),
            cell(&format!("{sym}.lcr"), &pct(f("lcr"))),
            cell(&format!("{sym}.deposit_cap_use"), &used(f("deposit_cap_use"), "no cap")),
            cell(&format!("{sym}.borrow_cap_use"), &used(f("borrow_cap_use"), "no cap")),
            cell(&format!("{sym}.outflow_use"), &used(f("outflow_use"), "off")),
            esc(sym),
            flags(r["flags"].as_u64().unwrap_or(0)),
            esc(sym),
            if oracle_text.contains("INVALID") { "bad" } else { "ok" },
            oracle_text,
            esc(sym),
            age,
        );
    }
    s.push_str("</table><div class=\"charts\">");
    let bar = |key: &str| -> Vec<(String, f64, String)> {
        board.reserves.iter().map(|r| (r["symbol"].as_str().unwrap_or("").to_string(), r[key].as_f64().unwrap_or(0.0), pct(r[key].as_f64()))).collect()
    };
    s.push_str(&svg::bars("Utilization", &bar("utilization"), Some(1.0)));
    s.push_str(&svg::bars("Liquidity coverage ratio", &bar("lcr"), Some(1.0)));
    let symbols: Vec<String> = board.reserves.iter().map(|r| r["symbol"].as_str().unwrap_or("").to_string()).collect();
    let over_time = |pick: &dyn Fn(&super::board::Point, &str) -> Option<f64>| -> Vec<(String, Vec<Option<f64>>)> {
        symbols.iter().map(|sym| (sym.clone(), board.history.iter().map(|p| pick(p, sym)).collect())).collect()
    };
    let pct0 = |v: f64| format!("{:.0}%", 100.0 * v);
    let span = match (board.history.first(), board.history.last()) {
        (Some(a), Some(b)) => format!("{} ago", duration(b.now - a.now)),
        _ => String::new(),
    };
    let x = (span.as_str(), "now");
    s.push_str(&svg::lines("Utilization over time", &over_time(&|p, sym| p.utilization.get(sym).copied()), &pct0, x));
    s.push_str(&svg::lines("LCR over time", &over_time(&|p, sym| p.lcr.get(sym).copied().flatten()), &pct0, x));
    s.push_str("</div>");
    s
}

/// Debt by liquidation-health bucket, and per asset the move at which each bucket becomes liquidatable.
pub fn at_risk(board: &Board) -> String {
    let r = &board.risk;
    let mut s = format!("<p>Total debt <span data-cell=\"debt_total\">{}</span> · {} obligations without debt · <span data-cell=\"unpriced\" class=\"{}\">{}</span> unpriced (a price source does not validate; in no bucket). A price move is one asset's alone, others fixed; \"first\" makes one obligation of the bucket liquidatable, \"all\" every one exposed to the asset.</p>", num(Some(r.debt_value), 2), r.debt_free, if r.unpriced > 0 { "bad" } else { "ok" }, r.unpriced);
    s.push_str("<table><tr><th>liquidation health</th><th>obligations</th><th>debt value</th><th>collateral value</th></tr>");
    for (i, b) in r.buckets.iter().enumerate() {
        let _ = write!(
            s,
            "<tr><td>{}</td>{}{}{}</tr>",
            esc(&b.label),
            cell(&format!("bucket{i}.obligations"), &b.obligations.to_string()),
            cell(&format!("bucket{i}.debt"), &num(Some(b.debt_value), 2)),
            cell(&format!("bucket{i}.collateral"), &num(Some(b.collateral_value), 2)),
        );
    }
    s.push_str("</table>");
    let items: Vec<(String, f64, String)> = r.buckets.iter().map(|b| (b.label.clone(), b.debt_value, num(Some(b.debt_value), 0))).collect();
    s.push_str(&svg::bars("Debt by liquidation health", &items, None));
    s.push_str("<h3>Price move at which each bucket becomes liquidatable (first / all)</h3><table><tr><th>asset</th><th>side</th>");
    for b in &r.buckets {
        let _ = write!(s, "<th>{}</th>", esc(&b.label));
    }
    s.push_str("</tr>");
    let mut assets: Vec<(String, ballast_sdk::health::Side)> = r.moves.iter().map(|m| (m.reserve.clone(), m.side)).collect();
    assets.dedup();
    for (reserve, side) in assets {
        let sym = board.symbol(&reserve);
        let side_name = side.name();
        let _ = write!(s, "<tr><td>{}</td><td>{side_name}</td>", esc(&sym));
        for i in 0..r.buckets.len() {
            match r.moves.iter().find(|m| m.reserve == reserve && m.side == side && m.bucket == i) {
                Some(m) => {
                    let _ = write!(
                        s,
                        r#"<td class="n"><span data-cell="{sym}.{side_name}.{i}.first">{}</span> / <span data-cell="{sym}.{side_name}.{i}.all">{}</span></td>"#,
                        price_move(m.first),
                        price_move(m.all),
                        sym = esc(&sym),
                    );
                }
                None => s.push_str("<td class=\"n\">·</td>"),
            }
        }
        s.push_str("</tr>");
    }
    s.push_str("</table>");
    s
}

/// Every obligation, sorted by `sort` (health, debt or collateral); headers link to the other orders.
pub fn obligations(board: &Board, sort: &str, descending: bool) -> String {
    let head = |key: &str, name: &str| {
        let next_desc = key == sort && !descending;
        let arrow = if key == sort { if descending { " ▼" } else { " ▲" } } else { "" };
        format!(r#"<th><a href="/obligations?sort={key}&amp;order={}">{name}{arrow}</a></th>"#, if next_desc { "desc" } else { "asc" })
    };
    let mut s = format!("<table><tr><th>obligation</th><th>owner</th>{}{}{}<th></th></tr>", head("health", "liquidation health"), head("debt", "debt value"), head("collateral", "collateral value"));
    for o in board.sorted(sort, descending) {
        let (class, note) = match (&o.error, o.liquidatable) {
            (Some(e), _) => ("bad", format!("UNPRICED: {e}")),
            (None, true) => ("bad", "LIQUIDATABLE".to_string()),
            (None, false) => ("ok", String::new()),
        };
        let _ = write!(
            s,
            r#"<tr data-row="{k}"><td><a href="/obligations/{k}">{}</a></td><td>{}</td>{}{}{}<td class="{class}">{}</td></tr>"#,
            esc(&short(&o.obligation)),
            esc(&short(&o.owner)),
            cell(&format!("{}.health", o.obligation), &if o.error.is_some() { "unpriced".to_string() } else { health(o.liquidation_health) }),
            cell(&format!("{}.debt", o.obligation), &num(Some(o.debt_value), 2)),
            cell(&format!("{}.collateral", o.obligation), &num(Some(o.collateral_value), 2)),
            esc(&note),
            k = esc(&o.obligation),
        );
    }
    s.push_str("</table>");
    s
}

/// One obligation's page from its detail (`Board::detail`): positions, health, max borrow per reserve,
/// liquidation prices.
pub fn obligation(board: &Board, d: &Value) -> String {
    let h = d["liquidation_health"].as_f64();
    let mut s = format!(
        r#"<p>Owner <code>{}</code> · elevation group {} · liquidation health <strong data-cell="health" class="{}">{}</strong> · collateral value <span data-cell="collateral">{}</span> · debt value <span data-cell="debt">{}</span></p>"#,
        esc(d["owner"].as_str().unwrap_or("")),
        d["elevation_group"],
        if d["liquidatable"] == true { "bad" } else { "ok" },
        health(h),
        num(d["collateral_value"].as_f64(), 2),
        num(d["debt_value"].as_f64(), 2),
    );
    s.push_str("<h3>Collateral</h3><table><tr><th>asset</th><th>cTokens</th><th>liquidity</th><th>withdrawable cTokens</th></tr>");
    for p in d["deposits"].as_array().into_iter().flatten() {
        let sym = board.symbol(p["reserve"].as_str().unwrap_or(""));
        let _ = write!(s, "<tr><td>{}</td>{}{}{}</tr>", esc(&sym), cell(&format!("deposit.{sym}.ctokens"), &num(p["ctokens"].as_f64(), 0)), cell(&format!("deposit.{sym}.liquidity"), &num(p["liquidity"].as_f64(), 6)), cell(&format!("deposit.{sym}.max_withdraw"), &num(p["max_withdraw_ctokens"].as_f64(), 0)));
    }
    s.push_str("</table><h3>Debt</h3><table><tr><th>asset</th><th>debt</th></tr>");
    for b in d["borrows"].as_array().into_iter().flatten() {
        let sym = board.symbol(b["reserve"].as_str().unwrap_or(""));
        let _ = write!(s, "<tr><td>{}</td>{}</tr>", esc(&sym), cell(&format!("borrow.{sym}.debt"), &num(b["debt"].as_f64(), 6)));
    }
    s.push_str("</table><h3>Max borrow</h3><table><tr><th>asset</th><th>max borrow</th></tr>");
    for m in d["max_borrow"].as_array().into_iter().flatten() {
        let sym = board.symbol(m["reserve"].as_str().unwrap_or(""));
        let _ = write!(s, "<tr><td>{}</td>{}</tr>", esc(&sym), cell(&format!("max_borrow.{sym}"), &num(m["max_borrow"].as_f64(), 6)));
    }
    s.push_str("</table><h3>Liquidation prices</h3><table><tr><th>asset</th><th>side</th><th>spot</th><th>liquidation price</th><th>move</th></tr>");
    for l in d["liquidation_prices"].as_array().into_iter().flatten() {
        let sym = board.symbol(l["reserve"].as_str().unwrap_or(""));
        let side = l["side"].as_str().unwrap_or("");
        let (spot, liq, mv) = (l["spot"].as_f64(), l["liquidation_price"].as_f64(), l["price_move"].as_f64());
        let _ = write!(s, "<tr><td>{}</td><td>{side}</td>{}{}{}</tr>", esc(&sym), cell(&format!("liq.{sym}.{side}.spot"), &num(spot, 4)), cell(&format!("liq.{sym}.{side}.price"), &num(liq, 4)), cell(&format!("liq.{sym}.{side}.move"), &price_move(mv)));
    }
    s.push_str("</table>");
    let values = [("collateral".to_string(), d["collateral_value"].as_f64().unwrap_or(0.0), num(d["collateral_value"].as_f64(), 2)), ("debt".to_string(), d["debt_value"].as_f64().unwrap_or(0.0), num(d["debt_value"].as_f64(), 2))];
    s.push_str(&svg::bars("Collateral and debt value (liquidation prices)", &values, None));
    s
}

/// The recent liquidations and write-offs, newest first.
pub fn activity(board: &Board) -> String {
    let liquidations = board.activity.iter().filter(|a| a.kind == "liquidation").count();
    let mut s = format!(
        "<p><span data-cell=\"liquidations\">{liquidations}</span> liquidations and <span data-cell=\"write_offs\">{}</span> write-offs among the market's last {} transactions with events.</p>",
        board.activity.len() - liquidations,
        super::board::ACTIVITY_TXS
    );
    if let Some(e) = &board.activity_error {
        let _ = write!(s, "<p class=\"bad\" data-cell=\"activity_error\">Reading the transactions failed ({}); these are the last rows read.</p>", esc(e));
    }
    s.push_str("<table><tr><th>slot</th><th>what</th><th>obligation</th><th>asset</th><th>amount</th><th>details</th><th>transaction</th></tr>");
    for (i, a) in board.activity.iter().enumerate() {
        let d = &a.detail;
        let detail = if a.kind == "liquidation" {
            format!("seized {} {} · bonus {} bps", num(d["seized_liquidity"].as_f64(), 6), esc(&board.symbol(d["withdraw_reserve"].as_str().unwrap_or(""))), d["bonus_bps"])
        } else {
            format!(
                "insurance {} · protocol fees {} · depositors <span data-cell=\"act{i}.from_depositors\">{}</span>",
                num(d["from_insurance"].as_f64(), 6),
                num(d["from_protocol_fees"].as_f64(), 6),
                num(d["from_depositors"].as_f64(), 6)
            )
        };
        let _ = write!(
            s,
            r#"<tr><td>{}</td><td class="{}">{}</td><td><a href="/obligations/{}">{}</a></td><td>{}</td>{}<td>{detail}</td><td><code>{}</code></td></tr>"#,
            a.slot,
            if a.kind == "write-off" { "bad" } else { "" },
            a.kind,
            esc(&a.obligation),
            short(&a.obligation),
            esc(&board.symbol(&a.reserve)),
            cell(&format!("act{i}.amount"), &num(Some(a.amount), 6)),
            esc(&short(&a.signature)),
        );
    }
    s.push_str("</table>");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn num_succeeds_grouping_thousands_and_keeping_the_sign() {
        assert_eq!(num(Some(1234567.891), 2), "1,234,567.89");
        assert_eq!(num(Some(-1234.5), 1), "-1,234.5");
        assert_eq!(num(Some(-0.0001), 2), "0.00");
        assert_eq!(num(Some(999.0), 0), "999");
        assert_eq!(num(None, 2), "–");
        assert_eq!(pct(Some(0.42126)), "42.13%");
        assert_eq!(price_move(Some(-0.2)), "−20.00%");
        assert_eq!(price_move(Some(0.0)), "now");
        assert_eq!(esc("<a href='x'>&"), "&lt;a href=&#39;x&#39;&gt;&amp;");
    }
}
