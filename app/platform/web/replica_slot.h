// Funnel — this tab's replica slot (docs/SYNC.md "Several tabs"). The tabs of one browser share
// one store and so one device replica id, but each must stamp under an id no other live tab
// uses, or two tabs could issue equal or out-of-order stamps under one id. A tab holds the
// first free Web Lock "funnel-replica:<ns>:<k>" for its whole life and stamps under
// slotReplica(device, k); the browser releases the lock when the tab goes away, so the next tab
// reuses k and the team file's `replicas` map only grows with the most tabs ever open at once.
// Without Web Locks (an http:// page that is not localhost is not a secure context), the tabs
// agree over a BroadcastChannel: ask who holds which slot, take the first free one, and of two
// tabs that took one slot at once the one with the larger random number moves on. Without
// either, the tab is alone as far as it can tell: slot 0.
#pragma once

#include <functional>
#include <string>

namespace funnel::web {

// Claims a slot for the namespace `ns` ("main", "demo") and calls onSlot with it once it is
// known (usually within milliseconds), and again if the BroadcastChannel fallback has to move.
void claimReplicaSlot(const std::string& ns, std::function<void(int)> onSlot);

}  // namespace funnel::web
