/* Idempotent points writes over HTTP: the Idempotency-Key header, replays
 * of the first answer, and the ledger's group commit behind them. */
#ifndef CASEREEL_IDEMPOTENCY_H
#define CASEREEL_IDEMPOTENCY_H

#include "casereel/http.h"

/* Runs `inner` as one idempotent points write. Reads the Idempotency-Key
 * header (missing or malformed: 400), hashes method, path and body, and
 * inside a BEGIN IMMEDIATE transaction either replays the first answer
 * stored for (caller, key) byte for byte (a different request under the
 * same key: 422), or runs `inner` inside a savepoint and stores its answer
 * with the key. A 4xx answer of `inner` rolls back what it wrote but is
 * stored; a 5xx rolls back everything and stores nothing, so a retry runs
 * again. Group commit: `inner` runs on the ledger's writer thread (its own
 * connection), batched with other requests' writes into one transaction;
 * the answer leaves once that transaction committed (durably) or failed
 * (then every request of the batch answers 500 and stored nothing); the
 * request is parked meanwhile (http_defer). `inner` may only use req, res
 * and the store; it must not open or end transactions itself. */
void http_idempotent(struct cr_request *req, struct cr_response *res, cr_handler_fn inner);

#endif
