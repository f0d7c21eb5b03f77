// Funnel — the contact card (route #/contact/<id>): who a person is at a customer and how to
// reach them. Name, title, level, buying role and attitude, phone numbers and e-mail addresses
// (each opens tel: / mailto: through the page), messenger ids (copied to the clipboard), notes,
// the deals and activities they are part of; rename, delete with undo.
#pragma once

#include <string>
#include <utility>

#include "ui/view.h"
#include "ui/widgets.h"

namespace funnel::ui {

class ContactCard {
public:
    void draw(ViewContext& ctx, const Id& contactId, Toast& toast);
    // A tel: or mailto: URL the card asked the page to open (once).
    std::string takeOpenUrl() { return std::exchange(openUrl_, {}); }

private:
    void valueRows(ViewContext& ctx, const Contact& c, const char* field, const std::string& value,
                   Toast& toast);
    void messengerRows(ViewContext& ctx, const Contact& c, Toast& toast);

    std::string openUrl_;
    std::string newValue_[2];  // the phone and e-mail being added
    std::string newMessengerId_;
    int newMessengerKind_ = 0;
    Id shown_;  // the contact the fields above were typed for
};

// Values kept one per line (docs/FORMAT.md: Contact).
std::vector<std::string> splitLines(const std::string& s);
std::string joinLines(const std::vector<std::string>& v);
// "tel:+82105551234" from "+82 10-555-1234"; "" when there is no digit.
std::string telUrl(const std::string& phone);

}  // namespace funnel::ui
