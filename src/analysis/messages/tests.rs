//! Message lists and pages in the shapes 政务咨询类 columns use.

use chrono::NaiveDate;
use url::Url;

use crate::analysis::{messages_page, ParseLimits, Vocabulary};
use crate::observation::ReplyStatus;

fn day(y: i32, m: u32, d: u32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(y, m, d)
}

fn read(html: &str) -> crate::analysis::MessagesPage {
    let base = Url::parse("http://www.example.gov.cn/hdjl/ldxx/").expect("url");
    messages_page(
        html,
        &base,
        day(2018, 3, 1).expect("date"),
        &Vocabulary::builtin(),
        ParseLimits::default(),
    )
}

type Row = (Option<NaiveDate>, Option<NaiveDate>, ReplyStatus);

fn rows(html: &str) -> Vec<Row> {
    read(html)
        .rows
        .iter()
        .map(|r| (r.asked, r.replied, r.status))
        .collect()
}

#[test]
fn header_mapped_tables() {
    use ReplyStatus::*;
    let t = "<table class='xjlb'><tr><th>信件标题</th><th>留言时间</th><th>回复时间</th><th>办理状态</th></tr>
        <tr><td><a href='1.html'>关于小区供暖的咨询</a></td><td>2018-01-05</td><td>2018-01-09</td><td>已回复</td></tr>
        <tr><td><a href='2.html'>道路破损何时维修</a></td><td>2017-10-20</td><td></td><td>办理中</td></tr>
        <tr><td><a href='3.html'>户口迁移需要哪些材料</a></td><td>2017年9月1日</td><td></td><td></td></tr></table>";
    assert_eq!(
        rows(t),
        vec![
            (day(2018, 1, 5), day(2018, 1, 9), Answered),
            (day(2017, 10, 20), None, Unanswered),
            (day(2017, 9, 1), None, Unknown),
        ]
    );
    // Columns in another order, header in a thead, a date under the reply column answers.
    let t = "<table><thead><tr><td>状态</td><td>主题</td><td>答复时间</td><td>来信时间</td></tr></thead>
        <tbody><tr><td></td><td><a href='4.html'>咨询</a></td><td>2018-02-01</td><td>2018-01-20</td></tr></tbody></table>";
    assert_eq!(rows(t), vec![(day(2018, 1, 20), day(2018, 2, 1), Answered)]);
}

#[test]
fn plain_rows_read_from_their_text() {
    use ReplyStatus::*;
    let ul = "<ul class='list'>
        <li><a href='1.html'>关于公积金提取的咨询</a><span>留言时间：2018-01-05</span><span>回复时间：2018-01-08</span></li>
        <li><a href='2.html'>噪音扰民问题</a><span>[2017-11-02]</span><em>未回复</em></li>
        <li><a href='3.html'>办证咨询</a><span>2017-12-01</span><span>2017-12-03</span></li>
        <li><a href='/about/'>关于我们</a></li></ul>";
    assert_eq!(
        rows(ul),
        vec![
            (day(2018, 1, 5), day(2018, 1, 8), Answered),
            (day(2017, 11, 2), None, Unanswered),
            (day(2017, 12, 1), day(2017, 12, 3), Answered),
        ]
    );
    // Neither date nor status: not a message; navigation is not read.
    let nav = "<div class='nav'><ul><li><a href='/x/'>领导信箱</a><span>2018-01-01</span></li></ul></div>";
    assert!(rows(nav).is_empty());
}

#[test]
fn message_pages() {
    let answered = read("<div class='xj'><h2>关于小区供暖的咨询</h2><p>留言时间：2017-11-05 10:12</p>
        <p>留言内容：何时供暖？</p><div class='hf'><p>回复单位：市住建局</p><p>回复时间：2017-11-20</p>
        <p>回复内容：您好，已于本月开始供暖。</p></div></div>");
    assert_eq!(
        (answered.asked, answered.replied, answered.status),
        (day(2017, 11, 5), day(2017, 11, 20), ReplyStatus::Answered)
    );
    let waiting = read("<h2>道路破损</h2><p>来信时间：2017-10-20</p><p>办理状态：正在办理</p>");
    assert_eq!(
        (waiting.asked, waiting.replied, waiting.status),
        (day(2017, 10, 20), None, ReplyStatus::Unanswered)
    );
    // A reply with text but no date answers; an empty reply label does not.
    let undated =
        read("<p>咨询时间：2017-10-01</p><p>答复内容：</p><p>已转相关部门办理并电话回复。</p>");
    assert_eq!(undated.status, ReplyStatus::Answered);
    let empty = read("<p>咨询时间：2017-10-01</p><p>答复内容：</p>");
    assert_eq!(empty.status, ReplyStatus::Unknown);
}

#[test]
fn a_status_word_in_a_title_or_sentence_is_not_the_status() {
    let page = read(
        "<h1>关于群众反映问题未回复情况的说明</h1><p>留言时间：2017-10-01</p>
        <p>回复时间：2017-10-09</p><p>回复内容：您好，此前未回复是因为系统故障，现答复如下。</p>",
    );
    assert_eq!(page.status, ReplyStatus::Answered);
    let badge = read("<h1>供暖咨询</h1><p>留言时间：2017-10-01</p><span class='zt'>未回复</span>");
    assert_eq!(badge.status, ReplyStatus::Unanswered);
    // In a list row the title is not read for status words.
    let row = rows("<ul><li><a href='1.html'>为何一直未回复我的留言</a><span>2017-12-01</span><em>已回复</em></li></ul>");
    assert_eq!(row, vec![(day(2017, 12, 1), None, ReplyStatus::Answered)]);
}
