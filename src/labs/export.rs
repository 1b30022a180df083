//! A lab's results as one standalone HTML file: text, tables and the charts as
//! embedded images, with no script and nothing fetched.

/// Escapes text for HTML.
pub fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

pub struct Picture {
    /// A `data:image/png;base64,…` URL.
    pub image: String,
    pub caption: String,
}

/// The report: `rows[0]` is the header row of the table.
pub fn report_html(title: &str, intro: &[&str], link: &str, rows: &[Vec<String>], figures: &[Picture], note: &str) -> String {
    let mut out = String::from("<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">");
    out += &format!("<title>{}</title>", escape(title));
    out += "<style>body{font:16px/1.5 system-ui,sans-serif;max-width:52rem;margin:2rem auto;padding:0 1rem;color:#1e293b}table{border-collapse:collapse;margin:1rem 0}td,th{border:1px solid #cbd5e1;padding:.3rem .6rem;text-align:right}th:first-child,td:first-child{text-align:left}figure{margin:1rem 0}img{max-width:100%;border:1px solid #e2e8f0}figcaption{font-size:.9rem;color:#475569}</style></head><body>\n";
    out += &format!("<h1>{}</h1>\n", escape(title));
    for p in intro {
        out += &format!("<p>{}</p>\n", escape(p));
    }
    if let Some((head, body)) = rows.split_first() {
        out += "<table><thead><tr>";
        for h in head {
            out += &format!("<th scope=\"col\">{}</th>", escape(h));
        }
        out += "</tr></thead><tbody>\n";
        for row in body {
            out += "<tr>";
            for (i, cell) in row.iter().enumerate() {
                let tag = if i == 0 { "th scope=\"row\"" } else { "td" };
                out += &format!("<{tag}>{}</{}>", escape(cell), &tag[..2]);
            }
            out += "</tr>\n";
        }
        out += "</tbody></table>\n";
    }
    for f in figures.iter().filter(|f| f.image.starts_with("data:image/png;base64,")) {
        out += &format!("<figure><img src=\"{}\" alt=\"{}\"><figcaption>{}</figcaption></figure>\n", f.image, escape(&f.caption), escape(&f.caption));
    }
    out += &format!("<p>{}</p>\n<p>Reproduce it: <a href=\"{}\">{}</a></p>\n</body></html>\n", escape(note), escape(link), escape(link));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_report_is_escaped_and_self_contained() {
        let rows = vec![vec!["model".to_string(), "accuracy".into()], vec!["<b>one-hot</b>".into(), "0.76".into()]];
        let figs = [
            Picture { image: "data:image/png;base64,AAAA".into(), caption: "a \"plot\"".into() },
            Picture { image: "https://evil.example/x.png".into(), caption: "dropped".into() },
        ];
        let html = report_html("Day 7", &["intro & more"], "http://127.0.0.1/#lab=x", &rows, &figs, "note");
        assert!(html.contains("<th scope=\"row\">&lt;b&gt;one-hot&lt;/b&gt;</th><td>0.76</td>"));
        assert!(html.contains("intro &amp; more") && html.contains("a &quot;plot&quot;"));
        assert!(!html.contains("evil.example") && !html.contains("<script"));
        assert_eq!(html.matches("<figure>").count(), 1);
    }
}
