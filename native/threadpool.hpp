// A process-wide pool of helper threads for the split-batch driver, so that a gradient split
// across threads does not pay thread start-up on every call (about 20-40 us per thread here,
// against a tenth of a millisecond of work at the paper's sizes).
//
// The only global state of the kernel layer: helper threads are started on first use (as many
// as the largest request so far needs) and live until the process exits. Between jobs a helper
// spins for a short while (kSpinMicros) before it sleeps, so that back-to-back calls (training
// iterations) find it awake. Only one caller uses the pool at a time; a caller that finds it
// busy (another thread of the process is running a split gradient) runs its job alone, which
// is correct because jobs claim their work items from a counter.
#pragma once
#include <cstdint>

namespace rnnlab {

/** How long an idle helper spins (polling for the next job) before it blocks. */
constexpr int64_t kSpinMicros = 200;

/**
 * Runs work(context) on the calling thread and on up to `threads` - 1 helper threads at once and
 * returns when every call has returned. work must claim its items itself (e.g. from an atomic
 * counter inside context) and return when none is left; a helper that joins late may find
 * nothing to do. Helpers that cannot be started are left out (the caller always runs work).
 * Returns the number of helper threads that were offered the job (0 when the pool was busy).
 */
int parallelRun(int threads, void (*work)(void* context), void* context);

}  // namespace rnnlab
