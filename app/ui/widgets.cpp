// Funnel — buttons that record their rectangles, the date picker and the time field (widgets.h).
//
// Index
// [SECTION] Buttons
// [SECTION] Dates in the user's format
// [SECTION] A text field that applies on Enter or when left
// [SECTION] Date picker
// [SECTION] Time of day
#include "ui/widgets.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstring>
#include <unordered_map>
#include <vector>

#include <imgui_internal.h>
#include <misc/cpp/imgui_stdlib.h>

#include "ui/theme.h"

namespace funnel::ui {

// [SECTION] Buttons

bool labelledButton(ViewContext& ctx, const char* key, const std::string& id, ImVec2 size) {
    const bool clicked = ImGui::Button((std::string(ctx.t(key)) + "###" + id).c_str(), size);
    ctx.record(ctx.t(key), "button:" + id);
    return clicked;
}

bool labelledSmallButton(ViewContext& ctx, const char* key, const std::string& id) {
    const bool clicked = ImGui::SmallButton((std::string(ctx.t(key)) + "###" + id).c_str());
    ctx.record(ctx.t(key), "button:" + id);
    return clicked;
}

bool accentButton(ViewContext& ctx, const char* key, const std::string& id, ImVec2 size) {
    ImGui::PushStyleColor(ImGuiCol_Button, ctx.palette.accent);
    ImGui::PushStyleColor(ImGuiCol_Text, ctx.palette.accentText);
    const bool clicked = labelledButton(ctx, key, id, size);
    ImGui::PopStyleColor(2);
    return clicked;
}

// [SECTION] Dates in the user's format

namespace {

const char* const kMonthNames[] = {"January", "February", "March",     "April",   "May",      "June",
                                   "July",    "August",   "September", "October", "November", "December"};

bool validDay(int y, int m, int d) {
    if (y < 1900 || y > 9999 || m < 1 || m > 12 || d < 1 || d > 31) return false;
    int yy = 0, mm = 0, dd = 0;
    splitDate(makeDate(y, m, d), yy, mm, dd);
    return yy == y && mm == m && dd == d;
}

// Fullwidth digits (an IME in full-width mode) read as ASCII ones.
std::string asciiDigits(const std::string& s) {
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
        const unsigned char c = static_cast<unsigned char>(s[i]);
        // U+FF10..U+FF19 = EF BC 90..99
        if (c == 0xEF && i + 2 < s.size() && static_cast<unsigned char>(s[i + 1]) == 0xBC &&
            static_cast<unsigned char>(s[i + 2]) >= 0x90 && static_cast<unsigned char>(s[i + 2]) <= 0x99) {
            out += char('0' + (static_cast<unsigned char>(s[i + 2]) - 0x90));
            i += 2;
        } else {
            out += s[i];
        }
    }
    return out;
}

}  // namespace

std::string formatDateInput(Date d, const std::string& lang) {
    if (d == kNoDate) return "";
    int y = 0, m = 0, day = 0;
    splitDate(d, y, m, day);
    char buf[48];
    if (lang == "zh-Hans" || lang == "zh-Hant")
        std::snprintf(buf, sizeof buf, "%d年%d月%d日", y, m, day);
    else if (lang == "ko")
        std::snprintf(buf, sizeof buf, "%d. %d. %d.", y, m, day);
    else
        std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", y, m, day);
    return buf;
}

std::optional<Date> parseDateInput(const std::string& input, Date today) {
    const std::string s = asciiDigits(input);
    std::vector<int> numbers;
    std::vector<int> digits;  // how many digits each number had
    bool yearMark = false, monthMark = false;
    int namedMonth = 0;
    std::size_t i = 0;
    auto startsWith = [&](const char* p) { return s.compare(i, std::strlen(p), p) == 0; };
    while (i < s.size()) {
        const unsigned char c = static_cast<unsigned char>(s[i]);
        if (c >= '0' && c <= '9') {
            long v = 0;
            int n = 0;
            while (i < s.size() && s[i] >= '0' && s[i] <= '9' && n < 6) v = v * 10 + (s[i++] - '0'), ++n;
            if (n >= 6) return std::nullopt;
            numbers.push_back(int(v));
            digits.push_back(n);
        } else if (c == ' ' || c == '-' || c == '/' || c == '.' || c == ',' || c == '\t') {
            ++i;
        } else if (startsWith("年") || startsWith("년")) {
            if (numbers.size() != 1) return std::nullopt;
            yearMark = true;
            i += 3;
        } else if (startsWith("月") || startsWith("월")) {
            monthMark = true;
            i += 3;
        } else if (startsWith("日") || startsWith("일") || startsWith("号") || startsWith("號")) {
            i += 3;
        } else if (std::isalpha(c)) {
            std::string word;
            while (i < s.size() && std::isalpha(static_cast<unsigned char>(s[i])))
                word += char(std::tolower(static_cast<unsigned char>(s[i++])));
            if (namedMonth || word.size() < 3) return std::nullopt;
            for (int m = 0; m < 12; ++m) {
                std::string name = kMonthNames[m];
                for (char& ch : name) ch = char(std::tolower(static_cast<unsigned char>(ch)));
                if (name.compare(0, word.size(), word) == 0) namedMonth = m + 1;
            }
            if (!namedMonth) return std::nullopt;
        } else {
            return std::nullopt;
        }
    }
    int y = 0, m = 0, d = 0;
    bool yearless = false;
    if (namedMonth) {  // "Dec 6", "6 Dec", "December 6, 2026"
        m = namedMonth;
        if (numbers.size() == 1) {
            d = numbers[0];
            yearless = true;
        } else if (numbers.size() == 2) {
            const bool firstIsYear = digits[0] == 4;
            y = firstIsYear ? numbers[0] : numbers[1];
            d = firstIsYear ? numbers[1] : numbers[0];
        } else {
            return std::nullopt;
        }
    } else if (numbers.size() == 3) {
        if (digits[0] == 4 || yearMark) {  // Y-M-D, Y年M月D日, Y. M. D.
            y = numbers[0], m = numbers[1], d = numbers[2];
        } else if (digits[2] == 4) {  // M/D/Y
            m = numbers[0], d = numbers[1], y = numbers[2];
        } else {
            return std::nullopt;
        }
    } else if (numbers.size() == 2 && !yearMark) {  // M月D日, M. D., 12/6
        m = numbers[0], d = numbers[1];
        yearless = true;
    } else {
        return std::nullopt;
    }
    (void)monthMark;
    if (yearless) {
        int ty = 0, tm = 0, td = 0;
        splitDate(today, ty, tm, td);
        y = ty;
        if (!validDay(y, m, d) && !(m == 2 && d == 29)) return std::nullopt;
        // The nearest such day: one more than half a year ago is next year's.
        if (!validDay(y, m, d) || makeDate(y, m, d) < today - 182) ++y;
        while (!validDay(y, m, d) && y < ty + 8) ++y;  // 29 February: the next leap year
    }
    if (!validDay(y, m, d)) return std::nullopt;
    return makeDate(y, m, d);
}

std::string formatMonthYear(int year, int month, const std::string& lang) {
    char buf[64];
    if (lang == "ko")
        std::snprintf(buf, sizeof buf, "%d년 %d월", year, month);
    else if (lang == "zh-Hans" || lang == "zh-Hant")
        std::snprintf(buf, sizeof buf, "%d年%d月", year, month);
    else
        std::snprintf(buf, sizeof buf, "%s %d", kMonthNames[(month + 11) % 12], year);
    return buf;
}

int firstWeekday(const std::string& lang) { return lang == "zh-Hans" ? 1 : 0; }

int weekdayOf(Date d) { return int(((d % 7) + 7 + 4) % 7); }  // 1970-01-01 was a Thursday

// [SECTION] A text field that applies on Enter or when left

namespace {

// What is being typed into a date or time field, by ImGui id, while it is typed (and after, when
// it was not a valid value, so the field can say so). Transient like ImGui's own text state.
struct PendingText {
    std::string text;
    bool invalid = false;
};
std::unordered_map<ImGuiID, PendingText>& pendingTexts() {
    static std::unordered_map<ImGuiID, PendingText> map;
    return map;
}

// Draws the field; returns true with `text` when the user confirmed an edit (Enter or leaving).
bool committedText(const char* imguiId, const std::string& shown, const char* hint, std::string& text,
                   ImGuiID& key) {
    auto& pending = pendingTexts();
    key = ImGui::GetID(imguiId);
    auto it = pending.find(key);
    std::string buf = it != pending.end() ? it->second.text : shown;
    const bool invalid = it != pending.end() && it->second.invalid;
    if (invalid) ImGui::PushStyleColor(ImGuiCol_Border, IM_COL32(0xD9, 0x48, 0x3B, 0xFF));
    if (invalid) ImGui::PushStyleVar(ImGuiStyleVar_FrameBorderSize, 1.5f);
    ImGui::InputTextWithHint(imguiId, hint, &buf);
    if (invalid) {
        ImGui::PopStyleVar();
        ImGui::PopStyleColor();
    }
    const bool active = ImGui::IsItemActive();
    const bool done = ImGui::IsItemDeactivatedAfterEdit();
    if (active) {
        if (ImGui::IsItemEdited() || it != pending.end()) {
            PendingText& p = pending[key];
            if (ImGui::IsItemEdited()) p.invalid = false;
            p.text = buf;
        }
        return false;
    }
    if (!done) return false;
    text = buf;  // the pending text when left by a click elsewhere, ImGui's last text when left by Enter
    return true;
}

void markInvalid(ImGuiID key, const std::string& text) { pendingTexts()[key] = PendingText{text, true}; }
void clearPending(ImGuiID key) { pendingTexts().erase(key); }
bool isInvalid(ImGuiID key) {
    auto it = pendingTexts().find(key);
    return it != pendingTexts().end() && it->second.invalid;
}

void invalidMessage(ViewContext& ctx, const char* key, const std::string& example,
                    const std::string& recordId) {
    char msg[256];
    std::snprintf(msg, sizeof msg, ctx.t(key), example.c_str());
    ImGui::PushStyleColor(ImGuiCol_Text, ctx.palette.overdue);
    ImGui::PushTextWrapPos(0);
    ImGui::TextUnformatted(msg);
    ImGui::PopTextWrapPos();
    ImGui::PopStyleColor();
    ctx.record("error:" + recordId);
}

// The calendar's state (shown month, keyboard cursor) lives in the field's ImGui storage.
struct CalendarState {
    int monthIndex = 0;  // year * 12 + month - 1
    Date cursor = 0;
};

bool calendar(ViewContext& ctx, const std::string& id, Date value, Date& out, bool allowClear,
              CalendarState& st) {
    bool picked = false;
    auto shift = [&](int months) {
        st.monthIndex += months;
        int y = 0, m = 0, d = 0;
        splitDate(st.cursor, y, m, d);
        const int ny = st.monthIndex / 12, nm = st.monthIndex % 12 + 1;
        while (d > 28 && !validDay(ny, nm, d)) --d;
        st.cursor = makeDate(ny, nm, d);
    };
    {
        ImVec2 wp = ImGui::GetWindowPos(), ws = ImGui::GetWindowSize();
        ctx.rects.record("picker:" + id, Rect{wp.x, wp.y, ws.x, ws.y});
    }
    const float cell = ImGui::GetFrameHeight() * 1.25f;
    const float gridW = cell * 7 + ImGui::GetStyle().ItemSpacing.x * 6;
    // Header: ‹ month year ›
    if (ImGui::ArrowButton("##prev", ImGuiDir_Left)) shift(-1);
    ctx.record("picker:prev");
    ImGui::SameLine();
    const std::string title = formatMonthYear(st.monthIndex / 12, st.monthIndex % 12 + 1, ctx.lang);
    const float titleW = ImGui::CalcTextSize(title.c_str()).x;
    const float arrowW = ImGui::GetFrameHeight();
    ImGui::SetCursorPosX(ImGui::GetCursorPosX() +
                         std::max(0.0f, (gridW - 2 * arrowW - titleW) / 2 - ImGui::GetStyle().ItemSpacing.x));
    ImGui::AlignTextToFramePadding();
    ImGui::TextUnformatted(title.c_str());
    ctx.record("picker:month");
    ImGui::SameLine(ImGui::GetStyle().WindowPadding.x + gridW - arrowW);
    if (ImGui::ArrowButton("##next", ImGuiDir_Right)) shift(1);
    ctx.record("picker:next");

    // Weekday names, starting on the locale's first day.
    static const char* kDayKeys[] = {"date.sun", "date.mon", "date.tue", "date.wed",
                                     "date.thu", "date.fri", "date.sat"};
    const int first = firstWeekday(ctx.lang);
    ImDrawList* dl = ImGui::GetWindowDrawList();
    for (int c = 0; c < 7; ++c) {
        const char* name = ctx.t(kDayKeys[(first + c) % 7]);
        ImVec2 p = ImGui::GetCursorScreenPos();
        const float w = ImGui::CalcTextSize(name).x;
        ImGui::SetCursorScreenPos(ImVec2(p.x + (cell - w) / 2, p.y));
        ImGui::TextDisabled("%s", name);
        if (c < 6) {
            ImGui::SameLine(0, 0);
            ImGui::SetCursorScreenPos(ImVec2(p.x + cell + ImGui::GetStyle().ItemSpacing.x, p.y));
        }
    }
    // Six weeks from the first day of the week holding the 1st.
    const int y = st.monthIndex / 12, m = st.monthIndex % 12 + 1;
    const Date firstOfMonth = makeDate(y, m, 1);
    const Date start = firstOfMonth - ((weekdayOf(firstOfMonth) - first + 7) % 7);
    // Day numbers centred in their cells, inside today's ring (at the top left the ring crossed
    // the digit and, on the selected day, drew over it in the fill's colour).
    ImGui::PushStyleVar(ImGuiStyleVar_SelectableTextAlign, ImVec2(0.5f, 0.5f));
    for (int r = 0; r < 6; ++r) {
        for (int c = 0; c < 7; ++c) {
            const Date d = start + r * 7 + c;
            int dy = 0, dm = 0, dd = 0;
            splitDate(d, dy, dm, dd);
            if (c > 0) ImGui::SameLine();
            ImGui::PushID(int(d));
            const bool inMonth = dm == m;
            const bool selected = d == value;
            if (selected) {
                ImGui::PushStyleColor(ImGuiCol_Header, ctx.palette.accent);
                ImGui::PushStyleColor(ImGuiCol_Text, ctx.palette.accentText);
            } else if (!inMonth) {
                ImGui::PushStyleColor(ImGuiCol_Text, ctx.palette.textDim);
            }
            char label[8];
            std::snprintf(label, sizeof label, "%d", dd);
            const ImVec2 p = ImGui::GetCursorScreenPos();
            if (ImGui::Selectable(label, selected, ImGuiSelectableFlags_None, ImVec2(cell, cell))) {
                out = d;
                picked = true;
            }
            ImGui::PopStyleColor(selected ? 2 : inMonth ? 0 : 1);
            ctx.record("picker:day:" + formatDate(d));
            // Today: a ring; the keyboard cursor: a frame.
            const ImVec2 q(p.x + cell, p.y + cell);
            if (d == ctx.today)
                dl->AddCircle(ImVec2((p.x + q.x) / 2, (p.y + q.y) / 2), cell * 0.42f,
                              selected ? ctx.palette.accentText : ctx.palette.accent, 0, 2.0f);
            if (d == st.cursor && d != value) dl->AddRect(p, q, ctx.palette.textDim, 4.0f, 0, 1.0f);
            ImGui::PopID();
        }
    }
    ImGui::PopStyleVar();
    ImGui::Spacing();
    if (labelledSmallButton(ctx, "date.today", "picker-today")) {
        out = ctx.today;
        picked = true;
    }
    ctx.record("picker:today");
    if (allowClear) {
        ImGui::SameLine();
        if (labelledSmallButton(ctx, "date.clear", "picker-clear")) {
            out = kNoDate;
            picked = true;
        }
        ctx.record("picker:clear");
    }
    // Keyboard: arrows move a day or a week, Page Up/Down a month, Enter picks, Esc closes.
    auto move = [&](int days) {
        st.cursor += days;
        int cy = 0, cm = 0, cd = 0;
        splitDate(st.cursor, cy, cm, cd);
        st.monthIndex = cy * 12 + cm - 1;
    };
    if (ImGui::IsKeyPressed(ImGuiKey_LeftArrow)) move(-1);
    if (ImGui::IsKeyPressed(ImGuiKey_RightArrow)) move(1);
    if (ImGui::IsKeyPressed(ImGuiKey_UpArrow)) move(-7);
    if (ImGui::IsKeyPressed(ImGuiKey_DownArrow)) move(7);
    if (ImGui::IsKeyPressed(ImGuiKey_PageUp)) shift(-1);
    if (ImGui::IsKeyPressed(ImGuiKey_PageDown)) shift(1);
    if (ImGui::IsKeyPressed(ImGuiKey_Enter, false) || ImGui::IsKeyPressed(ImGuiKey_KeypadEnter, false)) {
        out = st.cursor;
        picked = true;
    }
    if (ImGui::IsKeyPressed(ImGuiKey_Escape, false)) ImGui::CloseCurrentPopup();
    if (picked) ImGui::CloseCurrentPopup();
    return picked;
}

}  // namespace

// [SECTION] Date picker

bool datePicker(ViewContext& ctx, const std::string& id, Date value, Date& out, bool allowClear,
                float width) {
    ImGui::PushID(id.c_str());
    const float arrowW = ImGui::GetFrameHeight();
    const float spacing = ImGui::GetStyle().ItemInnerSpacing.x;
    const float total = width < 0 ? ImGui::GetContentRegionAvail().x + width + 1 : width;
    const ImVec2 fieldMin = ImGui::GetCursorScreenPos();
    ImGui::SetNextItemWidth(std::max(60.0f, total - arrowW - spacing));
    const std::string example = formatDateInput(ctx.today, ctx.lang);
    std::string text;
    ImGuiID key = 0;
    bool changed = false;
    if (committedText("##date", value == kNoDate ? "" : formatDateInput(value, ctx.lang), example.c_str(),
                      text, key)) {
        const auto b = text.find_first_not_of(" \t");
        if (b == std::string::npos) {
            clearPending(key);
            if (allowClear && value != kNoDate) {
                out = kNoDate;
                changed = true;
            }
        } else if (auto d = parseDateInput(text, ctx.today)) {
            clearPending(key);
            if (*d != value) {
                out = *d;
                changed = true;
            }
        } else {
            markInvalid(key, text);
        }
    }
    ctx.record("field:" + id);
    const ImGuiID textKey = key;
    ImGui::SameLine(0, spacing);
    const ImGuiID storageKey = ImGui::GetID("##calendar-state");
    ImGuiStorage* storage = ImGui::GetStateStorage();
    if (ImGui::ArrowButton("##open", ImGuiDir_Down)) {
        const Date shown = value == kNoDate ? ctx.today : value;
        int y = 0, m = 0, d = 0;
        splitDate(shown, y, m, d);
        storage->SetInt(storageKey, y * 12 + m - 1);
        storage->SetInt(storageKey + 1, shown);
        ImGui::OpenPopup("##calendar");
    }
    ctx.record("button:" + id + ".calendar");
    const float fieldBottom = ImGui::GetItemRectMax().y;
    // Below the field, or above it when the calendar would not fit below.
    const float calendarH = ImGui::GetFrameHeight() * 1.25f * 6 + ImGui::GetFrameHeight() * 4;
    const ImGuiViewport* vp = ImGui::GetMainViewport();
    if (fieldBottom + calendarH > vp->WorkPos.y + vp->WorkSize.y)
        ImGui::SetNextWindowPos(ImVec2(fieldMin.x, fieldMin.y - 2), ImGuiCond_Appearing, ImVec2(0, 1));
    else
        ImGui::SetNextWindowPos(ImVec2(fieldMin.x, fieldBottom + 2), ImGuiCond_Appearing);
    if (ImGui::BeginPopup("##calendar", ImGuiWindowFlags_NoNavInputs)) {
        CalendarState st{storage->GetInt(storageKey, 0), Date(storage->GetInt(storageKey + 1, ctx.today))};
        Date picked = value;
        if (calendar(ctx, id, value, picked, allowClear, st)) {
            clearPending(textKey);
            if (picked != value) {
                out = picked;
                changed = true;
            }
        }
        storage->SetInt(storageKey, st.monthIndex);
        storage->SetInt(storageKey + 1, st.cursor);
        ImGui::EndPopup();
    }
    if (isInvalid(textKey)) invalidMessage(ctx, "date.invalid", example, id);
    ImGui::PopID();
    return changed;
}

// [SECTION] Time of day

std::optional<int> parseClock(const std::string& input) {
    const std::string s = asciiDigits(input);
    int h = -1, m = 0;
    std::size_t i = 0;
    auto number = [&](int maxDigits, int& out) {
        int n = 0, v = 0;
        while (i < s.size() && s[i] >= '0' && s[i] <= '9' && n < maxDigits) v = v * 10 + (s[i++] - '0'), ++n;
        if (n) out = v;
        return n;
    };
    while (i < s.size() && s[i] == ' ') ++i;
    const int hd = number(4, h);
    if (hd == 0) return std::nullopt;
    if (hd >= 3) {  // "930", "1430"
        m = h % 100;
        h /= 100;
    } else if (i < s.size() && (s[i] == ':' || s[i] == '.' || s[i] == 'h')) {
        ++i;
        if (number(2, m) != 2) return std::nullopt;
    }
    while (i < s.size() && s[i] == ' ') ++i;
    if (i != s.size()) return std::nullopt;
    if (h < 0 || h > 23 || m < 0 || m > 59) return std::nullopt;
    return h * 60 + m;
}

bool timeInput(ViewContext& ctx, const std::string& id, int minutes, int& out, float width) {
    ImGui::PushID(id.c_str());
    char shown[16];
    std::snprintf(shown, sizeof shown, "%02d:%02d", minutes / 60, minutes % 60);
    ImGui::SetNextItemWidth(width);
    std::string text;
    ImGuiID key = 0;
    bool changed = false;
    if (committedText("##time", shown, "10:00", text, key)) {
        if (auto t = parseClock(text)) {
            clearPending(key);
            if (*t != minutes) {
                out = *t;
                changed = true;
            }
        } else {
            markInvalid(key, text);
        }
    }
    ctx.record("field:" + id);
    if (isInvalid(key)) invalidMessage(ctx, "time.invalid", "10:00", id);
    ImGui::PopID();
    return changed;
}

// [SECTION] Toast

void Toast::draw(ViewContext& ctx) {
    if (!visible(ctx.now)) return;
    const ImGuiViewport* vp = ImGui::GetMainViewport();
    ImGui::SetNextWindowPos(ImVec2(vp->WorkPos.x + vp->WorkSize.x / 2, vp->WorkPos.y + vp->WorkSize.y - 56),
                            ImGuiCond_Always, ImVec2(0.5f, 1.0f));
    ImGui::SetNextWindowBgAlpha(0.95f);
    ImGui::PushStyleColor(ImGuiCol_WindowBg, ctx.palette.text);
    ImGui::PushStyleColor(ImGuiCol_Text, ctx.palette.background);
    ImGui::Begin("##toast", nullptr,
                 ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_AlwaysAutoResize |
                     ImGuiWindowFlags_NoSavedSettings | ImGuiWindowFlags_NoFocusOnAppearing |
                     ImGuiWindowFlags_NoNav);
    ImGui::AlignTextToFramePadding();
    ImGui::TextUnformatted(text_.c_str());
    ctx.record("toast");
    if (!undo_.is_null() && !ctx.readOnly) {
        ImGui::SameLine(0, 16);
        ImGui::PushStyleColor(ImGuiCol_Text, ctx.palette.accentText);
        ImGui::PushStyleColor(ImGuiCol_Button, ctx.palette.accent);
        if (labelledSmallButton(ctx, "action.undo", "toast-undo")) {
            ctx.push(undo_);
            text_.clear();
        }
        ImGui::PopStyleColor(2);
    }
    ImGui::End();
    ImGui::PopStyleColor(2);
}

}  // namespace funnel::ui
