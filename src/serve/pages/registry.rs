//! Registry files on the 网站名录 page: import an uploaded XLSX/CSV/TOML file through exactly the
//! validation of `govaudit sites import` ([`crate::registry::load_file`]: errors by line shown
//! on the page, nothing written on error), and download a registry template (.xlsx with
//! drop-downs for 级别 and 状态). For the office only.

use std::sync::Arc;

use axum::extract::{Multipart, State};
use axum::response::Response;
use chrono::NaiveDate;
use rust_xlsxwriter::{DataValidation, Format, Workbook};

use super::super::auth::Auth;
use super::super::users::random_hex;
use super::super::App;
use super::notices::{attachment, XLSX};
use super::sites::{list_page, Filters};
use crate::registry::{self, Level, RegistryError};

/// Largest accepted upload.
const MAX_BYTES: usize = 20 * 1024 * 1024;

/// The uploaded file's name reduced to letters, digits, CJK and `.-_`, so it can name a
/// temporary file and appear in messages.
fn safe_name(name: &str) -> String {
    let n: String = name
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or_default()
        .chars()
        .filter(|c| c.is_alphanumeric() || ".-_（）()".contains(*c))
        .take(80)
        .collect();
    if n.is_empty() || n.starts_with('.') {
        format!("registry{n}")
    } else {
        n
    }
}

/// `POST /sites/import` (multipart: `csrf`, `file`, optional `as_of`).
pub async fn import(State(app): State<Arc<App>>, auth: Auth, mut form: Multipart) -> Response {
    if let Err(r) = auth.admin_only(&app) {
        return r;
    }
    let user = &auth.0;
    let (mut csrf, mut file, mut as_of) = (None, None, None);
    loop {
        match form.next_field().await {
            Ok(Some(field)) => {
                let name = field.name().unwrap_or_default().to_string();
                let file_name = field.file_name().map(safe_name);
                match field.bytes().await {
                    Ok(b) if name == "csrf" => {
                        csrf = Some(String::from_utf8_lossy(&b).into_owned())
                    }
                    Ok(b) if name == "as_of" => {
                        as_of = Some(String::from_utf8_lossy(&b).trim().to_string())
                    }
                    Ok(b) if name == "file" => {
                        file = Some((file_name.unwrap_or_else(|| "registry.csv".into()), b))
                    }
                    Ok(_) => {}
                    Err(e) => return super::bad_request(&app, user, &format!("上传失败：{e}")),
                }
            }
            Ok(None) => break,
            Err(e) => return super::bad_request(&app, user, &format!("上传失败：{e}")),
        }
    }
    if let Err(r) = auth.check_csrf(&app, csrf.as_deref()) {
        return r;
    }
    let Some((name, bytes)) = file.filter(|(_, b)| !b.is_empty()) else {
        return super::bad_request(
            &app,
            user,
            "请选择要导入的网站名录文件（XLSX、CSV 或 TOML）。",
        );
    };
    if bytes.len() > MAX_BYTES {
        return super::bad_request(&app, user, "文件过大（上限 20 MB）。");
    }
    let as_of = match as_of
        .as_deref()
        .filter(|s| !s.is_empty())
        .map(str::parse::<NaiveDate>)
    {
        None => chrono::Local::now().date_naive(),
        Some(Ok(d)) => d,
        Some(Err(_)) => return super::bad_request(&app, user, "名录截至日期格式应为 YYYY-MM-DD。"),
    };
    // load_file reads a path (its type from the extension, as `sites import`): the upload goes
    // into a private folder under its own name, so messages name the file the user chose.
    let dir = std::env::temp_dir().join(format!("govaudit-import-{}", random_hex(8)));
    let path = dir.join(&name);
    let loaded = match std::fs::create_dir(&dir).and_then(|_| std::fs::write(&path, &bytes)) {
        Ok(()) => registry::load_file(&path),
        Err(e) => return app.fail(Some(user), format!("cannot write the upload: {e}")),
    };
    let _ = std::fs::remove_dir_all(&dir);
    let outcome = match loaded {
        Ok(sites) => match registry::import_dated(&app.store, &sites, &name, as_of).await {
            Ok(s) => minijinja::context! {
                ok => true, file => name, added => s.added, updated => s.updated, unchanged => s.unchanged,
                merged => s.units_merged.iter().map(|(a, b)| format!("{a} → {b}")).collect::<Vec<_>>(),
            },
            Err(e) => return app.fail(Some(user), e),
        },
        Err(RegistryError::Invalid { errors, .. }) => minijinja::context! {
            ok => false, file => name.clone(),
            errors => errors.iter().map(|e| minijinja::context! {
                line => e.line, field => e.field.clone(), message => e.message.clone(),
            }).collect::<Vec<_>>(),
        },
        Err(e) => minijinja::context! {
            ok => false, file => name.clone(),
            errors => vec![minijinja::context! { line => Option::<usize>::None, field => Option::<String>::None,
                message => e.to_string().replace(&dir.display().to_string(), "") }],
        },
    };
    list_page(&app, &auth, Filters::default(), outcome).await
}

/// `GET /sites/template.xlsx`: an empty registry with the header row and drop-downs.
pub async fn template(State(app): State<Arc<App>>, auth: Auth) -> Response {
    match template_xlsx() {
        Ok(bytes) => attachment("网站名录模板.xlsx", XLSX, bytes),
        Err(e) => app.fail(Some(&auth.0), e),
    }
}

fn template_xlsx() -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("网站名录")?;
    let bold = Format::new().set_bold();
    let headers = ["单位", "级别", "网站名称", "网址", "网站标识码", "状态"];
    let widths = [24.0, 14.0, 30.0, 36.0, 16.0, 10.0];
    for (i, (h, w)) in headers.iter().zip(widths).enumerate() {
        ws.write_string_with_format(0, i as u16, *h, &bold)?;
        ws.set_column_width(i as u16, w)?;
    }
    let levels: Vec<&str> = Level::ALL.iter().map(|l| l.label()).collect();
    let level_list = DataValidation::new().allow_list_strings(&levels)?;
    ws.add_data_validation(1, 1, 5000, 1, &level_list)?;
    let status_list = DataValidation::new().allow_list_strings(&["运行", "关停"])?;
    ws.add_data_validation(1, 5, 5000, 5, &status_list)?;
    ws.set_freeze_panes(1, 0)?;
    // The instructions live on a second sheet: the importer reads the first one only, so an
    // example row there would be imported as a site.
    let help = wb.add_worksheet();
    help.set_name("填写说明")?;
    help.set_column_width(0, 100.0)?;
    let lines = [
        "在“网站名录”工作表中每行填写一个网站，第一行为表头，请勿修改表头。",
        "单位：统计表中的单位名称，如 区直部门（单位）、银川市(本级)、兴庆区。必填。",
        "级别：从下拉列表选择（自治区门户、自治区部门、市级门户、市级部门、县级门户、县级以下）。必填。",
        "网站名称、网址：必填；网址可省略 http://，带路径的网址表示该路径下的网站。",
        "网站标识码：可空；10位数字，或 bm 加8位数字。",
        "状态：运行 或 关停，可空（默认运行）；只有运行中的网站参加抽查。",
        "整个文件校验无误才会导入；有错误时按行列出，不写入任何数据。",
    ];
    for (i, l) in lines.iter().enumerate() {
        help.write_string(i as u32, 0, *l)?;
    }
    wb.save_to_buffer()
}
