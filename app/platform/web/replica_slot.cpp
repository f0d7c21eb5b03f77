// Funnel — this tab's replica slot: Web Lock pool, BroadcastChannel fallback (see replica_slot.h).
#include "platform/web/replica_slot.h"

#include <emscripten.h>

#include "core/clock.h"

namespace funnel::web {

namespace {

std::function<void(int)>& slotHandler() {
    static std::function<void(int)> f;
    return f;
}

// clang-format off
EM_JS(void, js_replica_claim, (const char* nsPtr, int slots), {
  var ns = UTF8ToString(nsPtr);
  var R = Module.funnelReplica = { ns: ns, slot: -1, how: "" };
  var done = function(k, how) {
    if (k >= slots) { console.warn('funnel replica: every slot is taken; sharing the last one'); k = slots - 1; }
    R.slot = k; R.how = how;
    Module['_funnel_replica_slot'](k);
  };
  var channel = function() {
    if (typeof BroadcastChannel === 'undefined') { done(0, 'alone'); return; }
    var ch = new BroadcastChannel('funnel-replica:' + ns);
    var nonce = Math.random(), taken = {}, picked = false;
    var pick = function() {
      var k = 0;
      while (taken[k]) k++;
      picked = true;
      ch.postMessage({ type: 'claim', slot: k, nonce: nonce });
      done(k, 'channel');
    };
    ch.onmessage = function(ev) {
      var m = ev.data || {};
      if (m.type === 'who') {
        if (picked) ch.postMessage({ type: 'mine', slot: R.slot, nonce: nonce });
      } else if ((m.type === 'mine' || m.type === 'claim') && typeof m.slot === 'number') {
        taken[m.slot] = true;
        // Two tabs took one slot at once: the one with the larger number moves on.
        if (picked && m.slot === R.slot && m.nonce < nonce) pick();
      }
    };
    ch.postMessage({ type: 'who' });
    setTimeout(pick, 150);
  };
  var locks = null;
  try { locks = typeof navigator !== 'undefined' && navigator.locks && navigator.locks.request ? navigator.locks : null; } catch (e) {}
  if (!locks) { channel(); return; }
  var attempt = function(k) {
    if (k >= slots) { done(k, 'lock'); return; }
    locks.request('funnel-replica:' + ns + ':' + k, { ifAvailable: true }, function(lock) {
      if (!lock) { attempt(k + 1); return; }
      done(k, 'lock');
      return new Promise(function() {});  // held for the tab's life; the browser frees it on close
    }).catch(function(e) { console.warn('funnel replica: lock', e); if (R.slot < 0) channel(); });
  };
  attempt(0);
});
// clang-format on

}  // namespace

extern "C" EMSCRIPTEN_KEEPALIVE void funnel_replica_slot(int slot) {
    if (slotHandler()) slotHandler()(slot);
}

void claimReplicaSlot(const std::string& ns, std::function<void(int)> onSlot) {
    slotHandler() = std::move(onSlot);
    js_replica_claim(ns.c_str(), kReplicaSlots);
}

}  // namespace funnel::web
