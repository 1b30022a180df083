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

/// A part of the report, in the page's order.
pub enum Section {
    /// `rows[0]` is the header row.
    Table { caption: String, rows: Vec<Vec<String>> },
    Picture(Picture),
}

const PNG_URL: &str = "data:image/png;base64,";

/// The report as one HTML file: every table and picture in the page's order.
pub fn report_html(title: &str, intro: &[&str], link: &str, sections: &[Section], note: &str) -> String {
    let mut out = String::from("<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">");
    out += &format!("<title>{}</title>", escape(title));
    out += "<style>body{font:16px/1.5 system-ui,sans-serif;max-width:52rem;margin:2rem auto;padding:0 1rem;color:#1e293b}table{border-collapse:collapse;margin:1rem 0}td,th{border:1px solid #cbd5e1;padding:.3rem .6rem;text-align:right}th:first-child,td:first-child{text-align:left}caption{text-align:left;font-size:.9rem;color:#475569}figure{margin:1rem 0}img{max-width:100%;border:1px solid #e2e8f0}figcaption{font-size:.9rem;color:#475569}</style></head><body>\n";
    out += &format!("<h1>{}</h1>\n", escape(title));
    for p in intro {
        out += &format!("<p>{}</p>\n", escape(p));
    }
    for section in sections {
        match section {
            Section::Table { caption, rows } => out += &table_html(caption, rows),
            // Only embedded pictures: the file must open offline and fetch nothing.
            Section::Picture(f) if f.image.starts_with(PNG_URL) => {
                out += &format!("<figure><img src=\"{}\" alt=\"{}\"><figcaption>{}</figcaption></figure>\n", f.image, escape(&f.caption), escape(&f.caption));
            }
            Section::Picture(_) => {}
        }
    }
    out += &format!("<p>{}</p>\n<p>Reproduce it: <a href=\"{}\">{}</a></p>\n</body></html>\n", escape(note), escape(link), escape(link));
    out
}

fn table_html(caption: &str, rows: &[Vec<String>]) -> String {
    let Some((head, body)) = rows.split_first() else { return String::new() };
    let mut out = String::from("<table>");
    if !caption.is_empty() {
        out += &format!("<caption>{}</caption>", escape(caption));
    }
    out += "<thead><tr>";
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
    out + "</tbody></table>\n"
}

/// The report as Markdown, and its pictures as PNG files (`figure-1.png`, …)
/// that the text links to. A picture that is not an embedded PNG is left out.
pub fn report_markdown(title: &str, intro: &[&str], link: &str, sections: &[Section], note: &str) -> (String, Vec<(String, Vec<u8>)>) {
    let mut md = format!("# {}\n\n", md_text(title));
    for p in intro {
        md += &format!("{}\n\n", md_text(p));
    }
    let mut files = Vec::new();
    for section in sections {
        match section {
            Section::Table { caption, rows } => md += &table_md(caption, rows),
            Section::Picture(f) => {
                let Some(png) = f.image.strip_prefix(PNG_URL).and_then(crate::base64::decode) else { continue };
                let name = format!("figure-{}.png", files.len() + 1);
                md += &format!("![{}]({name})\n\n*{}*\n\n", md_text(&f.caption).replace(['[', ']'], ""), md_text(&f.caption));
                files.push((name, png));
            }
        }
    }
    // A page's link, or the command that made the report natively.
    let link = if link.starts_with("http") { format!("<{link}>") } else { format!("`{}`", link.replace('`', "'")) };
    md += &format!("{}\n\nReproduce it: {link}\n", md_text(note));
    (md, files)
}

/// The Markdown and its PNGs in one zip: `report.md`, `figure-1.png`, ….
pub fn report_zip(title: &str, intro: &[&str], link: &str, sections: &[Section], note: &str) -> Vec<u8> {
    let (md, mut files) = report_markdown(title, intro, link, sections, note);
    files.insert(0, ("report.md".to_string(), md.into_bytes()));
    zip(&files)
}

/// Text with Markdown's markup characters escaped.
fn md_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(c, '\\' | '`' | '*' | '_' | '#' | '|' | '<' | '>') {
            out.push('\\');
        }
        out.push(if c == '\n' { ' ' } else { c });
    }
    out
}

fn table_md(caption: &str, rows: &[Vec<String>]) -> String {
    let Some((head, body)) = rows.split_first() else { return String::new() };
    let line = |cells: &[String]| format!("| {} |\n", cells.iter().map(|c| md_text(c)).collect::<Vec<_>>().join(" | "));
    let mut out = if caption.is_empty() { String::new() } else { format!("**{}**\n\n", md_text(caption)) };
    out += &line(head);
    out += &format!("|{}\n", " --- |".repeat(head.len()));
    for row in body {
        out += &line(row);
    }
    out + "\n"
}


/// CRC-32 (the zip and PNG one, reflected polynomial 0xEDB88320).
pub fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in bytes {
        crc ^= b as u32;
        for _ in 0..8 {
            crc = (crc >> 1) ^ (0xEDB8_8320 & (crc & 1).wrapping_neg());
        }
    }
    !crc
}

/// A zip archive of `files`, stored (PNGs are compressed already): each file's
/// local header and bytes, then the central directory. Dates are left at
/// 1980-01-01, so the same report gives the same bytes.
pub fn zip(files: &[(String, Vec<u8>)]) -> Vec<u8> {
    let (mut out, mut central) = (Vec::new(), Vec::new());
    for (name, data) in files {
        let offset = out.len() as u32;
        let (crc, size, name_len) = (crc32(data), data.len() as u32, name.len() as u16);
        // version 2.0, no flags, stored, time 0, date 1980-01-01
        let common = |v: &mut Vec<u8>| {
            for x in [20u16, 0, 0, 0, 0x21] {
                v.extend(x.to_le_bytes());
            }
            v.extend(crc.to_le_bytes());
            v.extend(size.to_le_bytes());
            v.extend(size.to_le_bytes());
            v.extend(name_len.to_le_bytes());
            v.extend(0u16.to_le_bytes());
        };
        out.extend(0x0403_4b50u32.to_le_bytes());
        common(&mut out);
        out.extend(name.as_bytes());
        out.extend(data);
        central.extend(0x0201_4b50u32.to_le_bytes());
        central.extend(20u16.to_le_bytes()); // made by
        common(&mut central);
        // comment length, disk, internal and external attributes, the local header's offset
        for x in [0u16, 0, 0] {
            central.extend(x.to_le_bytes());
        }
        central.extend(0u32.to_le_bytes());
        central.extend(offset.to_le_bytes());
        central.extend(name.as_bytes());
    }
    let (at, len, n) = (out.len() as u32, central.len() as u32, files.len() as u16);
    out.extend(central);
    out.extend(0x0605_4b50u32.to_le_bytes());
    for x in [0u16, 0, n, n] {
        out.extend(x.to_le_bytes());
    }
    out.extend(len.to_le_bytes());
    out.extend(at.to_le_bytes());
    out.extend(0u16.to_le_bytes());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sections() -> Vec<Section> {
        vec![
            Section::Table { caption: "The runs".into(), rows: vec![vec!["model".to_string(), "accuracy".into()], vec!["<b>one-hot</b>".into(), "0.76".into()]] },
            Section::Picture(Picture { image: "data:image/png;base64,iVBORw0KGgo=".into(), caption: "a \"plot\"".into() }),
            Section::Picture(Picture { image: "https://evil.example/x.png".into(), caption: "dropped".into() }),
            Section::Table { caption: String::new(), rows: vec![vec!["finding".to_string()], vec!["a | b".into()]] },
        ]
    }

    #[test]
    fn the_report_is_escaped_and_self_contained() {
        let html = report_html("Day 7", &["intro & more"], "http://127.0.0.1/#lab=x", &sections(), "note");
        assert!(html.contains("<caption>The runs</caption>"));
        assert!(html.contains("<th scope=\"row\">&lt;b&gt;one-hot&lt;/b&gt;</th><td>0.76</td>"));
        assert!(html.contains("intro &amp; more") && html.contains("a &quot;plot&quot;"));
        assert!(!html.contains("evil.example") && !html.contains("<script"));
        assert_eq!(html.matches("<figure>").count(), 1);
        assert_eq!(html.matches("<table>").count(), 2);
    }

    #[test]
    fn crc32_matches_its_standard() {
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
    }

    /// Reads a stored zip back by its central directory, as unzip does.
    fn unzip(z: &[u8]) -> Vec<(String, Vec<u8>)> {
        let u16_at = |i: usize| u16::from_le_bytes([z[i], z[i + 1]]) as usize;
        let u32_at = |i: usize| u32::from_le_bytes(z[i..i + 4].try_into().unwrap()) as usize;
        let end = z.len() - 22;
        assert_eq!(u32_at(end), 0x0605_4b50);
        let (n, mut at) = (u16_at(end + 10), u32_at(end + 16));
        let mut out = Vec::new();
        for _ in 0..n {
            assert_eq!(u32_at(at), 0x0201_4b50);
            let (crc, size, name_len, local) = (u32_at(at + 16), u32_at(at + 20), u16_at(at + 28), u32_at(at + 42));
            let name = String::from_utf8(z[at + 46..at + 46 + name_len].to_vec()).unwrap();
            assert_eq!(u32_at(local), 0x0403_4b50);
            let start = local + 30 + u16_at(local + 26);
            let data = z[start..start + size].to_vec();
            assert_eq!(crc32(&data) as usize, crc, "{name}");
            out.push((name, data));
            at += 46 + name_len;
        }
        out
    }

    #[test]
    fn the_markdown_zip_holds_the_text_and_each_picture() {
        let z = report_zip("Day 30", &["the *arc*"], "http://127.0.0.1/#lab=report", &sections(), "note");
        let files = unzip(&z);
        let names: Vec<&str> = files.iter().map(|f| f.0.as_str()).collect();
        assert_eq!(names, ["report.md", "figure-1.png"]);
        assert_eq!(files[1].1, b"\x89PNG\r\n\x1a\n");
        let md = String::from_utf8(files[0].1.clone()).unwrap();
        assert!(md.starts_with("# Day 30\n\nthe \\*arc\\*"), "{md}");
        assert!(md.contains("**The runs**\n\n| model | accuracy |\n| --- | --- |\n| \\<b\\>one-hot\\</b\\> | 0.76 |"), "{md}");
        assert!(md.contains("![a \"plot\"](figure-1.png)") && md.contains("| a \\| b |"));
        assert!(!md.contains("evil.example"));
        assert_eq!(z, report_zip("Day 30", &["the *arc*"], "http://127.0.0.1/#lab=report", &sections(), "note"), "the same report, the same bytes");
    }
}
