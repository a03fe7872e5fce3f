//! Every string the page shows, in one table: a key, its English and its
//! Simplified Chinese text. Placeholders are positional (`{0}`, `{1}`) so a
//! translation may reorder them. Redis's own words (log lines, replies,
//! INFO fields, `REPL_STATE_*`) are never translated; the page marks them
//! `translate="no"`.

use std::cell::Cell;
use std::fmt::Display;

use crate::engine::lesson::PANELS;
use crate::engine::traffic::Kind;

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

/// Declares [`S`], one variant per row, and the table as one string,
/// `English␟Chinese␞` per row (unit and record separators), that [`table`]
/// splits once: a slice of string references per row would cost 16 bytes of
/// wasm data a row, and names as keys would ship every name twice.
macro_rules! strings {
    ($($key:ident = $en:literal, $zh:literal;)*) => {
        /// A string the page shows: a row of the table, checked by the
        /// compiler where a text key would fail only at run time.
        #[derive(Copy, Clone, Debug, PartialEq, Eq)]
        pub enum S { $(#[doc = $en] $key,)* }
        impl S {
            /// How many strings the table has.
            pub const COUNT: usize = [$(S::$key),*].len();
        }
        const STRINGS: &str = concat!($($en, "\u{1f}", $zh, "\u{1e}"),*);
    };
}

// Name = English, Chinese.
strings! {
    Tagline = "Redis 7.0 replication, simulated byte for byte", "逐字节模拟 Redis 7.0 主从复制";
    CtlPlay = "▶ Play", "▶ 播放";
    CtlPause = "‖ Pause", "‖ 暂停";
    CtlStep = "Step ▶", "单步 ▶";
    CtlBack = "◀ Back", "◀ 后退";
    CtlSkip = "Next event »", "下一事件 »";
    CtlSpeed = "Speed", "速度";
    CtlTime = "t = {0} s", "t = {0} 秒";
    CtlTimeline = "Timeline", "时间线";
    CtlSeed = "Seed", "随机种子";
    CtlReset = "Reset", "重置";
    CtlAdd = "+ Node", "+ 节点";
    CtlPresent = "Presentation", "演示模式";
    CtlLang = "中文", "English";
    CtlLangLabel = "切换到中文", "Switch to English";
    CtlShare = "Share / export", "分享 / 导出";
    CtlHelp = "Shortcuts (?)", "快捷键 (?)";
    LoadTitle = "Write load", "写入负载";
    LoadRate = "Writes/s", "每秒写入";
    LoadPerS = "{0}/s", "{0} 次/秒";
    LoadSize = "Value size", "值大小";
    LoadCount = "{0} writes sent", "已发送 {0} 次写入";
    TopoTitle = "Topology: masters above their replicas, messages in flight on the links", "拓扑：主节点在上、从节点在下，连线上是传输中的消息";
    TopoCut = "✂ cut", "✂ 已断开";
    TopoEmpty = "No nodes yet.", "还没有节点。";
    RoleMaster = "master", "主节点";
    RoleReplicaOf = "replica of {0}", "{0} 的从节点";
    RoleStopped = "stopped", "已停止";
    NodeReplid = "replid {0}…", "replid {0}…";
    NodeOffset = "offset {0}", "偏移量 {0}";
    NodeKeys = "keys {0}", "键 {0} 个";
    NodeLinkUp = "link up", "连接正常";
    NodeLinkDown = "link down ({0})", "连接断开（{0}）";
    NodeTitleMaster = "Node {0} · master", "节点 {0} · 主节点";
    NodeTitleReplica = "Node {0} · replica of {1}", "节点 {0} · {1} 的从节点";
    NodeTitleStopped = "Node {0} · stopped", "节点 {0} · 已停止";
    NodeNone = "Select a node in the diagram.", "在拓扑图中选择一个节点。";
    NodeStop = "Stop", "停止";
    NodeStart = "Start", "启动";
    NodeRestartSave = "Restart (save)", "重启（保存 RDB）";
    NodeRestartNosave = "Restart (nosave)", "重启（不保存）";
    NodePromote = "Promote (REPLICAOF NO ONE)", "提升为主节点（REPLICAOF NO ONE）";
    NodeRemove = "Remove", "移除";
    NodeReplicaof = "Replicate from", "复制自";
    NodeReplicaofGo = "REPLICAOF", "REPLICAOF";
    LinkTitle = "Link {0} → {1}: {2}", "链路 {0} → {1}：{2}";
    LinkOk = "working", "正常";
    LinkCut = "cut", "已断开";
    LinkDoCut = "✂ Cut", "✂ 断开";
    LinkDoHeal = "Heal", "恢复";
    LinkDoKill = "Kill connection", "杀掉连接";
    LinkLatency = "Latency (ms)", "延迟（毫秒）";
    LinkBandwidth = "Bandwidth", "带宽";
    KindHandshake = "handshake", "握手";
    KindPsync = "+FULLRESYNC / +CONTINUE", "+FULLRESYNC / +CONTINUE";
    KindRdb = "RDB transfer", "RDB 传输";
    KindStream = "command stream", "命令流";
    KindPing = "PING heartbeat", "PING 心跳";
    KindAck = "REPLCONF ACK", "REPLCONF ACK";
    KindKeepalive = "keepalive \\n", "保活 \\n";
    KindReply = "reply", "回复";
    KindTcp = "TCP connect/close", "TCP 建立/关闭";
    KindOther = "other", "其他";
    MsgHeld = "✂ {0} held on the cut link", "✂ {0} 条滞留在断开的链路上";
    MsgHint = "Tap a message on a link to see its bytes.", "点击链路上的消息查看其字节。";
    MsgHead = "{0} → {1} · {2} bytes · sent at {3} ms, arrives at {4} ms", "{0} → {1} · {2} 字节 · {3} 毫秒发出，{4} 毫秒到达";
    PhasesTitle = "Six phases of replication", "复制的六个阶段";
    PhasesNone = "No replicas.", "没有从节点。";
    Phase1 = "save master info", "保存主节点信息";
    Phase2 = "connect", "建立连接";
    Phase3 = "PING", "发送 PING";
    Phase4 = "auth", "权限验证";
    Phase5 = "sync data", "同步数据集";
    Phase6 = "propagate", "命令持续复制";
    PhasesLoading = "loading the RDB: {0}%", "正在加载 RDB：{0}%";
    ConsoleTitle = "Console", "命令行";
    ConsolePlaceholder = "type a command, e.g. SET hello world", "输入命令，例如 SET hello world";
    ConsoleSend = "Send", "发送";
    ConsoleDropped = "… {0} older lines dropped", "…… 已丢弃 {0} 行较早的输出";
    ConsoleClosed = "Error: Server closed the connection", "Error: Server closed the connection";
    BacklogTitle = "Replication backlog", "复制积压缓冲区";
    BacklogTitleOf = "Replication backlog of {0}", "{0} 的复制积压缓冲区";
    BacklogNone = "No backlog yet: the master creates it when the first replica connects.", "还没有积压缓冲区：第一个从节点连上时主节点才创建它。";
    BacklogNoneRunning = "The selected node's master is not running.", "所选节点的主节点没有运行。";
    BacklogSummary = "window [{0}, {1}] · histlen {2} · {3} blocks · master_repl_offset {4}", "窗口 [{0}, {1}] · histlen {2} · {3} 个块 · master_repl_offset {4}";
    BacklogGone = "trimmed", "已淘汰";
    BacklogBlock = "block", "块";
    BacklogSize = "repl-backlog-size", "repl-backlog-size";
    BacklogMasterMark = "▼ master {0}", "▼ 主节点 {0}";
    BacklogMarker = "▲ {0} needs {1}", "▲ {0} 需要 {1}";
    BacklogMarkerFull = "▲ {0} needs {1}: needs full resync", "▲ {0} 需要 {1}：必须全量复制";
    BacklogMarkerOther = "▲ {0} at {1}, other history: needs full resync", "▲ {0} 在 {1}，历史不同：必须全量复制";
    BacklogMarkerNone = "▲ {0} has no master state: needs full resync", "▲ {0} 没有主节点状态：必须全量复制";
    PsyncFrom = "PSYNC from {0}", "来自 {0} 的 PSYNC";
    PsyncPartial = "offset {0} is inside the backlog → partial resync (+CONTINUE), {1} bytes", "偏移量 {0} 在积压缓冲区内 → 部分复制（+CONTINUE），{1} 字节";
    PsyncPartial2 = "replid matches replid2 up to {0} → partial resync, {1} bytes", "replid 与 replid2 一致（到 {0} 为止）→ 部分复制，{1} 字节";
    PsyncFullRequested = "PSYNC ? -1: no cached master → full resync", "PSYNC ? -1：没有缓存的主节点 → 全量复制";
    PsyncFullId = "replid {0}… is neither {1}… nor {2}… → full resync", "replid {0}… 既不是 {1}… 也不是 {2}… → 全量复制";
    PsyncFullId2 = "replid matches replid2 but offset {0} > {1} → full resync", "replid 与 replid2 一致，但偏移量 {0} > {1} → 全量复制";
    PsyncFullLow = "offset {0} < backlog start {1} → full resync", "偏移量 {0} < 积压缓冲区起点 {1} → 全量复制";
    PsyncFullHigh = "offset {0} > backlog end {1} → full resync", "偏移量 {0} > 积压缓冲区终点 {1} → 全量复制";
    PsyncFullNone = "no backlog → full resync", "没有积压缓冲区 → 全量复制";
    InfoTitle = "INFO replication", "INFO replication";
    InfoTitleOf = "INFO replication · {0}", "INFO replication · {0}";
    InfoStopped = "This node is not running.", "该节点没有运行。";
    LogsTitle = "Log", "日志";
    LogsTitleOf = "Log · {0}", "日志 · {0}";
    LogsFilter = "Filter", "过滤";
    LogsDropped = "… {0} older log lines dropped", "…… 已丢弃 {0} 行较早的日志";
    ConfigTitle = "Replication config", "复制配置";
    ConfigTitleOf = "Replication config · {0}", "复制配置 · {0}";
    ConfigSet = "CONFIG SET", "CONFIG SET";
    LessonTitle = "Lessons", "课程";
    LessonPick = "Lesson", "课程";
    LessonFree = "Free play (no lesson)", "自由练习（不选课程）";
    LessonLoading = "Loading lessons…", "正在加载课程……";
    LessonLoadFailed = "Could not load the lessons: {0}", "无法加载课程：{0}";
    LessonNext = "Next step ▶", "下一步 ▶";
    LessonPrev = "◀ Previous step", "◀ 上一步";
    LessonStep = "Step {0} of {1}", "第 {0} 步，共 {1} 步";
    LessonIntro = "Introduction", "简介";
    LessonBegin = "Press “Next step” (or →) to begin.", "按“下一步”（或 →）开始。";
    LessonDone = "End of the lesson. Step back, replay, or pick another lesson.", "本课结束。可以后退、重放，或选择其他课程。";
    LessonRight = "✓ Right.", "✓ 回答正确。";
    LessonWrong = "✗ Not quite.", "✗ 不太对。";
    LessonQuestion = "Question", "问题";
    LessonWatch = "Watch:", "请看：";
    LessonLook = "look here", "看这里";
    PanelTopology = "topology", "拓扑图";
    PanelTraffic = "messages on the links", "链路上的消息";
    PanelPhases = "six phases", "六个阶段";
    PanelBacklog = "backlog", "积压缓冲区";
    PanelPsync = "PSYNC callout", "PSYNC 说明框";
    PanelConsole = "console", "命令行";
    PanelInfo = "INFO replication", "INFO replication";
    PanelLog = "log", "日志";
    PanelConfig = "config", "配置";
    PanelNode = "node panel", "节点面板";
    PanelTimeline = "timeline", "时间线";
    PanelLoad = "write load", "写入负载";
    ShareTitle = "Share, export, import", "分享、导出、导入";
    ShareLink = "Link to this exact moment", "指向此刻的链接";
    ShareEmbed = "Embed link (for slides, no controls)", "嵌入链接（用于幻灯片，无控制栏）";
    ShareExport = "Download as scenario script", "下载为场景脚本";
    ShareImport = "Import a scenario script (paste or choose a file)", "导入场景脚本（粘贴或选择文件）";
    ShareFile = "Script file", "脚本文件";
    ShareRun = "Run this script", "运行此脚本";
    ShareClose = "Close", "关闭";
    ShareBadLink = "This link is damaged or truncated ({0}). Showing the default playground instead.", "此链接已损坏或被截断（{0}），改为显示默认场景。";
    ShareBadScript = "The script has an error, nothing was changed: {0}", "脚本有错误，未做任何更改：{0}";
    ShareDismiss = "Dismiss", "关闭提示";
    EmbedOpen = "Open in replscope ↗", "在 replscope 中打开 ↗";
    HelpTitle = "Keyboard shortcuts", "键盘快捷键";
    HelpSpace = "Play / pause", "播放 / 暂停";
    HelpArrows = "Step back / forward: a lesson step, or one event in free play", "后退 / 前进：课程中一步，自由练习中一个事件";
    HelpHelp = "Show this list", "显示此列表";
    HelpEsc = "Close a dialog", "关闭对话框";
    HelpTab = "Move between controls; Enter or Space activates", "在控件之间移动；Enter 或空格键激活";
    SayLinkUp = "{0}: link to master {1} is up", "{0}：与主节点 {1} 的连接已建立";
    SayLinkDown = "{0}: link to master {1} is down", "{0}：与主节点 {1} 的连接已断开";
    SayStarted = "Node {0} is running", "节点 {0} 正在运行";
    SayStopped = "Node {0} stopped", "节点 {0} 已停止";
    SayMaster = "{0} is a master", "{0} 现在是主节点";
    SayPsync = "{0} answered PSYNC from {1}: {2}", "{0} 回应了 {1} 的 PSYNC：{2}";
    SayTime = "Time set to t = {0} s", "时间已跳到 t = {0} 秒";
    SayStep = "Step {0}", "第 {0} 步";
}

/// The names of [`PANELS`], in its order.
pub const PANEL_NAMES: [S; PANELS.len()] = [
    S::PanelTopology,
    S::PanelTraffic,
    S::PanelPhases,
    S::PanelBacklog,
    S::PanelPsync,
    S::PanelConsole,
    S::PanelInfo,
    S::PanelLog,
    S::PanelConfig,
    S::PanelNode,
    S::PanelTimeline,
    S::PanelLoad,
];

impl S {
    /// The legend name of a traffic kind (`Kind::name` is its CSS class).
    pub fn kind(kind: Kind) -> S {
        match kind {
            Kind::Handshake => S::KindHandshake,
            Kind::PsyncReply => S::KindPsync,
            Kind::Rdb => S::KindRdb,
            Kind::Stream => S::KindStream,
            Kind::Ping => S::KindPing,
            Kind::Ack => S::KindAck,
            Kind::Keepalive => S::KindKeepalive,
            Kind::Reply => S::KindReply,
            Kind::Tcp => S::KindTcp,
            Kind::Other => S::KindOther,
        }
    }

    /// The name of setup phase `n` (1 to 6; 6 for anything past it).
    pub fn phase(n: u8) -> S {
        [S::Phase1, S::Phase2, S::Phase3, S::Phase4, S::Phase5, S::Phase6][usize::from(n.clamp(1, 6)) - 1]
    }

    /// The name of a panel as lesson scripts spell it in `show` lines (one
    /// of [`PANELS`], whose order [`PANEL_NAMES`] follows).
    pub fn panel(name: &str) -> Option<S> {
        PANELS.iter().position(|p| *p == name).map(|i| PANEL_NAMES[i])
    }
}

/// The text for `key` in the page's language.
pub fn t(key: S) -> &'static str {
    let (en, zh) = table()[key as usize];
    if lang() == Lang::Zh { zh } else { en }
}

/// `t(key)` with `{0}`..`{9}` replaced by `args`, in one pass over the
/// text (an argument's own text is never searched for placeholders).
pub fn tf(key: S, args: &[&dyn Display]) -> String {
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

/// Every (English, Chinese), in the order of [`S`].
pub fn table() -> &'static [(&'static str, &'static str)] {
    static TABLE: std::sync::OnceLock<Vec<(&str, &str)>> = std::sync::OnceLock::new();
    TABLE.get_or_init(|| {
        let mut rows = Vec::new();
        for row in STRINGS.split_terminator('\u{1e}') {
            let (en, zh) = row.split_once('\u{1f}').unwrap_or((row, row));
            rows.push((en, zh));
        }
        rows
    })
}
