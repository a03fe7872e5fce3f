//! Every string the page shows, in one table: a key, its English and its
//! Simplified Chinese text. Placeholders are positional (`{0}`, `{1}`) so a
//! translation may reorder them. Redis's own words (log lines, replies,
//! INFO fields, `REPL_STATE_*`) are never translated; the page marks them
//! `translate="no"`.

use std::cell::Cell;
use std::fmt::Display;

/// A language of the page.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Lang {
    /// English.
    En,
    /// Simplified Chinese.
    Zh,
}

impl Lang {
    /// `en` or `zh`, as in URLs and the `lang` attribute (`zh-CN`).
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Zh => "zh",
        }
    }

    /// From `en`, `zh`, `zh-CN`, `en-US`...; English for anything else.
    pub fn from_code(code: &str) -> Lang {
        if code.to_ascii_lowercase().starts_with("zh") { Lang::Zh } else { Lang::En }
    }
}

thread_local! {
    static LANG: Cell<Lang> = const { Cell::new(Lang::En) };
}

/// The page's language.
pub fn lang() -> Lang {
    LANG.with(Cell::get)
}

/// Switches the page's language (the caller redraws).
pub fn set_lang(l: Lang) {
    LANG.with(|c| c.set(l));
}

/// Makes the table one string, `key␟English␟Chinese␞` per row (unit and
/// record separators), that [`table`] splits once: a slice of three string
/// references per row would cost 24 bytes of wasm data a row.
macro_rules! rows {
    ($(($key:literal, $en:literal, $zh:literal),)*) => {
        concat!($($key, "\u{1f}", $en, "\u{1f}", $zh, "\u{1e}"),*)
    };
}

/// (key, English, Chinese).
const STRINGS: &str = rows![
    ("tagline", "Redis 7.0 replication, simulated byte for byte", "逐字节模拟 Redis 7.0 主从复制"),
    ("ctl.play", "▶ Play", "▶ 播放"),
    ("ctl.pause", "‖ Pause", "‖ 暂停"),
    ("ctl.step", "Step ▶", "单步 ▶"),
    ("ctl.back", "◀ Back", "◀ 后退"),
    ("ctl.skip", "Next event »", "下一事件 »"),
    ("ctl.speed", "Speed", "速度"),
    ("ctl.time", "t = {0} s", "t = {0} 秒"),
    ("ctl.timeline", "Timeline", "时间线"),
    ("ctl.seed", "Seed", "随机种子"),
    ("ctl.reset", "Reset", "重置"),
    ("ctl.add", "+ Node", "+ 节点"),
    ("ctl.present", "Presentation", "演示模式"),
    ("ctl.lang", "中文", "English"),
    ("ctl.lang_label", "切换到中文", "Switch to English"),
    ("ctl.share", "Share / export", "分享 / 导出"),
    ("ctl.help", "Shortcuts (?)", "快捷键 (?)"),
    ("load.title", "Write load", "写入负载"),
    ("load.rate", "Writes/s", "每秒写入"),
    ("load.per_s", "{0}/s", "{0} 次/秒"),
    ("load.size", "Value size", "值大小"),
    ("load.count", "{0} writes sent", "已发送 {0} 次写入"),
    ("topo.title", "Topology: masters above their replicas, messages in flight on the links", "拓扑：主节点在上、从节点在下，连线上是传输中的消息"),
    ("topo.cut", "✂ cut", "✂ 已断开"),
    ("topo.empty", "No nodes yet.", "还没有节点。"),
    ("role.master", "master", "主节点"),
    ("role.replica_of", "replica of {0}", "{0} 的从节点"),
    ("role.stopped", "stopped", "已停止"),
    ("node.replid", "replid {0}…", "replid {0}…"),
    ("node.offset", "offset {0}", "偏移量 {0}"),
    ("node.keys", "keys {0}", "键 {0} 个"),
    ("node.link_up", "link up", "连接正常"),
    ("node.link_down", "link down ({0})", "连接断开（{0}）"),
    ("node.title_master", "Node {0} · master", "节点 {0} · 主节点"),
    ("node.title_replica", "Node {0} · replica of {1}", "节点 {0} · {1} 的从节点"),
    ("node.title_stopped", "Node {0} · stopped", "节点 {0} · 已停止"),
    ("node.none", "Select a node in the diagram.", "在拓扑图中选择一个节点。"),
    ("node.stop", "Stop", "停止"),
    ("node.start", "Start", "启动"),
    ("node.restart_save", "Restart (save)", "重启（保存 RDB）"),
    ("node.restart_nosave", "Restart (nosave)", "重启（不保存）"),
    ("node.promote", "Promote (REPLICAOF NO ONE)", "提升为主节点（REPLICAOF NO ONE）"),
    ("node.remove", "Remove", "移除"),
    ("node.replicaof", "Replicate from", "复制自"),
    ("node.replicaof_go", "REPLICAOF", "REPLICAOF"),
    ("link.title", "Link {0} → {1}: {2}", "链路 {0} → {1}：{2}"),
    ("link.ok", "working", "正常"),
    ("link.cut", "cut", "已断开"),
    ("link.do_cut", "✂ Cut", "✂ 断开"),
    ("link.do_heal", "Heal", "恢复"),
    ("link.do_kill", "Kill connection", "杀掉连接"),
    ("link.latency", "Latency (ms)", "延迟（毫秒）"),
    ("link.bandwidth", "Bandwidth", "带宽"),
    ("kind.handshake", "handshake", "握手"),
    ("kind.psync", "+FULLRESYNC / +CONTINUE", "+FULLRESYNC / +CONTINUE"),
    ("kind.rdb", "RDB transfer", "RDB 传输"),
    ("kind.stream", "command stream", "命令流"),
    ("kind.ping", "PING heartbeat", "PING 心跳"),
    ("kind.ack", "REPLCONF ACK", "REPLCONF ACK"),
    ("kind.keepalive", "keepalive \\n", "保活 \\n"),
    ("kind.reply", "reply", "回复"),
    ("kind.tcp", "TCP connect/close", "TCP 建立/关闭"),
    ("kind.other", "other", "其他"),
    ("msg.held", "✂ {0} held on the cut link", "✂ {0} 条滞留在断开的链路上"),
    ("msg.hint", "Tap a message on a link to see its bytes.", "点击链路上的消息查看其字节。"),
    ("msg.head", "{0} → {1} · {2} bytes · sent at {3} ms, arrives at {4} ms", "{0} → {1} · {2} 字节 · {3} 毫秒发出，{4} 毫秒到达"),
    ("phases.title", "Six phases of replication", "复制的六个阶段"),
    ("phases.none", "No replicas.", "没有从节点。"),
    ("phase.1", "save master info", "保存主节点信息"),
    ("phase.2", "connect", "建立连接"),
    ("phase.3", "PING", "发送 PING"),
    ("phase.4", "auth", "权限验证"),
    ("phase.5", "sync data", "同步数据集"),
    ("phase.6", "propagate", "命令持续复制"),
    ("phases.loading", "loading the RDB: {0}%", "正在加载 RDB：{0}%"),
    ("console.title", "Console", "命令行"),
    ("console.placeholder", "type a command, e.g. SET hello world", "输入命令，例如 SET hello world"),
    ("console.send", "Send", "发送"),
    ("console.dropped", "… {0} older lines dropped", "…… 已丢弃 {0} 行较早的输出"),
    ("console.closed", "Error: Server closed the connection", "Error: Server closed the connection"),
    ("backlog.title", "Replication backlog", "复制积压缓冲区"),
    ("backlog.title_of", "Replication backlog of {0}", "{0} 的复制积压缓冲区"),
    ("backlog.none", "No backlog yet: the master creates it when the first replica connects.", "还没有积压缓冲区：第一个从节点连上时主节点才创建它。"),
    ("backlog.none_running", "The selected node's master is not running.", "所选节点的主节点没有运行。"),
    ("backlog.summary", "window [{0}, {1}] · histlen {2} · {3} blocks · master_repl_offset {4}", "窗口 [{0}, {1}] · histlen {2} · {3} 个块 · master_repl_offset {4}"),
    ("backlog.gone", "trimmed", "已淘汰"),
    ("backlog.block", "block", "块"),
    ("backlog.size", "repl-backlog-size", "repl-backlog-size"),
    ("backlog.master_mark", "▼ master {0}", "▼ 主节点 {0}"),
    ("backlog.marker", "▲ {0} needs {1}", "▲ {0} 需要 {1}"),
    ("backlog.marker_full", "▲ {0} needs {1}: needs full resync", "▲ {0} 需要 {1}：必须全量复制"),
    ("backlog.marker_other", "▲ {0} at {1}, other history: needs full resync", "▲ {0} 在 {1}，历史不同：必须全量复制"),
    ("backlog.marker_none", "▲ {0} has no master state: needs full resync", "▲ {0} 没有主节点状态：必须全量复制"),
    ("psync.from", "PSYNC from {0}", "来自 {0} 的 PSYNC"),
    ("psync.partial", "offset {0} is inside the backlog → partial resync (+CONTINUE), {1} bytes", "偏移量 {0} 在积压缓冲区内 → 部分复制（+CONTINUE），{1} 字节"),
    ("psync.partial2", "replid matches replid2 up to {0} → partial resync, {1} bytes", "replid 与 replid2 一致（到 {0} 为止）→ 部分复制，{1} 字节"),
    ("psync.full_requested", "PSYNC ? -1: no cached master → full resync", "PSYNC ? -1：没有缓存的主节点 → 全量复制"),
    ("psync.full_id", "replid {0}… is neither {1}… nor {2}… → full resync", "replid {0}… 既不是 {1}… 也不是 {2}… → 全量复制"),
    ("psync.full_id2", "replid matches replid2 but offset {0} > {1} → full resync", "replid 与 replid2 一致，但偏移量 {0} > {1} → 全量复制"),
    ("psync.full_low", "offset {0} < backlog start {1} → full resync", "偏移量 {0} < 积压缓冲区起点 {1} → 全量复制"),
    ("psync.full_high", "offset {0} > backlog end {1} → full resync", "偏移量 {0} > 积压缓冲区终点 {1} → 全量复制"),
    ("psync.full_none", "no backlog → full resync", "没有积压缓冲区 → 全量复制"),
    ("info.title", "INFO replication", "INFO replication"),
    ("info.title_of", "INFO replication · {0}", "INFO replication · {0}"),
    ("info.stopped", "This node is not running.", "该节点没有运行。"),
    ("logs.title", "Log", "日志"),
    ("logs.title_of", "Log · {0}", "日志 · {0}"),
    ("logs.filter", "Filter", "过滤"),
    ("logs.dropped", "… {0} older log lines dropped", "…… 已丢弃 {0} 行较早的日志"),
    ("config.title", "Replication config", "复制配置"),
    ("config.title_of", "Replication config · {0}", "复制配置 · {0}"),
    ("config.set", "CONFIG SET", "CONFIG SET"),
    ("lesson.title", "Lessons", "课程"),
    ("lesson.pick", "Lesson", "课程"),
    ("lesson.free", "Free play (no lesson)", "自由练习（不选课程）"),
    ("lesson.loading", "Loading lessons…", "正在加载课程……"),
    ("lesson.load_failed", "Could not load the lessons: {0}", "无法加载课程：{0}"),
    ("lesson.next", "Next step ▶", "下一步 ▶"),
    ("lesson.prev", "◀ Previous step", "◀ 上一步"),
    ("lesson.step", "Step {0} of {1}", "第 {0} 步，共 {1} 步"),
    ("lesson.intro", "Introduction", "简介"),
    ("lesson.begin", "Press “Next step” (or →) to begin.", "按“下一步”（或 →）开始。"),
    ("lesson.done", "End of the lesson. Step back, replay, or pick another lesson.", "本课结束。可以后退、重放，或选择其他课程。"),
    ("lesson.right", "✓ Right.", "✓ 回答正确。"),
    ("lesson.wrong", "✗ Not quite.", "✗ 不太对。"),
    ("lesson.question", "Question", "问题"),
    ("lesson.watch", "Watch:", "请看："),
    ("lesson.look", "look here", "看这里"),
    ("panel.topology", "topology", "拓扑图"),
    ("panel.traffic", "messages on the links", "链路上的消息"),
    ("panel.phases", "six phases", "六个阶段"),
    ("panel.backlog", "backlog", "积压缓冲区"),
    ("panel.psync", "PSYNC callout", "PSYNC 说明框"),
    ("panel.console", "console", "命令行"),
    ("panel.info", "INFO replication", "INFO replication"),
    ("panel.log", "log", "日志"),
    ("panel.config", "config", "配置"),
    ("panel.node", "node panel", "节点面板"),
    ("panel.timeline", "timeline", "时间线"),
    ("panel.load", "write load", "写入负载"),
    ("share.title", "Share, export, import", "分享、导出、导入"),
    ("share.link", "Link to this exact moment", "指向此刻的链接"),
    ("share.embed", "Embed link (for slides, no controls)", "嵌入链接（用于幻灯片，无控制栏）"),
    ("share.export", "Download as scenario script", "下载为场景脚本"),
    ("share.import", "Import a scenario script (paste or choose a file)", "导入场景脚本（粘贴或选择文件）"),
    ("share.file", "Script file", "脚本文件"),
    ("share.run", "Run this script", "运行此脚本"),
    ("share.close", "Close", "关闭"),
    ("share.bad_link", "This link is damaged or truncated ({0}). Showing the default playground instead.", "此链接已损坏或被截断（{0}），改为显示默认场景。"),
    ("share.bad_script", "The script has an error, nothing was changed: {0}", "脚本有错误，未做任何更改：{0}"),
    ("share.dismiss", "Dismiss", "关闭提示"),
    ("embed.open", "Open in replscope ↗", "在 replscope 中打开 ↗"),
    ("help.title", "Keyboard shortcuts", "键盘快捷键"),
    ("help.space", "Play / pause", "播放 / 暂停"),
    ("help.arrows", "Step back / forward: a lesson step, or one event in free play", "后退 / 前进：课程中一步，自由练习中一个事件"),
    ("help.help", "Show this list", "显示此列表"),
    ("help.esc", "Close a dialog", "关闭对话框"),
    ("help.tab", "Move between controls; Enter or Space activates", "在控件之间移动；Enter 或空格键激活"),
    ("say.link_up", "{0}: link to master {1} is up", "{0}：与主节点 {1} 的连接已建立"),
    ("say.link_down", "{0}: link to master {1} is down", "{0}：与主节点 {1} 的连接已断开"),
    ("say.started", "Node {0} is running", "节点 {0} 正在运行"),
    ("say.stopped", "Node {0} stopped", "节点 {0} 已停止"),
    ("say.master", "{0} is a master", "{0} 现在是主节点"),
    ("say.psync", "{0} answered PSYNC from {1}: {2}", "{0} 回应了 {1} 的 PSYNC：{2}"),
    ("say.time", "Time set to t = {0} s", "时间已跳到 t = {0} 秒"),
    ("say.step", "Step {0}", "第 {0} 步"),
];

/// The text for `key` in the page's language (the key itself if missing).
pub fn t(key: &str) -> &'static str {
    let zh = lang() == Lang::Zh;
    table().iter().find(|(k, _, _)| *k == key).map_or("", |(_, en, cn)| if zh { cn } else { en })
}

/// `t(key)` with `{0}`..`{9}` replaced by `args`, in one pass over the
/// text (an argument's own text is never searched for placeholders).
pub fn tf(key: &str, args: &[&dyn Display]) -> String {
    let text = t(key);
    let mut out = String::with_capacity(text.len() + 16);
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        let arg = match rest.as_bytes().get(open + 1..open + 3) {
            Some(&[d @ b'0'..=b'9', b'}']) => args.get((d - b'0') as usize),
            _ => None,
        };
        let Some(arg) = arg else {
            out.push_str(&rest[..=open]);
            rest = &rest[open + 1..];
            continue;
        };
        out.push_str(&rest[..open]);
        out.push_str(&arg.to_string());
        rest = &rest[open + 3..];
    }
    out.push_str(rest);
    out
}

/// Every (key, English, Chinese), for completeness checks and the tests.
pub fn table() -> &'static [(&'static str, &'static str, &'static str)] {
    static TABLE: std::sync::OnceLock<Vec<(&str, &str, &str)>> = std::sync::OnceLock::new();
    TABLE.get_or_init(|| {
        let mut rows = Vec::new();
        for row in STRINGS.split_terminator('\u{1e}') {
            let mut fields = row.split('\u{1f}');
            let mut field = || fields.next().unwrap_or("");
            rows.push((field(), field(), field()));
        }
        rows
    })
}
