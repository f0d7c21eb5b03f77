// Funnel — the string table of the views (see strings.h). Keep entries grouped by screen;
// each row: key, English, 简体中文, 繁體中文, 한국어.
#include "ui/strings.h"

#include <cctype>
#include <string>
#include <unordered_map>
#include <unordered_set>

namespace funnel::ui {

namespace {

const std::vector<StringEntry> kTable = {
    // [SECTION] Navigation and frame
    {"app.name", "Funnel", "销售漏斗", "銷售漏斗", "퍼널"},
    {"nav.board", "Board", "看板", "看板", "보드"},
    {"nav.customers", "Customers", "客户", "客戶", "고객"},
    {"nav.today", "Today", "今日", "今日", "오늘"},
    {"nav.settings", "Settings", "设置", "設定", "설정"},
    {"action.undo", "Undo", "撤销", "復原", "실행 취소"},
    {"action.redo", "Redo", "重做", "重做", "다시 실행"},
    {"action.ok", "OK", "确定", "確定", "확인"},
    {"action.cancel", "Cancel", "取消", "取消", "취소"},
    {"action.close", "Close", "关闭", "關閉", "닫기"},
    {"action.delete", "Delete", "删除", "刪除", "삭제"},
    {"action.restore", "Restore", "恢复", "還原", "복원"},
    {"action.add", "Add", "添加", "新增", "추가"},
    {"action.open", "Open", "打开", "開啟", "열기"},
    {"status.saving", "Saving…", "正在保存…", "正在儲存…", "저장 중…"},
    {"status.saved", "Saved", "已保存", "已儲存", "저장됨"},
    {"status.failed", "Not saved", "未保存", "未儲存", "저장 안 됨"},
    {"storage.unavailable", "This browser does not let Funnel store data (private window?). Your changes are kept in memory only.",
     "此浏览器不允许保存数据（无痕模式？）。您的更改仅保存在内存中。",
     "此瀏覽器不允許儲存資料（無痕模式？）。您的變更僅保留在記憶體中。",
     "이 브라우저에서는 데이터를 저장할 수 없습니다(시크릿 창?). 변경 내용은 메모리에만 보관됩니다."},
    {"storage.full", "Storage is full. Your changes are kept and will be saved when space is free.",
     "存储空间已满。您的更改已保留，有空间时将自动保存。", "儲存空間已滿。您的變更已保留，有空間時將自動儲存。",
     "저장 공간이 가득 찼습니다. 변경 내용은 보관되며 공간이 생기면 저장됩니다."},
    {"storage.failed", "Saving failed. Your changes are kept in memory and saving is retried.",
     "保存失败。您的更改保留在内存中，并将自动重试。", "儲存失敗。您的變更保留在記憶體中，並將自動重試。",
     "저장에 실패했습니다. 변경 내용은 메모리에 보관되며 다시 시도합니다."},
    {"storage.corrupt", "The saved data could not be read. It was left untouched; you are working in memory only.",
     "无法读取已保存的数据。数据未被改动；您当前仅在内存中工作。", "無法讀取已儲存的資料。資料未被改動；您目前僅在記憶體中工作。",
     "저장된 데이터를 읽을 수 없습니다. 데이터는 그대로 두었으며, 지금은 메모리에서만 작업합니다."},
    {"storage.retrying", "Saving failed; retrying.", "保存失败，正在重试。", "儲存失敗，正在重試。", "저장 실패, 다시 시도 중입니다."},

    {"help.title", "Keyboard shortcuts", "键盘快捷键", "鍵盤快速鍵", "키보드 단축키"},
    {"help.new_deal", "New deal", "新建商机", "新增商機", "새 거래"},
    {"help.search", "Search", "搜索", "搜尋", "검색"},
    {"help.undo", "Undo / redo", "撤销 / 重做", "復原 / 重做", "실행 취소 / 다시 실행"},
    {"help.move", "Move the selected card to the previous / next stage", "将选中的卡片移到上一 / 下一阶段",
     "將選取的卡片移到上一 / 下一階段", "선택한 카드를 이전 / 다음 단계로 이동"},
    {"help.reorder", "Move the selected card up / down", "将选中的卡片上移 / 下移", "將選取的卡片上移 / 下移",
     "선택한 카드를 위 / 아래로 이동"},
    {"help.open", "Open the selected card", "打开选中的卡片", "開啟選取的卡片", "선택한 카드 열기"},
    {"help.close", "Close the card or dialog", "关闭卡片或对话框", "關閉卡片或對話框", "카드 또는 대화 상자 닫기"},
    {"help.help", "Show this list", "显示此列表", "顯示此清單", "이 목록 보기"},
    {"error.command", "That change could not be made:", "无法完成此更改：", "無法完成此變更：", "변경할 수 없습니다:"},

    {"demo.banner", "This is a demo with sample data. Nothing you do here touches your own funnel.",
     "这是使用示例数据的演示，在此的操作不会影响您自己的漏斗。", "這是使用範例資料的展示，在此的操作不會影響您自己的漏斗。",
     "샘플 데이터로 된 데모입니다. 여기서 하는 일은 내 퍼널에 영향을 주지 않습니다."},
    {"demo.reset", "Reset the demo", "重置演示", "重設展示", "데모 초기화"},
    {"demo.leave", "Start my own funnel", "开始使用我自己的漏斗", "開始使用我自己的漏斗", "내 퍼널 시작하기"},

    // [SECTION] Sharing a snapshot of the board
    {"share.button", "Share", "分享", "分享", "공유"},
    {"share.title", "Share this board", "分享此看板", "分享此看板", "이 보드 공유"},
    {"share.summary", "%d deals from \u201c%s\u201d, as the board shows them now (filters and search included).",
     "“%2$s”中的 %1$d 个商机，与看板当前显示的一致（含筛选和搜索）。",
     "「%2$s」中的 %1$d 個商機，與看板目前顯示的一致（含篩選和搜尋）。",
     "“%2$s”의 거래 %1$d건 — 지금 보드에 보이는 그대로입니다(필터와 검색 포함)."},
    {"share.privacy", "Whoever gets it sees these deals with their customers, contacts and activities, read-only. Nothing else from your funnel is included.",
     "收到的人可以只读查看这些商机及其客户、联系人和活动。您漏斗中的其他内容都不会包含在内。",
     "收到的人可以唯讀檢視這些商機及其客戶、聯絡人和活動。您漏斗中的其他內容都不會包含在內。",
     "받는 사람은 이 거래와 해당 고객, 연락처, 활동을 읽기 전용으로 봅니다. 퍼널의 다른 내용은 포함되지 않습니다."},
    {"share.download", "Download file", "下载文件", "下載檔案", "파일 다운로드"},
    {"share.copy_link", "Copy link", "复制链接", "複製連結", "링크 복사"},
    {"share.working", "Preparing the link…", "正在生成链接…", "正在產生連結…", "링크를 만드는 중…"},
    {"share.link_copied", "Link copied. Whoever opens it sees this board read-only.", "链接已复制。打开链接的人将以只读方式看到此看板。",
     "連結已複製。開啟連結的人將以唯讀方式看到此看板。", "링크를 복사했습니다. 링크를 연 사람은 이 보드를 읽기 전용으로 봅니다."},
    {"share.link_too_long", "This board is too large for a link. Download the file and send that instead.",
     "此看板太大，无法放进链接。请下载文件并发送文件。", "此看板太大，無法放進連結。請下載檔案並傳送檔案。",
     "이 보드는 링크에 담기에 너무 큽니다. 파일을 다운로드해서 보내 주세요."},
    {"share.link_failed", "The link could not be copied to the clipboard. Download the file instead.",
     "无法将链接复制到剪贴板。请改为下载文件。", "無法將連結複製到剪貼簿。請改為下載檔案。",
     "링크를 클립보드에 복사하지 못했습니다. 대신 파일을 다운로드하세요."},
    {"share.downloaded", "The file was downloaded.", "文件已下载。", "檔案已下載。", "파일을 다운로드했습니다."},
    {"share.open", "Open a snapshot…", "打开快照…", "開啟快照…", "스냅샷 열기…"},
    {"share.drop_hint", "You can also drop a snapshot file onto the page.", "也可以把快照文件拖放到页面上。",
     "也可以將快照檔案拖放到頁面上。", "스냅샷 파일을 페이지에 끌어다 놓아도 됩니다."},
    {"snapshot.banner", "Read-only snapshot shared by %s on %s", "%s 于 %s 分享的只读快照", "%s 於 %s 分享的唯讀快照",
     "%s님이 %s에 공유한 읽기 전용 스냅샷"},
    {"snapshot.banner_anonymous", "Read-only snapshot shared on %s", "%s 分享的只读快照", "%s 分享的唯讀快照",
     "%s에 공유된 읽기 전용 스냅샷"},
    {"snapshot.save_copy", "Save a copy as my funnel", "另存为我的漏斗", "另存為我的漏斗", "내 퍼널로 사본 저장"},
    {"snapshot.not_blank",
     "Your own funnel in this browser already has data, so the snapshot was not saved over it. Download the file to keep the snapshot.",
     "您在此浏览器中的漏斗已有数据，因此快照没有覆盖它。如需保留快照，请下载文件。",
     "您在此瀏覽器中的漏斗已有資料，因此快照沒有覆蓋它。如需保留快照，請下載檔案。",
     "이 브라우저의 내 퍼널에 이미 데이터가 있어 스냅샷으로 덮어쓰지 않았습니다. 스냅샷을 보관하려면 파일을 다운로드하세요."},
    {"snapshot.save_failed", "The copy could not be saved: this browser does not let Funnel store data.",
     "无法保存副本：此浏览器不允许 Funnel 保存数据。", "無法儲存副本：此瀏覽器不允許 Funnel 儲存資料。",
     "사본을 저장할 수 없습니다. 이 브라우저에서는 Funnel이 데이터를 저장할 수 없습니다."},
    {"snapshot.saving", "Saving the copy…", "正在保存副本…", "正在儲存副本…", "사본 저장 중…"},
    {"snapshot.error.too_large", "This snapshot could not be opened: it is larger than Funnel accepts. Nothing was changed.",
     "无法打开此快照：它超出了 Funnel 允许的大小。未做任何更改。", "無法開啟此快照：它超出了 Funnel 允許的大小。未做任何變更。",
     "이 스냅샷을 열 수 없습니다. Funnel이 받을 수 있는 크기를 넘습니다. 아무것도 바뀌지 않았습니다."},
    {"snapshot.error.damaged", "This snapshot could not be opened: the link or file is damaged or incomplete. Nothing was changed.",
     "无法打开此快照：链接或文件已损坏或不完整。未做任何更改。", "無法開啟此快照：連結或檔案已損毀或不完整。未做任何變更。",
     "이 스냅샷을 열 수 없습니다. 링크나 파일이 손상되었거나 일부가 빠졌습니다. 아무것도 바뀌지 않았습니다."},
    {"snapshot.error.not_snapshot", "This is not a Funnel snapshot, so it was not opened. Nothing was changed.",
     "这不是 Funnel 快照，因此没有打开。未做任何更改。", "這不是 Funnel 快照，因此沒有開啟。未做任何變更。",
     "Funnel 스냅샷이 아니어서 열지 않았습니다. 아무것도 바뀌지 않았습니다."},
    {"snapshot.error.invalid", "This snapshot could not be opened: its content is not valid. Nothing was changed.",
     "无法打开此快照：其内容无效。未做任何更改。", "無法開啟此快照：其內容無效。未做任何變更。",
     "이 스냅샷을 열 수 없습니다. 내용이 올바르지 않습니다. 아무것도 바뀌지 않았습니다."},

    // [SECTION] Board
    {"board.new_deal", "New deal", "新建商机", "新增商機", "새 거래"},
    {"board.search", "Search deals, customers, contacts", "搜索商机、客户、联系人", "搜尋商機、客戶、聯絡人", "거래, 고객, 연락처 검색"},
    {"board.pipeline", "Pipeline", "销售流程", "銷售流程", "파이프라인"},
    {"board.filter", "Filter", "筛选", "篩選", "필터"},
    {"board.sort", "Sort", "排序", "排序", "정렬"},
    {"board.all", "All", "全部", "全部", "전체"},
    {"board.owner", "Owner", "负责人", "負責人", "담당자"},
    {"board.grade", "Grade", "等级", "等級", "등급"},
    {"board.label", "Label", "标签", "標籤", "라벨"},
    {"board.source", "Source", "来源", "來源", "출처"},
    {"board.status", "Status", "状态", "狀態", "상태"},
    {"board.clear_filters", "Clear filters", "清除筛选", "清除篩選", "필터 지우기"},
    {"board.sort.manual", "Manual order", "手动排序", "手動排序", "수동 순서"},
    {"board.sort.value", "Value (high first)", "金额（从高到低）", "金額（由高至低）", "금액(높은 순)"},
    {"board.sort.close", "Expected close", "预计成交日期", "預計成交日期", "예상 마감일"},
    {"board.sort.updated", "Recently updated", "最近更新", "最近更新", "최근 수정"},
    {"board.deals", "deals", "个商机", "個商機", "건"},
    {"board.weighted", "weighted", "加权", "加權", "가중"},
    {"board.quick_add", "+ Add a deal", "+ 添加商机", "+ 新增商機", "+ 거래 추가"},
    {"board.quick_add_hint", "Deal title, then Enter", "输入商机名称后按回车", "輸入商機名稱後按 Enter", "거래 이름 입력 후 Enter"},
    {"board.empty_column", "No deals here yet", "暂无商机", "尚無商機", "거래가 없습니다"},
    {"board.empty_pipeline", "This pipeline has no stages. Add stages in Settings.", "此流程没有阶段，请在设置中添加。",
     "此流程沒有階段，請在設定中新增。", "이 파이프라인에는 단계가 없습니다. 설정에서 추가하세요."},
    {"board.no_match", "No deals match the filters", "没有符合筛选条件的商机", "沒有符合篩選條件的商機", "필터에 맞는 거래가 없습니다"},
    {"board.rotting", "Idle", "停滞", "停滯", "정체"},
    {"unit.days", "%dd", "%d天", "%d天", "%d일"},
    {"board.overdue", "Overdue", "已逾期", "已逾期", "기한 지남"},
    {"board.due_today", "Due today", "今天到期", "今天到期", "오늘 마감"},
    {"board.no_activity", "No next step", "无下一步", "無下一步", "다음 단계 없음"},
    {"board.missing_rate", "No exchange rate for", "缺少汇率：", "缺少匯率：", "환율 없음:"},

    // [SECTION] Deal actions and dialogs
    {"deal.win", "Won", "赢单", "贏單", "수주"},
    {"deal.lose", "Lost", "输单", "輸單", "실주"},
    {"deal.suspend", "Suspend", "暂停", "暫停", "보류"},
    {"deal.reopen", "Reopen", "重新打开", "重新開啟", "다시 열기"},
    {"deal.move_next", "Next stage", "下一阶段", "下一階段", "다음 단계로"},
    {"deal.move_prev", "Previous stage", "上一阶段", "上一階段", "이전 단계로"},
    {"deal.lost_reason", "Why was it lost?", "输单原因？", "輸單原因？", "실주 사유는?"},
    {"deal.lost_reason_required", "Enter a reason", "请输入原因", "請輸入原因", "사유를 입력하세요"},
    {"deal.suspend_until", "Revisit on (YYYY-MM-DD)", "重新跟进日期（YYYY-MM-DD）", "重新跟進日期（YYYY-MM-DD）", "재검토 날짜 (YYYY-MM-DD)"},
    {"deal.bad_date", "Enter a date as YYYY-MM-DD", "请按 YYYY-MM-DD 输入日期", "請按 YYYY-MM-DD 輸入日期", "YYYY-MM-DD 형식으로 입력하세요"},
    {"deal.deleted", "Deal deleted", "商机已删除", "商機已刪除", "거래가 삭제되었습니다"},

    // [SECTION] Deal card fields
    {"field.title", "Title", "名称", "名稱", "제목"},
    {"field.customer", "Customer", "客户", "客戶", "고객"},
    {"field.value", "Value", "金额", "金額", "금액"},
    {"field.currency", "Currency", "币种", "幣別", "통화"},
    {"field.stage", "Stage", "阶段", "階段", "단계"},
    {"field.probability", "Probability %", "赢率 %", "贏率 %", "확률 %"},
    {"field.expected_close", "Expected close", "预计成交", "預計成交", "예상 마감"},
    {"field.owner", "Owner", "负责人", "負責人", "담당자"},
    {"field.labels", "Labels", "标签", "標籤", "라벨"},
    {"field.next_step", "Next step", "下一步", "下一步", "다음 단계"},
    {"field.next_step_due", "Next step due", "下一步日期", "下一步日期", "다음 단계 기한"},
    {"field.status", "Status", "状态", "狀態", "상태"},
    {"section.key_info", "Key information", "关键信息", "關鍵資訊", "핵심 정보"},
    {"key.schedule", "Schedule", "时间表", "時程", "일정"},
    {"key.budget", "Budget", "预算", "預算", "예산"},
    {"key.requirement", "Requirement", "需求", "需求", "요구 사항"},
    {"key.decision", "Decision people and process", "决策人与流程", "決策人與流程", "의사결정자와 절차"},
    {"key.competition", "Competition", "竞争情况", "競爭情況", "경쟁 상황"},
    {"key.evaluation", "Key evaluation items", "关键评估项", "關鍵評估項目", "핵심 평가 항목"},
    {"section.qualification", "Qualification (BANT)", "资格确认（BANT）", "資格確認（BANT）", "자격 확인 (BANT)"},
    {"qual.money", "Budget / money", "预算", "預算", "예산"},
    {"qual.authority", "Authority", "决策权", "決策權", "권한"},
    {"qual.need", "Need", "需求", "需求", "필요"},
    {"qual.timing", "Timing", "时机", "時機", "시기"},
    {"section.objections", "Objections", "异议", "異議", "이의 제기"},
    {"section.activities", "Activities", "活动", "活動", "활동"},
    {"section.playbook", "Playbook for this stage", "本阶段行动清单", "本階段行動清單", "이 단계의 플레이북"},
    {"section.stage_history", "Stage history", "阶段记录", "階段紀錄", "단계 이력"},
    {"section.changes", "Change history", "变更记录", "變更紀錄", "변경 이력"},
    {"section.contacts", "Contacts", "联系人", "聯絡人", "연락처"},
    {"section.deals", "Deals", "商机", "商機", "거래"},
    {"activity.log", "Log activity", "记录活动", "記錄活動", "활동 기록"},
    {"activity.subject", "Subject", "主题", "主旨", "제목"},
    {"activity.kind", "Type", "类型", "類型", "유형"},
    {"activity.done", "Done", "已完成", "已完成", "완료"},
    {"activity.planned", "Planned", "计划中", "計畫中", "예정"},
    {"activity.advanced", "Advanced the deal", "推进了商机", "推進了商機", "거래 진전"},
    {"activity.empty", "No activities yet. Log a call or a visit.", "暂无活动。记录一次电话或拜访吧。", "尚無活動。記錄一次電話或拜訪吧。",
     "활동이 없습니다. 통화나 방문을 기록하세요."},
    {"objection.add", "Add objection", "添加异议", "新增異議", "이의 추가"},
    {"objection.resolved", "Resolved", "已解决", "已解決", "해결됨"},

    // [SECTION] Enumerations
    {"status.open", "Open", "进行中", "進行中", "진행 중"},
    {"status.won", "Won", "已赢单", "已贏單", "수주"},
    {"status.lost", "Lost", "已输单", "已輸單", "실주"},
    {"status.suspended", "Suspended", "已暂停", "已暫停", "보류"},
    {"kind.call", "Call", "电话", "電話", "통화"},
    {"kind.visit", "Visit", "拜访", "拜訪", "방문"},
    {"kind.meeting", "Meeting", "会议", "會議", "미팅"},
    {"kind.email", "Email", "邮件", "郵件", "이메일"},
    {"kind.message", "Message", "消息", "訊息", "메시지"},
    {"kind.demo", "Demo", "演示", "展示", "시연"},
    {"kind.quoteSent", "Quote sent", "已发报价", "已送報價", "견적 발송"},
    {"kind.gift", "Gift / card", "礼品/贺卡", "禮品/賀卡", "선물/카드"},
    {"kind.event", "Event", "活动邀约", "活動邀約", "행사"},
    {"kind.afterSales", "After-sales", "售后回访", "售後回訪", "사후 관리"},
    {"objection.price", "Price", "价格", "價格", "가격"},
    {"objection.function", "Function", "功能", "功能", "기능"},
    {"objection.afterSales", "After-sales service", "售后服务", "售後服務", "사후 서비스"},
    {"objection.competitor", "Competitor", "竞争对手", "競爭對手", "경쟁사"},
    {"objection.resourceSupport", "Resource support", "资源支持", "資源支援", "자원 지원"},
    {"objection.guarantee", "Guarantee", "保障", "保證", "보증"},
    {"objection.other", "Other", "其他", "其他", "기타"},

    // [SECTION] Contacts and profile
    {"contacts.new", "New contact name", "新联系人姓名", "新聯絡人姓名", "새 연락처 이름"},
    {"contacts.empty", "No contacts yet.", "暂无联系人。", "尚無聯絡人。", "연락처가 없습니다."},
    {"role.unknown", "Role not known", "角色未知", "角色未知", "역할 미상"},
    {"role.decisionMaker", "Decision maker", "决策者", "決策者", "의사결정자"},
    {"role.user", "User", "使用者", "使用者", "사용자"},
    {"role.technicalGatekeeper", "Technical gatekeeper", "技术把关者", "技術把關者", "기술 검토자"},
    {"role.financialGatekeeper", "Financial gatekeeper", "财务把关者", "財務把關者", "재무 검토자"},
    {"role.purchasing", "Purchasing", "采购", "採購", "구매 담당"},
    {"role.coach", "Coach (inside guide)", "内线（教练）", "內線（教練）", "내부 코치"},
    {"attitude.neutral", "Neutral", "中立", "中立", "중립"},
    {"attitude.supporter", "Supporter", "支持者", "支持者", "지지자"},
    {"attitude.opponent", "Opponent", "反对者", "反對者", "반대자"},
    {"section.profile", "Profile", "客户档案", "客戶檔案", "프로필"},
    {"profile.title", "Title", "职务", "職稱", "직함"},
    {"profile.family", "Family", "家庭", "家庭", "가족"},
    {"profile.hobbies", "Hobbies", "爱好", "嗜好", "취미"},
    {"profile.education", "Education", "教育背景", "教育背景", "학력"},
    {"profile.birthday", "Birthday", "生日", "生日", "생일"},
    {"profile.achievements", "Achievements", "成就", "成就", "성과"},
    {"customers.referred", "Referred by this customer", "由该客户推荐", "由此客戶推薦", "이 고객이 추천한 고객"},

    // [SECTION] Customers
    {"customers.new", "New customer", "新建客户", "新增客戶", "새 고객"},
    {"customers.search", "Search customers", "搜索客户", "搜尋客戶", "고객 검색"},
    {"customers.empty", "No customers yet. Add your first customer.", "还没有客户，添加第一个客户吧。", "尚無客戶，新增第一位客戶吧。",
     "고객이 없습니다. 첫 고객을 추가하세요."},
    {"customers.name", "Customer name", "客户名称", "客戶名稱", "고객 이름"},
    {"customers.industry", "Industry", "行业", "產業", "업종"},
    {"customers.region", "Region", "地区", "地區", "지역"},
    {"customers.won_revenue", "Won revenue", "成交金额", "成交金額", "수주 금액"},
    {"customers.next_follow_up", "Next follow-up", "下次跟进", "下次跟進", "다음 후속 조치"},
    {"customers.referred_by", "Referred by", "推荐人", "推薦人", "추천인"},
    {"customers.notes", "Notes", "备注", "備註", "메모"},

    // [SECTION] Today
    {"today.overdue", "Overdue follow-ups", "逾期跟进", "逾期跟進", "기한 지난 후속 조치"},
    {"today.due", "Due today", "今日到期", "今日到期", "오늘 마감"},
    {"today.after_sales", "After-sales follow-ups", "售后回访", "售後回訪", "사후 관리"},
    {"today.rotting", "Idle deals", "停滞商机", "停滯商機", "정체된 거래"},
    {"today.revisit", "Suspended deals to revisit", "待重新跟进的暂停商机", "待重新跟進的暫停商機", "재검토할 보류 거래"},
    {"today.empty", "Nothing needs your attention today.", "今天没有需要处理的事项。", "今天沒有需要處理的事項。",
     "오늘 처리할 일이 없습니다."},

    // [SECTION] Settings
    {"settings.language", "Language", "语言", "語言", "언어"},
    {"settings.theme", "Theme", "主题", "主題", "테마"},
    {"settings.light", "Light", "浅色", "淺色", "밝게"},
    {"settings.dark", "Dark", "深色", "深色", "어둡게"},
    {"settings.stages", "Stages", "阶段", "階段", "단계"},
    {"settings.stage_name", "Stage name", "阶段名称", "階段名稱", "단계 이름"},
    {"settings.add_stage", "Add stage", "添加阶段", "新增階段", "단계 추가"},
    {"settings.stage_names", "Stage names in each language", "各语言的阶段名称", "各語言的階段名稱", "언어별 단계 이름"},
    {"settings.stage_names_hint", "An empty name shows the English one.", "留空则显示英文名称。", "留空則顯示英文名稱。",
     "비워 두면 영어 이름이 표시됩니다."},
    {"settings.rotting_days", "Idle after days", "停滞天数", "停滯天數", "정체 기준 일수"},
    {"settings.display_currency", "Display currency", "显示币种", "顯示幣別", "표시 통화"},
    {"settings.threshold", "Out-of-funnel threshold", "漏斗外小单阈值", "漏斗外小單門檻", "퍼널 외 소액 기준"},
    {"settings.cadence", "Follow-up cadence (days)", "跟进周期（天）", "跟進週期（天）", "후속 주기(일)"},
    {"settings.me", "I am", "我是", "我是", "나는"},
    {"settings.team", "Team", "团队", "團隊", "팀"},
    {"settings.new_member", "New member name", "新成员姓名", "新成員姓名", "새 구성원 이름"},
    {"settings.manager", "Manager", "经理", "經理", "관리자"},
    {"settings.rates", "Exchange rates", "汇率", "匯率", "환율"},
    {"settings.rate_hint", "How many of the display currency one unit is worth", "1 单位折合多少显示币种",
     "1 單位折合多少顯示幣別", "1단위가 표시 통화로 얼마인지"},
    {"settings.playbook", "Stage playbook", "阶段行动清单", "階段行動清單", "단계 플레이북"},
    {"settings.new_playbook_item", "New checklist item", "新清单项", "新清單項目", "새 체크리스트 항목"},
    {"settings.pipelines", "Pipelines", "销售流程", "銷售流程", "파이프라인"},
    {"settings.new_pipeline", "New pipeline name", "新流程名称", "新流程名稱", "새 파이프라인 이름"},
};

}  // namespace

const std::vector<StringEntry>& stringTable() { return kTable; }

const char* tr(std::string_view key, std::string_view lang) {
    static const std::unordered_map<std::string_view, const StringEntry*> index = [] {
        std::unordered_map<std::string_view, const StringEntry*> m;
        for (const auto& e : kTable) m.emplace(e.key, &e);
        return m;
    }();
    auto it = index.find(key);
    if (it == index.end()) {
        // Unknown keys show as themselves so a missing entry is visible, not blank.
        static std::unordered_set<std::string> unknown;
        return unknown.emplace(key).first->c_str();
    }
    const StringEntry& e = *it->second;
    if (lang == "zh-Hans") return e.zhHans;
    if (lang == "zh-Hant") return e.zhHant;
    if (lang == "ko") return e.ko;
    return e.en;
}

std::string normaliseLanguage(std::string_view tag) {
    auto starts = [&](std::string_view p) {
        if (tag.size() < p.size()) return false;
        for (size_t i = 0; i < p.size(); ++i)
            if (std::tolower(static_cast<unsigned char>(tag[i])) != std::tolower(static_cast<unsigned char>(p[i])))
                return false;
        return true;
    };
    if (starts("zh-hant") || starts("zh-tw") || starts("zh-hk") || starts("zh-mo")) return "zh-Hant";
    if (starts("zh")) return "zh-Hans";
    if (starts("ko")) return "ko";
    return "en";
}

}  // namespace funnel::ui
